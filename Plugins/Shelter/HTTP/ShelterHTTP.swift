import Foundation
public import GloHTTP
import GloJSON
public import GloKit
import GloRules
import Hummingbird
import PluginShelter

/// Shelter over HTTP: record and withdraw consents, refer with consent, move referrals, place in a
/// shelter; on the case page, the referrals with the referral form, and the placements.
public struct ShelterHTTP: PluginHTTP {
    public let id = "shelter"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

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

    public var routes: [APIRoute] {
        [
            APIRoute(.post, "/api/v1/cases/{id}/consents") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewConsent.self) { caller, theCase, input in
                    let consent = Consent(person: theCase.person, caseID: theCase.id, purpose: input.purpose, recipients: input.recipients,
                                          recordedBy: caller.user.id, givenAt: input.givenAt ?? (input.override == nil ? .now : nil),
                                          override: try s.override(input.override, by: caller))
                    return .json(try json(try await Shelter(s.pluginContext(id)).record(consent, actor: caller.actor)), .created)
                }
            },
            APIRoute(.post, "/api/v1/consents/{id}/withdraw") { _, c, s in
                try await s.onRecord(c, Consent.self, caseOf: { $0.caseID }, .writeCase) { caller, _, consent in
                    .json(try json(try await Shelter(s.pluginContext(id)).withdraw(consent.id, actor: caller.actor)))
                }
            },
            APIRoute(.post, "/api/v1/cases/{id}/referrals") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewReferral.self) { caller, theCase, input in
                    let referral = Referral(caseID: theCase.id, from: caller.user.organisation, to: input.to, service: input.service,
                                            consentOverride: try s.override(input.consentOverride, by: caller))
                    return .json(try json(try await Shelter(s.pluginContext(id)).refer(referral, actor: caller.actor)), .created)
                }
            },
            APIRoute(.get, "/api/v1/cases/{id}/referrals") { _, c, s in
                let (_, found) = try await s.authorizedCase(c, .readCase)
                return .json(["items": .array(try await s.host.records.list(Referral.self, key: .caseID(found.value.id)).map { try json($0.value) })])
            },
            APIRoute(.post, "/api/v1/referrals/{id}/status") { r, c, s in
                var r = r
                let input = try decode(StatusChange.self, try await r.jsonBody())
                return try await s.onRecord(c, Referral.self, caseOf: { $0.caseID }, .writeCase) { caller, _, referral in
                    .json(try json(try await Shelter(s.pluginContext(id)).move(referral.id, to: input.status, note: input.note,
                                                                               actor: caller.actor)))
                }
            },
            APIRoute(.post, "/api/v1/cases/{id}/placements") { r, c, s in
                try await s.onCase(r, c, .writeCase, NewPlacement.self) { caller, theCase, input in
                    .json(try json(try await Shelter(s.pluginContext(id)).place(theCase.id, in: input.shelter, from: input.from,
                                                                                actor: caller.actor, kind: input.kind)), .created)
                }
            },
        ]
    }

    public var pages: [PageRoute] {
        [
            // The referral form: the consents ticked are recorded, then the referral is made (refused
            // without consent to both services and disclosure).
            PageRoute(.post, "/ui/cases/{id}/referrals") { _, context, s, page in
                let (caller, found) = try await s.authorizedCase(context, .writeCase)
                var invalid: [FieldError] = []
                let to = page.form["to"].flatMap { OrganisationID($0) }
                if to == nil { invalid.append(FieldError(field: "to", message: "must be an organisation id")) }
                let service = page.form["service"].flatMap(Service.init(rawValue:))
                if service == nil { invalid.append(FieldError(field: "service", message: "must be one of the services listed")) }
                guard let to, let service, invalid.isEmpty else { throw ValidationFailure(errors: invalid) }
                let purposes = [("consent_services", ConsentPurpose.services), ("consent_disclosure", .disclosure)]
                    .filter { page.form[$0.0] == "yes" }.map(\.1)
                let c = found.value
                try await s.withAudit(caller, .update, ["case:\(c.id)"], c.jurisdiction, context) {
                    try await Shelter(s.pluginContext(id)).refer(Referral(caseID: c.id, from: caller.user.organisation, to: to, service: service),
                                                                 consentingTo: purposes, recordedBy: caller.user.id, actor: caller.actor)
                }
                return .redirect("/ui/cases/\(c.id)#referrals")
            },
        ]
    }

    // MARK: The case page

    struct Section: Sendable {
        struct Referred: Sendable { var service, to, status: String }
        struct Placement: Sendable { var kind, shelter, from, to, stayEnd: String }
        struct Choice: Sendable { var value, label: String }
        var caseID: String
        var csrf: String
        var referrals: [Referred]
        var hasReferrals: Bool
        var services: [Choice]
        /// The caller may refer from this case.
        var mayRefer: Bool
        var placements: [Placement]
        var hasPlacements: Bool
    }

    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? {
        let records = try page.services.pluginContext(id).records
        let referrals = try await records.list(Referral.self, key: .caseID(theCase.id)).map(\.value).map {
            Section.Referred(service: page.label("service." + $0.service.rawValue), to: $0.to.description,
                             status: page.label("referral_status." + $0.status.rawValue))
        }
        let placements = try await records.list(ShelterPlacement.self, key: .caseID(theCase.id)).map(\.value).map {
            Section.Placement(kind: page.vocabulary.label(outcome: $0.kind.rawValue, of: "shelter.placement", in: page.language), shelter: $0.shelter.description, from: $0.from.description,
                              to: $0.to?.description ?? "—", stayEnd: $0.identificationStayEnd?.description ?? "—")
        }
        let mayRefer = AccessPolicy.allows(page.caller.role, .writeCase) && page.caller.user.jurisdictions.contains(theCase.jurisdiction)
        return Page("shelter-section", title: "shelter", model: Section(
            caseID: theCase.id.description, csrf: page.csrf, referrals: referrals, hasReferrals: !referrals.isEmpty,
            services: Service.allCases.map { .init(value: $0.rawValue, label: page.label("service." + $0.rawValue)) },
            mayRefer: mayRefer, placements: placements, hasPlacements: !placements.isEmpty))
    }
}
