// The process the reliability test kills with SIGKILL (Tests/GloHostTests/CrashTests.swift).
//
//   glo-crash-writer write  DB RULES   register people and open cases for them, one after another,
//                                      printing "ack <case id>" after each commit is acknowledged;
//                                      a tally plugin counts decisions meanwhile
//   glo-crash-writer drain  DB RULES   start the host, wait until every subscriber has caught up
//                                      with the log, and print a JSON report
//   glo-crash-writer legacy DB RULES N write N people, each with a case and case facts, sealed as
//                                      glo-host sealed them before envelope encryption (the migration test)
//   glo-crash-writer people DB RULES N register N people, 500 to a commit (the rotation test)
//   glo-crash-writer check  DB RULES   open every person with the key file's keys; print a JSON report
//
// DB is a SQLite file, or (legacy, people, check) a postgres:// URL: the data-protection tests run on
// both stores. The master key file is GLO_CRASH_KEY_FILE, or else DB.key beside a SQLite file.
import Foundation
import GloJSON
import GloKit
import GloRules
import GloStorePostgres
import GloStoreSQLite
import PluginTally

/// Straight to the file descriptor: an "ack" line is out before the next write starts.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let arguments = CommandLine.arguments
guard (4...5).contains(arguments.count), ["write", "drain", "legacy", "people", "check"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: glo-crash-writer write|drain|legacy|people|check DB RULES [N]\n".utf8))
    exit(2)
}
let (mode, dbPath, rulesDir) = (arguments[1], arguments[2], arguments[3])
let count = arguments.count == 5 ? Int(arguments[4]) ?? 0 : 0

let onPostgres = dbPath.hasPrefix("postgres://") || dbPath.hasPrefix("postgresql://")
let keyFile = ProcessInfo.processInfo.environment["GLO_CRASH_KEY_FILE"] ?? dbPath + ".key"
let vault = PersonVault(masters: MasterKeys(try VaultKey.loadAll(path: keyFile).0, file: keyFile))
if ["legacy", "people", "check"].contains(mode) {
    let store: any Store = onPostgres ? try await PostgresStore(url: dbPath) : try SQLiteStore(path: dbPath)
    try await DataProtectionModes.run(mode, store: store, vault: vault, count: count)
    try await store.close()
    exit(0)
}
guard !onPostgres else {
    FileHandle.standardError.write(Data("glo-crash-writer: \(mode) runs on SQLite only\n".utf8))
    exit(2)
}
let store = try SQLiteStore(path: dbPath)
let engine = try RuleEngine(directory: rulesDir, statesPerPack: 2)
let host = try GloHost(store: store, vault: vault, engine: engine, plugins: [TallyPlugin()],
                       jurisdictions: [JurisdictionID("TH")], retry: RetryPolicy(attempts: 2, firstDelay: .milliseconds(5)),
                       pollInterval: .milliseconds(50))
try await host.start()
let organisation = OrganisationID()
let interviewer = UserID()

if mode == "write" {
    var n = 0
    while true {
        n += 1
        let person = Person(personal: PersonalData(givenNames: "Writer \(n)", familyName: "Test", citizenship: ["LA"]))
        try await host.cases.register(person, actor: .system)
        let theCase = try await host.cases.open(
            Case(jurisdiction: "TH", ownerOrganisation: organisation, person: person.id, opened: CalendarDate(year: 2026, month: 1, day: 10)!),
            actor: .system)
        let screening = Screening(caseID: theCase.id, interviewer: interviewer, date: CalendarDate(year: 2026, month: 1, day: 10)!,
                                  acts: ["recruitment"], means: ["deception"], exploitation: ["forced_labour"])
        try await host.cases.record(screening, actor: .system)
        try await host.decisions.decide("identification.pathway", for: theCase.id,
                                        facts: try await host.cases.facts(for: theCase.id), actor: .system)
        say("ack \(theCase.id)")
    }
} else {
    let last = try await store.lastSequence()
    try await host.bus.drain(through: last, timeout: .seconds(60))
    await host.stop()
    let events = try await store.events(after: 0, limit: Int.max)
    let decisions = events.filter { $0.type == "decision.made" }.count
    let tally = try await host.records.get(Tally.self, "TH")?.value
    let counted = tally?.counts.values.reduce(0, +) ?? 0
    let cases = try await store.records(Case.collection, after: nil, limit: Int.max).map(\.id)
    let report: JSONValue = .object([
        "last_sequence": .int(last),
        "sequences": .array(events.map { .int($0.sequence) }),
        "decisions": .int(Int64(decisions)),
        "tally_counted": .int(Int64(counted)),
        "tally_last_sequence": .int(tally?.lastSequence ?? 0),
        "checkpoint": .int(try await store.checkpoint("tally").position),
        "cases": .array(cases.map(JSONValue.string)),
    ])
    say(JSONWriter.string(report, sortKeys: true))
    try await store.close()
}
