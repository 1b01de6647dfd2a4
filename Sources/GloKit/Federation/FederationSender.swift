import GloJSON
public import Logging

/// How a message reaches a peer: posted to its inbox URL, the answer's status and body given back,
/// or an error when no answer came. The host gives one over HTTP(S); GloKit knows no HTTP.
public protocol FederationTransport: Sendable {
    func post(_ body: [UInt8], to url: String) async throws -> (status: Int, body: [UInt8])
}

/// Delivers the outbox: each pending message is posted to its peer, and kept with the peer's signed
/// receipt once it comes back; a try that fails waits longer each time (`FederationSetup.retry`), and
/// after the last the message is parked for an operator, as is one that expired on the way.
///
/// With several hosts on one store, only the holder of the outbox lease (`Store.claim`, as the event
/// bus uses for its subscribers) sends; the others wait, and take over when its lease runs out. Each
/// record change expects the version read, and the receiver stores a message once by id, so a
/// message a dying holder had posted is at most posted again, never stored twice.
public final class FederationSender: Sendable {
    public static let lease = "federation.outbox"
    let federation: Federation
    let transport: any FederationTransport
    let holder: String
    let leaseDuration: Duration
    let pollInterval: Duration
    /// Messages posted at once.
    let concurrency: Int
    let logger: Logger

    public init(federation: Federation, transport: any FederationTransport, holder: String, leaseDuration: Duration = .seconds(10),
                pollInterval: Duration = .milliseconds(500), concurrency: Int = 8, logger: Logger = Logger(label: "glo-host.federation")) {
        self.federation = federation
        self.transport = transport
        self.holder = holder
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    var records: Records { federation.records }

    /// Sends until cancelled, then gives the lease up so another host can take it at once.
    public func run() async {
        var lastRenewal: ContinuousClock.Instant?
        var holding = false
        while !Task.isCancelled {
            do {
                // Renewed every third of the lease, as the bus does.
                if lastRenewal.map({ ContinuousClock.now - $0 > leaseDuration / 3 }) ?? true {
                    holding = try await records.store.claim(Self.lease, holder: holder, for: leaseDuration)
                    lastRenewal = .now
                }
                if holding {
                    while try await deliverDue() > 0 && !Task.isCancelled {}
                }
            } catch {
                logger.warning("federation outbox pass failed: \(error)")
            }
            await waitForWork()
        }
        if holding { try? await records.store.release(Self.lease, holder: holder) }
    }

    /// Sleeps for the poll interval, or less when a message was queued in this process.
    private func waitForWork() async {
        let end = ContinuousClock.now + pollInterval
        while ContinuousClock.now < end && !Task.isCancelled {
            // The commit that queued it lands within a few milliseconds of the ring.
            if federation.wake.take() {
                try? await Task.sleep(for: .milliseconds(5))
                return
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// One pass over the messages due now; how many were tried.
    @discardableResult
    public func deliverDue(now: Timestamp = .now) async throws -> Int {
        let due = try await records.list(OutboxMessage.self, key: IndexKey("federation_outbox", OutboxMessage.State.pending.rawValue),
                                         limit: 500).filter { $0.value.nextAttemptAt <= now }
        guard !due.isEmpty else { return 0 }
        var peers: [String: FederationPeer] = [:]
        for message in due where peers[message.value.peer] == nil {
            peers[message.value.peer] = try await federation.peer(message.value.peer)?.value
        }
        let known = peers
        var index = 0
        while index < due.count {
            let batch = due[index..<min(due.count, index + concurrency)]
            index += batch.count
            await withTaskGroup(of: Void.self) { group in
                for message in batch {
                    group.addTask { await self.deliver(message, to: known[message.value.peer]) }
                }
            }
        }
        return due.count
    }

    private func deliver(_ message: Versioned<OutboxMessage>, to peer: FederationPeer?) async {
        do {
            guard let envelope = message.value.sealed else { return try await park(message, "the stored envelope cannot be read") }
            if Timestamp.now >= message.value.expiresAt { return try await park(message, "expired at \(message.value.expiresAt) before delivery") }
            guard let peer, peer.state == .enabled else {
                return try await failed(message, "peer \(message.value.peer) is \(peer == nil ? "not registered" : "disabled")")
            }
            let answer: (status: Int, body: [UInt8])
            do { answer = try await transport.post(envelope.bytes, to: peer.identity.inboxURL) } catch {
                return try await failed(message, "no answer from \(peer.identity.inboxURL): \(error)")
            }
            let body = try? JSONParser.parse(answer.body)
            // 200: stored now. 409: stored before (a try whose answer was lost), with the first receipt.
            let receipt = answer.status == 200 ? Receipt.parse(body) : answer.status == 409 ? Receipt.parse(body?["receipt"]) : nil
            if let receipt, receipt.proves(delivery: envelope, to: peer.identity) {
                return try await delivered(message, receipt)
            }
            let why = body?["detail"]?.stringValue ?? body?["title"]?.stringValue ?? "no signed receipt in the answer"
            try await failed(message, "\(peer.hostID) answered \(answer.status): \(why)")
        } catch StoreError.conflict {
            // Another holder, or an operator, changed it meanwhile: its state is theirs.
        } catch {
            logger.warning("federation: message \(message.value.id) not updated: \(error)")
        }
    }

    func delivered(_ message: Versioned<OutboxMessage>, _ receipt: Receipt) async throws {
        var m = message.value
        m.state = .delivered
        m.deliveredAt = receipt.receivedAt
        m.receipt = receipt.text
        m.lastError = nil
        m.attempts += 1
        try await commit(m, from: message.version, event: FederationEvents.delivered)
    }

    private func failed(_ message: Versioned<OutboxMessage>, _ why: String) async throws {
        var m = message.value
        m.attempts += 1
        m.lastError = why
        let policy = federation.setup.retry
        if m.attempts >= policy.attempts {
            m.state = .parked
            logger.warning("federation: message \(m.id) to \(m.peer) parked after \(m.attempts) tries: \(why)")
            return try await commit(m, from: message.version, event: FederationEvents.parked)
        }
        let wait = policy.delay(after: m.attempts)
        m.nextAttemptAt = Timestamp(millisecondsSince1970: Timestamp.now.millisecondsSince1970
                                        + wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        try await commit(m, from: message.version, event: nil)
    }

    private func park(_ message: Versioned<OutboxMessage>, _ why: String) async throws {
        var m = message.value
        m.state = .parked
        m.lastError = why
        try await commit(m, from: message.version, event: FederationEvents.parked)
    }

    private func commit(_ m: OutboxMessage, from version: Int64, event: EventType?) async throws {
        try await records.commit { change in
            try change.update(m, from: version)
            if let event {
                change.emit(event, jurisdiction: nil, subject: m.caseID.map { "case:\($0)" } ?? "federation:\(m.id)", actor: .system,
                            data: Federation.eventData(m.id, m.kind, m.peer, m.caseID))
            }
        }
    }
}

extension Federation {
    /// The sealed messages for `peer` that wait (pending or parked), to carry on removable media;
    /// each is marked as exported. Delivery goes on as well: the receiver stores a message once, by
    /// whichever way it comes first.
    public func export(to peer: String) async throws -> [Envelope] {
        var envelopes: [Envelope] = []
        for state in [OutboxMessage.State.pending, .parked] {
            for found in try await records.list(OutboxMessage.self, key: IndexKey("federation_outbox", state.rawValue)) where found.value.peer == peer {
                guard let envelope = found.value.sealed else { continue }
                var m = found.value
                m.exportedAt = .now
                let saved = m
                try await records.commit { try $0.update(saved, from: found.version) }
                envelopes.append(envelope)
            }
        }
        return envelopes
    }

    /// Keeps a receipt brought back on removable media: the message it proves is delivered. False
    /// when it proves nothing here (another message, another host's signature, delivered already).
    public func keep(_ receipt: Receipt) async throws -> Bool {
        guard let found = try await records.get(OutboxMessage.self, receipt.messageID.description), found.value.state != .delivered,
              let envelope = found.value.sealed, let peer = try await peer(found.value.peer)?.value,
              receipt.proves(delivery: envelope, to: peer.identity) else { return false }
        var m = found.value
        m.state = .delivered
        m.deliveredAt = receipt.receivedAt
        m.receipt = receipt.text
        let saved = m
        try await records.commit { change in
            try change.update(saved, from: found.version)
            change.emit(FederationEvents.delivered, jurisdiction: nil, subject: saved.caseID.map { "case:\($0)" } ?? "federation:\(saved.id)",
                        actor: .system, data: Federation.eventData(saved.id, saved.kind, saved.peer, saved.caseID))
        }
        return true
    }
}
