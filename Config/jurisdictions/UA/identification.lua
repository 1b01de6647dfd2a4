-- identification.pathway in Ukraine: Criminal Code art. 149. The article's elements are not set out in
-- DOMAIN, so the Palermo definition decides and the national offence is cited beside it.

local intl = require("intl/identification")

return {
  pathway = intl._national_pathway({
    ["Palermo Protocol art. 3(a)"] = { "UA Criminal Code art. 149", "Palermo Protocol art. 3(a)" },
  }),
}
