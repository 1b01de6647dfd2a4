-- identification.pathway in Morocco: Law 27-14 (2016), Penal Code art. 448-1, which needs no means for a
-- child, as Palermo does: the parent decides and the national article is cited.

local intl = require("intl/identification")

local ART_448_1 = "MA Penal Code art. 448-1 (Law 27-14 of 2016)"

return {
  pathway = intl._national_pathway({
    ["Palermo Protocol art. 3(a)"] = ART_448_1,
    ["Palermo Protocol art. 3(c)"] = { ART_448_1, "Palermo Protocol art. 3(c)" },
  }),
}
