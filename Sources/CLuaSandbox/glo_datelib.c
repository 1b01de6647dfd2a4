// The sandbox's date library, `date`: calendar arithmetic on ISO dates ("YYYY-MM-DD"), for rules
// that count days (a deadline 15 days after a referral, a period of 12 months).
//
// Pure on purpose: there is no clock here. The day a rule counts from is ctx.date (the date the law
// is applied at) or a dated fact, so a decision stays the same for the same pack, facts and date.
// Dates are the proleptic Gregorian calendar of the years 1 to 9999, as the host's CalendarDate.
//
// Bounded: every function does a fixed amount of work whatever its arguments, charges it to the
// call's budget, and checks its numbers before any arithmetic, so huge or odd numbers end in an
// error, never in an overflow. Errors name the function and the argument, never the value (a date
// may be a birthdate); the sandbox adds the rule's file and line.
#include "glo_sandbox.h"

#include <lua.h>
#include <lauxlib.h>

#include <stdint.h>

enum {
    DATE_STEPS = 4,               // charged per call: a handful of integer operations
    MIN_YEAR = 1, MAX_YEAR = 9999,
};

// Days from 0001-01-01 to 9999-12-31: no whole number of days between two dates is larger.
static const int64_t MAX_SPAN_DAYS = 3652058;
static const int64_t MAX_SPAN_MONTHS = (int64_t)(MAX_YEAR - MIN_YEAR + 1) * 12;

typedef struct civil { int64_t year, month, day; } civil;

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int64_t days_in_month(int64_t y, int64_t m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days, as CalendarDate has them (days since 1970-01-01).
static int64_t days_from_civil(civil c) {
    int64_t y = c.month <= 2 ? c.year - 1 : c.year;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (c.month + (c.month > 2 ? -3 : 9)) + 2) / 5 + c.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static civil civil_from_days(int64_t z) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    civil c;
    c.day = doy - (153 * mp + 2) / 5 + 1;
    c.month = mp < 10 ? mp + 3 : mp - 9;
    c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
    return c;
}

// Exactly "YYYY-MM-DD" naming a day that exists in the years 1 to 9999.
static int parse(const char *s, size_t len, civil *out) {
    if (len != 10 || s[4] != '-' || s[7] != '-') return 0;
    int64_t v[3] = {0, 0, 0};
    static const int field[10] = {0, 0, 0, 0, -1, 1, 1, -1, 2, 2};
    for (int i = 0; i < 10; i++) {
        if (field[i] < 0) continue;
        if (s[i] < '0' || s[i] > '9') return 0;
        v[field[i]] = v[field[i]] * 10 + (s[i] - '0');
    }
    if (v[0] < MIN_YEAR || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > days_in_month(v[0], v[1])) return 0;
    out->year = v[0];
    out->month = v[1];
    out->day = v[2];
    return 1;
}

static void push_date(lua_State *L, civil c) {
    char text[11];
    int64_t parts[3] = {c.year, c.month, c.day};
    static const int width[3] = {4, 2, 2};
    int at = 0;
    for (int p = 0; p < 3; p++) {
        if (p > 0) text[at++] = '-';
        for (int w = width[p] - 1; w >= 0; w--) {
            text[at + w] = (char)('0' + parts[p] % 10);
            parts[p] /= 10;
        }
        at += width[p];
    }
    lua_pushlstring(L, text, 10);
}

// The date at argument `arg` of `fn`, or an error that says what was expected (not what was given).
static civil check_date(lua_State *L, const char *fn, int arg) {
    civil c = {0, 0, 0};
    if (lua_type(L, arg) != LUA_TSTRING) {
        luaL_error(L, "date.%s: argument %d must be a date text 'YYYY-MM-DD', not %s", fn, arg,
                   lua_isnoneornil(L, arg) ? "nil" : luaL_typename(L, arg));
    }
    size_t len;
    const char *s = lua_tolstring(L, arg, &len);
    if (!parse(s, len, &c)) {
        luaL_error(L, "date.%s: argument %d is not a date that exists, in the form 'YYYY-MM-DD' (years 1 to 9999)", fn, arg);
    }
    return c;
}

// A whole number at argument `arg` no larger than `bound` either way (a float must hold a whole number).
static int64_t check_count(lua_State *L, const char *fn, int arg, int64_t bound, const char *unit) {
    int exact = 0;
    lua_Integer n = lua_type(L, arg) == LUA_TNUMBER ? lua_tointegerx(L, arg, &exact) : 0;
    if (!exact) {
        luaL_error(L, "date.%s: argument %d must be a whole number of %s, not %s", fn, arg, unit,
                   lua_type(L, arg) == LUA_TNUMBER ? "a fraction, an infinity or a number too large" :
                   lua_isnoneornil(L, arg) ? "nil" : luaL_typename(L, arg));
    }
    if (n > bound || n < -bound) {
        luaL_error(L, "date.%s: argument %d is more %s than lie between the years 1 and 9999", fn, arg, unit);
    }
    return (int64_t)n;
}

// date.valid(v): whether v is a date text that exists. Never an error.
static int date_valid(lua_State *L) {
    glo_charge(L, DATE_STEPS);
    civil c = {0, 0, 0};
    size_t len = 0;
    const char *s = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : NULL;
    lua_pushboolean(L, s != NULL && parse(s, len, &c));
    return 1;
}

// date.add_days(d, n): the day n days after d (before it when n is negative).
static int date_add_days(lua_State *L) {
    glo_charge(L, DATE_STEPS);
    civil c = check_date(L, "add_days", 1);
    int64_t n = check_count(L, "add_days", 2, MAX_SPAN_DAYS, "days");
    civil r = civil_from_days(days_from_civil(c) + n);
    if (r.year < MIN_YEAR || r.year > MAX_YEAR) luaL_error(L, "date.add_days: the result would be outside the years 1 to 9999");
    push_date(L, r);
    return 1;
}

// date.add_months(d, n): the same day n months later (earlier when negative); a day the month lacks
// becomes its last day (2024-01-31 plus one month is 2024-02-29). Twelve months make a year.
static int date_add_months(lua_State *L) {
    glo_charge(L, DATE_STEPS);
    civil c = check_date(L, "add_months", 1);
    int64_t n = check_count(L, "add_months", 2, MAX_SPAN_MONTHS, "months");
    int64_t index = c.year * 12 + (c.month - 1) + n;  // months since the start of year 0; small, by the bounds
    if (index < MIN_YEAR * 12 || index > MAX_YEAR * 12 + 11)
        luaL_error(L, "date.add_months: the result would be outside the years 1 to 9999");
    civil r;
    r.year = index / 12;
    r.month = index % 12 + 1;
    int64_t last = days_in_month(r.year, r.month);
    r.day = c.day < last ? c.day : last;
    push_date(L, r);
    return 1;
}

// date.days_between(a, b): how many days from a to b; negative when b comes first.
static int date_days_between(lua_State *L) {
    glo_charge(L, DATE_STEPS);
    civil a = check_date(L, "days_between", 1);
    civil b = check_date(L, "days_between", 2);
    lua_pushinteger(L, (lua_Integer)(days_from_civil(b) - days_from_civil(a)));
    return 1;
}

// date.compare(a, b): -1 when a comes before b, 0 on the same day, 1 after.
static int date_compare(lua_State *L) {
    glo_charge(L, DATE_STEPS);
    civil a = check_date(L, "compare", 1);
    civil b = check_date(L, "compare", 2);
    int64_t d = days_from_civil(a) - days_from_civil(b);
    lua_pushinteger(L, d < 0 ? -1 : d > 0 ? 1 : 0);
    return 1;
}

void glo_push_datelib(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"valid", date_valid}, {"add_days", date_add_days}, {"add_months", date_add_months},
        {"days_between", date_days_between}, {"compare", date_compare}, {NULL, NULL},
    };
    luaL_newlib(L, functions);
}
