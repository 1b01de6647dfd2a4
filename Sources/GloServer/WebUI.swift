import Foundation
import GloJSON
import GloKit
import GloRules
import Logging
import HTTPTypes
import Hummingbird
import Mustache

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

    static let labels: [String: [String: String]] = [
        "en": [
            "sign_in": "Sign in", "name": "Name", "password": "Password", "cases": "Cases", "case": "Case", "search": "Search",
            "person": "Person", "status": "Status", "pathway": "Pathway", "jurisdiction": "Jurisdiction", "opened": "Opened",
            "decisions": "Decisions", "reasons": "Reasons", "basis": "Legal basis", "missing": "Facts still missing",
            "rule": "Rule", "language": "Language", "sign_out": "Sign out", "trafficking_status": "Trafficking status",
            "flags": "Needs attention", "no_cases": "No cases.",
        ],
        "lo": [
            "sign_in": "ເຂົ້າສູ່ລະບົບ", "name": "ຊື່ຜູ້ໃຊ້", "password": "ລະຫັດຜ່ານ", "cases": "ຄະດີ", "case": "ຄະດີ", "search": "ຄົ້ນຫາ",
            "person": "ບຸກຄົນ", "status": "ສະຖານະ", "pathway": "ແນວທາງ", "jurisdiction": "ເຂດອຳນາດ", "opened": "ວັນທີເປີດ",
            "decisions": "ການຕັດສິນ", "reasons": "ເຫດຜົນ", "basis": "ພື້ນຖານທາງກົດໝາຍ", "missing": "ຂໍ້ມູນທີ່ຍັງຂາດ",
            "rule": "ກົດລະບຽບ", "language": "ພາສາ", "sign_out": "ອອກຈາກລະບົບ", "trafficking_status": "ສະຖານະຜູ້ເຄາະຮ້າຍ",
            "flags": "ຕ້ອງເອົາໃຈໃສ່", "no_cases": "ບໍ່ມີຄະດີ.",
        ],
        "th": [
            "sign_in": "เข้าสู่ระบบ", "name": "ชื่อผู้ใช้", "password": "รหัสผ่าน", "cases": "คดี", "case": "คดี", "search": "ค้นหา",
            "person": "บุคคล", "status": "สถานะ", "pathway": "แนวทาง", "jurisdiction": "เขตอำนาจ", "opened": "วันที่เปิด",
            "decisions": "คำวินิจฉัย", "reasons": "เหตุผล", "basis": "ฐานทางกฎหมาย", "missing": "ข้อเท็จจริงที่ยังขาด",
            "rule": "กฎ", "language": "ภาษา", "sign_out": "ออกจากระบบ", "trafficking_status": "สถานะการค้ามนุษย์",
            "flags": "ต้องดำเนินการ", "no_cases": "ไม่มีคดี",
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
        router.get("/") { _, _ in WebUI.redirect("/ui/cases") }
        router.get("/ui/login") { request, _ in
            ui.page("login", title: "Sign in", lang: request.uri.queryParameters.get("lang") ?? "en", csrf: nil, [:])
        }
        router.post("/ui/login") { request, _ in
            var request = request
            let form = Self.form((try? await request.jsonBody()) ?? [])
            guard let name = form["name"], let password = form["password"],
                  let user = try? await self.users.signIn(name, password: password), let caller = Caller(user),
                  let (secret, _) = try? await self.users.openSession(for: user, lasting: Self.sessionSeconds) else {
                try? await self.audit.append(AuditEntry(user: nil, role: nil, action: .loginFailed, subject: "login", jurisdiction: nil,
                                                        request: "POST /ui/login", detail: "wrong name or password, or user disabled"))
                return ui.page("login", title: "Sign in", lang: "en", csrf: nil, [:], error: "The name or the password is wrong.",
                               status: .unauthorized)
            }
            try? await self.audit.append(AuditEntry(user: user.id, role: caller.role, action: .login, subject: "user:\(user.id)",
                                                    jurisdiction: nil, request: "POST /ui/login"))
            return WebUI.redirect("/ui/cases", cookie: "\(Self.cookieName)=\(secret); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Self.sessionSeconds)")
        }
        router.get("/ui/cases") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.casesPage(ui, request, caller, csrf) }
        }
        router.get("/ui/cases/{id}") { request, context in
            await self.signedIn(ui, request, context) { caller, csrf, _ in try await self.casePage(ui, context, caller, csrf) }
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
                  _ body: (Caller, String, [String: String]) async throws -> Response) async -> Response {
        guard let secret = Self.cookie(request), let (session, user) = try? await users.session(secret), let caller = Caller(user) else {
            return WebUI.redirect("/ui/login")
        }
        var request = request
        var form: [String: String] = [:]
        if checkCSRF {
            let bytes = (try? await request.jsonBody()) ?? []
            guard Self.same(Self.csrf(request, body: bytes), session.csrfToken) else {
                return ui.page("login", title: "Sign in", lang: user.language ?? "en", csrf: session.csrfToken, [:],
                               error: "This form is out of date: open the page again.", status: .forbidden)
            }
            form = Self.form(bytes)
        }
        do { return try await body(caller, session.csrfToken, form) } catch {
            let problem = Problem.from(error)
            return ui.page("cases", title: problem.title, lang: user.language ?? "en", csrf: session.csrfToken,
                           ["has_cases": false], error: problem.detail, status: problem.status)
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
        let decisions = try await host.records.list(DecisionRecord.self, key: .caseID(c.id)).map(\.value)
            .sorted { $0.decidedAt > $1.decidedAt }
            .map { d -> [String: Any] in
                ["decision": d.decision, "outcome": d.outcome, "pack": d.packID, "version": d.packVersion,
                 "date": d.dateApplied.description, "reasons": d.reasons, "has_reasons": !d.reasons.isEmpty, "basis": d.basis,
                 "has_basis": !d.basis.isEmpty, "missing": d.factsMissing, "has_missing": !d.factsMissing.isEmpty]
            }
        let flags = try await host.cases.flags(of: c.id).map { ["message": $0.message] }
        return ui.page("case", title: "Case", lang: caller.user.language ?? "en", csrf: csrf, [
            "person": [personal?.givenNames, personal?.familyName].compactMap { $0 }.joined(separator: " "),
            "jurisdiction": c.jurisdiction.rawValue, "opened": c.opened.description, "status": c.status.rawValue,
            "trafficking_status": c.traffickingStatus.rawValue, "pathway": c.pathway?.rawValue ?? "—",
            "decisions": decisions, "flags": flags, "has_flags": !flags.isEmpty,
        ])
    }
}
