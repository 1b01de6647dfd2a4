#include "floor.h"
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <time.h>

struct floor_state { lua_State *L; int fn; long budget; };

floor_state *floor_new(const char *module, const char *key) {
    floor_state *s = calloc(1, sizeof *s);
    s->L = luaL_newstate();
    luaL_openlibs(s->L);
    if (luaL_dostring(s->L, module) != LUA_OK) abort();
    lua_getfield(s->L, -1, key);
    s->fn = luaL_ref(s->L, LUA_REGISTRYINDEX);
    lua_pop(s->L, 1);
    return s;
}

void floor_free(floor_state *s) { lua_close(s->L); free(s); }

static void list(lua_State *L, const char *field, const char *const *items) {
    int n = 0;
    while (items[n]) n++;
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) { lua_pushstring(L, items[i]); lua_rawseti(L, -2, i + 1); }
    lua_setfield(L, -2, field);
}

size_t floor_call(floor_state *s) {
    lua_State *L = s->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->fn);
    lua_createtable(L, 0, 20);
    lua_pushstring(L, "TH-0000042"); lua_setfield(L, -2, "case_ref");
    lua_pushinteger(L, 24); lua_setfield(L, -2, "age");
    static const char *const citizenship[] = {"LA", NULL}, *const acts[] = {"recruitment", "transportation", NULL},
        *const means[] = {"deception", NULL}, *const exploitation[] = {"forced_labour", NULL},
        *const ilo[] = {"deception", "withholding_of_wages", NULL}, *const charges[] = {"illegal_entry", NULL};
    list(L, "citizenship", citizenship);
    lua_pushstring(L, "LA"); lua_setfield(L, -2, "origin");
    lua_pushstring(L, "TH"); lua_setfield(L, -2, "country");
    list(L, "acts", acts);
    list(L, "means", means);
    list(L, "exploitation", exploitation);
    list(L, "ilo_indicators", ilo);
    lua_pushboolean(L, 1); lua_setfield(L, -2, "consented");
    lua_pushstring(L, "irregular"); lua_setfield(L, -2, "entry");
    lua_pushboolean(L, 0); lua_setfield(L, -2, "smuggler_paid");
    lua_pushstring(L, "possible"); lua_setfield(L, -2, "trafficking_status");
    lua_pushstring(L, "mdt"); lua_setfield(L, -2, "identified_by");
    lua_pushboolean(L, 1); lua_setfield(L, -2, "informed_of_rights");
    lua_pushboolean(L, 1); lua_setfield(L, -2, "low_income");
    lua_pushboolean(L, 0); lua_setfield(L, -2, "party_to_proceedings");
    lua_pushboolean(L, 0); lua_setfield(L, -2, "testifying");
    list(L, "charges", charges);
    lua_pushboolean(L, 1); lua_setfield(L, -2, "wishes_to_return");
    lua_pushstring(L, "low"); lua_setfield(L, -2, "return_risk");
    lua_createtable(L, 0, 3);
    lua_pushstring(L, "TH"); lua_setfield(L, -2, "jurisdiction");
    lua_pushstring(L, "2026-01-01"); lua_setfield(L, -2, "date");
    lua_pushstring(L, "2026.1"); lua_setfield(L, -2, "pack_version");
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) abort();
    lua_getfield(L, -1, "outcome");
    size_t len;
    lua_tolstring(L, -1, &len);
    lua_pop(L, 2);
    return len;
}

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    floor_state **s = lua_getextraspace(L);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    (*s)->budget -= 1000;
    if ((*s)->budget < 0 && ts.tv_sec < 0) luaL_error(L, "unreachable");
}

void floor_run(floor_state *s, int hooked) {
    *(floor_state **)lua_getextraspace(s->L) = s;
    s->budget = 1L << 60;
    lua_sethook(s->L, hooked ? hook : NULL, hooked ? LUA_MASKCOUNT : 0, 1000);
    lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->fn);
    if (lua_pcall(s->L, 0, 0, 0) != LUA_OK) abort();
    lua_sethook(s->L, NULL, 0, 0);
}
