import Foundation
import GloJSON
import GloKit
import GloRules
import Synchronization
import Testing

@Suite("Event bus: in order, at least once, from a durable checkpoint")
struct EventBusTests {
    let fast = RetryPolicy(attempts: 3, firstDelay: .milliseconds(1), maximumDelay: .milliseconds(5))

    func append(_ records: Records, _ types: [String]) async throws -> [Event] {
        try await records.commit { change in
            for type in types { change.emit(type, jurisdiction: "TH", subject: "t", actor: .system) }
        }.events
    }

    @Test("each subscriber gets the types it asked for, in order; patterns match prefixes")
    func ordersAndPatterns() async throws {
        let store = try await StoreBackend.sqlite.make().store
        let bus = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20))
        let records = Records(store: store, vault: testVault)
        let all = Collector(), referrals = Collector(), exact = Collector()
        try bus.subscribe(Subscription(name: "all", patterns: ["*"]) { all.add($0) })
        try bus.subscribe(Subscription(name: "referrals", patterns: ["referral.*"]) { referrals.add($0) })
        try bus.subscribe(Subscription(name: "exact", patterns: ["case.opened"]) { exact.add($0) })
        bus.start()
        var types: [String] = []
        for i in 0..<300 { types.append(["case.opened", "referral.accepted", "referrals.other", "decision.made"][i % 4]) }
        for chunk in stride(from: 0, to: 300, by: 30) { _ = try await append(records, Array(types[chunk..<chunk + 30])) }
        try await bus.drain(through: 300)
        await bus.stop()
        #expect(all.sequences == Array(1...300))
        #expect(referrals.sequences == stride(from: 2, through: 300, by: 4).map { Int64($0) })
        #expect(exact.sequences == stride(from: 1, through: 300, by: 4).map { Int64($0) })
        #expect(try await store.checkpoint("all").position == 300)
        #expect(throws: GloKitError.self) { try bus.subscribe(Subscription(name: "bad", patterns: ["a..b"]) { _ in }) }
    }

    @Test("two hosts on one store: only the lease holder delivers; when it stops, the other takes over from its checkpoint")
    func leaseMovesBetweenHosts() async throws {
        let (store, _) = try await StoreBackend.sqlite.make()
        let onA = Collector(), onB = Collector()
        let a = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20), holder: "host-a", leaseDuration: .milliseconds(600))
        let b = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20), holder: "host-b", leaseDuration: .milliseconds(600))
        try a.subscribe(Subscription(name: "s", patterns: ["*"]) { onA.add($0) })
        a.start()
        _ = try await append(Records(store: store, vault: testVault), Array(repeating: "a.b", count: 40))
        try await a.drain(through: 40)
        // B starts while A holds the lease: it delivers nothing, even of events it commits itself.
        try b.subscribe(Subscription(name: "s", patterns: ["*"]) { onB.add($0) })
        b.start()
        _ = try await append(Records(store: store, vault: testVault), Array(repeating: "a.b", count: 20))
        try await a.drain(through: 60)
        try await Task.sleep(for: .milliseconds(300))
        #expect(onB.sequences.isEmpty)
        // A stops (releasing its lease); B takes over where A's checkpoint is, and skips nothing.
        await a.stop()
        _ = try await append(Records(store: store, vault: testVault), Array(repeating: "a.b", count: 20))
        try await b.drain(through: 80)
        await b.stop()
        #expect(onA.sequences == Array(1...60))
        #expect(onB.sequences == Array(61...80))
        #expect(try await store.checkpoint("s").position == 80)
    }

    @Test("after a restart, delivery resumes from the checkpoint and events written meanwhile arrive")
    func resumes() async throws {
        let (store, _) = try await StoreBackend.sqlite.make()
        let first = Collector()
        let bus1 = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20))
        try bus1.subscribe(Subscription(name: "s", patterns: ["*"]) { first.add($0) })
        bus1.start()
        _ = try await append(Records(store: store, vault: testVault), Array(repeating: "a.b", count: 50))
        try await bus1.drain(through: 50)
        await bus1.stop()
        // Written while no bus runs (as another process would), straight to the store.
        _ = try await append(Records(store: store, vault: testVault), Array(repeating: "a.b", count: 25))

        let second = Collector()
        let bus2 = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20))
        try bus2.subscribe(Subscription(name: "s", patterns: ["*"]) { second.add($0) })
        bus2.start()
        try await bus2.drain(through: 75)
        await bus2.stop()
        #expect(first.sequences == Array(1...50))
        #expect(second.sequences == Array(51...75))
    }

    @Test("a handler that keeps failing is retried, then parked; other subscribers and later events go on")
    func parksFailures() async throws {
        let store = try await StoreBackend.sqlite.make().store
        let bus = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20))
        let records = Records(store: store, vault: testVault)
        let tries = Mutex<[Int64: Int]>([:])
        let handled = Collector(), other = Collector()
        try bus.subscribe(Subscription(name: "picky", patterns: ["*"]) { event in
            tries.withLock { $0[event.sequence, default: 0] += 1 }
            if event.type == "bad.one" { throw GloKitError.refused("cannot handle \(event.sequence)") }
            // Fails once, then succeeds: a retry, not a dead letter.
            if event.type == "flaky.one", tries.withLock({ $0[event.sequence]! }) == 1 { throw GloKitError.refused("flaky") }
            handled.add(event)
        })
        try bus.subscribe(Subscription(name: "other", patterns: ["*"]) { other.add($0) })
        bus.start()
        _ = try await append(records, ["ok.one", "bad.one", "flaky.one", "ok.two"])
        try await bus.drain(through: 4)
        #expect(handled.sequences == [1, 3, 4])
        #expect(other.sequences == [1, 2, 3, 4])
        #expect(tries.withLock { $0 } == [1: 1, 2: 3, 3: 2, 4: 1])
        let parked = try await store.deadLetters(state: .parked)
        #expect(parked.map(\.id) == ["picky@2"])
        #expect(parked.first?.attempts == 3)
        #expect(parked.first?.error.contains("cannot handle 2") == true)

        // Asking for a retry: still failing, it is parked again with one more attempt.
        _ = try await store.setDeadLetter("picky@2", state: .retryRequested, error: nil, attempts: nil)
        #expect(try await eventually { try await store.deadLetters(state: .parked).first?.attempts == 4 })
        await bus.stop()
    }

    @Test("a dead letter retried after the cause is fixed is delivered and resolved")
    func retryResolves() async throws {
        let store = try await StoreBackend.sqlite.make().store
        let bus = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20))
        let fixed = Atomic<Bool>(false)
        let handled = Collector()
        try bus.subscribe(Subscription(name: "s", patterns: ["*"]) { event in
            guard fixed.load(ordering: .relaxed) else { throw GloKitError.refused("not yet") }
            handled.add(event)
        })
        bus.start()
        _ = try await append(Records(store: store, vault: testVault), ["x.y"])
        #expect(try await eventually { try await store.deadLetters(state: .parked).count == 1 })
        fixed.store(true, ordering: .relaxed)
        _ = try await store.setDeadLetter("s@1", state: .retryRequested, error: nil, attempts: nil)
        #expect(try await eventually { try await store.deadLetters(state: .resolved).map(\.id) == ["s@1"] })
        #expect(handled.sequences == [1])
        await bus.stop()
    }

    @Test("replay: rewinding a subscriber, even while it runs, delivers again from that sequence")
    func replay() async throws {
        let store = try await StoreBackend.sqlite.make().store
        let bus = EventBus(store: store, retry: fast, pollInterval: .milliseconds(20))
        let seen = Collector()
        try bus.subscribe(Subscription(name: "view", patterns: ["*"]) { seen.add($0) })
        bus.start()
        _ = try await append(Records(store: store, vault: testVault), Array(repeating: "a.b", count: 10))
        try await bus.drain(through: 10)
        _ = try await store.rewind("view", to: 6)
        #expect(try await eventually { seen.sequences.count == 14 })
        await bus.stop()
        #expect(seen.sequences == Array(1...10) + [7, 8, 9, 10])
        #expect(try await store.checkpoint("view") == Checkpoint(position: 10, generation: 1))
    }
}
