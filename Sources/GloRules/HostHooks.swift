/// Trusted Lua the host runs around every decision, inside the same sandbox and budgets.
///
/// `before` completes the facts: `age` from `birthdate` at the date the law is applied, and
/// `age_at_acts` from `birthdate` at `acts_began` (the child element is judged on the age when the acts
/// began, services on the age today), and `days_since_referral` from `referred_on` at the date the law is
/// applied (none while the referral is later: the person was not referred yet at that date).
/// `after` checks the result is a decision result and, for an `undetermined` outcome that names
/// no `missing` facts, fills them in from the facts the decision read and found absent (asking the
/// sandbox to run the call again with reads tracked when they were not). A reason given in several
/// languages (`{ en = "...", lo = "..." }`) becomes its English text in `reasons`, the others go to
/// `reasons_by_language` (see `ReasonLanguages`).
let hostHooksSource = #"""
local match, tonumber, type, rawget, pairs, ipairs, sort = string.match, tonumber, type, rawget, pairs, ipairs, table.sort

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
local RESERVED = { "rule", "reasons_by_language" }

-- A reason is a text, or a table of texts by language with the English one (`en`) as the fallback.
-- When any reason is a table, `reasons` becomes the English texts and `reasons_by_language` maps each
-- other language to a list aligned with `reasons` ("" where that reason has no text in the language).
-- The rule's own tables are not changed: a module may share a reason among its results.
local function split_languages(result, reasons)
  local translated = false
  for i, reason in ipairs(reasons) do
    local kind = type(reason)
    if kind == "table" then
      translated = true
    elseif kind ~= "string" then
      error("glo: reason " .. i .. " must be a text, or a table of texts by language ({ en = ..., lo = ... })", 0)
    end
  end
  if not translated then return end
  local english, by_language = {}, {}
  for i, reason in ipairs(reasons) do
    if type(reason) == "string" then
      english[i] = reason
    else
      local en = rawget(reason, "en")
      if type(en) ~= "string" then
        error("glo: reason " .. i .. " is given in several languages but not in English (en): English is every reason's fallback", 0)
      end
      english[i] = en
      for language, text in pairs(reason) do
        if language ~= "en" then
          if type(language) ~= "string" or not match(language, "^%l%l%l?$") or type(text) ~= "string" then
            error("glo: reason " .. i .. " must map language codes (en, lo, th...) to texts", 0)
          end
          by_language[language] = by_language[language] or {}
          by_language[language][i] = text
        end
      end
    end
  end
  for _, texts in pairs(by_language) do
    for i = 1, #english do texts[i] = texts[i] or "" end
  end
  result.reasons, result.reasons_by_language = english, by_language
end

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
    for _, reserved in ipairs(RESERVED) do
      if rawget(result, reserved) ~= nil then
        error("glo: the field '" .. reserved .. "' of a result is reserved for the host", 0)
      end
    end
    for _, field in ipairs(LISTS) do
      local value = rawget(result, field)
      if value ~= nil and type(value) ~= "table" then
        error("glo: the field '" .. field .. "' of a result must be a list of texts", 0)
      end
    end
    local reasons = rawget(result, "reasons")
    if reasons ~= nil then split_languages(result, reasons) end
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
