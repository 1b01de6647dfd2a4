import ArgumentParser
import Foundation
import GloKit

/// `glo-host retention sweep [--dry-run]`: erase the people whose retention period ran out.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Erase the people whose retention period after their cases closed has run out.",
        subcommands: [Sweep.self])

    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase everyone due (serve does it daily); --dry-run lists them and erases nothing.",
            discussion: """
                The period is set per jurisdiction (retention.days.TH: 3650 in the settings) and counts from the day the
                last of a person's cases closed. A person with an open case, or a case in a jurisdiction without a period,
                is kept. Each erasure is audited with the reason retention_expired.
                """)
        @OptionGroup var store: StoreOptions
        @Flag(name: .customLong("dry-run"), help: "List who would be erased; erase nothing.")
        var dryRun = false
        @Option(name: .customLong("at"), help: "The day to sweep as of (ISO date; default today).")
        var at: String?

        func validate() throws {
            if let at, CalendarDate(at) == nil { throw ValidationError("--at: '\(at)' is not an ISO date (YYYY-MM-DD)") }
        }

        func run() async throws {
            let settings = try await store.settings()
            if settings.retentionDays.isEmpty {
                warn("no retention period is set (retention.days.<JURISDICTION> in the settings): nothing is swept")
            }
            let (db, vault) = try await openStore(settings)
            let sweep = RetentionSweep(records: Records(store: db, vault: vault),
                                       days: Dictionary(uniqueKeysWithValues: settings.retentionDays.map { (JurisdictionID($0.key), $0.value) }))
            let report = try await sweep.run(on: at.flatMap(CalendarDate.init) ?? .today(), dryRun: dryRun)
            try await db.close()
            for due in report.due {
                print("\(dryRun ? "would erase" : "due") person \(due.person): \(due.cases) case(s), last closed \(due.lastClosed), kept until \(due.expired)")
            }
            for (person, why) in report.failed { warn("person \(person): not erased: \(why)") }
            print(dryRun ? "\(report.due.count) to erase (dry run: nothing erased)" : "\(report.erased.count) erased, \(report.failed.count) failed")
            if !report.failed.isEmpty { throw ExitCode(1) }
        }
    }
}
