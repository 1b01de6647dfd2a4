-- shelter.placement in Lao PDR. The national victim protection and referral guidelines were approved by
-- the 2021 TIP reporting period (US TIP report 2021, Laos); their placement rules are not verified here.
-- What DOMAIN gives: the Lao Women's Union runs a Centre for Counselling and Protection of Women and
-- Children and a shelter for returned victims. So a victim is placed (a child first as a child), and
-- what the guidelines say in detail stays [unverified] for a caseworker to confirm.

local identification = require("identification")
local intl_return = require("intl/return")

local LWU_SHELTER = "Lao Women's Union shelter for returned victims"
local LWU_CENTRE = "Lao Women's Union Centre for Counselling and Protection of Women and Children"
local LAW_2016 = "[unverified] LA Law on Anti-Trafficking in Persons (2016): victim-assistance and reintegration provisions (article numbers not found)"
local GUIDELINES = "[unverified] LA national victim protection and referral guidelines (approved by the 2021 TIP reporting period, US TIP report 2021): placement rules not verified"
local UNICEF = "UNICEF Guidelines on the Protection of Child Victims of Trafficking sec. 3.1.2"

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

  local pathway = identification.pathway(facts, ctx)
  if pathway.outcome == "victim" then
    local is_child, presumed = intl_return._child(facts)
    local result = {
      status = pathway.status, shelter = LWU_CENTRE, placement_to_confirm = true,
      reasons = { "a victim of trafficking (" .. pathway.status .. "): placed under the national victim protection and referral guidelines, whose placement rules are not verified: a caseworker confirms the place" },
      basis = { GUIDELINES, LAW_2016 },
    }
    if is_child then
      result.outcome = "child_protection_shelter"
      result.alternatives = { "ngo_shelter" }
      result.reasons[#result.reasons + 1] = "a child: a place for children, such as the Lao Women's Union Centre for Counselling and Protection of Women and Children"
      if presumed then
        result.age_presumed = true
        result.reasons[#result.reasons + 1] = "the age is unknown and the person appears to be under 18: presumed a child until the age is verified"
        result.basis[#result.basis + 1] = UNICEF
      end
    else
      result.outcome = "ngo_shelter"
      result.reasons[#result.reasons + 1] = "the Lao Women's Union centre serves women and children: for a man, the place the guidelines give is not known"
      if is_child == nil then
        result.age_to_verify = true
        result.alternatives = { "child_protection_shelter" }
        result.reasons[#result.reasons + 1] = "the age is unknown: verify it (record appears_under_18 if there are reasons to believe the person is a child)"
      end
    end
    return result
  end

  if pathway.elements == "missing" then
    return {
      outcome = "undetermined", missing = pathway.missing,
      reasons = { "a placement depends on whether the person is a victim of trafficking, which is undetermined" },
      basis = { GUIDELINES },
    }
  end
  local result = {
    outcome = "none",
    reasons = { "not a victim of trafficking on these facts: no placement under the victim protection guidelines" },
    basis = { GUIDELINES },
  }
  if pathway.refer_for_identification then
    result.refer_for_identification = true
    result.reasons[2] = "indicators are recorded: refer for identification"
  end
  return result
end

return { placement = placement }
