-- identification.pathway: the international baseline (Palermo Protocol art. 3; Smuggling of Migrants
-- Protocol art. 3; ILO indicators of forced labour).
-- Kept a plain self-contained module (no require, no host helpers) so that it also runs under
-- standalone lua5.4 for the benchmark baseline. It is called for every line of a corpus: no
-- closures or string building on the hot path.
--
-- Every result carries `elements`: "complete" (act, means or childhood, and purpose all present),
-- "identified" (a formal identification stands although the record lacks elements), "incomplete" (not
-- trafficking on these facts), or "missing" (the facts to decide the elements are absent). Other decisions
-- read it to tell "victim status open" from "not a victim, migration pathway open".

local BASIS_DEFINITION = "Palermo Protocol art. 3(a)"
local BASIS_CONSENT = "Palermo Protocol art. 3(b)"
local BASIS_CHILD = "Palermo Protocol art. 3(c)"
local BASIS_CHILD_AGE = "Palermo Protocol art. 3(d)"
local BASIS_SMUGGLING = "Smuggling of Migrants Protocol art. 3"
local BASIS_ILO = "ILO indicators of forced labour"

local CHILD_AGE = 18

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
-- Returns "smuggled_migrant", "irregular_migrant", "national", "regular", or nil with the missing fact.
local function migration(facts)
  local country = facts.country
  if country ~= nil and contains(facts.citizenship, country) then return "national" end
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

local function pathway(facts, ctx)
  local act = any(facts.acts)
  local means = any(facts.means)
  local purpose = any(facts.exploitation)
  local age = facts.age
  local child
  if age ~= nil then child = age < CHILD_AGE end

  -- The means element holds when a means was used, and is waived for a child (art. 3(c)).
  local means_element
  if means or child then
    means_element = true
  elseif means == false and child == false then
    means_element = false
  end

  local trafficking
  if act == false or purpose == false or means_element == false then
    trafficking = false
  elseif act and purpose and means_element then
    trafficking = true
  end

  local recorded = facts.trafficking_status

  if trafficking then
    local reasons, basis = {}, {}
    if means then
      reasons[#reasons + 1] = "an act, a means and a purpose of exploitation are all present"
      basis[#basis + 1] = BASIS_DEFINITION
    end
    if child then
      reasons[#reasons + 1] = "the person is a child (under 18): an act for a purpose of exploitation is trafficking without any means"
      basis[#basis + 1] = BASIS_CHILD
      basis[#basis + 1] = BASIS_CHILD_AGE
    end
    if facts.consented == true then
      if means then
        reasons[#reasons + 1] = "the person's consent is irrelevant because a means was used"
        basis[#basis + 1] = BASIS_CONSENT
      else
        reasons[#reasons + 1] = "a child's consent does not matter: no means is required"
      end
    end
    local result = { outcome = "victim", status = "possible", elements = "complete", reasons = reasons, basis = basis }
    if recorded == "actual" then
      result.status = "actual"
      result.identified_by = facts.identified_by
      reasons[#reasons + 1] = "formally identified as an actual victim"
    elseif recorded == "not_victim" then
      result.review_required = true
      reasons[#reasons + 1] = "the recorded identification found no victim although the screening facts meet the definition: review the identification"
    else
      reasons[#reasons + 1] = "not formally identified yet: a possible victim"
    end
    if facts.entry == "irregular" and facts.smuggler_paid == true and migration(facts) == "smuggled_migrant" then
      result.also = { "smuggled_migrant" }
      reasons[#reasons + 1] = "also smuggled: a smuggled migrant can be a victim of trafficking as well"
      basis[#basis + 1] = BASIS_SMUGGLING
    end
    return result
  end

  if recorded == "actual" then
    -- A formal identification stands even where this record lacks some screening facts.
    return {
      outcome = "victim", status = "actual", identified_by = facts.identified_by, elements = "identified",
      reasons = { "formally identified as an actual victim; the screening facts recorded here do not show every element of the definition" },
      basis = { BASIS_DEFINITION },
    }
  end

  if trafficking == nil then
    local missing = {}
    if act == nil then missing[#missing + 1] = "acts" end
    if purpose == nil then missing[#missing + 1] = "exploitation" end
    if means_element == nil then
      if means == nil then missing[#missing + 1] = "means" end
      if child == nil then missing[#missing + 1] = "age" end
    end
    return {
      outcome = "undetermined", missing = missing, elements = "missing",
      reasons = { "the elements of trafficking cannot be decided without the missing facts (age may be given as birthdate)" },
      basis = { BASIS_DEFINITION, BASIS_CHILD },
    }
  end

  -- Not trafficking on these facts: which migration pathway, if any.
  local reasons = {}
  if act == false then reasons[#reasons + 1] = "no act of trafficking recorded" end
  if purpose == false then reasons[#reasons + 1] = "no purpose of exploitation recorded" end
  if means_element == false then reasons[#reasons + 1] = "an adult and no means recorded" end

  local kind, missing = migration(facts)
  if kind == "national" then
    reasons[#reasons + 1] = "a national of the country where the case is handled: the migration pathways do not apply"
    if any(facts.ilo_indicators) then
      reasons[#reasons + 1] = "ILO indicators of forced labour are recorded: grounds to refer for identification"
      return { outcome = "not_applicable", elements = "incomplete", national = true, refer_for_identification = true, reasons = reasons, basis = { BASIS_DEFINITION, BASIS_ILO } }
    end
    return { outcome = "not_applicable", elements = "incomplete", national = true, reasons = reasons, basis = { BASIS_DEFINITION } }
  end

  if any(facts.ilo_indicators) then
    reasons[#reasons + 1] = "ILO indicators of forced labour are present but the elements of trafficking are incomplete: they support reasonable grounds for referral, not a decision"
    local result = { outcome = "vulnerable_migrant", elements = "incomplete", refer_for_identification = true, reasons = reasons, basis = { BASIS_DEFINITION, BASIS_ILO } }
    if kind == "smuggled_migrant" or kind == "irregular_migrant" then
      result.also = { kind }
    end
    return result
  end

  if kind == "smuggled_migrant" then
    reasons[#reasons + 1] = "irregular entry procured for a fee: a smuggled migrant"
    return { outcome = "smuggled_migrant", elements = "incomplete", reasons = reasons, basis = { BASIS_DEFINITION, BASIS_SMUGGLING } }
  end
  if kind == "irregular_migrant" then
    reasons[#reasons + 1] = "irregular entry without a paid smuggler and without the elements of trafficking"
    return { outcome = "irregular_migrant", elements = "incomplete", reasons = reasons, basis = { BASIS_DEFINITION, BASIS_SMUGGLING } }
  end
  if kind == "regular" then
    reasons[#reasons + 1] = "regular entry and no indicator of exploitation"
    return { outcome = "not_applicable", elements = "incomplete", reasons = reasons, basis = { BASIS_DEFINITION } }
  end

  reasons[#reasons + 1] = missing == "entry"
    and "not trafficking on these facts, but the migration pathway needs the manner of entry"
    or "irregular entry: whether a smuggler was paid decides between smuggled and irregular migrant"
  return { outcome = "undetermined", missing = { missing }, elements = "incomplete", reasons = reasons, basis = { BASIS_DEFINITION, BASIS_SMUGGLING } }
end

return { pathway = pathway }
