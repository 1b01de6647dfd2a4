import Foundation
import GloJSON
import GloKit
import GloRules
import Logging
import HTTPTypes
import Hummingbird
import Mustache
import PluginIdentification
import PluginImmigration
import PluginLegalAid
import PluginLegalProcess
import PluginReporting
import PluginReturn
import PluginShelter

/// The caseworkers' web UI: server-rendered pages (swift-mustache, no JavaScript), signed in with the
/// session cookie, labels in English, Lao and Thai chosen per user. Every page reads through the same
/// access policy and audit log as the API.
///
/// The Lao and Thai labels are first drafts: have a native speaker review them.
struct WebUI: Sendable {
    let library: MustacheLibrary

    init() throws {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw Problem(.internalServerError, "internal", "Internal error", "the UI templates are missing from this build")
        }
        var templates: [String: MustacheTemplate] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
    }

    static let languages: [(code: String, name: String)] = [("en", "English"), ("lo", "ພາສາລາວ"), ("th", "ภาษาไทย")]

    static let labels: [String: [String: String]] = baseLabels.merging(workflowLabels) { base, more in base.merging(more) { a, _ in a } }

    static let baseLabels: [String: [String: String]] = [
        "en": [
            "case_facts": "Facts of the case", "record_facts": "Record or change the facts", "custody": "Custody", "unknown": "— not known —", "yes": "Yes", "no": "No", "none_of_these": "None of these",
            "result.consider": "Charges for the prosecutor to consider not pursuing", "result.barred": "Charges that may not be prosecuted",
            "result.not_covered": "Charges the bar does not cover", "result.custody": "Custody while the deportation is arranged",
            "result.hold_reasons": "The return waits for", "result.stay_grounds": "Grounds to stay",
            "result.proceedings_continue": "How the case goes on after the return", "result.early_testimony_required": "Take the testimony in advance first",
            "result.status": "Status", "result.kinds": "Legal aid", "result.review_required": "A person must review this",
            "reload": "Reload the packs", "retry": "Retry", "reports": "Reports", "suppressed": "counts under k are not shown", "packs": "Rule packs", "plugins": "Plugins", "dead_letters": "Dead letters",
            "new_case": "New case", "given_names": "Given names", "family_name": "Family name", "date_of_birth": "Date of birth", "citizenship": "Citizenship", "screening": "Screening", "date": "Date", "entry": "Entry", "identified_by": "Decided by", "save": "Save", "referrals": "Referrals", "to_organisation": "To organisation (id)", "service": "Service", "consent_services": "The person consents to these services", "consent_disclosure": "The person consents to their case being shared with this organisation", "refer": "Refer", "acts": "Acts", "means": "Means", "exploitation": "Exploitation", "ilo_indicators": "ILO indicators",
            "sign_in": "Sign in", "name": "Name", "password": "Password", "cases": "Cases", "case": "Case", "search": "Search",
            "person": "Person", "status": "Status", "pathway": "Pathway", "jurisdiction": "Jurisdiction", "opened": "Opened",
            "decisions": "Decisions", "reasons": "Reasons", "basis": "Legal basis", "missing": "Facts still missing",
            "rule": "Rule", "language": "Language", "sign_out": "Sign out", "trafficking_status": "Trafficking status",
            "flags": "Needs attention", "no_cases": "No cases.",
        ],
        "lo": [
            "case_facts": "ຂໍ້ເທັດຈິງຂອງຄະດີ", "record_facts": "ບັນທຶກ ຫຼື ປ່ຽນຂໍ້ເທັດຈິງ", "custody": "ການຄຸມຕົວ", "unknown": "— ບໍ່ຮູ້ —", "yes": "ແມ່ນ", "no": "ບໍ່ແມ່ນ", "none_of_these": "ບໍ່ມີອັນໃດ",
            "result.consider": "ຂໍ້ກ່າວຫາທີ່ໄອຍະການຄວນພິຈາລະນາບໍ່ດຳເນີນຄະດີ", "result.barred": "ຂໍ້ກ່າວຫາທີ່ຫ້າມດຳເນີນຄະດີ",
            "result.not_covered": "ຂໍ້ກ່າວຫາທີ່ບໍ່ໄດ້ຮັບການຍົກເວັ້ນ", "result.custody": "ການຄຸມຕົວລະຫວ່າງກະກຽມການສົ່ງອອກ",
            "result.hold_reasons": "ການສົ່ງກັບລໍຖ້າ", "result.stay_grounds": "ເຫດຜົນໃຫ້ຢູ່ຕໍ່",
            "result.proceedings_continue": "ຄະດີດຳເນີນຕໍ່ແນວໃດຫຼັງການສົ່ງກັບ", "result.early_testimony_required": "ຕ້ອງບັນທຶກຄຳໃຫ້ການລ່ວງໜ້າກ່ອນ",
            "result.status": "ສະຖານະ", "result.kinds": "ການຊ່ວຍເຫຼືອທາງກົດໝາຍ", "result.review_required": "ຕ້ອງມີຄົນກວດຄືນ",
            "reload": "ໂຫຼດຊຸດກົດລະບຽບຄືນໃໝ່", "retry": "ລອງໃໝ່", "reports": "ລາຍງານ", "suppressed": "ຈຳນວນທີ່ຕ່ຳກວ່າ k ບໍ່ສະແດງ", "packs": "ຊຸດກົດລະບຽບ", "plugins": "ປລັກອິນ", "dead_letters": "ການສົ່ງທີ່ລົ້ມເຫຼວ",
            "new_case": "ຄະດີໃໝ່", "given_names": "ຊື່", "family_name": "ນາມສະກຸນ", "date_of_birth": "ວັນເດືອນປີເກີດ", "citizenship": "ສັນຊາດ", "screening": "ການກວດຄັດກອງ", "date": "ວັນທີ", "entry": "ການເຂົ້າເມືອງ", "identified_by": "ຕັດສິນໂດຍ", "save": "ບັນທຶກ", "referrals": "ການສົ່ງຕໍ່", "to_organisation": "ເຖິງອົງການ (ລະຫັດ)", "service": "ການບໍລິການ", "consent_services": "ບຸກຄົນດັ່ງກ່າວຍິນຍອມຮັບການບໍລິການເຫຼົ່ານີ້", "consent_disclosure": "ບຸກຄົນດັ່ງກ່າວຍິນຍອມໃຫ້ແບ່ງປັນຄະດີກັບອົງການນີ້", "refer": "ສົ່ງຕໍ່", "acts": "ການກະທຳ", "means": "ວິທີການ", "exploitation": "ການຂູດຮີດ", "ilo_indicators": "ຕົວຊີ້ວັດ ILO",
            "sign_in": "ເຂົ້າສູ່ລະບົບ", "name": "ຊື່ຜູ້ໃຊ້", "password": "ລະຫັດຜ່ານ", "cases": "ຄະດີ", "case": "ຄະດີ", "search": "ຄົ້ນຫາ",
            "person": "ບຸກຄົນ", "status": "ສະຖານະ", "pathway": "ແນວທາງ", "jurisdiction": "ເຂດອຳນາດ", "opened": "ວັນທີເປີດ",
            "decisions": "ການຕັດສິນ", "reasons": "ເຫດຜົນ", "basis": "ພື້ນຖານທາງກົດໝາຍ", "missing": "ຂໍ້ມູນທີ່ຍັງຂາດ",
            "rule": "ກົດລະບຽບ", "language": "ພາສາ", "sign_out": "ອອກຈາກລະບົບ", "trafficking_status": "ສະຖານະຜູ້ເຄາະຮ້າຍ",
            "flags": "ຕ້ອງເອົາໃຈໃສ່", "no_cases": "ບໍ່ມີຄະດີ.",
        ],
        "th": [
            "case_facts": "ข้อเท็จจริงของคดี", "record_facts": "บันทึกหรือแก้ไขข้อเท็จจริง", "custody": "การควบคุมตัว", "unknown": "— ไม่ทราบ —", "yes": "ใช่", "no": "ไม่ใช่", "none_of_these": "ไม่มีข้อใดเลย",
            "result.consider": "ข้อหาที่อัยการควรพิจารณาไม่ดำเนินคดี", "result.barred": "ข้อหาที่ห้ามดำเนินคดี",
            "result.not_covered": "ข้อหาที่ไม่ได้รับการยกเว้น", "result.custody": "การควบคุมตัวระหว่างเตรียมการเนรเทศ",
            "result.hold_reasons": "การส่งกลับรอ", "result.stay_grounds": "เหตุที่อยู่ต่อ",
            "result.proceedings_continue": "คดีดำเนินต่ออย่างไรหลังการส่งกลับ", "result.early_testimony_required": "ต้องสืบพยานล่วงหน้าก่อน",
            "result.status": "สถานะ", "result.kinds": "ความช่วยเหลือทางกฎหมาย", "result.review_required": "ต้องมีผู้ตรวจสอบ",
            "reload": "โหลดชุดกฎใหม่", "retry": "ลองใหม่", "reports": "รายงาน", "suppressed": "ไม่แสดงจำนวนที่น้อยกว่า k", "packs": "ชุดกฎ", "plugins": "ปลั๊กอิน", "dead_letters": "การส่งที่ล้มเหลว",
            "new_case": "คดีใหม่", "given_names": "ชื่อ", "family_name": "นามสกุล", "date_of_birth": "วันเกิด", "citizenship": "สัญชาติ", "screening": "การคัดกรอง", "date": "วันที่", "entry": "การเข้าเมือง", "identified_by": "ผู้วินิจฉัย", "save": "บันทึก", "referrals": "การส่งต่อ", "to_organisation": "ถึงหน่วยงาน (รหัส)", "service": "บริการ", "consent_services": "บุคคลนี้ยินยอมรับบริการเหล่านี้", "consent_disclosure": "บุคคลนี้ยินยอมให้เปิดเผยคดีแก่หน่วยงานนี้", "refer": "ส่งต่อ", "acts": "การกระทำ", "means": "วิธีการ", "exploitation": "การแสวงประโยชน์", "ilo_indicators": "ตัวชี้วัด ILO",
            "sign_in": "เข้าสู่ระบบ", "name": "ชื่อผู้ใช้", "password": "รหัสผ่าน", "cases": "คดี", "case": "คดี", "search": "ค้นหา",
            "person": "บุคคล", "status": "สถานะ", "pathway": "แนวทาง", "jurisdiction": "เขตอำนาจ", "opened": "วันที่เปิด",
            "decisions": "คำวินิจฉัย", "reasons": "เหตุผล", "basis": "ฐานทางกฎหมาย", "missing": "ข้อเท็จจริงที่ยังขาด",
            "rule": "กฎ", "language": "ภาษา", "sign_out": "ออกจากระบบ", "trafficking_status": "สถานะการค้ามนุษย์",
            "flags": "ต้องดำเนินการ", "no_cases": "ไม่มีคดี",
        ],
    ]

    /// The dashboard's, the case page's workflow sections' and the handover packet's labels. The Lao
    /// and Thai ones are first drafts too: have a native speaker review them.
    static let workflowLabels: [String: [String: String]] = [
        "en": [
            "dashboard": "Dashboard", "signed_in_as": "Signed in as", "open_cases": "open cases", "closed_cases": "closed cases",
            "none_yet": "None yet.", "recent_decisions": "Recent decisions", "outcome": "Outcome", "see_case": "Open the case",
            "screenings": "Screenings", "legal_aid": "Legal aid", "legal_aid_decision": "Legal-aid eligibility",
            "legal_assistance": "Legal assistance", "kind": "Kind", "provider": "Provider (organisation)", "court_reference": "Court case reference",
            "closed": "Closed", "legal_process": "Legal process", "protection_decision": "Non-punishment", "stage": "Stage",
            "victim_role": "Role of the victim", "compensation_claim": "Compensation claim", "history": "History",
            "shelter": "Shelter", "shelter_organisation": "Shelter (organisation)", "identification_stay_end": "Identification stay ends",
            "from": "From", "to": "To", "returns": "Return", "route": "Route", "packet_sent": "The handover packet has been sent.",
            "packet_not_sent": "The handover packet has not been sent.", "deportations": "Deportations", "notified": "Notice",
            "push_backs": "Push backs", "people": "People", "timeline": "Event timeline", "event": "Event", "time": "Time", "actor": "By",
            "packet_preview": "Preview the handover packet", "back_to_case": "Back to the case",
            "packet_not_sent_yet": "A preview: nothing has been sent. Only these fields would cross the border.",
            "receiving_organisation": "Receiving organisation (id)", "fields": "Fields that cross", "withheld": "Withheld",
            "consent_reference": "Consent reference", "nothing_crosses": "Nothing about the person may be sent to this organisation.",
            "identity": "Identity", "full_name": "Name", "sex": "Sex", "documents": "Identity documents", "logistics": "Logistics",
            "handover_date": "Handover date", "border_point": "Border point", "needs_and_risks": "Needs and risks",
            "return_risk": "Risk on return", "needs": "Needs",
        ],
        "lo": [
            "dashboard": "ໜ້າຫຼັກ", "signed_in_as": "ເຂົ້າລະບົບເປັນ", "open_cases": "ຄະດີທີ່ເປີດຢູ່", "closed_cases": "ຄະດີທີ່ປິດແລ້ວ",
            "none_yet": "ຍັງບໍ່ມີ.", "recent_decisions": "ການຕັດສິນຫຼ້າສຸດ", "outcome": "ຜົນ", "see_case": "ເປີດຄະດີ",
            "screenings": "ການກວດຄັດກອງ", "legal_aid": "ການຊ່ວຍເຫຼືອທາງກົດໝາຍ", "legal_aid_decision": "ສິດໄດ້ຮັບການຊ່ວຍເຫຼືອທາງກົດໝາຍ",
            "legal_assistance": "ການຊ່ວຍເຫຼືອທາງກົດໝາຍ", "kind": "ປະເພດ", "provider": "ຜູ້ໃຫ້ບໍລິການ (ອົງການ)", "court_reference": "ເລກທີຄະດີສານ",
            "closed": "ວັນທີປິດ", "legal_process": "ຂະບວນການທາງກົດໝາຍ", "protection_decision": "ການບໍ່ລົງໂທດ", "stage": "ຂັ້ນຕອນ",
            "victim_role": "ບົດບາດຂອງຜູ້ເຄາະຮ້າຍ", "compensation_claim": "ການຮຽກຮ້ອງຄ່າຊົດເຊີຍ", "history": "ປະຫວັດ",
            "shelter": "ທີ່ພັກພິງ", "shelter_organisation": "ທີ່ພັກພິງ (ອົງການ)", "identification_stay_end": "ສິ້ນສຸດການພັກເພື່ອກຳນົດຕົວຕົນ",
            "from": "ຈາກ", "to": "ເຖິງ", "returns": "ການສົ່ງກັບຄືນ", "route": "ເສັ້ນທາງ", "packet_sent": "ໄດ້ສົ່ງຊຸດເອກະສານມອບໂອນແລ້ວ.",
            "packet_not_sent": "ຍັງບໍ່ໄດ້ສົ່ງຊຸດເອກະສານມອບໂອນ.", "deportations": "ການເນລະເທດ", "notified": "ແຈ້ງການ",
            "push_backs": "ການຊຸກຍູ້ກັບຄືນ", "people": "ຈຳນວນຄົນ", "timeline": "ລຳດັບເຫດການ", "event": "ເຫດການ", "time": "ເວລາ", "actor": "ໂດຍ",
            "packet_preview": "ເບິ່ງຊຸດເອກະສານມອບໂອນກ່ອນ", "back_to_case": "ກັບຄືນຫາຄະດີ",
            "packet_not_sent_yet": "ເປັນພຽງການເບິ່ງກ່ອນ: ຍັງບໍ່ມີຫຍັງຖືກສົ່ງ. ມີແຕ່ຂໍ້ມູນເຫຼົ່ານີ້ທີ່ຈະຂ້າມຊາຍແດນ.",
            "receiving_organisation": "ອົງການຮັບ (ລະຫັດ)", "fields": "ຂໍ້ມູນທີ່ຂ້າມຊາຍແດນ", "withheld": "ຂໍ້ມູນທີ່ບໍ່ສົ່ງ",
            "consent_reference": "ເລກອ້າງອີງການຍິນຍອມ", "nothing_crosses": "ບໍ່ອະນຸຍາດໃຫ້ສົ່ງຂໍ້ມູນໃດໆຂອງບຸກຄົນນີ້ໄປຫາອົງການນີ້.",
            "identity": "ຕົວຕົນ", "full_name": "ຊື່ ແລະ ນາມສະກຸນ", "sex": "ເພດ", "documents": "ເອກະສານຢັ້ງຢືນຕົວຕົນ", "logistics": "ການຈັດການເດີນທາງ",
            "handover_date": "ວັນທີມອບໂອນ", "border_point": "ດ່ານຊາຍແດນ", "needs_and_risks": "ຄວາມຕ້ອງການ ແລະ ຄວາມສ່ຽງ",
            "return_risk": "ຄວາມສ່ຽງເມື່ອກັບຄືນ", "needs": "ຄວາມຕ້ອງການ",
        ],
        "th": [
            "dashboard": "หน้าหลัก", "signed_in_as": "เข้าสู่ระบบในนาม", "open_cases": "คดีที่เปิดอยู่", "closed_cases": "คดีที่ปิดแล้ว",
            "none_yet": "ยังไม่มี", "recent_decisions": "คำวินิจฉัยล่าสุด", "outcome": "ผล", "see_case": "เปิดคดี",
            "screenings": "การคัดกรอง", "legal_aid": "ความช่วยเหลือทางกฎหมาย", "legal_aid_decision": "สิทธิได้รับความช่วยเหลือทางกฎหมาย",
            "legal_assistance": "ความช่วยเหลือทางกฎหมาย", "kind": "ประเภท", "provider": "ผู้ให้บริการ (หน่วยงาน)", "court_reference": "หมายเลขคดีของศาล",
            "closed": "วันที่ปิด", "legal_process": "กระบวนการทางกฎหมาย", "protection_decision": "การไม่ลงโทษ", "stage": "ขั้นตอน",
            "victim_role": "บทบาทของผู้เสียหาย", "compensation_claim": "การเรียกค่าสินไหมทดแทน", "history": "ประวัติ",
            "shelter": "สถานคุ้มครอง", "shelter_organisation": "สถานคุ้มครอง (หน่วยงาน)", "identification_stay_end": "สิ้นสุดการพักเพื่อคัดแยก",
            "from": "จาก", "to": "ถึง", "returns": "การส่งกลับ", "route": "ช่องทาง", "packet_sent": "ส่งชุดข้อมูลส่งมอบแล้ว",
            "packet_not_sent": "ยังไม่ได้ส่งชุดข้อมูลส่งมอบ", "deportations": "การเนรเทศ", "notified": "การแจ้ง",
            "push_backs": "การผลักดันกลับ", "people": "จำนวนคน", "timeline": "ลำดับเหตุการณ์", "event": "เหตุการณ์", "time": "เวลา", "actor": "โดย",
            "packet_preview": "ดูตัวอย่างชุดข้อมูลส่งมอบ", "back_to_case": "กลับไปที่คดี",
            "packet_not_sent_yet": "เป็นเพียงตัวอย่าง: ยังไม่มีการส่งสิ่งใด มีเพียงข้อมูลเหล่านี้ที่จะข้ามพรมแดน",
            "receiving_organisation": "หน่วยงานผู้รับ (รหัส)", "fields": "ข้อมูลที่ข้ามพรมแดน", "withheld": "ข้อมูลที่ไม่ส่ง",
            "consent_reference": "เลขอ้างอิงความยินยอม", "nothing_crosses": "ห้ามส่งข้อมูลใดของบุคคลนี้ไปยังหน่วยงานนี้",
            "identity": "ตัวตน", "full_name": "ชื่อ-นามสกุล", "sex": "เพศ", "documents": "เอกสารแสดงตัวตน", "logistics": "การเดินทาง",
            "handover_date": "วันที่ส่งมอบ", "border_point": "ด่านพรมแดน", "needs_and_risks": "ความต้องการและความเสี่ยง",
            "return_risk": "ความเสี่ยงเมื่อกลับ", "needs": "ความต้องการ",
        ],
    ]

    /// A whole page: `template` rendered into the layout.
    func page(_ template: String, title: String, lang: String, csrf: String?, _ values: [String: Any], error: String? = nil,
              status: HTTPResponse.Status = .ok) -> Response {
        let lang = Self.labels[lang] == nil ? "en" : lang
        var context = values
        context["labels"] = Self.labels[lang]!
        let content = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["lang": lang, "page_title": title, "content": content, "labels": Self.labels[lang]!]
        if let csrf {
            layout["signed_in"] = true
            layout["csrf"] = csrf
            layout["languages"] = Self.languages.map { ["code": $0.code, "name": $0.name, "selected": $0.code == lang] }
        }
        if let error { layout["error"] = error }
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        // No script may run, and no page may be framed.
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}

extension GloServer {
    /// Adds the UI's pages to the router (they are not part of the JSON API or its document).
    func addPages(to router: Router<APIContext>) {
        guard let ui = try? WebUI() else {
            logger.error("the web UI templates could not be loaded; the UI is off")
            return
        }
        router.get("/") { _, _ in WebUI.redirect("/ui") }
        for path in ["/ui", "/ui/dashboard"] {
            router.get(RouterPath(path)) { request, context in
                await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.dashboardPage(ui, caller, csrf) }
            }
        }
        router.get("/ui/returns/{id}/packet") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.packetPage(ui, request, context, caller, csrf) }
        }
        router.get("/ui/login") { request, _ in
            ui.page("login", title: "Sign in", lang: request.uri.queryParameters.get("lang") ?? "en", csrf: nil, [:])
        }
        router.post("/ui/login") { request, _ in
            var request = request
            let form = FormFields((try? await request.jsonBody()) ?? [])
            guard let name = form["name"], let password = form["password"] else {
                return ui.page("login", title: "Sign in", lang: "en", csrf: nil, [:], error: "The name or the password is wrong.",
                               status: .unauthorized)
            }
            let opened: (User, String, WebSession)?
            do { opened = try await self.openSession(name: name, password: password, request: "POST /ui/login") } catch let problem as Problem {
                return ui.page("login", title: "Sign in", lang: "en", csrf: nil, [:], error: problem.detail, status: problem.status)
            } catch { opened = nil }
            guard let (_, secret, _) = opened else {
                return ui.page("login", title: "Sign in", lang: "en", csrf: nil, [:], error: "The name or the password is wrong.",
                               status: .unauthorized)
            }
            return WebUI.redirect("/ui", cookie: Self.sessionCookie(secret))
        }
        router.get("/ui/cases") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.casesPage(ui, request, caller, csrf) }
        }
        router.get("/ui/cases/{id}") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.casePage(ui, context, caller, csrf) }
        }
        router.get("/ui/cases/new") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in
                try await self.newCasePage(ui, caller, csrf)
            }
        }
        router.post("/ui/cases/new") { request, context in
            await self.signedIn(ui, request, context, checkCSRF: true) { caller, _, form in
                try await self.newCase(caller, form)
            }
        }
        router.post("/ui/cases/{id}/facts") { request, context in
            await self.signedIn(ui, request, context, checkCSRF: true) { caller, _, form in
                try await self.recordFacts(context, caller, form)
            }
        }
        router.post("/ui/cases/{id}/referrals") { request, context in
            await self.signedIn(ui, request, context, checkCSRF: true) { caller, _, form in
                try await self.refer(context, caller, form)
            }
        }
        router.get("/ui/packs") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try self.packsPage(ui, caller, csrf, notice: nil) }
        }
        router.post("/ui/packs/reload") { request, context in
            await self.signedIn(ui, request, context, checkCSRF: true) { caller, csrf, _ in
                try AccessPolicy.check(caller, .manageRules, in: nil)
                let report = self.host.reloadRules()
                let notice = report.applied ? "Reloaded: \(report.changed.isEmpty ? "nothing changed" : report.changed.joined(separator: ", "))"
                    : "Not reloaded; the previous packs keep serving: " + report.refusals(under: self.host.engine.directory).joined(separator: "; ")
                return try self.packsPage(ui, caller, csrf, notice: notice)
            }
        }
        router.get("/ui/plugins") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in
                try AccessPolicy.check(caller, .administer, in: nil)
                return ui.page("admin", title: "Plugins", lang: caller.user.language ?? "en", csrf: csrf, [
                    "heading": WebUI.label("plugins", caller), "columns": ["id", "version", "description", "handles", "decisions", "depends on"],
                    "rows": self.host.plugins.map { p in ["cells": [p.id, p.version, p.summary, p.handles.map(\.text).joined(separator: ", "),
                                                                    p.decisionsNeeded.joined(separator: ", "), p.dependencies.joined(separator: ", ")]] },
                ])
            }
        }
        router.get("/ui/dead-letters") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.deadLettersPage(ui, caller, csrf) }
        }
        router.post("/ui/dead-letters/retry") { request, context in
            await self.signedIn(ui, request, context, checkCSRF: true) { caller, csrf, form in
                try AccessPolicy.check(caller, .administer, in: nil)
                if let id = form["id"] { _ = try await self.host.records.store.setDeadLetter(id, state: .retryRequested, error: nil, attempts: nil) }
                return WebUI.redirect("/ui/dead-letters")
            }
        }
        router.get("/ui/reports") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.reportPage(ui, request, caller, csrf) }
        }
        router.post("/ui/language") { request, context in
            await self.signedIn(ui, request, context, checkCSRF: true) { caller, _, form in
                let lang = form["lang"] ?? "en"
                guard WebUI.labels[lang] != nil, let found = try await self.host.records.get(User.self, caller.user.id.description) else {
                    return WebUI.redirect("/ui/cases")
                }
                var user = found.value
                user.language = lang
                let updated = user
                try await self.host.records.commit { change in try change.update(updated, from: found.version) }
                return WebUI.redirect("/ui/cases")
            }
        }
    }

    /// Runs a page for a signed-in browser, or sends it to the sign-in page; errors become a page.
    func signedIn(_ ui: WebUI, _ request: Request, _ context: APIContext, checkCSRF: Bool = false,
                  _ body: (Caller, String, FormFields) async throws -> Response) async -> Response {
        guard let secret = Self.cookie(request), let (session, user) = try? await users.session(secret), let caller = Caller(user) else {
            return WebUI.redirect("/ui/login")
        }
        var request = request
        var form = FormFields(pairs: [])
        if checkCSRF {
            let bytes = (try? await request.jsonBody()) ?? []
            guard Self.same(Self.csrf(request, body: bytes), session.csrfToken) else {
                return ui.page("login", title: "Sign in", lang: user.language ?? "en", csrf: session.csrfToken, [:],
                               error: "This form is out of date: open the page again.", status: .forbidden)
            }
            form = FormFields(bytes)
        }
        do { return try await body(caller, session.csrfToken, form) } catch {
            let problem = Problem.from(error)
            var message = problem.detail
            if let invalid = error as? ValidationFailure {
                // Each field by its label, with what was wrong with it.
                let language = user.language ?? "en"
                let vocabulary = host.engine.vocabulary
                message = invalid.errors.map { e -> String in
                    let name = e.field.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? e.field
                    let label = vocabulary.fact(name) != nil ? vocabulary.label(fact: name, in: language) : e.field
                    return "\(label): \(e.message)"
                }.joined(separator: " · ")
            }
            return ui.page("cases", title: problem.title, lang: user.language ?? "en", csrf: session.csrfToken,
                           ["has_cases": false], error: message, status: problem.status)
        }
    }

    func casesPage(_ ui: WebUI, _ request: Request, _ caller: Caller, _ csrf: String) async throws -> Response {
        guard AccessPolicy.allows(caller.role, .readCase), let jurisdiction = caller.user.jurisdictions.first else {
            throw AccessDenied(reason: "the role \(caller.role.rawValue) does not work on cases")
        }
        let query = request.uri.queryParameters.get("q") ?? ""
        var cases = try await host.records.list(Case.self, key: .jurisdiction(jurisdiction), limit: 500).map(\.value)
        if !query.allSatisfy(\.isWhitespace) {
            let people = Set(try await host.records.findPersons(named: query, limit: 5_000).map(\.id))
            cases = cases.filter { people.contains($0.person) }
        }
        var rows: [[String: Any]] = []
        for c in cases.suffix(100).reversed() {
            let name = try await host.records.person(c.person)?.value.personal
            rows.append(["id": c.id.description, "person": [name?.givenNames, name?.familyName].compactMap { $0 }.joined(separator: " "),
                         "opened": c.opened.description, "status": c.status.rawValue, "trafficking_status": c.traffickingStatus.rawValue,
                         "pathway": c.pathway?.rawValue ?? "—"])
        }
        try await audited(caller, .read, cases.suffix(100).map { "case:\($0.id)" } + cases.suffix(100).map { "person:\($0.person)" },
                          jurisdiction, request: "GET /ui/cases")
        return ui.page("cases", title: "Cases", lang: caller.user.language ?? "en", csrf: csrf,
                       ["cases": rows, "has_cases": !rows.isEmpty, "jurisdiction": jurisdiction.rawValue, "query": query])
    }

    func casePage(_ ui: WebUI, _ context: APIContext, _ caller: Caller, _ csrf: String) async throws -> Response {
        var context = context
        context.caller = caller
        let (_, found) = try await authorizedCase(context, .readCase, route: Self.route(.get, "/api/v1/cases/{id}"))
        let c = found.value
        let personal = try await host.records.person(c.person)?.value.personal
        try await audited(caller, .read, ["person:\(c.person)"], c.jurisdiction, request: "GET /ui/cases/{id}")
        let language = caller.user.language ?? "en"
        let labels = WebUI.labels[language] ?? WebUI.labels["en"]!
        let vocabulary = host.engine.vocabulary
        let decisions = try await host.records.list(DecisionRecord.self, key: .caseID(c.id)).map(\.value)
            .sorted { $0.decidedAt > $1.decidedAt }
            .map { d -> [String: Any] in
                let details = WebUI.details(of: d.result, vocabulary: vocabulary, labels: labels, language: language)
                return ["decision": d.decision, "outcome": d.outcome, "pack": d.packID, "version": d.packVersion,
                        "date": d.dateApplied.description, "reasons": d.reasons, "has_reasons": !d.reasons.isEmpty, "basis": d.basis,
                        "has_basis": !d.basis.isEmpty, "missing": d.missing.map { vocabulary.label(fact: $0, in: language) }, "has_missing": !d.missing.isEmpty,
                        "details": details, "has_details": !details.isEmpty]
            }
        let recorded = try await host.cases.recordedFacts(c.id)
        let form = FactsForm(vocabulary: vocabulary, form: "case", language: language)
        let fields = form.fields(recorded, labels: labels).map { field -> [String: Any] in
            var field = field
            if let value = recorded[field["name"] as! String] {
                field["shown"] = WebUI.shown(value, fact: field["name"] as! String, vocabulary, labels, language)
                field["recorded"] = true
            }
            return field
        }
        let flags = try await host.cases.flags(of: c.id).map { ["message": $0.message] }
        let values: [String: Any] = [
            "person": [personal?.givenNames, personal?.familyName].compactMap { $0 }.joined(separator: " "),
            "jurisdiction": c.jurisdiction.rawValue, "opened": c.opened.description, "status": c.status.rawValue,
            "trafficking_status": c.traffickingStatus.rawValue, "pathway": c.pathway?.rawValue ?? "—",
            "decisions": decisions, "flags": flags, "has_flags": !flags.isEmpty, "id": c.id.description, "csrf": csrf,
            "referrals": try await host.records.list(Referral.self, key: .caseID(c.id)).map {
                ["service": $0.value.service.rawValue, "to": $0.value.to.description, "status": $0.value.status.rawValue]
            },
            "services": Service.allCases.map(\.rawValue),
            "fields": fields, "facts_form": AccessPolicy.allows(caller.role, .writeCase) && caller.user.jurisdictions.contains(c.jurisdiction),
        ]
        return ui.page("case", title: "Case", lang: caller.user.language ?? "en", csrf: csrf,
                       values.merging(try await caseSections(c, language: language)) { a, _ in a })
    }
}

/// A submitted form, with its repeated fields (checkboxes) kept.
struct FormFields: Sendable {
    let pairs: [(String, String)]

    init(pairs: [(String, String)]) { self.pairs = pairs }

    init(_ body: [UInt8]) {
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
        pairs = (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }
    }

    subscript(_ name: String) -> String? {
        pairs.first { $0.0 == name }.map(\.1).flatMap { $0.isEmpty ? nil : $0 }
    }

    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }
}

extension GloServer {
    /// The new-case form: registers the person, opens the case in the caller's first jurisdiction, and
    /// records the screening (its decision shown on the case page).
    func newCase(_ caller: Caller, _ form: FormFields) async throws -> Response {
        guard let jurisdiction = caller.user.jurisdictions.first else { throw AccessDenied(reason: "no jurisdiction") }
        try AccessPolicy.check(caller, .writeCase, in: jurisdiction)
        guard let given = form["given_names"] else {
            throw ValidationFailure(errors: [FieldError(field: "given_names", message: "is required: enter a text")])
        }
        let personal = PersonalData(givenNames: given, familyName: form["family_name"], dateOfBirth: form["date_of_birth"].flatMap(CalendarDate.init),
                                    citizenship: form["citizenship"].map { [$0.uppercased()] } ?? [])
        guard let date = form["date"].flatMap(CalendarDate.init) else {
            throw ValidationFailure(errors: [FieldError(field: "date", message: "must be a date")])
        }
        let person = Person(personal: personal)
        let theCase = Case(jurisdiction: jurisdiction, ownerOrganisation: caller.user.organisation, assignedWorker: caller.user.id,
                           person: person.id, opened: date)
        let screening = Screening(caseID: theCase.id, interviewer: caller.user.id, date: date,
                                  acts: form.all("acts"), means: form.all("means"), exploitation: form.all("exploitation"),
                                  iloIndicators: form.all("ilo_indicators"), migration: MigrationFacts(entry: form["entry"]))
        let vocabulary = host.engine.vocabulary
        // Checked before anything is stored, so a bad form leaves no half-made person or case behind.
        let learnt = try FactsForm(vocabulary: vocabulary, form: "screening", language: caller.user.language ?? "en")
            .facts(from: form).filter { $0.value != .null }
        let invalid = screening.validationErrors() + screening.problems(in: vocabulary)
            + vocabulary.problems(learnt, at: "facts", dateApplied: date).map { FieldError(field: $0.field, message: $0.message) }
        if !invalid.isEmpty { throw ValidationFailure(errors: invalid) }
        try await withAudit(caller, .create, ["person:\(person.id)", "case:\(theCase.id)"], jurisdiction, request: "POST /ui/cases/new") {
            try await host.cases.register(person, actor: caller.actor)
            try await host.cases.open(theCase, actor: caller.actor)
        }
        if let plugin = host.plugins.first(where: { $0.id == "identification" }) {
            try await withAudit(caller, .update, ["case:\(theCase.id)"], jurisdiction, request: "POST /ui/cases/new") {
                try await Identification(host.context(for: plugin)).screen(
                    screening, facts: learnt, identifiedBy: form["identified_by"].flatMap(IdentifiedBy.init(rawValue:)) ?? .mdt,
                    actor: caller.actor)
            }
        }
        return WebUI.redirect("/ui/cases/\(theCase.id)")
    }

    /// The new-case form: the person, the screening's lists and choices from the vocabulary with their
    /// labels, and the other facts the screening form collects.
    func newCasePage(_ ui: WebUI, _ caller: Caller, _ csrf: String) async throws -> Response {
        let language = caller.user.language ?? "en"
        let labels = WebUI.labels[language] ?? WebUI.labels["en"]!
        let vocabulary = host.engine.vocabulary
        func options(_ fact: String) -> [[String: Any]] {
            (vocabulary.fact(fact)?.values ?? []).map { ["field": fact, "value": $0, "label": vocabulary.label(value: $0, of: fact, in: language)] }
        }
        func group(_ fact: String) -> [String: Any] {
            ["title": vocabulary.label(fact: fact, in: language), "options": options(fact)]
        }
        return ui.page("new_case", title: "New case", lang: language, csrf: csrf, [
            "csrf": csrf, "today": Timestamp.now.day.description,
            "groups": ["acts", "means", "exploitation", "ilo_indicators"].map(group),
            "entries": [["value": "", "label": labels["unknown"] ?? "—"]] + options("entry"),
            "identified_by": options("identified_by"),
            "fields": FactsForm(vocabulary: vocabulary, form: "screening", language: language).fields([:], labels: labels),
        ])
    }

    /// The case's facts form: every fact the case form collects, recorded together (one left unknown is
    /// taken back), checked against the vocabulary like the API's `POST /api/v1/cases/{id}/facts`.
    func recordFacts(_ context: APIContext, _ caller: Caller, _ form: FormFields) async throws -> Response {
        var context = context
        context.caller = caller
        let (_, found) = try await authorizedCase(context, .writeCase, route: Self.route(.post, "/api/v1/cases/{id}/facts"))
        let c = found.value
        let facts = try FactsForm(vocabulary: host.engine.vocabulary, form: "case", language: caller.user.language ?? "en").facts(from: form)
        try await withAudit(caller, .update, ["case:\(c.id)"], c.jurisdiction, request: "POST /ui/cases/{id}/facts") {
            try await host.cases.setFacts(c.id, facts, actor: caller.actor)
        }
        return WebUI.redirect("/ui/cases/\(c.id)#facts")
    }

    /// The referral form: records the consents ticked, then refers (the shelter plugin refuses
    /// without consent to services and to disclosure).
    func refer(_ context: APIContext, _ caller: Caller, _ form: FormFields) async throws -> Response {
        var context = context
        context.caller = caller
        let (_, found) = try await authorizedCase(context, .writeCase, route: Self.route(.post, "/api/v1/cases/{id}/referrals"))
        guard let plugin = host.plugins.first(where: { $0.id == "shelter" }) else { throw Problem.notFound("referrals are not enabled") }
        guard let to = form["to"].flatMap({ OrganisationID($0) }), let service = form["service"].flatMap(Service.init(rawValue:)) else {
            throw ValidationFailure(errors: [FieldError(field: "to", message: "must be an organisation id")])
        }
        let shelter = Shelter(host.context(for: plugin))
        let c = found.value
        try await withAudit(caller, .update, ["case:\(c.id)"], c.jurisdiction, request: "POST /ui/cases/{id}/referrals") {
            for (field, purpose) in [("consent_services", ConsentPurpose.services), ("consent_disclosure", .disclosure)] where form[field] == "yes" {
                try await shelter.record(Consent(person: c.person, caseID: c.id, purpose: purpose, recipients: [to], recordedBy: caller.user.id,
                                                 givenAt: .now), actor: caller.actor)
            }
            try await shelter.refer(Referral(caseID: c.id, from: caller.user.organisation, to: to, service: service), actor: caller.actor)
        }
        return WebUI.redirect("/ui/cases/\(c.id)")
    }
}

extension WebUI {
    static func label(_ key: String, _ caller: Caller) -> String {
        (labels[caller.user.language ?? "en"] ?? labels["en"]!)[key] ?? key
    }

    /// A recorded fact as a caseworker reads it: values by their labels, true and false as yes and no.
    static func shown(_ value: JSONValue, fact: String, _ vocabulary: Vocabulary, _ labels: [String: String], _ language: String) -> String {
        switch value {
        case .bool(let b): return b ? labels["yes"] ?? "yes" : labels["no"] ?? "no"
        case .string(let s): return vocabulary.label(value: s, of: fact, in: language)
        case .array(let items):
            return items.isEmpty ? labels["none_of_these"] ?? "none"
                : items.map { $0.stringValue.map { vocabulary.label(value: $0, of: fact, in: language) } ?? "\($0)" }.joined(separator: ", ")
        case .int(let n): return "\(n)"
        default: return "\(value)"
        }
    }

    /// The result fields a decision adds to its outcome (custody, charges to consider, what a hold waits
    /// for...), each named by its label; lists of objects (a return's steps) are shown where they belong.
    static func details(of result: JSONValue, vocabulary: Vocabulary, labels: [String: String], language: String) -> [[String: String]] {
        guard case .object(let members) = result else { return [] }
        let hidden: Set<String> = ["outcome", "reasons", "basis", "missing", "elements", "rule", "steps", "explanation"]
        // Result fields whose values are values of a fact: shown with that fact's labels.
        let valuesOf = ["barred": "charges", "consider": "charges", "not_covered": "charges", "route": "route"]
        return members.keys.sorted().filter { !hidden.contains($0) }.compactMap { key in
            let value = members[key]!
            if case .array(let items) = value, items.contains(where: { $0.objectValue != nil }) { return nil }
            if case .object = value { return nil }
            return ["name": labels["result." + key] ?? key.replacingOccurrences(of: "_", with: " "),
                    "value": shown(value, fact: valuesOf[key] ?? key, vocabulary, labels, language)]
        }
    }
}

extension GloServer {
    func packsPage(_ ui: WebUI, _ caller: Caller, _ csrf: String, notice: String?) throws -> Response {
        try AccessPolicy.check(caller, .manageRules, in: nil)
        let engine = host.engine
        let tests = engine.runTests()
        let rows: [[String: Any]] = engine.ruleSet.packs.map { p in
            let counts = tests.perPack.first { $0.pack == "\(p.id)@\(p.version)" }
            let date = p.manifest.effectiveFrom ?? p.manifest.effectiveTo ?? .today()
            return ["cells": [p.id, p.version, p.manifest.effectiveFrom?.description ?? "—", p.manifest.effectiveTo?.description ?? "—",
                              String((engine.chainHash(p, at: date) ?? "").prefix(12)), "\(counts?.passed ?? 0) / \(counts?.failed ?? 0)"]]
        }
        var values: [String: Any] = ["heading": WebUI.label("packs", caller), "reload": true, "csrf": csrf, "rows": rows,
                                     "columns": ["pack", "version", "from", "to", "decision hash", "tests passed / failed"]]
        // What the last reload did: the packs on disk may not be the ones serving.
        var lines = [notice].compactMap { $0 }
        if notice == nil, let last = engine.lastReload {
            lines.append(last.applied ? "Last reload \(Timestamp(last.at)): applied"
                : "Last reload \(Timestamp(last.at)): NOT applied: " + last.refusals(under: engine.directory).joined(separator: "; "))
        }
        lines += engine.problems.map { "Set aside: \($0.under(engine.directory))" }
        if !lines.isEmpty { values["notice"] = lines.joined(separator: " · ") }
        return ui.page("admin", title: "Rule packs", lang: caller.user.language ?? "en", csrf: csrf, values)
    }

    func deadLettersPage(_ ui: WebUI, _ caller: Caller, _ csrf: String) async throws -> Response {
        try AccessPolicy.check(caller, .administer, in: nil)
        let letters = try await host.records.store.deadLetters(state: nil)
        return ui.page("admin", title: "Dead letters", lang: caller.user.language ?? "en", csrf: csrf, [
            "heading": WebUI.label("dead_letters", caller), "csrf": csrf,
            "columns": ["id", "subscriber", "sequence", "type", "error", "attempts", "state", ""],
            "rows": letters.map { l -> [String: Any] in
                var row: [String: Any] = ["cells": [l.id, l.subscriber, "\(l.sequence)", l.eventType, l.error, "\(l.attempts)", l.state.rawValue]]
                if l.state == .parked { row["retry"] = l.id }
                return row
            },
        ])
    }

    func reportPage(_ ui: WebUI, _ request: Request, _ caller: Caller, _ csrf: String) async throws -> Response {
        guard let jurisdiction = request.uri.queryParameters.get("jurisdiction").map({ JurisdictionID($0) }) ?? caller.user.jurisdictions.first,
              let plugin = host.plugins.first(where: { $0.id == "reporting" }) else { throw Problem.notFound("reports are not enabled") }
        try AccessPolicy.check(caller, .export, in: jurisdiction)
        let today = Timestamp.now.day
        let from = request.uri.queryParameters.get("from").flatMap(CalendarDate.init) ?? today.adding(days: -365)
        let to = request.uri.queryParameters.get("to").flatMap(CalendarDate.init) ?? today
        let report = try await Reporting(host.context(for: plugin)).figures(jurisdiction, from: from, to: to)
        try await audited(caller, .export, ["report:\(jurisdiction)"], jurisdiction, request: "GET /ui/reports")
        let groups: [[String: Any]] = report.groups.map { g in
            let top = max(1, g.cells.compactMap(\.count).max() ?? 1)
            return ["name": g.name, "cells": g.cells.map { c -> [String: Any] in
                ["value": c.value, "shown": c.count.map(String.init) ?? "<\(report.k)", "percent": (c.count ?? 0) * 100 / top]
            }]
        }
        return ui.page("report", title: "Reports", lang: caller.user.language ?? "en", csrf: csrf, [
            "jurisdiction": jurisdiction.rawValue, "from": from.description, "to": to.description, "k": report.k, "groups": groups,
        ])
    }
}

// MARK: - The dashboard, the case page's workflow sections and timeline, the handover packet

extension GloServer {
    /// The landing page: for each of the caller's jurisdictions, its open cases, the flags that need
    /// attention and the latest decisions (ids, outcomes and messages: no person's data). A role that
    /// does not work on cases sees only the links its role may follow.
    func dashboardPage(_ ui: WebUI, _ caller: Caller, _ csrf: String) async throws -> Response {
        var blocks: [[String: Any]] = []
        var subjects: [String] = []
        if AccessPolicy.allows(caller.role, .readCase) {
            for jurisdiction in caller.user.jurisdictions {
                try AccessPolicy.check(caller, .readCase, in: jurisdiction)
                let cases = try await host.records.list(Case.self, key: .jurisdiction(jurisdiction), limit: Int.max).map(\.value)
                let open = cases.filter { $0.status == .active || $0.status == .followUp }
                let byStatus = Dictionary(grouping: open, by: \.traffickingStatus).mapValues(\.count)
                let flags = try await host.records.list(CaseFlag.self, key: .jurisdiction(jurisdiction), limit: Int.max).map(\.value)
                    .filter { $0.resolvedAt == nil }.sorted { $0.raisedAt > $1.raisedAt }
                // The newest few only: a jurisdiction has many decisions.
                let decisions = try await host.records.list(DecisionRecord.self, key: .jurisdiction(jurisdiction), limit: 50,
                                                            newestFirst: true).map(\.value)
                    .filter { $0.caseID != nil }.sorted { $0.decidedAt > $1.decidedAt }.prefix(10)
                subjects += flags.prefix(50).compactMap { $0.caseID.map { "case:\($0)" } } + decisions.compactMap { $0.caseID.map { "case:\($0)" } }
                blocks.append([
                    "jurisdiction": jurisdiction.rawValue, "open": open.count, "closed": cases.count - open.count,
                    "by_status": byStatus.sorted { $0.key.rawValue < $1.key.rawValue }.map { ["status": $0.key.rawValue, "count": $0.value] },
                    "flag_count": flags.count, "has_flags": !flags.isEmpty,
                    "flags": flags.prefix(50).map { f -> [String: Any] in
                        var row: [String: Any] = ["message": f.message, "code": f.code, "raised": f.raisedAt.day.description]
                        if let id = f.caseID { row["case"] = id.description }
                        return row
                    },
                    "has_decisions": !decisions.isEmpty,
                    "decisions": decisions.map { d -> [String: Any] in
                        ["decision": d.decision, "outcome": d.outcome, "date": d.decidedAt.day.description, "case": d.caseID?.description ?? ""]
                    },
                ])
                try await audited(caller, .read, Array(Set(subjects)).sorted(), jurisdiction, request: "GET /ui/dashboard")
                subjects = []
            }
        }
        let links: [(String, String, Permission)] = [("/ui/cases", "cases", .readCase), ("/ui/cases/new", "new_case", .writeCase),
                                                     ("/ui/reports", "reports", .export), ("/ui/packs", "packs", .manageRules),
                                                     ("/ui/plugins", "plugins", .administer), ("/ui/dead-letters", "dead_letters", .administer)]
        return ui.page("dashboard", title: "Dashboard", lang: caller.user.language ?? "en", csrf: csrf, [
            "name": caller.user.displayName, "role": caller.role.rawValue, "jurisdictions": blocks, "works_on_cases": !blocks.isEmpty,
            "links": links.filter { AccessPolicy.allows(caller.role, $0.2) }.map { ["href": $0.0, "label": WebUI.label($0.1, caller)] },
        ])
    }

    /// The case page's sections beyond the decisions: screenings, legal aid, legal process, shelter,
    /// returns (with deportations and push backs), and the event timeline. Read after `casePage`
    /// checked access to the case and audited the read.
    func caseSections(_ c: Case, language: String) async throws -> [String: Any] {
        let records = host.records
        let vocabulary = host.engine.vocabulary
        func list(_ values: [String], _ fact: String) -> String {
            values.isEmpty ? "—" : values.map { vocabulary.label(value: $0, of: fact, in: language) }.joined(separator: ", ")
        }
        let screenings = try await records.list(Screening.self, key: .caseID(c.id)).map(\.value).sorted { ($0.date, $0.id) > ($1.date, $1.id) }
            .map { s -> [String: Any] in
                ["date": s.date.description, "acts": list(s.acts, "acts"), "means": list(s.means, "means"),
                 "exploitation": list(s.exploitation, "exploitation"), "ilo": list(s.iloIndicators, "ilo_indicators"),
                 "entry": s.migration.entry.map { vocabulary.label(value: $0, of: "entry", in: language) } ?? "—"]
            }
        let decisions = try await records.list(DecisionRecord.self, key: .caseID(c.id)).map(\.value).sorted { $0.decidedAt > $1.decidedAt }
        func latest(_ name: String) -> [String: Any]? {
            decisions.first { $0.decision == name }.map { ["outcome": $0.outcome, "date": $0.decidedAt.day.description, "reasons": $0.reasons] }
        }
        let assistance = try await records.list(LegalAssistance.self, key: .caseID(c.id)).map(\.value).map { a -> [String: Any] in
            ["kind": a.kind.rawValue, "provider": a.provider.description, "reference": a.courtCaseReference ?? "—",
             "opened": a.opened.description, "closed": a.closed?.description ?? "—"]
        }
        let proceedings = try await records.list(Proceeding.self, key: .caseID(c.id)).map(\.value).map { p -> [String: Any] in
            ["stage": p.stage.rawValue, "role": p.victimRole.rawValue, "claim": p.compensationClaim.rawValue, "reference": p.courtCaseReference ?? "—",
             "history": p.history.map { "\($0.stage.rawValue) \($0.on)" }.joined(separator: " → ")]
        }
        let placements = try await records.list(ShelterPlacement.self, key: .caseID(c.id)).map(\.value).map { p -> [String: Any] in
            ["kind": p.kind.rawValue, "shelter": p.shelter.description, "from": p.from.description, "to": p.to?.description ?? "—",
             "stay_end": p.identificationStayEnd?.description ?? "—"]
        }
        let returns = try await records.list(Return.self, key: .caseID(c.id)).map(\.value).map { r -> [String: Any] in
            ["id": r.id.description, "route": r.route.rawValue, "from": r.from.rawValue, "to": r.to.rawValue,
             "packet_sent": r.handoverPacket != nil, "outgoing": r.from == c.jurisdiction,
             "steps": r.steps.map { s -> [String: Any] in
                 ["label": s.label, "actor": s.actor, "status": s.status.rawValue, "done": s.status == .done, "on": s.doneOn?.description ?? ""]
             }]
        }
        let deportations = try await records.list(Deportation.self, key: .caseID(c.id)).map(\.value).map { d -> [String: Any] in
            ["to": d.to.rawValue, "on": d.on.description, "authority": d.notification.authority, "notified": d.notification.on.description,
             "custody": d.custody ?? "—"]
        }
        let pushBacks = try await records.list(PushBack.self, key: .caseID(c.id)).map(\.value).map { p -> [String: Any] in
            ["from": p.from.rawValue, "to": p.to.rawValue, "on": p.on.description, "people": p.people]
        }
        let timeline = try await timeline(of: c.id)
        var values: [String: Any] = [
            "screenings": screenings, "has_screenings": !screenings.isEmpty,
            "assistance": assistance, "has_assistance": !assistance.isEmpty,
            "proceedings": proceedings, "has_proceedings": !proceedings.isEmpty,
            "placements": placements, "has_placements": !placements.isEmpty,
            "returns": returns, "has_returns": !returns.isEmpty,
            "deportations": deportations, "has_deportations": !deportations.isEmpty,
            "push_backs": pushBacks, "has_push_backs": !pushBacks.isEmpty,
            "timeline": timeline, "has_timeline": !timeline.isEmpty,
        ]
        if let aid = latest(LegalAid.decision) { values["legal_aid_decision"] = aid }
        if let protection = latest(LegalProcess.decision) { values["protection_decision"] = protection }
        return values
    }

    /// The case's events, oldest first: their type, time and who caused them (a user by their display
    /// name). Never the events' data, which may carry more than a caseworker's page should.
    func timeline(of caseID: CaseID) async throws -> [[String: Any]] {
        // The store finds a subject's events by an index; a case has tens to hundreds.
        let found = try await host.records.store.events(subject: "case:\(caseID)", after: 0, limit: 1_000)
        var names: [String: String] = [:]
        var rows: [[String: Any]] = []
        for e in found {
            if names[e.actor] == nil {
                if e.actor.hasPrefix("user:"), let user = try await host.records.get(User.self, String(e.actor.dropFirst(5)))?.value {
                    names[e.actor] = user.displayName
                } else {
                    names[e.actor] = e.actor
                }
            }
            rows.append(["sequence": e.sequence, "type": e.type, "at": e.at.description, "actor": names[e.actor] ?? e.actor])
        }
        return rows
    }

    /// The handover packet as the return plugin would send it to `?to=` (an organisation id): access
    /// and audit exactly as `POST /api/v1/returns/{id}/packet-preview` (the caller must be able to
    /// change the case; showing the identity is a read of the person, logged as such).
    func packetPage(_ ui: WebUI, _ request: Request, _ context: APIContext, _ caller: Caller, _ csrf: String) async throws -> Response {
        guard let to = request.uri.queryParameters.get("to").flatMap({ OrganisationID(String($0)) }) else {
            throw ValidationFailure(errors: [FieldError(field: "to", message: "must be the receiving organisation's id")])
        }
        var context = context
        context.caller = caller
        let name = "GET /ui/returns/{id}/packet"
        let (theCase, packet) = try await onRecord(context, Return.self, caseOf: { $0.caseID }, .writeCase, name) { caller, theCase, ret in
            try await audited(caller, .read, ["person:\(theCase.person)"], theCase.jurisdiction, request: name)
            return (theCase, try await Returns(pluginContext("return")).packet(ret.id, for: to, actor: caller.actor))
        }
        var values: [String: Any] = [
            "case": theCase.id.description, "to": to.description, "fields": packet.fields.joined(separator: ", "),
            "withheld": packet.withheld.joined(separator: ", "), "decision": packet.decision.description,
            "consent_reference": packet.consentReference?.description ?? "—", "empty": packet.fields.isEmpty,
        ]
        if let i = packet.identity {
            values["identity"] = [
                "name": [i.givenNames, i.familyName].compactMap { $0 }.joined(separator: " "), "date_of_birth": i.dateOfBirth?.description ?? "—",
                "sex": i.sex?.rawValue ?? "—", "citizenship": i.citizenship.isEmpty ? "—" : i.citizenship.joined(separator: ", "),
                "documents": i.identityDocuments.map { "\($0.kind.rawValue) \($0.number)" }, "has_documents": !i.identityDocuments.isEmpty,
            ] as [String: Any]
        }
        if let l = packet.logistics {
            values["logistics"] = ["route": l.route, "from": l.from.rawValue, "to": l.to.rawValue,
                                   "handover_date": l.handoverDate?.description ?? "—", "border_point": l.borderPoint ?? "—"]
        }
        if let n = packet.needsAndRisks {
            values["needs_and_risks"] = ["risk": n.returnRisk ?? "—", "needs": n.needs.isEmpty ? "—" : n.needs.joined(separator: ", ")]
        }
        return ui.page("packet", title: "Handover packet", lang: caller.user.language ?? "en", csrf: csrf, values)
    }
}
