-- shelter.placement in Lao PDR. The national victim protection and referral guidelines were approved by
-- the 2021 TIP reporting period (US TIP report 2021, Laos); their placement rules are not verified here.
-- What DOMAIN gives: the Lao Women's Union runs a Centre for Counselling and Protection of Women and
-- Children and a shelter for returned victims. So a victim is placed (a child first as a child), and
-- what the guidelines say in detail stays [unverified] for a caseworker to confirm.

local identification = require("identification")
local intl_return = require("intl/return")

local LWU_SHELTER = "Lao Women's Union shelter for returned victims"
local LWU_CENTRE = "Lao Women's Union Centre for Counselling and Protection of Women and Children"
local LAW_2016 = "[unverified] LA Law on Anti-Trafficking in Persons (2016): victim-assistance and reintegration provisions (article numbers not found)"
local GUIDELINES = "[unverified] LA national victim protection and referral guidelines (approved by the 2021 TIP reporting period, US TIP report 2021): placement rules not verified"
local UNICEF = "UNICEF Guidelines on the Protection of Child Victims of Trafficking sec. 3.1.2"

-- The reasons in Lao too (pack.yaml: languages), for the Lao Women's Union caseworkers who read no
-- English. Draft translations, to be reviewed by a native speaker; English is the fallback.
local STATUS_LO = { possible = "ອາດເປັນຜູ້ເຄາະຮ້າຍ", actual = "ໄດ້ຮັບການກຳນົດຕົວຕົນແລ້ວ" }

local function placement(facts, ctx)
  if facts.route == "repatriation_as_victim" then
    return {
      outcome = "ngo_shelter",
      shelter = LWU_SHELTER,
      reasons = {
        { en = "a returned victim is received by the Lao Women's Union shelter: counselling, protection, reintegration",
          lo = "ຜູ້ເຄາະຮ້າຍທີ່ກັບຄືນມາ ໄດ້ຮັບການຕ້ອນຮັບຢູ່ທີ່ພັກເຊົາຂອງສະຫະພັນແມ່ຍິງລາວ: ການໃຫ້ຄຳປຶກສາ, ການປົກປ້ອງ, ການເຊື່ອມໂຍງຄືນສູ່ສັງຄົມ" },
        "[unverified] recorded as ngo_shelter: the outcome vocabulary has no mass-organisation shelter",
      },
      basis = { LAW_2016 },
    }
  end

  local pathway = identification.pathway(facts, ctx)
  if pathway.outcome == "victim" then
    local is_child, presumed = intl_return._child(facts)
    local result = {
      status = pathway.status, shelter = LWU_CENTRE, placement_to_confirm = true,
      reasons = { {
        en = "a victim of trafficking (" .. pathway.status .. "): placed under the national victim protection and referral guidelines, whose placement rules are not verified: a caseworker confirms the place",
        lo = "ຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດ (" .. (STATUS_LO[pathway.status] or pathway.status) .. "): ຈັດບ່ອນພັກເຊົາຕາມຂໍ້ແນະນຳແຫ່ງຊາດກ່ຽວກັບການປົກປ້ອງ ແລະ ການສົ່ງຕໍ່ຜູ້ເຄາະຮ້າຍ, ເຊິ່ງກົດລະບຽບການຈັດບ່ອນພັກເຊົາຍັງບໍ່ໄດ້ກວດສອບ: ພະນັກງານຄຸ້ມຄອງກໍລະນີເປັນຜູ້ຢືນຢັນສະຖານທີ່",
      } },
      basis = { GUIDELINES, LAW_2016 },
    }
    if is_child then
      result.outcome = "child_protection_shelter"
      result.alternatives = { "ngo_shelter" }
      result.reasons[#result.reasons + 1] = {
        en = "a child: a place for children, such as the Lao Women's Union Centre for Counselling and Protection of Women and Children",
        lo = "ເດັກ: ບ່ອນພັກເຊົາສຳລັບເດັກ ເຊັ່ນ ສູນໃຫ້ຄຳປຶກສາ ແລະ ປົກປ້ອງແມ່ຍິງ ແລະ ເດັກ ຂອງສະຫະພັນແມ່ຍິງລາວ",
      }
      if presumed then
        result.age_presumed = true
        result.reasons[#result.reasons + 1] = {
          en = "the age is unknown and the person appears to be under 18: presumed a child until the age is verified",
          lo = "ບໍ່ຮູ້ອາຍຸ ແລະ ບຸກຄົນນີ້ເບິ່ງຄືວ່າມີອາຍຸຕ່ຳກວ່າ 18 ປີ: ຖືວ່າເປັນເດັກ ຈົນກວ່າຈະກວດສອບອາຍຸໄດ້",
        }
        result.basis[#result.basis + 1] = UNICEF
      end
    else
      result.outcome = "ngo_shelter"
      result.reasons[#result.reasons + 1] = {
        en = "the Lao Women's Union centre serves women and children: for a man, the place the guidelines give is not known",
        lo = "ສູນຂອງສະຫະພັນແມ່ຍິງລາວ ຮັບແຕ່ແມ່ຍິງ ແລະ ເດັກ: ສຳລັບຜູ້ຊາຍ ຍັງບໍ່ຮູ້ວ່າຂໍ້ແນະນຳກຳນົດບ່ອນພັກເຊົາໃດ",
      }
      if is_child == nil then
        result.age_to_verify = true
        result.alternatives = { "child_protection_shelter" }
        result.reasons[#result.reasons + 1] = {
          en = "the age is unknown: verify it (record appears_under_18 if there are reasons to believe the person is a child)",
          lo = "ບໍ່ຮູ້ອາຍຸ: ໃຫ້ກວດສອບອາຍຸ (ບັນທຶກ appears_under_18 ຖ້າມີເຫດຜົນທີ່ເຊື່ອວ່າບຸກຄົນນີ້ເປັນເດັກ)",
        }
      end
    end
    return result
  end

  if pathway.elements == "missing" then
    return {
      outcome = "undetermined", missing = pathway.missing,
      reasons = { {
        en = "a placement depends on whether the person is a victim of trafficking, which is undetermined",
        lo = "ການຈັດບ່ອນພັກເຊົາ ຂຶ້ນກັບວ່າບຸກຄົນນີ້ເປັນຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດຫຼືບໍ່, ເຊິ່ງຍັງບໍ່ທັນໄດ້ກຳນົດ",
      } },
      basis = { GUIDELINES },
    }
  end
  local result = {
    outcome = "none",
    reasons = { {
      en = "not a victim of trafficking on these facts: no placement under the victim protection guidelines",
      lo = "ຕາມຂໍ້ມູນນີ້ ບໍ່ແມ່ນຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດ: ບໍ່ມີການຈັດບ່ອນພັກເຊົາຕາມຂໍ້ແນະນຳການປົກປ້ອງຜູ້ເຄາະຮ້າຍ",
    } },
    basis = { GUIDELINES },
  }
  if pathway.refer_for_identification then
    result.refer_for_identification = true
    result.reasons[2] = {
      en = "indicators are recorded: refer for identification",
      lo = "ມີການບັນທຶກຕົວຊີ້ວັດ: ສົ່ງຕໍ່ເພື່ອກຳນົດຕົວຕົນຜູ້ເຄາະຮ້າຍ",
    }
  end
  return result
end

return { placement = placement }
