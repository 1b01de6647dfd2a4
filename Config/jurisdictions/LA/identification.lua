-- identification.pathway in Lao PDR: the Palermo elements (the parent decides), with the national
-- offence. The Law on Anti-Trafficking in Persons (2016) article that defines trafficking is not
-- verified, so the Palermo citations stay and the national law is cited as [unverified].

local intl = require("intl/identification")

local PENAL_CODE = "LA Penal Code (2018) art. 215"
local LAW_2016 = "[unverified] LA Law on Anti-Trafficking in Persons (2016): definition (article not verified)"

local function pathway(facts, ctx)
  local result = intl.pathway(facts, ctx)
  if result.outcome == "victim" or result.outcome == "undetermined" then
    result.basis[#result.basis + 1] = LAW_2016
  end
  if result.outcome == "victim" then
    result.basis[#result.basis + 1] = PENAL_CODE
    result.reasons[#result.reasons + 1] = "trafficking is an offence under art. 215 of the Penal Code (5 to 15 years, heavier where the victim is a child)"
  end
  return result
end

return { pathway = pathway }
