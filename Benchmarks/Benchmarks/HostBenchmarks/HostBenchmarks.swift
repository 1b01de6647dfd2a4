// The host core against a plain GRDB insert loop, measured in the same run (figures as ratios,
// since these machines are noisy). Each iteration handles a batch; divide the batch by the p50
// wall clock for the rate.
// - dispatch: 20,000 events delivered in process to 4 subscribers (from the bus's memory);
// - durable append: 5,000 one-event changes from 64 concurrent writers, group-committed, each
//   acknowledged only after its commit is on disk (synchronous = FULL);
// - baselines: a plain GRDB loop inserting the same rows, one durable transaction per insert
//   (what acknowledging each write durably costs without grouping; 500 rows), and all rows in one
//   transaction (the ceiling; 5,000 rows);
// - the whole path: 1,000 screenings recorded, each decided (identification.pathway, TH pack), the
//   decision stored, and its decision.made delivered to a subscriber; 32 at a time.
import Benchmark
import Foundation
import GloJSON
import GloKit
import GloRules
import GloStoreSQLite
import GRDB
import Synchronization

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let rules = root.appendingPathComponent("Config/jurisdictions").path

func scratch(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("glo-bench-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

/// Resumes a waiter once `count` arrivals have been seen.
final class Countdown: Sendable {
    private let state = Mutex<(left: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))

    func wait(for count: Int, _ start: () -> Void) async {
        await withCheckedContinuation { c in
            state.withLock { $0 = (count, c) }
            start()
        }
    }

    func arrive() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.left -= 1
            guard s.left == 0 else { return nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}

let event = NewEvent(type: "case.opened", jurisdiction: "TH", subject: "case:x", actor: .system,
                     data: .object(["case_id": .string("0190f0a0-0000-7000-8000-000000000000")]))

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput], warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 20)

    Benchmark("dispatch: 20,000 events to 4 subscribers") { benchmark in
        let store = try! SQLiteStore(path: scratch("dispatch.sqlite"))
        let bus = EventBus(store: store)
        let done = Countdown()
        let last = Atomic<Int64>(0)
        for i in 0..<4 {
            try! bus.subscribe(Subscription(name: "s\(i)", patterns: i % 2 == 0 ? ["*"] : ["case.*"]) { e in
                if e.sequence == last.load(ordering: .acquiring) { done.arrive() }
            })
        }
        bus.start()
        var next: Int64 = 1
        for _ in benchmark.scaledIterations {
            let batch = (0..<20_000).map { i in event.stored(as: next + Int64(i)) }
            next += 20_000
            last.store(next - 1, ordering: .releasing)
            await done.wait(for: 4) { bus.published(batch) }
        }
        await bus.stop()
    }

    Benchmark("durable append: 5,000 one-event changes, group commit, 64 writers") { benchmark in
        let store = try! SQLiteStore(path: scratch("append.sqlite"))
        for _ in benchmark.scaledIterations {
            await withTaskGroup(of: Void.self) { group in
                for w in 0..<64 {
                    group.addTask {
                        for _ in stride(from: w, to: 5_000, by: 64) {
                            _ = try! await store.commit(Change(events: [NewEvent(type: event.type, jurisdiction: event.jurisdiction,
                                                                                  subject: event.subject, actor: .system, data: event.data)]))
                        }
                    }
                }
            }
        }
        try! await store.close()
    }

    func plainPool(_ name: String) -> DatabasePool {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try! DatabasePool(path: scratch(name), configuration: config)
        try! pool.write { db in
            try db.execute(sql: """
                CREATE TABLE events (sequence INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
                jurisdiction TEXT, subject TEXT NOT NULL, actor TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL)
                """)
        }
        return pool
    }

    func insert(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO events (id, type, jurisdiction, subject, actor, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [EventID().description, event.type, "TH", event.subject, event.actor,
                                   Timestamp.now.millisecondsSince1970, JSONWriter.string(event.data, sortKeys: true)])
    }

    Benchmark("baseline: plain GRDB insert loop, 500 rows, one durable transaction each") { benchmark in
        let pool = plainPool("plain-each.sqlite")
        for _ in benchmark.scaledIterations {
            for _ in 0..<500 { try! pool.write(insert) }
        }
    }

    Benchmark("baseline: plain GRDB insert loop, 5,000 rows in one transaction") { benchmark in
        let pool = plainPool("plain-one.sqlite")
        for _ in benchmark.scaledIterations {
            try! pool.write { db in for _ in 0..<5_000 { try insert(db) } }
        }
    }

    Benchmark("whole path: 1,000 screenings -> decision -> stored -> delivered, 32 at a time") { benchmark in
        let engine = try! RuleEngine(directory: rules, statesPerPack: 2)
        let host = try! GloHost(store: try! SQLiteStore(path: scratch("path.sqlite")), vault: PersonVault(key: .random()),
                                engine: engine, plugins: [], jurisdictions: ["TH"])
        let done = Countdown()
        try! host.bus.subscribe(Subscription(name: "delivered", patterns: ["decision.made"]) { _ in done.arrive() })
        try! await host.start()
        let organisation = OrganisationID(), worker = UserID()
        for _ in benchmark.scaledIterations {
            benchmark.stopMeasurement()
            var cases: [CaseID] = []
            for i in 0..<1_000 {
                let person = Person(personal: PersonalData(givenNames: "P\(i)", citizenship: ["LA"]))
                try! await host.cases.register(person, actor: .system)
                cases.append(try! await host.cases.open(Case(jurisdiction: "TH", ownerOrganisation: organisation, person: person.id,
                                                             opened: CalendarDate("2026-01-10")!), actor: .system).id)
            }
            let ids = cases
            benchmark.startMeasurement()
            await done.wait(for: 1_000) {
                Task {
                    await withTaskGroup(of: Void.self) { group in
                        for w in 0..<32 {
                            group.addTask {
                                for c in stride(from: w, to: ids.count, by: 32) {
                                    let screening = Screening(caseID: ids[c], interviewer: worker, date: CalendarDate("2026-01-10")!,
                                                              acts: [.recruitment], means: [.deception], exploitation: [.forcedLabour])
                                    try! await host.cases.record(screening, actor: .user(worker))
                                    try! await host.decisions.decide("identification.pathway", for: ids[c],
                                                                     facts: try! await host.cases.facts(for: ids[c]),
                                                                     actor: .user(worker))
                                }
                            }
                        }
                    }
                }
            }
        }
        await host.stop()
    }
}
