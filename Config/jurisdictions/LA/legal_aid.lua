-- legal_aid.eligibility in Lao PDR. Legal aid rests on the Law on Lawyers and a Decree on Legal Aid,
-- whose contents are not verified: no eligibility rule can be stated honestly, so the decision is
-- undetermined with the law, not the facts, as what is missing.

local identification = require("identification")

local function eligibility(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local reasons = { "the eligibility rules of the Law on Lawyers and the Decree on Legal Aid are not verified: a legal officer must decide" }
  if pathway.outcome == "victim" then
    reasons[2] = "the person is a victim of trafficking (" .. pathway.status .. "): ask the Lao Women's Union and the legal aid provider"
  end
  return {
    outcome = "undetermined",
    missing = {},
    law_unverified = true,
    victim = pathway.outcome == "victim",
    reasons = reasons,
    basis = { "[unverified] LA Law on Lawyers", "[unverified] LA Decree on Legal Aid" },
  }
end

return { eligibility = eligibility }
