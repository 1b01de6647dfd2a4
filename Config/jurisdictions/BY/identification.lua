-- identification.pathway in Belarus: Criminal Code art. 181. The article's elements are not set out in
-- DOMAIN, so the Palermo definition decides and the national offence is cited beside it.

local intl = require("intl/identification")

return {
  pathway = intl._national_pathway({
    ["Palermo Protocol art. 3(a)"] = { "BY Criminal Code art. 181", "Palermo Protocol art. 3(a)" },
  }),
}
