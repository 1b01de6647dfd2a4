/// Trusted Lua the host runs around every decision, inside the same sandbox and budgets.
///
/// `before` completes the facts: `age` from `birthdate` at the date the law is applied, and
/// `age_at_acts` from `birthdate` at `acts_began` (the child element is judged on the age when the acts
/// began, services on the age today), and `days_since_referral` from `referred_on` at the date the law is
/// applied (none while the referral is later: the person was not referred yet at that date).
/// `after` checks the result is a decision result and, for an `undetermined` outcome that names
/// no `missing` facts, fills them in from the facts the decision read and found absent (asking the
/// sandbox to run the call again with reads tracked when they were not).
let hostHooksSource = #"""
local match, tonumber, type, rawget, pairs, sort = string.match, tonumber, type, rawget, pairs, table.sort

local function ymd(text)
  if type(text) ~= "string" then return nil end
  local y, m, d = match(text, "^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  return tonumber(y), tonumber(m), tonumber(d)
end

-- Whole years from `birthdate` to `date`: the birthday itself counts.
local function age_at(birthdate, date)
  local by, bm, bd = ymd(birthdate)
  local y, m, d = ymd(date)
  if not by or not y then return nil end
  local age = y - by
  if m < bm or (m == bm and d < bd) then age = age - 1 end
  if age < 0 then return nil end
  return age
end

local LISTS = { "reasons", "basis", "missing" }

return {
  before = function(facts, ctx)
    if facts.age == nil and facts.birthdate ~= nil then
      facts.age = age_at(facts.birthdate, ctx.date)
    end
    if facts.age_at_acts == nil and facts.birthdate ~= nil and facts.acts_began ~= nil then
      facts.age_at_acts = age_at(facts.birthdate, facts.acts_began)
    end
    if facts.days_since_referral == nil and date.valid(facts.referred_on) then
      local days = date.days_between(facts.referred_on, ctx.date)
      if days >= 0 then facts.days_since_referral = days end
    end
  end,

  after = function(result, reads, ctx)
    if type(result) ~= "table" then
      error("glo: a decision must return a table, not a " .. type(result) .. " value", 0)
    end
    local outcome = rawget(result, "outcome")
    if type(outcome) ~= "string" then
      local keys = {}
      for key in pairs(result) do
        if type(key) == "string" and #keys < 10 then keys[#keys + 1] = key end
      end
      sort(keys)
      error("glo: a decision must return a table with a text field 'outcome' (the table returned has: "
        .. (keys[1] and table.concat(keys, ", ") or "no fields") .. ")", 0)
    end
    if rawget(result, "rule") ~= nil then
      error("glo: the field 'rule' of a result is reserved for the host", 0)
    end
    for _, field in ipairs(LISTS) do
      local value = rawget(result, field)
      if value ~= nil and type(value) ~= "table" then
        error("glo: the field '" .. field .. "' of a result must be a list of texts", 0)
      end
    end
    if outcome == "undetermined" and rawget(result, "missing") == nil then
      if reads == nil then return result, true end
      local missing = {}
      for fact, present in pairs(reads) do
        if not present then missing[#missing + 1] = fact end
      end
      sort(missing)
      result.missing = missing
    end
    return result
  end,
}
"""#

/// Errors raised by `after` start with this, so they can be told from the rule's own.
let hostHookErrorPrefix = "glo: "
