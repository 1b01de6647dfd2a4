-- identification.pathway under ATIPA as amended by Amendment No. 3 (in force 28 January 2017), for
-- dates up to 7 April 2019: before s.6/1 existed (it is in force from 8 April 2019, see TH/), so it is
-- never cited here. Same tables as TH/identification.lua (versions of one id cannot require each
-- other): keep them in step.

local intl = require("intl/identification")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local S54 = "TH Immigration Act B.E. 2522 s.54"

local THAI_BASIS = {
  ["Palermo Protocol art. 3(a)"] = ATIPA .. "s.6(1)",
  ["Palermo Protocol art. 3(b)"] = ATIPA .. "s.4",
  ["Palermo Protocol art. 3(c)"] = ATIPA .. "s.6(2)",
  ["Palermo Protocol art. 3(d)"] = "[unverified] TH ATIPA child = under 18 (threshold taken from Palermo Protocol art. 3(d))",
}
local BY_OUTCOME = { irregular_migrant = S54, smuggled_migrant = S54 }

-- Amendment No. 3: forced labour or services covers seizing identity documents and debt bondage.
local OPTS = {
  child_waiver = true,
  purpose_indicators = { retention_of_identity_documents = true, debt_bondage = true },
  purpose_reason = "identity documents were seized or the person was held in debt bondage: since 28 January 2017 that is forced labour or services, a purpose of exploitation",
  purpose_basis = ATIPA .. "s.4 as amended by Amendment No. 3 (in force 28 January 2017): forced labour or services includes seizing identity documents and debt bondage",
}

local THAI_MEANS = {
  threat = true, force = true, abduction = true, fraud = true, deception = true,
  abuse_of_power = true, payment_to_controller = true,
}
local F12_BASIS = "[unverified] TH ATIPA s.6(1): coercion and abuse of a position of vulnerability are not among the 2008 means; whether a later amendment added them is not verified"
local F12_REASON = "the means recorded are coercion or abuse of vulnerability only, which the 2008 text of s.6(1) does not list: whether a later amendment added them is not verified; a legal officer checks"

local function pathway(facts, ctx)
  local result = intl._national(intl._judge(facts, ctx, OPTS), THAI_BASIS, BY_OUTCOME)
  return intl._narrow_means(result, facts, THAI_MEANS, F12_BASIS, F12_REASON)
end

return { pathway = pathway }
