-- return.steps for the reception in Lao PDR of a person returned from abroad. return.packet is inherited
-- from intl. LA has no return.route: returns are decided where the person is.
-- Returned victims are received by the Lao Women's Union (Centre for Counselling and Protection of Women
-- and Children; shelter for returned victims). Lao people deported from neighbouring countries are
-- poorly screened for trafficking on return (US TIP report 2018, Laos), and some pushed back across the
-- Mekong are re-trafficked (US TIP report 2016): every deportee is screened at reception.

local LWU = "Lao Women's Union"
local LAW_2016 = "[unverified] LA Law on Anti-Trafficking in Persons (2016): victim-assistance and reintegration provisions (article numbers not found)"
local MOU = "Lao-Thai MOU on cooperation to combat trafficking in persons (2005)"
local SOP_TH = "[unverified] Lao-Thai SOP for the return of Lao victims from Thailand (text not public)"
local TIP_2018 = "US TIP report 2018, Laos: deportees from neighbouring countries poorly screened for trafficking on return; screening at reception is the practice to support"
local GUIDELINES = "[unverified] LA national victim protection and referral guidelines (approved by the 2021 TIP reporting period): referral steps not verified"
local RECEPTION = "Lao authorities receiving deportees at the border (not named in DOMAIN)"

local function step(id, label, actor, basis)
  return { id = id, label = label, actor = actor, basis = basis }
end

local function steps(facts, ctx)
  local route, from, to = facts.route, facts.country, facts.origin
  if route == nil or to == nil then
    local missing = {}
    if route == nil then missing[#missing + 1] = "route" end
    if to == nil then missing[#missing + 1] = "origin" end
    return { outcome = "undetermined", missing = missing, reasons = { "reception steps need the route decided and the destination" }, basis = { LAW_2016 } }
  end
  local result = { outcome = "steps", route = route, from = from, to = to, steps = {}, reasons = {}, basis = { LAW_2016 } }
  if to ~= "LA" then
    result.reasons[1] = "this pack describes only the reception of returned people in Lao PDR"
    return result
  end
  if route == "deportation" then
    -- A deportee may be an unidentified victim: screen before anything else.
    result.steps = {
      step("reception_screening", "Screen the returned person for trafficking at reception (a deportee can be an unidentified victim)", RECEPTION, { TIP_2018 }),
      step("referral_if_indicators", "Where screening shows signs of trafficking, refer to the Lao Women's Union for counselling and protection", LWU, { GUIDELINES, TIP_2018 }),
    }
    result.basis = { TIP_2018, GUIDELINES }
    result.reasons[1] = "Lao people deported from neighbouring countries are poorly screened for trafficking on return: screen every deportee at reception"
    result.reasons[2] = "a person pushed back without notice is not a route but a harm to record: screen them the same way when they are found"
    return result
  end
  if route ~= "repatriation_as_victim" then
    result.reasons[1] = "no reception procedure in Lao PDR for this route is known: only returned victims are received by the Lao Women's Union, and deportees are screened"
    return result
  end
  local handover = { LAW_2016 }
  if from == "TH" then
    handover = { MOU, SOP_TH }
    result.basis = { MOU, SOP_TH, LAW_2016 }
  end
  result.receiving_agency = LWU
  result.steps = {
    step("reception_at_border", "Receive the person at the official handover at the border", LWU, handover),
    step("counselling", "Counselling (Centre for Counselling and Protection of Women and Children)", LWU, { LAW_2016 }),
    step("protection", "Protection and shelter for the returned victim", LWU, { LAW_2016 }),
    step("reintegration", "Reintegration", LWU, { LAW_2016 }),
  }
  result.reasons[1] = "a returned victim is received by the Lao Women's Union: counselling, protection, reintegration"
  return result
end

return { steps = steps }
