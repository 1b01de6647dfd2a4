public import GloJSON

public typealias MessageID = EntityID<FederationMessage>

/// Namespace of the messages hosts exchange: their kinds and what each carries.
public enum FederationMessage {
    /// The version of the payloads this host writes and reads. A receiver refuses a version it does
    /// not know, with why, rather than guess.
    public static let version = 1

    /// What a message is. Each kind's `body` is fixed in docs/federation.md; only `handover` may
    /// carry personal data, and only what the sender's pack lets cross (`return.packet`) with the
    /// person's recorded consent for the recipient.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A returning person's handover packet.
        case handover
        /// The receiving side took the handover in and opened its own case.
        case accepted
        /// The receiving side received the person (its reception step is done).
        case received
        /// The receiving side cannot take the handover, and why.
        case refused
        /// News of the case left behind: a trial date, a request to testify, compensation.
        case followUp = "follow_up"
        /// The official notice of a deportation to the country of origin.
        case deportationNotice = "deportation_notice"
        /// People found pushed back across the border, for the side that pushed to follow up.
        case pushBackReport = "push_back_report"

        /// Whether this kind may carry personal data at all.
        public var mayCarryPersonalData: Bool { self == .handover }
    }

    /// The consent under which personal data crosses: which, for what, to whom, since when.
    public struct ConsentReference: Sendable, Hashable, Codable {
        public var id: ConsentID
        public var purpose: ConsentPurpose
        public var recipients: [OrganisationID]
        public var givenAt: Timestamp?

        public init(_ consent: Consent) {
            id = consent.id
            purpose = consent.purpose
            recipients = consent.recipients
            givenAt = consent.givenAt ?? consent.override?.at
        }

        enum CodingKeys: String, CodingKey {
            case id, purpose, recipients
            case givenAt = "given_at"
        }
    }

    /// What is sealed inside an envelope. Cases are named by their ids on each side; `body` carries
    /// ids, dates and outcomes, never a person's data; `personal` carries what the pack allows.
    public struct Payload: Sendable, Hashable, Codable {
        public var kind: Kind
        public var version: Int
        /// The jurisdiction the message is for on the receiving side (the destination of a return).
        public var jurisdiction: JurisdictionID
        /// The case the message is about on the sender's side, and on the recipient's when known.
        public var senderCase: String?
        public var recipientCase: String?
        /// The message this one answers.
        public var inReplyTo: MessageID?
        public var body: JSONValue
        public var personal: JSONValue?
        public var consent: ConsentReference?

        public init(kind: Kind, jurisdiction: JurisdictionID, senderCase: CaseID?, recipientCase: String? = nil,
                    inReplyTo: MessageID? = nil, body: JSONValue, personal: JSONValue? = nil, consent: ConsentReference? = nil) {
            self.kind = kind
            self.version = FederationMessage.version
            self.jurisdiction = jurisdiction
            self.senderCase = senderCase?.description
            self.recipientCase = recipientCase
            self.inReplyTo = inReplyTo
            self.body = body
            self.personal = personal
            self.consent = consent
        }

        enum CodingKeys: String, CodingKey {
            case kind, version, jurisdiction, body, personal, consent
            case senderCase = "sender_case"
            case recipientCase = "recipient_case"
            case inReplyTo = "in_reply_to"
        }

        /// Why personal data in this payload is not covered for `organisation`, or nil: only a kind
        /// that may carry it, with a consent to hand over to that organisation.
        public func consentProblem(for organisation: OrganisationID) -> String? {
            guard personal != nil else { return nil }
            guard kind.mayCarryPersonalData else { return "a \(kind.rawValue) message may carry no personal data" }
            guard let consent else { return "personal data without a consent reference" }
            guard consent.purpose == .returnHandover, consent.recipients.contains(organisation) else {
                return "the consent \(consent.id) does not cover a handover to organisation \(organisation)"
            }
            return nil
        }
    }
}
