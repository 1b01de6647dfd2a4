-- return.route and return.steps from Thailand. return.packet is inherited from intl.
-- A push back (return across the border without official notice) is never an outcome here: it is a
-- harm to record and flag, not a route.
-- The person's wish counts: no rule keeps a victim who wishes to return only because a case or claim is
-- open (s.31 early testimony and the s.35 claim let the case go on without them). Every hold says what
-- it waits for (`hold_reasons`) and rests on the NRM, s.33 and Palermo art. 8(2), not on the s.29
-- custody power (24 hours, up to 7 days with a court order [unverified]), which is not cited.

local identification = require("identification")
local intl = require("intl/identification")
local intl_return = require("intl/return")
local contains, cite = intl._contains, intl._cite

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local S31 = ATIPA .. "s.31"
local S33 = ATIPA .. "s.33"
local S35 = ATIPA .. "s.35"
local S38 = "[unverified] TH ATIPA s.38 (return of alien victims to their country of origin)"
local S54 = "TH Immigration Act B.E. 2522 s.54"
local NRM = "TH National Referral Mechanism (approved March 2022)"
local CABINET_2016 = "TH Cabinet Resolution of 13 December 2016 (victims and witnesses may stay and work legally, also after their case ends)"
local MOU = "Lao-Thai MOU on cooperation to combat trafficking in persons (2005)"
local MOU_CHILDREN = "TH MOU on the Determination of Measures and Approaches Alternative to Detention of Children in Immigration Detention Centres (21 January 2019)"
local SOP_LA = "[unverified] Lao-Thai SOP for the return of Lao victims from Thailand (text not public)"
local P8 = "Palermo Protocol art. 8(2)"
local P8_STATES = "Palermo Protocol art. 8 (binds the State of nationality or of permanent residence)"
local ACTIP15 = "ASEAN Convention against Trafficking in Persons art. 15"
local CRC = "Convention on the Rights of the Child art. 3"
local IOM_CONSENT = "IOM Data Protection Manual: transfer to third parties only with explicit consent, for a specified purpose"
local WHO = "WHO ethical recommendations: do no harm; respect the person's own risk assessment"
local NOTICE = "[unverified] official notice to the country of origin: no provision in DOMAIN; returns without notice are push backs (US TIP report 2016, Laos)"
local SAFETY = { P8, ACTIP15 }

-- Who receives a returned victim, by destination. Only what DOMAIN names.
local RECEIVING = { LA = "Lao Women's Union" }

-- A hold: what it waits for, why, and on what basis. Identification holds carry the NRM fields.
-- `victim`: the person is or may be a victim, so the return is one of s.33 with due regard for their
-- safety and any proceedings (Palermo art. 8(2)).
local function hold(facts, ctx, holds, result, victim)
  result.outcome = "hold"
  result.hold_reasons = holds
  if victim then
    cite(result.basis, S33)
    cite(result.basis, P8)
  end
  if contains(holds, "identification") or contains(holds, "review") then
    local nrm, days_left, overdue = identification._nrm(facts, ctx)
    if nrm then
      cite(result.basis, NRM)
      if days_left ~= nil and not overdue then
        result.identification_stay_days_left = days_left
      elseif overdue then
        result.identification_overdue = true
        result.reasons[#result.reasons + 1] = "referred more than 15 days ago and not identified: hold the MDT interview now; the 15 days bind the interview, not the person's stay"
      end
    end
    if facts.days_since_referral == nil then
      result.refer_for_identification = true
      result.reasons[#result.reasons + 1] = "not referred for identification yet: refer"
    end
  end
  if facts.stateless == true then
    result.stateless = true
    result.reasons[#result.reasons + 1] = "stateless: never deported, as no State is bound to receive the person"
    cite(result.basis, P8_STATES)
  end
  return result
end

local function new(reasons, basis)
  return { reasons = reasons or {}, basis = basis or {} }
end

-- A route for an identified (actual) victim.
local function victim_route(facts, ctx, is_child, presumed)
  local here = facts.country or ctx.jurisdiction
  local testifying, claiming = facts.testifying == true, facts.claiming_compensation == true
  local stateless_nowhere = facts.stateless == true
    and (facts.permanent_resident_of == nil or facts.permanent_resident_of == here)

  if is_child then
    if facts.best_interests_determination == "stay" then
      return {
        outcome = "stay", stay_grounds = { "best_interests" },
        reasons = { "the best-interests determination decided that the child stays: victims may stay and work legally in Thailand" },
        basis = { CRC, CABINET_2016 },
      }
    end
  else
    local wish = facts.wishes_to_return
    if wish == nil then
      return {
        outcome = "undetermined", missing = { "wishes_to_return" },
        reasons = { "an identified victim: their opinion on returning must be sought before a route is chosen (s.33)" },
        basis = { S33 },
      }
    end
    if wish == false then
      local result = {
        outcome = "stay", stay_grounds = { "does_not_wish_to_return" },
        reasons = { "the victim does not wish to return: their opinion is sought (s.33), and victims and witnesses may stay and work legally in Thailand, also after their case ends (Cabinet Resolution of 13 December 2016)" },
        basis = { S33, CABINET_2016 },
      }
      if testifying then result.stay_grounds[#result.stay_grounds + 1] = "testifying" end
      if claiming then result.stay_grounds[#result.stay_grounds + 1] = "claiming_compensation" end
      return result
    end
  end

  local result = new()
  local holds = intl_return._pending(facts, is_child, presumed, SAFETY, result)
  if holds[1] ~= nil then return hold(facts, ctx, holds, result, true) end

  if stateless_nowhere then
    return {
      outcome = "stay", stay_grounds = { "stateless" }, stateless = true,
      reasons = {
        "stateless, with no State of permanent residence: no State is bound to receive the person, so a return cannot be arranged under Palermo art. 8",
        "victims may stay and work legally in Thailand (Cabinet Resolution of 13 December 2016) while a State willing to receive them is sought",
      },
      basis = { P8_STATES, CABINET_2016 },
    }
  end

  result.outcome = "repatriation_as_victim"
  result.reasons[#result.reasons + 1] = is_child
    and "the best-interests determination decided for return and a guardian is appointed; the child's views are part of that determination"
    or "an identified victim who wishes to return: return to the country of origin is among the assistance of s.33, with the victim informed and their opinion sought"
  result.basis = { S33, S38, P8 }
  if is_child then cite(result.basis, CRC) end
  if facts.stateless == true then
    result.stateless = true
    result.reasons[#result.reasons + 1] = "stateless: the return is to the State of permanent residence, which Palermo art. 8 binds to receive the person"
    cite(result.basis, P8_STATES)
  end
  if facts.origin == "LA" then
    cite(result.basis, MOU)
    result.reasons[#result.reasons + 1] = "a Lao victim: the return follows the Lao-Thai MOU"
  end
  if testifying or claiming then
    result.proceedings_continue = {}
    if testifying then
      result.proceedings_continue[#result.proceedings_continue + 1] = "early_testimony"
      cite(result.basis, S31)
      if facts.early_testimony_taken ~= true then
        result.early_testimony_required = true
        result.reasons[#result.reasons + 1] = "a witness who wishes to go home: at their request the prosecutor shall immediately ask the court to take their testimony before the charge is filed, and it is used at trial (s.31); take it before the handover"
      else
        result.reasons[#result.reasons + 1] = "the witness's testimony was taken in advance (s.31): the prosecution goes on without them"
      end
    end
    if claiming then
      result.proceedings_continue[#result.proceedings_continue + 1] = "claim_by_prosecutor"
      cite(result.basis, S35)
      result.reasons[#result.reasons + 1] = "the prosecutor claims compensation on the victim's behalf (s.35); nothing found requires the victim to stay for it"
    end
    result.reasons[#result.reasons + 1] = "they may instead choose to stay: victims and witnesses may stay and work legally (Cabinet Resolution of 13 December 2016)"
  end
  if facts.return_risk == nil then
    -- No rule stops a return for an unassessed risk; the flag asks for the assessment.
    result.risk_assessment_required = true
    result.reasons[#result.reasons + 1] = "no return risk recorded: assess it with the person before any step of the return"
  elseif facts.return_risk == "high" then
    result.reasons[#result.reasons + 1] = "high risk on return: the safety plan is recorded"
  end
  return result
end

local function route(facts, ctx)
  local here = facts.country or ctx.jurisdiction
  local is_child, presumed = intl_return._child(facts)

  -- A Thai national or permanent resident has no return, victim or not (review F16).
  if contains(facts.citizenship, here) then
    return {
      outcome = "stay", stay_grounds = { "national" },
      reasons = { "a national of the country: there is no return; s.54 applies to aliens only" },
      basis = { S54 },
    }
  end
  if facts.permanent_resident_of == here then
    return {
      outcome = "stay", stay_grounds = { "permanent_resident" },
      reasons = { "a permanent resident of the country: there is no return; s.54 applies to entry or stay without permission" },
      basis = { S54 },
    }
  end

  local pathway = identification.pathway(facts, ctx)
  local outcome = pathway.outcome

  if outcome == "victim" then
    if pathway.status ~= "actual" then
      local result = new()
      local holds = { "identification" }
      if pathway.review_required then
        holds[2] = "review"
        result.review_required = true
        result.reasons[1] = "the recorded identification found no victim although the facts meet s.6: review it before any return"
      else
        result.reasons[1] = "a possible victim, not yet formally identified: no return while identification runs"
      end
      local safety = facts.wishes_to_return ~= false and SAFETY or nil
      for _, h in ipairs(intl_return._pending(facts, is_child, presumed, safety, result)) do holds[#holds + 1] = h end
      return hold(facts, ctx, holds, result, true)
    end
    return victim_route(facts, ctx, is_child, presumed)
  end

  if pathway.elements == "missing" then
    local result = hold(facts, ctx, { "identification" }, new({ "victim status undetermined: screening must be completed before any return" }), true)
    result.screening_missing = pathway.missing
    return result
  end
  if outcome == "vulnerable_migrant" and facts.trafficking_status ~= "not_victim" then
    return hold(facts, ctx, { "identification" }, new({ "ILO indicators support reasonable grounds: identify before any return" }), true)
  end

  -- Not a victim of trafficking.
  local entry = facts.entry
  local wish = facts.wishes_to_return
  if entry ~= "irregular" and entry ~= "regular" then
    return {
      outcome = "undetermined", missing = { "entry" },
      reasons = { "not a victim of trafficking on these facts: s.54 deportation depends on entry or stay without permission" },
      basis = { S54 },
    }
  end
  if entry == "regular" and wish == nil then
    return {
      outcome = "undetermined", missing = { "wishes_to_return" },
      reasons = { "entered regularly: whether the person returns is their choice" },
      basis = { S54 },
    }
  end
  if entry == "regular" and wish == false then
    return {
      outcome = "stay", stay_grounds = { "lawfully_present" },
      reasons = {
        "entered regularly and does not wish to return: no return",
        "s.54 applies to entry or stay without permission: check that the permission to stay has not expired or been revoked",
      },
      basis = { S54 },
    }
  end

  -- A return of a non-victim: a child's needs a best-interests determination and a guardian first.
  if is_child and facts.best_interests_determination == "stay" then
    return {
      outcome = "stay", stay_grounds = { "best_interests" },
      reasons = { "the best-interests determination decided that the child stays", "no Thai provision on the child's permission to stay is encoded: a legal officer confirms the basis" },
      basis = { CRC, "[unverified] TH permission to stay for a child after a best-interests determination: no provision in DOMAIN" },
    }
  end
  local result = new()
  -- The safety-plan hold rests on the return of victims (Palermo art. 8(2)); for others a high risk is flagged below.
  local holds = intl_return._pending(facts, is_child, presumed, nil, result)
  if entry == "irregular" and facts.stateless == true then
    holds[#holds + 1] = "review"
    result.reasons[#result.reasons + 1] = "stateless and not a victim: s.54 applies on its face, but no State is bound to receive the person, so no deportation; a legal officer reviews the case"
    cite(result.basis, S54)
  end
  if holds[1] ~= nil then return hold(facts, ctx, holds, result, false) end

  if entry == "regular" then
    result.outcome = "voluntary_return"
    result.reasons[#result.reasons + 1] = "entered regularly and wishes to return: a voluntary return"
    result.basis = { S54 }
    if is_child then cite(result.basis, CRC) end
  else
    result.outcome = "deportation"
    result.reasons[#result.reasons + 1] = "not a victim of trafficking on these facts and entered without permission: to be deported, with official notice to the country of origin, never a push back"
    result.basis = { S54 }
    if is_child then
      -- Children are not held in immigration detention (MOU 2019).
      result.custody = "reporting"
      result.reasons[#result.reasons + 1] = "a child: never immigration detention while the return is arranged; reporting with the guardian"
      cite(result.basis, MOU_CHILDREN)
      cite(result.basis, CRC)
    else
      -- s.54 allows detention or reporting; reporting is the default, detention needs its own decision.
      result.custody = "reporting"
      result.custody_alternatives = { "detention" }
      result.reasons[#result.reasons + 1] = "s.54 allows detention or reporting while the deportation is arranged: reporting unless detention is separately decided"
    end
    if facts.testifying == true then
      result.witness = true
      result.reasons[#result.reasons + 1] = "a witness in an ongoing prosecution: coordinate with the prosecutor before deportation"
    end
  end
  if facts.return_risk == "high" then
    result.risk_assessment_required = true
    result.reasons[#result.reasons + 1] = "high risk of harm or re-trafficking on return: screen again for trafficking before the return"
  end
  return result
end

local function step(id, label, actor, basis)
  return { id = id, label = label, actor = actor, basis = basis }
end

-- A step a caseworker completes by recording a fact: the return plugin marks it done only once the case's
-- `fact` holds one of `values` (so the step and what it needs are both stated here, in the pack).
local function done_when(s, fact, values)
  s.done_when = { [fact] = values }
  return s
end

-- A step that shares the person's data with others: only after the consent step.
local function shared(s)
  s.needs_consent = true
  return s
end

-- The steps that complete each hold reason (a caseworker records the fact named in the label).
local function hold_steps(facts, ctx, holds, steps)
  for _, h in ipairs(holds) do
    if h == "identification" then
      local nrm = identification._nrm(facts, ctx)
      steps[#steps + 1] = step("identification_interview", "MDT identification interview; no return meanwhile", "MDT", { nrm and NRM or S33, P8 })
    elseif h == "review" then
      steps[#steps + 1] = step("review", "A legal officer reviews the case before any return", "MDT", { P8 })
    elseif h == "best_interests" then
      steps[#steps + 1] = done_when(step("best_interests_determination", "Best-interests determination on the child's return", "MSDHS", { CRC }),
        "best_interests_determination", { "return", "stay" })
    elseif h == "guardian" then
      steps[#steps + 1] = done_when(step("guardian", "Appoint a guardian for the child", "MSDHS", { CRC }), "guardian_appointed", { true })
    elseif h == "safety_plan" then
      steps[#steps + 1] = done_when(step("safety_plan", "Risk assessment and safety plan for the return", "MSDHS", { P8, ACTIP15, WHO }),
        "safety_plan", { true })
    end
  end
  return steps
end

local function steps(facts, ctx)
  local decided = route(facts, ctx)
  local chosen = facts.route
  if chosen == nil then
    if decided.outcome == "undetermined" then
      return { outcome = "undetermined", missing = decided.missing, reasons = decided.reasons, basis = decided.basis }
    end
    chosen = decided.outcome
  end
  local from, to = facts.country or ctx.jurisdiction, facts.origin
  local result = { outcome = "steps", route = chosen, from = from, to = to, reasons = {}, basis = {} }
  local is_child, presumed = intl_return._child(facts)

  if chosen == "hold" then
    local holds = decided.outcome == "hold" and decided.hold_reasons or { "identification" }
    result.hold_reasons = holds
    result.steps = hold_steps(facts, ctx, holds, {})
    result.reasons[1] = "no return until what the hold waits for is done"
    return result
  end
  if chosen == "stay" then
    local ground = decided.outcome == "stay" and decided.stay_grounds[1] or nil
    if ground == "national" or ground == "permanent_resident" or ground == "lawfully_present" then
      result.steps = {}
      result.reasons[1] = "no return and no permission needed: " .. decided.reasons[1]
      return result
    end
    -- A decided stay names its basis; a stay given as a fact is taken as a victim's or witness's.
    local basis = decided.outcome == "stay" and decided.basis or { CABINET_2016 }
    result.steps = { step("permission_to_stay", "Permission to stay (and work, for a victim or witness)", "Immigration Bureau", basis) }
    if facts.claiming_compensation == true then
      result.steps[2] = step("compensation_claim", "Compensation claimed by the prosecutor on the victim's behalf", "Office of the Attorney General", { S35 })
    end
    result.reasons[1] = "no return: the person stays"
    result.basis = basis
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

  -- Whatever a return still waits for comes first (when the route was given rather than decided).
  local before = new()
  local open = intl_return._pending(facts, is_child, presumed, chosen == "repatriation_as_victim" and SAFETY or nil, before)
  local list = hold_steps(facts, ctx, open, {})
  if open[1] ~= nil then
    result.pending = open
    result.reasons[#result.reasons + 1] = "the return waits for: " .. table.concat(open, ", ")
  end

  if chosen == "repatriation_as_victim" then
    local handover_basis = to == "LA" and { MOU, sop } or { S38, sop }
    list[#list + 1] = step("consent", "Record the person's consent to return and to the transfer of the return packet", "MSDHS", { S33, IOM_CONSENT })
    list[#list + 1] = step("risk_assessment", "Assess the risks of return with the person, including re-trafficking", "MSDHS", { sop, WHO, P8 })
    if facts.testifying == true and facts.early_testimony_taken ~= true then
      result.early_testimony_required = true
      list[#list + 1] = done_when(step("early_testimony", "The prosecutor asks the court to take the victim's testimony before the charge is filed, at the victim's request", "Office of the Attorney General", { S31 }),
        "early_testimony_taken", { true })
    end
    if facts.claiming_compensation == true then
      list[#list + 1] = step("compensation_claim", "Compensation claimed by the prosecutor on the victim's behalf; it goes on after the return", "Office of the Attorney General", { S35 })
    end
    list[#list + 1] = shared(step("family_tracing", "Trace the family and assess the home environment", "MSDHS with " .. reception_actor, { sop, IOM_CONSENT }))
    list[#list + 1] = shared(step("travel_documents", "Obtain travel documents", "MSDHS", { sop, S38 }))
    list[#list + 1] = shared(step("handover_at_border", "Official handover at the border with prior notice; never a push back", "MSDHS and " .. reception_actor, handover_basis))
    list[#list + 1] = step("reception", "Reception, counselling and protection", reception_actor, { sop })
    list[#list + 1] = step("reintegration_follow_up", "Reintegration and follow-up", reception_actor, { sop })
    result.steps = list
    result.receiving_agency = receiving
    result.basis = handover_basis
    result.reasons[#result.reasons + 1] = to == "LA"
      and "the Lao-Thai return SOP is not public: these steps follow what is known of it and must be checked against it"
      or "no return procedure with " .. to .. " is known: the steps are the general ones, and the receiving agency must be named"
    result.reasons[#result.reasons + 1] = "consent first: no data is shared (family tracing, travel documents, handover) before it is recorded"
    return result
  end
  if chosen == "deportation" then
    list[#list + 1] = step("screening_confirmed", "Confirm screening found no trafficking: a smuggled or irregular migrant can also be a victim", "Immigration Bureau", { ATIPA .. "s.6(1)" })
    if is_child then
      list[#list + 1] = step("reporting", "Reporting with the guardian while the return is arranged; never immigration detention", "Immigration Bureau", { MOU_CHILDREN, CRC })
      result.custody = "reporting"
    else
      list[#list + 1] = step("reporting", "Reporting while the deportation is arranged (detention only if separately decided)", "Immigration Bureau", { S54 })
      result.custody = "reporting"
    end
    list[#list + 1] = step("travel_documents", "Obtain travel documents", "Immigration Bureau", { S54 })
    list[#list + 1] = step("notification_to_origin", "Official notice to the authorities of " .. to, "Immigration Bureau", { NOTICE })
    list[#list + 1] = step("handover_at_border", "Official handover to the authorities of " .. to .. "; never a push back", "Immigration Bureau", { S54 })
    result.steps = list
    result.basis = { S54 }
    result.reasons[#result.reasons + 1] = "deportation under s.54, with official notice and handover, never a push back"
    return result
  end
  -- voluntary_return
  list[#list + 1] = step("consent", "Record the person's consent to the transfer of the return packet", "caseworker", { IOM_CONSENT })
  list[#list + 1] = shared(step("travel_documents", "Travel documents and travel", "the person, with the caseworker", { "[unverified] no procedure for voluntary return in DOMAIN" }))
  result.steps = list
  result.basis = { IOM_CONSENT }
  result.reasons[#result.reasons + 1] = "a voluntary return of a person not found to be a victim: only the consent to share data is a rule here"
  return result
end

return { route = route, steps = steps }
