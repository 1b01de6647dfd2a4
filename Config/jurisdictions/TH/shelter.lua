-- shelter.placement: ATIPA s.33 (children to child-protection shelters, adults to government or private
-- welfare centres) and the NRM's temporary stay of up to 15 days before the MDT identification interview.

local identification = require("identification")

local S33 = "TH Anti-Trafficking in Persons Act B.E. 2551 s.33"
local NRM = "TH National Referral Mechanism (approved March 2022)"

local function by_age(age, reasons, basis)
  if age < 18 then
    reasons[#reasons + 1] = "a child: a child-protection shelter (s.33)"
    return { outcome = "child_protection_shelter", reasons = reasons, basis = basis }
  end
  reasons[#reasons + 1] = "an adult: a government or private welfare centre (s.33); a private centre (ngo_shelter) is equally open"
  return { outcome = "welfare_centre", alternatives = { "ngo_shelter" }, reasons = reasons, basis = basis }
end

local function placement(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local age = facts.age
  local nrm, days_left, overdue = identification._nrm(facts, ctx)

  if pathway.outcome == "victim" then
    if age == nil then
      return { outcome = "undetermined", missing = { "age" }, reasons = { "s.33 places children and adults differently: the age is needed" }, basis = { S33 } }
    end
    local result = by_age(age, { "a victim of trafficking (" .. pathway.status .. ")" }, { S33 })
    result.status = pathway.status
    if pathway.status == "possible" and nrm and days_left ~= nil then
      result.identification_stay_days_left = days_left
      result.basis[#result.basis + 1] = NRM
      result.reasons[#result.reasons + 1] = "not yet formally identified: may stay up to 15 days in a temporary shelter before the MDT identification interview"
      if overdue then
        result.identification_overdue = true
        result.reasons[#result.reasons + 1] = "the 15 days have passed without formal identification: hold the MDT interview now; the placement continues on the screening facts (s.33)"
      end
    end
    return result
  end

  -- A person referred for identification whose status is open is a potential victim under the NRM.
  local open = pathway.elements == "missing"
  local potential = (open or pathway.outcome == "vulnerable_migrant") and facts.trafficking_status ~= "not_victim"
  if potential and nrm and days_left ~= nil then
    if overdue then
      return {
        outcome = "none", identification_overdue = true, identification_stay_days_left = 0,
        reasons = { "referred more than 15 days ago and not identified: the NRM temporary stay has ended; hold the MDT interview now" },
        basis = { NRM },
      }
    end
    if age == nil then
      return { outcome = "undetermined", missing = { "age" }, reasons = { "the temporary shelter for a child differs from an adult's: the age is needed" }, basis = { NRM, S33 } }
    end
    local result = by_age(age, {
      "referred for identification and not yet identified: a potential victim may stay up to 15 days in a temporary shelter before the MDT interview",
      "the kind of shelter follows s.33 for children and adults",
    }, { NRM, S33 })
    result.identification_stay_days_left = days_left
    return result
  end

  if open then
    return {
      outcome = "undetermined", missing = pathway.missing,
      reasons = { "s.33 shelter depends on whether the person is a victim of trafficking, which is undetermined" },
      basis = { S33 },
    }
  end

  local result = {
    outcome = "none",
    reasons = { "s.33 shelter is for victims of trafficking; on these facts the person is not one" },
    basis = { S33 },
  }
  if pathway.outcome == "vulnerable_migrant" and facts.trafficking_status ~= "not_victim" then
    result.refer_for_identification = true
    result.reasons[#result.reasons + 1] = "ILO indicators are recorded: refer for identification"
    if nrm then
      result.reasons[#result.reasons + 1] = "once referred, a potential victim may stay up to 15 days in a temporary shelter (NRM)"
      result.basis[#result.basis + 1] = NRM
    end
  end
  return result
end

return { placement = placement }
