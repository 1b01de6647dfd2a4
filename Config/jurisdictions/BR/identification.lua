-- identification.pathway in Brazil: Penal Code art. 149-A (Law 13.344/2016). It requires a means (grave
-- threat, violence, coercion, fraud or abuse) for every victim; a child victim only aggravates the
-- penalty. So the Palermo rule that a child needs no means is not applied: a child without a means is not
-- a victim under art. 149-A, and is referred for identification rather than given a migration pathway.

local intl = require("intl/identification")

local ART_149A = "BR Penal Code art. 149-A (Law 13.344/2016)"
local NATIONAL = { ["Palermo Protocol art. 3(a)"] = ART_149A }
local OPTS = { child_waiver = false }

-- art. 149-A's means as DOMAIN gives them, in the vocabulary's terms (deception read as fraud, force as
-- violence, abuse of power or of vulnerability as abuse). Abduction and payment to a controller are not
-- named among them.
local BR_MEANS = {
  threat = true, force = true, coercion = true, fraud = true, deception = true,
  abuse_of_power = true, abuse_of_vulnerability = true,
}
local NARROW_BASIS = "[unverified] BR Penal Code art. 149-A: whether abduction or payment to a person in control is among its means"
local NARROW_REASON = "the means recorded are abduction or payment to a person in control only, which art. 149-A does not name among its means (grave threat, violence, coercion, fraud or abuse): a legal officer checks"
local DIFFERS = "the acts were done to a child for a purpose of exploitation, which is trafficking without any means under Palermo art. 3(c), but Brazil's Penal Code art. 149-A requires a means for every victim (a child's age only aggravates the penalty): record whether any means was used, and refer for identification"

local function pathway(facts, ctx)
  local result = intl._national(intl._judge(facts, ctx, OPTS), NATIONAL)
  intl._narrow_means(result, facts, BR_MEANS, NARROW_BASIS, NARROW_REASON)
  if result.outcome == "victim" and result.elements == "complete" and intl._child_at_acts(facts) then
    result.aggravated = true
    result.reasons[#result.reasons + 1] = "the victim was a child when the acts began: under art. 149-A this aggravates the penalty"
  end
  return intl._differs(facts, ctx, result, DIFFERS, ART_149A)
end

return { pathway = pathway }
