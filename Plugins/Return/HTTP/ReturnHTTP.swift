import Foundation
public import GloHTTP
import GloJSON
public import GloKit
import GloRules
import Hummingbird
import PluginReturn

/// Returns over HTTP: plan a return, read it back, mark its steps, preview and send the handover
/// packet, and record the reception on the receiving side; on the case page, the returns with their
/// steps, the packet preview, and the reception form on a case a packet opened.
public struct ReturnHTTP: PluginHTTP {
    public let id = "return"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

    struct NewReturn: Decodable { var to: JurisdictionID }
    struct StepDone: Decodable { var step: String; var on: CalendarDate }
    struct Reception: Decodable { var on: CalendarDate }
    struct PacketRequest: Decodable {
        var receivingOrganisation: OrganisationID
        var logistics: HandoverPacket.Logistics?
        var needs: [String]?
        enum CodingKeys: String, CodingKey {
            case logistics, needs
            case receivingOrganisation = "receiving_organisation"
        }
    }

    public var routes: [APIRoute] {
        [
            APIRoute(.post, "/api/v1/cases/{id}/returns") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewReturn.self) { caller, theCase, input in
                    .json(try json(try await Returns(s.pluginContext(id)).plan(theCase.id, to: input.to, actor: caller.actor)), .created)
                }
            },
            APIRoute(.get, "/api/v1/cases/{id}/returns") { _, c, s in
                let (_, found) = try await s.authorizedCase(c, .readCase)
                let returns = try await s.host.records.list(Return.self, key: .caseID(found.value.id)).map(\.value)
                return .json(["items": .array(try returns.map { try json($0) })])
            },
            APIRoute(.get, "/api/v1/returns/{id}") { _, c, s in
                let (_, _, ret) = try await s.authorizedRecord(c, Return.self, caseOf: { $0.caseID }, .readCase)
                return .json(try json(ret))
            },
            APIRoute(.post, "/api/v1/returns/{id}/steps") { r, c, s in
                var r = r
                let input = try decode(StepDone.self, try await r.jsonBody())
                return try await s.onRecord(c, Return.self, caseOf: { $0.caseID }, .writeCase) { caller, _, ret in
                    .json(try json(try await Returns(s.pluginContext(id)).complete(ret.id, step: input.step, on: input.on, actor: caller.actor)))
                }
            },
            APIRoute(.post, "/api/v1/returns/{id}/packet-preview") { r, c, s in
                var r = r
                let input = try decode(PacketRequest.self, try await r.jsonBody())
                return try await s.onRecord(c, Return.self, caseOf: { $0.caseID }, .writeCase) { caller, theCase, ret in
                    // The preview shows the person's identity: a read of the person, logged as such.
                    try await s.audited(caller, .read, ["person:\(theCase.person)"], theCase.jurisdiction, c)
                    return .json(try json(try await Returns(s.pluginContext(id)).packet(
                        ret.id, for: input.receivingOrganisation, logistics: input.logistics, needs: input.needs ?? [], actor: caller.actor)))
                }
            },
            APIRoute(.post, "/api/v1/returns/{id}/packet") { r, c, s in
                var r = r
                let seen = try decode(HandoverPacket.self, try await r.jsonBody())
                return try await s.onRecord(c, Return.self, caseOf: { $0.caseID }, .writeCase) { caller, theCase, ret in
                    guard seen.returnID == ret.id, seen.originCase == theCase.id else {
                        throw ValidationFailure(errors: [FieldError(field: "return_id", message: "must be the return in the path: send the preview of this return")])
                    }
                    let handover = try await Returns(s.pluginContext(id)).handOver(seen, actor: caller.actor)
                    guard let destination = handover.destinationCase else {
                        // Sealed to the host that serves the destination: only that host can open it.
                        try await s.audited(caller, .export, ["case:\(theCase.id)"], theCase.jurisdiction, c)
                        return .json(["packet_id": .string(handover.packet.id), "peer": .string(handover.peer ?? ""),
                                      "message_id": .string(handover.message?.description ?? ""),
                                      "jurisdiction": .string(ret.to.rawValue)], .accepted)
                    }
                    try await s.audited(caller, .export, ["case:\(theCase.id)", "case:\(destination.id)"], theCase.jurisdiction, c)
                    // The person the receiving side now holds is a record of its own, made by this request.
                    try await s.audited(caller, .create, ["person:\(destination.person)", "case:\(destination.id)"], destination.jurisdiction, c)
                    return .json(["packet_id": .string(handover.packet.id), "destination_case": .string(destination.id.description),
                                  "jurisdiction": .string(destination.jurisdiction.rawValue)], .created)
                }
            },
            APIRoute(.post, "/api/v1/cases/{id}/reception") { r, c, s in
                try await s.onCase(r, c, .writeCase, Reception.self) { caller, theCase, input in
                    .json(try json(try await Returns(s.pluginContext(id)).receive(case: theCase.id, by: caller.user.organisation,
                                                                                   on: input.on, actor: caller.actor)), .created)
                }
            },
        ]
    }

    public var pages: [PageRoute] {
        [
            PageRoute(.get, "/ui/returns/{id}/packet") { request, context, s, page in try await packetPage(request, context, s, page) },
            PageRoute(.post, "/ui/cases/{id}/reception") { _, context, s, page in
                guard let on = page.form["on"].flatMap(CalendarDate.init) else {
                    throw ValidationFailure(errors: [FieldError(field: "on", message: "must be a date")])
                }
                let (caller, found) = try await s.authorizedCase(context, .writeCase)
                try await s.withAudit(caller, .update, ["case:\(found.value.id)"], found.value.jurisdiction, context) {
                    try await Returns(s.pluginContext(id)).receive(case: found.value.id, by: caller.user.organisation, on: on,
                                                                   actor: caller.actor)
                }
                return .redirect("/ui/cases/\(found.value.id)#returns")
            },
        ]
    }

    // MARK: The case page

    struct Section: Sendable {
        struct Step: Sendable { var label, actor, status, on: String; var done: Bool }
        struct Planned: Sendable {
            var id, route, from, to: String
            var packetSent: Bool
            /// The return leaves from this case's jurisdiction: its packet can be previewed here.
            var outgoing: Bool
            var steps: [Step]
        }
        var caseID: String
        var csrf: String
        var today: String
        var returns: [Planned]
        var hasReturns: Bool
        /// A packet opened this case and the person has not been received yet.
        var awaitingReception: Bool
    }

    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? {
        let context = try page.services.pluginContext(id)
        let returns = try await context.records.list(Return.self, key: .caseID(theCase.id)).map(\.value)
        let packet = try await Returns(context).packet(received: theCase.id)
        let awaiting = packet.map { p in !returns.contains { $0.handoverPacket == p.id } } ?? false
        let planned = returns.map { r in
            Section.Planned(id: r.id.description, route: page.vocabulary.label(value: r.route.rawValue, of: "route", in: page.language),
                            from: r.from.rawValue, to: r.to.rawValue, packetSent: r.handoverPacket != nil,
                            outgoing: r.from == theCase.jurisdiction,
                            steps: r.steps.map { .init(label: $0.label, actor: $0.actor, status: $0.status.rawValue, on: $0.doneOn?.description ?? "",
                                                       done: $0.status == .done) })
        }
        return Page("returns-section", title: "returns", model: Section(
            caseID: theCase.id.description, csrf: page.csrf, today: Timestamp.now.day.description, returns: planned,
            hasReturns: !planned.isEmpty, awaitingReception: awaiting && AccessPolicy.allows(page.caller.role, .writeCase)))
    }

    // MARK: The handover packet

    struct PacketView: Sendable {
        struct Identity: Sendable { var name, dateOfBirth, sex, citizenship: String; var documents: [String]; var hasDocuments: Bool }
        struct Logistics: Sendable { var route, from, to, handoverDate, borderPoint: String }
        struct Needs: Sendable { var risk, needs: String }
        var caseID, to, fields, withheld, decision, consentReference: String
        var empty: Bool
        var identity: Identity?
        var logistics: Logistics?
        var needsAndRisks: Needs?
    }

    /// The handover packet as it would be sent to `?to=` (an organisation id): access and audit exactly
    /// as `POST /api/v1/returns/{id}/packet-preview` (the caller must be able to change the case; showing
    /// the identity is a read of the person, logged as such).
    func packetPage(_ request: Request, _ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> PageAnswer {
        guard let to = request.query("to").flatMap({ OrganisationID($0) }) else {
            throw ValidationFailure(errors: [FieldError(field: "to", message: "must be the receiving organisation's id")])
        }
        let (theCase, packet) = try await s.onRecord(context, Return.self, caseOf: { $0.caseID }, .writeCase) { caller, theCase, ret in
            try await s.audited(caller, .read, ["person:\(theCase.person)"], theCase.jurisdiction, context)
            return (theCase, try await Returns(s.pluginContext(id)).packet(ret.id, for: to, actor: caller.actor))
        }
        let none = "—"
        return .page(Page("packet", title: "packet_preview", model: PacketView(
            caseID: theCase.id.description, to: to.description, fields: packet.fields.joined(separator: ", "),
            withheld: packet.withheld.joined(separator: ", "), decision: packet.decision.description,
            consentReference: packet.consentReference?.description ?? none, empty: packet.fields.isEmpty,
            identity: packet.identity.map { i in
                .init(name: [i.givenNames, i.familyName].compactMap { $0 }.joined(separator: " "), dateOfBirth: i.dateOfBirth?.description ?? none,
                      sex: i.sex?.rawValue ?? none, citizenship: i.citizenship.isEmpty ? none : i.citizenship.joined(separator: ", "),
                      documents: i.identityDocuments.map { "\($0.kind.rawValue) \($0.number)" }, hasDocuments: !i.identityDocuments.isEmpty)
            },
            logistics: packet.logistics.map { .init(route: $0.route, from: $0.from.rawValue, to: $0.to.rawValue,
                                                    handoverDate: $0.handoverDate?.description ?? none, borderPoint: $0.borderPoint ?? none) },
            needsAndRisks: packet.needsAndRisks.map { .init(risk: $0.returnRisk ?? none, needs: $0.needs.isEmpty ? none : $0.needs.joined(separator: ", ")) })))
    }
}
