import Foundation
import GloJSON
import Testing
import TestScratch

/// A `glo-host` (or other) process left running, its stderr going to a file the test can read.
final class Background {
    let process = Process()
    let log: String

    init(_ executable: String, _ arguments: [String], directory: String, environment: [String: String] = [:]) throws {
        log = directory + "/stderr-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
    }

    var stderr: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Waits until stderr contains `text`; false after `seconds`.
    func wait(for text: String, seconds: Double = 20) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            usleep(20_000)
        }
        return false
    }

    func signal(_ s: Int32) { kill(process.processIdentifier, s) }

    func exitStatus(seconds: Double = 20) -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { usleep(20_000) }
        if process.isRunning {
            signal(SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}

var builtProducts: URL {
    let next = Bundle.main.bundleURL
    return FileManager.default.fileExists(atPath: next.appendingPathComponent("glo-host").path)
        ? next : packageRoot.appendingPathComponent(".build/debug")
}

/// A folder with a settings file that points at its own database, key and a copy of the rules.
/// `db` and `keyFile` default to `data/glo.sqlite` and `data/glo.sqlite.key` in the folder.
func hostFolder(rules: String = shippedRules, plugins: [String] = ["tally"], db: String? = nil, keyFile: String? = nil) throws -> String {
    let dir = TestScratch.folder("glo-serve").path
    try FileManager.default.copyItem(atPath: rules, toPath: dir + "/rules")
    try TestScratch.addVocabulary(to: dir + "/rules")
    try """
        db: \(db ?? dir + "/data/glo.sqlite")
        key_file: \(keyFile ?? dir + "/data/glo.sqlite.key")
        rules: \(dir)/rules
        plugins: [\(plugins.joined(separator: ", "))]
        reload:
          watch: true
          interval_ms: 100
        events:
          poll_interval_ms: 50
        """.write(toFile: dir + "/glo-host.yaml", atomically: true, encoding: .utf8)
    return dir
}

/// Fills the folder's store with cases and decisions through GloKit (the crash writer), for a while.
func populate(_ dir: String, seconds: Double = 1.5) throws {
    let writer = try Background(builtProducts.appendingPathComponent("glo-crash-writer").path,
                                ["write", dir + "/data/glo.sqlite", dir + "/rules"], directory: dir)
    usleep(UInt32(seconds * 1_000_000))
    writer.signal(SIGKILL)
    _ = writer.exitStatus()
}

@Suite("glo-host serve, plugins and events", .serialized)
struct HostCommandTests {
    var glohostPath: String { builtProducts.appendingPathComponent("glo-host").path }

    @Test("plugins list shows each compiled plugin with what it handles and needs")
    func pluginsList() throws {
        let run = try glohost(["plugins", "list", "--json"])
        #expect(run.status == 0)
        let plugins = try run.lines.map { try JSONParser.parse($0) }
        // By id; a plugin added to the catalog joins the list without this test changing.
        let ids = plugins.compactMap { $0["id"]?.stringValue }
        #expect(ids == ids.sorted())
        #expect(Set(["identification", "immigration", "legal-aid", "legal-process", "reporting", "return", "shelter", "tally"]).isSubset(of: ids))
        let tally = try #require(plugins.first { $0["id"] == .string("tally") })
        #expect(tally["id"] == .string("tally"))
        #expect(tally["handles"] == .array([.string("decision.made")]))
        #expect(tally["decisions_needed"] == .array([.string("identification.pathway")]))
    }

    @Test("serve refuses to start with an unknown plugin, a pack lacking a needed decision, or a foreign database")
    func startupRefusals() throws {
        let dir = try hostFolder()
        let unknown = try glohost(["serve", "--config", dir + "/glo-host.yaml", "--plugins", "tally,shelterr"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown plugin 'shelterr' (known: ") && unknown.stderr.contains("legal-process, reporting, return, shelter, tally)"),
                "\(unknown.stderr)")

        // A pack without identification.pathway, which the tally plugin needs.
        try FileManager.default.createDirectory(atPath: dir + "/rules/QQ", withIntermediateDirectories: true)
        try "id: QQ\nname: Q\nversion: '1'\n".write(toFile: dir + "/rules/QQ/pack.yaml", atomically: true, encoding: .utf8)
        try "return { other = function() return { outcome = 'x' } end }\n"
            .write(toFile: dir + "/rules/QQ/return.lua", atomically: true, encoding: .utf8)
        let gap = try glohost(["serve", "--config", dir + "/glo-host.yaml", "--jurisdictions", "TH,QQ"])
        #expect(gap.status == 2)
        #expect(gap.stderr.contains("plugin 'tally' needs decision 'identification.pathway', which the QQ pack in force on"))
        #expect(gap.stderr.contains("serve only the jurisdictions whose packs provide them (--jurisdictions TH,LA)"))
        // A start that cannot work leaves nothing behind: no database, no key.
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/glo.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/glo.sqlite.key"))

        try Data("this is not a database at all, just text".utf8).write(to: URL(fileURLWithPath: dir + "/junk.sqlite"))
        let junk = try glohost(["serve", "--config", dir + "/glo-host.yaml", "--jurisdictions", "TH", "--db", dir + "/junk.sqlite"])
        #expect(junk.status == 2)
        #expect(junk.stderr.contains("junk.sqlite is not a SQLite database"))
    }

    @Test("serve runs the bus and plugins, reloads packs on change keeping the old on a broken edit, and stops gracefully")
    func serveLifecycle() throws {
        let dir = try hostFolder()
        try populate(dir)
        let serve = try Background(glohostPath, ["serve", "--config", dir + "/glo-host.yaml", "--jurisdictions", "TH,LA"],
                                   directory: dir)
        #expect(serve.wait(for: "host started"))

        // A broken edit: logged with file:line, the old packs keep serving.
        let broken = dir + "/rules/LA/broken.lua"
        try "return {\n  pathway = function(\n".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(serve.wait(for: "rule packs NOT reloaded"))
        #expect(serve.stderr.contains("LA/broken.lua:3"))
        try FileManager.default.removeItem(atPath: broken)
        #expect(serve.wait(for: "rule packs reloaded"))
        serve.signal(SIGHUP)
        #expect(serve.wait(for: "reason=SIGHUP"))
        #expect(serve.process.isRunning)

        // The tally plugin catches up with the decisions the writer made, then SIGTERM stops it cleanly.
        usleep(500_000)
        serve.signal(SIGTERM)
        #expect(serve.exitStatus() == 0)
        #expect(serve.stderr.contains("host stopped"))

        let tail = try glohost(["events", "tail", "--config", dir + "/glo-host.yaml", "--type", "decision.made", "-n", "100000"])
        #expect(tail.status == 0)
        let decisions = tail.lines.count
        #expect(decisions > 0)
        let state = try glohost(["events", "dead-letters", "--config", dir + "/glo-host.yaml", "--state", "all"])
        #expect(state.status == 0 && state.lines.isEmpty)
        // No personal field reaches the logs or the event log.
        #expect(!serve.stderr.contains("Writer "))
        #expect(!tail.stdout.contains("Writer "))
    }

    @Test("events tail, replay and dead-letters; and clear errors for a missing store")
    func eventsCommands() throws {
        let dir = try hostFolder()
        try populate(dir, seconds: 1)
        let config = ["--config", dir + "/glo-host.yaml"]
        let all = try glohost(["events", "tail", "--from", "1"] + config)
        #expect(all.status == 0)
        let sequences = try all.lines.map { try JSONParser.parse($0)["sequence"]?.intValue ?? -1 }
        #expect(!sequences.isEmpty && sequences == Array(1...Int64(sequences.count)))
        let first = try JSONParser.parse(all.lines[0])
        #expect(first["type"] == .string("person.registered"))

        let last3 = try glohost(["events", "tail", "-n", "3"] + config)
        #expect(last3.lines.count == 3)

        let replay = try glohost(["events", "replay", "--subscriber", "tally", "--from", "2"] + config)
        #expect(replay.status == 0)
        #expect(replay.stdout.contains("tally rewound: events 2..."))
        let unknown = try glohost(["events", "replay", "--subscriber", "nobody", "--from", "2"] + config)
        #expect(unknown.status == 2 && unknown.stderr.contains("--subscriber: no subscriber 'nobody'"))

        let retry = try glohost(["events", "dead-letters", "retry", "tally@999"] + config)
        #expect(retry.status == 1 && retry.stderr.contains("no dead letter tally@999"))
        let neither = try glohost(["events", "dead-letters", "retry"] + config)
        #expect(neither.status == 2)

        let missing = try glohost(["events", "tail", "--db", dir + "/nothing-here.sqlite"] + config)
        #expect(missing.status == 2 && missing.stderr.contains("there is no database there"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/nothing-here.sqlite"))
    }

    @Test("rules diff --from-store decides the stored caseload with both rule sets")
    func diffFromStore() throws {
        let dir = try hostFolder()
        try populate(dir, seconds: 1)
        let candidate = dir + "/candidate"
        try FileManager.default.copyItem(atPath: dir + "/rules", toPath: candidate)
        // A candidate TH that calls everything undetermined.
        let th = candidate + "/TH/identification.lua"
        let original = try String(contentsOfFile: th, encoding: .utf8)
        let edited = original.replacingOccurrences(
            of: "return { pathway = pathway,",
            with: "return { pathway = function() return { outcome = \"undetermined\", reasons = { \"candidate\" } } end,")
        #expect(edited != original)
        try edited.write(toFile: th, atomically: true, encoding: .utf8)
        let same = try glohost(["rules", "diff", "--base", dir + "/rules", "--candidate", dir + "/rules", "--jurisdiction", "TH",
                                "--decision", "identification.pathway", "--from-store", "--config", dir + "/glo-host.yaml"])
        #expect(same.status == 0)
        let counts = try #require(same.lines.first { $0.contains("stored decisions, ") }, "\(same.stdout)")
        let stored = Int(counts.split(separator: " ").first?.filter(\.isNumber) ?? "") ?? 0
        #expect(stored > 0)
        #expect(counts.contains("stored decisions, 0 changed"))

        let changed = try glohost(["rules", "diff", "--base", dir + "/rules", "--candidate", candidate, "--jurisdiction", "TH",
                                   "--decision", "identification.pathway", "--from-store", "--config", dir + "/glo-host.yaml",
                                   "--format", "jsonl"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains(" stored decisions, \(counts.split(separator: " ").first ?? "") changed"), "\(changed.stderr.prefix(300))")
        #expect(changed.lines.count == stored)
        let line = try JSONParser.parse(try #require(changed.lines.last))
        #expect(line["decision_id"]?.stringValue?.count == 36)
        #expect(line["candidate"]?["outcome"] == .string("undetermined"))

        // The examples of stored cases name their decision, and keep their facts (personal data) out of the report.
        let table = try glohost(["rules", "diff", "--base", dir + "/rules", "--candidate", candidate, "--jurisdiction", "TH",
                                 "--decision", "identification.pathway", "--from-store", "--config", dir + "/glo-host.yaml"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("    facts: not shown (a stored case's personal data: see its decision)"), "\(table.stdout.prefix(2000))")
        let firstLine = try #require(changed.lines.first)
        let first = try #require(try JSONParser.parse(firstLine)["decision_id"]?.stringValue)
        #expect(table.stdout.contains(", decision \(first)\n"), "\(table.stdout.prefix(2000))")
    }
}
