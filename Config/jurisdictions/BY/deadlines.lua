-- deadlines.due in Belarus, a party to the Council of Europe Convention on Action against Trafficking in
-- Human Beings: the end of the recovery and reflection period of at least 30 days (art. 13), which runs once
-- there are reasonable grounds to believe the person is a victim. National deadlines are not encoded
-- ([unverified]); the shared rule is in intl/deadlines.lua.

local identification = require("identification")
local intl = require("intl/deadlines")

local function due(facts, ctx)
  return intl._reflection_due(facts, ctx, identification.pathway(facts, ctx), "Belarus")
end

return { due = due }
