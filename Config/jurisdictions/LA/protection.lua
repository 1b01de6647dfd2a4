-- protection.non_punishment in Lao PDR. A 2017 regional review found no non-punishment clause in Lao
-- law; that is not verified as of today, so the outcome is not_barred with the finding cited as such.

local identification = require("identification")

local BASIS = "[unverified] 2017 regional review: no non-punishment clause in the LA Law on Anti-Trafficking in Persons (2016)"

local function non_punishment(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local result = {
    outcome = "not_barred",
    reasons = { "no non-punishment clause is known in Lao law (2017 regional review, not verified as of today)" },
    basis = { BASIS },
  }
  if pathway.outcome == "victim" then
    result.review_required = true
    result.reasons[2] = "the person is a victim of trafficking: check current Lao law for a non-punishment provision before any prosecution"
  end
  return result
end

return { non_punishment = non_punishment }
