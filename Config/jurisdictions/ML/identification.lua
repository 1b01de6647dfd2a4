-- identification.pathway in Mali: the national law on trafficking is not yet checked, so the Palermo
-- definition decides and the national law is cited as [unverified] for a country team to fill in.

local intl = require("intl/identification")

return {
  pathway = intl._national_pathway({
    ["Palermo Protocol art. 3(a)"] = { "Palermo Protocol art. 3(a)", "[unverified] ML national law on trafficking in persons: not yet checked" },
  }),
}
