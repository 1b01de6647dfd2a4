import GloHTTP
import GloKit
import GloRules

/// The landing page: for each of the caller's jurisdictions, its open cases, the flags that need
/// attention, the latest decisions (ids, outcomes and messages: no person's data), and what each
/// enabled plugin adds (the week's deadlines...). A role that does not work on cases sees only the
/// links its role may follow.
extension CorePages {
    struct DashboardView: Sendable {
        struct Count: Sendable { var status: String; var count: Int }
        struct Flag: Sendable { var message, code, raised: String; var caseID: String? }
        struct Decision: Sendable { var decision, outcome, date, caseID: String }
        struct Block: Sendable {
            var jurisdiction: String
            var open, closed, flagCount: Int
            var byStatus: [Count]
            var flags: [Flag]
            var hasFlags: Bool
            var decisions: [Decision]
            var hasDecisions: Bool
            /// The enabled plugins' parts, as HTML.
            var parts: [String]
        }
        struct Link: Sendable { var href, label: String }
        var name, role: String
        var links: [Link]
        var jurisdictions: [Block]
    }

    func dashboard(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> Page {
        let caller = page.caller
        var blocks: [DashboardView.Block] = []
        if AccessPolicy.allows(caller.role, .readCase) {
            for jurisdiction in caller.user.jurisdictions {
                try await s.authorize(context, .readCase, jurisdiction, subject: "cases:\(jurisdiction)")
                let records = s.host.records
                let cases = try await records.list(Case.self, key: .jurisdiction(jurisdiction), limit: Int.max).map(\.value)
                let open = cases.filter { $0.status == .active || $0.status == .followUp }
                let byStatus = Dictionary(grouping: open, by: \.traffickingStatus).mapValues(\.count)
                let flags = try await records.list(CaseFlag.self, key: .jurisdiction(jurisdiction), limit: Int.max).map(\.value)
                    .filter { $0.resolvedAt == nil }.sorted { $0.raisedAt > $1.raisedAt }
                // The newest few only: a jurisdiction has many decisions.
                let decisions = try await records.list(DecisionRecord.self, key: .jurisdiction(jurisdiction), limit: 50, newestFirst: true)
                    .map(\.value).filter { $0.caseID != nil }.sorted { $0.decidedAt > $1.decidedAt }.prefix(10)
                let subjects = flags.prefix(50).compactMap { $0.caseID.map { "case:\($0)" } } + decisions.compactMap { $0.caseID.map { "case:\($0)" } }
                try await s.audited(caller, .read, Array(Set(subjects)).sorted(), jurisdiction, context)
                var parts: [String] = []
                for plugin in plugins {
                    if let part = try await plugin.dashboard(jurisdiction, page) { parts.append(ui.fragment(part, language: page.language)) }
                }
                blocks.append(.init(
                    jurisdiction: jurisdiction.rawValue, open: open.count, closed: cases.count - open.count, flagCount: flags.count,
                    byStatus: byStatus.sorted { $0.key.rawValue < $1.key.rawValue }
                        .map { .init(status: page.vocabulary.label(status: $0.key.rawValue, kind: "trafficking_status", in: page.language),
                                     count: $0.value) },
                    flags: flags.prefix(50).map { .init(message: $0.message, code: $0.code, raised: $0.raisedAt.day.description, caseID: $0.caseID?.description) },
                    hasFlags: !flags.isEmpty,
                    decisions: decisions.map { .init(decision: page.vocabulary.label(decision: $0.decision, in: page.language),
                                                     outcome: page.vocabulary.label(outcome: $0.outcome, of: $0.decision, in: page.language),
                                                     date: $0.decidedAt.day.description, caseID: $0.caseID?.description ?? "") },
                    hasDecisions: !decisions.isEmpty, parts: parts))
            }
        }
        let links = ui.menu.filter { AccessPolicy.allows(caller.role, $0.permission) }.map { DashboardView.Link(href: $0.path, label: page.label($0.label)) }
        return Page("dashboard", title: "dashboard", model: DashboardView(
            name: caller.user.displayName, role: page.label("role." + caller.role.rawValue), links: links, jurisdictions: blocks))
    }
}
