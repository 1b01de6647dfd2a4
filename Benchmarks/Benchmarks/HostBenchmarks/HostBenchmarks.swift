// The host core against a plain GRDB insert loop, measured in the same run (figures as ratios,
// since these machines are noisy). Each iteration handles a batch; divide the batch by the p50
// wall clock for the rate.
// - dispatch: 20,000 events delivered in process to 4 subscribers (from the bus's memory);
// - durable append: 5,000 one-event changes from 64 concurrent writers, group-committed, each
//   acknowledged only after its commit is on disk (synchronous = FULL);
// - baselines: a plain GRDB loop inserting the same rows, one durable transaction per insert
//   (what acknowledging each write durably costs without grouping; 500 rows), and all rows in one
//   transaction (the ceiling; 5,000 rows);
// - pieces of the whole path, to see where its time goes: entity JSON coding, reading a case and
//   its person, deciding, committing a screening and a decision;
// - the whole path: 1,000 screenings, each decided (identification.pathway, TH pack) on the facts of
//   the screening, the case and the person (read and opened), the screening and the decision stored
//   in one commit, and its decision.made delivered to a subscriber; 32 at a time, and 128.
import Benchmark
import Foundation
import GloJSON
import GloKit
import GloRules
import GloStoreSQLite
import GRDB
import PathFixture
import Synchronization

let event = NewEvent(type: "case.opened", jurisdiction: "TH", subject: "case:x", actor: .system,
                     data: .object(["case_id": .string("0190f0a0-0000-7000-8000-000000000000")]))

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput], warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 20)

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
        // FULL is set after the pool is made: GRDB sets NORMAL on its writer when it turns WAL on.
        let pool = try! DatabasePool(path: scratch(name))
        try! pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
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

    Benchmark("piece: 1,000 x read case + person, 32 at a time",
              configuration: .init(metrics: [.wallClock, .cpuTotal], warmupIterations: 1, maxIterations: 5),
              closure: { _ in
                  let fixture = PathFixture.current
                  let ids = fixture.peekRound()
                  await withTaskGroup(of: Void.self) { group in
                      for w in 0..<32 {
                          group.addTask {
                              for c in stride(from: w, to: ids.count, by: 32) {
                                  let theCase = try! await fixture.host.records.require(Case.self, ids[c].description).value
                                  _ = try! await fixture.host.records.requirePerson(theCase.person)
                              }
                          }
                      }
                  }
              },
              setup: { try await PathFixture.install() }, teardown: { await PathFixture.uninstall() })

    Benchmark("piece: 1,000 x evaluate identification.pathway, 32 at a time",
              configuration: .init(metrics: [.wallClock, .cpuTotal], warmupIterations: 1, maxIterations: 5),
              closure: { _ in
                  let fixture = PathFixture.current
                  let ids = fixture.peekRound()
                  let theCase = try! await fixture.host.records.require(Case.self, ids[0].description).value
                  let facts: JSONValue = ["acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"], "citizenship": ["LA"], "country": "TH"]
                  await withTaskGroup(of: Void.self) { group in
                      for w in 0..<32 {
                          group.addTask {
                              for _ in stride(from: w, to: ids.count, by: 32) {
                                  _ = try! fixture.host.decisions.evaluate("identification.pathway", for: theCase, facts: facts)
                              }
                          }
                      }
                  }
              },
              setup: { try await PathFixture.install() }, teardown: { await PathFixture.uninstall() })

    Benchmark("piece: JSON encode DecisionRecord ", configuration: .init(metrics: [.wallClock], scalingFactor: .kilo)) { benchmark in
        let decision = DecisionRecord(caseID: CaseID(), jurisdiction: "TH", packID: "TH", packVersion: "2026.1", contentHash: String(repeating: "a", count: 64),
                                      decision: "identification.pathway", dateApplied: CalendarDate("2026-01-10")!,
                                      facts: ["acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"], "citizenship": ["LA"], "country": "TH"],
                                      result: ["outcome": "victim", "status": "possible", "reasons": ["a", "b"], "basis": ["x", "y", "z"]],
                                      factsRead: ["acts", "means", "exploitation", "age"], factsMissing: [])
        for _ in benchmark.scaledIterations { blackHole(try! GloKitCoding.encode(decision)) }
    }

    Benchmark("piece: JSON encode Screening ", configuration: .init(metrics: [.wallClock], scalingFactor: .kilo)) { benchmark in
        let screening = Screening(caseID: CaseID(), interviewer: UserID(), date: CalendarDate("2026-01-10")!, acts: ["recruitment"],
                                  means: ["deception"], exploitation: ["forced_labour"])
        for _ in benchmark.scaledIterations { blackHole(try! GloKitCoding.encode(screening)) }
    }

    Benchmark("piece: JSON decode Case ", configuration: .init(metrics: [.wallClock], scalingFactor: .kilo)) { benchmark in
        let data = try! GloKitCoding.encode(Case(jurisdiction: "TH", ownerOrganisation: OrganisationID(), person: PersonID(), opened: CalendarDate("2026-01-10")!))
        for _ in benchmark.scaledIterations { blackHole(try! GloKitCoding.decode(Case.self, from: data)) }
    }

    Benchmark("piece: 1,000 x commit screening + decision, 32 at a time",
              configuration: .init(metrics: [.wallClock, .cpuTotal], warmupIterations: 1, maxIterations: 5),
              closure: { _ in
                  let fixture = PathFixture.current
                  let ids = fixture.peekRound()
                  let theCase = try! await fixture.host.records.require(Case.self, ids[0].description).value
                  let facts: JSONValue = ["acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"], "citizenship": ["LA"], "country": "TH"]
                  let template = try! fixture.host.decisions.evaluate("identification.pathway", for: theCase, facts: facts)
                  await withTaskGroup(of: Void.self) { group in
                      for w in 0..<32 {
                          group.addTask {
                              for c in stride(from: w, to: ids.count, by: 32) {
                                  let screening = Screening(caseID: ids[c], interviewer: fixture.worker, date: CalendarDate("2026-01-10")!,
                                                            acts: ["recruitment"], means: ["deception"], exploitation: ["forced_labour"])
                                  var decision = template
                                  decision.id = DecisionID()
                                  try! await fixture.host.records.commit { change in
                                      try change.insert(screening)
                                      try change.record(decision, actor: .system)
                                  }
                              }
                          }
                      }
                  }
              },
              setup: { try await PathFixture.install() }, teardown: { await PathFixture.uninstall() })

    Benchmark("piece: whole path without waiting for delivery",
              configuration: .init(metrics: [.wallClock, .cpuTotal], warmupIterations: 1, maxIterations: 5),
              closure: { _ in
                  let fixture = PathFixture.current
                  let ids = fixture.nextRound()
                  await withTaskGroup(of: Void.self) { group in
                      for w in 0..<128 {
                          group.addTask {
                              for c in stride(from: w, to: ids.count, by: 128) { try! await fixture.screenAndDecide(ids[c]) }
                          }
                      }
                  }
              },
              setup: { try await PathFixture.install() }, teardown: { await PathFixture.uninstall() })

    // At 32 at a time a commit group holds about 4 screenings (one sync each group); at 128, more
    // share each sync and each page written. How many a host has in flight depends on its callers.
    for atOnce in [32, 128] {
        Benchmark("whole path: 1,000 screenings -> decision -> stored -> delivered, \(atOnce) at a time",
                  configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput], warmupIterations: 1, maxDuration: .seconds(10),
                                       maxIterations: PathFixture.rounds - 1),
                  closure: { _ in
                      let fixture = PathFixture.current
                      await fixture.screenAll(fixture.nextRound(), atOnce: atOnce)
                  },
                  setup: { try await PathFixture.install() }, teardown: { await PathFixture.uninstall() })
    }
}

