import Foundation
import GloJSON
import GloKit
import GloRules
import GloStoreSQLite
import Testing

/// Two hosts in one process, each with its own SQLite store and keys: TH and LA, peers of each other.
/// What the inbox refuses, what the outbox does when the peer is down, and the envelope itself.
struct TwoHosts {
    let th: GloHost
    let la: GloHost
    static let engine = try! RuleEngine(directory: shippedRules, statesPerPack: 1)

    init(lifetime: Duration = .seconds(3600)) async throws {
        th = try Self.host("th-test", "TH", lifetime: lifetime)
        la = try Self.host("la-test", "LA", lifetime: lifetime)
        try await th.federation.addPeer(try #require(la.federation.identity), request: "test")
        try await la.federation.addPeer(try #require(th.federation.identity), request: "test")
    }

    static func host(_ id: String, _ jurisdiction: JurisdictionID, lifetime: Duration) throws -> GloHost {
        let setup = FederationSetup(hostID: id, organisation: .init(id: OrganisationID(), name: "\(jurisdiction) agency"),
                                    endpoint: "http://127.0.0.1:1/\(id)", keys: .generate(), lifetime: lifetime,
                                    retry: RetryPolicy(attempts: 3, firstDelay: .milliseconds(1), maximumDelay: .milliseconds(2)))
        return try GloHost(store: try freshSQLiteStore(), vault: PersonVault(key: .random()), engine: engine, plugins: [],
                           jurisdictions: [jurisdiction], federation: setup)
    }

    /// A follow-up from TH to LA, written to TH's outbox; its envelope as it would travel.
    func queue(_ kind: FederationMessage.Kind = .followUp, personal: JSONValue? = nil) async throws -> Envelope {
        let peer = try #require(try await th.federation.peer("la-test")?.value)
        var id: MessageID?
        try await th.records.commit { change in
            id = try th.federation.send(.init(kind: kind, jurisdiction: "LA", senderCase: CaseID(), body: ["topic": "trial_date"],
                                              personal: personal),
                                        to: peer, caseID: nil, jurisdiction: "TH", actor: .system, in: &change)
        }
        let queued = try #require(id)
        return try #require(try await th.records.get(OutboxMessage.self, queued.description)?.value.sealed)
    }

    /// What LA has stored of the exchange: received messages and events.
    func laStored() async throws -> (inbox: Int, events: Int64) {
        (try await la.federation.inbox().count, try await la.eventLog.lastSequence())
    }
}

/// Posts straight into the other host's inbox; `down` makes every post fail as an unreachable host does.
final class LoopbackTransport: FederationTransport, @unchecked Sendable {
    let target: Federation
    private let lock = NSLock()
    private var isDown = false
    private(set) var posts = 0

    init(to target: Federation) { self.target = target }

    var down: Bool {
        get { lock.withLock { isDown } }
        set { lock.withLock { isDown = newValue } }
    }

    func post(_ body: [UInt8], to url: String) async throws -> (status: Int, body: [UInt8]) {
        lock.withLock { posts += 1 }
        if down { throw URLError(.cannotConnectToHost) }
        switch try await target.accept(body, via: "POST /federation/v1/inbox") {
        case .accepted(let receipt): return (200, JSONWriter.bytes(receipt.json))
        case .duplicate(let receipt): return (409, JSONWriter.bytes(["receipt": receipt.json]))
        case .refused(let refusal):
            if refusal.code == .replayed, let first = try await target.firstReceipt(of: Envelope.parse(body)!.id) {
                return (409, JSONWriter.bytes(["receipt": first.json]))
            }
            return (403, JSONWriter.bytes(["detail": .string(refusal.description)]))
        }
    }
}

@Suite("federation: two hosts exchange signed, sealed messages", .serialized)
struct FederationTests {
    @Test("a message sealed by TH opens only with LA's key, and LA's signed receipt proves its delivery")
    func sealOpenAndReceipt() async throws {
        let hosts = try await TwoHosts()
        let envelope = try await hosts.queue()
        #expect(envelope.open(with: try #require(hosts.th.federation.setup.keys)) == nil)
        #expect(envelope.open(with: try #require(hosts.la.federation.setup.keys))?.kind == .followUp)
        guard case .accepted(let receipt) = try await hosts.la.federation.accept(envelope.bytes, via: "test") else {
            Issue.record("not accepted")
            return
        }
        #expect(receipt.proves(delivery: envelope, to: try #require(hosts.la.federation.identity)))
        #expect(!receipt.proves(delivery: envelope, to: try #require(hosts.th.federation.identity)))
        let received = try await hosts.la.eventLog.events(after: 0, limit: 100).filter { $0.type == "federation.received" }
        #expect(received.count == 1 && received.first?.data["kind"] == "follow_up")
    }

    @Test("tampered, replayed, expired, misaddressed and unknown-peer messages are refused, audited, and nothing is stored")
    func refusals() async throws {
        let hosts = try await TwoHosts()
        let good = try await hosts.queue()
        guard case .accepted = try await hosts.la.federation.accept(good.bytes, via: "test") else { Issue.record("first delivery"); return }
        let before = try await hosts.laStored()

        var tampered = try await hosts.queue()
        tampered.ciphertext = String(tampered.ciphertext.reversed())
        var misaddressed = try await hosts.queue()
        misaddressed.recipient = "somewhere-else"
        misaddressed.signature = try #require(hosts.th.federation.setup.keys).sign(misaddressed.signedBytes)
        // An outsider signs with its own keys and claims to be a host LA does not know.
        var stranger = try await hosts.queue()
        stranger.sender = "stranger"
        stranger.signature = try HostKeys.generate().sign(stranger.signedBytes)
        // An impostor signs with its own keys but claims to be TH.
        var forged = try await hosts.queue()
        forged.signature = try HostKeys.generate().sign(forged.signedBytes)

        let expiredHosts = try await TwoHosts(lifetime: .seconds(1))
        let expired = try await expiredHosts.queue()

        let cases: [(Envelope, GloHost, InboxRefusal.Code)] = [
            (tampered, hosts.la, .badSignature), (good, hosts.la, .replayed), (misaddressed, hosts.la, .misaddressed),
            (stranger, hosts.la, .unknownPeer), (forged, hosts.la, .badSignature),
        ]
        for (envelope, host, code) in cases {
            guard case .refused(let refusal) = try await host.federation.accept(envelope.bytes, via: "test") else {
                Issue.record("\(code) was not refused")
                continue
            }
            #expect(refusal.code == code)
        }
        let later = Timestamp(millisecondsSince1970: Timestamp.now.millisecondsSince1970 + 5_000)
        guard case .refused(let late) = try await expiredHosts.la.federation.accept(expired.bytes, via: "test", now: later) else {
            Issue.record("expired was not refused")
            return
        }
        #expect(late.code == .expired)
        #expect(try await expiredHosts.laStored().inbox == 0)

        // Nothing stored; each refusal audited with its code, naming no content.
        #expect(try await hosts.laStored() == before)
        let audited = try await hosts.la.federation.refusals().compactMap(\.detail)
        for code in ["bad_signature", "replayed", "misaddressed", "unknown_peer"] {
            #expect(audited.contains { $0.hasPrefix(code + ":") }, "\(code) not audited: \(audited)")
        }
        #expect(audited.count == 5)
    }

    @Test("a disabled peer's messages are refused; personal data without a consent for the recipient is neither sent nor taken")
    func disabledPeerAndConsent() async throws {
        let hosts = try await TwoHosts()
        // The sender will not seal it...
        await #expect(throws: FederationError.self) { _ = try await hosts.queue(.handover, personal: ["given_names": "Khamla"]) }
        await #expect(throws: FederationError.self) { _ = try await hosts.queue(.followUp, personal: ["given_names": "Khamla"]) }
        // ...and a receiver refuses one a careless sender sealed anyway.
        let keys = try #require(hosts.th.federation.setup.keys)
        let carelessPayload = FederationMessage.Payload(kind: .handover, jurisdiction: "LA", senderCase: CaseID(), body: [:],
                                                        personal: ["given_names": "Khamla"])
        let careless = try Envelope.seal(carelessPayload, from: "th-test", keys: keys, to: try #require(hosts.la.federation.identity),
                                         lifetime: .seconds(60))
        guard case .refused(let noConsent) = try await hosts.la.federation.accept(careless.bytes, via: "test") else {
            Issue.record("personal data without consent was taken")
            return
        }
        #expect(noConsent.code == .consentNotCovering)
        #expect(!(try await hosts.la.federation.refusals().contains { $0.detail?.contains("Khamla") == true }))

        try await hosts.la.federation.disablePeer("th-test", request: "test")
        let envelope = try await hosts.queue()
        guard case .refused(let disabled) = try await hosts.la.federation.accept(envelope.bytes, via: "test") else {
            Issue.record("a disabled peer's message was taken")
            return
        }
        #expect(disabled.code == .disabledPeer)
        #expect(try await hosts.laStored().inbox == 0)
    }

    @Test("LA down while TH sends: the message waits, is parked after its tries, and once retried with LA back is delivered once")
    func peerDownThenBack() async throws {
        let hosts = try await TwoHosts()
        let transport = LoopbackTransport(to: hosts.la.federation)
        let sender = FederationSender(federation: hosts.th.federation, transport: transport, holder: "th-1")
        let envelope = try await hosts.queue()
        transport.down = true
        for _ in 0..<3 {
            try await sender.deliverDue()
            try await Task.sleep(for: .milliseconds(5))
        }
        let parked = try #require(try await hosts.th.records.get(OutboxMessage.self, envelope.id.description)?.value)
        #expect(parked.state == .parked && parked.attempts == 3)
        #expect(parked.lastError?.contains("no answer from") == true)

        transport.down = false
        try await hosts.th.federation.retry(envelope.id, request: "test")
        try await sender.deliverDue()
        let delivered = try #require(try await hosts.th.records.get(OutboxMessage.self, envelope.id.description)?.value)
        #expect(delivered.state == .delivered && delivered.receipt != nil)
        #expect(try await hosts.laStored().inbox == 1)

        // Its receipt lost, the same message posted again gets the first receipt back, and is stored once.
        let again = try await transport.post(envelope.bytes, to: "")
        #expect(again.status == 409)
        #expect(Receipt.parse(try JSONParser.parse(again.body)["receipt"])?.proves(delivery: envelope, to: try #require(hosts.la.federation.identity)) == true)
        #expect(try await hosts.laStored().inbox == 1)
    }

    @Test("only the holder of the outbox lease sends")
    func oneSenderPerStore() async throws {
        let hosts = try await TwoHosts()
        #expect(try await hosts.th.records.store.claim(FederationSender.lease, holder: "th-1", for: .seconds(30)))
        #expect(!(try await hosts.th.records.store.claim(FederationSender.lease, holder: "th-2", for: .seconds(30))))
    }

    @Test("an identity document altered on the way is refused; the fingerprint is that of the keys")
    func identityDocument() async throws {
        let keys = HostKeys.generate()
        let identity = HostIdentity(hostID: "th-test", jurisdictions: ["TH"], organisation: .init(id: OrganisationID(), name: "MSDHS"),
                                    endpoint: "https://glo.example.th", keys: keys.publicKeys)
        let document = try identity.document(signedBy: keys)
        #expect(try HostIdentity.read(document: document) == identity)
        let moved = document.replacingOccurrences(of: "https://glo.example.th", with: "https://evil.example")
        #expect(throws: FederationError.self) { _ = try HostIdentity.read(document: moved) }
        #expect(identity.keys.fingerprint.split(separator: " ").count == 10)
        let reloaded = try HostKeys(text: keys.text, from: "test")
        #expect(reloaded.publicKeys == keys.publicKeys)
    }
}
