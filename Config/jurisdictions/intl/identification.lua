-- identification.pathway: the international baseline (Palermo Protocol art. 3; Smuggling of Migrants
-- Protocol art. 3; ILO indicators of forced labour).
-- Kept a plain self-contained module (no require, no host helpers) so that it also runs under
-- standalone lua5.4 for the benchmark baseline. It is called for every line of a corpus: no
-- closures or string building on the hot path (pathway -> judge -> settle).
--
-- Every result carries `elements`: "complete" (act, means or childhood, and purpose all present),
-- "identified" (a recorded identification stands although the record lacks elements), "incomplete" (not
-- trafficking on these facts), or "missing" (the facts to decide the elements are absent). Other decisions
-- read it to tell "victim status open" from "not a victim, migration pathway open".
--
-- Private helpers (keys starting with `_`) let national packs reuse the definition without copying it:
-- `_judge` (the definition with options), `_settle` (status and migration pathway from a verdict),
-- `_national` and `_national_pathway` (national citations for the parent's), `_narrow_means` (a national
-- list of means narrower than Palermo's), `_differs` (the international definition is met, the national
-- one is not), `_child_at_acts`, `_means_used`, `_contains`.

local BASIS_DEFINITION = "Palermo Protocol art. 3(a)"
local BASIS_CONSENT = "Palermo Protocol art. 3(b)"
local BASIS_CHILD = "Palermo Protocol art. 3(c)"
local BASIS_CHILD_AGE = "Palermo Protocol art. 3(d)"
local BASIS_SMUGGLING = "Smuggling of Migrants Protocol art. 3"
local BASIS_NOT_RESIDENT = "Smuggling of Migrants Protocol art. 3(a)"
local BASIS_ILO = "ILO indicators of forced labour"
local BASIS_AGE_PRESUMED = "UNICEF Guidelines on the Protection of Child Victims of Trafficking sec. 3.1.2"

local CHILD_AGE = 18

-- The four ILO indicators that are themselves Palermo means, with the means each one is (DOMAIN).
local MEANS_INDICATORS = {
  deception = "deception",
  intimidation_and_threats = "threat",
  physical_and_sexual_violence = "force",
  abuse_of_vulnerability = "abuse_of_vulnerability",
}

-- The definition as the Protocol states it: no means for an act done to a child.
local PALERMO = { child_waiver = true }

local REASON_ELEMENTS = "an act, a means and a purpose of exploitation are all present"
local REASON_INDICATOR_MEANS = "ILO indicators recorded here (deception, intimidation and threats, physical and sexual violence, or abuse of vulnerability) are themselves means of trafficking: they count as the means element"
local REASON_CHILD_AT_ACTS = "the person was a child (under 18) when the acts began: an act for a purpose of exploitation is trafficking without any means"
local REASON_CHILD_NOW = "the person is a child (under 18), so was one when the acts began: an act for a purpose of exploitation is trafficking without any means"
local REASON_CHILD_PRESUMED = "the age is unknown and there are reasons to believe the person is a child: presumed a child until the age is verified, so an act for a purpose of exploitation is trafficking without any means"
local REASON_CONSENT = "the person's consent is irrelevant because a means was used"
local REASON_CHILD_CONSENT = "a child's consent does not matter: no means is required"
local REASON_ACTUAL = "formally identified as an actual victim"
local REASON_REVIEW = "the recorded identification found no victim although the screening facts meet the definition: review the identification"
local REASON_RECORDED_POSSIBLE = "recorded as a possible victim; not formally identified yet"
local REASON_POSSIBLE = "not formally identified yet: a possible victim"
local REASON_ALSO_SMUGGLED = "also smuggled: a smuggled migrant can be a victim of trafficking as well"
local REASON_RECORD_ACTUAL = "formally identified as an actual victim; the screening facts recorded here do not show every element of the definition: complete the record, the identification stands"
local REASON_RECORD_POSSIBLE = "recorded as a possible victim; the screening facts recorded here do not show every element of the definition: complete the record, the recorded status stands until a person reviews it"
local REASON_NO_ACT = "no act of trafficking recorded"
local REASON_NO_PURPOSE = "no purpose of exploitation recorded"
local REASON_ADULT_NO_MEANS = "an adult when the acts began, and no means recorded"
local REASON_NO_MEANS = "no means recorded"
local REASON_UNDETERMINED = "the elements of trafficking cannot be decided without the missing facts"
local REASON_ADULT_NOW = "an adult now, but the child element is judged on the age when the acts began, and an act done to a child needs no means: record when the acts began (acts_began, with the birthdate) or the age then (age_at_acts)"
local REASON_AGE_UNKNOWN = "the age is unknown: record the birthdate and when the acts began (the child element is judged on the age at the acts; appears_under_18 presumes a child)"
local REASON_NATIONAL = "a national of the country where the case is handled: the migration pathways do not apply"
local REASON_RESIDENT = "a permanent resident of the country where the case is handled: the smuggling and irregular-migration pathways do not apply"
local REASON_REFER = "ILO indicators of forced labour are recorded: grounds to refer for identification"
local REASON_VULNERABLE = "ILO indicators of forced labour are present but the elements of trafficking are incomplete: they support reasonable grounds for referral, not a decision"
local REASON_SMUGGLED = "irregular entry procured for a fee: a smuggled migrant"
local REASON_IRREGULAR = "irregular entry without a paid smuggler and without the elements of trafficking"
local REASON_REGULAR = "regular entry and no indicator of exploitation"
local REASON_ENTRY = "not trafficking on these facts, but the migration pathway needs the manner of entry"
local REASON_FEE = "irregular entry: whether a smuggler was paid decides between smuggled and irregular migrant"

-- The reasons settle() adds for a migration pathway (dropped when a pathway is replaced by a referral).
local MIGRATION_REASONS = {
  [REASON_NATIONAL] = true, [REASON_RESIDENT] = true, [REASON_REFER] = true, [REASON_VULNERABLE] = true,
  [REASON_SMUGGLED] = true, [REASON_IRREGULAR] = true, [REASON_REGULAR] = true, [REASON_ENTRY] = true, [REASON_FEE] = true,
}

-- nil when the list is absent (unknown), else whether it has at least one item.
local function any(list)
  if list == nil then return nil end
  return list[1] ~= nil
end

local function contains(list, value)
  if list == nil then return false end
  for _, item in ipairs(list) do
    if item == value then return true end
  end
  return false
end

-- What the migration facts say, for the pathways other than victim.
-- Returns "smuggled_migrant", "irregular_migrant", "national", "permanent_resident", "regular", or nil
-- with the missing fact. Smuggling is entry into a State of which the person is not a national or a
-- permanent resident (Smuggling of Migrants Protocol art. 3(a)).
local function migration(facts)
  local country = facts.country
  if country ~= nil then
    if contains(facts.citizenship, country) then return "national" end
    if facts.permanent_resident_of == country then return "permanent_resident" end
  end
  local entry = facts.entry
  if entry == "irregular" then
    local paid = facts.smuggler_paid
    if paid == true then return "smuggled_migrant" end
    if paid == false then return "irregular_migrant" end
    return nil, "smuggler_paid"
  end
  if entry == "regular" then return "regular" end
  return nil, "entry"
end

-- The child element: whether the acts were done to a child, and how that is known.
-- Returns true/false/nil and "age_at_acts", "age", "presumed", or (when unknown) the fact to ask for.
local function child_at_acts(facts)
  local at_acts = facts.age_at_acts
  if at_acts ~= nil then return at_acts < CHILD_AGE, "age_at_acts" end
  local age = facts.age
  if age ~= nil then
    if age < CHILD_AGE then return true, "age" end
    -- An adult today may have been a child when the acts began: not excluded.
    return nil, "acts_began"
  end
  if facts.appears_under_18 == true then return true, "presumed" end
  return nil, "age"
end

-- From a verdict on the definition to the result: the victim's status (a recorded identification is
-- never lost to a migration pathway), or the undetermined facts, or the migration pathway.
-- `refer` forces a referral for identification where the facts are not trafficking on this definition
-- but call for one (a national definition narrower than the international one).
local function settle(facts, trafficking, reasons, basis, missing, refer)
  local recorded = facts.trafficking_status

  if trafficking then
    local result = { outcome = "victim", status = "possible", elements = "complete", reasons = reasons, basis = basis }
    if recorded == "actual" then
      result.status = "actual"
      result.identified_by = facts.identified_by
      reasons[#reasons + 1] = REASON_ACTUAL
    elseif recorded == "not_victim" then
      result.review_required = true
      reasons[#reasons + 1] = REASON_REVIEW
    elseif recorded == "possible" then
      result.identified_by = facts.identified_by
      reasons[#reasons + 1] = REASON_RECORDED_POSSIBLE
    else
      reasons[#reasons + 1] = REASON_POSSIBLE
    end
    if facts.entry == "irregular" and facts.smuggler_paid == true and migration(facts) == "smuggled_migrant" then
      result.also = { "smuggled_migrant" }
      reasons[#reasons + 1] = REASON_ALSO_SMUGGLED
      basis[#basis + 1] = BASIS_SMUGGLING
    end
    return result
  end

  if recorded == "actual" or recorded == "possible" then
    -- A recorded status stands where this record lacks some screening facts: the reasons say what is lacking.
    local lacking = { recorded == "actual" and REASON_RECORD_ACTUAL or REASON_RECORD_POSSIBLE }
    for _, reason in ipairs(reasons) do lacking[#lacking + 1] = reason end
    local result = {
      outcome = "victim", status = recorded, identified_by = facts.identified_by, elements = "identified",
      reasons = lacking, basis = basis,
    }
    if trafficking == nil then result.screening_missing = missing end
    return result
  end

  if trafficking == nil then
    return { outcome = "undetermined", missing = missing, elements = "missing", reasons = reasons, basis = basis }
  end

  -- Not trafficking on these facts: which migration pathway, if any.
  local indicators = refer or any(facts.ilo_indicators)
  local kind, missing_fact = migration(facts)
  if kind == "national" or kind == "permanent_resident" then
    local result = { outcome = "not_applicable", elements = "incomplete", reasons = reasons, basis = basis }
    if kind == "national" then
      result.national = true
      reasons[#reasons + 1] = REASON_NATIONAL
    else
      result.permanent_resident = true
      reasons[#reasons + 1] = REASON_RESIDENT
      basis[#basis + 1] = BASIS_NOT_RESIDENT
    end
    if indicators then
      result.refer_for_identification = true
      if not refer then
        reasons[#reasons + 1] = REASON_REFER
        basis[#basis + 1] = BASIS_ILO
      end
    end
    return result
  end

  if indicators then
    if not refer then
      reasons[#reasons + 1] = REASON_VULNERABLE
      basis[#basis + 1] = BASIS_ILO
    end
    local result = { outcome = "vulnerable_migrant", elements = "incomplete", refer_for_identification = true, reasons = reasons, basis = basis }
    if kind == "smuggled_migrant" or kind == "irregular_migrant" then
      result.also = { kind }
    end
    return result
  end

  if kind == "smuggled_migrant" then
    reasons[#reasons + 1] = REASON_SMUGGLED
    basis[#basis + 1] = BASIS_SMUGGLING
    return { outcome = "smuggled_migrant", elements = "incomplete", reasons = reasons, basis = basis }
  end
  if kind == "irregular_migrant" then
    reasons[#reasons + 1] = REASON_IRREGULAR
    basis[#basis + 1] = BASIS_SMUGGLING
    return { outcome = "irregular_migrant", elements = "incomplete", reasons = reasons, basis = basis }
  end
  if kind == "regular" then
    reasons[#reasons + 1] = REASON_REGULAR
    return { outcome = "not_applicable", elements = "incomplete", reasons = reasons, basis = basis }
  end

  reasons[#reasons + 1] = missing_fact == "entry" and REASON_ENTRY or REASON_FEE
  basis[#basis + 1] = BASIS_SMUGGLING
  return { outcome = "undetermined", missing = { missing_fact }, elements = "incomplete", reasons = reasons, basis = basis }
end

-- The definition: act + means + purpose, the means waived for an act done to a child when
-- `opts.child_waiver`. `opts.purpose_indicators` (indicator -> true) are ILO indicators a national law
-- counts as a purpose of exploitation, with `opts.purpose_reason` and `opts.purpose_basis`.
local function judge(facts, ctx, opts)
  local act = any(facts.acts) -- sale and purchase are acts too (Nepal's Act 2007 s.4)
  local purpose = any(facts.exploitation)
  local indicators = facts.ilo_indicators

  local purpose_from_indicators = false
  local extra = opts.purpose_indicators
  if not purpose and extra ~= nil and indicators ~= nil then
    for _, indicator in ipairs(indicators) do
      if extra[indicator] then
        purpose, purpose_from_indicators = true, true
        break
      end
    end
  end

  local means = any(facts.means)
  local means_from_indicators
  if not means and indicators ~= nil then
    for _, indicator in ipairs(indicators) do
      if MEANS_INDICATORS[indicator] then
        if means_from_indicators == nil then means_from_indicators = {} end
        means_from_indicators[#means_from_indicators + 1] = indicator
      end
    end
    if means_from_indicators ~= nil then means = true end
  end

  local child, child_how
  if opts.child_waiver then child, child_how = child_at_acts(facts) end

  -- The means element holds when a means was used, and is waived for a child (art. 3(c)).
  local means_element
  if means or child then
    means_element = true
  elseif means == false and (child == false or not opts.child_waiver) then
    means_element = false
  end

  local trafficking
  if act == false or purpose == false or means_element == false then
    trafficking = false
  elseif act and purpose and means_element then
    trafficking = true
  end

  local reasons, basis = {}, {}

  if trafficking then
    if means then
      reasons[#reasons + 1] = REASON_ELEMENTS
      basis[#basis + 1] = BASIS_DEFINITION
      if means_from_indicators ~= nil then
        reasons[#reasons + 1] = REASON_INDICATOR_MEANS
        basis[#basis + 1] = BASIS_ILO
      end
    end
    if child then
      reasons[#reasons + 1] = child_how == "age_at_acts" and REASON_CHILD_AT_ACTS
        or child_how == "age" and REASON_CHILD_NOW or REASON_CHILD_PRESUMED
      basis[#basis + 1] = BASIS_CHILD
      basis[#basis + 1] = BASIS_CHILD_AGE
      if child_how == "presumed" then basis[#basis + 1] = BASIS_AGE_PRESUMED end
    end
    if purpose_from_indicators then
      reasons[#reasons + 1] = opts.purpose_reason
      basis[#basis + 1] = opts.purpose_basis
    end
    if facts.consented == true then
      if means then
        reasons[#reasons + 1] = REASON_CONSENT
        basis[#basis + 1] = BASIS_CONSENT
      else
        reasons[#reasons + 1] = REASON_CHILD_CONSENT
      end
    end
    local result = settle(facts, true, reasons, basis)
    if means_from_indicators ~= nil then result.means_from_indicators = means_from_indicators end
    if child then result.child_element = child_how end
    return result
  end

  if trafficking == false then
    if act == false then reasons[#reasons + 1] = REASON_NO_ACT end
    if purpose == false then reasons[#reasons + 1] = REASON_NO_PURPOSE end
    if means_element == false then
      reasons[#reasons + 1] = opts.child_waiver and REASON_ADULT_NO_MEANS or REASON_NO_MEANS
    end
    basis[1] = BASIS_DEFINITION
    return settle(facts, false, reasons, basis)
  end

  local missing = {}
  if act == nil then missing[#missing + 1] = "acts" end
  if purpose == nil then missing[#missing + 1] = "exploitation" end
  if means_element == nil then
    if means == nil then missing[#missing + 1] = "means" end
    if opts.child_waiver and child == nil then
      if child_how == "age" then missing[#missing + 1] = "age" end
      missing[#missing + 1] = "acts_began"
    end
  end
  reasons[1] = REASON_UNDETERMINED
  if means_element == nil and opts.child_waiver and child == nil then
    reasons[2] = child_how == "acts_began" and REASON_ADULT_NOW or REASON_AGE_UNKNOWN
  end
  basis[1] = BASIS_DEFINITION
  if opts.child_waiver then basis[2] = BASIS_CHILD end
  return settle(facts, nil, reasons, basis, missing)
end

local function pathway(facts, ctx)
  return judge(facts, ctx, PALERMO)
end

-- ---------------------------------------------------------------------------------------------
-- Helpers for national packs (not on the hot path of pathway).

-- Adds `citation` (a string or a list) to `list`, once.
local function cite(list, citation)
  if citation == nil or citation == false then return end
  if type(citation) == "table" then
    for _, c in ipairs(citation) do cite(list, c) end
    return
  end
  if not contains(list, citation) then list[#list + 1] = citation end
end

-- The parent's citations replaced by national ones: `mapping[parent]` is a citation, a list of
-- citations, or false to drop it; a citation not in the mapping stays. `by_outcome[outcome]` adds
-- citations for one outcome (e.g. the immigration law for smuggled and irregular migrants).
-- Changes `result` in place and returns it.
local function national(result, mapping, by_outcome)
  local out = {}
  for _, citation in ipairs(result.basis or {}) do
    local to = mapping and mapping[citation]
    if to == nil then cite(out, citation) else cite(out, to) end
  end
  if by_outcome ~= nil then cite(out, by_outcome[result.outcome]) end
  result.basis = out
  return result
end

-- A pathway for a national pack whose definition is Palermo's with national citations.
local function national_pathway(mapping, by_outcome)
  return function(facts, ctx)
    return national(judge(facts, ctx, PALERMO), mapping, by_outcome)
  end
end

-- The means recorded or shown by an ILO indicator that is itself a means (as a set).
local function means_used(facts)
  local used = {}
  for _, m in ipairs(facts.means or {}) do used[m] = true end
  for _, indicator in ipairs(facts.ilo_indicators or {}) do
    local m = MEANS_INDICATORS[indicator]
    if m then used[m] = true end
  end
  return used
end

-- A national list of means narrower than Palermo's: when a victim rests on the means element alone
-- (not on childhood) and every means used is outside `listed` (means -> true), the result carries
-- `citation` and `reason` and `means_unverified = true`. Changes `result` in place and returns it.
local function narrow_means(result, facts, listed, citation, reason)
  if result.outcome ~= "victim" or result.elements ~= "complete" or result.child_element ~= nil then return result end
  local outside = false
  for m in pairs(means_used(facts)) do
    if listed[m] then return result end
    outside = true
  end
  if outside then
    result.means_unverified = true
    result.reasons[#result.reasons + 1] = reason
    cite(result.basis, citation)
  end
  return result
end

-- Where a national definition is narrower than Palermo's: facts that meet the international definition
-- but not the national one are never turned into a migration pathway: they are referred for
-- identification (vulnerable_migrant, or not_applicable for a national), with `reason` saying why and
-- `national_definition_differs = true`. Returns `result` unchanged otherwise.
local function differs(facts, ctx, result, reason, citation)
  if result.elements ~= "incomplete" then return result end
  local palermo = judge(facts, ctx, PALERMO)
  if palermo.outcome ~= "victim" or palermo.elements ~= "complete" then return result end
  local reasons = {}
  for _, r in ipairs(result.reasons) do
    if not MIGRATION_REASONS[r] then reasons[#reasons + 1] = r end
  end
  reasons[#reasons + 1] = reason
  local basis = {}
  cite(basis, citation)
  cite(basis, palermo.basis)
  local referred = settle(facts, false, reasons, basis, nil, true)
  referred.national_definition_differs = true
  return referred
end

return {
  pathway = pathway,
  _judge = judge,
  _settle = settle,
  _national = national,
  _national_pathway = national_pathway,
  _narrow_means = narrow_means,
  _differs = differs,
  _child_at_acts = child_at_acts,
  _means_used = means_used,
  _contains = contains,
  _cite = cite,
  _PALERMO = PALERMO,
}
