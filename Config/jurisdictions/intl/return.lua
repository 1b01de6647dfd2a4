-- return.packet: which fields of the handover packet may cross the border.
-- The principle is international (IOM Data Protection Manual; WHO ethical recommendations), so every
-- national pack inherits it. Only a minimal packet ever crosses: identity, logistics, needs and risks,
-- and a reference to the consent. The narrative of what happened to the person never crosses.
--
-- Private helpers for national return.route decisions (international rules every country shares):
-- `_child` (a child for services and returns), `_pending` (what must be done before any return:
-- best-interests determination, guardian, safety plan), `_reflection_route` (the Council of Europe
-- Convention's recovery and reflection period, for its parties) and `_reasonable_grounds` (what starts it).

local identification = require("intl/identification")
local contains = identification._contains

local PACKET = { "identity", "logistics", "needs_and_risks", "consent_reference" }
local BASIS_TRANSFER = "IOM Data Protection Manual: transfer to third parties only with explicit consent, for a specified purpose, with adequate safeguards, in writing"
local BASIS_PURPOSE = "IOM Data Protection Manual: specified purpose; confidentiality"
local BASIS_WHO = "WHO ethical recommendations for interviewing trafficked women: anonymity and confidentiality"

local CRC = "Convention on the Rights of the Child art. 3"
local UNICEF = "UNICEF Guidelines on the Protection of Child Victims of Trafficking sec. 3.1.2"
local P8 = "Palermo Protocol art. 8(2)"
local P8_STATES = "Palermo Protocol art. 8 (binds the State of nationality or of permanent residence)"
local COE13 = "Council of Europe Convention on Action against Trafficking in Human Beings art. 13"
local COE14 = "Council of Europe Convention on Action against Trafficking in Human Beings art. 14"
local REFLECTION_DAYS = 30

local function packet(facts, ctx)
  local consent = facts.consent_to_share_data
  if consent == true then
    return {
      outcome = "packet",
      fields = { PACKET[1], PACKET[2], PACKET[3], PACKET[4] },
      withheld = { "narrative" },
      reasons = {
        "explicit consent to share data for the return is recorded: the minimal packet may go to the receiving agency",
        "only what the return needs crosses the border: identity, logistics, needs and risks, and the consent reference; never the narrative",
      },
      basis = { BASIS_TRANSFER, BASIS_PURPOSE, BASIS_WHO },
    }
  end
  if consent == false then
    return {
      outcome = "packet",
      fields = {},
      withheld = { "identity", "logistics", "needs_and_risks", "consent_reference", "narrative" },
      reasons = { "no consent to share data: nothing about the person may be transferred to the receiving agency" },
      basis = { BASIS_TRANSFER },
    }
  end
  return {
    outcome = "undetermined",
    missing = { "consent_to_share_data" },
    reasons = { "the person's explicit consent to share data with the receiving agency must be asked before any packet is sent" },
    basis = { BASIS_TRANSFER },
  }
end

-- A child for services and for a return: under 18 today (current age decides services), or presumed one
-- when the age is unknown and there are reasons to believe it (UNICEF Guidelines sec. 3.1.2).
-- Returns true/false/nil (age unknown, nothing to presume) and whether the childhood is presumed.
local function child(facts)
  local age = facts.age
  if age ~= nil then return age < 18, false end
  if facts.appears_under_18 == true then return true, true end
  return nil, false
end

-- What must be done before any return, added to `into` (a result with `reasons` and `basis`):
-- for a child a best-interests determination for return and a guardian (CRC art. 3: the child's own
-- wish alone does not decide); for a high risk on return a safety plan (due regard for the person's
-- safety: `safety_basis`; nil where no source asks for one). Returns the hold reasons still open.
local function pending(facts, is_child, presumed, safety_basis, into)
  local holds = {}
  if is_child then
    if facts.best_interests_determination ~= "return" then
      holds[#holds + 1] = "best_interests"
      into.reasons[#into.reasons + 1] = "a child: a return needs a best-interests determination that decides for return; the child's own wish alone does not decide"
    end
    if facts.guardian_appointed ~= true then
      holds[#holds + 1] = "guardian"
      into.reasons[#into.reasons + 1] = "a child: a guardian must be appointed for the decisions about the return"
    end
    if holds[1] ~= nil then
      identification._cite(into.basis, CRC)
      if presumed then
        into.reasons[#into.reasons + 1] = "the age is unknown and the person appears to be under 18: presumed a child until the age is verified"
        identification._cite(into.basis, UNICEF)
      end
    end
  end
  if safety_basis ~= nil and facts.return_risk == "high" and facts.safety_plan ~= true then
    holds[#holds + 1] = "safety_plan"
    into.reasons[#into.reasons + 1] = "high risk of harm or re-trafficking on return: no return until a risk assessment and safety plan are recorded"
    identification._cite(into.basis, safety_basis)
  end
  return holds
end

-- Reasonable grounds to believe the person is a victim (what starts the Council of Europe Convention's
-- recovery and reflection period, art. 13): a victim on the pathway, or ILO indicators of a vulnerable
-- migrant whom no identification found not to be a victim. `pathway` is the identification.pathway result.
local function reasonable_grounds(facts, pathway)
  return pathway.outcome == "victim" or (pathway.outcome == "vulnerable_migrant" and facts.trafficking_status ~= "not_victim")
end

-- return.route for a party to the Council of Europe Convention whose national return law is not encoded.
-- `pathway` is the national identification.pathway result; `country` names the State ("Belarus").
-- What the Convention and the Protocol say is applied; what national law adds is [unverified] and left
-- to a legal officer.
local function reflection_route(facts, ctx, pathway, country)
  local here = facts.country or ctx.jurisdiction
  local unverified_return = "[unverified] " .. country .. ": national rules on the return, residence and removal of foreign victims not checked"
  if contains(facts.citizenship, here) or facts.permanent_resident_of == here then
    return {
      outcome = "stay", stay_grounds = { contains(facts.citizenship, here) and "national" or "permanent_resident" },
      reasons = { "a national or permanent resident of " .. country .. ": there is no return" },
      basis = { P8_STATES },
    }
  end

  local victim = pathway.outcome == "victim"
  local grounds = reasonable_grounds(facts, pathway)
  local result = { outcome = "hold", reasons = {}, basis = {} }
  local holds = {}

  if pathway.elements == "missing" then
    holds[#holds + 1] = "identification"
    result.reasons[#result.reasons + 1] = "victim status undetermined: complete the screening before any return"
    result.screening_missing = pathway.missing
    identification._cite(result.basis, P8)
  end

  if grounds then
    -- The Convention runs the period from reasonable grounds; the facts record only the referral, so the
    -- referral day stands in for it (an assumption, marked [unverified]).
    local days = facts.days_since_referral
    identification._cite(result.basis, COE13)
    if days == nil then
      holds[#holds + 1] = "reflection"
      result.refer_for_identification = true
      result.reasons[#result.reasons + 1] = "reasonable grounds to believe the person is a victim: a recovery and reflection period of at least 30 days applies, during which no expulsion order may be enforced; the days since referral are not recorded: refer for identification and record the referral"
    elseif days < REFLECTION_DAYS then
      holds[#holds + 1] = "reflection"
      result.reflection_days_left = REFLECTION_DAYS - days
      result.reasons[#result.reasons + 1] = "reasonable grounds to believe the person is a victim: recovery and reflection period of at least 30 days, during which no expulsion order may be enforced"
    end
    if holds[#holds] == "reflection" then
      result.reasons[#result.reasons + 1] = "the period is counted here from the referral for identification, as the facts do not record the day reasonable grounds were found; its national length beyond 30 days is not checked"
      identification._cite(result.basis, "[unverified] " .. country .. ": the reflection period counted from the referral (days_since_referral); national length not checked")
      if facts.wishes_to_return == true then
        result.reasons[#result.reasons + 1] = "the person wishes to return: the period protects them from expulsion and is not meant to keep them; a legal officer reviews an earlier voluntary return"
      end
    end
    if not victim or pathway.status ~= "actual" then
      holds[#holds + 1] = "identification"
      result.reasons[#result.reasons + 1] = "not formally identified yet: identify before any return"
    end
  end

  local is_child, presumed = child(facts)
  if victim or grounds then
    if is_child and facts.best_interests_determination == "stay" and holds[1] == nil then
      return {
        outcome = "stay", stay_grounds = { "best_interests" },
        reasons = { "the best-interests determination decided that the child stays" },
        basis = { CRC, COE14, unverified_return },
      }
    end
    local more = pending(facts, is_child, presumed, { P8 }, result)
    for _, h in ipairs(more) do holds[#holds + 1] = h end
  end

  if holds[1] ~= nil then
    result.hold_reasons = holds
    if facts.stateless == true then
      result.reasons[#result.reasons + 1] = "stateless: no State is bound to receive the person, so no removal can follow"
      identification._cite(result.basis, P8_STATES)
    end
    return result
  end

  if victim then
    if facts.stateless == true and (facts.permanent_resident_of == nil or facts.permanent_resident_of == here) then
      return {
        outcome = "stay", stay_grounds = { "stateless" },
        reasons = { "stateless, with no State of permanent residence: no State is bound to receive the person; the renewable residence permit for victims applies" },
        basis = { P8_STATES, COE14, unverified_return },
      }
    end
    local wish = facts.wishes_to_return
    if is_child then wish = true end -- the best-interests determination decided for return, with a guardian
    if wish == true then
      return {
        outcome = "repatriation_as_victim",
        reasons = { is_child and "the best-interests determination decided for return and a guardian is appointed: the child's views are part of that determination"
          or "an identified victim who wishes to return: return with due regard for their safety and for any proceedings, preferably voluntary" },
        basis = { P8, unverified_return },
      }
    end
    if wish == false then
      return {
        outcome = "stay", stay_grounds = { "does_not_wish_to_return" },
        reasons = { "the victim does not wish to return: a renewable residence permit for victims", "the national permit rules are not checked: a legal officer confirms the basis" },
        basis = { COE14, unverified_return },
      }
    end
    return {
      outcome = "undetermined", missing = { "wishes_to_return" },
      reasons = { "an identified victim: their wish about returning must be asked before a route is chosen" },
      basis = { P8 },
    }
  end

  return {
    outcome = "undetermined", missing = {}, law_unverified = true,
    reasons = { "not a victim of trafficking on these facts: the return or removal of other foreigners follows the national immigration law of " .. country .. ", which is not encoded; a legal officer decides" },
    basis = { unverified_return },
  }
end

return {
  packet = packet, _child = child, _pending = pending, _reflection_route = reflection_route,
  _reasonable_grounds = reasonable_grounds,
}
