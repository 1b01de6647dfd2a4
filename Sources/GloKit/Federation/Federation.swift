import Foundation
import GloJSON
import Synchronization

/// How this host takes part in the exchange between hosts (`federation:` in the settings, and the
/// keys of `glo-host federation init`). Without a host id, an organisation, an endpoint and keys it
/// takes no part: every return stays local, and its inbox refuses messages.
public struct FederationSetup: Sendable {
    public var hostID: String?
    /// The organisation that receives what is handed over to this host (the owner of the cases it opens).
    public var organisation: HostIdentity.Organisation?
    public var endpoint: String?
    public var keys: HostKeys?
    /// How long a message may wait for delivery; the receiver refuses it after.
    public var lifetime: Duration
    /// Tries before a message is parked, and the waits between them (doubling, capped).
    public var retry: RetryPolicy

    public init(hostID: String? = nil, organisation: HostIdentity.Organisation? = nil, endpoint: String? = nil, keys: HostKeys? = nil,
                lifetime: Duration = .seconds(7 * 86_400),
                retry: RetryPolicy = RetryPolicy(attempts: 12, firstDelay: .seconds(1), maximumDelay: .seconds(300))) {
        self.hostID = hostID
        self.organisation = organisation
        self.endpoint = endpoint
        self.keys = keys
        self.lifetime = lifetime
        self.retry = retry
    }

    /// This host as its peers know it, serving `jurisdictions`; nil until it is set up.
    public func identity(serving jurisdictions: [JurisdictionID]) -> HostIdentity? {
        guard let hostID, let organisation, let endpoint, let keys else { return nil }
        return HostIdentity(hostID: hostID, jurisdictions: jurisdictions, organisation: organisation, endpoint: endpoint,
                            keys: keys.publicKeys)
    }
}

/// The events of the exchange. Their data carries ids, kinds and host ids, never a payload.
public enum FederationEvents {
    static let messageData = ["message_id", "kind", "peer", "case_id"]
    public static let queued = EventType("federation.queued", "a message to another host was written to the outbox", data: messageData)
    public static let delivered = EventType("federation.delivered", "another host's signed receipt for a message came back", data: messageData)
    public static let parked = EventType("federation.parked", "a message was set aside after its tries, or expired, for an operator",
                                         data: messageData)
    public static let received = EventType("federation.received", "a message from another host was checked and stored",
                                           data: ["message_id", "kind", "peer", "case_id", "in_reply_to"])
    public static let all = [queued, delivered, parked, received]
}

/// The exchange between sovereign hosts, as GloKit offers it (no HTTP here): the peer registry, the
/// outbox a change writes a message to in its own commit, the inbox that checks and stores what
/// arrives, and the delivery passes a sender runs (`FederationSender`, over a transport the host gives).
/// Plugins reach it through `PluginContext.federation`.
public struct Federation: Sendable {
    let records: Records
    public let setup: FederationSetup
    /// The jurisdictions this host serves itself.
    public let jurisdictions: [JurisdictionID]
    let wake: Wake

    /// The exchange over a store without a running host (the `glo-host federation` commands).
    public init(records: Records, setup: FederationSetup, jurisdictions: [JurisdictionID]) {
        self.records = records
        self.setup = setup
        self.jurisdictions = jurisdictions
        self.wake = Wake()
    }

    /// This host as its peers know it; nil until it is set up.
    public var identity: HostIdentity? { setup.identity(serving: jurisdictions) }

    // MARK: Peers

    public func peers() async throws -> [FederationPeer] {
        try await records.list(FederationPeer.self, key: IndexKey("federation_peer", "all")).map(\.value)
    }

    public func peer(_ hostID: String) async throws -> Versioned<FederationPeer>? {
        try await records.get(FederationPeer.self, hostID)
    }

    /// The enabled peer that serves `jurisdiction`, when this host does not serve it itself and is set
    /// up for the exchange; nil otherwise (the work stays on this host).
    public func peer(serving jurisdiction: JurisdictionID) async throws -> FederationPeer? {
        guard identity != nil, !jurisdictions.contains(jurisdiction) else { return nil }
        return try await records.list(FederationPeer.self, key: .jurisdiction(jurisdiction)).map(\.value)
            .first { $0.state == .enabled && $0.identity.jurisdictions.contains(jurisdiction) }
    }

    /// Registers a peer from its identity document, or updates one with the same keys (and enables it).
    /// A peer whose keys changed is refused unless `replacingKeys`: the other side must be asked why.
    @discardableResult
    public func addPeer(_ identity: HostIdentity, replacingKeys: Bool = false, request: String) async throws -> FederationPeer {
        if identity.hostID == setup.hostID { throw FederationError.refused("\(identity.hostID) is this host's own id: a host is not its own peer") }
        let found = try await peer(identity.hostID)
        if let found, found.value.identity.keys != identity.keys, !replacingKeys {
            throw FederationError.refused("peer \(identity.hostID) is registered with other keys (fingerprint \(found.value.identity.keys.fingerprint)); check with the other side, then add it again with --replace-keys")
        }
        var peer = found?.value ?? FederationPeer(identity: identity)
        peer.identity = identity
        peer.state = .enabled
        peer.changedAt = .now
        let saved = peer
        try await records.commit { change in
            if let found { try change.update(saved, from: found.version) } else { try change.insert(saved) }
            try change.insert(AuditEntry(user: nil, role: nil, action: found == nil ? .create : .update,
                                         subject: "federation_peer:\(saved.hostID)", jurisdiction: nil, request: request,
                                         detail: "fingerprint \(saved.identity.keys.fingerprint)"))
        }
        return saved
    }

    /// Disables a peer: its messages are refused, and nothing more is sent to it.
    @discardableResult
    public func disablePeer(_ hostID: String, request: String) async throws -> FederationPeer {
        guard let found = try await peer(hostID) else { throw GloKitError.notFound("federation_peer", hostID) }
        var peer = found.value
        peer.state = .disabled
        peer.changedAt = .now
        let saved = peer
        try await records.commit { change in
            try change.update(saved, from: found.version)
            try change.insert(AuditEntry(user: nil, role: nil, action: .update, subject: "federation_peer:\(hostID)",
                                         jurisdiction: nil, request: request, detail: "disabled"))
        }
        return saved
    }

    // MARK: Sending

    /// Seals `payload` to `peer` and writes it to the outbox in `change`, with `federation.queued`:
    /// it is sent once the change commits, and not unless it does. Personal data goes only in a kind
    /// that may carry it, under a consent that covers the peer's organisation.
    @discardableResult
    public func send(_ payload: FederationMessage.Payload, to peer: FederationPeer, caseID: CaseID?, jurisdiction: JurisdictionID?,
                     actor: Agent, in change: inout ChangeBuilder) throws -> MessageID {
        guard let hostID = setup.hostID, let keys = setup.keys, identity != nil else { throw FederationError.notSetUp }
        guard peer.state == .enabled else { throw FederationError.refused("peer \(peer.hostID) is disabled: nothing is sent to it") }
        if let problem = payload.consentProblem(for: peer.identity.organisation.id) {
            throw FederationError.refused("nothing may be sent to \(peer.hostID): \(problem)")
        }
        let envelope = try Envelope.seal(payload, from: hostID, keys: keys, to: peer.identity, lifetime: setup.lifetime)
        try change.insert(OutboxMessage(envelope: envelope, kind: payload.kind, caseID: caseID))
        change.emit(FederationEvents.queued, jurisdiction: jurisdiction, subject: caseID.map { "case:\($0)" } ?? "federation:\(envelope.id)",
                    actor: actor, data: Self.eventData(envelope.id, payload.kind, peer.hostID, caseID))
        wake.ring()
        return envelope.id
    }

    static func eventData(_ id: MessageID, _ kind: FederationMessage.Kind, _ peer: String, _ caseID: CaseID?) -> JSONValue {
        var o: [String: JSONValue] = ["message_id": .string(id.description), "kind": .string(kind.rawValue), "peer": .string(peer)]
        if let caseID { o["case_id"] = .string(caseID.description) }
        return .object(o)
    }

    // MARK: Reading the mailboxes

    /// The outbox, oldest first: one state's messages, or all.
    public func outbox(state: OutboxMessage.State?, limit: Int = 1_000) async throws -> [OutboxMessage] {
        if let state {
            return try await records.list(OutboxMessage.self, key: IndexKey("federation_outbox", state.rawValue), limit: limit).map(\.value)
        }
        return try await records.scan(OutboxMessage.self, after: nil, limit: limit)
    }

    public func inbox(limit: Int = 1_000) async throws -> [InboxMessage] {
        try await records.list(InboxMessage.self, key: IndexKey("federation_inbox", "all"), limit: limit).map(\.value)
    }

    public func received(_ id: MessageID) async throws -> Versioned<InboxMessage>? {
        try await records.get(InboxMessage.self, id.description)
    }

    /// The messages sent and received about one case of this host.
    public func exchange(of caseID: CaseID) async throws -> (sent: [OutboxMessage], received: [InboxMessage]) {
        (try await records.list(OutboxMessage.self, key: .caseID(caseID)).map(\.value),
         try await records.list(InboxMessage.self, key: .caseID(caseID)).map(\.value))
    }

    /// Records, in `change`, the case of this host a received message concerns (the case a handover
    /// opened): the case page then shows the message.
    /// The personal data it carries is sealed again, under the data key of that case's person.
    public func link(_ message: Versioned<InboxMessage>, to caseID: CaseID, in change: inout ChangeBuilder) throws {
        var linked = message.value
        linked.caseID = caseID
        try change.update(linked, from: message.version)
    }

    /// The messages about `cases` that carry personal data (the handovers), withdrawn, to be written
    /// with the erasure of their person: nothing of theirs may leave this host from then on.
    static func withdrawals(about cases: [CaseID], records: Records) async throws -> [Versioned<OutboxMessage>] {
        var withdrawn: [Versioned<OutboxMessage>] = []
        for caseID in cases {
            for var found in try await records.list(OutboxMessage.self, key: .caseID(caseID))
            where found.value.kind.mayCarryPersonalData && !found.value.isWithdrawn {
                found.value.withdraw("the person was erased")
                withdrawn.append(found)
            }
        }
        return withdrawn
    }

    /// The refusals of the inbox, newest last: audit entries, so they cannot be changed or removed.
    public func refusals(limit: Int = 1_000) async throws -> [AuditEntry] {
        let denied = try await AuditLog(records: records).entries(action: .denied, limit: Int.max)
        return Array(denied.filter { $0.subject.hasPrefix("federation") }.suffix(limit))
    }

    /// Puts a parked message back in the queue, for another round of tries.
    public func retry(_ id: MessageID, request: String) async throws {
        guard let found = try await records.get(OutboxMessage.self, id.description) else {
            throw GloKitError.notFound("federation_outbox message", id.description)
        }
        guard found.value.state == .parked else { throw FederationError.refused("message \(id) is \(found.value.state.rawValue), not parked") }
        guard !found.value.isWithdrawn else {
            throw FederationError.refused("message \(id) was withdrawn when the person whose data it carried was erased: it is never sent")
        }
        var message = found.value
        message.state = .pending
        message.attempts = 0
        message.nextAttemptAt = .now
        let saved = message
        try await records.commit { change in
            try change.update(saved, from: found.version)
            try change.insert(AuditEntry(user: nil, role: nil, action: .update, subject: "federation_message:\(id)", jurisdiction: nil,
                                         request: request, detail: "retry asked for"))
        }
        wake.ring()
    }
}

/// Tells the sender that a message was queued, so that it looks at once rather than at its next poll.
final class Wake: Sendable {
    private let rung = Mutex(false)
    func ring() { rung.withLock { $0 = true } }
    /// Whether it rang since the last call.
    func take() -> Bool { rung.withLock { r in defer { r = false }; return r } }
}

extension Federation {
    /// The enabled peer that holds the other side of one of this host's cases, and that case's id
    /// there: the host a handover went to and answered from, or the host a handover came from.
    public func counterpart(of caseID: CaseID) async throws -> (peer: FederationPeer, remoteCase: String)? {
        for message in try await exchange(of: caseID).received.reversed() {
            guard let remote = message.payload.senderCase, let peer = try await peer(message.sender)?.value,
                  peer.state == .enabled else { continue }
            return (peer, remote)
        }
        return nil
    }
}
