// What the host benchmarks and the instruction-count probe share: the whole path's host, its cases
// opened beforehand, and what a screening does on it.
import Foundation
import GloJSON
import GloKit
import GloRules
import GloStoreSQLite
import Synchronization

public let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
public let rules = root.appendingPathComponent("Config/jurisdictions").path

/// This process's scratch folder, removed when the process exits (a run makes databases of up to
/// tens of megabytes; left behind, they filled the disk's temporary folder run after run).
let scratchRoot: URL = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("glo-bench-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratchRoot) }
    return root
}()

/// A path for a new database file, in a folder of its own under `scratchRoot`.
public func scratch(_ name: String) -> String {
    let dir = scratchRoot.appendingPathComponent(UUID().uuidString)
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

/// Resumes a waiter once `count` arrivals have been seen.
public final class Countdown: Sendable {
    private let state = Mutex<(left: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))

    public init() {}

    public func wait(for count: Int, _ start: () -> Void) async {
        await withCheckedContinuation { c in
            state.withLock { $0 = (count, c) }
            start()
        }
    }

    public func arrive() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.left -= 1
            guard s.left == 0 else { return nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}

/// The whole-path benchmark's host, with its cases opened beforehand (outside the measurement):
/// one round of 1,000 per iteration (the probe chooses its own).
public final class PathFixture: Sendable {
    static let shared = Mutex<PathFixture?>(nil)

    /// The fixture of the benchmark running now: made by its setup, stopped by its teardown.
    public static var current: PathFixture { shared.withLock { $0! } }

    public static func install() async throws {
        let fixture = try await PathFixture()
        shared.withLock { $0 = fixture }
    }

    public static func uninstall() async {
        let fixture = shared.withLock { f in defer { f = nil }; return f }
        await fixture?.host.stop()
    }
    public static let rounds = 8
    public let host: GloHost
    public let worker = UserID()
    public let delivered = Countdown()
    private let rounds: Mutex<[[CaseID]]>

    public init(rounds count: Int = PathFixture.rounds, of size: Int = 1_000) async throws {
        let engine = try RuleEngine(directory: rules, statesPerPack: 2)
        host = try GloHost(store: try SQLiteStore(path: scratch("path.sqlite")), vault: PersonVault(key: .random()),
                           engine: engine, plugins: [], jurisdictions: ["TH"])
        let done = delivered
        try host.bus.subscribe(Subscription(name: "delivered", patterns: ["decision.made"]) { _ in done.arrive() })
        try await host.start()
        let organisation = OrganisationID()
        var all: [[CaseID]] = []
        for _ in 0..<count {
            var ids: [CaseID] = []
            for i in 0..<size {
                let person = Person(personal: PersonalData(givenNames: "P\(i)", citizenship: ["LA"]))
                try await host.cases.register(person, actor: .system)
                ids.append(try await host.cases.open(Case(jurisdiction: "TH", ownerOrganisation: organisation, person: person.id,
                                                          opened: CalendarDate("2026-01-10")!), actor: .system).id)
            }
            all.append(ids)
        }
        rounds = Mutex(all)
    }

    public func nextRound() -> [CaseID] { rounds.withLock { $0.removeFirst() } }
    public func peekRound() -> [CaseID] { rounds.withLock { $0[0] } }

    /// What the identification workflow does: read the case and the person, decide on the
    /// screening's facts, and commit the screening and the decision with their events together.
    public func screenAndDecide(_ id: CaseID) async throws {
        let theCase = try await host.records.require(Case.self, id.description).value
        let person = try await host.records.requirePerson(theCase.person).value
        let screening = Screening(caseID: id, interviewer: worker, date: CalendarDate("2026-01-10")!, acts: ["recruitment"],
                                  means: ["deception"], exploitation: ["forced_labour"])
        let decision = try host.decisions.evaluate("identification.pathway", for: theCase,
                                                   facts: screening.facts(person: person, case: theCase))
        try await host.records.commit { change in
            try change.insert(screening)
            change.emit("screening.recorded", jurisdiction: theCase.jurisdiction, subject: "case:\(id)", actor: .user(worker),
                        data: .object(["case_id": .string(id.description), "screening_id": .string(screening.id.description)]))
            try change.record(decision, actor: .user(worker))
        }
    }

    /// The whole path for each of `ids`, `atOnce` at a time: returns when every decision.made has
    /// been delivered to the subscriber.
    public func screenAll(_ ids: [CaseID], atOnce: Int) async {
        await delivered.wait(for: ids.count) {
            Task {
                await withTaskGroup(of: Void.self) { group in
                    for w in 0..<atOnce {
                        group.addTask {
                            for c in stride(from: w, to: ids.count, by: atOnce) { try! await self.screenAndDecide(ids[c]) }
                        }
                    }
                }
            }
        }
    }
}
