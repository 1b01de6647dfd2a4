-- identification.pathway in South Africa: Prevention and Combating of Trafficking in Persons Act 7 of
-- 2013 s.4, in force 9 August 2015. The review of December 2026 found it consistent with the Palermo
-- definition, so the parent decides and the Act is cited for the definition from its start.

local intl = require("intl/identification")

local ACT_FROM = "2015-08-09"
local NATIONAL = {
  ["Palermo Protocol art. 3(a)"] = "ZA Prevention and Combating of Trafficking in Persons Act 7 of 2013 s.4",
}

local function pathway(facts, ctx)
  local result = intl.pathway(facts, ctx)
  if ctx.date < ACT_FROM then
    result.reasons[#result.reasons + 1] = "the Prevention and Combating of Trafficking in Persons Act 7 of 2013 is in force from 9 August 2015: before that date only the international definition is cited"
    return result
  end
  return intl._national(result, NATIONAL)
end

return { pathway = pathway }
