-- deadlines.due: the deadlines that apply to a case, from its dated facts.
--
-- A deadline is { id, label, kind, from, due, basis, when_missed }: `kind` is `act_by` (something must be
-- done by the due date) or `period_ends` (a protected period ends that day; nothing is missed then),
-- `from` the date it is counted from. One that applies but whose starting date is not recorded goes in
-- `undated`, with the dated facts it `needs`. Dates are counted with the sandbox's `date` library from
-- the facts, never from a clock: whether a deadline is near or past is for the deadlines plugin to say,
-- on the day it looks.
--
-- The international instruments encoded here set no deadline that binds every country, so the baseline
-- answers `none`; a national pack lists its own with the private helpers below (`_list`, `_add`,
-- `_add_undated`, `_result`, `_referred_on`). The Council of Europe Convention's recovery and reflection
-- period (art. 13) binds its parties only: their packs call `_reflection_due`.

local intl_return = require("intl/return")
local cite = require("intl/identification")._cite

local COE13 = "Council of Europe Convention on Action against Trafficking in Human Beings art. 13"
local REFLECTION_DAYS = 30
local EARLIEST = "0001-01-01"

-- An empty collection of deadlines, with the reasons and citations of the result being built.
local function list()
  return { dated = {}, undated = {}, reasons = {}, basis = {} }
end

local function copy(list_of_texts)
  local out = {}
  for i, text in ipairs(list_of_texts) do out[i] = text end
  return out
end

-- The deadline `spec` ({ id, label, kind, basis, when_missed }; shared by every call, so copied) as an
-- entry counted from `from`, due on `due`.
local function entry(spec, extra_basis)
  local basis = copy(spec.basis)
  for _, b in ipairs(extra_basis or {}) do basis[#basis + 1] = b end
  return { id = spec.id, label = spec.label, kind = spec.kind, basis = basis, when_missed = spec.when_missed }
end

-- Adds a deadline due on `due`, counted from `from`, with the sentence that says why it applies.
-- `extra_basis` adds citations for this case only (how the start was found).
local function add(into, spec, from, due, reason, extra_basis)
  local e = entry(spec, extra_basis)
  e.from, e.due = from, due
  into.dated[#into.dated + 1] = e
  into.reasons[#into.reasons + 1] = reason
  cite(into.basis, e.basis)
end

-- Adds a deadline that applies but cannot be dated: `needs` lists the dated facts to record.
local function add_undated(into, spec, needs, reason)
  local e = entry(spec)
  e.needs = copy(needs)
  into.undated[#into.undated + 1] = e
  into.reasons[#into.reasons + 1] = reason
  cite(into.basis, e.basis)
end

-- The day of the referral for identification: `referred_on`, or counted back from `days_since_referral`
-- at ctx.date when only the days were recorded; nil when the person was not referred.
local function referred_on(facts, ctx)
  if facts.referred_on ~= nil then return facts.referred_on end
  local days = facts.days_since_referral
  if days ~= nil and days <= date.days_between(EARLIEST, ctx.date) then return date.add_days(ctx.date, -days) end
  return nil
end

-- The result: `due` with the dated deadlines, earliest first, and any undated ones; `undetermined` when
-- every deadline that applies lacks its date (`missing`: the facts they need); `none` with `none_reason`
-- when none applies.
local function result(into, none_reason)
  if into.dated[1] == nil and into.undated[1] == nil then
    return { outcome = "none", deadlines = {}, reasons = { none_reason }, basis = {} }
  end
  table.sort(into.dated, function(a, b)
    local order = date.compare(a.due, b.due)
    return order < 0 or (order == 0 and a.id < b.id)
  end)
  local r = { outcome = "due", deadlines = into.dated, reasons = into.reasons, basis = into.basis }
  if into.undated[1] ~= nil then r.undated = into.undated end
  if into.dated[1] == nil then
    r.outcome = "undetermined"
    local missing = {}
    for _, u in ipairs(into.undated) do cite(missing, u.needs) end -- each fact once
    r.missing = missing
  end
  return r
end

local REFLECTION = {
  id = "reflection_period",
  label = "End of the recovery and reflection period (at least 30 days)",
  kind = "period_ends",
  basis = { COE13 },
  when_missed = "the 30 days are over; until then no expulsion order may be enforced against the person; whether the national period is longer is not checked: a legal officer confirms before any removal",
}

-- deadlines.due for a party to the Council of Europe Convention whose national deadlines are not encoded:
-- the recovery and reflection period of at least 30 days once there are reasonable grounds to believe the
-- person is a victim (art. 13), from the day they were found (`reasonable_grounds_on`); where only the
-- referral for identification is recorded it stands in for that day, as in return.route ([unverified]).
-- `pathway` is the national identification.pathway result; `country` names the State ("Belarus").
local function reflection_due(facts, ctx, pathway, country)
  local into = list()
  if intl_return._reasonable_grounds(facts, pathway) then
    local reason = "reasonable grounds to believe the person is a victim: a recovery and reflection period of at least 30 days, during which no expulsion order may be enforced"
    local grounds_on = facts.reasonable_grounds_on
    local referred = referred_on(facts, ctx)
    if grounds_on ~= nil then
      add(into, REFLECTION, grounds_on, date.add_days(grounds_on, REFLECTION_DAYS), reason .. ", from the day reasonable grounds were found")
    elseif referred ~= nil then
      add(into, REFLECTION, referred, date.add_days(referred, REFLECTION_DAYS),
        reason .. "; the day reasonable grounds were found is not recorded, so the period is counted from the referral for identification",
        { "[unverified] " .. country .. ": the reflection period counted from the referral for identification; national length not checked" })
    else
      add_undated(into, REFLECTION, { "reasonable_grounds_on" }, reason .. "; record the day reasonable grounds were found to date its end")
    end
  end
  return result(into, "no reasonable grounds to believe the person is a victim on these facts: no recovery and reflection period; other national deadlines of " .. country .. " are not encoded")
end

-- The baseline's answer: no deadline that binds every country.
local function due(facts, ctx)
  return result(list(), "no deadline is encoded for " .. ctx.jurisdiction .. ": the international baseline sets none that binds every country, and the national pack adds none of its own")
end

return {
  due = due,
  _list = list, _add = add, _add_undated = add_undated, _result = result, _referred_on = referred_on,
  _reflection_due = reflection_due,
}
