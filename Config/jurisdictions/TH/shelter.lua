-- shelter.placement: ATIPA s.33 (children to child-protection shelters, adults to government or private
-- welfare centres) and the NRM's temporary stay of up to 15 days before the MDT identification interview.
-- The 15 days bind how long the state may take before the interview: nothing ends a potential victim's
-- placement when the interview is late. Help never waits for the age: a person who appears to be under
-- 18 is presumed a child; a victim of unknown age is placed provisionally while the age is verified.

local identification = require("identification")
local intl_return = require("intl/return")

local S33 = "TH Anti-Trafficking in Persons Act B.E. 2551 s.33"
local NRM = "TH National Referral Mechanism (approved March 2022)"
local UNICEF = "UNICEF Guidelines on the Protection of Child Victims of Trafficking sec. 3.1.2"

local function by_age(facts, reasons, basis)
  local is_child, presumed = intl_return._child(facts)
  if is_child then
    local result = { outcome = "child_protection_shelter", reasons = reasons, basis = basis }
    if presumed then
      result.age_presumed = true
      reasons[#reasons + 1] = "the age is unknown and the person appears to be under 18: presumed a child until the age is verified; a child-protection shelter (s.33)"
      basis[#basis + 1] = UNICEF
    else
      reasons[#reasons + 1] = "a child: a child-protection shelter (s.33)"
    end
    return result
  end
  if is_child == nil then
    reasons[#reasons + 1] = "the age is unknown: placed now in a welfare centre, government or private, while the age is verified; if there are reasons to believe the person is a child, record appears_under_18 for a child-protection shelter"
    return { outcome = "welfare_centre", alternatives = { "ngo_shelter", "child_protection_shelter" }, age_to_verify = true, reasons = reasons, basis = basis }
  end
  reasons[#reasons + 1] = "an adult: a government or private welfare centre (s.33); a private centre (ngo_shelter) is equally open"
  return { outcome = "welfare_centre", alternatives = { "ngo_shelter" }, reasons = reasons, basis = basis }
end

-- The NRM temporary stay: days left before the interview, or the interview overdue (placement continues).
local function temporary_stay(result, days_left, overdue)
  result.basis[#result.basis + 1] = NRM
  if overdue then
    result.identification_overdue = true
    result.reasons[#result.reasons + 1] = "the 15 days have passed without the MDT identification interview: hold it now; the 15 days bind the interview, not the person's stay, so the placement continues"
  else
    result.identification_stay_days_left = days_left
    result.reasons[#result.reasons + 1] = "not yet formally identified: the MDT identification interview is due within 15 days of the referral"
  end
end

local function placement(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local nrm, days_left, overdue = identification._nrm(facts, ctx)

  if pathway.outcome == "victim" then
    local result = by_age(facts, { "a victim of trafficking (" .. pathway.status .. ")" }, { S33 })
    result.status = pathway.status
    if pathway.status == "possible" and nrm and days_left ~= nil then
      temporary_stay(result, days_left, overdue)
    end
    return result
  end

  -- A person referred for identification whose status is open is a potential victim under the NRM.
  local open = pathway.elements == "missing"
  local potential = (open or pathway.outcome == "vulnerable_migrant") and facts.trafficking_status ~= "not_victim"
  if potential and nrm and days_left ~= nil then
    local result = by_age(facts, {
      "referred for identification and not yet identified: a potential victim may stay in a temporary shelter until the MDT interview",
      "the kind of shelter follows s.33 for children and adults",
    }, { NRM, S33 })
    result.potential_victim = true
    temporary_stay(result, days_left, overdue)
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
      result.reasons[#result.reasons + 1] = "once referred, a potential victim may stay in a temporary shelter until the MDT interview (NRM)"
      result.basis[#result.basis + 1] = NRM
    end
  end
  return result
end

return { placement = placement }
