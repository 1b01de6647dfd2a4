import ArgumentParser
import Foundation
import GloKit

/// `glo-host persons erase ID --reason R`: a data-protection officer's erasure from the command line.
struct PersonsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persons",
        abstract: "Erase a person's data.",
        subcommands: [Erase.self])

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Destroy a person's data key: their data can no longer be read, in the store, a backup or an export.",
            discussion: """
                The person stays as a tombstone (the id and the dates) so that statistics, the event log and the audit
                log stay whole; their cases stay, with their outcomes. The erasure is audited with the reason. It cannot
                be undone.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The person's id (a UUID).")
        var id: String
        @Option(name: .customLong("reason"), help: "Why: \(Erasure.Reason.allCases.map(\.rawValue).joined(separator: ", ")).")
        var reason: String
        @Option(name: .customLong("reference"), help: "A reference for the audit log, such as the request's number (no personal data).")
        var reference: String?

        func validate() throws {
            if PersonID(id) == nil { throw ValidationError("ID: '\(id)' is not a person's id (a UUID)") }
            if Erasure.Reason(rawValue: reason) == nil {
                throw ValidationError("--reason: '\(reason)' is not one of \(Erasure.Reason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let reference, !Erasure.validReference(reference) {
                throw ValidationError("--reference: must be 1 to 64 letters, digits, '-', '_', '/' or '.'")
            }
        }

        func run() async throws {
            let (db, vault) = try await openStore(try await store.settings())
            let erasure = Erasure(records: Records(store: db, vault: vault))
            do {
                let outcome = try await erasure.erase(PersonID(id)!, reason: Erasure.Reason(rawValue: reason)!, reference: reference,
                                                      by: nil, role: nil, request: "glo-host persons erase")
                print(outcome == .erased ? "person \(id) erased" : "person \(id) was erased before")
                try await db.close()
            } catch let error as GloKitError {
                try? await db.close()
                warn("ID \(id): \(error)")
                throw ExitCode(1)
            }
        }
    }
}
