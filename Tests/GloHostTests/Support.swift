import Foundation
import GloJSON
import GloKit
import GloRules
import GloStoreSQLite
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let shippedRules = packageRoot.appendingPathComponent("Config/jurisdictions").path

func temporaryFolder(_ name: String = "glo-host") -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// A store backend the shared store suite runs against. PostgreSQL joins this list in its issue.
struct StoreBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// A fresh, empty store; calling `reopen` on its location gives the same data back.
    var make: @Sendable () throws -> (store: any Store, reopen: @Sendable () throws -> any Store)

    var testDescription: String { name }

    static let sqlite = StoreBackend(name: "SQLite") {
        let path = temporaryFolder() + "/glo.sqlite"
        return (try SQLiteStore(path: path), { try SQLiteStore(path: path) })
    }

    static let all: [StoreBackend] = [.sqlite]
}

let testVault = PersonVault(key: VaultKey.random())

/// The shipped rules, loaded once for the whole suite.
let shippedEngine: RuleEngine = try! RuleEngine(directory: shippedRules, statesPerPack: 2)

func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

/// A person, a case in `jurisdiction` opened on `opened`, and a screening that shows trafficking.
func openScreenedCase(_ host: GloHost, jurisdiction: String = "TH", opened: String = "2026-01-10",
                      name: String = "Somchai") async throws -> Case {
    let person = Person(personal: PersonalData(givenNames: name, familyName: "Test", citizenship: ["LA"]))
    try await host.cases.register(person, actor: .system)
    let theCase = try await host.cases.open(
        Case(jurisdiction: JurisdictionID(jurisdiction), ownerOrganisation: OrganisationID(), person: person.id,
             opened: day(opened)), actor: .system)
    try await host.cases.record(Screening(caseID: theCase.id, interviewer: UserID(), date: day(opened),
                                          acts: [.recruitment], means: [.deception], exploitation: [.forcedLabour]),
                                actor: .system)
    return theCase
}

/// Polls `condition` until it holds, for at most `seconds`.
func eventually(_ seconds: Double = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Collects what a subscriber was given, in order.
final class Collector: Sendable {
    private let seen = Mutex<[Int64]>([])
    var sequences: [Int64] { seen.withLock { $0 } }
    func add(_ event: Event) { seen.withLock { $0.append(event.sequence) } }
}

import Synchronization
