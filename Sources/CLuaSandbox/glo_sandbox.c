// The sandboxed Lua state: allocator with a cap, instruction and wall-clock budgets, the restricted
// libraries, module loading with a restricted `require`, per-call environments, and the protected
// entry points Swift calls. See glo_sandbox.h for the contract.
//
// Invariants:
// - Every Lua API call that may allocate or raise runs inside lua_pcall started from here, so no
//   error ever unwinds through a caller's (Swift) frame.
// - A budget that runs out sets `tripped`; from then on the hook, glo_charge and the script-facing
//   pcall/xpcall re-raise, so the script cannot swallow the error.
// - What the sandbox keeps for the host beside the result (print output, a traceback, a trace) is
//   bounded by a fixed cap, and none of it is reachable by a script. Print output and traces are
//   charged to the call's budgets like the script's own work.
// - Code that runs while an error is being raised (the message handler, raise_trip) reads the
//   stack with lua_getstack/lua_getinfo and the registry by keys that exist, and writes into C
//   buffers; its only allocation in the state is lua_checkstack's, which reports failure instead
//   of raising. So it cannot raise a second error.
// - Hooks never run script code: the tracing hooks read values raw (the JSON encoder uses no
//   metamethods), so a rule cannot run uncounted, or observe or change anything, through them.
#include "glo_sandbox.h"

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    HOOK_PERIOD = 1000,          // instructions between two budget checks
    DIRTY_CAP = 64,
    TRACE_NESTING = 32,          // steps a trace nests, at most (a recursive decision goes deeper)
};

struct glo_sandbox {
    lua_State *L;
    glo_limits caps;     // fixed at creation: the host's caps
    glo_limits limits;   // in force: never above caps
    size_t mem_used;
    int in_call;
    glo_error_kind tripped;
    int syntax_error;    // the error being raised is a compile error
    int marshal_phase;   // an error now is a marshaling error
    int64_t remaining;
    int64_t deadline;
    char trip_location[256];
    char trip_message[256];  // overrides the standard text of a tripped limit when set
    char err_location[256];
    uint64_t rng[4];
    glo_buffer diagnostics;  // print output of the call; its capacity counts in mem_used
    int print_dropped;       // the cap was reached: the rest of the call's print output is dropped
    glo_buffer traceback;    // frames of the error being raised, one a line (capture_traceback)
    glo_buffer trace;        // with GLO_CALL_TRACE: the call tree as JSON (scratch while tracing)
    int tracing;             // the tracing hooks are installed
    int trace_depth;         // calls on the stack since tracing began (C functions too)
    int trace_open;          // steps opened and not yet returned; open steps are K_TRACE[1..trace_open]
    int trace_steps;         // steps recorded this call
    int trace_untraced;      // decisions called past the caps on steps and nesting
    int open_depth[TRACE_NESTING + 1];  // trace_depth of each open step's frame
    int open_line[TRACE_NESTING + 1];   // the last line each open step executed
    char open_tail[TRACE_NESTING + 1];  // the step's frame tail-called: its line is final
    char *ctx_bytes;     // the JSON text of the ctx whose view is cached under K_CTX
    size_t ctx_len;
    int dirty[DIRTY_CAP];
    int ndirty;
    int all_dirty;
    int module_count;
};

// Registry keys.
static const char *const K_SOURCES = "glo.sources";   // fullname -> { code, chunk, path }
static const char *const K_LOADED = "glo.loaded";     // fullname -> module table (false while loading)
static const char *const K_ENVS = "glo.envs";         // module index -> its per-call environment
static const char *const K_BASE = "glo.base";         // the read-only base every environment reads
static const char *const K_HOOKS = "glo.hooks";       // trusted host hooks { before, after }
static const char *const K_CTX = "glo.ctx";           // the view of the last ctx, reused while its text is the same
static const char *const K_FACTS_MT = "glo.facts_mt"; // metatable of the untracked facts view
static const char *const K_TRACK_MT = "glo.track_mt"; // metatable of the facts-tracking proxy
static const char *const K_TRIP_MSG = "glo.trip_msg"; // preallocated message for budget errors
static const char *const K_DECISIONS = "glo.decisions"; // decision function -> { decision, pack, file }
static const char *const K_TRACE = "glo.trace";       // while tracing: [0] the root, [1..] open steps
static const char *const HOST_HOOKS_CHUNK = "=host-hooks";  // trusted code, left out of tracebacks

static inline glo_sandbox *SB(lua_State *L) { return *(glo_sandbox **)lua_getextraspace(L); }

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// ---------------------------------------------------------------- buffers and status

void glo_buffer_init(glo_buffer *b) { b->data = NULL; b->len = 0; b->cap = 0; }
void glo_buffer_free(glo_buffer *b) { free(b->data); glo_buffer_init(b); }

int glo_buffer_append(glo_buffer *b, const void *bytes, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) return -1;
        b->data = p;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

void glo_status_init(glo_status *st) {
    st->kind = GLO_OK;
    glo_buffer_init(&st->message);
    st->location[0] = 0;
    glo_buffer_init(&st->traceback);
}

void glo_status_free(glo_status *st) {
    glo_buffer_free(&st->message);
    glo_buffer_free(&st->traceback);
}

static void status_set(glo_status *st, glo_error_kind kind, const char *msg, const char *location) {
    if (!st) return;
    st->kind = kind;
    st->message.len = 0;
    glo_buffer_append(&st->message, msg, strlen(msg));
    snprintf(st->location, sizeof st->location, "%s", location ? location : "");
    st->traceback.len = 0;
}

// ---------------------------------------------------------------- locations

// "chunk:line" of the innermost Lua function at or above `level`; empty when there is none.
static void where(lua_State *L, int level, char *out, size_t n) {
    lua_Debug ar;
    out[0] = 0;
    for (; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(out, n, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
    }
}

// The frames a traceback shows: Lua code of modules and chunks; not C, not the host's hooks.
static int shown_frame(lua_State *L, int level, lua_Debug *ar) {
    return lua_getstack(L, level, ar) && lua_getinfo(L, "Slnt", ar) && ar->currentline > 0 &&
           strcmp(ar->source, HOST_HOOKS_CHUNK) != 0;
}

// Appends "chunk:line in function 'name'" and a newline. A decision is named as the host knows it
// (`identification.pathway`), other functions as Lua names them at the call, else by where they
// are defined.
static void add_frame(lua_State *L, glo_buffer *out, lua_Debug *ar) {
    char line[512];
    const char *decision = NULL;
    // lua_checkstack fails when the stack is full (a stack overflow): the name is then Lua's.
    int top = lua_gettop(L);
    if (lua_checkstack(L, 4) && lua_getinfo(L, "f", ar)) {
        lua_getfield(L, LUA_REGISTRYINDEX, K_DECISIONS);
        lua_pushvalue(L, -2);
        if (lua_rawget(L, -2) == LUA_TTABLE && lua_getfield(L, -1, "decision") == LUA_TSTRING)
            decision = lua_tostring(L, -1);  // stays alive after the pop: the registry holds it
        lua_settop(L, top);
    }
    if (decision) snprintf(line, sizeof line, "%s:%d in function '%s'\n", ar->short_src, ar->currentline, decision);
    else if (*ar->what == 'm') snprintf(line, sizeof line, "%s:%d in main chunk\n", ar->short_src, ar->currentline);
    else if (ar->namewhat[0] && ar->name) snprintf(line, sizeof line, "%s:%d in function '%s'\n", ar->short_src, ar->currentline, ar->name);
    else snprintf(line, sizeof line, "%s:%d in function <%s:%d>\n", ar->short_src, ar->currentline, ar->short_src, ar->linedefined);
    glo_buffer_append(out, line, strlen(line));
    // A tail call replaced its caller's frame: say so, as Lua's own traceback does.
    if (ar->istailcall) glo_buffer_append(out, "(...tail calls...)\n", 19);
}

// The deepest level on the stack, found in O(log n) probes as luaL_traceback does: walking a deep
// stack level by level would cost O(n^2), since lua_getstack walks from the top each time.
static int last_level(lua_State *L) {
    lua_Debug ar;
    int li = 1, le = 1;
    while (lua_getstack(L, le, &ar)) { li = le; le *= 2; }
    while (li < le) {
        int m = (li + le) / 2;
        if (lua_getstack(L, m, &ar)) li = m + 1;
        else le = m;
    }
    return le - 1;
}

// Writes the traceback from `level` up into sb->traceback: the innermost GLO_TRACEBACK_INNER shown
// frames, and when there are more, a line with how many levels are skipped and the outermost
// GLO_TRACEBACK_OUTER shown frames (the decision the host called is the last). Each lua_getstack
// walks the call list from the top, a cache miss a level, so on a stack deeper than
// TRACEBACK_SEARCH levels (a runaway recursion) the outermost frames are not looked for: finding
// them there took longer than the call's whole wall-clock budget.
static void capture_traceback(lua_State *L, int level) {
    enum { TRACEBACK_SEARCH = 1000 };
    glo_buffer *out = &SB(L)->traceback;
    lua_Debug ar;
    out->len = 0;
    int shown = 0;
    for (; shown < GLO_TRACEBACK_INNER && lua_getstack(L, level, &ar); level++)
        if (shown_frame(L, level, &ar)) { add_frame(L, out, &ar); shown++; }
    if (!lua_getstack(L, level, &ar)) return;
    if (lua_getstack(L, level + TRACEBACK_SEARCH, &ar)) {
        char line[64];
        snprintf(line, sizeof line, "... over %d more levels\n", TRACEBACK_SEARCH);
        glo_buffer_append(out, line, strlen(line));
        return;
    }
    int outer[GLO_TRACEBACK_OUTER], n = 0;
    int last = last_level(L);
    // Down from the bottom; C frames between them are few, so this stays a handful of probes.
    for (int l = last; l >= level && n < GLO_TRACEBACK_OUTER && l > last - GLO_TRACEBACK_OUTER - 16; l--)
        if (shown_frame(L, l, &ar)) outer[n++] = l;
    int first = n ? outer[n - 1] : last + 1;
    if (first > level) {
        char line[64];
        snprintf(line, sizeof line, "... %d more levels\n", first - level);
        glo_buffer_append(out, line, strlen(line));
    }
    while (n > 0) {
        int l = outer[--n];
        if (shown_frame(L, l, &ar)) add_frame(L, out, &ar);
    }
}

// ---------------------------------------------------------------- memory cap

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    glo_sandbox *sb = ud;
    if (ptr == NULL) osize = 0;
    if (nsize == 0) {
        free(ptr);
        sb->mem_used -= osize;
        return NULL;
    }
    if (nsize > osize && sb->mem_used - osize + nsize > sb->limits.memory_bytes) {
        // Lua answers a refusal with an emergency collection and one more try; only when that
        // fails too does it raise LUA_ERRMEM, which the pcall wrappers then treat as tripped.
        // Remember where, for the message: reading the call stack allocates nothing.
        if (sb->in_call && !sb->tripped && sb->L) where(sb->L, 0, sb->trip_location, sizeof sb->trip_location);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) sb->mem_used = sb->mem_used - osize + nsize;
    return p;
}

// ---------------------------------------------------------------- budgets

static int raise_trip(lua_State *L, glo_error_kind kind) {
    glo_sandbox *sb = SB(L);
    if (!sb->tripped) {
        sb->tripped = kind;
        where(L, 0, sb->trip_location, sizeof sb->trip_location);
        capture_traceback(L, 0);
    }
    // A preallocated message: raising must not need memory the script may have used up.
    lua_getfield(L, LUA_REGISTRYINDEX, K_TRIP_MSG);
    return lua_error(L);
}

static void check_budgets(lua_State *L, glo_sandbox *sb) {
    if (sb->tripped) raise_trip(L, sb->tripped);
    if (sb->remaining <= 0) raise_trip(L, GLO_ERR_INSTRUCTIONS);
    if (now_ns() > sb->deadline) raise_trip(L, GLO_ERR_TIME);
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    glo_sandbox *sb = SB(L);
    sb->remaining -= HOOK_PERIOD;
    check_budgets(L, sb);
}

// Back to the count hook alone after a traced call (see "tracing"); allocates nothing, so it may
// run after a failed call.
static void trace_stop(lua_State *L) {
    glo_sandbox *sb = SB(L);
    sb->tracing = 0;
    sb->trace_open = 0;  // a failed call leaves steps open: the facts proxy must not record into them
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_PERIOD);
}

void glo_charge(lua_State *L, int64_t steps) {
    glo_sandbox *sb = SB(L);
    sb->remaining -= steps;
    check_budgets(L, sb);
}

size_t glo_max_string_bytes(lua_State *L) { return SB(L)->limits.max_string_bytes; }

int glo_refuse_string(lua_State *L, const char *function, size_t requested) {
    glo_sandbox *sb = SB(L);
    if (!sb->tripped)
        snprintf(sb->trip_message, sizeof sb->trip_message,
                 "%s would build a string of %zu bytes, over the limit of %zu bytes",
                 function, requested, sb->limits.max_string_bytes);
    return raise_trip(L, GLO_ERR_MEMORY);
}

// ---------------------------------------------------------------- the script-facing base library

// pcall and xpcall that cannot swallow a budget error.
// A memory error that reached a pcall is the memory cap: it trips like the other limits.
static void trip_on_memory_error(lua_State *L, int status) {
    glo_sandbox *sb = SB(L);
    if (status == LUA_ERRMEM && !sb->tripped) sb->tripped = GLO_ERR_MEMORY;
}

static void trace_unwound(lua_State *L, int depth);

static int sandbox_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    int depth = SB(L)->trace_depth;
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    trip_on_memory_error(L, status);
    if (SB(L)->tripped) return lua_error(L);
    if (status != LUA_OK) trace_unwound(L, depth);
    lua_pushboolean(L, status == LUA_OK);
    lua_insert(L, 1);
    return lua_gettop(L);
}

// The script's message handler, skipped once a limit has tripped: Lua runs message handlers with
// hooks off when the error came from a hook, so a looping handler would never be stopped.
static int guarded_handler(lua_State *L) {
    if (SB(L)->tripped) {
        lua_settop(L, 1);
        return 1;
    }
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static int sandbox_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int depth = SB(L)->trace_depth;
    int status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
    trip_on_memory_error(L, status);
    if (SB(L)->tripped) return lua_error(L);
    if (status != LUA_OK) {
        trace_unwound(L, depth);
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - 2;
}

static int readonly_error(lua_State *L) {
    return luaL_error(L, "attempt to modify a read-only table (key '%s')",
                      lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : luaL_typename(L, 2));
}

// Metatable field lookup without metamethods; pushes nothing, returns the field's integer or 0.
static int meta_marker(lua_State *L, int idx, const char *field) {
    if (!lua_getmetatable(L, idx)) return 0;
    lua_pushstring(L, field);
    lua_rawget(L, -2);
    int v = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : (lua_toboolean(L, -1) ? -1 : 0);
    lua_pop(L, 2);
    return v;
}

static void mark_dirty(glo_sandbox *sb, int module) {
    for (int i = 0; i < sb->ndirty; i++) if (sb->dirty[i] == module) return;
    if (sb->ndirty < DIRTY_CAP) sb->dirty[sb->ndirty++] = module;
    else sb->all_dirty = 1;
}

// __newindex of a module's per-call environment: the first write of a global marks it for reset.
static int env_newindex(lua_State *L) {
    mark_dirty(SB(L), (int)lua_tointeger(L, lua_upvalueindex(1)));
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 0;
}

static int sandbox_rawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    int module = meta_marker(L, 1, "__glo_env");
    if (module > 0) mark_dirty(SB(L), module);
    else if (meta_marker(L, 1, "__glo_readonly")) return readonly_error(L);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

static int sandbox_setmetatable(lua_State *L) {
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "__gc metamethods are not allowed in rules");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

// Room for the cap and the line that says where output was dropped.
enum { PRINT_BUFFER = GLO_PRINT_CAP + 320 };

// Keeps `n` bytes of print output, up to GLO_PRINT_CAP a call; past it, says once where output
// began to be dropped (the script goes on: a print loop ends at the instruction budget).
static void keep_printed(lua_State *L, const char *bytes, size_t n) {
    glo_sandbox *sb = SB(L);
    glo_buffer *b = &sb->diagnostics;
    if (sb->print_dropped) return;
    if (b->cap < PRINT_BUFFER) {
        // The whole buffer at once, once per state, counted like the state's own memory.
        if (sb->mem_used + PRINT_BUFFER > sb->limits.memory_bytes) {
            snprintf(sb->trip_message, sizeof sb->trip_message,
                     "print needs %d bytes of output buffer, over the memory cap of %zu bytes",
                     PRINT_BUFFER, sb->limits.memory_bytes);
            raise_trip(L, GLO_ERR_MEMORY);
        }
        char *p = realloc(b->data, PRINT_BUFFER);
        if (!p) luaL_error(L, "not enough memory");
        sb->mem_used += PRINT_BUFFER - b->cap;
        b->data = p;
        b->cap = PRINT_BUFFER;
    }
    if (b->len + n <= GLO_PRINT_CAP) {
        glo_buffer_append(b, bytes, n);  // fits: no reallocation
        return;
    }
    char at[256], marker[PRINT_BUFFER - GLO_PRINT_CAP];
    where(L, 0, at, sizeof at);
    int m = snprintf(marker, sizeof marker, "%s[print: output over %d bytes dropped, from %s on]\n",
                     b->len && b->data[b->len - 1] != '\n' ? "\n" : "", GLO_PRINT_CAP, at[0] ? at : "here");
    if (m > (int)sizeof marker - 1) m = (int)sizeof marker - 1;
    glo_buffer_append(b, marker, (size_t)m);
    sb->print_dropped = 1;
}

// print: to the host's diagnostics, never to stdout. Each argument is charged like a C library
// call's (one step, and one per 64 bytes), so printing costs what building the text would.
static int sandbox_print(lua_State *L) {
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        glo_charge(L, 1 + (int64_t)(len >> 6));
        if (i > 1) keep_printed(L, "\t", 1);
        keep_printed(L, s, len);
        lua_pop(L, 1);
    }
    keep_printed(L, "\n", 1);
    return 0;
}

// ---- math.random: xoshiro256**, reseeded identically at the start of every call.

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_random(glo_sandbox *sb) {
    uint64_t *s = sb->rng;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return result;
}

static void seed_random(glo_sandbox *sb, uint64_t seed) {
    for (int i = 0; i < 4; i++) {  // splitmix64
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        sb->rng[i] = z ^ (z >> 31);
    }
}

static int sandbox_random(lua_State *L) {
    glo_sandbox *sb = SB(L);
    uint64_t r = next_random(sb);
    lua_Integer lo, hi;
    switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, (lua_Number)(r >> 11) * 0x1.0p-53); return 1;
    case 1: lo = 1; hi = luaL_checkinteger(L, 1); break;
    case 2: lo = luaL_checkinteger(L, 1); hi = luaL_checkinteger(L, 2); break;
    default: return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t v = span == UINT64_MAX ? r : r % (span + 1);
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + v));
    return 1;
}

static int sandbox_randomseed(lua_State *L) {
    seed_random(SB(L), (uint64_t)luaL_optinteger(L, 1, 0));
    return 0;
}

// ---- C library functions whose work does not show in the instruction count are charged first.

// Upvalue 1: the function. Charges, before it runs, what the C function may do without a hook
// firing: one step per argument and the length of every string argument / 64.
static int64_t argument_steps(lua_State *L) {
    int n = lua_gettop(L);
    int64_t steps = n + 1;
    for (int i = 1; i <= n; i++) {
        if (lua_type(L, i) == LUA_TSTRING) {
            size_t len;
            lua_tolstring(L, i, &len);
            steps += (int64_t)(len >> 6);
        }
    }
    return steps;
}

static int call_upvalue(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int charged_call(lua_State *L) {
    glo_charge(L, argument_steps(L));
    return call_upvalue(L);
}

// The table functions loop over `#t` as __len reports it: charge that.
static int charged_table_call(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer len = luaL_len(L, 1);
    glo_charge(L, argument_steps(L) + (len > 0 ? (len < INT64_MAX / 4 ? len : INT64_MAX / 4) : 0));
    return call_upvalue(L);
}

// table.unpack(t, i, j) pushes j - i + 1 values.
static int charged_table_unpack(lua_State *L) {
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer j = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    if (j >= i) {
        lua_Unsigned span = (lua_Unsigned)j - (lua_Unsigned)i;
        glo_charge(L, span < (lua_Unsigned)(INT64_MAX / 4) ? (int64_t)span + 1 : INT64_MAX / 4);
    }
    return call_upvalue(L);
}

static int charged_table_move(lua_State *L) {
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f) {
        lua_Unsigned span = (lua_Unsigned)e - (lua_Unsigned)f;
        glo_charge(L, span < (lua_Unsigned)(INT64_MAX / 4) ? (int64_t)span + 1 : INT64_MAX / 4);
    }
    return call_upvalue(L);
}

static int charged_table_sort(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer len = luaL_len(L, 1);
    int64_t n = len > 0 ? (len < (1LL << 40) ? (int64_t)len : (1LL << 40)) : 0, log = 1;
    while ((1LL << log) < n && log < 62) log++;
    glo_charge(L, n * log);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 0);
    return 0;
}

static void wrap_field(lua_State *L, int lib, const char *name, lua_CFunction wrapper) {
    lua_getfield(L, lib, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, lib, name);
}

// Read-only views. A view never hands out the table behind it: `pairs` iterates through a closure,
// and a deep view (what `require` returns) wraps every table it reads in a view of its own.

static void push_readonly_view(lua_State *L, int idx, int deep);

static int proxy_next(lua_State *L) {  // upvalue 1: the target, 2: whether the view is deep
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1))) {
        if (lua_istable(L, -1) && lua_toboolean(L, lua_upvalueindex(2))) {
            push_readonly_view(L, -1, 1);
            lua_replace(L, -2);
        }
        return 2;
    }
    lua_pushnil(L);
    return 1;
}

static int proxy_pairs(lua_State *L) {
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__glo_target");
    lua_getfield(L, -2, "__glo_deep");
    lua_pushcclosure(L, proxy_next, 2);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int proxy_len(lua_State *L) {
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__glo_target");
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

static int deep_index(lua_State *L) {  // upvalue 1: the target
    lua_pushvalue(L, 2);
    lua_gettable(L, lua_upvalueindex(1));
    if (lua_istable(L, -1)) push_readonly_view(L, -1, 1);
    return 1;
}

// The fields every read-only view's metatable (on top of the stack) shares: writes refused, the
// metatable hidden, and the marker the sandbox's rawset checks. `pairs` and `#` go through the
// target when `with_target_access`.
static void set_view_fields(lua_State *L, int with_target_access) {
    lua_pushcfunction(L, readonly_error);
    lua_setfield(L, -2, "__newindex");
    if (with_target_access) {
        lua_pushcfunction(L, proxy_pairs);
        lua_setfield(L, -2, "__pairs");
        lua_pushcfunction(L, proxy_len);
        lua_setfield(L, -2, "__len");
    }
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "__glo_readonly");
}

static const char *const K_VIEWS = "glo.views";  // weak-keyed: target -> its deep view

static void push_readonly_view(lua_State *L, int idx, int deep) {
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 6, NULL);
    if (deep) {
        if (lua_getfield(L, LUA_REGISTRYINDEX, K_VIEWS) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_createtable(L, 0, 1);
            lua_pushliteral(L, "k");
            lua_setfield(L, -2, "__mode");
            lua_setmetatable(L, -2);
            lua_pushvalue(L, -1);
            lua_setfield(L, LUA_REGISTRYINDEX, K_VIEWS);
        }
        lua_pushvalue(L, idx);
        if (lua_rawget(L, -2) == LUA_TTABLE) {
            lua_remove(L, -2);
            return;
        }
        lua_pop(L, 1);
    }
    lua_newtable(L);
    lua_createtable(L, 0, 8);
    lua_pushvalue(L, idx);
    if (deep) lua_pushcclosure(L, deep_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, idx);
    lua_setfield(L, -2, "__glo_target");
    lua_pushboolean(L, deep);
    lua_setfield(L, -2, "__glo_deep");
    set_view_fields(L, 1);
    lua_setmetatable(L, -2);
    if (deep) {  // remember it: views -> target = view
        lua_pushvalue(L, idx);
        lua_pushvalue(L, -2);
        lua_rawset(L, -4);
        lua_remove(L, -2);
    }
}

// A shallow read-only view: for the libraries, whose members are functions and numbers.
static void push_readonly(lua_State *L, int idx) { push_readonly_view(L, idx, 0); }

// A new environment whose reads fall through to `index_idx`, locked against setmetatable.
static void push_env(lua_State *L, int index_idx) {
    index_idx = lua_absindex(L, index_idx);
    lua_newtable(L);
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, index_idx);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

static int open_libraries(lua_State *L) {
    glo_sandbox *sb = SB(L);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);
    lua_pushglobaltable(L);                       // 1: the real globals, never seen by scripts
    lua_createtable(L, 0, 32);                    // 2: base
    static const char *const base_names[] = {
        "assert", "error", "ipairs", "next", "pairs", "rawequal", "rawget", "rawlen", "select",
        "getmetatable", "tonumber", "tostring", "type", "_VERSION", NULL,
    };
    for (const char *const *n = base_names; *n; n++) {
        lua_getfield(L, 1, *n);
        lua_setfield(L, 2, *n);
    }
    static const luaL_Reg replaced[] = {
        {"pcall", sandbox_pcall}, {"xpcall", sandbox_xpcall}, {"rawset", sandbox_rawset},
        {"setmetatable", sandbox_setmetatable}, {"print", sandbox_print}, {NULL, NULL},
    };
    luaL_setfuncs(L, replaced, 0);
    wrap_field(L, 2, "tonumber", charged_call);
    wrap_field(L, 2, "tostring", charged_call);

    // string: bounded matching and rep; no dump (bytecode) or pack; the metatable locked.
    lua_getfield(L, 1, LUA_STRLIBNAME);           // 3
    glo_open_bounded_strlib(L, 3);
    static const char *const string_removed[] = {"dump", "pack", "unpack", "packsize", NULL};
    for (const char *const *n = string_removed; *n; n++) {
        lua_pushnil(L);
        lua_setfield(L, 3, *n);
    }
    static const char *const string_charged[] = {"upper", "lower", "reverse", "format", "byte", "sub", "char", "len", NULL};
    for (const char *const *n = string_charged; *n; n++) wrap_field(L, 3, *n, charged_call);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    push_readonly(L, 3);
    lua_setfield(L, 2, LUA_STRLIBNAME);
    lua_pop(L, 1);

    lua_getfield(L, 1, LUA_TABLIBNAME);           // 3
    wrap_field(L, 3, "move", charged_table_move);
    wrap_field(L, 3, "sort", charged_table_sort);
    wrap_field(L, 3, "concat", charged_table_call);
    wrap_field(L, 3, "insert", charged_table_call);
    wrap_field(L, 3, "remove", charged_table_call);
    wrap_field(L, 3, "unpack", charged_table_unpack);
    push_readonly(L, 3);
    lua_setfield(L, 2, LUA_TABLIBNAME);
    lua_pop(L, 1);

    lua_getfield(L, 1, LUA_MATHLIBNAME);          // 3
    lua_pushcfunction(L, sandbox_random);
    lua_setfield(L, 3, "random");
    lua_pushcfunction(L, sandbox_randomseed);
    lua_setfield(L, 3, "randomseed");
    push_readonly(L, 3);
    lua_setfield(L, 2, LUA_MATHLIBNAME);
    lua_pop(L, 1);

    lua_getfield(L, 1, LUA_UTF8LIBNAME);
    static const char *const utf8_charged[] = {"len", "codepoint", "offset", "char", NULL};
    for (const char *const *n = utf8_charged; *n; n++) wrap_field(L, lua_gettop(L), *n, charged_call);
    push_readonly(L, -1);
    lua_setfield(L, 2, LUA_UTF8LIBNAME);
    lua_pop(L, 1);

    // date: calendar arithmetic without a clock (glo_datelib.c).
    glo_push_datelib(L);
    push_readonly(L, -1);
    lua_setfield(L, 2, "date");
    lua_pop(L, 1);

    lua_pushvalue(L, 2);
    lua_setfield(L, LUA_REGISTRYINDEX, K_BASE);

    static const char *const tables[] = {K_SOURCES, K_LOADED, K_ENVS, K_HOOKS, K_DECISIONS, NULL};
    for (const char *const *n = tables; *n; n++) {
        lua_newtable(L);
        lua_setfield(L, LUA_REGISTRYINDEX, *n);
    }
    lua_pushliteral(L, "limit exceeded");
    lua_setfield(L, LUA_REGISTRYINDEX, K_TRIP_MSG);
    lua_pushboolean(L, 0);  // the slot exists, so clearing it never allocates
    lua_setfield(L, LUA_REGISTRYINDEX, K_TRACE);
    (void)sb;
    return 0;
}

// ---------------------------------------------------------------- modules and require

// Splits a newline-separated search path into a new Lua array on the stack.
static void push_path(lua_State *L, const char *path) {
    lua_newtable(L);
    int i = 0;
    while (*path) {
        const char *end = strchr(path, '\n');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n) {
            lua_pushlstring(L, path, n);
            lua_rawseti(L, -2, ++i);
        }
        path += n + (end ? 1 : 0);
    }
}

static int load_module(lua_State *L, const char *fullname);

// require(name): upvalue 1 is the requiring module's search path (array of pack ids).
static int sandbox_require(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    int path = lua_upvalueindex(1);
    const char *slash = strchr(name, '/');
    lua_Integer n = (lua_Integer)lua_rawlen(L, path);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, path, i);
        const char *pack = lua_tostring(L, -1);
        if (slash) {
            if (strlen(pack) != (size_t)(slash - name) || strncmp(pack, name, (size_t)(slash - name)) != 0) {
                lua_pop(L, 1);
                continue;
            }
            lua_pushstring(L, name);
        } else {
            lua_pushfstring(L, "%s/%s", pack, name);
        }
        const char *fullname = lua_tostring(L, -1);
        if (load_module(L, fullname)) {
            push_readonly_view(L, -1, 1);
            return 1;
        }
        lua_pop(L, 2);
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, path, i);
        luaL_addvalue(&b);
        if (i < n) luaL_addstring(&b, ", ");
    }
    luaL_pushresult(&b);
    return luaL_error(L, "module '%s' not found (searched packs: %s; only modules of this pack and its parents can be required)",
                      name, lua_tostring(L, -1));
}

// Records each public Lua function of a newly loaded module as a decision, for tracebacks and
// traces: K_DECISIONS[f] = { decision = "name.key", pack, file }. A function some module loaded
// earlier already named keeps its name: a module may hand out its parent's function as its own,
// and its parent, being required first, was loaded first.
static void name_decisions(lua_State *L, int module, const char *fullname, const char *chunk) {
    const char *slash = strchr(fullname, '/');
    if (!slash) return;
    lua_getfield(L, LUA_REGISTRYINDEX, K_DECISIONS);
    int decisions = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, module)) {
        int key = lua_gettop(L) - 1;
        if (lua_type(L, key) == LUA_TSTRING && lua_tostring(L, key)[0] != '_' && lua_isfunction(L, -1) && !lua_iscfunction(L, -1)) {
            lua_pushvalue(L, -1);
            if (lua_rawget(L, decisions) == LUA_TNIL) {
                lua_createtable(L, 0, 3);
                lua_pushfstring(L, "%s.%s", slash + 1, lua_tostring(L, key));
                lua_setfield(L, -2, "decision");
                lua_pushlstring(L, fullname, (size_t)(slash - fullname));
                lua_setfield(L, -2, "pack");
                lua_pushstring(L, chunk);
                lua_setfield(L, -2, "file");
                lua_pushvalue(L, key + 1);
                lua_insert(L, -2);
                lua_rawset(L, decisions);
            }
        }
        lua_settop(L, key);
    }
    lua_pop(L, 1);
}

// Pushes the raw module table for `fullname` and returns 1, or pushes nothing and returns 0 when no
// such source is registered. Runs the module's chunk the first time.
static int load_module(lua_State *L, const char *fullname) {
    glo_sandbox *sb = SB(L);
    lua_getfield(L, LUA_REGISTRYINDEX, K_LOADED);
    int t = lua_getfield(L, -1, fullname);
    if (t == LUA_TTABLE) {
        lua_remove(L, -2);
        return 1;
    }
    if (t == LUA_TBOOLEAN) return luaL_error(L, "require cycle: module '%s' is being loaded", fullname);
    lua_pop(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, K_SOURCES);
    if (lua_getfield(L, -1, fullname) != LUA_TTABLE) {
        lua_pop(L, 2);
        return 0;
    }
    int src = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, K_LOADED);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, fullname);
    lua_pop(L, 1);

    lua_getfield(L, src, "code");
    lua_getfield(L, src, "chunk");
    size_t len;
    const char *code = lua_tolstring(L, -2, &len);
    lua_pushfstring(L, "=%s", lua_tostring(L, -1));
    if (luaL_loadbufferx(L, code, len, lua_tostring(L, -1), "t") != LUA_OK) {
        sb->syntax_error = 1;
        return lua_error(L);
    }
    int chunk = lua_gettop(L);
    // The load environment: the module's own globals, over the base, with its require.
    lua_getfield(L, LUA_REGISTRYINDEX, K_BASE);
    push_env(L, -1);
    int load_env = lua_gettop(L);
    lua_getfield(L, src, "path");
    lua_pushcclosure(L, sandbox_require, 1);
    lua_setfield(L, load_env, "require");
    lua_pushvalue(L, load_env);
    lua_setupvalue(L, chunk, 1);
    lua_pushvalue(L, chunk);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) {
        lua_getfield(L, src, "chunk");
        return luaL_error(L, "%s: a module must return a table of functions, not a %s value",
                          lua_tostring(L, -1), luaL_typename(L, -2));
    }
    int module = lua_gettop(L);
    lua_getfield(L, src, "chunk");
    name_decisions(L, module, fullname, lua_tostring(L, -1));
    lua_pop(L, 1);
    // From now on the chunk's functions read globals from a per-call environment over a frozen
    // copy of what the module defined while loading.
    lua_newtable(L);
    int globals = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, load_env)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, globals);
    }
    lua_createtable(L, 0, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, K_BASE);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, globals);

    int index = ++sb->module_count;
    lua_newtable(L);                               // the per-call environment
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, globals);
    lua_setfield(L, -2, "__index");
    lua_pushinteger(L, index);
    lua_pushcclosure(L, env_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushinteger(L, index);
    lua_setfield(L, -2, "__glo_env");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setupvalue(L, chunk, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, K_ENVS);
    lua_insert(L, -2);
    lua_rawseti(L, -2, index);
    lua_pop(L, 1);

    lua_getfield(L, LUA_REGISTRYINDEX, K_LOADED);
    lua_pushvalue(L, module);
    lua_setfield(L, -2, fullname);
    lua_pop(L, 1);
    lua_pushvalue(L, module);
    lua_replace(L, src);
    lua_settop(L, src);
    return 1;
}

// Clears the globals calls wrote into module environments (argument 1: the call failed), and a
// failed call's trace. Clearing in place allocates nothing, so it works even when the call ended
// at the memory cap.
static int reset_envs(lua_State *L) {
    glo_sandbox *sb = SB(L);
    lua_getfield(L, LUA_REGISTRYINDEX, K_ENVS);
    int count = sb->all_dirty ? sb->module_count : sb->ndirty;
    for (int i = 0; i < count; i++) {
        lua_rawgeti(L, -1, sb->all_dirty ? i + 1 : sb->dirty[i]);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            lua_pushnil(L);
            lua_rawset(L, -4);
        }
        lua_pop(L, 1);
    }
    sb->ndirty = 0;
    sb->all_dirty = 0;
    // A failed traced call leaves its steps behind.
    if (lua_toboolean(L, 1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, LUA_REGISTRYINDEX, K_TRACE);
    }
    // After a failed call, a module whose loading failed is marked `false` ("being loaded"): make
    // it loadable again, so the next call reports its real error rather than a require cycle.
    if (lua_toboolean(L, 1)) {
        lua_getfield(L, LUA_REGISTRYINDEX, K_LOADED);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            int loading = lua_type(L, -1) == LUA_TBOOLEAN;
            lua_pop(L, 1);
            if (loading) {
                lua_pushvalue(L, -1);
                lua_pushnil(L);
                lua_rawset(L, -4);
            }
        }
    }
    return 0;
}

// ---------------------------------------------------------------- protected entry points

static int message_handler(lua_State *L) {
    glo_sandbox *sb = SB(L);
    where(L, 1, sb->err_location, sizeof sb->err_location);
    // A tripped limit took its traceback where it tripped; here is where it was re-raised.
    if (!sb->tripped) capture_traceback(L, 1);
    return 1;
}

static void begin_call(glo_sandbox *sb) {
    sb->in_call = 1;
    sb->tripped = GLO_OK;
    sb->syntax_error = 0;
    sb->marshal_phase = 0;
    sb->remaining = sb->limits.instructions;
    sb->deadline = now_ns() + sb->limits.wall_ns;
    sb->trip_location[0] = 0;
    sb->trip_message[0] = 0;
    sb->err_location[0] = 0;
    sb->diagnostics.len = 0;
    sb->print_dropped = 0;
    sb->trace.len = 0;
    seed_random(sb, 0x676c6f2d686f7374ULL);
}

static void describe_failure(glo_sandbox *sb, int rc, glo_status *st) {
    lua_State *L = sb->L;
    char text[512];
    glo_error_kind kind = sb->tripped ? sb->tripped
                        : rc == LUA_ERRMEM ? GLO_ERR_MEMORY
                        : sb->syntax_error ? GLO_ERR_SYNTAX
                        : sb->marshal_phase ? GLO_ERR_MARSHAL
                        : GLO_ERR_RUNTIME;
    const char *location = sb->tripped || rc == LUA_ERRMEM ? sb->trip_location : sb->err_location;
    switch (kind) {
    case GLO_ERR_INSTRUCTIONS:
        snprintf(text, sizeof text, "instruction budget of %lld exhausted", (long long)sb->limits.instructions);
        break;
    case GLO_ERR_MEMORY:
        if (sb->trip_message[0]) snprintf(text, sizeof text, "%s", sb->trip_message);
        else snprintf(text, sizeof text, "memory cap of %zu bytes exceeded", sb->limits.memory_bytes);
        break;
    case GLO_ERR_TIME:
        snprintf(text, sizeof text, "wall-clock cap of %lld ms exceeded", (long long)(sb->limits.wall_ns / 1000000));
        break;
    default: {
        // Only read what needs no allocation: this runs outside any protected call.
        int t = lua_type(L, -1);
        if (t == LUA_TSTRING) snprintf(text, sizeof text, "%s", lua_tostring(L, -1));
        else if (t == LUA_TNUMBER && lua_isinteger(L, -1)) snprintf(text, sizeof text, "%lld", (long long)lua_tointeger(L, -1));
        else if (t == LUA_TNUMBER) snprintf(text, sizeof text, "%.14g", (double)lua_tonumber(L, -1));
        else snprintf(text, sizeof text, "(error object is a %s value)", lua_typename(L, t));
    }
    }
    char loc[256];
    const char *msg = text;
    snprintf(loc, sizeof loc, "%s", location);
    if (kind == GLO_ERR_SYNTAX) {
        // "chunk:LINE: message": the location is the prefix.
        const char *colon = strchr(text, ':');
        while (colon && !(colon[1] >= '0' && colon[1] <= '9')) colon = strchr(colon + 1, ':');
        if (colon) {
            const char *end = colon + 1;
            while (*end >= '0' && *end <= '9') end++;
            if (*end == ':') {
                snprintf(loc, sizeof loc, "%.*s", (int)(end - text), text);
                msg = end[1] == ' ' ? end + 2 : end + 1;
            }
        }
    } else if (loc[0]) {
        size_t n = strlen(loc);
        if (strncmp(text, loc, n) == 0 && text[n] == ':' && text[n + 1] == ' ') msg = text + n + 2;
    }
    status_set(st, kind, msg, loc);
    if (st && sb->traceback.len) glo_buffer_append(&st->traceback, sb->traceback.data, sb->traceback.len);
}

// Runs `f(args)` protected, under the per-call budgets when `budgeted`.
static int protected_run(glo_sandbox *sb, lua_CFunction f, void *args, int budgeted, glo_status *st) {
    lua_State *L = sb->L;
    int top = lua_gettop(L);
    lua_pushcfunction(L, message_handler);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, args);
    sb->traceback.len = 0;
    if (budgeted) begin_call(sb);
    int rc = lua_pcall(L, 1, 0, top + 1);
    if (budgeted) trip_on_memory_error(L, rc);
    int failed = rc != LUA_OK;
    if (failed) describe_failure(sb, rc, st);
    if (sb->tracing) {  // the call failed while traced: no trace
        trace_stop(L);
        sb->trace.len = 0;
    }
    int tripped = sb->tripped;
    sb->in_call = 0;
    lua_settop(L, top);
    if (budgeted) {
        if (sb->ndirty || sb->all_dirty || failed) {
            lua_pushcfunction(L, reset_envs);
            lua_pushboolean(L, failed);
            lua_pcall(L, 1, 0, 0);
            lua_settop(L, top);
        }
        // A tripped call may leave much garbage and a grown stack. Each full cycle frees half of
        // the unused call frames, so collect until the state stops shrinking.
        if (tripped) {
            size_t before;
            int cycles = 0;
            do {
                before = sb->mem_used;
                lua_gc(L, LUA_GCCOLLECT);
            } while (sb->mem_used + 4096 < before && ++cycles < 32);
        }
    }
    if (!failed && st) st->kind = GLO_OK;
    return failed ? -1 : 0;
}

// ---- creation

static int panic(lua_State *L) {
    fprintf(stderr, "glo-host: unprotected Lua error: %s\n",
            lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(not a string)");
    abort();
}

glo_sandbox *glo_sandbox_new(const glo_limits *limits, glo_status *st) {
    glo_sandbox *sb = calloc(1, sizeof *sb);
    if (!sb) {
        status_set(st, GLO_ERR_MEMORY, "cannot allocate a sandbox", NULL);
        return NULL;
    }
    sb->caps = *limits;
    sb->limits = *limits;
    glo_buffer_init(&sb->diagnostics);
    glo_buffer_init(&sb->traceback);
    glo_buffer_init(&sb->trace);
    lua_State *L = lua_newstate(sandbox_alloc, sb);
    if (!L) {
        status_set(st, GLO_ERR_MEMORY, "the memory cap is too small for an empty Lua state", NULL);
        free(sb);
        return NULL;
    }
    sb->L = L;
    *(glo_sandbox **)lua_getextraspace(L) = sb;
    lua_atpanic(L, panic);
    lua_gc(L, LUA_GCGEN, 0, 0);
    if (protected_run(sb, open_libraries, NULL, 0, st) != 0) {
        glo_sandbox_free(sb);
        return NULL;
    }
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_PERIOD);
    return sb;
}

void glo_sandbox_free(glo_sandbox *sb) {
    if (!sb) return;
    if (sb->L) lua_close(sb->L);
    glo_buffer_free(&sb->diagnostics);
    glo_buffer_free(&sb->traceback);
    glo_buffer_free(&sb->trace);
    free(sb->ctx_bytes);
    free(sb);
}

size_t glo_sandbox_memory(const glo_sandbox *sb) { return sb->mem_used; }
const glo_buffer *glo_sandbox_diagnostics(const glo_sandbox *sb) { return &sb->diagnostics; }
const glo_buffer *glo_sandbox_trace(const glo_sandbox *sb) { return &sb->trace; }

void glo_sandbox_set_limits(glo_sandbox *sb, const glo_limits *l) {
    sb->limits.instructions = l->instructions < sb->caps.instructions ? l->instructions : sb->caps.instructions;
    sb->limits.memory_bytes = l->memory_bytes < sb->caps.memory_bytes ? l->memory_bytes : sb->caps.memory_bytes;
    sb->limits.wall_ns = l->wall_ns < sb->caps.wall_ns ? l->wall_ns : sb->caps.wall_ns;
    sb->limits.max_string_bytes = l->max_string_bytes < sb->caps.max_string_bytes ? l->max_string_bytes : sb->caps.max_string_bytes;
}

// ---- modules

struct add_args { const char *fullname, *path, *code, *chunkname; size_t len; };

static int p_add_module(lua_State *L) {
    struct add_args *a = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, K_SOURCES);
    lua_createtable(L, 0, 3);
    lua_pushlstring(L, a->code, a->len);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, a->chunkname);
    lua_setfield(L, -2, "chunk");
    push_path(L, a->path);
    lua_setfield(L, -2, "path");
    lua_setfield(L, -2, a->fullname);
    return 0;
}

int glo_sandbox_add_module(glo_sandbox *sb, const char *fullname, const char *search_path,
                           const char *code, size_t len, const char *chunkname, glo_status *st) {
    struct add_args a = {fullname, search_path, code, chunkname, len};
    return protected_run(sb, p_add_module, &a, 0, st);
}

struct lookup_args { const char *path, *name, *key; char *defined_in; size_t defined_in_len; int ref; };

static int p_lookup(lua_State *L) {
    struct lookup_args *a = lua_touserdata(L, 1);
    push_path(L, a->path);
    int path = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, path);
    a->ref = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, path, i);
        const char *pack = lua_tostring(L, -1);
        lua_pushfstring(L, "%s/%s", pack, a->name);
        if (load_module(L, lua_tostring(L, -1))) {
            if (lua_getfield(L, -1, a->key) == LUA_TFUNCTION) {
                a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
                if (a->defined_in) snprintf(a->defined_in, a->defined_in_len, "%s", pack);
                return 0;
            }
            lua_pop(L, 2);
        }
        lua_pop(L, 2);
    }
    return 0;
}

int glo_sandbox_lookup(glo_sandbox *sb, const char *search_path, const char *name, const char *key,
                       char *defined_in, size_t defined_in_len, glo_status *st) {
    struct lookup_args a = {search_path, name, key, defined_in, defined_in_len, 0};
    if (protected_run(sb, p_lookup, &a, 1, st) != 0) return -1;
    return a.ref;
}

struct keys_args { const char *fullname; glo_buffer *out; };

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int p_module_keys(lua_State *L) {
    struct keys_args *a = lua_touserdata(L, 1);
    a->out->len = 0;
    if (!load_module(L, a->fullname)) return luaL_error(L, "no module '%s'", a->fullname);
    int module = lua_gettop(L);
    const char *keys[512];
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, module) && n < 512) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION && lua_tostring(L, -2)[0] != '_')
            keys[n++] = lua_tostring(L, -2);  // keys stay alive: they are keys of `module`
        lua_pop(L, 1);
    }
    qsort(keys, (size_t)n, sizeof keys[0], compare_strings);
    for (int i = 0; i < n; i++) {
        if (i) glo_buffer_append(a->out, "\n", 1);
        glo_buffer_append(a->out, keys[i], strlen(keys[i]));
    }
    return 0;
}

int glo_sandbox_module_keys(glo_sandbox *sb, const char *fullname, glo_buffer *out, glo_status *st) {
    struct keys_args a = {fullname, out};
    return protected_run(sb, p_module_keys, &a, 1, st);
}

struct hooks_args { const char *code; size_t len; };

static int p_set_hooks(lua_State *L) {
    struct hooks_args *a = lua_touserdata(L, 1);
    if (luaL_loadbufferx(L, a->code, a->len, HOST_HOOKS_CHUNK, "t") != LUA_OK) {
        SB(L)->syntax_error = 1;
        return lua_error(L);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, K_BASE);
    push_env(L, -1);
    lua_setupvalue(L, -3, 1);
    lua_pop(L, 1);
    lua_call(L, 0, 1);
    if (!lua_istable(L, -1)) return luaL_error(L, "host hooks must return a table");
    lua_setfield(L, LUA_REGISTRYINDEX, K_HOOKS);
    return 0;
}

int glo_sandbox_set_host_hooks(glo_sandbox *sb, const char *code, size_t len, glo_status *st) {
    struct hooks_args a = {code, len};
    return protected_run(sb, p_set_hooks, &a, 1, st);
}

// ---- tracing (GLO_CALL_TRACE)
//
// A traced call runs the rule under call, return and line hooks besides the count hook; an
// untraced call has only the count hook, so tracing costs nothing when it is off. The hooks count
// the depth of the call stack (every call and return, C functions included; a tail call replaces
// its caller, so it keeps the depth). A call of a function K_DECISIONS names opens a step at that
// depth, as a child of the innermost open step; the return at that depth closes it (and the steps
// it tail-called), with the value it returned encoded as JSON there and then, so that later changes
// by its caller do not show. A step's `line` is the last line it executed (the
// line it returned at, or tail-called from); `facts_read` and `facts_missing` are the facts read
// while it was the innermost open step, by it or by its helpers. Errors a script's pcall catches
// unwind frames without return events: the pcall closes the steps it unwound as `raised`. Steps
// live in the registry (K_TRACE), which no script can reach, each result as its JSON text. At most
// GLO_TRACE_STEPS steps are recorded, nested at most TRACE_NESTING deep; the decisions called past
// that are counted in the root's `untraced_calls`.

static void set_read_lists(lua_State *L, int reads, int target);

static void trace_hook(lua_State *L, lua_Debug *ar);

static void trace_start(lua_State *L) {
    glo_sandbox *sb = SB(L);
    lua_createtable(L, 8, 0);            // [0] the root, [1..] open steps
    lua_createtable(L, 0, 1);
    lua_newtable(L);
    lua_setfield(L, -2, "calls");
    lua_rawseti(L, -2, 0);
    lua_setfield(L, LUA_REGISTRYINDEX, K_TRACE);
    sb->trace_depth = sb->trace_open = sb->trace_steps = sb->trace_untraced = 0;
    sb->tracing = 1;
    lua_sethook(L, trace_hook, LUA_MASKCOUNT | LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE, HOOK_PERIOD);
}

// Closes the open step on top of the stack: its line and its reads as two lists.
static void close_step(lua_State *L, int line) {
    int step = lua_gettop(L);
    if (line > 0) {
        lua_pushinteger(L, line);
        lua_setfield(L, step, "line");
    }
    lua_getfield(L, step, "reads");
    set_read_lists(L, lua_gettop(L), step);
    lua_pop(L, 1);
    lua_pushnil(L);
    lua_setfield(L, step, "reads");
}

// Pops the open steps whose frame is deeper than `depth` (>) or at it (>= when `at`), each given
// `field` = the value at `value` (0: none).
static void close_steps(lua_State *L, int depth, int at, const char *field, int value) {
    glo_sandbox *sb = SB(L);
    luaL_checkstack(L, 8, NULL);
    lua_getfield(L, LUA_REGISTRYINDEX, K_TRACE);
    int open = lua_gettop(L);
    while (sb->trace_open > 0 && (sb->open_depth[sb->trace_open] > depth || (at && sb->open_depth[sb->trace_open] == depth))) {
        lua_rawgeti(L, open, sb->trace_open);
        if (value) {
            lua_pushvalue(L, value);
            lua_setfield(L, -2, field);
        }
        close_step(L, sb->open_line[sb->trace_open]);
        lua_pop(L, 1);
        lua_pushnil(L);
        lua_rawseti(L, open, sb->trace_open--);
    }
    lua_settop(L, open - 1);
}

// After a script's pcall caught an error: the frames above `depth` are gone.
static void trace_unwound(lua_State *L, int depth) {
    glo_sandbox *sb = SB(L);
    if (!sb->tracing) return;
    lua_pushboolean(L, 1);
    close_steps(L, depth, 0, "raised", lua_gettop(L));
    lua_pop(L, 1);
    sb->trace_depth = depth;
}

static void trace_call(lua_State *L, lua_Debug *ar, int tail) {
    glo_sandbox *sb = SB(L);
    int base = lua_gettop(L);
    lua_getinfo(L, "f", ar);
    lua_getfield(L, LUA_REGISTRYINDEX, K_DECISIONS);
    lua_pushvalue(L, base + 1);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
        lua_settop(L, base);
        return;
    }
    int info = lua_gettop(L);
    if (sb->trace_steps >= GLO_TRACE_STEPS || sb->trace_open >= TRACE_NESTING) {
        sb->trace_untraced++;
        lua_settop(L, base);
        return;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, K_TRACE);
    int open = lua_gettop(L);
    lua_createtable(L, 0, 8);
    int step = lua_gettop(L);
    static const char *const copied[] = {"decision", "pack", "file", NULL};
    for (const char *const *f = copied; *f; f++) {
        lua_getfield(L, info, *f);
        lua_setfield(L, step, *f);
    }
    lua_newtable(L);
    lua_setfield(L, step, "calls");
    lua_newtable(L);
    lua_setfield(L, step, "reads");
    if (tail) {
        lua_pushboolean(L, 1);
        lua_setfield(L, step, "tail_call");
    }
    lua_rawgeti(L, open, sb->trace_open);  // the parent: the innermost open step, or the root
    lua_getfield(L, -1, "calls");
    lua_pushvalue(L, step);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 2);
    sb->trace_steps++;
    sb->trace_open++;
    lua_rawseti(L, open, sb->trace_open);
    sb->open_depth[sb->trace_open] = sb->trace_depth;
    sb->open_line[sb->trace_open] = 0;
    sb->open_tail[sb->trace_open] = 0;
    lua_settop(L, base);
}

// Argument 1: the value returned; returns its JSON text (encoded in sb->trace's scratch space).
static int encode_returned(lua_State *L) {
    glo_buffer *scratch = &SB(L)->trace;
    scratch->len = 0;
    glo_json_encode(L, 1, scratch);
    lua_pushlstring(L, scratch->data, scratch->len);
    return 1;
}

static void trace_return(lua_State *L, lua_Debug *ar) {
    glo_sandbox *sb = SB(L);
    int base = lua_gettop(L);
    luaL_checkstack(L, 4, NULL);
    lua_pushcfunction(L, encode_returned);
    if (!lua_getinfo(L, "r", ar) || ar->ntransfer == 0 || !lua_getlocal(L, ar, ar->ftransfer)) lua_pushnil(L);
    // Protected: a value that cannot be encoded (a function, a cycle) is told in the step, and the
    // call goes on. A tripped limit goes on up.
    int status = lua_pcall(L, 1, 1, 0);
    trip_on_memory_error(L, status);
    if (sb->tripped) lua_error(L);
    close_steps(L, sb->trace_depth, 1, status == LUA_OK ? "result" : "result_error", lua_gettop(L));
    lua_settop(L, base);
}

static void trace_hook(lua_State *L, lua_Debug *ar) {
    glo_sandbox *sb = SB(L);
    int top = sb->trace_open;
    int innermost = top > 0 && sb->open_depth[top] == sb->trace_depth;  // the frame is a step's
    switch (ar->event) {
    case LUA_HOOKCOUNT:
        count_hook(L, ar);
        break;
    case LUA_HOOKLINE:
        if (innermost && !sb->open_tail[top]) sb->open_line[top] = ar->currentline;
        break;
    case LUA_HOOKCALL:
        sb->trace_depth++;
        trace_call(L, ar, 0);
        break;
    case LUA_HOOKTAILCALL:
        // The step's frame now runs another function: its line stays the one it tail-called from.
        if (innermost) sb->open_tail[top] = 1;
        trace_call(L, ar, 1);
        break;
    case LUA_HOOKRET:
        if (innermost) trace_return(L, ar);
        sb->trace_depth--;
        break;
    }
}

// Records a fact read into the innermost open step.
static void trace_read(lua_State *L, int key, int present) {
    glo_sandbox *sb = SB(L);
    lua_getfield(L, LUA_REGISTRYINDEX, K_TRACE);
    lua_rawgeti(L, -1, sb->trace_open);
    lua_getfield(L, -1, "reads");
    lua_pushvalue(L, key);
    lua_pushboolean(L, present);
    lua_rawset(L, -3);
    lua_pop(L, 3);
}

// Writes the step at `step` as a JSON object with its keys in order, its `result` being JSON
// text already. Recursion is bounded by TRACE_NESTING.
static void write_step(lua_State *L, int step, glo_buffer *out) {
    static const char *const fields[] = {
        "calls", "decision", "facts_missing", "facts_read", "file", "line", "pack", "raised",
        "result", "result_error", "tail_call", "untraced_calls", NULL,
    };
    luaL_checkstack(L, 4, NULL);
    int first = 1;
    glo_buffer_append(out, "{", 1);
    for (const char *const *f = fields; *f; f++) {
        if (lua_getfield(L, step, *f) != LUA_TNIL) {
            if (!first) glo_buffer_append(out, ",", 1);
            first = 0;
            glo_buffer_append(out, "\"", 1);
            glo_buffer_append(out, *f, strlen(*f));
            glo_buffer_append(out, "\":", 2);
            if (strcmp(*f, "result") == 0) {
                size_t len;
                const char *text = lua_tolstring(L, -1, &len);
                glo_buffer_append(out, text, len);
            } else if (strcmp(*f, "calls") == 0) {
                glo_buffer_append(out, "[", 1);
                lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
                for (lua_Integer i = 1; i <= n; i++) {
                    if (i > 1) glo_buffer_append(out, ",", 1);
                    lua_rawgeti(L, -1, i);
                    write_step(L, lua_gettop(L), out);
                    lua_pop(L, 1);
                }
                glo_buffer_append(out, "]", 1);
            } else {
                glo_json_encode(L, -1, out);
            }
        }
        lua_pop(L, 1);
    }
    glo_buffer_append(out, "}", 1);
}

// Ends tracing after the rule returned: sb->trace gets the root step as JSON.
static void trace_finish(lua_State *L) {
    glo_sandbox *sb = SB(L);
    trace_stop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, K_TRACE);
    lua_rawgeti(L, -1, 0);
    lua_getfield(L, -1, "calls");
    sb->trace.len = 0;
    if (lua_rawgeti(L, -1, 1) == LUA_TTABLE) {
        if (sb->trace_untraced) {
            lua_pushinteger(L, sb->trace_untraced);
            lua_setfield(L, -2, "untraced_calls");
        }
        write_step(L, lua_gettop(L), &sb->trace);
    }
    lua_pop(L, 4);
    lua_pushboolean(L, 0);
    lua_setfield(L, LUA_REGISTRYINDEX, K_TRACE);
}

// ---- calls

// __index of the tracking proxy: upvalue 1 the facts, upvalue 2 the reads set.
static int track_index(lua_State *L) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    int present = !lua_isnil(L, -1);
    lua_pushvalue(L, 2);
    lua_pushboolean(L, present);
    lua_rawset(L, lua_upvalueindex(2));
    if (SB(L)->trace_open) trace_read(L, 2, present);
    return 1;
}

static int track_pairs(lua_State *L) {  // pairs(facts) reads every fact
    int traced = SB(L)->trace_open;
    lua_pushnil(L);
    while (lua_next(L, lua_upvalueindex(1))) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushboolean(L, 1);
        lua_rawset(L, lua_upvalueindex(2));
        if (traced) trace_read(L, lua_gettop(L), 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushboolean(L, 0);
    lua_pushcclosure(L, proxy_next, 2);  // iterates the facts without handing them out
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

// Wraps the facts at `facts` in a read-tracking proxy; pushes the proxy and the reads set.
static void push_tracking(lua_State *L, int facts) {
    facts = lua_absindex(L, facts);
    if (lua_getfield(L, LUA_REGISTRYINDEX, K_TRACK_MT) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 5);
        lua_pushnil(L); lua_pushnil(L);
        lua_pushcclosure(L, track_index, 2);
        lua_setfield(L, -2, "__index");
        lua_pushnil(L); lua_pushnil(L);
        lua_pushcclosure(L, track_pairs, 2);
        lua_setfield(L, -2, "__pairs");
        set_view_fields(L, 0);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, K_TRACK_MT);
    }
    int mt = lua_gettop(L);
    lua_newtable(L);                 // reads
    int reads = lua_gettop(L);
    static const char *const fields[] = {"__index", "__pairs"};
    for (int i = 0; i < 2; i++) {
        lua_getfield(L, mt, fields[i]);
        lua_pushvalue(L, facts);
        lua_setupvalue(L, -2, 1);
        lua_pushvalue(L, reads);
        lua_setupvalue(L, -2, 2);
        lua_pop(L, 1);
    }
    lua_newtable(L);                 // proxy
    lua_pushvalue(L, mt);
    lua_setmetatable(L, -2);
    lua_replace(L, mt);              // stack: proxy, reads
}

// Pushes a read-only view of the facts at `facts` for a call that does not track reads. One
// metatable serves every call: its __index is pointed at this call's facts, so a view costs one
// table.
static void push_facts_view(lua_State *L, int facts) {
    facts = lua_absindex(L, facts);
    if (lua_getfield(L, LUA_REGISTRYINDEX, K_FACTS_MT) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 8);
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__glo_deep");
        set_view_fields(L, 1);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, K_FACTS_MT);
    }
    lua_pushvalue(L, facts);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, facts);
    lua_setfield(L, -2, "__glo_target");
    lua_newtable(L);
    lua_insert(L, -2);
    lua_setmetatable(L, -2);
}

// Sets target.facts_read and target.facts_missing: the sorted keys of the reads set at `reads`,
// and those of them that were absent.
static void set_read_lists(lua_State *L, int reads, int target) {
    const char *names[2][256];
    int counts[2] = {0, 0};
    lua_pushnil(L);
    while (lua_next(L, reads)) {
        int present = lua_toboolean(L, -1);
        if (lua_type(L, -2) == LUA_TSTRING) {
            if (counts[0] < 256) names[0][counts[0]++] = lua_tostring(L, -2);  // alive: keys of `reads`
            if (!present && counts[1] < 256) names[1][counts[1]++] = lua_tostring(L, -2);
        }
        lua_pop(L, 1);
    }
    static const char *const fields[2] = {"facts_read", "facts_missing"};
    for (int which = 0; which < 2; which++) {
        qsort(names[which], (size_t)counts[which], sizeof(const char *), compare_strings);
        lua_createtable(L, counts[which], 0);
        for (int i = 0; i < counts[which]; i++) {
            lua_pushstring(L, names[which][i]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, target, fields[which]);
    }
}

// {"facts_missing":[...],"facts_read":[...]}: the names are fact keys, not always valid JSON
// strings as they are, so they go through the JSON encoder.
static void encode_reads(lua_State *L, int reads, glo_buffer *out) {
    lua_createtable(L, 0, 2);
    set_read_lists(L, reads, lua_gettop(L));
    out->len = 0;
    glo_json_encode(L, -1, out);
    lua_pop(L, 1);
}

struct call_args {
    int ref, flags;
    const char *facts, *ctx;
    size_t facts_len, ctx_len;
    glo_buffer *out, *explain;
};

// ctx is the same for every call of a batch, so its view is kept and reused while the text is the
// same. The view is deep (nested tables are views too), so no call can change what the next sees.
static void push_ctx(lua_State *L, const char *ctx, size_t len) {
    glo_sandbox *sb = SB(L);
    if (sb->ctx_bytes && sb->ctx_len == len && memcmp(sb->ctx_bytes, ctx, len) == 0) {
        lua_getfield(L, LUA_REGISTRYINDEX, K_CTX);
        return;
    }
    glo_json_push(L, ctx, len);
    if (!lua_istable(L, -1)) luaL_error(L, "ctx must be a JSON object");
    push_readonly_view(L, -1, 1);
    lua_remove(L, -2);
    char *copy = malloc(len ? len : 1);
    if (!copy) luaL_error(L, "not enough memory");
    memcpy(copy, ctx, len);
    free(sb->ctx_bytes);
    sb->ctx_bytes = copy;
    sb->ctx_len = len;
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, K_CTX);
}

// Pushes fresh facts and ctx from their JSON text, and lets the host's `before` complete the facts.
static void push_arguments(lua_State *L, struct call_args *a, int hooks) {
    glo_sandbox *sb = SB(L);
    sb->marshal_phase = 1;
    size_t first = 0;
    while (first < a->facts_len && (a->facts[first] == ' ' || a->facts[first] == '\t' || a->facts[first] == '\r' || a->facts[first] == '\n')) first++;
    if (first == a->facts_len || a->facts[first] != '{') luaL_error(L, "facts must be a JSON object (the line does not start with '{')");
    glo_json_push(L, a->facts, a->facts_len);
    int facts = lua_gettop(L);
    push_ctx(L, a->ctx, a->ctx_len);
    sb->marshal_phase = 0;
    if (lua_getfield(L, hooks, "before") == LUA_TFUNCTION) {
        lua_pushvalue(L, facts);
        lua_pushvalue(L, facts + 1);
        lua_call(L, 2, 0);
    } else {
        lua_pop(L, 1);
    }
}

static int p_call(lua_State *L) {
    struct call_args *a = lua_touserdata(L, 1);
    glo_sandbox *sb = SB(L);
    lua_getfield(L, LUA_REGISTRYINDEX, K_HOOKS);
    int hooks = lua_gettop(L);
    int track = a->flags & (GLO_CALL_TRACK_READS | GLO_CALL_TRACE);
    for (int attempt = 0;; attempt++) {
        int base = lua_gettop(L);
        sb->diagnostics.len = 0;      // a rerun prints the same again
        sb->print_dropped = 0;
        push_arguments(L, a, hooks);  // fresh on every attempt: a rerun never sees what the first wrote
        int facts = base + 1, ctx = base + 2;
        int reads = 0;
        if (track) {
            push_tracking(L, facts);   // proxy, reads
            reads = lua_gettop(L);
            lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
            lua_pushvalue(L, reads - 1);
        } else {
            lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
            push_facts_view(L, facts);
        }
        lua_pushvalue(L, ctx);
        if (a->flags & GLO_CALL_TRACE) trace_start(L);
        lua_call(L, 2, 1);
        if (sb->tracing) trace_finish(L);
        int result = lua_gettop(L);
        if (lua_getfield(L, hooks, "after") == LUA_TFUNCTION) {
            lua_pushvalue(L, result);
            if (reads) lua_pushvalue(L, reads); else lua_pushnil(L);
            lua_pushvalue(L, ctx);
            lua_call(L, 3, 2);
            // after() returning true as its second value asks for the reads: run again, tracked.
            if (!track && lua_toboolean(L, -1) && attempt == 0) {
                lua_settop(L, base);
                track = 1;
                continue;
            }
            lua_pop(L, 1);
            lua_replace(L, result);
        } else {
            lua_pop(L, 1);
        }
        sb->marshal_phase = 1;
        a->out->len = 0;
        glo_json_encode(L, result, a->out);
        if (a->explain) {
            a->explain->len = 0;
            if (reads) encode_reads(L, reads, a->explain);
        }
        sb->marshal_phase = 0;
        return 0;
    }
}

int glo_sandbox_call(glo_sandbox *sb, int ref, const char *facts, size_t facts_len,
                     const char *ctx, size_t ctx_len, int flags,
                     glo_buffer *out, glo_buffer *explain, glo_status *st) {
    struct call_args a = {ref, flags, facts, ctx, facts_len, ctx_len, out, explain};
    return protected_run(sb, p_call, &a, 1, st);
}

struct run_args { const char *code, *chunkname; size_t len; glo_buffer *out; };

static int p_run(lua_State *L) {
    struct run_args *a = lua_touserdata(L, 1);
    lua_pushfstring(L, "=%s", a->chunkname);
    if (luaL_loadbufferx(L, a->code, a->len, lua_tostring(L, -1), "t") != LUA_OK) {
        SB(L)->syntax_error = 1;
        return lua_error(L);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, K_BASE);
    push_env(L, -1);
    lua_setupvalue(L, -3, 1);
    lua_pop(L, 1);
    lua_call(L, 0, 1);
    SB(L)->marshal_phase = 1;
    a->out->len = 0;
    glo_json_encode(L, -1, a->out);
    return 0;
}

int glo_sandbox_run(glo_sandbox *sb, const char *code, size_t len, const char *chunkname,
                    glo_buffer *out, glo_status *st) {
    struct run_args a = {code, chunkname, len, out};
    return protected_run(sb, p_run, &a, 1, st);
}
