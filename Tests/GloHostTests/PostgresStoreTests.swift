import Foundation
import GloJSON
import GloKit
import GloStorePostgres
import Synchronization
import Testing

/// What only the PostgreSQL store does: several hosts on one database. Runs when
/// `GLO_TEST_POSTGRES_URL` is set (`scripts/postgres-test-server.sh`).
@Suite("PostgreSQL store", .enabled(if: testPostgresURL != nil, "set GLO_TEST_POSTGRES_URL (scripts/postgres-test-server.sh)"))
struct PostgresStoreTests {
    func write(_ id: String, expect: RecordWrite.Expectation = .new) -> RecordWrite {
        RecordWrite(collection: RecordCollection("thing"), id: id, expect: expect, body: Array("{}".utf8), keys: [])
    }

    func event(_ n: Int) -> NewEvent {
        NewEvent(type: "thing.made", jurisdiction: "TH", subject: "thing", actor: .system, data: .object(["n": .int(Int64(n))]))
    }

    /// Two stores on one database, as two hosts.
    func twoHosts(on database: String? = nil) async throws -> (PostgresStore, PostgresStore) {
        let url: String
        if let database { url = database } else { url = try await freshPostgresDatabase() }
        // Both start at once: the migrations run under an advisory lock, so neither trips on the other.
        async let a = PostgresStore(url: url, logger: quietLogger)
        async let b = PostgresStore(url: url, logger: quietLogger)
        return try await (a, b)
    }

    @Test("concurrent commits from two hosts keep one gap-free log in commit order")
    func twoHostsOneLog() async throws {
        let (a, b) = try await twoHosts()
        // Many small transactions on each host (workers that commit one change after another), so
        // the two hosts' transactions overlap again and again.
        let workers = 6, each = 25
        let perHost = workers * each
        let receipts = try await withThrowingTaskGroup(of: [(host: Int, receipt: CommitReceipt?)].self) { group in
            for host in 0..<2 {
                let store = host == 0 ? a : b
                for worker in 0..<workers {
                    group.addTask {
                        var mine: [(host: Int, receipt: CommitReceipt?)] = []
                        var previous: Int64 = 0
                        for k in 0..<each {
                            let i = worker * each + k
                            // Every tenth record is written by both hosts: one of them wins.
                            let id = i % 10 == 0 ? "shared-\(i)" : "own-\(host)-\(i)"
                            do {
                                let receipt = try await store.commit(Change(writes: [self.write(id)], events: [self.event(i), self.event(i)]))
                                mine.append((host, receipt))
                                // Commit order: a commit that starts after another has returned comes later in the log.
                                #expect(receipt.events[0].sequence > previous)
                                previous = receipt.events[1].sequence
                            } catch StoreError.conflict {
                                mine.append((host, nil))
                            }
                        }
                        return mine
                    }
                }
            }
            return try await group.reduce(into: [(host: Int, receipt: CommitReceipt?)]()) { $0 += $1 }
        }
        let accepted = receipts.compactMap(\.receipt)
        #expect(accepted.count == 2 * perHost - perHost / 10)
        #expect(Set(receipts.filter { $0.receipt != nil }.map(\.host)) == [0, 1], "both hosts committed")
        let log = try await a.events(after: 0, limit: 10_000)
        #expect(log.map(\.sequence) == Array(1...Int64(2 * accepted.count)))
        // Each commit's two events are adjacent: no other commit's numbers fall between them.
        for receipt in accepted {
            #expect(receipt.events.count == 2)
            #expect(receipt.events[1].sequence == receipt.events[0].sequence + 1)
        }
        // What each host was told is what the log holds.
        let told = accepted.flatMap(\.events).sorted { $0.sequence < $1.sequence }
        #expect(told == log)
        #expect(try await b.lastSequence() == Int64(log.count))
        #expect(try await b.count(RecordCollection("thing")) == accepted.count)
        try await a.close()
        try await b.close()
    }

    @Test("a commit on one host is heard through the other's commitNotices, and not through its own")
    func notices() async throws {
        let url = try await freshPostgresDatabase()
        let (a, b) = try await twoHosts(on: url)
        let heardByB = Heard(), heardByA = Heard()
        let listenB = Task {
            for await n in b.commitNotices() { heardByB.add(n) }
            heardByB.end()
        }
        let listenA = Task {
            for await n in a.commitNotices() { heardByA.add(n) }
            heardByA.end()
        }
        // LISTEN starts in the background: commit until the first notice arrives.
        var committed: [Int64] = []
        var heard = false
        for i in 0..<50 where !heard {
            let receipt = try await a.commit(Change(events: [event(i), event(i)]))
            committed.append(try #require(receipt.events.last?.sequence))
            heard = try await eventually(0.2) { !heardByB.all.isEmpty }
        }
        #expect(heard)
        let notices = heardByB.all
        #expect(!notices.isEmpty && notices.allSatisfy { committed.contains($0) }, "notices carry the commits' last sequence numbers")
        // A commit on b is heard by a; a never hears its own.
        let fromB = try await b.commit(Change(events: [event(99)])).events[0].sequence
        #expect(try await eventually(5) { heardByA.all.contains(fromB) })
        #expect(heardByA.all.allSatisfy { !committed.contains($0) })

        // The listening connection dies (the server ends it): b connects again and hears later commits.
        try await psql(url, """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE '%LISTEN%'
            """)
        var reheard = false
        for i in 0..<40 where !reheard {
            let last = try #require(try await a.commit(Change(events: [event(100 + i)])).events.last?.sequence)
            reheard = try await eventually(0.5) { heardByB.all.contains { $0 >= last } }
        }
        #expect(reheard, "notices resume after the connection drops")

        // Closing a store ends its notice streams.
        try await a.close()
        try await b.close()
        #expect(try await eventually(5) { heardByA.ended && heardByB.ended })
        listenA.cancel()
        listenB.cancel()
    }

    @Test("two hosts updating the same records in opposite orders: deadlocks are retried, never reported")
    func oppositeOrders() async throws {
        let (a, b) = try await twoHosts()
        try await a.commit(Change(writes: [write("r1"), write("r2")]))
        let rounds = 8
        let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
            for host in 0..<2 {
                let store = host == 0 ? a : b
                group.addTask {
                    var accepted = 0
                    for _ in 0..<rounds {
                        let r1 = try #require(try await store.record(RecordCollection("thing"), id: "r1"))
                        let r2 = try #require(try await store.record(RecordCollection("thing"), id: "r2"))
                        var writes = [self.write("r1", expect: .version(r1.version)), self.write("r2", expect: .version(r2.version))]
                        if host == 1 { writes.reverse() }
                        do {
                            try await store.commit(Change(writes: writes, events: [self.event(host)]))
                            accepted += 1
                        } catch StoreError.conflict {
                            // Read again and retry: the other host got there first.
                        }
                    }
                    return accepted
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(accepted >= rounds, "at least one host's every round, or an equal share, got through")
        #expect(try await a.record(RecordCollection("thing"), id: "r1")?.version == Int64(1 + accepted))
        #expect(try await b.record(RecordCollection("thing"), id: "r2")?.version == Int64(1 + accepted))
        #expect(try await b.lastSequence() == Int64(accepted))
        try await a.close()
        try await b.close()
    }

    @Test("a lease one host holds is refused to the other until released")
    func leasesAcrossHosts() async throws {
        let (a, b) = try await twoHosts()
        #expect(try await a.claim("tally", holder: "host-a", for: .seconds(30)))
        #expect(try await b.claim("tally", holder: "host-b", for: .seconds(30)) == false)
        #expect(try await b.claim("reports", holder: "host-b", for: .seconds(30)))
        #expect(try await a.claim("reports", holder: "host-a", for: .seconds(30)) == false)
        try await a.release("tally", holder: "host-a")
        #expect(try await b.claim("tally", holder: "host-b", for: .seconds(30)))
        #expect(try await a.claim("tally", holder: "host-a", for: .seconds(30)) == false)
        try await a.close()
        try await b.close()
    }

    @Test("an unreachable server or a bad URL is unusable, and the message never shows the password")
    func unusable() async throws {
        let secret = "s3cr3t-pa55word"
        // A port nobody listens on: bind one, note it, and close it.
        let port = try await freePort()
        do {
            _ = try await PostgresStore(url: "postgres://glo:\(secret)@127.0.0.1:\(port)/glo_test?sslmode=disable")
            Issue.record("connected to a port nobody listens on")
        } catch let error as StoreError {
            guard case .unusable(let why) = error else { Issue.record("expected unusable, got \(error)"); return }
            #expect(why.contains("127.0.0.1:\(port)/glo_test"))
            #expect(!why.contains(secret))
            #expect(!"\(error)".contains(secret))
            #expect(!String(reflecting: error).contains(secret))
        }
        for bad in ["mysql://glo:\(secret)@127.0.0.1/x", "postgres://glo:\(secret)@127.0.0.1:5432/", "postgres://:\(secret)@127.0.0.1/x",
                    "postgres://glo:\(secret)@127.0.0.1/x?sslmode=sometimes"] {
            do {
                _ = try await PostgresStore(url: bad)
                Issue.record("accepted a bad URL")
            } catch let error as StoreError {
                guard case .unusable(let why) = error else { Issue.record("expected unusable, got \(error)"); continue }
                #expect(!why.contains(secret))
            }
        }
        // A database that does not exist on a server that does.
        let base = try #require(testPostgresURL)
        var missing = try #require(URLComponents(string: base))
        missing.path = "/glo_no_such_database"
        missing.password = secret
        await #expect(throws: StoreError.self) { _ = try await PostgresStore(url: missing.string!) }
        do { _ = try await PostgresStore(url: missing.string!) } catch {
            #expect("\(error)".contains("glo_no_such_database"))
            #expect(!"\(error)".contains(secret))
        }
    }

    @Test("migrations: recorded once, a foreign database and a newer glo-host's are refused")
    func migrations() async throws {
        let url = try await freshPostgresDatabase()
        let first = try await PostgresStore.migrate(url: url, logger: quietLogger)
        #expect(first.count >= 2)
        #expect(try await PostgresStore.migrate(url: url, logger: quietLogger).isEmpty, "a migrated database needs nothing more")
        // Two hosts starting together on a fresh database.
        let fresh = try await freshPostgresDatabase()
        async let x = PostgresStore.migrate(url: fresh, logger: quietLogger)
        async let y = PostgresStore.migrate(url: fresh, logger: quietLogger)
        let (mx, my) = try await (x, y)
        #expect(mx.count + my.count == first.count, "each migration ran once")
        // A database with tables that are not ours.
        let foreign = try await freshPostgresDatabase()
        try await psql(foreign, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        do {
            _ = try await PostgresStore(url: foreign, logger: quietLogger)
            Issue.record("opened a foreign database")
        } catch StoreError.unusable(let why) {
            #expect(why.contains("not a glo-host database"))
        }
        // A migration from the future.
        try await psql(url, "INSERT INTO glo_schema_migrations (version, name) VALUES (9999, 'v9999: from the future')")
        do {
            _ = try await PostgresStore(url: url, logger: quietLogger)
            Issue.record("opened a newer glo-host's database")
        } catch StoreError.unusable(let why) {
            #expect(why.contains("newer glo-host"))
        }
    }
}

/// Sequence numbers a notice stream gave, in order.
final class Heard: Sendable {
    private let seen = Mutex<(all: [Int64], ended: Bool)>(([], false))
    var all: [Int64] { seen.withLock { $0.all } }
    var ended: Bool { seen.withLock { $0.ended } }
    func add(_ n: Int64) { seen.withLock { $0.all.append(n) } }
    func end() { seen.withLock { $0.ended = true } }
}
