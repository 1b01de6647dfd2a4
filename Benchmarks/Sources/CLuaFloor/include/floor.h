#ifndef GLO_FLOOR_H
#define GLO_FLOOR_H
#include <stddef.h>
typedef struct floor_state floor_state;
/// A plain Lua state (all standard libraries, no limits) holding `module`.
floor_state *floor_new(const char *module, const char *key);
void floor_free(floor_state *s);
/// Builds the 20-field facts table and ctx, calls the decision, reads the outcome; returns its length.
size_t floor_call(floor_state *s);
/// Runs the function `key` of the module with no arguments, with or without a count hook every
/// 1000 instructions (what the sandbox's budget check costs).
void floor_run(floor_state *s, int hooked);
#endif
