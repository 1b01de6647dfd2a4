// libFuzzer harness: module loading (glo_sandbox_add_module, compiled and run on first lookup), with
// the input as a module's source: syntax errors, bytecode, loops, allocation, require chains and
// whatever else a hostile rule file holds. Besides what ASan and UBSan catch, the sandbox must stay
// usable afterwards: a known-good module still loads and answers.
#include "fuzz_common.h"

static unsigned long counter;

static void check_still_usable(glo_sandbox *sb) {
    char name[64];
    snprintf(name, sizeof name, "G/ok%lu", counter);
    const char *code = "return { answer = function(facts, ctx) return { outcome = 'ok' } end }";
    glo_status st;
    glo_status_init(&st);
    if (glo_sandbox_add_module(sb, name, "G", code, strlen(code), "ok.lua", &st) != 0) { fprintf(stderr, "good module refused\n"); abort(); }
    char defined[64];
    char short_name[64];
    snprintf(short_name, sizeof short_name, "ok%lu", counter);
    int ref = glo_sandbox_lookup(sb, "G", short_name, "answer", defined, sizeof defined, &st);
    if (ref <= 0) { fprintf(stderr, "good module not found after a hostile one: %.*s\n", (int)st.message.len, st.message.data); abort(); }
    glo_buffer out;
    glo_buffer_init(&out);
    if (glo_sandbox_call(sb, ref, "{}", 2, "{}", 2, 0, &out, NULL, &st) != 0 || out.len != 16 || memcmp(out.data, "{\"outcome\":\"ok\"}", 16) != 0) {
        fprintf(stderr, "good module answered wrongly after a hostile one\n");
        abort();
    }
    glo_buffer_free(&out);
    glo_status_free(&st);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    glo_sandbox *sb = fuzz_sandbox();
    counter++;
    // A fresh module name each time, in a pack with a parent, so that require reaches both.
    char name[64], short_name[64];
    snprintf(name, sizeof name, "F/m%lu", counter);
    snprintf(short_name, sizeof short_name, "m%lu", counter);
    glo_status st;
    glo_status_init(&st);
    if (glo_sandbox_add_module(sb, name, "F\nG", (const char *)data, size, "fuzz.lua", &st) == 0) {
        char defined[64];
        int ref = glo_sandbox_lookup(sb, "F\nG", short_name, "decide", defined, sizeof defined, &st);
        if (ref > 0) {
            glo_buffer out, explain;
            glo_buffer_init(&out);
            glo_buffer_init(&explain);
            glo_status call;
            glo_status_init(&call);
            const char *facts = "{\"age\":17,\"acts\":[\"recruitment\"]}", *ctx = "{\"date\":\"2026-01-01\"}";
            glo_sandbox_call(sb, ref, facts, strlen(facts), ctx, strlen(ctx), GLO_CALL_TRACK_READS, &out, &explain, &call);
            glo_status_free(&call);
            glo_buffer_free(&out);
            glo_buffer_free(&explain);
        }
        glo_buffer keys;
        glo_buffer_init(&keys);
        glo_sandbox_module_keys(sb, name, &keys, &st);
        glo_buffer_free(&keys);
    }
    glo_status_free(&st);
    if (counter % 64 == 0) check_still_usable(sb);
    // Every module stays registered: start over before the state fills its memory cap.
    if (counter % 512 == 0) fuzz_reset();
    return 0;
}
