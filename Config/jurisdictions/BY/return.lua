-- return.route in Belarus, a party to the Council of Europe Convention on Action against Trafficking in
-- Human Beings: the recovery and reflection period of at least 30 days (art. 13), during which no
-- expulsion order may be enforced, holds a return once there are reasonable grounds. The national rules
-- on return and removal are not encoded ([unverified]); the shared rule is in intl/return.lua.
-- return.packet is inherited from intl.

local identification = require("identification")
local intl_return = require("intl/return")

local function route(facts, ctx)
  return intl_return._reflection_route(facts, ctx, identification.pathway(facts, ctx), "Belarus")
end

return { route = route }
