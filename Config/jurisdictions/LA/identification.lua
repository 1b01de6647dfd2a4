-- identification.pathway in Lao PDR: the Palermo elements (the parent decides), with the national
-- offence. The Law on Anti-Trafficking in Persons (2016) article that defines trafficking is not
-- verified, so the Palermo citations stay and the national law is cited as [unverified].

local intl = require("intl/identification")

local PENAL_CODE = "LA Penal Code (2018) art. 215"
local LAW_2016 = "[unverified] LA Law on Anti-Trafficking in Persons (2016): definition (article not verified)"
local BY_OUTCOME = { victim = { LAW_2016, PENAL_CODE }, undetermined = LAW_2016 }

local function pathway(facts, ctx)
  local result = intl._national(intl.pathway(facts, ctx), nil, BY_OUTCOME)
  if result.outcome == "victim" then
    result.reasons[#result.reasons + 1] = "trafficking is an offence under art. 215 of the Penal Code (5 to 15 years, heavier where the victim is a child)"
  end
  return result
end

return { pathway = pathway }
