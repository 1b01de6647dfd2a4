import Foundation
import GloJSON
import GloKit
import Synchronization
import Testing

/// What every `Store` must do, run against each backend.
@Suite("Store contract")
struct StoreContractTests {
    func write(_ id: String, _ body: String, keys: [IndexKey] = [], expect: RecordWrite.Expectation = .new) -> RecordWrite {
        RecordWrite(collection: RecordCollection("thing"), id: id, expect: expect, body: Array(body.utf8), keys: keys)
    }

    func event(_ type: String = "thing.made") -> NewEvent {
        NewEvent(type: type, jurisdiction: "TH", subject: "thing", actor: .system, data: .object(["n": .int(1)]))
    }

    @Test("a change's records and events commit together, with gap-free sequence numbers", arguments: StoreBackend.all)
    func commitsTogether(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let receipt = try await store.commit(Change(writes: [write("a", "{}")], events: [event(), event()]))
        #expect(receipt.events.map(\.sequence) == [1, 2])
        #expect(receipt.versions == [1])
        let second = try await store.commit(Change(writes: [write("b", "{}")], events: [event()]))
        #expect(second.events.map(\.sequence) == [3])
        let log = try await store.events(after: 0, limit: 10)
        #expect(log.map(\.sequence) == [1, 2, 3])
        #expect(log[0].data == .object(["n": .int(1)]))
        #expect(log[0].jurisdiction == "TH")
        #expect(try await store.lastSequence() == 3)
    }

    @Test("a change whose expectation fails is refused whole: no record, no event, no sequence used", arguments: StoreBackend.all)
    func conflictRefusesWhole(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        try await store.commit(Change(writes: [write("a", "{\"v\":1}")], events: [event()]))
        await #expect(throws: StoreError.conflict(collection: RecordCollection("thing"), id: "a")) {
            try await store.commit(Change(writes: [write("b", "{}"), write("a", "{\"v\":2}")], events: [event()]))
        }
        #expect(try await store.record(RecordCollection("thing"), id: "b") == nil)
        #expect(try await store.lastSequence() == 1)
        // A stale version is refused too; the current one is accepted.
        await #expect(throws: StoreError.self) {
            try await store.commit(Change(writes: [write("a", "{\"v\":3}", expect: .version(7))]))
        }
        let next = try await store.commit(Change(writes: [write("a", "{\"v\":3}", expect: .version(1))], events: [event()]))
        #expect(next.versions == [2])
        #expect(next.events.map(\.sequence) == [2])
        let a = try #require(try await store.record(RecordCollection("thing"), id: "a"))
        #expect(String(decoding: a.body, as: UTF8.self) == "{\"v\":3}")
        #expect(a.version == 2)
    }

    @Test("concurrent commits (grouped) keep the log gap-free and refuse only the conflicting change", arguments: StoreBackend.all)
    func concurrentCommits(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let n = 400
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<n {
                group.addTask {
                    // Every tenth writes an id another also writes: exactly one of the pair wins.
                    let id = i % 10 == 0 ? "shared-\(i / 20)" : "own-\(i)"
                    do {
                        try await store.commit(Change(writes: [self.write(id, "{}")], events: [self.event()]))
                        return true
                    } catch StoreError.conflict { return false }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let accepted = outcomes.filter { $0 }.count
        #expect(accepted == n - 20)
        let log = try await store.events(after: 0, limit: 10_000)
        #expect(log.map(\.sequence) == Array(1...Int64(accepted)))
        #expect(try await store.count(RecordCollection("thing")) == accepted)
    }

    @Test("commit observers get every commit's events in sequence order before the committer resumes", arguments: StoreBackend.all)
    func observedCommits(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let seen = Mutex<[[Int64]]>([])
        store.observeCommits { events in seen.withLock { $0.append(events.map(\.sequence)) } }
        let first = try await store.commit(Change(writes: [write("a", "{}")], events: [event(), event()]))
        #expect(seen.withLock { $0 } == [first.events.map(\.sequence)])
        // A refused change and a change without events tell the observers nothing.
        await #expect(throws: StoreError.self) { try await store.commit(Change(writes: [write("a", "{}")], events: [event()])) }
        try await store.commit(Change(writes: [write("b", "{}")]))
        #expect(seen.withLock { $0.count } == 1)
        // Concurrent commits: each observed run is in order, and together they are the whole log once.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                group.addTask { try await store.commit(Change(writes: [self.write("c\(i)", "{}")], events: [self.event(), self.event()])) }
            }
            try await group.waitForAll()
        }
        let runs = seen.withLock { $0 }
        for run in runs { #expect(run == run.sorted()) }
        #expect(runs.flatMap { $0 }.sorted() == Array(1...202))
        #expect(Set(runs.flatMap { $0 }).count == 202)
    }

    @Test("records are found by index key, and keys are replaced on update", arguments: StoreBackend.all)
    func indexKeys(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let red = IndexKey("colour", "red"), blue = IndexKey("colour", "blue")
        try await store.commit(Change(writes: [write("a", "{}", keys: [red]), write("b", "{}", keys: [red, blue])]))
        #expect(try await store.records(RecordCollection("thing"), key: red, limit: 10, newestFirst: false).map(\.id) == ["a", "b"])
        try await store.commit(Change(writes: [write("a", "{}", keys: [blue], expect: .version(1))]))
        #expect(try await store.records(RecordCollection("thing"), key: red, limit: 10, newestFirst: false).map(\.id) == ["b"])
        #expect(try await store.records(RecordCollection("thing"), key: blue, limit: 10, newestFirst: false).map(\.id) == ["a", "b"])
        #expect(try await store.records(RecordCollection("thing"), key: blue, limit: 10, newestFirst: false).first?.keys == [blue])
        #expect(try await store.records(RecordCollection("thing"), after: "a", limit: 10).map(\.id) == ["b"])
        // An update that keeps its keys stays found by each of them, with its new body and version.
        let kept = try await store.commit(Change(writes: [write("b", "{\"v\":2}", keys: [red, blue], expect: .version(1))]))
        #expect(kept.versions == [2])
        for key in [red, blue] {
            let found = try await store.records(RecordCollection("thing"), key: key, limit: 10, newestFirst: false).filter { $0.id == "b" }
            #expect(found.map(\.version) == [2])
            #expect(found.map { String(decoding: $0.body, as: UTF8.self) } == ["{\"v\":2}"])
        }
        // A stale version is refused whether or not the keys changed.
        await #expect(throws: StoreError.self) {
            try await store.commit(Change(writes: [write("b", "{}", keys: [red, blue], expect: .version(1))]))
        }
        await #expect(throws: StoreError.self) {
            try await store.commit(Change(writes: [write("b", "{}", keys: [red], expect: .version(1))]))
        }
        // The same keys in another order, then one key swapped for a new one: each key finds exactly
        // the records that have it now.
        let green = IndexKey("colour", "green")
        try await store.commit(Change(writes: [write("b", "{}", keys: [blue, red], expect: .version(2))]))
        try await store.commit(Change(writes: [write("b", "{}", keys: [green, blue], expect: .version(3))]))
        #expect(try await store.records(RecordCollection("thing"), key: red, limit: 10, newestFirst: false).map(\.id) == [])
        #expect(try await store.records(RecordCollection("thing"), key: blue, limit: 10, newestFirst: false).map(\.id) == ["a", "b"])
        #expect(try await store.records(RecordCollection("thing"), key: green, limit: 10, newestFirst: false).map(\.version) == [4])
    }

    @Test("records by key, a page at a time after a cursor, in id order, through the key's index", arguments: StoreBackend.all)
    func keyedPages(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let th = IndexKey("jurisdiction", "TH")
        let ids = (0..<8).map { String(format: "c%02d", $0) }
        try await store.commit(Change(writes: ids.enumerated().map { n, id in write(id, "{}", keys: n % 3 == 0 ? [IndexKey("jurisdiction", "LA")] : [th]) }))
        var seen: [String] = []
        var cursor: String?
        while true {
            let page = try await store.records(RecordCollection("thing"), key: th, after: cursor, limit: 2)
            #expect(page.count <= 2)
            guard let last = page.last else { break }
            seen += page.map(\.id)
            cursor = last.id
        }
        #expect(seen == ["c01", "c02", "c04", "c05", "c07"])
    }

    @Test("checkpoints: saved only at the same generation; a rewind bumps it", arguments: StoreBackend.all)
    func checkpoints(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        #expect(try await store.checkpoint("s") == Checkpoint(position: 0, generation: 0))
        #expect(try await store.saveCheckpoint("s", position: 5, generation: 0))
        #expect(try await store.checkpoint("s").position == 5)
        let rewound = try await store.rewind("s", to: 2)
        #expect(rewound == Checkpoint(position: 2, generation: 1))
        #expect(try await store.saveCheckpoint("s", position: 9, generation: 0) == false)
        #expect(try await store.checkpoint("s") == Checkpoint(position: 2, generation: 1))
        #expect(try await store.saveCheckpoint("s", position: 3, generation: 1))
        #expect(try await store.checkpoints()["s"] == Checkpoint(position: 3, generation: 1))
    }

    @Test("dead letters are listed by state and change state", arguments: StoreBackend.all)
    func deadLetters(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        let letter = DeadLetter(id: "s@4", subscriber: "s", sequence: 4, eventType: "x.y", error: "boom", attempts: 3,
                                parkedAt: Timestamp(millisecondsSince1970: 1_000))
        try await store.park(letter)
        #expect(try await store.deadLetters(state: .parked) == [letter])
        #expect(try await store.setDeadLetter("s@4", state: .retryRequested, error: nil, attempts: nil))
        #expect(try await store.deadLetters(state: .parked).isEmpty)
        #expect(try await store.deadLetters(state: .retryRequested).map(\.id) == ["s@4"])
        #expect(try await store.setDeadLetter("nope", state: .resolved, error: nil, attempts: nil) == false)
    }

    @Test("everything acknowledged is there after the store is closed and opened again", arguments: StoreBackend.all)
    func survivesReopen(_ backend: StoreBackend) async throws {
        let (store, reopen) = try await backend.make()
        try await store.commit(Change(writes: [write("a", "{}")], events: [event()]))
        _ = try await store.saveCheckpoint("s", position: 1, generation: 0)
        try await store.close()
        let again = try await reopen()
        #expect(try await again.record(RecordCollection("thing"), id: "a") != nil)
        #expect(try await again.lastSequence() == 1)
        #expect(try await again.checkpoint("s").position == 1)
        let next = try await again.commit(Change(events: [event()]))
        #expect(next.events.map(\.sequence) == [2])
    }

    @Test("a subscriber's lease is held by one holder until it expires or is released", arguments: StoreBackend.all)
    func leases(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        #expect(try await store.claim("tally", holder: "host-a", for: .seconds(30)))
        #expect(try await store.claim("tally", holder: "host-a", for: .seconds(30)), "the holder renews its own lease")
        #expect(try await store.claim("tally", holder: "host-b", for: .seconds(30)) == false)
        #expect(try await store.claim("reports", holder: "host-b", for: .seconds(30)), "leases are per subscriber")
        // Releasing someone else's lease does nothing; releasing one's own frees it at once.
        try await store.release("tally", holder: "host-b")
        #expect(try await store.claim("tally", holder: "host-b", for: .seconds(30)) == false)
        try await store.release("tally", holder: "host-a")
        #expect(try await store.claim("tally", holder: "host-b", for: .milliseconds(200)))
        // An expired lease goes to whoever claims next.
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await store.claim("tally", holder: "host-a", for: .seconds(30)))
        #expect(try await store.claim("tally", holder: "host-b", for: .seconds(30)) == false)
    }

    @Test("restore writes records and events as they were, and refuses what would overwrite", arguments: StoreBackend.all)
    func restore(_ backend: StoreBackend) async throws {
        let (source, _) = try await backend.make()
        try await source.commit(Change(writes: [write("a", "{\"v\":1}", keys: [IndexKey("case", "c1")])], events: [event()]))
        try await source.commit(Change(writes: [write("a", "{\"v\":2}", keys: [IndexKey("case", "c2")], expect: .version(1)),
                                                write("b", "{}")], events: [event(), event("thing.changed")]))
        let (target, _) = try await backend.make()
        let collections = try await source.collections()
        #expect(collections == [RecordCollection("thing")])
        let records = try await source.records(RecordCollection("thing"), after: nil, limit: 100)
        let events = try await source.events(after: 0, limit: 100)
        try await target.restore(records: records, events: events)
        #expect(try await target.records(RecordCollection("thing"), after: nil, limit: 100) == records)
        #expect(try await target.events(after: 0, limit: 100) == events)
        #expect(try await target.records(RecordCollection("thing"), key: IndexKey("case", "c2"), limit: 5, newestFirst: false).map(\.id) == ["a"])
        #expect(try await target.record(RecordCollection("thing"), id: "a")?.version == 2)
        // New commits continue the log after the restored events.
        let next = try await target.commit(Change(events: [event()]))
        #expect(next.events.map(\.sequence) == [4])
        // A record that exists, or events not after the log's end, are refused whole.
        await #expect(throws: StoreError.conflict(collection: RecordCollection("thing"), id: "b")) {
            try await target.restore(records: [StoredRecord(collection: RecordCollection("thing"), id: "c", version: 1, body: [], keys: []),
                                               records[1]], events: [])
        }
        #expect(try await target.record(RecordCollection("thing"), id: "c") == nil)
        await #expect(throws: StoreError.self) { try await target.restore(records: [], events: [events[0]]) }
        #expect(try await target.lastSequence() == 4)
    }

    @Test("events of one subject, in order, after a sequence number", arguments: StoreBackend.all)
    func eventsBySubject(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        for i in 0..<6 {
            try await store.commit(Change(events: [NewEvent(type: "t.\(i)", jurisdiction: "TH", subject: i % 2 == 0 ? "case:a" : "case:b",
                                                            actor: .system, data: .null)]))
        }
        #expect(try await store.events(subject: "case:a", after: 0, limit: 10).map(\.sequence) == [1, 3, 5])
        #expect(try await store.events(subject: "case:b", after: 2, limit: 1).map(\.type) == ["t.3"])
        #expect(try await store.events(subject: "case:c", after: 0, limit: 10).isEmpty)
    }

    @Test("records by key, newest first, for the latest few", arguments: StoreBackend.all)
    func newestFirst(_ backend: StoreBackend) async throws {
        let (store, _) = try await backend.make()
        for id in ["a1", "a2", "a3", "a4"] {
            try await store.commit(Change(writes: [write(id, "{}", keys: [IndexKey("j", "TH")])]))
        }
        #expect(try await store.records(RecordCollection("thing"), key: IndexKey("j", "TH"), limit: 2, newestFirst: true).map(\.id) == ["a4", "a3"])
        #expect(try await store.records(RecordCollection("thing"), key: IndexKey("j", "TH"), limit: 2, newestFirst: false).map(\.id) == ["a1", "a2"])
    }
}
