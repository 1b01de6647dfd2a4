-- identification.pathway under the Anti-Trafficking in Persons Act B.E. 2551 (ATIPA) as in force from
-- 8 April 2019 (Emergency Decree B.E. 2562, adding s.6/1). The earlier versions are TH-2008 (as enacted)
-- and TH-2019 (Amendment No. 3, from 28 January 2017); keep their tables in step with these.
-- s.6(1) and s.6(2) follow the Palermo definition (act + means + purpose; no means for a child), so the
-- parent decides and this module states the Thai basis.

local intl = require("intl/identification")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local S54 = "TH Immigration Act B.E. 2522 s.54"
local S61 = ATIPA .. "s.6/1 (forced labour or services; Emergency Decree B.E. 2562, in force 8 April 2019)"
local NRM_FROM = "2022-03-01" -- DOMAIN gives only the month of approval
local NRM_STAY_DAYS = 15

local THAI_BASIS = {
  ["Palermo Protocol art. 3(a)"] = ATIPA .. "s.6(1)",
  ["Palermo Protocol art. 3(b)"] = ATIPA .. "s.4",
  ["Palermo Protocol art. 3(c)"] = ATIPA .. "s.6(2)",
  ["Palermo Protocol art. 3(d)"] = "[unverified] TH ATIPA child = under 18 (threshold taken from Palermo Protocol art. 3(d))",
}
local BY_OUTCOME = { irregular_migrant = S54, smuggled_migrant = S54 }

-- Amendment No. 3 (in force 28 January 2017): forced labour or services covers seizing identity
-- documents and debt bondage, so those indicators are a purpose of exploitation.
local OPTS = {
  child_waiver = true,
  purpose_indicators = { retention_of_identity_documents = true, debt_bondage = true },
  purpose_reason = "identity documents were seized or the person was held in debt bondage: since 28 January 2017 that is forced labour or services, a purpose of exploitation",
  purpose_basis = ATIPA .. "s.4 as amended by Amendment No. 3 (in force 28 January 2017): forced labour or services includes seizing identity documents and debt bondage",
}

-- The means of the 2008 s.6(1); coercion and abuse of a position of vulnerability are not among them.
local THAI_MEANS = {
  threat = true, force = true, abduction = true, fraud = true, deception = true,
  abuse_of_power = true, payment_to_controller = true,
}
local F12_BASIS = "[unverified] TH ATIPA s.6(1): coercion and abuse of a position of vulnerability are not among the 2008 means; whether a later amendment added them is not verified"
local F12_REASON = "the means recorded are coercion or abuse of vulnerability only, which the 2008 text of s.6(1) does not list: whether a later amendment added them is not verified; a legal officer checks"

local FORCED_LABOUR_INDICATORS = { "retention_of_identity_documents", "debt_bondage" }

-- Forced labour or services recorded: the exploitation, or (Amendment No. 3) the indicators it covers.
local function forced_labour(facts)
  if intl._contains(facts.exploitation, "forced_labour") then return true end
  for _, indicator in ipairs(FORCED_LABOUR_INDICATORS) do
    if intl._contains(facts.ilo_indicators, indicator) then return true end
  end
  return false
end

local function pathway(facts, ctx)
  local result = intl._national(intl._judge(facts, ctx, OPTS), THAI_BASIS, BY_OUTCOME)
  intl._narrow_means(result, facts, THAI_MEANS, F12_BASIS, F12_REASON)
  -- s.6/1 is its own offence: named beside the pathway, never the basis of trafficking status.
  if forced_labour(facts) then
    result.other_offences = { S61 }
    result.reasons[#result.reasons + 1] = "forced labour or services is recorded: s.6/1 (forced labour or services) is a separate offence that may apply beside trafficking, or on its own"
  end
  return result
end

-- Whether the NRM is in force at ctx.date, and the days left of the 15-day temporary stay before the
-- MDT identification interview (nil when the person was not referred), and whether they are past.
-- The 15 days bind the state's interview, not the victim's stay.
local function nrm(facts, ctx)
  if ctx.date < NRM_FROM then return false end
  local days = facts.days_since_referral
  if days == nil then return true end
  local left = NRM_STAY_DAYS - days
  if left < 0 then left = 0 end
  return true, left, days > NRM_STAY_DAYS
end

return { pathway = pathway, _nrm = nrm }
