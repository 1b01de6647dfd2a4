import Foundation
public import GloHTTP
import GloJSON
public import GloKit
import GloRules
import Hummingbird
import PluginLegalProcess

/// The legal process over HTTP: open proceedings, record a charge (deciding non-punishment); on the
/// case page, the non-punishment decision (charges barred, or to consider) and the proceedings.
public struct LegalProcessHTTP: PluginHTTP {
    public let id = "legal-process"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

    struct NewProceeding: Decodable {
        var stage: Proceeding.Stage?
        var on: CalendarDate
        var courtCaseReference: String?
        var victimRole: Proceeding.VictimRole
        enum CodingKeys: String, CodingKey {
            case stage, on
            case courtCaseReference = "court_case_reference"
            case victimRole = "victim_role"
        }
    }

    struct NewCharge: Decodable { var charge: String }

    public var routes: [APIRoute] {
        [
            APIRoute(.post, "/api/v1/cases/{id}/proceedings") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewProceeding.self) { caller, theCase, input in
                    let proceeding = Proceeding(caseID: theCase.id, stage: input.stage ?? .complaint, on: input.on,
                                                courtCaseReference: input.courtCaseReference, victimRole: input.victimRole)
                    return .json(try json(try await LegalProcess(s.pluginContext(id)).open(proceeding, actor: caller.actor)), .created)
                }
            },
            APIRoute(.post, "/api/v1/cases/{id}/follow-ups") { r, c, s in
                try await s.onCase(r, c, .writeCase, FollowUp.self) { caller, theCase, input in
                    let id = try await LegalProcess(s.pluginContext(id)).sendFollowUp(theCase.id, input, actor: caller.actor)
                    try await s.audited(caller, .export, ["case:\(theCase.id)"], theCase.jurisdiction, c)
                    return .json(["message_id": .string(id.description)], .accepted)
                }
            },
            APIRoute(.post, "/api/v1/cases/{id}/charges") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewCharge.self) { caller, theCase, input in
                    try .encoded(DecisionView(try await LegalProcess(s.pluginContext(id)).charge(theCase.id, with: input.charge,
                                                                                              actor: caller.actor)), .created)
                }
            },
        ]
    }

    struct Section: Sendable {
        struct Row: Sendable { var stage, role, claim, reference, history: String }
        var decision: LatestDecision?
        /// Charges barred, and those for the prosecutor to consider, by their labels.
        var barred: String
        var hasBarred: Bool
        var consider: String
        var hasConsider: Bool
        var proceedings: [Row]
        var hasProceedings: Bool
        /// Follow-ups received from the host that handled the case left behind.
        var followUps: [String]
        var hasFollowUps: Bool
    }

    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? {
        let context = try page.services.pluginContext(id)
        let rows = try await LegalProcess(context).proceedings(of: theCase.id).map { p in
            Section.Row(stage: page.label("stage." + p.stage.rawValue), role: page.label("role." + p.victimRole.rawValue),
                        claim: page.label("claim." + p.compensationClaim.rawValue), reference: p.courtCaseReference ?? "",
                        history: p.history.map { "\(page.label("stage." + $0.stage.rawValue)) \($0.on)" }.joined(separator: " → "))
        }
        let decisions = try await context.records.list(DecisionRecord.self, key: .caseID(theCase.id)).map(\.value)
            .filter { $0.decision == LegalProcess.decision }.sorted { $0.decidedAt > $1.decidedAt }
        func charges(_ field: String) -> String {
            let list = decisions.first?.result[field]?.stringArray ?? []
            return list.map { page.vocabulary.label(value: $0, of: "charges", in: page.language) }.joined(separator: ", ")
        }
        let barred = charges("barred"), consider = charges("consider")
        let followUps = try await LegalProcess(context).followUpsReceived(theCase.id).map { "\($0.at.day) \($0.from): \($0.followUp.summary)" }
        return Page("legal-process-section", title: "legal_process", model: Section(
            decision: decisions.first.map { LatestDecision($0, page) }, barred: barred, hasBarred: !barred.isEmpty,
            consider: consider, hasConsider: !consider.isEmpty, proceedings: rows, hasProceedings: !rows.isEmpty,
            followUps: followUps, hasFollowUps: !followUps.isEmpty))
    }
}
