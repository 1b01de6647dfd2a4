// libFuzzer harness: the JSON decoder (glo_json_push) and encoder, through the path facts take
// into a rule: JSON text -> Lua values -> JSON text. Checks, besides what ASan and UBSan catch:
// a text the decoder accepts encodes to JSON that, decoded and encoded again, gives the same bytes (a fixed point).
#include "fuzz_common.h"

static int identity_ref;

static void setup(void) {
    glo_sandbox *sb = fuzz_sandbox();
    glo_status st;
    glo_status_init(&st);
    const char *code = "return { same = function(facts, ctx) return { v = facts } end }";
    if (glo_sandbox_add_module(sb, "F/m", "F", code, strlen(code), "m.lua", &st) != 0) abort();
    char defined[64];
    identity_ref = glo_sandbox_lookup(sb, "F", "m", "same", defined, sizeof defined, &st);
    if (identity_ref <= 0) abort();
    glo_status_free(&st);
}

/// Decodes `text` as the facts of a call and encodes what the rule returned; 0 when decoded.
static int round_trip(const char *text, size_t len, glo_buffer *out, glo_status *st) {
    out->len = 0;
    return glo_sandbox_call(fuzz_sandbox(), identity_ref, text, len, "{}", 2, 0, out, NULL, st);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    if (!identity_ref) setup();
    glo_buffer first, second;
    glo_buffer_init(&first);
    glo_buffer_init(&second);
    glo_status st;
    glo_status_init(&st);
    if (round_trip((const char *)data, size, &first, &st) == 0) {
        // The encoding {"v": <facts>} is itself an object: given as facts, it must come back as
        // {"v": {"v": <facts>}} byte for byte (facts must be an object, and an empty table encodes
        // as [], so the inner value alone is not always a valid input).
        glo_status again;
        glo_status_init(&again);
        if (round_trip(first.data, first.len, &second, &again) != 0) {
            if (!fuzz_refused_by_limit(&again)) {
                fprintf(stderr, "the encoder wrote JSON its decoder refuses: %.*s\n", (int)first.len, first.data);
                abort();
            }
        } else if (second.len != first.len + 6 || memcmp(second.data, "{\"v\":", 5) != 0 ||
                   memcmp(second.data + 5, first.data, first.len) != 0 || second.data[second.len - 1] != '}') {
            fprintf(stderr, "not a fixed point:\n%.*s\n%.*s\n", (int)first.len, first.data, (int)second.len, second.data);
            abort();
        }
        glo_status_free(&again);
    }
    glo_status_free(&st);
    glo_buffer_free(&first);
    glo_buffer_free(&second);
    return 0;
}
