-- legal_aid.eligibility in Thailand: legal aid for victims under ATIPA s.33-35 (and s.31 for a witness),
-- the Anti-Trafficking in Persons Fund for victim assistance, and the Justice Fund for low-income people
-- who are party to proceedings, victim or not. Only what the text says is claimed: s.33 lists "legal
-- aid"; representation in court may be opened, but it is listed in `kinds_unverified` and cited
-- [unverified] until a country team confirms that s.33 covers it.

local identification = require("identification")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local JUSTICE_FUND = "TH Justice Fund (low-income people: case costs, bail, legal advice)"
local AT_FUND = "TH Anti-Trafficking in Persons Fund (its board approves money for victim assistance)"
local REPRESENTATION = "[unverified] TH ATIPA s.33: whether \"legal aid\" includes representation in court"
local NRM = "TH National Referral Mechanism (approved March 2022)"

local function justice_fund(reason)
  return {
    outcome = "eligible",
    kinds = { "advice" },
    support = { "case_costs", "bail", "legal_advice" },
    funds = { "justice_fund" },
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
      kinds_unverified = { "representation" },
      funds = { "anti_trafficking_fund" },
      status = pathway.status,
      reasons = {
        "a victim of trafficking: legal aid is among the assistance the MSDHS shall consider, with the victim informed and their opinion sought (s.33); whether it includes representation in court is not verified",
        "where the victim expresses the intention to claim compensation, the prosecutor claims it on the victim's behalf (s.35); whether this costs the victim nothing is not verified",
        "the Anti-Trafficking in Persons Fund: its board approves money for victim assistance",
      },
      basis = { ATIPA .. "s.33", ATIPA .. "s.34", ATIPA .. "s.35", AT_FUND, REPRESENTATION },
    }
    if facts.claiming_compensation == true then
      result.reasons[#result.reasons + 1] = "a compensation claim is pending: the prosecutor pursues it on the victim's behalf"
    end
    if facts.testifying == true then
      result.early_testimony_available = true
      result.reasons[#result.reasons + 1] = "a witness: at the victim's request the prosecutor shall immediately ask the court to take their testimony before the charge is filed, and it is used at trial (s.31)"
      result.basis[#result.basis + 1] = ATIPA .. "s.31"
    end
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
        result.reasons[#result.reasons + 1] = "not yet formally identified: a possible victim on the screening facts or the recorded status; confirm the identification"
      end
    end
    if low_income == true then
      result.support = { "case_costs", "bail", "legal_advice" }
      result.funds[#result.funds + 1] = "justice_fund"
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
