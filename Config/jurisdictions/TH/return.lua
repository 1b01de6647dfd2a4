-- return.route and return.steps from Thailand. return.packet is inherited from intl.
-- A push back (return across the border without official notice) is never an outcome here: it is a
-- harm to record and flag, not a route.

local identification = require("identification")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local S29 = "[unverified] TH ATIPA s.29 (custody for identification)"
local S37 = "[unverified] TH ATIPA s.37 (temporary permission to stay and work)"
local S38 = "[unverified] TH ATIPA s.38 (return of alien victims to their country of origin)"
local S54 = "TH Immigration Act B.E. 2522 s.54"
local NRM = "TH National Referral Mechanism (approved March 2022)"
local MOU = "Lao-Thai MOU on cooperation to combat trafficking in persons (2005)"
local SOP_LA = "[unverified] Lao-Thai SOP for the return of Lao victims from Thailand (text not public)"
local IOM_CONSENT = "IOM Data Protection Manual: transfer to third parties only with explicit consent, for a specified purpose"
local WHO = "WHO ethical recommendations: do no harm; respect the person's own risk assessment"
local NOTICE = "[unverified] official notice to the country of origin: no provision in DOMAIN; returns without notice are push backs (US TIP report 2016, Laos)"

-- Who receives a returned victim, by destination. Only what DOMAIN names.
local RECEIVING = { LA = "Lao Women's Union" }

local function hold(facts, ctx, reasons)
  local nrm, days_left, overdue = identification._nrm(facts, ctx)
  local result = { outcome = "hold", reasons = reasons, basis = { S29 } }
  reasons[#reasons + 1] = "no return while identification runs"
  if nrm then
    result.basis[#result.basis + 1] = NRM
    if days_left ~= nil then
      result.identification_stay_days_left = days_left
      if overdue then
        result.identification_overdue = true
        reasons[#reasons + 1] = "referred more than 15 days ago and not identified: hold the MDT interview now"
      end
    end
  end
  if facts.days_since_referral == nil then
    result.refer_for_identification = true
    reasons[#reasons + 1] = "not referred for identification yet: refer"
  end
  return result
end

local function route(facts, ctx)
  local pathway = identification.pathway(facts, ctx)
  local outcome = pathway.outcome

  if outcome == "victim" then
    if pathway.status ~= "actual" then
      if pathway.review_required then
        local result = hold(facts, ctx, { "the recorded identification found no victim although the facts meet s.6: review it before any return" })
        result.review_required = true
        return result
      end
      return hold(facts, ctx, { "a possible victim, not yet formally identified" })
    end
    local testifying, claiming = facts.testifying == true, facts.claiming_compensation == true
    if testifying or claiming then
      local result = { outcome = "stay", stay_grounds = {}, reasons = {}, basis = { S37 } }
      if testifying then
        result.stay_grounds[#result.stay_grounds + 1] = "testifying"
        result.reasons[#result.reasons + 1] = "a witness in an ongoing prosecution: temporary permission to stay"
      end
      if claiming then
        result.stay_grounds[#result.stay_grounds + 1] = "claiming_compensation"
        result.reasons[#result.reasons + 1] = "a compensation claim is pending (the prosecutor claims it on the victim's behalf, s.35): temporary permission to stay"
        result.basis[#result.basis + 1] = ATIPA .. "s.35"
      end
      return result
    end
    local wish = facts.wishes_to_return
    if wish == true then
      local result = {
        outcome = "repatriation_as_victim",
        reasons = { "an identified victim who wishes to return and is neither testifying nor claiming compensation: return to the country of origin is among the assistance of s.33, with the victim informed and their opinion sought" },
        basis = { ATIPA .. "s.33", S38 },
      }
      if facts.origin == "LA" then
        result.basis[#result.basis + 1] = MOU
        result.reasons[#result.reasons + 1] = "a Lao victim: the return follows the Lao-Thai MOU"
      end
      local risk = facts.return_risk
      if risk == "high" or risk == nil then
        -- DOMAIN gives no rule that stops a return for risk; the route stands and the flag asks for the assessment.
        result.risk_assessment_required = true
        result.reasons[#result.reasons + 1] = risk == "high"
          and "high risk on return: assess the risk with the person before any step of the return"
          or "no return risk recorded: assess it with the person before any step of the return"
      end
      return result
    end
    if wish == false then
      return {
        outcome = "stay", stay_grounds = { "does_not_wish_to_return" },
        reasons = { "the victim does not wish to return: s.33 requires their opinion to be sought; s.37 allows a temporary stay" },
        basis = { ATIPA .. "s.33", S37 },
      }
    end
    return {
      outcome = "undetermined", missing = { "wishes_to_return" },
      reasons = { "an identified victim: their opinion on returning must be sought before a route is chosen (s.33)" },
      basis = { ATIPA .. "s.33" },
    }
  end

  if pathway.elements == "missing" then
    local result = hold(facts, ctx, { "victim status undetermined: screening must be completed before any return" })
    result.screening_missing = pathway.missing
    return result
  end
  if outcome == "vulnerable_migrant" and facts.trafficking_status ~= "not_victim" then
    return hold(facts, ctx, { "ILO indicators support reasonable grounds: identify before any return" })
  end

  -- Not a victim of trafficking.
  if pathway.national then
    return {
      outcome = "stay", stay_grounds = { "national" },
      reasons = { "a national of the country: there is no return; s.54 applies to aliens only" },
      basis = { S54 },
    }
  end
  local entry = facts.entry
  if entry == "irregular" then
    local result = {
      outcome = "deportation",
      reasons = {
        "not a victim of trafficking on these facts and entered without permission: to be deported, and may be detained or required to report meanwhile",
        "deportation with official notice to the country of origin, never a push back",
      },
      basis = { S54 },
    }
    if facts.testifying == true then
      result.witness = true
      result.reasons[#result.reasons + 1] = "a witness in an ongoing prosecution: coordinate with the prosecutor before deportation"
    end
    return result
  end
  if entry == "regular" then
    local wish = facts.wishes_to_return
    if wish == nil then
      return {
        outcome = "undetermined", missing = { "wishes_to_return" },
        reasons = { "entered regularly: whether the person returns is their choice" },
        basis = { S54 },
      }
    end
    local result = {
      outcome = wish and "voluntary_return" or "stay",
      reasons = {
        wish and "entered regularly and wishes to return: a voluntary return" or "entered regularly and does not wish to return: no return",
        "s.54 applies to entry or stay without permission: check that the permission to stay has not expired or been revoked",
      },
      basis = { S54 },
    }
    if not wish then result.stay_grounds = { "lawfully_present" } end
    return result
  end
  return {
    outcome = "undetermined", missing = { "entry" },
    reasons = { "not a victim of trafficking on these facts: s.54 deportation depends on entry or stay without permission" },
    basis = { S54 },
  }
end

local function step(id, label, actor, basis)
  return { id = id, label = label, actor = actor, basis = basis }
end

local function steps(facts, ctx)
  local chosen, decided = facts.route, nil
  if chosen == nil then
    decided = route(facts, ctx)
    if decided.outcome == "undetermined" then
      return { outcome = "undetermined", missing = decided.missing, reasons = decided.reasons, basis = decided.basis }
    end
    chosen = decided.outcome
  end
  local from, to = facts.country or ctx.jurisdiction, facts.origin
  local result = { outcome = "steps", route = chosen, from = from, to = to, reasons = {}, basis = {} }

  if chosen == "hold" then
    local nrm = identification._nrm(facts, ctx)
    result.steps = { step("identification_interview", "MDT identification interview; no return meanwhile", "MDT", { nrm and NRM or S29 }) }
    result.reasons[1] = "no return while identification runs"
    return result
  end
  if chosen == "stay" then
    local ground = decided and decided.stay_grounds[1]
    if ground == "national" or ground == "lawfully_present" then
      result.steps = {}
      result.reasons[1] = "no return and no permission needed: " .. decided.reasons[1]
      return result
    end
    result.steps = { step("permission_to_stay", "Temporary permission to stay and work", "Immigration Bureau", { S37 }) }
    if facts.claiming_compensation == true then
      result.steps[2] = step("compensation_claim", "Compensation claimed by the prosecutor on the victim's behalf, at no cost", "Office of the Attorney General", { ATIPA .. "s.35" })
    end
    result.reasons[1] = "no return: the person stays"
    return result
  end

  if to == nil then
    return { outcome = "undetermined", missing = { "origin" }, reasons = { "a return needs the country it goes to" }, basis = {} }
  end
  if from ~= "TH" then
    result.steps = {}
    result.reasons[1] = "this pack knows only returns from Thailand"
    return result
  end
  local receiving = RECEIVING[to]
  local sop = to == "LA" and SOP_LA or "[unverified] no return procedure with " .. to .. " in DOMAIN"
  local reception_actor = receiving or "receiving agency of " .. to .. " (not named in DOMAIN)"

  if chosen == "repatriation_as_victim" then
    local handover_basis = to == "LA" and { MOU, sop } or { S38, sop }
    result.steps = {
      step("risk_assessment", "Assess the risks of return with the person, including re-trafficking", "MSDHS", { sop, WHO }),
      step("family_tracing", "Trace the family and assess the home environment", "MSDHS with " .. reception_actor, { sop }),
      step("travel_documents", "Obtain travel documents", "MSDHS", { sop, S38 }),
      step("consent", "Record the person's consent to return and to the transfer of the return packet", "MSDHS", { ATIPA .. "s.33", IOM_CONSENT }),
      step("handover_at_border", "Official handover at the border with prior notice; never a push back", "MSDHS and " .. reception_actor, handover_basis),
      step("reception", "Reception, counselling and protection", reception_actor, { sop }),
      step("reintegration_follow_up", "Reintegration and follow-up", reception_actor, { sop }),
    }
    result.receiving_agency = receiving
    result.basis = handover_basis
    result.reasons[1] = to == "LA"
      and "the Lao-Thai return SOP is not public: these steps follow what is known of it and must be checked against it"
      or "no return procedure with " .. to .. " is known: the steps are the general ones, and the receiving agency must be named"
    return result
  end
  if chosen == "deportation" then
    result.steps = {
      step("screening_confirmed", "Confirm screening found no trafficking: a smuggled or irregular migrant can also be a victim", "Immigration Bureau", { ATIPA .. "s.6(1)" }),
      step("detention_or_reporting", "Detention or reporting while the deportation is arranged", "Immigration Bureau", { S54 }),
      step("travel_documents", "Obtain travel documents", "Immigration Bureau", { S54 }),
      step("notification_to_origin", "Official notice to the authorities of " .. to, "Immigration Bureau", { NOTICE }),
      step("handover_at_border", "Official handover to the authorities of " .. to .. "; never a push back", "Immigration Bureau", { S54 }),
    }
    result.basis = { S54 }
    result.reasons[1] = "deportation under s.54, with official notice and handover, never a push back"
    return result
  end
  -- voluntary_return
  result.steps = {
    step("consent", "Record the person's consent to the transfer of the return packet", "caseworker", { IOM_CONSENT }),
    step("travel_documents", "Travel documents and travel", "the person, with the caseworker", { "[unverified] no procedure for voluntary return in DOMAIN" }),
  }
  result.basis = { IOM_CONSENT }
  result.reasons[1] = "a voluntary return of a person not found to be a victim: only the consent to share data is a rule here"
  return result
end

return { route = route, steps = steps }
