-- luacheck's settings for the rule packs: the globals of glo-host's Lua sandbox (docs/rule-packs.md,
-- "The sandbox"), so that a pack using what the sandbox leaves out (io, os, load...) is warned about
-- before the host refuses it. Run from this folder: luacheck .   (make test does.)

stds.glo_sandbox = {
  read_globals = {
    -- The base functions the sandbox keeps, and the module loader limited to the pack chain.
    "assert", "error", "ipairs", "next", "pairs", "rawequal", "rawget", "rawlen", "rawset", "select",
    "setmetatable", "getmetatable", "tonumber", "tostring", "type", "xpcall", "pcall", "print", "require",
    "_VERSION",
    -- Lua 5.4's libraries, read-only; string without dump, pack, unpack and packsize.
    string = { fields = {
      "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "rep", "reverse", "sub", "upper",
    } },
    table = { fields = { "concat", "insert", "move", "pack", "remove", "sort", "unpack" } },
    math = { fields = {
      "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge", "log", "max",
      "maxinteger", "min", "mininteger", "modf", "pi", "rad", "random", "randomseed", "sin", "sqrt", "tan",
      "tointeger", "type", "ult",
    } },
    utf8 = { fields = { "char", "charpattern", "codepoint", "codes", "len", "offset" } },
    -- The sandbox's own: calendar arithmetic on ISO dates, without a clock.
    date = { fields = { "add_days", "add_months", "compare", "days_between", "valid" } },
  },
}
std = "glo_sandbox"

-- A pack writes no globals: each call's are gone at the next (docs/rule-packs.md).
allow_defined = false
allow_defined_top = false

-- Reasons and citations are sentences a caseworker reads; they are not wrapped.
max_line_length = false

ignore = {
  -- A decision is called as (facts, ctx); one that needs no date, or no facts, leaves them unused.
  "212/facts", "212/ctx",
}

-- The language server's definitions (written by `glo-host rules annotations`) declare the sandbox's globals.
exclude_files = { ".luals/" }
