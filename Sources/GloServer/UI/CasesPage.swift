import GloHTTP
import GloKit
import GloRules
import Hummingbird

/// The cases of the caller's first jurisdiction, newest first, searchable by the person's name. The
/// names shown are reads of those people, audited.
extension CorePages {
    struct CasesView: Sendable {
        struct Row: Sendable { var id, person, opened, status, traffickingStatus, pathway: String }
        var jurisdiction: String
        var query: String
        var cases: [Row]
        var hasCases: Bool
        var mayOpen: Bool
    }

    func cases(_ request: Request, _ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> Page {
        let caller = page.caller
        guard let jurisdiction = caller.user.jurisdictions.first else { throw AccessDenied(reason: "the user has no jurisdiction") }
        try await s.authorize(context, .readCase, jurisdiction, subject: "cases:\(jurisdiction)")
        let query = request.query("q") ?? ""
        var cases = try await s.host.records.list(Case.self, key: .jurisdiction(jurisdiction), limit: 500).map(\.value)
        if !query.allSatisfy(\.isWhitespace) {
            let people = Set(try await s.host.records.findPersons(named: query, limit: 5_000).map(\.id))
            cases = cases.filter { people.contains($0.person) }
        }
        let shown = Array(cases.suffix(100).reversed())
        var rows: [CasesView.Row] = []
        for c in shown {
            let person = try await s.host.records.person(c.person)?.value
            rows.append(.init(id: c.id.description, person: page.name(of: person),
                              opened: c.opened.description,
                              status: page.vocabulary.label(status: c.status.rawValue, kind: "case_status", in: page.language),
                              traffickingStatus: page.vocabulary.label(status: c.traffickingStatus.rawValue, kind: "trafficking_status",
                                                                       in: page.language),
                              pathway: c.pathway.map { page.vocabulary.label(outcome: $0.rawValue, of: "identification.pathway", in: page.language) } ?? "—"))
        }
        try await s.audited(caller, .read, shown.map { "case:\($0.id)" } + shown.map { "person:\($0.person)" }, jurisdiction, context)
        return Page("cases", title: "cases", model: CasesView(
            jurisdiction: jurisdiction.rawValue, query: query, cases: rows, hasCases: !rows.isEmpty,
            mayOpen: AccessPolicy.allows(caller.role, .writeCase) && plugins.contains { $0.pages.contains { $0.path == "/ui/cases/new" } }))
    }
}
