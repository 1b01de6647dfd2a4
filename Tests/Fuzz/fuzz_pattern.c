// libFuzzer harness: the bounded pattern matcher (glo_strlib.c) against stock Lua 5.4's.
// The input is a subject and a pattern separated by the first NUL byte (no NUL: all pattern, empty
// subject). Both run string.find, string.match, string.gsub and string.gmatch in the same chunk;
// every result must be the same, byte for byte, or both must fail. Where the sandbox refuses for a
// limit (the point of bounding it), stock Lua is not asked: it might run for hours.
#include "fuzz_common.h"
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/// The chunk for one subject and pattern: each call's results, as "type:value" joined by '|', in hex
/// (so the sandbox's JSON of it is plain); an error as "error".
static size_t chunk(char *out, size_t cap, const unsigned char *s, size_t slen, const unsigned char *p, size_t plen) {
    size_t n = 0;
#define PUT(...) do { int w = snprintf(out + n, cap - n, __VA_ARGS__); if (w < 0 || (size_t)w >= cap - n) return 0; n += (size_t)w; } while (0)
    PUT("local S, P = \"");
    for (size_t i = 0; i < slen; i++) PUT("\\%03u", s[i]);
    PUT("\", \"");
    for (size_t i = 0; i < plen; i++) PUT("\\%03u", p[i]);
    PUT("\"\n");
    PUT("local out = {}\n"
        "local function add(ok, ...)\n"
        "  if not ok then out[#out + 1] = 'error'; return end\n"
        "  local r = table.pack(...)\n"
        "  for i = 1, r.n do out[#out + 1] = type(r[i]) .. ':' .. tostring(r[i]) end\n"
        "  out[#out + 1] = ';'\n"
        "end\n"
        "add(pcall(string.find, S, P))\n"
        "add(pcall(string.find, S, P, 2))\n"
        "add(pcall(string.match, S, P))\n"
        "add(pcall(string.gsub, S, P, '<%%0>'))\n"
        "add(pcall(function() local t = {} for a, b in string.gmatch(S, P) do t[#t + 1] = tostring(a) .. ',' .. tostring(b); if #t > 50 then break end end return table.concat(t, ' ') end))\n"
        "local text = table.concat(out, '|')\n"
        "return (text:gsub('.', function(c) return string.format('%%02x', c:byte()) end))\n");
#undef PUT
    return n;
}

/// Stock Lua's answer for the chunk, as the sandbox's JSON would write it; 0 if it failed.
static int stock(const char *code, size_t len, char **answer, size_t *answer_len) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    int ok = luaL_loadbufferx(L, code, len, "=pattern", "t") == LUA_OK && lua_pcall(L, 0, 1, 0) == LUA_OK && lua_isstring(L, -1);
    if (ok) {
        size_t n;
        const char *text = lua_tolstring(L, -1, &n);
        *answer = malloc(n + 2);
        (*answer)[0] = '"';
        memcpy(*answer + 1, text, n);
        (*answer)[n + 1] = '"';
        *answer_len = n + 2;
    }
    lua_close(L);
    return ok;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    // Short inputs: the comparison is about what is matched, and stock Lua is unbounded.
    if (size > 96) return 0;
    const unsigned char *nul = memchr(data, 0, size);
    const unsigned char *s = data, *p = data;
    size_t slen = 0, plen = size;
    if (nul) { slen = (size_t)(nul - data); p = nul + 1; plen = size - slen - 1; }
    static char code[16384];
    size_t len = chunk(code, sizeof code, s, slen, p, plen);
    if (!len) return 0;
    glo_buffer out;
    glo_buffer_init(&out);
    glo_status st;
    glo_status_init(&st);
    int rc = glo_sandbox_run(fuzz_sandbox(), code, len, "pattern", &out, &st);
    if (rc != 0) {
        // The chunk catches every error of the string functions; what reaches here is a limit.
        if (!fuzz_refused_by_limit(&st)) {
            fprintf(stderr, "the sandbox failed outside a limit: %.*s\n", (int)st.message.len, st.message.data);
            abort();
        }
    } else {
        char *expected = NULL;
        size_t expected_len = 0;
        if (!stock(code, len, &expected, &expected_len)) { fprintf(stderr, "stock Lua failed on the chunk\n"); abort(); }
        if (expected_len != out.len || memcmp(expected, out.data, out.len) != 0) {
            fprintf(stderr, "the bounded matcher differs from stock Lua 5.4 for subject %zu bytes, pattern %zu bytes\nstock:   %.*s\nsandbox: %.*s\n",
                    slen, plen, (int)expected_len, expected, (int)out.len, out.data);
            abort();
        }
        free(expected);
    }
    glo_status_free(&st);
    glo_buffer_free(&out);
    return 0;
}
