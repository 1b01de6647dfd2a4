import Foundation
public import GloBase
public import GloJSON
public import GloKit
import GloRules

/// The minimal packet that crosses the border with a returned person: identity, logistics, needs
/// and risks, and the consent reference, as far as the `return.packet` decision allows; never the
/// narrative (DOMAIN.md, "Protecting the people in the records"). The caseworker sees it
/// (`Returns.packet`) before it is sent (`Returns.send`), and what is sent is what was seen.
public struct HandoverPacket: StoredEntity, Equatable {
    public static let collection = RecordCollection("handover_packet")

    public struct Identity: Sendable, Codable, Equatable {
        public var givenNames: String
        public var familyName: String?
        public var dateOfBirth: CalendarDate?
        public var sex: Sex?
        public var citizenship: [String]
        public var identityDocuments: [IdentityDocument]

        enum CodingKeys: String, CodingKey {
            case sex, citizenship
            case givenNames = "given_names"
            case familyName = "family_name"
            case dateOfBirth = "date_of_birth"
            case identityDocuments = "identity_documents"
        }
    }

    public struct Logistics: Sendable, Codable, Equatable {
        public var route: String
        public var from: JurisdictionID
        public var to: JurisdictionID
        public var handoverDate: CalendarDate?
        public var borderPoint: String?

        public init(route: String, from: JurisdictionID, to: JurisdictionID, handoverDate: CalendarDate? = nil,
                    borderPoint: String? = nil) {
            self.route = route
            self.from = from
            self.to = to
            self.handoverDate = handoverDate
            self.borderPoint = borderPoint
        }

        enum CodingKeys: String, CodingKey {
            case route, from, to
            case handoverDate = "handover_date"
            case borderPoint = "border_point"
        }
    }

    public struct NeedsAndRisks: Sendable, Codable, Equatable {
        public var returnRisk: String?
        public var needs: [String]

        enum CodingKeys: String, CodingKey {
            case needs
            case returnRisk = "return_risk"
        }
    }

    public var id: String
    public var returnID: ReturnID
    public var originCase: CaseID
    public var receivingOrganisation: OrganisationID
    /// The fields the pack lets cross, and those it holds back.
    public var fields: [String]
    public var withheld: [String]
    public var identity: Identity?
    public var logistics: Logistics?
    public var needsAndRisks: NeedsAndRisks?
    public var consentReference: ConsentID?
    /// The `return.packet` decision that chose the fields.
    public var decision: DecisionID
    /// The destination's case opened from the packet, once sent, when this host serves the destination.
    public var destinationCase: CaseID?
    public var sentAt: Timestamp?
    /// Across the border: the host the packet went to (or came from), the message that carried it,
    /// and the case the other host opened for it once it answered (its id there).
    public var peer: String?
    public var message: MessageID?
    public var remoteCase: String?

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [.caseID(originCase)] + (destinationCase.map { [.caseID($0)] } ?? []) }

    enum CodingKeys: String, CodingKey {
        case id, fields, withheld, identity, logistics, decision
        case returnID = "return_id"
        case originCase = "origin_case"
        case receivingOrganisation = "receiving_organisation"
        case needsAndRisks = "needs_and_risks"
        case consentReference = "consent_reference"
        case destinationCase = "destination_case"
        case sentAt = "sent_at"
        case peer, message
        case remoteCase = "remote_case"
    }

    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if fields.contains("identity") && identity == nil {
            errors.append(FieldError(field: "packet.identity", message: "is required when the pack lets identity cross"))
        }
        if !fields.contains("identity") && identity != nil {
            errors.append(FieldError(field: "packet.identity", message: "must be left out: the pack does not let it cross"))
        }
        return errors
    }

    /// The packet's content as it crosses (what the caseworker is shown), without the bookkeeping.
    public var content: JSONValue {
        var o: [String: JSONValue] = ["fields": .array(fields.map(JSONValue.string)), "withheld": .array(withheld.map(JSONValue.string))]
        if let identity { o["identity"] = try? GloKitCoding.jsonValue(identity) }
        if let logistics { o["logistics"] = try? GloKitCoding.jsonValue(logistics) }
        if let needsAndRisks { o["needs_and_risks"] = try? GloKitCoding.jsonValue(needsAndRisks) }
        if let consentReference { o["consent_reference"] = .string(consentReference.description) }
        return .object(o)
    }

    /// The case on this host whose person the identity is: the case it was prepared from, or, for a
    /// packet received from another host (whose origin case is that host's), the case opened from it.
    public var localCase: CaseID {
        if peer != nil, let destinationCase { return destinationCase }
        return originCase
    }

    /// The identity is personal data: sealed at rest like a person's fields, under the data key of
    /// the person of `localCase`.
    public func sealed(by vault: PersonVault) throws -> HandoverPacket {
        guard let identity else { return self }
        var copy = self
        let text = String(decoding: try GloKitCoding.encode(identity), as: UTF8.self)
        copy.identity = Identity(givenNames: try vault.sealedText(text, boundTo: id, for: .caseOf(localCase)),
                                 familyName: nil, dateOfBirth: nil, sex: nil, citizenship: [], identityDocuments: [])
        return copy
    }

    public func opened(by vault: PersonVault) throws -> HandoverPacket {
        // Sealed, the identity travels as one text in `given_names`.
        guard let sealed = identity?.givenNames else { return self }
        var copy = self
        let text: String
        do { text = try vault.openedText(sealed, boundTo: id) } catch VaultError.erased {
            copy.identity = nil   // the person was erased
            return copy
        }
        guard text != sealed else { return self }
        copy.identity = try GloKitCoding.decode(Identity.self, from: text)
        return copy
    }

}
