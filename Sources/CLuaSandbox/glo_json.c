/*
** JSON codec between text and Lua values, used on the hot path of batch evaluation.
**
** Decoding (glo_json_push) is a single recursive-descent pass. Strings without escapes are pushed
** straight from the input (lua_pushlstring interns short ones); strings with escapes go through a
** luaL_Buffer. Integers are accumulated by hand; other numbers take an exact fast path (at most 19
** significant digits, mantissa <= 2^53, power of ten <= 22) or strtod. Elements and members are
** collected on the Lua stack in chunks so that each table is created with its exact size.
**
** Encoding (glo_json_encode) stages output in a buffer on the C stack (the encoder state is about
** 23 KB) and flushes it into the caller's glo_buffer. Tables are read raw; object keys are sorted
** bytewise, helped by a per-thread cache of the last permutation per key count (see sort_keys).
**
** Both run inside a protected call and raise Lua errors freely: every temporary lives on the C
** stack, on the Lua stack (luaL_Buffer, userdata) or in the caller-owned glo_buffer, so a longjmp
** leaks nothing.
*/

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "glo_sandbox.h"

#define JSON_MAX_DEPTH 200

#if defined(__GNUC__) || defined(__clang__)
#define J_LIKELY(x) __builtin_expect(!!(x), 1)
#define J_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define J_NORETURN __attribute__((noreturn))
#define J_UNREACHABLE() __builtin_unreachable()
#else
#define J_LIKELY(x) (x)
#define J_UNLIKELY(x) (x)
#define J_NORETURN
#define J_UNREACHABLE() abort()
#endif

#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define J_SWAR_LE 1
#else
#define J_SWAR_LE 0
#endif

/* ---------------------------------------------------------------------------------------------
** Character classes
** ------------------------------------------------------------------------------------------- */

/* Bytes that end a plain run inside a JSON string, in both directions: control characters, '"'
** and '\\'. The value is the escape letter used when encoding ('u' for \u00XX). */
static const unsigned char esc_tab[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
    /* 0x60..0xff: all zero */
};

static const unsigned char ws_tab[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, /* ' ' */
};

#if J_SWAR_LE
#define J_ONES UINT64_C(0x0101010101010101)
#define J_HIGHS UINT64_C(0x8080808080808080)

/* The r (1..7) bytes at p in the low bytes, the rest 'A' (a byte that stops nothing); reads only
** the r bytes. */
static inline uint64_t load_tail(const unsigned char *p, size_t r) {
    uint64_t x;
    if (r >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + r - 4, 4);
        x = (uint64_t)lo | ((uint64_t)hi << ((r - 4) * 8));
    } else {
        x = (uint64_t)p[0] | ((uint64_t)p[r >> 1] << ((r >> 1) * 8)) | ((uint64_t)p[r - 1] << ((r - 1) * 8));
    }
    return x | (UINT64_C(0x4141414141414141) << (r * 8));
}

/* High bit set in the lowest byte of x that is a control character, '"' or '\\' (higher flags
** may be spurious: borrows only spoil bytes above a true hit). */
static inline uint64_t stop_mask(uint64_t x) {
    uint64_t q = x ^ (J_ONES * '"'), b = x ^ (J_ONES * '\\');
    return (((x - J_ONES * 0x20) & ~x) | ((q - J_ONES) & ~q) | ((b - J_ONES) & ~b)) & J_HIGHS;
}
#endif

/* First byte in [p, end) that is a control character, '"' or '\\' (end if none). */
static inline const unsigned char *scan_plain(const unsigned char *p, const unsigned char *end) {
#if J_SWAR_LE
    for (;;) {
        size_t r = (size_t)(end - p);
        uint64_t x, m;
        if (r >= 8) memcpy(&x, p, 8);
        else if (r == 0) return p;
        else x = load_tail(p, r);
        m = stop_mask(x);
        if (m) return p + (__builtin_ctzll(m) >> 3);
        if (r <= 8) return end;
        p += 8;
    }
#else
    while (p < end && !esc_tab[*p]) p++;
    return p;
#endif
}

static inline const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end) {
    while (p < end && ws_tab[*p]) p++;
    return p;
}

/* ---------------------------------------------------------------------------------------------
** Decoding
** ------------------------------------------------------------------------------------------- */

/* Values (arrays) or key/value pairs (objects) gathered on the Lua stack before the table is
** created with its exact size; longer containers continue with direct stores. */
#define ARR_CHUNK 64
#define OBJ_CHUNK 32

typedef struct jdec {
    lua_State *L;
    const unsigned char *start;
    const unsigned char *p;
    const unsigned char *end;
    int depth;
} jdec;

J_NORETURN static void dec_fail(jdec *d, const unsigned char *at, const char *what) {
    luaL_error(d->L, "invalid JSON at byte %I: %s", (lua_Integer)(at - d->start), what);
    J_UNREACHABLE();
}

static int dec_value(jdec *d);

static int hex4(const unsigned char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], x;
        if (c - '0' < 10) x = c - '0';
        else if ((c | 0x20) - 'a' < 6) x = (c | 0x20) - 'a' + 10;
        else return -1;
        v = (v << 4) | (int)x;
    }
    return v;
}

/* The string starting at the quote d->p, whose first stop byte (escape, control or end) is at p. */
static void dec_string_slow(jdec *d, const unsigned char *s, const unsigned char *p) {
    lua_State *L = d->L;
    const unsigned char *end = d->end, *open = d->p;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (;;) {
        if (p > s) luaL_addlstring(&b, (const char *)s, (size_t)(p - s));
        if (p >= end) dec_fail(d, open, "unterminated string");
        if (*p == '"') break;
        if (*p < 0x20) dec_fail(d, p, "control character in string");
        /* backslash */
        if (end - p < 2) dec_fail(d, open, "unterminated string");
        switch (p[1]) {
        case '"': luaL_addchar(&b, '"'); p += 2; break;
        case '\\': luaL_addchar(&b, '\\'); p += 2; break;
        case '/': luaL_addchar(&b, '/'); p += 2; break;
        case 'b': luaL_addchar(&b, '\b'); p += 2; break;
        case 'f': luaL_addchar(&b, '\f'); p += 2; break;
        case 'n': luaL_addchar(&b, '\n'); p += 2; break;
        case 'r': luaL_addchar(&b, '\r'); p += 2; break;
        case 't': luaL_addchar(&b, '\t'); p += 2; break;
        case 'u': {
            char u[4];
            size_t n;
            long cp;
            if (end - p < 6 || (cp = hex4(p + 2)) < 0) dec_fail(d, p, "bad \\u escape");
            p += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo;
                if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && (lo = hex4(p + 2)) >= 0xDC00 &&
                    lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    cp = 0xFFFD; /* lone high surrogate */
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD; /* lone low surrogate */
            }
            if (cp < 0x80) {
                u[0] = (char)cp; n = 1;
            } else if (cp < 0x800) {
                u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
            } else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
            } else {
                u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
            }
            luaL_addlstring(&b, u, n);
            break;
        }
        default:
            dec_fail(d, p, "bad escape");
        }
        s = p;
        p = scan_plain(p, end);
    }
    luaL_pushresult(&b);
    d->p = p + 1;
}

/* Pushes the string whose opening quote is at d->p. */
static inline void dec_string(jdec *d) {
    const unsigned char *s = d->p + 1, *p = scan_plain(s, d->end);
    if (J_LIKELY(p < d->end && *p == '"')) {
        lua_pushlstring(d->L, (const char *)s, (size_t)(p - s));
        d->p = p + 1;
        return;
    }
    dec_string_slow(d, s, p);
}

static const double pow10_tab[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Correctly rounded conversion of the validated number text [s, s + n). */
static double dec_strtod(jdec *d, const unsigned char *s, size_t n) {
    lua_State *L = d->L;
    char local[128], *endp;
    const char *str;
    int pushed = 0;
    double v;
    if (n < sizeof local) {
        memcpy(local, s, n);
        local[n] = '\0';
        str = local;
    } else {
        str = lua_pushlstring(L, (const char *)s, n);
        pushed = 1;
    }
    v = strtod(str, &endp);
    if (J_UNLIKELY(endp != str + n)) {
        /* strtod follows the C locale's decimal point; Lua's conversion copes with others. */
        if (!lua_stringtonumber(L, str)) dec_fail(d, s, "bad number");
        v = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    if (pushed) lua_pop(L, 1);
    return v;
}

static void dec_number(jdec *d) {
    lua_State *L = d->L;
    const unsigned char *s = d->p, *p = s, *end = d->end;
    uint64_t m = 0;
    int neg = 0, isfloat = 0, sig = 0, inexact = 0, fracdigits = 0, exp10 = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || (unsigned)(*p - '0') > 9) dec_fail(d, p, "bad number");
    if (*p == '0') {
        p++;
        if (p < end && (unsigned)(*p - '0') <= 9) dec_fail(d, s, "leading zero in number");
    } else {
        do {
            if (sig < 19) {
                m = m * 10 + (unsigned)(*p - '0');
                sig++;
            } else {
                inexact = 1; /* more than 19 digits: certainly not an int64, not exact */
            }
            p++;
        } while (p < end && (unsigned)(*p - '0') <= 9);
    }
    if (p < end && *p == '.') {
        isfloat = 1;
        p++;
        if (p >= end || (unsigned)(*p - '0') > 9) dec_fail(d, p, "bad number");
        do {
            if (sig < 19) {
                m = m * 10 + (unsigned)(*p - '0');
                if (m) sig++; /* leading zeros of 0.000123 are not significant */
                fracdigits++;
            } else {
                inexact = 1;
            }
            p++;
        } while (p < end && (unsigned)(*p - '0') <= 9);
    }
    if (p < end && (*p | 0x20) == 'e') {
        int eneg = 0, ev = 0;
        isfloat = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || (unsigned)(*p - '0') > 9) dec_fail(d, p, "bad number");
        do {
            if (ev < 100000) ev = ev * 10 + (*p - '0');
            p++;
        } while (p < end && (unsigned)(*p - '0') <= 9);
        exp10 = eneg ? -ev : ev;
    }
    d->p = p;
    if (!isfloat && !inexact) {
        if (!neg) {
            if (m <= (uint64_t)INT64_MAX) {
                lua_pushinteger(L, (lua_Integer)m);
                return;
            }
        } else if (m <= (uint64_t)INT64_MAX) {
            lua_pushinteger(L, -(lua_Integer)m);
            return;
        } else if (m == (uint64_t)INT64_MAX + 1) {
            lua_pushinteger(L, LUA_MININTEGER);
            return;
        }
    }
    if (!inexact) {
        int e = exp10 - fracdigits;
        if (m == 0) {
            lua_pushnumber(L, neg ? -0.0 : 0.0);
            return;
        }
        if (m <= (UINT64_C(1) << 53) && e >= -22 && e <= 22) {
            /* Both operands exact, one IEEE operation: correctly rounded. */
            double v = (double)m;
            v = e < 0 ? v / pow10_tab[-e] : v * pow10_tab[e];
            lua_pushnumber(L, neg ? -v : v);
            return;
        }
    }
    lua_pushnumber(L, dec_strtod(d, s, (size_t)(p - s)));
}

static void dec_set_empty_object_mt(lua_State *L) {
    if (luaL_newmetatable(L, GLO_EMPTY_OBJECT_KEY)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
}

static void dec_enter(jdec *d, int slots) {
    if (J_UNLIKELY(++d->depth > JSON_MAX_DEPTH)) dec_fail(d, d->p, "JSON nested too deeply");
    luaL_checkstack(d->L, slots, "JSON nested too deeply");
}

static void dec_object(jdec *d) {
    lua_State *L = d->L;
    const unsigned char *p, *end = d->end;
    int base, n = 0, stacked = 0, direct = 0;
    dec_enter(d, 2 * OBJ_CHUNK + 16);
    lua_pushnil(L); /* slot for the table */
    base = lua_gettop(L);
    p = skip_ws(d->p + 1, end);
    if (p < end && *p == '}') {
        p++;
    } else {
        for (;;) {
            if (J_UNLIKELY(p >= end || *p != '"'))
                dec_fail(d, p, p >= end ? "unexpected end of input" : "expected a string key");
            d->p = p;
            dec_string(d);
            p = d->p;
            if (J_LIKELY(p < end && *p == ':')) p++;
            else {
                p = skip_ws(p, end);
                if (p >= end || *p != ':')
                    dec_fail(d, p, p >= end ? "unexpected end of input" : "expected ':'");
                p++;
            }
            d->p = skip_ws(p, end);
            if (dec_value(d)) {
                n++;
                if (direct) {
                    lua_rawset(L, base);
                } else if (++stacked == OBJ_CHUNK) {
                    /* Too many members to gather: create the table, store them, go on directly. */
                    lua_createtable(L, 0, 2 * OBJ_CHUNK);
                    lua_replace(L, base);
                    for (int i = 0; i < stacked; i++) {
                        lua_pushvalue(L, base + 1 + 2 * i);
                        lua_pushvalue(L, base + 2 + 2 * i);
                        lua_rawset(L, base);
                    }
                    lua_settop(L, base);
                    direct = 1;
                }
            } else {
                lua_pop(L, 1); /* null: drop the key */
            }
            p = skip_ws(d->p, end);
            if (J_LIKELY(p < end && *p == ',')) {
                p = skip_ws(p + 1, end);
                continue;
            }
            if (J_LIKELY(p < end && *p == '}')) {
                p++;
                break;
            }
            dec_fail(d, p, p >= end ? "unexpected end of input" : "expected ',' or '}'");
        }
    }
    d->p = p;
    if (!direct) {
        lua_createtable(L, 0, stacked);
        lua_replace(L, base);
        /* In order, so that the last of duplicate keys wins. */
        for (int i = 0; i < stacked; i++) {
            lua_pushvalue(L, base + 1 + 2 * i);
            lua_pushvalue(L, base + 2 + 2 * i);
            lua_rawset(L, base);
        }
        lua_settop(L, base);
        if (n == 0) dec_set_empty_object_mt(L);
    }
    d->depth--;
}

static void dec_array(jdec *d) {
    lua_State *L = d->L;
    const unsigned char *p, *end = d->end;
    int base, direct = 0;
    lua_Integer i = 0;
    dec_enter(d, ARR_CHUNK + 16);
    lua_pushnil(L); /* slot for the table */
    base = lua_gettop(L);
    p = skip_ws(d->p + 1, end);
    if (p < end && *p == ']') {
        p++;
    } else {
        for (;;) {
            d->p = p;
            i++;
            if (direct) {
                if (dec_value(d)) lua_rawseti(L, base, i);
            } else {
                if (!dec_value(d)) lua_pushnil(L); /* null: a hole at index i */
                if (i == ARR_CHUNK) {
                    lua_createtable(L, 2 * ARR_CHUNK, 0);
                    lua_replace(L, base);
                    for (lua_Integer k = i; k >= 1; k--) lua_rawseti(L, base, k);
                    direct = 1;
                }
            }
            p = skip_ws(d->p, end);
            if (J_LIKELY(p < end && *p == ',')) {
                p = skip_ws(p + 1, end);
                continue;
            }
            if (J_LIKELY(p < end && *p == ']')) {
                p++;
                break;
            }
            dec_fail(d, p, p >= end ? "unexpected end of input" : "expected ',' or ']'");
        }
    }
    d->p = p;
    if (!direct) {
        lua_createtable(L, (int)i, 0);
        lua_replace(L, base);
        for (lua_Integer k = i; k >= 1; k--) lua_rawseti(L, base, k); /* pops; nil is a no-op */
    }
    d->depth--;
}

/* Parses the value at d->p (whitespace already skipped). Returns 0 for null (nothing pushed). */
static int dec_value(jdec *d) {
    lua_State *L = d->L;
    const unsigned char *p = d->p;
    ptrdiff_t left = d->end - p;
    if (J_UNLIKELY(left <= 0)) dec_fail(d, p, "unexpected end of input");
    switch (*p) {
    case '"':
        dec_string(d);
        return 1;
    case '{':
        dec_object(d);
        return 1;
    case '[':
        dec_array(d);
        return 1;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        dec_number(d);
        return 1;
    case 't':
        if (left >= 4 && memcmp(p, "true", 4) == 0) {
            lua_pushboolean(L, 1);
            d->p = p + 4;
            return 1;
        }
        break;
    case 'f':
        if (left >= 5 && memcmp(p, "false", 5) == 0) {
            lua_pushboolean(L, 0);
            d->p = p + 5;
            return 1;
        }
        break;
    case 'n':
        if (left >= 4 && memcmp(p, "null", 4) == 0) {
            d->p = p + 4;
            return 0;
        }
        break;
    default:
        break;
    }
    dec_fail(d, p, "unexpected character");
}

void glo_json_push(lua_State *L, const char *text, size_t len) {
    jdec d;
    d.L = L;
    d.start = (const unsigned char *)(text ? text : "");
    d.end = d.start + (text ? len : 0);
    d.depth = 0;
    luaL_checkstack(L, 8, "JSON nested too deeply");
    d.p = skip_ws(d.start, d.end);
    if (!dec_value(&d)) lua_pushnil(L);
    d.p = skip_ws(d.p, d.end);
    if (d.p != d.end) dec_fail(&d, d.p, "trailing data");
}

/* ---------------------------------------------------------------------------------------------
** Encoding
** ------------------------------------------------------------------------------------------- */

#define ENC_BUF 8192
#define ENC_ARENA_KEYS 256

typedef struct jpath {
    const char *key; /* NULL: array index */
    size_t klen;
    lua_Integer index;
} jpath;

typedef struct jkey {
    uint64_t prefix; /* first 8 bytes, big-endian, zero padded */
    const char *s;
    size_t len;
    int slot; /* stack index of the value, or index in the keys table */
    int orig; /* position in traversal order */
} jkey;

typedef struct jenc {
    lua_State *L;
    glo_buffer *out;
    char *p;
    int depth;
    const void *tables[JSON_MAX_DEPTH + 1]; /* tables being encoded, outermost first */
    jpath path[JSON_MAX_DEPTH + 1];        /* path[i]: the key taken inside tables[i] */
    int arena_used;                        /* keys being sorted, used as a stack by the levels */
    jkey arena[ENC_ARENA_KEYS];
    size_t cap;     /* the largest text one encoding may produce (glo_max_string_bytes) */
    unsigned values; /* values encoded, charged to the call's budget every 256 */
    char buf[ENC_BUF];
} jenc;

static void enc_value(jenc *e, int idx);

/* Raises `msg` (the string on top of the stack) followed by the path of the first `plen` steps. */
J_NORETURN static void enc_fail_top(jenc *e, int plen) {
    lua_State *L = e->L;
    luaL_Buffer b;
    size_t mlen;
    const char *msg = lua_tolstring(L, -1, &mlen); /* stays on the stack below the buffer */
    luaL_checkstack(L, 8, NULL);
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, msg, mlen);
    if (plen > 0) luaL_addstring(&b, " at ");
    for (int i = 0; i < plen; i++) {
        const jpath *s = &e->path[i];
        if (i == 16 && plen > 24) {
            luaL_addstring(&b, "...");
            i = plen - 8; /* keep the last steps */
            s = &e->path[i];
        }
        if (s->key) {
            int ident = s->klen > 0 && s->klen <= 64 &&
                        !((unsigned char)s->key[0] >= '0' && (unsigned char)s->key[0] <= '9');
            for (size_t j = 0; ident && j < s->klen; j++) {
                unsigned char c = (unsigned char)s->key[j];
                ident = c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            }
            if (ident) {
                luaL_addchar(&b, '.');
                luaL_addlstring(&b, s->key, s->klen);
            } else {
                luaL_addstring(&b, "[\"");
                luaL_addlstring(&b, s->key, s->klen > 64 ? 64 : s->klen);
                luaL_addstring(&b, s->klen > 64 ? "...\"]" : "\"]");
            }
        } else {
            char num[32];
            int n = snprintf(num, sizeof num, "[" LUA_INTEGER_FMT "]", (LUAI_UACINT)s->index);
            luaL_addlstring(&b, num, (size_t)n);
        }
    }
    luaL_pushresult(&b);
    lua_error(L);
    J_UNREACHABLE();
}

J_NORETURN static void enc_fail(jenc *e, int plen, const char *msg) {
    luaL_checkstack(e->L, 2, NULL);
    lua_pushstring(e->L, msg);
    enc_fail_top(e, plen);
}

/* A result must stay within the string cap: a table shared by many branches (a DAG) is written
   once per path, so its text can grow exponentially with its depth. */
static void enc_check_room(jenc *e, size_t n) {
    if (e->out->len + n > e->cap) glo_refuse_string(e->L, "the JSON encoding of a result", e->out->len + n);
}

static void enc_flush(jenc *e) {
    size_t n = (size_t)(e->p - e->buf);
    enc_check_room(e, n);
    if (n && glo_buffer_append(e->out, e->buf, n) != 0) luaL_error(e->L, "not enough memory");
    e->p = e->buf;
}

static inline void enc_reserve(jenc *e, size_t n) {
    if ((size_t)(e->buf + ENC_BUF - e->p) < n) enc_flush(e);
}

static void enc_raw(jenc *e, const void *s, size_t n) {
    if ((size_t)(e->buf + ENC_BUF - e->p) < n) {
        enc_flush(e);
        if (n > ENC_BUF / 2) {
            enc_check_room(e, n);
            glo_charge(e->L, (int64_t)(n >> 6));
            if (glo_buffer_append(e->out, s, n) != 0) luaL_error(e->L, "not enough memory");
            return;
        }
    }
    memcpy(e->p, s, n);
    e->p += n;
}

static inline char *put_escape(char *o, unsigned char c) {
    static const char hex[] = "0123456789abcdef";
    unsigned char k = esc_tab[c];
    *o++ = '\\';
    if (k == 'u') {
        o[0] = 'u'; o[1] = '0'; o[2] = '0';
        o[3] = hex[c >> 4]; o[4] = hex[c & 15];
        return o + 5;
    }
    *o++ = (char)k;
    return o;
}

static void enc_string(jenc *e, const char *str, size_t n) {
    const unsigned char *p = (const unsigned char *)str, *end = p + n, *q;
    if (J_LIKELY(n <= (ENC_BUF - 16) / 6)) {
        char *o;
        enc_reserve(e, n * 6 + 2 + 8);
        o = e->p;
        *o++ = '"';
#if J_SWAR_LE
        /* Copies 8 bytes at a time (the reserve has room for the overshoot), stops at escapes. */
        for (;;) {
            size_t r = (size_t)(end - p), k;
            uint64_t x, m;
            if (r >= 8) memcpy(&x, p, 8);
            else if (r == 0) break;
            else x = load_tail(p, r);
            m = stop_mask(x);
            memcpy(o, &x, 8);
            if (J_LIKELY(!m)) {
                k = r < 8 ? r : 8;
                o += k;
                p += k;
                continue;
            }
            k = (size_t)(__builtin_ctzll(m) >> 3);
            o = put_escape(o + k, p[k]);
            p += k + 1;
        }
#else
        for (;;) {
            q = scan_plain(p, end);
            memcpy(o, p, (size_t)(q - p));
            o += q - p;
            if (q == end) break;
            o = put_escape(o, *q);
            p = q + 1;
        }
#endif
        *o++ = '"';
        e->p = o;
        return;
    }
    enc_raw(e, "\"", 1);
    for (;;) {
        q = scan_plain(p, end);
        enc_raw(e, p, (size_t)(q - p));
        if (q == end) break;
        enc_reserve(e, 6);
        e->p = put_escape(e->p, *q);
        p = q + 1;
    }
    enc_raw(e, "\"", 1);
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes the decimal form of v at o (room for 21 bytes), returns the end. */
static inline char *put_int(char *o, lua_Integer v) {
    char tmp[24], *t = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        t -= 2;
        memcpy(t, digit_pairs + 2 * r, 2);
    }
    if (u >= 10) {
        t -= 2;
        memcpy(t, digit_pairs + 2 * u, 2);
    } else {
        *--t = (char)('0' + u);
    }
    if (v < 0) *--t = '-';
    n = (size_t)(tmp + sizeof tmp - t);
    memcpy(o, t, n);
    return o + n;
}

static void enc_float(jenc *e, double v) {
    char b[48];
    int n, special = 0;
    if (isnan(v) || isinf(v)) enc_fail(e, e->depth, "cannot encode NaN/infinity as JSON");
    if (v == floor(v) && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
        /* Integral: exactly what %.15g would print, without snprintf. */
        enc_reserve(e, 24);
        e->p = put_int(e->p, (lua_Integer)v);
        memcpy(e->p, ".0", 2);
        e->p += 2;
        return;
    }
    /* %.14g never beats %.15g: when it round-trips, %.15g prints the same digits. */
    n = snprintf(b, sizeof b, "%.15g", v);
    if (strtod(b, NULL) != v) {
        n = snprintf(b, sizeof b, "%.16g", v);
        if (strtod(b, NULL) != v) n = snprintf(b, sizeof b, "%.17g", v);
    }
    for (int i = 0; i < n; i++) {
        char c = b[i];
        if (c == 'e') special = 1;
        else if (!((c >= '0' && c <= '9') || c == '-' || c == '+')) {
            b[i] = '.'; /* the locale's decimal point */
            special = 1;
        }
    }
    if (!special) {
        b[n++] = '.';
        b[n++] = '0';
    }
    enc_raw(e, b, (size_t)n);
}

static inline int key_less(const jkey *a, const jkey *b) {
    size_t n;
    int c;
    if (a->prefix != b->prefix) return a->prefix < b->prefix;
    n = a->len < b->len ? a->len : b->len;
    c = memcmp(a->s, b->s, n);
    if (c) return c < 0;
    return a->len < b->len;
}

static int key_cmp(const void *x, const void *y) {
    const jkey *a = (const jkey *)x, *b = (const jkey *)y;
    return key_less(a, b) ? -1 : key_less(b, a) ? 1 : 0;
}

static inline void key_fill(jkey *k, const char *s, size_t len, int slot, int orig) {
    uint64_t pre = 0;
    memcpy(&pre, s, len < 8 ? len : 8);
#if J_SWAR_LE
    pre = __builtin_bswap64(pre);
#else
    {
        const unsigned char *u = (const unsigned char *)&pre;
        uint64_t be = 0;
        for (int i = 0; i < 8; i++) be = (be << 8) | u[i];
        pre = be;
    }
#endif
    k->prefix = pre;
    k->s = s;
    k->len = len;
    k->slot = slot;
    k->orig = orig;
}

/* Objects of one shape (same keys, built the same way) list their keys in the same order, so
** the permutation that sorted the last object with n keys usually sorts the next one: apply it,
** then let the insertion sort (linear on sorted input) check and repair. Per thread, and only a
** hint: the result is sorted whatever the cache holds. */
#define SORT_CACHE_MAX 32
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define J_THREAD_LOCAL _Thread_local
#else
#define J_THREAD_LOCAL __thread
#endif
static J_THREAD_LOCAL unsigned char sort_cache[SORT_CACHE_MAX + 1][SORT_CACHE_MAX];
static J_THREAD_LOCAL unsigned char sort_cache_ok[SORT_CACHE_MAX + 1];

static void sort_keys(jkey *k, int n) {
    if (n > SORT_CACHE_MAX) {
        qsort(k, (size_t)n, sizeof *k, key_cmp);
        return;
    }
    if (sort_cache_ok[n]) {
        jkey tmp[SORT_CACHE_MAX];
        const unsigned char *perm = sort_cache[n];
        memcpy(tmp, k, (size_t)n * sizeof *k);
        for (int i = 0; i < n; i++) k[i] = tmp[perm[i]];
    }
    for (int i = 1; i < n; i++) {
        if (key_less(&k[i], &k[i - 1])) {
            jkey x = k[i];
            int j = i - 1;
            do {
                k[j + 1] = k[j];
                j--;
            } while (j >= 0 && key_less(&x, &k[j]));
            k[j + 1] = x;
        }
    }
    for (int i = 0; i < n; i++) sort_cache[n][i] = (unsigned char)k[i].orig;
    sort_cache_ok[n] = 1;
}

J_NORETURN static void enc_fail_key(jenc *e, int idx) {
    lua_State *L = e->L;
    char what[64];
    luaL_checkstack(L, 4, NULL);
    strcpy(what, "?");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int t = lua_type(L, -2);
        if (t != LUA_TSTRING) {
            if (t == LUA_TNUMBER && lua_isinteger(L, -2))
                snprintf(what, sizeof what, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, -2));
            else if (t == LUA_TNUMBER)
                snprintf(what, sizeof what, "%.14g", (double)lua_tonumber(L, -2));
            else if (t == LUA_TBOOLEAN)
                strcpy(what, lua_toboolean(L, -2) ? "true" : "false");
            else
                snprintf(what, sizeof what, "%s", lua_typename(L, t));
            lua_pop(L, 2);
            break;
        }
        lua_pop(L, 1);
    }
    lua_pushfstring(L, "cannot encode a table with a non-string key (%s) as a JSON object", what);
    enc_fail_top(e, e->depth - 1);
}

static void enc_object_keys(jenc *e, int idx, jkey *keys, int n, int fallback, int keystab) {
    lua_State *L = e->L;
    jpath *step = &e->path[e->depth - 1];
    sort_keys(keys, n);
    enc_reserve(e, 1);
    *e->p++ = '{';
    for (int i = 0; i < n; i++) {
        const jkey *k = &keys[i];
        if (i) {
            enc_reserve(e, 1);
            *e->p++ = ',';
        }
        enc_string(e, k->s, k->len);
        enc_reserve(e, 1);
        *e->p++ = ':';
        step->key = k->s;
        step->klen = k->len;
        if (!fallback) {
            enc_value(e, k->slot);
        } else {
            lua_rawgeti(L, keystab, k->slot);
            lua_rawget(L, idx);
            enc_value(e, lua_gettop(L));
            lua_pop(L, 1);
        }
    }
    enc_reserve(e, 1);
    *e->p++ = '}';
}

/* A read-only view (the facts a rule was given, a table a module returned) holds nothing itself:
   its __pairs walks the table behind it. Raw iteration would see an empty table, and a rule that
   returns what it read (`acts = facts.acts`) would have it written as []. */
static int enc_is_view(lua_State *L, int idx) {
    luaL_checkstack(L, 3, NULL);
    if (!lua_getmetatable(L, idx)) return 0;
    lua_getfield(L, -1, "__glo_readonly");
    int readonly = lua_toboolean(L, -1);
    lua_getfield(L, -2, "__pairs");
    int view = readonly && lua_isfunction(L, -1);
    lua_pop(L, 3);
    return view;
}

/* Pushes a plain copy of one level of the view at `idx`, made through its __pairs (the tables in it
   are views again, and copied when they are encoded in turn). */
static void enc_push_view_copy(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, NULL);
    lua_getmetatable(L, idx);
    lua_getfield(L, -1, "__pairs");
    lua_remove(L, -2);
    lua_pushvalue(L, idx);
    lua_call(L, 1, 3); /* next, state, control */
    lua_newtable(L);
    int copy = lua_gettop(L), control = copy - 1, state = copy - 2, next = copy - 3;
    for (;;) {
        lua_pushvalue(L, next);
        lua_pushvalue(L, state);
        lua_pushvalue(L, control);
        lua_call(L, 2, 2);
        if (lua_isnil(L, -2)) {
            lua_pop(L, 2);
            break;
        }
        lua_pushvalue(L, -2);
        lua_replace(L, control);
        lua_rawset(L, copy);
    }
    lua_replace(L, next);
    lua_settop(L, next);
}

static void enc_table(jenc *e, int idx) {
    lua_State *L = e->L;
    const void *tp = lua_topointer(L, idx);
    lua_Integer count = 0, maxk = 0;
    int base, nstr = 0, allint = 1, spill = 0;

    for (int i = 0; i < e->depth; i++)
        if (e->tables[i] == tp) enc_fail(e, e->depth, "cannot encode a cyclic table");
    if (e->depth >= JSON_MAX_DEPTH) enc_fail(e, e->depth, "cannot encode JSON nested too deeply");
    e->tables[e->depth++] = tp;

    luaL_checkstack(L, 8, NULL);
    base = lua_gettop(L);
    /* One pass over the keys: classify, and gather (key, value) pairs for string keys. */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        count++;
        if (lua_type(L, -2) == LUA_TSTRING) {
            allint = 0;
            nstr++;
            if (J_LIKELY(!spill)) {
                if (J_LIKELY((nstr & 31) != 1 || (nstr <= INT32_MAX / 4 && lua_checkstack(L, 72)))) {
                    lua_pushvalue(L, -2); /* keep key and value, iterate with the copy */
                    continue;
                }
                spill = 1;
            }
        } else if (allint) {
            if (lua_isinteger(L, -2)) {
                lua_Integer k = lua_tointeger(L, -2);
                if (k < 1) allint = 0;
                else if (k > maxk) maxk = k;
            } else {
                allint = 0;
            }
        }
        lua_pop(L, 1);
    }

    if (count == 0) {
        int obj = 0;
        if (lua_getmetatable(L, idx)) {
            luaL_getmetatable(L, GLO_EMPTY_OBJECT_KEY);
            obj = lua_rawequal(L, -1, -2);
            lua_pop(L, 2);
        }
        enc_raw(e, obj ? "{}" : "[]", 2);
    } else if (allint && maxk == count) {
        /* Distinct integer keys in 1..count, count of them: exactly 1..n. */
        jpath *step = &e->path[e->depth - 1];
        step->key = NULL;
        enc_reserve(e, 1);
        *e->p++ = '[';
        for (lua_Integer i = 1; i <= count; i++) {
            if (i > 1) {
                enc_reserve(e, 1);
                *e->p++ = ',';
            }
            step->index = i;
            lua_rawgeti(L, idx, i);
            enc_value(e, base + 1);
            lua_pop(L, 1);
        }
        enc_reserve(e, 1);
        *e->p++ = ']';
    } else if (nstr != count) {
        lua_settop(L, base);
        enc_fail_key(e, idx);
    } else if (!spill) {
        int used = e->arena_used;
        jkey *keys;
        if (nstr <= ENC_ARENA_KEYS - used) {
            keys = e->arena + used;
            e->arena_used = used + nstr;
        } else {
            keys = (jkey *)lua_newuserdatauv(L, (size_t)nstr * sizeof(jkey), 0);
        }
        for (int i = 0; i < nstr; i++) {
            size_t len;
            const char *s = lua_tolstring(L, base + 1 + 2 * i, &len);
            key_fill(&keys[i], s, len, base + 2 + 2 * i, i);
        }
        enc_object_keys(e, idx, keys, nstr, 0, 0);
        e->arena_used = used;
    } else {
        /* Too many members for the stack: keys go to a table, values are looked up again. */
        jkey *keys;
        int keystab, j = 0;
        lua_settop(L, base);
        lua_createtable(L, nstr, 0);
        keystab = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            lua_rawseti(L, keystab, ++j);
        }
        keys = (jkey *)lua_newuserdatauv(L, (size_t)nstr * sizeof(jkey), 0);
        for (int i = 0; i < nstr; i++) {
            size_t len;
            const char *s;
            lua_rawgeti(L, keystab, i + 1);
            s = lua_tolstring(L, -1, &len); /* stays alive in the keys table */
            lua_pop(L, 1);
            key_fill(&keys[i], s, len, i + 1, i);
        }
        enc_object_keys(e, idx, keys, nstr, 1, keystab);
    }
    lua_settop(L, base);
    e->depth--;
}

static void enc_value(jenc *e, int idx) {
    lua_State *L = e->L;
    if ((++e->values & 255) == 0) glo_charge(L, 256);
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        enc_raw(e, "null", 4);
        break;
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, idx)) enc_raw(e, "true", 4);
        else enc_raw(e, "false", 5);
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            enc_reserve(e, 24);
            e->p = put_int(e->p, lua_tointeger(L, idx));
        } else {
            enc_float(e, (double)lua_tonumber(L, idx));
        }
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        enc_string(e, s, len);
        break;
    }
    case LUA_TTABLE:
        if (enc_is_view(L, idx)) {
            int top = lua_gettop(L);
            enc_push_view_copy(L, idx);
            enc_table(e, lua_gettop(L));
            lua_settop(L, top);
        } else {
            enc_table(e, idx);
        }
        break;
    default: {
        int t = lua_type(L, idx);
        luaL_checkstack(L, 2, NULL);
        lua_pushfstring(L, "cannot encode a %s as JSON",
                        t == LUA_TLIGHTUSERDATA ? "light userdata" : lua_typename(L, t));
        enc_fail_top(e, e->depth);
    }
    }
}

void glo_json_encode(lua_State *L, int idx, glo_buffer *out) {
    jenc e;
    e.L = L;
    e.out = out;
    e.p = e.buf;
    e.depth = 0;
    e.arena_used = 0;
    e.cap = out->len + glo_max_string_bytes(L);
    e.values = 0;
    idx = lua_absindex(L, idx);
    enc_value(&e, idx);
    enc_flush(&e);
}
