import Foundation
public import GloHTTP
import GloJSON
import GloKit
import Hummingbird
import PluginReporting

/// Reporting over HTTP: a jurisdiction's figures for a period (JSON or CSV), a case in the HTCDS
/// shape; the reports page in the web UI.
public struct ReportingHTTP: PluginHTTP {
    public let id = "reporting"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

    public var menu: [MenuItem] { [MenuItem("/ui/reports", label: "reports", permission: .export)] }

    public var routes: [APIRoute] {
        [
            APIRoute(.get, "/api/v1/reports/{jurisdiction}") { r, c, s in
                guard let code = c.parameters.get("jurisdiction") else { throw Problem.notFound("no jurisdiction") }
                let jurisdiction = JurisdictionID(code)
                let caller = try await s.authorize(c, .export, jurisdiction, subject: "report:\(code)")
                guard let from = CalendarDate(r.query("from") ?? ""), let to = CalendarDate(r.query("to") ?? "") else {
                    throw Problem.badRequest("from and to are required, as YYYY-MM-DD")
                }
                let report = try await Reporting(s.pluginContext(id)).figures(jurisdiction, from: from, to: to)
                try await s.audited(caller, .export, ["report:\(code)"], jurisdiction, c)
                return r.query("format") == "csv" ? .text(report.csv, contentType: "text/csv") : .json(report.json)
            },
            APIRoute(.get, "/api/v1/cases/{id}/htcds") { _, c, s in
                let (caller, found) = try await s.authorizedCase(c, .export)
                try await s.audited(caller, .export, ["case:\(found.value.id)"], found.value.jurisdiction, c)
                return .json(try await Reporting(s.pluginContext(id)).htcds(found.value.id))
            },
        ]
    }

    public var pages: [PageRoute] {
        [PageRoute(.get, "/ui/reports") { request, context, s, page in try await reportPage(request, context, s, page) }]
    }

    struct ReportView: Sendable {
        struct Cell: Sendable { var value, shown: String; var percent: Int }
        struct Group: Sendable { var name: String; var cells: [Cell] }
        var jurisdiction, from, to: String
        var k: Int
        var groups: [Group]
    }

    /// The figures of `?jurisdiction=` (the caller's first by default) for `?from=`–`?to=` (the last year
    /// by default), each group drawn as bars; suppressed cells read `<k`.
    func reportPage(_ request: Request, _ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> PageAnswer {
        guard let jurisdiction = request.query("jurisdiction").map({ JurisdictionID($0) }) ?? page.caller.user.jurisdictions.first else {
            throw ValidationFailure(errors: [FieldError(field: "jurisdiction", message: "is required: the user has no jurisdiction")])
        }
        let caller = try await s.authorize(context, .export, jurisdiction, subject: "report:\(jurisdiction)")
        let today = Timestamp.now.day
        let from = request.query("from").flatMap(CalendarDate.init) ?? today.adding(days: -365)
        let to = request.query("to").flatMap(CalendarDate.init) ?? today
        let report = try await Reporting(s.pluginContext(id)).figures(jurisdiction, from: from, to: to)
        try await s.audited(caller, .export, ["report:\(jurisdiction)"], jurisdiction, context)
        let groups = report.groups.map { g in
            let top = max(1, g.cells.compactMap(\.count).max() ?? 1)
            return ReportView.Group(name: page.label("report." + g.name), cells: g.cells.map { c in
                .init(value: c.value, shown: c.count.map(String.init) ?? "<\(report.k)", percent: (c.count ?? 0) * 100 / top)
            })
        }
        return .page(Page("report", title: "reports", model: ReportView(
            jurisdiction: jurisdiction.rawValue, from: from.description, to: to.description, k: report.k, groups: groups)))
    }
}
