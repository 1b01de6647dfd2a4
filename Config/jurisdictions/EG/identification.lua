-- identification.pathway in Egypt: Law No. 64 of 2010 on Combating Human Trafficking, art. 2. The
-- review of December 2026 found it consistent with the Palermo definition, so the parent decides and the
-- national law is cited for the definition.

local intl = require("intl/identification")

return {
  pathway = intl._national_pathway({
    ["Palermo Protocol art. 3(a)"] = "EG Law No. 64 of 2010 on Combating Human Trafficking art. 2",
  }),
}
