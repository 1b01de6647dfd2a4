import Foundation
public import GloHTTP
import GloJSON
public import GloKit
import GloRules
import Hummingbird
import PluginDeadlines

/// Deadlines over HTTP: a case's deadlines and a jurisdiction's deadlines of the coming days in the API;
/// on the case page, the case's deadlines; on the dashboard, the week's.
public struct DeadlinesHTTP: PluginHTTP {
    public let id = "deadlines"
    /// The days the dashboard looks ahead, and the API by default.
    static let week = 7
    /// The furthest the API looks ahead.
    static let maxWithin = 366

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

    /// A deadline as the API gives it: the pack's terms, and where it stands today.
    struct View: Encodable {
        var caseID: String
        var jurisdiction: String
        var id, label, kind: String
        var from, due: String?
        var daysLeft: Int?
        var state: String
        var needs, basis: [String]
        var whenMissed: String
        var decisionID: String

        init(_ d: Deadline, today: CalendarDate) {
            caseID = d.caseID.description
            jurisdiction = d.jurisdiction.rawValue
            id = d.key
            label = d.label
            kind = d.kind.rawValue
            from = d.from?.description
            due = d.due?.description
            daysLeft = d.daysLeft(on: today)
            state = d.state(on: today).rawValue
            needs = d.needs
            basis = d.basis
            whenMissed = d.whenMissed
            decisionID = d.decision.description
        }

        enum CodingKeys: String, CodingKey {
            case jurisdiction, id, label, kind, from, due, state, needs, basis
            case caseID = "case_id"
            case daysLeft = "days_left"
            case whenMissed = "when_missed"
            case decisionID = "decision_id"
        }
    }

    public var routes: [APIRoute] {
        [
            APIRoute(.get, "/api/v1/cases/{id}/deadlines") { _, c, s in
                let (_, found) = try await s.authorizedCase(c, .readCase)
                let today = CalendarDate.today()
                let list = try await Deadlines(try s.pluginContext(id)).current(of: found.value.id)
                return try .encoded(["items": list.map { View($0, today: today) }])
            },
            APIRoute(.get, "/api/v1/deadlines") { r, c, s in
                let caller = try c.requireCaller()
                let within = try Self.within(r.query("within"))
                let asked = r.query("jurisdiction").map { [JurisdictionID($0)] } ?? caller.user.jurisdictions
                let today = CalendarDate.today()
                let deadlines = Deadlines(try s.pluginContext(id))
                var items: [View] = []
                for jurisdiction in asked {
                    try await s.authorize(c, .readCase, jurisdiction, subject: "deadlines:\(jurisdiction)")
                    let listed = try await deadlines.due(in: jurisdiction, through: today.adding(days: within), today: today)
                    try await s.audited(caller, .read, Array(Set(listed.map { "case:\($0.caseID)" })).sorted(), jurisdiction, c)
                    items += listed.map { View($0, today: today) }
                }
                return try .encoded(["items": items])
            },
        ]
    }

    /// `within`: whole days ahead, 0 to `maxWithin`; a week when absent.
    static func within(_ text: String?) throws -> Int {
        guard let text else { return week }
        guard let days = Int(text), (0...maxWithin).contains(days) else {
            throw Problem.badRequest("within must be a whole number of days from 0 to \(maxWithin)")
        }
        return days
    }

    // MARK: The case page and the dashboard

    /// A deadline as a page shows it, in the caller's language.
    struct Row: Sendable {
        var label, due, state, stateCode, whenMissed, basis, needs, caseID: String
        var daysLeft: String

        init(_ d: Deadline, today: CalendarDate, _ page: PageRequest) {
            let state = d.state(on: today)
            label = d.label
            due = d.due?.description ?? "—"
            self.state = page.label("deadline_state." + state.rawValue)
            stateCode = state.rawValue
            whenMissed = d.whenMissed
            basis = d.basis.joined(separator: "; ")
            // The facts to record, by their labels in the caller's language.
            needs = d.needs.map { page.vocabulary.label(fact: $0, in: page.language) }.joined(separator: ", ")
            caseID = d.caseID.description
            daysLeft = d.daysLeft(on: today).map(String.init) ?? "—"
        }
    }

    struct Section: Sendable {
        var deadlines: [Row]
        var hasDeadlines: Bool
        var undated: [Row]
        var hasUndated: Bool
    }

    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? {
        let today = CalendarDate.today()
        let all = try await Deadlines(page.services.pluginContext(id)).current(of: theCase.id).map { Row($0, today: today, page) }
        let dated = all.filter { $0.stateCode != Deadline.State.undated.rawValue }
        let undated = all.filter { $0.stateCode == Deadline.State.undated.rawValue }
        return Page("deadlines-section", title: "deadlines", model: Section(
            deadlines: dated, hasDeadlines: !dated.isEmpty, undated: undated, hasUndated: !undated.isEmpty))
    }

    struct Week: Sendable {
        var overdue: [Row]
        var hasOverdue: Bool
        var thisWeek: [Row]
        var hasThisWeek: Bool
    }

    /// Two lists of the jurisdiction's open cases: the overdue deadlines (an act_by whose day has passed
    /// undone) and those due this week (today and the next seven days), each by day. The dashboard
    /// checked the caller may read the jurisdiction's cases; the cases listed here are audited as read.
    public func dashboard(_ jurisdiction: JurisdictionID, _ page: PageRequest) async throws -> Page? {
        let today = CalendarDate.today()
        let listed = try await Deadlines(page.services.pluginContext(id)).due(in: jurisdiction, through: today.adding(days: Self.week),
                                                                             today: today)
        let caller = page.caller
        try await page.services.audit.append(Set(listed.map(\.caseID)).sorted { $0.description < $1.description }.map {
            // The dashboard's route: a dashboard part is not given its request.
            AuditEntry(user: caller.user.id, role: caller.role, action: .read, subject: "case:\($0)", jurisdiction: jurisdiction,
                       request: "GET /ui")
        })
        let rows = listed.map { Row($0, today: today, page) }
        let overdue = rows.filter { $0.stateCode == Deadline.State.missed.rawValue }
        let thisWeek = rows.filter { $0.stateCode != Deadline.State.missed.rawValue }
        return Page("deadlines-dashboard", title: "deadlines_week",
                    model: Week(overdue: overdue, hasOverdue: !overdue.isEmpty, thisWeek: thisWeek, hasThisWeek: !thisWeek.isEmpty))
    }
}
