-- identification.pathway under ATIPA as enacted (in force 5 June 2008), for dates up to 27 January
-- 2017: neither Amendment No. 3 (seized identity documents and debt bondage as forced labour) nor s.6/1
-- applies. Same tables as TH/identification.lua without those (versions of one id cannot require each
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

local THAI_MEANS = {
  threat = true, force = true, abduction = true, fraud = true, deception = true,
  abuse_of_power = true, payment_to_controller = true,
}
local F12_BASIS = "[unverified] TH ATIPA s.6(1): coercion and abuse of a position of vulnerability are not among the 2008 means; whether a later amendment added them is not verified"
local F12_REASON = "the means recorded are coercion or abuse of vulnerability only, which the 2008 text of s.6(1) does not list: whether a later amendment added them is not verified; a legal officer checks"

local function pathway(facts, ctx)
  local result = intl._national(intl._judge(facts, ctx, intl._PALERMO), THAI_BASIS, BY_OUTCOME)
  return intl._narrow_means(result, facts, THAI_MEANS, F12_BASIS, F12_REASON)
end

return { pathway = pathway }
