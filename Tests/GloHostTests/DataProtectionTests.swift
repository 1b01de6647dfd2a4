import Foundation
import GloJSON
import GloKit
import Testing

/// Erasure as a caseworker, an auditor and another host see it, on every store backend.
@Suite("Data protection: erasure", .serialized)
struct DataProtectionTests {
    /// How many decisions of each name and outcome the store holds: what the statistics count.
    func outcomes(_ host: GloHost) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for d in try await host.records.list(DecisionRecord.self, key: .jurisdiction("TH")) { counts["\(d.value.decision)=\(d.value.outcome)", default: 0] += 1 }
        return counts
    }

    func decidedCase(_ host: GloHost, name: String) async throws -> Case {
        let theCase = try await openScreenedCase(host, name: name)
        try await host.decisions.decide("identification.pathway", for: theCase.id, facts: try await host.cases.facts(for: theCase.id), actor: .system)
        return theCase
    }

    @Test("erased: their name search finds nothing, an export taken before cannot open them, the event log and the statistics are unchanged",
          arguments: StoreBackend.all)
    func erase(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let host = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [])
        let erased = try await decidedCase(host, name: "Khamsing")
        _ = try await decidedCase(host, name: "Bounmy")
        #expect(try await host.records.findPersons(named: "khamsing").map(\.id) == [erased.person])
        let eventsBefore = try await store.events(after: 0, limit: Int.max)
        let statisticsBefore = try await outcomes(host)
        #expect(statisticsBefore.values.reduce(0, +) == 2)
        var backup: [String] = []
        try await StoreTransfer.export(store) { backup.append($0) }

        let outcome = try await Erasure(records: host.records).erase(erased.person, reason: .dataSubjectRequest, reference: "DSR-1",
                                                                     by: nil, role: nil, request: "test")
        #expect(outcome == .erased)
        #expect(try await host.records.findPersons(named: "khamsing").isEmpty)
        #expect(try await host.records.findPersons(named: "bounmy").count == 1)
        let tombstone = try await host.records.requirePerson(erased.person).value
        #expect(tombstone.erasedAt != nil && tombstone.personal.givenNames.isEmpty)
        let decision = try #require(try await host.records.list(DecisionRecord.self, key: .caseID(erased.id)).first?.value)
        #expect(decision.factsSnapshot == #"{"erased":true}"#)
        // Nothing more can be recorded about them.
        await #expect(throws: GloKitError.self) {
            try await host.decisions.decide("identification.pathway", for: erased.id, facts: .object([:]), actor: .system)
        }
        // The event log is what it was, with the erasure added; the statistics count the same outcomes.
        let eventsAfter = try await store.events(after: 0, limit: Int.max)
        #expect(Array(eventsAfter.prefix(eventsBefore.count)).map(\.sequence) == eventsBefore.map(\.sequence))
        #expect(Array(eventsAfter.prefix(eventsBefore.count)).map(\.data) == eventsBefore.map(\.data))
        #expect(eventsAfter.dropFirst(eventsBefore.count).map(\.type) == ["person.erased"])
        #expect(try await outcomes(host) == statisticsBefore)
        #expect(try await Erasure(records: host.records).erase(erased.person, reason: .dataSubjectRequest, by: nil, role: nil,
                                                                request: "test") == .alreadyErased)

        // The export from before the erasure, brought back with the live store's key ring: they stay erased.
        let restored = try await backend.make().store
        try await StoreTransfer.import(into: restored, lines: backup)
        _ = try await store.copyKeyRing(to: restored)
        let records = Records(store: restored, vault: testVault)
        #expect(try await records.requirePerson(erased.person).value.erasedAt != nil)
        #expect(try await records.findPersons(named: "khamsing").allSatisfy { $0.erasedAt != nil && $0.personal.givenNames.isEmpty })
        #expect(try await records.findPersons(named: "bounmy").first?.personal.givenNames == "Bounmy")
        let restoredDecision = try #require(try await records.list(DecisionRecord.self, key: .caseID(erased.id)).first?.value)
        #expect(restoredDecision.factsSnapshot == #"{"erased":true}"#)
    }

    @Test("a value sealed for two people (an idempotent answer about both) opens while both keys live, and for no one once either is erased")
    func jointlySealedValue() async throws {
        let (store, _) = try await StoreBackend.sqlite.make()
        let host = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [])
        let first = try await openScreenedCase(host, name: "Khamsing").person
        let second = try await openScreenedCase(host, name: "Bounmy").person
        let vault = host.records.vault // the host's: its cache holds the two people's keys
        let sealed = try vault.sealedText(#"{"both":true}"#, boundTo: "answer-1", for: .persons([second, first]))
        #expect(sealed.hasPrefix("sealed:2:") && sealed.contains("+"), "one key id for each person: \(sealed.prefix(60))")
        #expect(try vault.openedText(sealed, boundTo: "answer-1") == #"{"both":true}"#)
        #expect(throws: VaultError.self, "bound to its record") { try vault.openedText(sealed, boundTo: "answer-2") }

        _ = try await Erasure(records: host.records).erase(second, reason: .dataSubjectRequest, reference: nil, by: nil, role: nil, request: "test")
        #expect(throws: VaultError.self) { try vault.openedText(sealed, boundTo: "answer-1") }
    }

    @Test("retention: a dry run lists who is due and erases nothing; the sweep erases them, audited; an open case, a recent closure or a jurisdiction without a period keeps a person",
          arguments: StoreBackend.all)
    func retention(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let host = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [])
        func person(_ name: String, _ cases: [(JurisdictionID, String?)]) async throws -> PersonID {
            let person = Person(personal: PersonalData(givenNames: name, familyName: "Test", citizenship: ["LA"]))
            try await host.cases.register(person, actor: .system)
            try await host.records.commit { change in
                for (jurisdiction, closed) in cases {
                    var c = Case(jurisdiction: jurisdiction, ownerOrganisation: OrganisationID(), person: person.id, opened: day("2019-06-01"))
                    if let closed {
                        c.status = .closed
                        c.closed = day(closed)
                    }
                    try change.insert(c)
                }
            }
            return person.id
        }
        let old = try await person("Old", [("TH", "2020-01-10"), ("TH", "2020-03-01")])
        let open = try await person("Open", [("TH", "2020-01-10"), ("TH", nil)])
        let recent = try await person("Recent", [("TH", "2025-06-01")])
        let elsewhere = try await person("Elsewhere", [("LA", "2020-01-10")])
        let sweep = RetentionSweep(records: host.records, days: ["TH": 365])

        let dry = try await sweep.run(on: day("2026-01-01"), dryRun: true)
        #expect(dry.due.map(\.person) == [old] && dry.erased.isEmpty)
        #expect(dry.due.first?.lastClosed == day("2020-03-01") && dry.due.first?.expired == day("2021-03-01"))
        #expect(try await host.records.requirePerson(old).value.erasedAt == nil)

        let swept = try await sweep.run(on: day("2026-01-01"), dryRun: false)
        #expect(swept.erased == [old] && swept.failed.isEmpty)
        #expect(try await host.records.requirePerson(old).value.erasedAt != nil)
        for kept in [open, recent, elsewhere] { #expect(try await host.records.requirePerson(kept).value.erasedAt == nil) }
        let audit = try await AuditLog(records: host.records).entries(subject: "person:\(old)", action: .erase)
        #expect(audit.count == 1 && audit[0].detail?.contains("retention_expired") == true)
        #expect(try await sweep.run(on: day("2026-01-01"), dryRun: false).due.isEmpty)
        // A year later the recent closure is due too.
        #expect(try await sweep.run(on: day("2026-06-02"), dryRun: true).due.map(\.person) == [recent])
    }

    @Test("an erased person's handover waiting in the outbox is withdrawn: never sent, exported nor retried; one received here opens no more")
    func erasureStopsTheExchange() async throws {
        let hosts = try await TwoHosts()
        let la = try #require(hosts.la.federation.identity)
        let peer = try #require(try await hosts.th.federation.peer("la-test")?.value)
        let theCase = try await openScreenedCase(hosts.th, name: "Khamla")
        let consent = try GloKitCoding.decode(FederationMessage.ConsentReference.self, from: Array("""
            {"id":"\(ConsentID())","purpose":"return_handover","recipients":["\(la.organisation.id)"]}
            """.utf8))
        var id: MessageID?
        try await hosts.th.records.commit { change in
            id = try hosts.th.federation.send(.init(kind: .handover, jurisdiction: "LA", senderCase: theCase.id, body: [:],
                                                    personal: ["given_names": "Khamla"], consent: consent),
                                              to: peer, caseID: theCase.id, jurisdiction: "TH", actor: .system, in: &change)
        }
        let queued = try #require(id)
        let envelope = try #require(try await hosts.th.records.get(OutboxMessage.self, queued.description)?.value.sealed)

        try await Erasure(records: hosts.th.records).erase(theCase.person, reason: .consentWithdrawn, by: nil, role: nil, request: "test")
        let withdrawn = try #require(try await hosts.th.records.get(OutboxMessage.self, queued.description)?.value)
        #expect(withdrawn.isWithdrawn && withdrawn.state == .parked && withdrawn.lastError == "withdrawn: the person was erased")
        let transport = LoopbackTransport(to: hosts.la.federation)
        try await FederationSender(federation: hosts.th.federation, transport: transport, holder: "th-1").deliverDue()
        #expect(transport.posts == 0)
        #expect(try await hosts.th.federation.export(to: "la-test").isEmpty)
        await #expect { try await hosts.th.federation.retry(queued, request: "test") } throws: { "\($0)".contains("withdrawn") }
        #expect(try await hosts.laStored().inbox == 0)

        // On LA: the same handover, received before the erasure there, linked to the case opened from it.
        guard case .accepted = try await hosts.la.federation.accept(envelope.bytes, via: "test") else {
            Issue.record("LA did not take the handover")
            return
        }
        let laCase = try await openScreenedCase(hosts.la, jurisdiction: "LA", name: "Khamla")
        let received = try #require(try await hosts.la.federation.received(queued))
        #expect(received.value.payload.personal?["given_names"] == "Khamla")
        try await hosts.la.records.commit { change in try hosts.la.federation.link(received, to: laCase.id, in: &change) }
        let stored = try #require(try await hosts.la.records.store.record(InboxMessage.collection, id: queued.description))
        #expect(!String(decoding: stored.body, as: UTF8.self).contains("Khamla"))
        try await Erasure(records: hosts.la.records).erase(laCase.person, reason: .dataSubjectRequest, by: nil, role: nil, request: "test")
        let after = try #require(try await hosts.la.federation.received(queued)?.value)
        #expect(after.payload.personal == nil && after.caseID == laCase.id && after.kind == .handover)
    }
}
