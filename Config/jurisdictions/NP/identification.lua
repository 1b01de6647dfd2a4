-- identification.pathway in Nepal: Human Trafficking and Transportation (Control) Act 2064 (2007) s.4.
-- Its structure is not act + means + purpose: selling or buying a person, forcing a person into
-- prostitution, or removing organs is trafficking, with no means; "transportation" (taking a person out
-- of the country, or within it, for those ends) is a separate offence. The Act is followed here; facts
-- that meet the Palermo definition but not the Act (e.g. forced labour without sale) are referred for
-- identification, never given a migration pathway.
-- Reading of the vocabulary (a judgement call, said in the reasons): acts sale/purchase = selling or
-- buying; exploitation sexual_exploitation = forcing into prostitution; organ_removal = removing organs;
-- taken_abroad or the act transportation for those ends = transportation.

local intl = require("intl/identification")

local ACT = "NP Human Trafficking and Transportation (Control) Act 2064 (2007) s.4"
local ACT_TRANSPORT = "NP Human Trafficking and Transportation (Control) Act 2064 (2007) s.4 (transportation, a separate offence)"
local DIFFERS = "the facts meet the Palermo definition (act, means and purpose, or an act against a child), but not Nepal's Act, which covers selling or buying a person, forcing into prostitution and removing organs: refer for identification, and check other Nepali law for the exploitation recorded"

local function has(list, a, b)
  if list == nil then return nil end
  return intl._contains(list, a) or (b ~= nil and intl._contains(list, b))
end

local function pathway(facts, ctx)
  local sale = has(facts.acts, "sale", "purchase")
  local prostitution = has(facts.exploitation, "sexual_exploitation")
  local organs = has(facts.exploitation, "organ_removal")
  local reasons, basis = {}, { ACT }

  local trafficking
  if sale or prostitution or organs then
    trafficking = true
  elseif sale == false and prostitution == false then
    trafficking = false
  end

  if trafficking then
    if sale then reasons[#reasons + 1] = "a person was sold or bought: trafficking under s.4, with no means required" end
    if prostitution then reasons[#reasons + 1] = "sexual exploitation is recorded, read as forcing into prostitution: trafficking under s.4, with no means required (check the facts against the Act)" end
    if organs then reasons[#reasons + 1] = "removal of organs: trafficking under s.4, with no means required" end
    local transported = facts.taken_abroad == true or intl._contains(facts.acts, "transportation")
    local result = intl._settle(facts, true, reasons, basis)
    result.offences = { "trafficking" }
    if transported then
      result.offences[2] = "transportation"
      basis[#basis + 1] = ACT_TRANSPORT
      reasons[#reasons + 1] = facts.taken_abroad == true
        and "the person was taken out of the country for those ends: transportation, a separate offence under the Act"
        or "the person was transported for those ends: transportation, a separate offence under the Act"
    end
    return result
  end

  if trafficking == false then
    reasons[1] = "no sale or purchase of the person, forced prostitution or removal of organs recorded: not trafficking under s.4"
    return intl._differs(facts, ctx, intl._settle(facts, false, reasons, basis), DIFFERS, ACT)
  end

  local missing = {}
  if sale == nil then missing[#missing + 1] = "acts" end
  if prostitution == nil then missing[#missing + 1] = "exploitation" end
  reasons[1] = "whether the person was sold or bought, forced into prostitution or had organs removed is not recorded: s.4 cannot be decided"
  return intl._settle(facts, nil, reasons, basis, missing)
end

return { pathway = pathway }
