-- protection.non_punishment: ATIPA s.41, the non-punishment clause, and ACTIP art. 14(7) for acts
-- outside it. Outcome "barred" means the s.41 bar protects this person and `barred` lists the recorded
-- charges it covers (possibly none yet); `consider` lists charges outside s.41 committed as a direct
-- result of the trafficking, for the prosecutor to consider not pursuing; `not_covered` the rest.

local identification = require("identification")

local BASIS = "TH Anti-Trafficking in Persons Act B.E. 2551 s.41"
local ACTIP = "ASEAN Convention against Trafficking in Persons art. 14(7)"
-- s.41: entering, leaving or residing without permission, false information, forged travel documents,
-- certain prostitution offences, working without a permit.
local COVERED = {
  illegal_entry = true, illegal_exit = true, illegal_stay = true, false_information = true,
  forged_documents = true, prostitution = true, work_without_permit = true,
}
local EXCEPTION = "unless the Minister of Justice permits the prosecution in writing (s.41)"

local function non_punishment(facts, ctx)
  local pathway = identification.pathway(facts, ctx)

  if pathway.outcome == "victim" then
    local barred, consider, not_covered = {}, {}, {}
    local compelled = facts.compelled_offence
    for _, charge in ipairs(facts.charges or {}) do
      if COVERED[charge] then
        barred[#barred + 1] = charge
      elseif compelled == true then
        consider[#consider + 1] = charge
      else
        not_covered[#not_covered + 1] = charge
      end
    end
    local reasons = {
      "a victim of trafficking may not be prosecuted for entering, leaving or residing in Thailand without permission, false information, forged travel documents, certain prostitution offences or working without a permit",
      EXCEPTION,
    }
    local basis = { BASIS }
    local result = { status = pathway.status, reasons = reasons, basis = basis }

    if barred[1] ~= nil or consider[1] == nil and not_covered[1] == nil then
      result.outcome = "barred"
      result.barred = barred
      result.exception = "written permission of the Minister of Justice"
      if barred[1] == nil then
        reasons[#reasons + 1] = "no charge is recorded; the bar applies to any later charge among the offences s.41 lists"
      end
    elseif consider[1] ~= nil then
      result.outcome = "consider"
    elseif compelled == nil then
      result.outcome = "undetermined"
      result.missing = { "compelled_offence" }
      reasons[#reasons + 1] = "the charges are outside s.41: whether they were committed as a direct result of the trafficking decides whether the prosecutor is asked to consider not pursuing them (ACTIP art. 14(7))"
      basis[#basis + 1] = ACTIP
    else
      result.outcome = "not_barred"
    end

    for _, charge in ipairs(barred) do
      if charge == "prostitution" then
        reasons[#reasons + 1] = "s.41 covers certain prostitution offences only: check the offence charged"
        result.check_offence = { "prostitution" }
      end
    end
    if consider[1] ~= nil then
      result.consider = consider
      reasons[#reasons + 1] = "charges outside s.41 that were committed as a direct result of the trafficking (for example being made to run online scams): the prosecutor should consider not holding the victim liable for them (ACTIP art. 14(7))"
      basis[#basis + 1] = ACTIP
    end
    if not_covered[1] ~= nil then
      result.not_covered = not_covered
      reasons[#reasons + 1] = "charges outside the offences listed in s.41 are not barred by it"
      if compelled == nil and result.outcome ~= "undetermined" then
        reasons[#reasons + 1] = "record whether those charges were committed as a direct result of the trafficking (compelled_offence): if so, the prosecutor should consider not pursuing them (ACTIP art. 14(7))"
      end
    end
    if pathway.review_required then
      result.review_required = true
      reasons[#reasons + 1] = "the recorded identification found no victim although the facts meet s.6: review it; until then the facts call for the bar"
    elseif pathway.status == "possible" then
      result.identification_pending = true
      reasons[#reasons + 1] = "not yet formally identified: the bar rests on the screening facts or the recorded status; confirm the identification"
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

  local result = {
    outcome = "not_barred",
    reasons = { "s.41 protects victims of trafficking; on these facts the person is not one" },
    basis = { BASIS },
  }
  if facts.compelled_offence == true and facts.trafficking_status ~= "not_victim" then
    -- Being made to offend by traffickers is itself a sign of trafficking.
    result.refer_for_identification = true
    result.reasons[2] = "the charged acts are recorded as committed as a direct result of being trafficked: refer for identification"
  end
  return result
end

return { non_punishment = non_punishment }
