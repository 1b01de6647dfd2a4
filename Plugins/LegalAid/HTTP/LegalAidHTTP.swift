import Foundation
public import GloHTTP
import GloJSON
public import GloKit
import GloRules
import Hummingbird
import PluginLegalAid

/// Legal aid over HTTP: open legal assistance of a kind the pack allows, record that the victim was
/// informed of their rights; on the case page, the eligibility with the assistance opened.
public struct LegalAidHTTP: PluginHTTP {
    public let id = "legal-aid"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

    struct NewAssistance: Decodable {
        var kind: LegalAssistance.Kind
        var provider: OrganisationID
        var courtCaseReference: String?
        var opened: CalendarDate
        enum CodingKeys: String, CodingKey {
            case kind, provider, opened
            case courtCaseReference = "court_case_reference"
        }
    }

    struct RightsInformation: Decodable { var informed: Bool }

    public var routes: [APIRoute] {
        [
            APIRoute(.post, "/api/v1/cases/{id}/legal-assistance") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewAssistance.self) { caller, theCase, input in
                    let assistance = LegalAssistance(caseID: theCase.id, kind: input.kind, provider: input.provider,
                                                     courtCaseReference: input.courtCaseReference, opened: input.opened)
                    return .json(try json(try await LegalAid(s.pluginContext(id)).open(assistance, actor: caller.actor)), .created)
                }
            },
            APIRoute(.post, "/api/v1/cases/{id}/rights-information") { r, c, s in
                try await s.onCase(r, c, .writeCase, RightsInformation.self) { caller, theCase, input in
                    try .encoded(DecisionView(try await LegalAid(s.pluginContext(id)).recordRightsInformation(
                        theCase.id, informed: input.informed, actor: caller.actor)))
                }
            },
        ]
    }

    /// The case page's section (templates read stored properties only).
    struct Section: Sendable {
        struct Assistance: Sendable { var kind, provider, reference, opened, closed: String }
        var decision: LatestDecision?
        var assistance: [Assistance]
        var hasAssistance: Bool
    }

    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? {
        let context = try page.services.pluginContext(id)
        let assistance = try await context.records.list(LegalAssistance.self, key: .caseID(theCase.id)).map(\.value).map {
            Section.Assistance(kind: page.vocabulary.label(value: $0.kind.rawValue, ofField: "kinds", of: "legal_aid.eligibility", in: page.language) ?? $0.kind.rawValue, provider: $0.provider.description, reference: $0.courtCaseReference ?? "—",
                               opened: $0.opened.description, closed: $0.closed?.description ?? "—")
        }
        let latest = try await LegalAid(context).latest(theCase.id).map { LatestDecision($0, page) }
        return Page("legal-aid-section", title: "legal_aid",
                    model: Section(decision: latest, assistance: assistance, hasAssistance: !assistance.isEmpty))
    }
}
