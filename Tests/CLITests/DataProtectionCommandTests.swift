import Foundation
import GloJSON
import Testing
import TestScratch

/// What an administrator does to protect the people's data (README, "Data protection"), with the
/// built `glo-host`, on a store the crash writer fills: a migration and a rotation killed with
/// SIGKILL and run again (on SQLite, and on PostgreSQL when `GLO_TEST_POSTGRES_URL` names a server),
/// an erasure that reaches a backup taken before it, a tampered audit log.
@Suite("glo-host data protection: keys, erasure, backup, audit", .serialized)
struct DataProtectionCommandTests {
    /// A host folder whose store holds `count` people, written by the crash writer in `mode`
    /// (`legacy`: sealed as before envelope encryption, with a case and case facts each; `people`: now).
    /// `db` is the SQLite file or the PostgreSQL URL, `keyFile` the master key file.
    struct HostStore {
        var dir: String, config: [String], db: String, keyFile: String, backend: Backend
        var rules: String { dir + "/rules" }
    }

    func store(_ mode: String, _ count: Int, on backend: Backend = .sqlite) throws -> HostStore {
        let postgres = backend == .postgres ? try freshPostgresDatabase() : nil
        let dir = try hostFolder(db: postgres)
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let (db, keyFile) = (postgres ?? dir + "/data/glo.sqlite", dir + "/data/glo.sqlite.key")
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() + "\n"
        #expect(FileManager.default.createFile(atPath: keyFile, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]))
        let host = HostStore(dir: dir, config: ["--config", dir + "/glo-host.yaml"], db: db, keyFile: keyFile, backend: backend)
        let wrote = try crashWriter([mode, db, host.rules, String(count)], keyFile: keyFile)
        #expect(wrote.status == 0 && wrote.stdout.contains("wrote \(count)"), "\(wrote.stderr)")
        return host
    }

    func crashWriter(_ arguments: [String], keyFile: String) throws -> Run {
        try run(builtProducts.appendingPathComponent("glo-crash-writer").path, arguments, environment: ["GLO_CRASH_KEY_FILE": keyFile])
    }

    /// Every person of the host's store opened with its key file: persons, opened, erased, failed, facts_opened.
    func check(_ host: HostStore) throws -> JSONValue {
        let report = try crashWriter(["check", host.db, host.rules], keyFile: host.keyFile)
        #expect(report.status == 0, "\(report.stderr)")
        return try JSONParser.parse(report.lines.last ?? "")
    }

    /// One statement on the store, with sqlite3 or psql; records' bodies are read as `BODY` (text on both).
    func sql(_ host: HostStore, _ statement: String) throws -> String {
        if host.backend == .sqlite {
            return try sql(host.db, statement.replacingOccurrences(of: "BODY", with: "CAST(body AS TEXT)"))
        }
        let r = try run(psql, [host.db, "-At", "-v", "ON_ERROR_STOP=1", "-c",
                                          statement.replacingOccurrences(of: "BODY", with: "convert_from(body, 'UTF8')")])
        #expect(r.status == 0, "\(statement): \(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sql(_ db: String, _ statement: String) throws -> String {
        let r = try run("/usr/bin/sqlite3", [db, statement])
        #expect(r.status == 0, "\(statement): \(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `glo-host` in the background until stderr shows `text`, then kills it with SIGKILL.
    func killWhen(_ arguments: [String], shows text: String, in dir: String) throws {
        let process = try Background(builtProducts.appendingPathComponent("glo-host").path, arguments, directory: dir)
        #expect(process.wait(for: text, seconds: 60), "\(process.stderr)")
        process.signal(SIGKILL)
        _ = process.exitStatus()
        #expect(process.process.terminationReason == .uncaughtSignal, "it ended on its own before the kill: \(process.stderr)")
    }

    @Test("the envelope migration killed with SIGKILL resumes, and every person and every case's facts open", arguments: Backend.all)
    func migrationResumesAfterSIGKILL(backend: Backend) throws {
        let host = try store("legacy", 3_000, on: backend)
        let config = host.config
        #expect(try glohost(["keys", "status"] + config).stdout.contains("not migrated yet"))
        try killWhen(["keys", "migrate"] + config, shows: "person: 1000 re-sealed", in: host.dir)
        // Cut short: some people are sealed under their own key, some still the old way.
        let moved = Int(try sql(host, "SELECT count(*) FROM records WHERE collection = 'person' AND BODY LIKE '%sealed:2:%'")) ?? -1
        #expect(moved >= 1_000 && moved < 3_000, "\(moved) of 3000 moved before the kill")

        let again = try glohost(["keys", "migrate"] + config)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("every value is sealed under its person's key"))
        let report = try check(host)
        #expect(report["persons"] == .int(3_000) && report["opened"] == .int(3_000) && report["failed"] == .int(0), "\(report)")
        #expect(report["facts_opened"] == .int(3_000), "\(report)")
        #expect(try sql(host, "SELECT count(*) FROM records WHERE BODY LIKE '%\"sealed:%' AND BODY NOT LIKE '%\"sealed:2:%'") == "0")
        #expect(try glohost(["keys", "status"] + config).stdout.contains("every value sealed under its person's key"))
    }

    @Test("a key rotation killed with SIGKILL resumes with both keys; then every person opens and the old key is refused",
          arguments: Backend.all)
    func rotationResumesAfterSIGKILL(backend: Backend) throws {
        let host = try store("people", 6_000, on: backend)
        let config = host.config
        let migrated = try glohost(["keys", "migrate"] + config)
        #expect(migrated.status == 0 && migrated.stdout.contains("0 records re-sealed") && !migrated.stderr.contains("re-sealed"),
                "nothing to re-seal, and no progress line about it: \(migrated.stderr)")
        let old = try String(contentsOfFile: host.keyFile, encoding: .utf8)
        try killWhen(["keys", "rotate"] + config, shows: "data keys re-wrapped", in: host.dir)
        // Cut short: the key file holds the new key, then the old; the ring has keys wrapped by each.
        let keys = try String(contentsOfFile: host.keyFile, encoding: .utf8).split(separator: "\n")
        #expect(keys.count == 2 && keys[1] + "\n" == old)
        let status = try glohost(["keys", "status"] + config).stdout
        let wrapping = status.split(separator: "\n").filter { $0.hasPrefix("master key") && !$0.hasSuffix("wraps 0 data keys") }
        #expect(wrapping.count == 2, "both master keys wrap data keys mid-rotation: \(status)")
        // Meanwhile both keys open every person.
        #expect(try check(host)["opened"] == .int(6_000))

        let again = try glohost(["keys", "rotate"] + config)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("resuming the rotation"))
        #expect(again.stdout.contains("is retired and was removed from"))
        #expect(try String(contentsOfFile: host.keyFile, encoding: .utf8).split(separator: "\n") == [keys[0]])
        let report = try check(host)
        #expect(report["opened"] == .int(6_000) && report["failed"] == .int(0), "\(report)")

        // A host still holding the old key is refused, saying why and what to do.
        try old.write(toFile: host.keyFile, atomically: true, encoding: .utf8)
        let refused = try glohost(["keys", "status"] + config)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("was replaced by `glo-host keys rotate`") && refused.stderr.contains("use the key file the rotation wrote"),
                "\(refused.stderr)")
    }

    @Test("an erased person cannot be opened from a backup taken before the erasure; the others can; bad input is named")
    func erasureReachesBackups() throws {
        let host = try store("people", 5)
        let (dir, config, db) = (host.dir, host.config, host.db)
        #expect(try glohost(["keys", "migrate"] + config).status == 0)
        let backup = dir + "/before.backup"
        let backedUp = try glohost(["store", "backup", "--to", backup] + config)
        #expect(backedUp.status == 0, "\(backedUp.stderr)")
        #expect(!(try String(contentsOfFile: backup, encoding: .isoLatin1)).contains("Rotated"), "the backup is sealed")
        let id = try sql(db, "SELECT id FROM records WHERE collection = 'person' ORDER BY id LIMIT 1")

        #expect(try glohost(["persons", "erase", id, "--reason", "because"] + config).stderr.contains("--reason: 'because' is not one of"))
        #expect(try glohost(["persons", "erase", "nobody", "--reason", "data_subject_request"] + config).stderr.contains("ID: 'nobody' is not a person's id"))
        let erased = try glohost(["persons", "erase", id, "--reason", "data_subject_request", "--reference", "DSR-2026/7"] + config)
        #expect(erased.status == 0 && erased.stdout.contains("person \(id) erased"), "\(erased.stderr)")
        #expect(try glohost(["persons", "erase", id, "--reason", "data_subject_request"] + config).stdout.contains("was erased before"))
        #expect(try check(host)["erased"] == .int(1))

        let restoredPath = dir + "/restored.sqlite"
        let restored = try glohost(["store", "restore", "--from", backup, "--to", restoredPath] + config)
        #expect(restored.status == 0, "\(restored.stderr)")
        var restoredHost = host
        restoredHost.db = restoredPath
        let report = try check(restoredHost)
        #expect(report["persons"] == .int(5) && report["erased"] == .int(1) && report["opened"] == .int(4) && report["failed"] == .int(0),
                "\(report)")
        // The erasure is in the audit log, with the reason and the reference, and no name.
        let audit = try sql(db, "SELECT CAST(body AS TEXT) FROM records WHERE collection = 'audit' AND CAST(body AS TEXT) LIKE '%person:\(id)%'")
        #expect(audit.contains("data_subject_request") && audit.contains("DSR-2026/7") && !audit.contains("Rotated"), "\(audit)")
    }

    @Test("retention sweep reads the period of each jurisdiction of the settings' rules; a dry run erases nothing; a bad date is named")
    func retentionSweepCommand() throws {
        let host = try store("people", 2)
        let (dir, config) = (host.dir, host.config)
        let settings = try String(contentsOfFile: dir + "/glo-host.yaml", encoding: .utf8)
        try (settings + "\nretention:\n  days:\n    TH: 30\n").write(toFile: dir + "/glo-host.yaml", atomically: true, encoding: .utf8)
        // From the host's folder, as an admin would run it: the rules are the settings', not ./Config/jurisdictions.
        let process = Process()
        process.executableURL = builtProducts.appendingPathComponent("glo-host")
        process.arguments = ["retention", "sweep", "--dry-run"] + config
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && stdout.contains("0 to erase (dry run: nothing erased)"), "\(stdout)\(stderr)")
        #expect(!stderr.contains("no retention period is set"), "\(stderr)")
        let bad = try glohost(["retention", "sweep", "--at", "2026-13-01"] + config)
        #expect(bad.status != 0 && bad.stderr.contains("--at: '2026-13-01' is not an ISO date"))
    }

    @Test("audit verify names an entry changed, one removed and two reordered in the database, and passes the untouched log")
    func auditVerifyNamesTampering() throws {
        let host = try store("people", 3)
        let (dir, config, db) = (host.dir, host.config, host.db)
        for n in 0..<4 {
            let add = try glohost(["users", "add"] + config + ["--name", "User \(n)", "--roles", "caseworker", "--jurisdictions", "TH"])
            if add.status != 0 { Issue.record("users add: \(add.stderr)"); return }
        }
        #expect(try glohost(["audit", "sign"] + config).stdout.contains("signed the head at entry"))
        let whole = try glohost(["audit", "verify"] + config)
        #expect(whole.status == 0 && whole.stdout.contains("the audit log is whole"), "\(whole.stdout)\(whole.stderr)")
        let ids = try sql(db, "SELECT entry_id FROM audit_chain ORDER BY position").split(separator: "\n").map(String.init)
        #expect(ids.count >= 4)

        func tampered(_ statement: String) throws -> Run {
            let copy = dir + "/tampered-\(UUID().uuidString).sqlite"
            _ = try sql(db, "VACUUM INTO '\(copy)'")
            _ = try sql(copy, statement)
            return try glohost(["audit", "verify", "--db", copy] + config)
        }
        let changed = try tampered("UPDATE records SET body = CAST(replace(CAST(body AS TEXT), 'caseworker', 'admin') AS BLOB) WHERE collection = 'audit' AND id = '\(ids[1])'")
        #expect(changed.status == 1 && changed.stdout.contains("FIRST: entry 2 (\(ids[1])) was changed"), "\(changed.stdout)")
        let removed = try tampered("DELETE FROM records WHERE collection = 'audit' AND id = '\(ids[2])'")
        #expect(removed.status == 1 && removed.stdout.contains("FIRST: entry 3 (\(ids[2])) was removed"), "\(removed.stdout)")
        // Two entries swapped: each row holds what was chained at the other's place.
        let swapped = try tampered("""
            UPDATE records SET id = 'swap' WHERE collection = 'audit' AND id = '\(ids[0])';
            UPDATE records SET id = '\(ids[0])' WHERE collection = 'audit' AND id = '\(ids[3])';
            UPDATE records SET id = '\(ids[3])' WHERE collection = 'audit' AND id = 'swap';
            """)
        #expect(swapped.status == 1 && swapped.stdout.contains("FIRST: entry 1 (\(ids[0])) was reordered: it holds what was entry 4"), "\(swapped.stdout)")
        #expect(swapped.stdout.contains("entry 4 (\(ids[3])) was reordered: it holds what was entry 1"), "\(swapped.stdout)")
        // The last link removed with it (the chain shortened to hide an entry) is caught by the signed head.
        let rewritten = try tampered("DELETE FROM audit_chain WHERE position = (SELECT max(position) FROM audit_chain)")
        #expect(rewritten.status == 1 && rewritten.stdout.contains("was added outside the chain")
                && rewritten.stdout.contains("differs from the head signed"), "\(rewritten.stdout)")
    }
}

/// Runs an executable to its end; exit code, stdout and stderr.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

/// The stores the data-protection commands are tested on: SQLite always, PostgreSQL when
/// `GLO_TEST_POSTGRES_URL` names a server (`scripts/postgres-test-server.sh` starts one).
enum Backend: String, CustomTestStringConvertible, Sendable {
    case sqlite = "SQLite", postgres = "PostgreSQL"
    var testDescription: String { rawValue }
    static let all: [Backend] = [.sqlite] + (ProcessInfo.processInfo.environment["GLO_TEST_POSTGRES_URL", default: ""].isEmpty ? [] : [.postgres])
}

/// psql on the PATH, or else Debian's newest (scripts/postgres-test-server.sh may have installed it).
let psql: String = {
    let fm = FileManager.default
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/psql" }
    let debian = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
        .sorted { $0.compare($1, options: .numeric) == .orderedDescending }.map { "/usr/lib/postgresql/\($0)/bin/psql" }
    return (path + debian).first { fm.isExecutableFile(atPath: $0) } ?? "/usr/bin/psql"
}()

/// An empty database on the server of `GLO_TEST_POSTGRES_URL`, by psql; its URL.
func freshPostgresDatabase() throws -> String {
    guard let base = ProcessInfo.processInfo.environment["GLO_TEST_POSTGRES_URL"], var url = URLComponents(string: base) else {
        throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "GLO_TEST_POSTGRES_URL is not set"])
    }
    let name = "glo_cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let made = try run(psql, [base, "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
    #expect(made.status == 0, "CREATE DATABASE: \(made.stderr)")
    url.path = "/" + name
    return url.string ?? base
}
