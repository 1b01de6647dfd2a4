-- protection.non_punishment: ATIPA s.41, the non-punishment clause.
-- Outcome "barred" means the s.41 bar protects this person; `barred` lists the recorded charges it
-- covers (possibly none yet), `not_covered` the recorded charges it does not.

local identification = require("identification")

local BASIS = "TH Anti-Trafficking in Persons Act B.E. 2551 s.41"
local COVERED = {
  illegal_entry = true, illegal_stay = true, false_information = true,
  forged_documents = true, prostitution = true, work_without_permit = true,
}
local EXCEPTION = "unless the Minister of Justice permits the prosecution in writing (s.41)"

local function non_punishment(facts, ctx)
  local pathway = identification.pathway(facts, ctx)

  if pathway.outcome == "victim" then
    local barred, not_covered = {}, {}
    local charges = facts.charges
    if charges ~= nil then
      for _, charge in ipairs(charges) do
        if COVERED[charge] then barred[#barred + 1] = charge else not_covered[#not_covered + 1] = charge end
      end
    end
    local reasons = {
      "a victim of trafficking may not be prosecuted for illegal entry or stay, false information, forged travel documents, certain prostitution offences or working without a permit",
      EXCEPTION,
    }
    local result = {
      outcome = "barred", barred = barred, status = pathway.status,
      exception = "written permission of the Minister of Justice",
      reasons = reasons, basis = { BASIS },
    }
    if charges == nil or charges[1] == nil then
      reasons[#reasons + 1] = "no charge is recorded; the bar applies to any later charge among the offences s.41 lists"
    end
    for _, charge in ipairs(barred) do
      if charge == "prostitution" then
        reasons[#reasons + 1] = "s.41 covers certain prostitution offences only: check the offence charged"
        result.check_offence = { "prostitution" }
      end
    end
    if not_covered[1] ~= nil then
      result.not_covered = not_covered
      reasons[#reasons + 1] = "charges outside the offences listed in s.41 are not barred by it"
    end
    if pathway.review_required then
      result.review_required = true
      reasons[#reasons + 1] = "the recorded identification found no victim although the facts meet s.6: review it; until then the facts call for the bar"
    elseif pathway.status == "possible" then
      result.identification_pending = true
      reasons[#reasons + 1] = "not yet formally identified: the bar rests on the screening facts; confirm the identification"
    end
    return result
  end

  if pathway.elements == "missing" then
    return {
      outcome = "undetermined", missing = pathway.missing,
      reasons = { "whether s.41 protects the person depends on whether they are a victim of trafficking, which is undetermined" },
      basis = { BASIS },
    }
  end

  return {
    outcome = "not_barred",
    reasons = { "s.41 protects victims of trafficking; on these facts the person is not one" },
    basis = { BASIS },
  }
end

return { non_punishment = non_punishment }
