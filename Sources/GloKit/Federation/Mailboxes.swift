import Foundation
import GloJSON

/// A message this host sends, kept in the outbox from the commit that caused it until the peer's
/// signed receipt comes back (delivered), or until the sender gives up and parks it for an operator.
/// The envelope is stored sealed as it will travel: only the recipient can open it.
public struct OutboxMessage: StoredEntity, Equatable {
    public static let collection = RecordCollection("federation_outbox")

    public enum State: String, Sendable, Codable, CaseIterable {
        /// Waiting for its next try (`nextAttemptAt`).
        case pending
        /// The peer's receipt is kept in `receipt`.
        case delivered
        /// Tried `attempts` times, or expired: an operator retries it (`glo-host federation outbox retry`) or
        /// carries it offline (`federation export`).
        case parked
    }

    public var id: MessageID
    public var peer: String
    public var kind: FederationMessage.Kind
    /// The case it is about on this side.
    public var caseID: CaseID?
    /// The envelope as it travels (JSON text).
    public var envelope: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    /// Why the last try failed (the peer's refusal or the network's error), never the content.
    public var lastError: String?
    public var deliveredAt: Timestamp?
    /// The peer's signed receipt (JSON text), the evidence of delivery.
    public var receipt: String?
    /// When it was last written to a file for removable media.
    public var exportedAt: Timestamp?

    init(envelope: Envelope, kind: FederationMessage.Kind, caseID: CaseID?) {
        id = envelope.id
        peer = envelope.recipient
        self.kind = kind
        self.caseID = caseID
        self.envelope = String(decoding: envelope.bytes, as: UTF8.self)
        createdAt = envelope.createdAt
        expiresAt = envelope.expiresAt
        state = .pending
        attempts = 0
        nextAttemptAt = envelope.createdAt
    }

    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] {
        [IndexKey("federation_outbox", state.rawValue), IndexKey("peer", peer)] + (caseID.map { [.caseID($0)] } ?? [])
    }

    public var sealed: Envelope? { Envelope.parse(Array(envelope.utf8)) }

    /// Withdrawn because the person whose data it carries was erased: the envelope is dropped (it
    /// would still open with the peer's key), the message parked for good, never sent or exported.
    public var isWithdrawn: Bool { envelope.isEmpty }

    mutating func withdraw(_ why: String) {
        envelope = ""
        if state != .delivered { state = .parked }
        lastError = "withdrawn: \(why)"
    }

    enum CodingKeys: String, CodingKey {
        case id, peer, kind, envelope, state, attempts, receipt
        case caseID = "case_id"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case nextAttemptAt = "next_attempt_at"
        case lastError = "last_error"
        case deliveredAt = "delivered_at"
        case exportedAt = "exported_at"
    }

    public func validationErrors() -> [FieldError] { [] }
}

/// A message this host received and stored, once by its id: the payload as opened, its personal
/// data sealed at rest like a person's fields, the receipt given, and the case it concerns here once
/// known (the case a handover opened, or the case a reply names).
public struct InboxMessage: StoredEntity, Equatable {
    public static let collection = RecordCollection("federation_inbox")

    public var id: MessageID
    public var sender: String
    public var payload: FederationMessage.Payload
    public var receivedAt: Timestamp
    public var digest: String
    public var receipt: String
    public var caseID: CaseID?

    public var kind: FederationMessage.Kind { payload.kind }
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] {
        [IndexKey("federation_inbox", "all"), IndexKey("peer", sender)] + (caseID.map { [.caseID($0)] } ?? [])
    }

    enum CodingKeys: String, CodingKey {
        case id, sender, payload, digest, receipt
        case receivedAt = "received_at"
        case caseID = "case_id"
    }

    public func validationErrors() -> [FieldError] { [] }

    /// The personal data is sealed at rest as one text, bound to the message id: under the data key of
    /// the person of the case it concerns here once linked (`Federation.link`, which seals it again),
    /// under the host's key before; erased with that person.
    public func sealed(by vault: PersonVault) throws -> InboxMessage {
        guard let personal = payload.personal else { return self }
        var copy = self
        copy.payload.personal = .string(try vault.sealedText(JSONWriter.string(personal), boundTo: id.description,
                                                             for: caseID.map { .caseOf($0) } ?? .host))
        return copy
    }

    /// An erased person's message keeps its kind, references and receipt; its personal data is gone.
    public func opened(by vault: PersonVault) throws -> InboxMessage {
        guard case .string(let stored)? = payload.personal else { return self }
        var copy = self
        do {
            copy.payload.personal = try JSONParser.parse(Array(try vault.openedText(stored, boundTo: id.description).utf8))
        } catch VaultError.erased {
            copy.payload.personal = nil
        }
        return copy
    }
}
