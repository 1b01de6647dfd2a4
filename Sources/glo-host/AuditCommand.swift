import ArgumentParser
import Foundation
import GloKit

/// `glo-host audit verify|sign`: the audit log's hash chain and its signed heads.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the audit log's hash chain and signed heads, or sign its head now.",
        subcommands: [Verify.self, Sign.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every audit entry against the hash chain and every signed head; name what was changed, removed, reordered or added.",
            discussion: "Exit 0 when the log is whole, 1 when something was found, 2 when the store cannot be read.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("public-key"), help: "The host's audit public key (base64) to trust; by default, the one of the audit key file.")
        var publicKey: String?

        func validate() throws {
            if let publicKey, Data(base64Encoded: publicKey)?.count != 32 {
                throw ValidationError("--public-key: expected 32 bytes in base64 (44 characters)")
            }
        }

        func run() async throws {
            let settings = try await store.settings()
            let db = try await openStoreOnly(settings)
            var trusted = publicKey.flatMap { Data(base64Encoded: $0) }.map(Array.init)
            if trusted == nil, FileManager.default.fileExists(atPath: settings.auditKeyFile) {
                trusted = try AuditSigningKey.load(path: settings.auditKeyFile).publicKey
            }
            let report = try await AuditChainCheck(store: db).verify(trusting: trusted)
            try await db.close()
            print("\(report.entries) entries chained, \(report.heads) signed heads, \(report.unsigned) entries after the last signed head")
            for key in report.publicKeys { print("heads signed by \(Data(key).base64EncodedString())") }
            if let first = report.findings.first {
                print("FIRST: \(first)")
                for finding in report.findings.dropFirst() { print("also: \(finding)") }
                print("the audit log was tampered with: \(report.findings.count) finding(s)")
                throw ExitCode(1)
            }
            print("the audit log is whole")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign the audit chain's head now (serve does it at intervals).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try await store.settings()
            let key: AuditSigningKey
            do { key = try AuditSigningKey.load(path: settings.auditKeyFile) } catch {
                warn("audit.key_file \(settings.auditKeyFile): \(error)")
                throw ExitCode(2)
            }
            let db = try await openStoreOnly(settings)
            let head = try await key.signHead(of: db)
            try await db.close()
            print(head.map { "signed the head at entry \($0.position)" } ?? "the head was signed already")
        }
    }
}
