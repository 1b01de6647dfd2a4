import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloRules

/// A case: the person, its status, the decisions with their reasons, basis and details, the facts
/// (with the form to record them), the sections of the enabled plugins, and the event timeline. Open
/// to the roles that read cases in its jurisdiction; the read of the case and of the person is
/// audited.
extension CorePages {
    struct CaseView: Sendable {
        struct Detail: Sendable { var name, value: String }
        struct Decision: Sendable {
            var decision, outcome, pack, version, date: String
            /// A reason in the reader's language, or in English (`lang` says which) marked as such.
            struct Reason: Sendable { var text, lang: String; var inEnglish: Bool }
            var reasons: [Reason]
            var basis, missing: [String]
            var hasReasons, hasBasis, hasMissing: Bool
            var details: [Detail]
            var hasDetails: Bool
        }
        struct Event: Sendable { var sequence: Int64; var type, at, actor: String }
        /// A message sent to or received from another host about this case.
        struct Message: Sendable { var direction, kind, peer, state, at, receipt: String }
        var id, csrf, person, jurisdiction, opened, status, traffickingStatus, pathway: String
        var flags: [String]
        var hasFlags: Bool
        var decisions: [Decision]
        var fields: [FactField]
        var factsForm: Bool
        /// The enabled plugins' sections, as HTML.
        var sections: [String]
        var exchange: [Message]
        var hasExchange: Bool
        var timeline: [Event]
        var hasTimeline: Bool
    }

    /// The case page's facts: the case's own, and those recorded at the screening (when the acts began,
    /// appears under 18, stateless...), shown and corrected in one form.
    static let caseFactForms: Set<String> = ["screening", "case"]

    func casePage(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> Page {
        let (caller, found) = try await s.authorizedCase(context, .readCase)
        let c = found.value
        let person = try await s.host.records.person(c.person)?.value
        try await s.audited(caller, .read, ["person:\(c.person)"], c.jurisdiction, context)
        let vocabulary = page.vocabulary
        let decisions = try await s.host.records.list(DecisionRecord.self, key: .caseID(c.id)).map(\.value)
            .sorted { $0.decidedAt > $1.decidedAt }
            .map { d in
                let details = Self.details(of: d.result, decision: d.decision, page)
                let reasons = ReasonLanguages.reasons(of: d.result, in: page.language)
                    .map { CaseView.Decision.Reason(text: $0.text, lang: $0.language, inEnglish: $0.isFallback) }
                return CaseView.Decision(
                    decision: vocabulary.label(decision: d.decision, in: page.language),
                    outcome: vocabulary.label(outcome: d.outcome, of: d.decision, in: page.language), pack: d.packID,
                    version: d.packVersion, date: d.dateApplied.description, reasons: reasons, basis: d.basis,
                    missing: d.missing.map { vocabulary.label(fact: $0, in: page.language) },
                    hasReasons: !reasons.isEmpty, hasBasis: !d.basis.isEmpty, hasMissing: !d.missing.isEmpty,
                    details: details, hasDetails: !details.isEmpty)
            }
        let recorded = try await s.host.cases.recordedFacts(c.id)
        let flags = try await s.host.cases.flags(of: c.id).map(\.message)
        var sections: [String] = []
        for plugin in plugins {
            if let section = try await plugin.caseSection(c, page) { sections.append(ui.fragment(section, language: page.language)) }
        }
        let timeline = try await timeline(of: c.id, s)
        let exchange = try await exchange(of: c.id, s, page)
        return Page("case", title: "case", model: CaseView(
            id: c.id.description, csrf: page.csrf, person: page.name(of: person),
            jurisdiction: c.jurisdiction.rawValue, opened: c.opened.description,
            status: vocabulary.label(status: c.status.rawValue, kind: "case_status", in: page.language),
            traffickingStatus: vocabulary.label(status: c.traffickingStatus.rawValue, kind: "trafficking_status", in: page.language),
            pathway: c.pathway.map { vocabulary.label(outcome: $0.rawValue, of: "identification.pathway", in: page.language) } ?? "—",
            flags: flags, hasFlags: !flags.isEmpty, decisions: decisions,
            fields: FactsForm(vocabulary: vocabulary, forms: Self.caseFactForms, language: page.language).fields(recorded, labels: page.labels),
            factsForm: AccessPolicy.allows(caller.role, .writeCase) && caller.user.jurisdictions.contains(c.jurisdiction),
            sections: sections, exchange: exchange, hasExchange: !exchange.isEmpty, timeline: timeline, hasTimeline: !timeline.isEmpty))
    }

    /// The case's facts form: every fact the case form collects, recorded together (one left unknown is
    /// taken back), checked against the vocabulary like the API's `POST /api/v1/cases/{id}/facts`.
    func recordFacts(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> PageAnswer {
        let (caller, found) = try await s.authorizedCase(context, .writeCase)
        let c = found.value
        let facts = try FactsForm(vocabulary: page.vocabulary, forms: Self.caseFactForms, language: page.language).facts(from: page.form)
        try await s.withAudit(caller, .update, ["case:\(c.id)"], c.jurisdiction, context) {
            try await s.host.cases.setFacts(c.id, facts, actor: caller.actor)
        }
        return .redirect("/ui/cases/\(c.id)#facts")
    }

    /// The case's events, oldest first: their type, time and who caused them (a user by their display
    /// name). Never the events' data, which may carry more than a caseworker's page should.
    func timeline(of caseID: CaseID, _ s: APIServices) async throws -> [CaseView.Event] {
        var names: [String: String] = [:]
        var rows: [CaseView.Event] = []
        for e in try await s.host.eventLog.events(subject: "case:\(caseID)") {
            if names[e.actor] == nil {
                if e.actor.hasPrefix("user:"), let user = try await s.host.records.get(User.self, String(e.actor.dropFirst(5)))?.value {
                    names[e.actor] = user.displayName
                } else {
                    names[e.actor] = e.actor
                }
            }
            rows.append(.init(sequence: e.sequence, type: e.type, at: e.at.description, actor: names[e.actor] ?? e.actor))
        }
        return rows
    }

    /// The result fields a decision adds to its outcome (custody, charges to consider, what a hold waits
    /// for...), each named by its label and its values by theirs; lists of objects (a return's steps)
    /// are shown where they belong.
    static func details(of result: JSONValue, decision: String, _ page: PageRequest) -> [CaseView.Detail] {
        guard case .object(let members) = result else { return [] }
        let hidden: Set<String> = ["outcome", "reasons", "reasons_by_language", "basis", "missing", "elements", "rule", "steps", "explanation"]
        // Result fields whose values are values of a fact: shown with that fact's labels when the
        // decision's own labels have none.
        let valuesOf = ["barred": "charges", "consider": "charges", "not_covered": "charges", "route": "route"]
        let vocabulary = page.vocabulary
        return members.keys.sorted().filter { !hidden.contains($0) }.compactMap { key in
            guard let value = members[key] else { return nil }
            if case .array(let items) = value, items.contains(where: { $0.objectValue != nil }) { return nil }
            if case .object = value { return nil }
            func shown(_ code: String) -> String {
                vocabulary.label(value: code, ofField: key, of: decision, in: page.language)
                    ?? vocabulary.label(value: code, of: valuesOf[key] ?? key, in: page.language)
            }
            let text: String
            switch value {
            case .string(let code): text = shown(code)
            case .array(let items):
                text = items.isEmpty ? page.label("none_of_these") : items.map { $0.stringValue.map(shown) ?? "\($0)" }.joined(separator: ", ")
            default: text = FactsForm.shown(value, fact: key, vocabulary, page.labels, page.language)
            }
            return .init(name: vocabulary.label(field: key, of: decision, in: page.language) ?? key.replacingOccurrences(of: "_", with: " "),
                         value: text)
        }
    }
}
