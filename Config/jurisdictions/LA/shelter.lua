-- shelter.placement in Lao PDR. DOMAIN gives only two facts: returned victims are received by the Lao
-- Women's Union shelter (counselling, protection, reintegration), and the national victim protection
-- and referral guidelines were still unapproved in 2020. So this pack places only a returned victim,
-- and says for everyone else that it has no rule, rather than inventing one.

local LWU_SHELTER = "Lao Women's Union shelter for returned victims"
local LAW_2016 = "[unverified] LA Law on Anti-Trafficking in Persons (2016): victim-assistance and reintegration provisions (article numbers not found)"
local GUIDELINES = "[unverified as of today] LA national victim protection and referral guidelines: still unapproved in 2020"

local function placement(facts, ctx)
  if facts.route == "repatriation_as_victim" then
    return {
      outcome = "ngo_shelter",
      shelter = LWU_SHELTER,
      reasons = {
        "a returned victim is received by the Lao Women's Union shelter: counselling, protection, reintegration",
        "[unverified] recorded as ngo_shelter: the outcome vocabulary has no mass-organisation shelter",
      },
      basis = { LAW_2016 },
    }
  end
  return {
    outcome = "none",
    reasons = { "no placement rule for this case: the national victim protection and referral guidelines were not approved (2020); a caseworker decides" },
    basis = { GUIDELINES },
  }
end

return { placement = placement }
