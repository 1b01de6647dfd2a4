-- identification.pathway under the Anti-Trafficking in Persons Act B.E. 2551 (ATIPA).
-- s.6(1) and s.6(2) follow the Palermo definition (act + means + purpose; no means for a child), so the
-- parent decides and this module states the Thai basis.

local intl = require("intl/identification")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local BASIS_S61 = ATIPA .. "s.6/1"
local NRM_FROM = "2022-03-01" -- DOMAIN gives only the month of approval
local NRM_STAY_DAYS = 15

-- The Thai citation for each citation of the parent; nil keeps the parent's.
local THAI_BASIS = {
  ["Palermo Protocol art. 3(a)"] = ATIPA .. "s.6(1)",
  ["Palermo Protocol art. 3(b)"] = ATIPA .. "s.4",
  ["Palermo Protocol art. 3(c)"] = ATIPA .. "s.6(2)",
  ["Palermo Protocol art. 3(d)"] = "[unverified] TH ATIPA child = under 18 (threshold taken from Palermo Protocol art. 3(d))",
}

local function has(list, value)
  if list == nil then return false end
  for _, item in ipairs(list) do
    if item == value then return true end
  end
  return false
end

local function pathway(facts, ctx)
  local result = intl.pathway(facts, ctx)
  local basis = {}
  for i, citation in ipairs(result.basis) do
    basis[i] = THAI_BASIS[citation] or citation
  end
  if result.outcome == "irregular_migrant" or result.outcome == "smuggled_migrant" then
    basis[#basis + 1] = "TH Immigration Act B.E. 2522 s.54"
  end
  if has(facts.exploitation, "forced_labour") then
    if result.outcome == "victim" then
      basis[#basis + 1] = BASIS_S61
    else
      result.reasons[#result.reasons + 1] = "forced labour is recorded: s.6/1 (forced labour or services) may apply on its own; its elements are not encoded yet"
    end
  end
  result.basis = basis
  return result
end

-- Whether the NRM is in force at ctx.date, and the days left of the 15-day temporary stay before the
-- MDT identification interview (nil when the person was not referred).
local function nrm(facts, ctx)
  if ctx.date < NRM_FROM then return false end
  local days = facts.days_since_referral
  if days == nil then return true end
  local left = NRM_STAY_DAYS - days
  if left < 0 then left = 0 end
  return true, left, days > NRM_STAY_DAYS
end

return { pathway = pathway, _nrm = nrm }
