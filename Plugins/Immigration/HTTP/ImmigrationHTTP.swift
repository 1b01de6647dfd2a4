import Foundation
public import GloHTTP
import GloJSON
public import GloKit
import Hummingbird
import PluginImmigration

/// Immigration over HTTP: record a deportation (only as the pack gives it) and push backs; on the case
/// page, its deportations and push backs.
public struct ImmigrationHTTP: PluginHTTP {
    public let id = "immigration"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

    struct NewDeportation: Decodable {
        var to: JurisdictionID
        var on: CalendarDate
        var notification: Deportation.Notification
        var custody: String?
    }

    struct NewPushBack: Decodable {
        var caseID: CaseID?
        var from: JurisdictionID
        var to: JurisdictionID
        var on: CalendarDate
        var place: String?
        var people: Int?
        enum CodingKeys: String, CodingKey {
            case from, to, on, place, people
            case caseID = "case_id"
        }
    }

    public var routes: [APIRoute] {
        [
            APIRoute(.post, "/api/v1/cases/{id}/deportations") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewDeportation.self) { caller, theCase, input in
                    let deportation = Deportation(caseID: theCase.id, from: theCase.jurisdiction, to: input.to, on: input.on,
                                                  notification: input.notification, custody: input.custody)
                    return .json(try json(try await Immigration(s.pluginContext(id)).deport(deportation, actor: caller.actor)), .created)
                }
            },
            APIRoute(.post, "/api/v1/push-backs") { r, c, s in
                var r = r
                let input = try decode(NewPushBack.self, try await r.jsonBody())
                let caller = try await s.authorize(c, .writeCase, input.from, subject: "push_back:new")
                if let caseID = input.caseID {
                    guard let linked = try await s.host.records.get(Case.self, caseID.description)?.value, linked.jurisdiction == input.from else {
                        throw GloKitError.notFound("case", caseID.description)
                    }
                }
                let pushBack = PushBack(caseID: input.caseID, from: input.from, to: input.to, on: input.on, place: input.place,
                                        people: input.people ?? 1, reportedBy: caller.user.organisation)
                let subjects = ["push_back:\(pushBack.id)"] + (input.caseID.map { ["case:\($0)"] } ?? [])
                let recorded = try await s.withAudit(caller, .create, subjects, input.from, c) {
                    try await Immigration(s.pluginContext(id)).recordPushBack(pushBack, actor: caller.actor)
                }
                return .json(try json(recorded), .created)
            },
        ]
    }

    struct Section: Sendable {
        struct Deported: Sendable { var to, on, authority, notified, custody: String }
        struct PushedBack: Sendable { var from, to, on: String; var people: Int }
        var deportations: [Deported]
        var hasDeportations: Bool
        var pushBacks: [PushedBack]
        var hasPushBacks: Bool
    }

    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? {
        let records = try page.services.pluginContext(id).records
        let deportations = try await records.list(Deportation.self, key: .caseID(theCase.id)).map(\.value).map {
            Section.Deported(to: $0.to.rawValue, on: $0.on.description, authority: $0.notification.authority,
                             notified: $0.notification.on.description, custody: $0.custody ?? "—")
        }
        let pushBacks = try await records.list(PushBack.self, key: .caseID(theCase.id)).map(\.value).map {
            Section.PushedBack(from: $0.from.rawValue, to: $0.to.rawValue, on: $0.on.description, people: $0.people)
        }
        guard !deportations.isEmpty || !pushBacks.isEmpty else { return nil }
        return Page("immigration-section", title: "deportations", model: Section(
            deportations: deportations, hasDeportations: !deportations.isEmpty, pushBacks: pushBacks, hasPushBacks: !pushBacks.isEmpty))
    }
}
