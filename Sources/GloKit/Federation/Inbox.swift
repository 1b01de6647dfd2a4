import GloJSON

/// Why the inbox refused a message. Each refusal is written to the audit log (with the sender as
/// the message names it, never the content) and nothing else is stored.
public struct InboxRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case notSetUp = "not_set_up"
        case malformed
        case unknownPeer = "unknown_peer"
        case disabledPeer = "disabled_peer"
        case badSignature = "bad_signature"
        case misaddressed
        case expired
        case replayed
        case unreadable
        case unsupported
        case consentNotCovering = "consent_not_covering"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// What the inbox answers a sender.
public enum InboxAnswer: Sendable {
    /// Stored now; the receipt is the sender's evidence.
    case accepted(Receipt)
    /// Stored before (the same message again): nothing stored, the first receipt given again.
    case duplicate(Receipt)
    case refused(InboxRefusal)
}

extension Federation {
    /// Checks and stores one envelope, from the HTTP inbox or an offline file (`via` names which, for
    /// the audit log). In this order: the sender is a known, enabled peer and the signature is its
    /// (before anything else is looked at); the message is for this host and not expired; its id was
    /// not stored before; it opens with this host's key, is of a kind and version this host reads,
    /// and carries personal data only under a consent for this host's organisation. Then it is stored
    /// with `federation.received` and a signed receipt, in one commit.
    public func accept(_ bytes: [UInt8], via request: String, now: Timestamp = .now) async throws -> InboxAnswer {
        switch try await check(bytes, now: now) {
        case .failure(let refusal):
            try await audit(refusal, sender: Envelope.parse(bytes)?.sender, message: Envelope.parse(bytes)?.id, via: request)
            return .refused(refusal)
        case .success(let (envelope, payload)):
            return try await store(envelope, payload, via: request, now: now)
        }
    }

    private func check(_ bytes: [UInt8], now: Timestamp) async throws -> Result<(Envelope, FederationMessage.Payload), InboxRefusal> {
        guard let me = identity, let keys = setup.keys else {
            return .failure(InboxRefusal(.notSetUp, "this host takes no part in the exchange between hosts"))
        }
        guard let envelope = Envelope.parse(bytes) else {
            return .failure(InboxRefusal(.malformed, "not an envelope of format \(Envelope.format)"))
        }
        guard let peer = try await peer(envelope.sender)?.value else {
            return .failure(InboxRefusal(.unknownPeer, "sender \(envelope.sender) is not a registered peer"))
        }
        guard peer.state == .enabled else { return .failure(InboxRefusal(.disabledPeer, "peer \(peer.hostID) is disabled")) }
        guard envelope.isSigned(by: peer.identity.keys) else {
            return .failure(InboxRefusal(.badSignature, "the signature is not \(peer.hostID)'s: the message was altered or forged"))
        }
        guard envelope.recipient == me.hostID else {
            return .failure(InboxRefusal(.misaddressed, "the message is for \(envelope.recipient), not for this host (\(me.hostID))"))
        }
        guard now < envelope.expiresAt else {
            return .failure(InboxRefusal(.expired, "the message expired at \(envelope.expiresAt)"))
        }
        if let stored = try await received(envelope.id)?.value {
            return .failure(InboxRefusal(.replayed, stored.digest == envelope.digest
                ? "message \(envelope.id) was received already at \(stored.receivedAt)"
                : "message id \(envelope.id) was used already by another message"))
        }
        guard let payload = envelope.open(with: keys) else {
            return .failure(InboxRefusal(.unreadable, "the payload does not open with this host's key"))
        }
        guard payload.version == FederationMessage.version else {
            return .failure(InboxRefusal(.unsupported, "payload version \(payload.version) is not read here (this host reads \(FederationMessage.version))"))
        }
        if let problem = payload.consentProblem(for: me.organisation.id) {
            return .failure(InboxRefusal(.consentNotCovering, problem))
        }
        return .success((envelope, payload))
    }

    private func store(_ envelope: Envelope, _ payload: FederationMessage.Payload, via request: String, now: Timestamp) async throws -> InboxAnswer {
        guard let me = identity, let keys = setup.keys else { throw FederationError.notSetUp }
        let receipt = try Receipt.sign(envelope, receiver: me.hostID, keys: keys, at: now)
        // A reply names the case here it is about; a local case, so the message shows on its page.
        var caseID: CaseID?
        if let named = payload.recipientCase.flatMap(CaseID.init), try await records.get(Case.self, named.description) != nil {
            caseID = named
        }
        let message = InboxMessage(id: envelope.id, sender: envelope.sender, payload: payload, receivedAt: now,
                                   digest: envelope.digest, receipt: receipt.text, caseID: caseID)
        do {
            try await records.commit { change in
                try change.insert(message)
                var data = Self.eventData(envelope.id, payload.kind, envelope.sender, caseID).objectValue ?? [:]
                if let reply = payload.inReplyTo { data["in_reply_to"] = .string(reply.description) }
                change.emit(FederationEvents.received, jurisdiction: payload.jurisdiction,
                            subject: caseID.map { "case:\($0)" } ?? "federation:\(envelope.id)", actor: .system, data: .object(data))
                try change.insert(AuditEntry(user: nil, role: nil, action: .create, subject: "federation_message:\(envelope.id)",
                                             jurisdiction: payload.jurisdiction, request: request,
                                             detail: "\(payload.kind.rawValue) from \(envelope.sender)"))
            }
        } catch StoreError.conflict {
            // The same message arrived twice at once: the other arrival stored it.
            if let stored = try await received(envelope.id)?.value, let first = Receipt.parse(try? JSONParser.parse(Array(stored.receipt.utf8))) {
                return .duplicate(first)
            }
            throw StoreError.conflict(collection: InboxMessage.collection, id: envelope.id.description)
        }
        return .accepted(receipt)
    }

    private func audit(_ refusal: InboxRefusal, sender: String?, message: MessageID?, via request: String) async throws {
        let subject = sender.map { "federation_peer:\($0)" } ?? "federation_message:\(message?.description ?? "unreadable")"
        try await AuditLog(records: records).append(AuditEntry(
            user: nil, role: nil, action: .denied, subject: subject, jurisdiction: nil, request: request,
            detail: "\(refusal.code.rawValue): \(refusal.message)" + (message.map { " (message \($0))" } ?? "")))
    }

    /// The receipt first given for a message this host received, for a sender that asks again.
    public func firstReceipt(of id: MessageID) async throws -> Receipt? {
        guard let stored = try await received(id)?.value else { return nil }
        return Receipt.parse(try? JSONParser.parse(Array(stored.receipt.utf8)))
    }
}
