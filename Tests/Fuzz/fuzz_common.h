// What the libFuzzer harnesses share: one sandbox per process with the host's default limits
// (Sources/LuaVM/LuaLimits.swift) but a fifth of its instructions, made on first use and kept, as the host keeps its states.
#ifndef GLO_FUZZ_COMMON_H
#define GLO_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "glo_sandbox.h"

static glo_sandbox *fuzz_current;

/// Drops the sandbox (a harness that piles up modules starts over now and then).
static void fuzz_reset(void) {
    if (fuzz_current) glo_sandbox_free(fuzz_current);
    fuzz_current = NULL;
}

static glo_sandbox *fuzz_sandbox(void) {
    glo_sandbox *sb = fuzz_current;
    if (!sb) {
        glo_limits limits = {2000000, 64u << 20, 1000000000LL, 1u << 20};  // instructions: a fifth of the host's, so that inputs that hit it cost less
        glo_status st;
        glo_status_init(&st);
        sb = glo_sandbox_new(&limits, &st);
        if (!sb) { fprintf(stderr, "cannot make a sandbox\n"); abort(); }
        glo_status_free(&st);
        fuzz_current = sb;
    }
    return sb;
}

/// A limit the sandbox enforced (instructions, memory, time): the input was refused, not mis-handled.
static int fuzz_refused_by_limit(const glo_status *st) {
    return st->kind == GLO_ERR_INSTRUCTIONS || st->kind == GLO_ERR_MEMORY || st->kind == GLO_ERR_TIME;
}

#endif
