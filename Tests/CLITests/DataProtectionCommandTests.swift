import Foundation
import GloJSON
import Testing
import TestScratch

/// What an administrator does to protect the people's data (README, "Data protection"), with the
/// built `glo-host`, on a SQLite store the crash writer fills: a migration and a rotation killed with
/// SIGKILL and run again, an erasure that reaches a backup taken before it, a tampered audit log.
@Suite("glo-host data protection: keys, erasure, backup, audit", .serialized)
struct DataProtectionCommandTests {
    /// A host folder whose store holds `count` people, written by the crash writer in `mode`
    /// (`legacy`: sealed as before envelope encryption, with a case and case facts each; `people`: now).
    func store(_ mode: String, _ count: Int) throws -> (dir: String, config: [String], db: String) {
        let dir = try hostFolder()
        let db = dir + "/data/glo.sqlite"
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() + "\n"
        #expect(FileManager.default.createFile(atPath: db + ".key", contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]))
        let wrote = try crashWriter([mode, db, dir + "/rules", String(count)])
        #expect(wrote.status == 0 && wrote.stdout.contains("wrote \(count)"), "\(wrote.stderr)")
        return (dir, ["--config", dir + "/glo-host.yaml"], db)
    }

    func crashWriter(_ arguments: [String]) throws -> Run {
        try run(builtProducts.appendingPathComponent("glo-crash-writer").path, arguments)
    }

    /// Every person of the store at `db` opened with the key file beside it: persons, opened, erased, failed, facts_opened.
    func check(_ db: String, rules: String) throws -> JSONValue {
        let report = try crashWriter(["check", db, rules])
        #expect(report.status == 0, "\(report.stderr)")
        return try JSONParser.parse(report.lines.last ?? "")
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

    @Test("the envelope migration killed with SIGKILL resumes, and every person and every case's facts open")
    func migrationResumesAfterSIGKILL() throws {
        let (dir, config, db) = try store("legacy", 3_000)
        #expect(try glohost(["keys", "status"] + config).stdout.contains("not migrated yet"))
        try killWhen(["keys", "migrate"] + config, shows: "person: 1000 re-sealed", in: dir)
        // Cut short: some people are sealed under their own key, some still the old way.
        let moved = Int(try sql(db, "SELECT count(*) FROM records WHERE collection = 'person' AND CAST(body AS TEXT) LIKE '%sealed:2:%'")) ?? -1
        #expect(moved >= 1_000 && moved < 3_000, "\(moved) of 3000 moved before the kill")

        let again = try glohost(["keys", "migrate"] + config)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("every value is sealed under its person's key"))
        let report = try check(db, rules: dir + "/rules")
        #expect(report["persons"] == .int(3_000) && report["opened"] == .int(3_000) && report["failed"] == .int(0), "\(report)")
        #expect(report["facts_opened"] == .int(3_000), "\(report)")
        #expect(try sql(db, "SELECT count(*) FROM records WHERE CAST(body AS TEXT) LIKE '%\"sealed:%' AND CAST(body AS TEXT) NOT LIKE '%\"sealed:2:%'") == "0")
        #expect(try glohost(["keys", "status"] + config).stdout.contains("every value sealed under its person's key"))
    }

    @Test("a key rotation killed with SIGKILL resumes with both keys; then every person opens and the old key is refused")
    func rotationResumesAfterSIGKILL() throws {
        let (dir, config, db) = try store("people", 6_000)
        let migrated = try glohost(["keys", "migrate"] + config)
        #expect(migrated.status == 0 && migrated.stdout.contains("0 records re-sealed") && !migrated.stderr.contains("re-sealed"),
                "nothing to re-seal, and no progress line about it: \(migrated.stderr)")
        let old = try String(contentsOfFile: db + ".key", encoding: .utf8)
        try killWhen(["keys", "rotate"] + config, shows: "data keys re-wrapped", in: dir)
        // Cut short: the key file holds the new key, then the old; the ring has keys wrapped by each.
        let keys = try String(contentsOfFile: db + ".key", encoding: .utf8).split(separator: "\n")
        #expect(keys.count == 2 && keys[1] + "\n" == old)
        let status = try glohost(["keys", "status"] + config).stdout
        let wrapping = status.split(separator: "\n").filter { $0.hasPrefix("master key") && !$0.hasSuffix("wraps 0 data keys") }
        #expect(wrapping.count == 2, "both master keys wrap data keys mid-rotation: \(status)")
        // Meanwhile both keys open every person.
        #expect(try check(db, rules: dir + "/rules")["opened"] == .int(6_000))

        let again = try glohost(["keys", "rotate"] + config)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("resuming the rotation"))
        #expect(again.stdout.contains("is retired and was removed from"))
        #expect(try String(contentsOfFile: db + ".key", encoding: .utf8).split(separator: "\n") == [keys[0]])
        let report = try check(db, rules: dir + "/rules")
        #expect(report["opened"] == .int(6_000) && report["failed"] == .int(0), "\(report)")

        // A host still holding the old key is refused, saying why and what to do.
        try old.write(toFile: db + ".key", atomically: true, encoding: .utf8)
        let refused = try glohost(["keys", "status"] + config)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("was replaced by `glo-host keys rotate`") && refused.stderr.contains("use the key file the rotation wrote"),
                "\(refused.stderr)")
    }

    @Test("an erased person cannot be opened from a backup taken before the erasure; the others can; bad input is named")
    func erasureReachesBackups() throws {
        let (dir, config, db) = try store("people", 5)
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
        #expect(try check(db, rules: dir + "/rules")["erased"] == .int(1))

        let restoredPath = dir + "/restored.sqlite"
        let restored = try glohost(["store", "restore", "--from", backup, "--to", restoredPath] + config)
        #expect(restored.status == 0, "\(restored.stderr)")
        try FileManager.default.copyItem(atPath: db + ".key", toPath: restoredPath + ".key")
        let report = try check(restoredPath, rules: dir + "/rules")
        #expect(report["persons"] == .int(5) && report["erased"] == .int(1) && report["opened"] == .int(4) && report["failed"] == .int(0),
                "\(report)")
        // The erasure is in the audit log, with the reason and the reference, and no name.
        let audit = try sql(db, "SELECT CAST(body AS TEXT) FROM records WHERE collection = 'audit' AND CAST(body AS TEXT) LIKE '%person:\(id)%'")
        #expect(audit.contains("data_subject_request") && audit.contains("DSR-2026/7") && !audit.contains("Rotated"), "\(audit)")
    }

    @Test("retention sweep reads the period of each jurisdiction of the settings' rules; a dry run erases nothing; a bad date is named")
    func retentionSweepCommand() throws {
        let (dir, config, _) = try store("people", 2)
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
        let (dir, config, db) = try store("people", 3)
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
func run(_ executable: String, _ arguments: [String]) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}
