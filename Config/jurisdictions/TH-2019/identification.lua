-- identification.pathway under ATIPA s.4 and s.6 as enacted in 2008, for cases decided at dates before
-- 2020. Same mapping of the Palermo elements as the current TH pack (TH/identification.lua), without
-- s.6/1: it was added in 2019, on a day DOMAIN does not give, so for dates in 2019 it is cited as
-- [unverified] and for earlier dates not at all. Keep the mapping in step with TH/identification.lua.

local intl = require("intl/identification")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local S61_2019 = "[unverified] TH ATIPA s.6/1 (forced labour or services; added in 2019, in force at this date only if the amendment was)"

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
  if ctx.date >= "2019-01-01" and has(facts.exploitation, "forced_labour") then
    basis[#basis + 1] = S61_2019
  end
  result.basis = basis
  return result
end

return { pathway = pathway }
