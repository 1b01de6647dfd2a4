-- identification.pathway in Pakistan: Prevention of Trafficking in Persons Act 2018 s.3. Pakistan was not
-- a party to the Trafficking Protocol as of October 2022 (press reports): the Protocol's definition is
-- used as guidance, not as binding law, and each Palermo citation says so. Where a result rests on the
-- Protocol's child rule alone, the Act's own rule for children is not verified.

local intl = require("intl/identification")

local ACT = "PK Prevention of Trafficking in Persons Act 2018 s.3"
local GUIDANCE = " (guidance only: Pakistan was not a party to the Protocol as of October 2022)"
local CHILD_UNVERIFIED = "[unverified] PK Prevention of Trafficking in Persons Act 2018 s.3: whether an act against a child needs no means"

local NATIONAL = {
  ["Palermo Protocol art. 3(a)"] = { ACT, "Palermo Protocol art. 3(a)" .. GUIDANCE },
  ["Palermo Protocol art. 3(b)"] = "Palermo Protocol art. 3(b)" .. GUIDANCE,
  ["Palermo Protocol art. 3(c)"] = "Palermo Protocol art. 3(c)" .. GUIDANCE,
  ["Palermo Protocol art. 3(d)"] = "Palermo Protocol art. 3(d)" .. GUIDANCE,
}

local function pathway(facts, ctx)
  local result = intl._national(intl.pathway(facts, ctx), NATIONAL)
  result.reasons[#result.reasons + 1] = "Pakistan was not a party to the Trafficking Protocol as of October 2022: its definition guides this screening; the Prevention of Trafficking in Persons Act 2018 (s.3) is the law"
  -- Only a result that rests on childhood alone (no means used) depends on the Act's unknown child rule.
  if result.child_element ~= nil and next(intl._means_used(facts)) == nil then
    result.reasons[#result.reasons + 1] = "this result rests on the Protocol's rule that a child needs no means: whether the Act says the same is not verified"
    intl._cite(result.basis, CHILD_UNVERIFIED)
  end
  return result
end

return { pathway = pathway }
