-- protection.non_punishment in Lao PDR. No non-punishment clause was found in Lao law either way (a 2017
-- regional review found none, unverified as of today; US TIP report 2021: police penalised unidentified
-- victims for prostitution). Law unknown is not "no protection": the outcome is undetermined, never
-- not_barred, with ACTIP art. 14(7) (Lao PDR is a party) for the prosecutor to consider.

local identification = require("identification")

local ACTIP = "ASEAN Convention against Trafficking in Persons art. 14(7)"
local LAW = "[unverified] LA non-punishment: no clause found in Lao law either way (a 2017 regional review found none)"

local function non_punishment(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local victim = pathway.outcome == "victim"
  local result = {
    outcome = "undetermined",
    missing = {},
    law_unverified = true,
    review_required = true,
    victim = victim,
    reasons = { "whether Lao law bars prosecuting victims for acts related to their trafficking is not known: a legal officer must check current Lao law before any prosecution" },
    basis = { LAW, ACTIP },
  }
  if victim then
    local charges = facts.charges or {}
    if charges[1] ~= nil then
      local consider = {}
      for i, charge in ipairs(charges) do consider[i] = charge end
      result.consider = consider
    end
    result.status = pathway.status
    result.reasons[2] = "the person is a victim of trafficking (" .. pathway.status .. "): ACTIP art. 14(7) asks that not holding them liable be considered for unlawful acts directly related to the trafficking; the prosecutor considers each charge"
  elseif pathway.elements == "missing" then
    result.missing = pathway.missing
    result.reasons[2] = "whether the person is a victim of trafficking is undetermined: complete the screening"
  else
    result.reasons[2] = "on these facts the person is not a victim of trafficking"
  end
  return result
end

return { non_punishment = non_punishment }
