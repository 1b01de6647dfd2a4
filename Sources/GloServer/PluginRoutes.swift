import Foundation
import GloJSON
import GloKit
import GloRules
import HTTPTypes
import Hummingbird
import PluginIdentification
import PluginImmigration
import PluginLegalAid
import PluginLegalProcess
import PluginReporting
import PluginReturn
import PluginShelter

// The routes each workflow plugin contributes: present only when the plugin is enabled. Each checks
// access on the case it touches (found through the record for /referrals, /returns and /consents),
// runs the plugin's operation, and answers with what was stored.

struct Confirmation: Decodable {
    var identifiedBy: IdentifiedBy
    var reason: String?
    enum CodingKeys: String, CodingKey {
        case reason
        case identifiedBy = "identified_by"
    }
}

struct StatusOverride: Decodable {
    var status: TraffickingStatus
    var pathway: Pathway?
    var identifiedBy: IdentifiedBy
    var reason: String
    enum CodingKeys: String, CodingKey {
        case status, pathway, reason
        case identifiedBy = "identified_by"
    }
}

/// An override as a request states it: only the reason. Who and in which role is the caller.
struct OverrideReason: Decodable { var reason: String }

extension GloServer {
    /// The caller's override with the reason given, when their role may override.
    func override(_ requested: OverrideReason?, by caller: Caller) throws -> Override? {
        guard let requested else { return nil }
        guard AccessPolicy.allows(caller.role, .override) else {
            throw AccessDenied(reason: "the role \(caller.role.rawValue) may not override a consent")
        }
        return Override(user: caller.user.id, role: caller.role, reason: requested.reason)
    }
}

struct NewConsent: Decodable {
    var purpose: ConsentPurpose
    var recipients: [OrganisationID]
    var givenAt: Timestamp?
    var override: OverrideReason?
    enum CodingKeys: String, CodingKey {
        case purpose, recipients, override
        case givenAt = "given_at"
    }
}

struct NewReferral: Decodable {
    var to: OrganisationID
    var service: Service
    var consentOverride: OverrideReason?
    enum CodingKeys: String, CodingKey {
        case to, service
        case consentOverride = "consent_override"
    }
}

struct StatusChange: Decodable { var status: ReferralStatus; var note: String? }
struct NewPlacement: Decodable { var shelter: OrganisationID; var from: CalendarDate; var kind: ShelterPlacement.Kind? }
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
struct NewReturn: Decodable { var to: JurisdictionID }
struct StepDone: Decodable { var step: String; var on: CalendarDate }
struct PacketRequest: Decodable {
    var receivingOrganisation: OrganisationID
    var logistics: HandoverPacket.Logistics?
    var needs: [String]?
    enum CodingKeys: String, CodingKey {
        case logistics, needs
        case receivingOrganisation = "receiving_organisation"
    }
}
struct NewDeportation: Decodable { var to: JurisdictionID; var on: CalendarDate; var notification: Deportation.Notification; var custody: String? }
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

extension GloServer {
    static let pluginRoutes: [APIRoute] = [
        APIRoute(.post, "/api/v1/cases/{id}/confirmation", plugin: "identification") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/confirmation", Confirmation.self) { s, caller, theCase, input in
                .json(try json(try await Identification(s.pluginContext("identification")).confirm(
                    theCase.id, identifiedBy: input.identifiedBy, user: caller.user.id, role: caller.role, reason: input.reason,
                    actor: caller.actor)))
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/status-override", plugin: "identification") { r, c, s in
            try await s.onCase(r, c, .override, "/api/v1/cases/{id}/status-override", StatusOverride.self) { s, caller, theCase, input in
                .json(try json(try await Identification(s.pluginContext("identification")).override(
                    theCase.id, status: input.status, pathway: input.pathway, identifiedBy: input.identifiedBy, user: caller.user.id,
                    role: caller.role, reason: input.reason, actor: caller.actor)))
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/consents", plugin: "shelter") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/consents", NewConsent.self) { s, caller, theCase, input in
                let consent = Consent(person: theCase.person, caseID: theCase.id, purpose: input.purpose, recipients: input.recipients,
                                      recordedBy: caller.user.id, givenAt: input.givenAt ?? (input.override == nil ? .now : nil),
                                      override: try s.override(input.override, by: caller))
                return .json(try json(try await Shelter(s.pluginContext("shelter")).record(consent, actor: caller.actor)), .created)
            }
        },
        APIRoute(.post, "/api/v1/consents/{id}/withdraw", plugin: "shelter") { r, c, s in
            try await s.onRecord(c, Consent.self, caseOf: { $0.caseID }, .writeCase, "POST /api/v1/consents/{id}/withdraw") { caller, _, consent in
                .json(try json(try await Shelter(s.pluginContext("shelter")).withdraw(consent.id, actor: caller.actor)))
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/referrals", plugin: "shelter") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/referrals", NewReferral.self) { s, caller, theCase, input in
                let referral = Referral(caseID: theCase.id, from: caller.user.organisation, to: input.to, service: input.service,
                                        consentOverride: try s.override(input.consentOverride, by: caller))
                return .json(try json(try await Shelter(s.pluginContext("shelter")).refer(referral, actor: caller.actor)), .created)
            }
        },
        APIRoute(.get, "/api/v1/cases/{id}/referrals", plugin: "shelter") { _, c, s in
            let (_, found) = try await s.authorizedCase(c, .readCase, route: s.route(.get, "/api/v1/cases/{id}/referrals"))
            return .json(["items": .array(try await s.host.records.list(Referral.self, key: .caseID(found.value.id)).map { try json($0.value) })])
        },
        APIRoute(.post, "/api/v1/referrals/{id}/status", plugin: "shelter") { r, c, s in
            var r = r
            let input = try decode(StatusChange.self, try await r.jsonBody())
            return try await s.onRecord(c, Referral.self, caseOf: { $0.caseID }, .writeCase, "POST /api/v1/referrals/{id}/status") { caller, _, referral in
                .json(try json(try await Shelter(s.pluginContext("shelter")).move(referral.id, to: input.status, note: input.note,
                                                                                  actor: caller.actor)))
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/placements", plugin: "shelter") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/placements", NewPlacement.self) { s, caller, theCase, input in
                .json(try json(try await Shelter(s.pluginContext("shelter")).place(theCase.id, in: input.shelter, from: input.from,
                                                                                   actor: caller.actor, kind: input.kind)), .created)
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/legal-assistance", plugin: "legal-aid") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/legal-assistance", NewAssistance.self) { s, caller, theCase, input in
                let assistance = LegalAssistance(caseID: theCase.id, kind: input.kind, provider: input.provider,
                                                 courtCaseReference: input.courtCaseReference, opened: input.opened)
                return .json(try json(try await LegalAid(s.pluginContext("legal-aid")).open(assistance, actor: caller.actor)), .created)
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/rights-information", plugin: "legal-aid") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/rights-information", RightsInformation.self) { s, caller, theCase, input in
                try .encoded(DecisionView(try await LegalAid(s.pluginContext("legal-aid")).recordRightsInformation(
                    theCase.id, informed: input.informed, actor: caller.actor)))
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/proceedings", plugin: "legal-process") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/proceedings", NewProceeding.self) { s, caller, theCase, input in
                let proceeding = Proceeding(caseID: theCase.id, stage: input.stage ?? .complaint, on: input.on,
                                            courtCaseReference: input.courtCaseReference, victimRole: input.victimRole)
                return .json(try json(try await LegalProcess(s.pluginContext("legal-process")).open(proceeding, actor: caller.actor)), .created)
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/charges", plugin: "legal-process") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/charges", NewCharge.self) { s, caller, theCase, input in
                try .encoded(DecisionView(try await LegalProcess(s.pluginContext("legal-process")).charge(theCase.id, with: input.charge,
                                                                                                          actor: caller.actor)), .created)
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/returns", plugin: "return") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/returns", NewReturn.self) { s, caller, theCase, input in
                .json(try json(try await Returns(s.pluginContext("return")).plan(theCase.id, to: input.to, actor: caller.actor)), .created)
            }
        },
        APIRoute(.post, "/api/v1/returns/{id}/steps", plugin: "return") { r, c, s in
            var r = r
            let input = try decode(StepDone.self, try await r.jsonBody())
            return try await s.onRecord(c, Return.self, caseOf: { $0.caseID }, .writeCase, "POST /api/v1/returns/{id}/steps") { caller, _, ret in
                .json(try json(try await Returns(s.pluginContext("return")).complete(ret.id, step: input.step, on: input.on,
                                                                                       actor: caller.actor)))
            }
        },
        APIRoute(.post, "/api/v1/returns/{id}/packet-preview", plugin: "return") { r, c, s in
            var r = r
            let input = try decode(PacketRequest.self, try await r.jsonBody())
            return try await s.onRecord(c, Return.self, caseOf: { $0.caseID }, .writeCase, "POST /api/v1/returns/{id}/packet-preview") { caller, theCase, ret in
                // The preview shows the person's identity: a read of the person, logged as such.
                try await s.audited(caller, .read, ["person:\(theCase.person)"], theCase.jurisdiction,
                                    request: "POST /api/v1/returns/{id}/packet-preview")
                return .json(try json(try await Returns(s.pluginContext("return")).packet(ret.id, for: input.receivingOrganisation,
                                                                                    logistics: input.logistics, needs: input.needs ?? [],
                                                                                    actor: caller.actor)))
            }
        },
        APIRoute(.post, "/api/v1/returns/{id}/packet", plugin: "return") { r, c, s in
            var r = r
            let seen = try decode(HandoverPacket.self, try await r.jsonBody())
            return try await s.onRecord(c, Return.self, caseOf: { $0.caseID }, .writeCase, "POST /api/v1/returns/{id}/packet") { caller, theCase, ret in
                guard seen.returnID == ret.id, seen.originCase == theCase.id else {
                    throw Problem(.unprocessableContent, "invalid", "Invalid input", "the packet is not this return's: send the preview of this return",
                                  extra: ["errors": .array([.object(["field": "return_id", "message": "must be the return in the path"])])])
                }
                let (packet, destination) = try await Returns(s.pluginContext("return")).send(seen, actor: caller.actor)
                try await s.audited(caller, .export, ["case:\(theCase.id)", "case:\(destination.id)"], theCase.jurisdiction,
                                    request: "POST /api/v1/returns/{id}/packet")
                // The person the receiving side now holds is a record of its own, made by this request.
                try await s.audited(caller, .create, ["person:\(destination.person)", "case:\(destination.id)"], destination.jurisdiction,
                                    request: "POST /api/v1/returns/{id}/packet")
                return .json(["packet_id": .string(packet.id), "destination_case": .string(destination.id.description),
                              "jurisdiction": .string(destination.jurisdiction.rawValue)], .created)
            }
        },
        APIRoute(.post, "/api/v1/cases/{id}/deportations", plugin: "immigration") { r, c, s in
            try await s.onCase(r, c, .writeCase, "/api/v1/cases/{id}/deportations", NewDeportation.self) { s, caller, theCase, input in
                let deportation = Deportation(caseID: theCase.id, from: theCase.jurisdiction, to: input.to, on: input.on,
                                              notification: input.notification, custody: input.custody)
                return .json(try json(try await Immigration(s.pluginContext("immigration")).deport(deportation, actor: caller.actor)), .created)
            }
        },
        APIRoute(.post, "/api/v1/push-backs", plugin: "immigration") { r, c, s in
            var r = r
            let input = try decode(NewPushBack.self, try await r.jsonBody())
            let caller = try await s.authorize(c, .writeCase, input.from, subject: "push_back:new", request: "POST /api/v1/push-backs")
            if let caseID = input.caseID {
                guard let linked = try await s.host.records.get(Case.self, caseID.description)?.value, linked.jurisdiction == input.from else {
                    throw GloKitError.notFound("case", caseID.description)
                }
            }
            let pushBack = PushBack(caseID: input.caseID, from: input.from, to: input.to, on: input.on, place: input.place,
                                    people: input.people ?? 1, reportedBy: caller.user.organisation)
            let subjects = ["push_back:\(pushBack.id)"] + (input.caseID.map { ["case:\($0)"] } ?? [])
            let recorded = try await s.withAudit(caller, .create, subjects, input.from, request: "POST /api/v1/push-backs") {
                try await Immigration(s.pluginContext("immigration")).recordPushBack(pushBack, actor: caller.actor)
            }
            return .json(try json(recorded), .created)
        },
        APIRoute(.get, "/api/v1/reports/{jurisdiction}", plugin: "reporting") { r, c, s in
            guard let code = c.parameters.get("jurisdiction") else { throw Problem.notFound("no jurisdiction") }
            let jurisdiction = JurisdictionID(code)
            let caller = try await s.authorize(c, .export, jurisdiction, subject: "report:\(code)", request: "GET /api/v1/reports/{jurisdiction}")
            guard let from = CalendarDate(r.query("from") ?? ""), let to = CalendarDate(r.query("to") ?? "") else {
                throw Problem.badRequest("from and to are required, as YYYY-MM-DD")
            }
            let report = try await Reporting(s.pluginContext("reporting")).figures(jurisdiction, from: from, to: to)
            try await s.audited(caller, .export, ["report:\(code)"], jurisdiction, request: "GET /api/v1/reports/{jurisdiction}")
            return r.query("format") == "csv" ? .text(report.csv, contentType: "text/csv") : .json(report.json)
        },
        APIRoute(.get, "/api/v1/cases/{id}/htcds", plugin: "reporting") { _, c, s in
            let (caller, found) = try await s.authorizedCase(c, .export, route: s.route(.get, "/api/v1/cases/{id}/htcds"))
            try await s.audited(caller, .export, ["case:\(found.value.id)"], found.value.jurisdiction, request: "GET /api/v1/cases/{id}/htcds")
            return .json(try await Reporting(s.pluginContext("reporting")).htcds(found.value.id))
        },
    ]

    func route(_ method: HTTPRequest.Method, _ path: String) -> APIRoute { Self.route(method, path) }

    func pluginContext(_ id: String) throws -> PluginContext {
        guard let plugin = host.plugins.first(where: { $0.id == id }) else { throw Problem.notFound("plugin \(id) is not enabled") }
        return host.context(for: plugin)
    }

    /// A POST on a case: checks access, decodes the body, runs `body`, and audits the change.
    func onCase<Input: Decodable>(_ request: Request, _ context: APIContext, _ permission: Permission, _ path: String, _ type: Input.Type,
                                  _ body: (GloServer, Caller, Case, Input) async throws -> APIResponse) async throws -> APIResponse {
        var request = request
        let (caller, found) = try await authorizedCase(context, permission, route: route(.post, path))
        let input = try decode(type, try await request.jsonBody())
        return try await withAudit(caller, .update, ["case:\(found.value.id)"], found.value.jurisdiction, request: "POST \(path)") {
            try await body(self, caller, found.value, input)
        }
    }

    /// A change to a record found by the path's id, after checking access on its case; audited with it.
    func onRecord<E: StoredEntity, T>(_ context: APIContext, _ type: E.Type, caseOf: (E) -> CaseID?, _ permission: Permission,
                                      _ request: String, _ body: (Caller, Case, E) async throws -> T) async throws -> T {
        let caller = try context.requireCaller()
        guard let id = context.parameters.get("id"), let record = try await host.records.get(E.self, id)?.value,
              let caseID = caseOf(record), let theCase = try await host.records.get(Case.self, caseID.description)?.value else {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied,
                                              subject: "\(E.collection):\(context.parameters.get("id") ?? "")", jurisdiction: nil,
                                              request: request, detail: "no such record"))
            throw GloKitError.notFound(E.collection.rawValue, context.parameters.get("id") ?? "")
        }
        try await authorizeOrHide(context, permission, theCase.jurisdiction, subject: "case:\(theCase.id)", request: request,
                                  notFound: GloKitError.notFound(E.collection.rawValue, context.parameters.get("id") ?? ""))
        return try await withAudit(caller, .update, ["case:\(theCase.id)"], theCase.jurisdiction, request: request) {
            try await body(caller, theCase, record)
        }
    }
}
