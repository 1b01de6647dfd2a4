-- legal_aid.eligibility in Thailand: legal aid for victims under ATIPA s.33-35; the Justice Fund for
-- low-income people who are party to proceedings, victim or not.

local identification = require("identification")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local JUSTICE_FUND = "TH Justice Fund (low-income people: case costs, bail, legal advice)"
local NRM = "TH National Referral Mechanism (approved March 2022)"

local function justice_fund(reason)
  return {
    outcome = "eligible",
    kinds = { "advice" },
    support = { "case_costs", "bail", "legal_advice" },
    reasons = { reason, "low income and party to proceedings: the Justice Fund supports case costs, bail and legal advice" },
    basis = { JUSTICE_FUND },
  }
end

local function eligibility(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local low_income, party = facts.low_income, facts.party_to_proceedings

  if pathway.outcome == "victim" then
    local result = {
      outcome = "eligible",
      kinds = { "advice", "representation", "compensation_claim" },
      status = pathway.status,
      reasons = {
        "a victim of trafficking: legal aid is among the assistance the MSDHS provides (s.33); read here as advice and representation",
        "the prosecutor claims compensation on the victim's behalf, at no cost to the victim (s.35)",
      },
      basis = { ATIPA .. "s.33", ATIPA .. "s.34", ATIPA .. "s.35" },
    }
    local informed = facts.informed_of_rights
    if informed ~= true then
      result.inform_of_rights_required = true
      result.reasons[#result.reasons + 1] = informed == false
        and "the victim has not been informed of the rights to compensation and legal aid: s.34 requires the inquiry official or prosecutor to do so at the first opportunity"
        or "it is not recorded that the victim was informed of the rights to compensation and legal aid, which s.34 requires at the first opportunity"
    end
    if pathway.status == "possible" then
      result.identification_pending = true
      if identification._nrm(facts, ctx) then
        result.reasons[#result.reasons + 1] = "not yet formally identified: formal MDT identification opens the full range of services (NRM)"
        result.basis[#result.basis + 1] = NRM
      else
        result.reasons[#result.reasons + 1] = "not yet formally identified: the screening facts meet s.6, confirm the identification"
      end
    end
    if low_income == true then
      result.support = { "case_costs", "bail", "legal_advice" }
      result.reasons[#result.reasons + 1] = "low income: the Justice Fund can also meet case costs, bail and legal advice"
      result.basis[#result.basis + 1] = JUSTICE_FUND
    end
    return result
  end

  local open = pathway.elements == "missing"
  if low_income == true and party == true then
    if open then
      return justice_fund("victim status undetermined: more legal aid may follow once it is decided")
    end
    return justice_fund("not a victim of trafficking on these facts: ATIPA legal aid does not apply")
  end

  if open then
    local missing = {}
    for i, fact in ipairs(pathway.missing) do missing[i] = fact end
    if low_income ~= false and party ~= false then
      if low_income == nil then missing[#missing + 1] = "low_income" end
      if party == nil then missing[#missing + 1] = "party_to_proceedings" end
    end
    return {
      outcome = "undetermined", missing = missing,
      reasons = { "victim status undetermined: ATIPA legal aid depends on it; the Justice Fund on low income and proceedings" },
      basis = { ATIPA .. "s.33", JUSTICE_FUND },
    }
  end

  if low_income == false or party == false then
    return {
      outcome = "not_eligible",
      reasons = {
        "not a victim of trafficking on these facts: ATIPA legal aid does not apply",
        low_income == false and "not low income: the Justice Fund does not apply"
          or "not a party to proceedings: the Justice Fund supports case costs, bail and legal advice in a case",
      },
      basis = { ATIPA .. "s.33", JUSTICE_FUND },
    }
  end

  local missing = {}
  if low_income == nil then missing[#missing + 1] = "low_income" end
  if party == nil then missing[#missing + 1] = "party_to_proceedings" end
  return {
    outcome = "undetermined", missing = missing,
    reasons = { "not a victim of trafficking on these facts: only the Justice Fund could apply, which needs low income and a case" },
    basis = { JUSTICE_FUND },
  }
end

return { eligibility = eligibility }
