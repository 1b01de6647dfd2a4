// The sandboxed Lua state of glo-host.
//
// Everything here that can raise a Lua error (and so longjmp) runs inside lua_pcall started from C:
// Swift only calls the glo_sandbox_* entry points below, which never longjmp out.
#ifndef GLO_SANDBOX_H
#define GLO_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

typedef struct lua_State lua_State;

/// Kinds of failure, shared with Swift's LuaError.Kind.
typedef enum glo_error_kind {
    GLO_OK = 0,
    GLO_ERR_SYNTAX = 1,
    GLO_ERR_RUNTIME = 2,
    GLO_ERR_INSTRUCTIONS = 3,
    GLO_ERR_MEMORY = 4,
    GLO_ERR_TIME = 5,
    GLO_ERR_MARSHAL = 6,   // a value cannot cross the boundary (cycle, function, bad key, bad JSON)
} glo_error_kind;

typedef struct glo_limits {
    int64_t instructions;       // per call
    size_t memory_bytes;        // per state, everything the state holds
    int64_t wall_ns;            // per call
    size_t max_string_bytes;    // largest string string.rep / gsub / concat may build in one go
} glo_limits;

/// A growable byte buffer owned by C; Swift reads `data[0..<len]`.
typedef struct glo_buffer {
    char *data;
    size_t len;
    size_t cap;
} glo_buffer;

void glo_buffer_init(glo_buffer *b);
void glo_buffer_free(glo_buffer *b);
/// Returns 0 on success, -1 when out of memory.
int glo_buffer_append(glo_buffer *b, const void *bytes, size_t n);

/// The outcome of an entry point: kind, message and "chunk:line" (empty when unknown), and for an
/// error raised while Lua code ran, the traceback: one frame a line, innermost first, each
/// "chunk:line in function 'name'" (only Lua frames of modules and chunks, not C nor the host's
/// hooks), at most GLO_TRACEBACK_INNER innermost and GLO_TRACEBACK_OUTER outermost frames with a
/// line "... N more levels" between them.
typedef struct glo_status {
    glo_error_kind kind;
    glo_buffer message;
    char location[256];
    glo_buffer traceback;
} glo_status;

enum { GLO_TRACEBACK_INNER = 10, GLO_TRACEBACK_OUTER = 3 };

typedef struct glo_sandbox glo_sandbox;

// ---- Used by the string library replacements (glo_strlib.c) ----

/// Charges `steps` units of work done in C to the running call's instruction budget, and checks
/// the wall clock. Raises an error that the script's pcall cannot catch when either runs out.
void glo_charge(lua_State *L, int64_t steps);
/// The largest string a single C library call may build.
size_t glo_max_string_bytes(lua_State *L);
/// Refuses to build a string of `requested` bytes in `function`: raises a memory-limit error that
/// the script's pcall cannot catch.
int glo_refuse_string(lua_State *L, const char *function, size_t requested);
/// Replaces string.find, match, gmatch, gsub and rep in the table at `idx` with bounded versions.
void glo_open_bounded_strlib(lua_State *L, int idx);
/// Pushes the `date` library (glo_datelib.c): valid, add_days, add_months, days_between and compare on
/// ISO dates, pure (no clock) and bounded, each call charged to the budget.
void glo_push_datelib(lua_State *L);

// ---- JSON codec (glo_json.c), used inside protected calls ----

/// Decodes JSON text and pushes the value: objects become tables with string keys, arrays
/// sequences from 1, null is absent (nil at top level). Integers that fit int64 stay integers.
/// Raises a Lua error (message with the byte offset) on malformed input.
#define GLO_EMPTY_OBJECT_KEY "glo.empty_object"
void glo_json_push(lua_State *L, const char *text, size_t len);
/// Encodes the value at `idx` as JSON text into `out`, keys sorted bytewise. A table whose keys
/// are exactly 1..n is an array; an empty table is `[]`, unless it carries the metatable stored in
/// the registry under GLO_EMPTY_OBJECT_KEY (what glo_json_push gives a JSON `{}`), then `{}`.
/// Raises a Lua error for
/// cycles, functions, userdata, threads, non-string keys in objects, NaN and infinities.
/// Floats always carry a '.' or an exponent so that they stay floats when read back.
void glo_json_encode(lua_State *L, int idx, glo_buffer *out);

// ---- The entry points Swift calls. None of them longjmps; failures come back in glo_status. ----

void glo_status_init(glo_status *st);
void glo_status_free(glo_status *st);

/// A new sandboxed state: only base (without dofile, loadfile, load, collectgarbage; print goes to
/// the diagnostics buffer), string, table, math, utf8 and date, all read-only; text chunks only; no __gc;
/// the string metatable locked. NULL when even the empty state does not fit the limits.
glo_sandbox *glo_sandbox_new(const glo_limits *limits, glo_status *st);
void glo_sandbox_free(glo_sandbox *sb);
/// Bytes the state holds right now.
size_t glo_sandbox_memory(const glo_sandbox *sb);
/// What `print` wrote during the last call: at most GLO_PRINT_CAP bytes, then one line saying where
/// the rest was dropped. Valid until the next call.
enum { GLO_PRINT_CAP = 64 * 1024 };
const glo_buffer *glo_sandbox_diagnostics(const glo_sandbox *sb);
/// The call tree of the last call made with GLO_CALL_TRACE, as JSON (empty otherwise): the decision
/// called, with `file`, `line` (the last it ran), `result` (as it returned it), `facts_read`,
/// `facts_missing` and, in `calls`, every decision it called in turn (see glo_sandbox.c,
/// "tracing"); at most GLO_TRACE_STEPS steps. Valid until the next call.
enum { GLO_TRACE_STEPS = 200 };
const glo_buffer *glo_sandbox_trace(const glo_sandbox *sb);

/// Registers a module's source without running it. `fullname` is "PACK/name"; `search_path` lists,
/// newline-separated, the packs its `require` may reach, nearest first (its own pack, then parents).
/// Modules are compiled and run on first use (require or glo_sandbox_lookup).
int glo_sandbox_add_module(glo_sandbox *sb, const char *fullname, const char *search_path,
                           const char *code, size_t len, const char *chunkname, glo_status *st);

/// Finds `key` in module `name` along `search_path` (newline-separated pack ids, nearest first),
/// loading modules as needed, and returns a reference to the function (> 0), 0 when no pack on the
/// path defines it, or -1 on error (status set). `defined_in` receives the pack id that defines it.
int glo_sandbox_lookup(glo_sandbox *sb, const char *search_path, const char *name, const char *key,
                       char *defined_in, size_t defined_in_len, glo_status *st);
/// Lists the public function keys of a module (newline-separated, sorted) into `out`. -1 on error.
int glo_sandbox_module_keys(glo_sandbox *sb, const char *fullname, glo_buffer *out, glo_status *st);

/// Installs trusted host code: a chunk that returns a table with optional `before(facts, ctx)`
/// (runs before every call, may complete the facts) and `after(result, reads, ctx)` (may complete
/// the result; `reads` maps each fact read to true when present and false when absent).
int glo_sandbox_set_host_hooks(glo_sandbox *sb, const char *code, size_t len, glo_status *st);

enum { GLO_CALL_TRACK_READS = 1, GLO_CALL_TRACE = 2 };

/// Calls function `ref` with (facts, ctx), both given as JSON text, under the per-call limits.
/// The result is written as JSON into `out`. With GLO_CALL_TRACK_READS, `explain` receives
/// {"facts_missing":[...],"facts_read":[...]}: the facts the call read, and those of them that were absent.
/// GLO_CALL_TRACE tracks the reads too, and records the call tree (glo_sandbox_trace).
int glo_sandbox_call(glo_sandbox *sb, int ref, const char *facts, size_t facts_len,
                     const char *ctx, size_t ctx_len, int flags,
                     glo_buffer *out, glo_buffer *explain, glo_status *st);

/// Runs a chunk in a fresh environment over the read-only base, under the per-call limits, and
/// writes its first result as JSON into `out`.
int glo_sandbox_run(glo_sandbox *sb, const char *code, size_t len, const char *chunkname,
                    glo_buffer *out, glo_status *st);

/// Lowers (never raises above the caps given at creation) the limits of later calls.
void glo_sandbox_set_limits(glo_sandbox *sb, const glo_limits *limits);

#endif
