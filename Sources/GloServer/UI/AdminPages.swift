import GloHTTP
import GloKit
import GloRules

/// For rule authors and administrators: the packs in force with their tests and the hash decisions
/// carry (and a reload as strict as the start), the plugins enabled, and the dead letters with a retry.
extension CorePages {
    struct TableView: Sendable {
        struct Row: Sendable {
            var cells: [String]
            /// A parked dead letter's id, to retry it.
            var retry: String?
        }
        var heading: String
        var columns: [String]
        var rows: [Row]
        var csrf: String
        var reload = false
        var notice: String?
    }

    func packs(_ context: APIContext, _ s: APIServices, _ page: PageRequest, notice: String?) async throws -> Page {
        try await s.authorize(context, .manageRules, nil, subject: "rules")
        let engine = s.host.engine
        let tests = engine.runTests()
        let rows = engine.ruleSet.packs.map { p in
            let counts = tests.perPack.first { $0.pack == "\(p.id)@\(p.version)" }
            let date = p.manifest.effectiveFrom ?? p.manifest.effectiveTo ?? .today()
            return TableView.Row(cells: [p.id, p.version, p.manifest.effectiveFrom?.description ?? "—", p.manifest.effectiveTo?.description ?? "—",
                                         String((engine.chainHash(p, at: date) ?? "").prefix(12)), "\(counts?.passed ?? 0) / \(counts?.failed ?? 0)"])
        }
        // What the last reload did: the packs on disk may not be the ones serving.
        var lines = [notice].compactMap { $0 }
        if notice == nil, let last = engine.lastReload {
            lines.append(last.applied ? "\(page.label("last_reload")) \(Timestamp(last.at)): \(page.label("applied"))"
                : "\(page.label("last_reload")) \(Timestamp(last.at)): \(page.label("not_applied")): "
                    + last.refusals(under: engine.directory).joined(separator: "; "))
        }
        lines += engine.problems.map { "\(page.label("set_aside")): \($0.under(engine.directory))" }
        return Page("admin", title: "packs", model: TableView(
            heading: page.label("packs"),
            columns: ["pack", "version", "effective_from", "effective_to", "decision_hash", "tests_passed_failed"].map { page.label("column." + $0) },
            rows: rows, csrf: page.csrf, reload: true, notice: lines.isEmpty ? nil : lines.joined(separator: " · ")))
    }

    func reload(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> PageAnswer {
        try await s.authorize(context, .manageRules, nil, subject: "rules")
        let report = s.host.reloadRules(because: "the packs page of the web UI")
        let notice = report.applied
            ? "\(page.label("reloaded")): \(report.changed.isEmpty ? page.label("nothing_changed") : report.changed.joined(separator: ", "))"
            : "\(page.label("not_reloaded")): " + report.refusals(under: s.host.engine.directory).joined(separator: "; ")
        return .page(try await packs(context, s, page, notice: notice))
    }

    func pluginsPage(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> Page {
        try await s.authorize(context, .administer, nil, subject: "plugins")
        return Page("admin", title: "plugins", model: TableView(
            heading: page.label("plugins"),
            columns: ["id", "version", "description", "handles", "emits", "decisions", "depends_on"].map { page.label("column." + $0) },
            rows: s.host.plugins.map { p in
                .init(cells: [p.id, p.version, p.summary, p.handles.map(\.text).joined(separator: ", "), p.emits.map(\.type).joined(separator: ", "),
                              p.decisionsNeeded.joined(separator: ", "), p.dependencies.joined(separator: ", ")])
            },
            csrf: page.csrf))
    }

    func deadLetters(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> Page {
        try await s.authorize(context, .administer, nil, subject: "dead-letters")
        let letters = try await s.host.deadLetters(state: nil)
        return Page("admin", title: "dead_letters", model: TableView(
            heading: page.label("dead_letters"),
            columns: ["id", "subscriber", "sequence", "type", "error", "attempts", "state", ""].map { $0.isEmpty ? "" : page.label("column." + $0) },
            rows: letters.map { l in
                .init(cells: [l.id, l.subscriber, "\(l.sequence)", l.eventType, l.error, "\(l.attempts)", l.state.rawValue],
                      retry: l.state == .parked ? l.id : nil)
            },
            csrf: page.csrf))
    }
}
