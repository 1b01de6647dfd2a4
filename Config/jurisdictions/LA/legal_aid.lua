-- legal_aid.eligibility in Lao PDR. Prime Minister's Decree No. 77 on Legal Aid (2018) exists, but its
-- contents are not verified: no eligibility rule can be stated honestly, so the decision is undetermined
-- with the law, not the facts, as what is missing.

local identification = require("identification")

local DECREE = "[unverified] LA Prime Minister's Decree No. 77 on Legal Aid (2018): its contents are not verified"

local function eligibility(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local reasons = { "Lao PDR has a Prime Minister's Decree on Legal Aid (No. 77, 2018), but who is eligible under it is not verified: a legal officer must decide" }
  if pathway.outcome == "victim" then
    reasons[2] = "the person is a victim of trafficking (" .. pathway.status .. "): ask the Lao Women's Union and the legal aid provider"
  end
  return {
    outcome = "undetermined",
    missing = {},
    law_unverified = true,
    victim = pathway.outcome == "victim",
    reasons = reasons,
    basis = { DECREE },
  }
end

return { eligibility = eligibility }
