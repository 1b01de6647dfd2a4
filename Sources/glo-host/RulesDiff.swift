import ArgumentParser
import Foundation
import GloJSON
import GloKit
import GloStoreSQLite
import GloRules

extension Rules {
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide a corpus with two rule sets and show what changed.",
            discussion: """
                The candidate is laid over the base: it may hold only the pack folders it changes (my-edit/TH/), each
                replacing the base's folder of that name whole; every other pack, and the fact vocabulary unless the
                candidate has its own, comes from the base.
                Prints a summary first: how many lines changed, and a table of outcome from -> to with counts
                (a row whose outcomes are equal counts lines where another field changed, such as the reasons).
                Then each changed line as JSON: {"line": N, "base": ..., "candidate": ...}.
                With --from-store the corpus is the facts of the decisions stored for the jurisdiction and decision
                (the real caseload, oldest first), and each changed line also names its "decision_id".
                Exit 0 whether or not anything changed; 2 when a rule set or the arguments are unusable.
                """
        )

        @Option(name: .customLong("base"), help: "The rules directory in force now.")
        var base: String

        @Option(name: .customLong("candidate"), help: "The edited rules: a whole rules directory, or a folder holding only the pack folders that changed.")
        var candidate: String

        @OptionGroup var options: DecisionOptions

        @OptionGroup var batch: BatchOptions

        @Flag(name: .customLong("from-store"), help: "Take the corpus from the stored decisions (see --db, --config).")
        var fromStore = false

        @OptionGroup var store: StoreOptions

        func validate() throws {
            if fromStore && batch.input != nil { throw ValidationError("--input and --from-store: give one corpus, not both") }
        }

        func run() async throws {
            let overlay = try CandidateOverlay(base: base, candidate: candidate)
            defer { overlay.remove() }
            let baseDecision = try bind(try loadEngine(base, statesPerPack: batch.jobs), options)
            let candidateDecision = try bind(try loadEngine(overlay.directory, statesPerPack: batch.jobs, paths: overlay.paths), options,
                                             paths: overlay.paths)
            var decisionIDs: [String]? = nil
            var inputPath = batch.input
            if fromStore {
                let corpus = try await storedCorpus()
                decisionIDs = corpus.ids
                inputPath = corpus.path
            }
            defer { if fromStore, let inputPath { ScratchPaths.remove(inputPath) } }
            let source = try InputFile(path: inputPath)
            let changes = tmpfile()!
            defer { fclose(changes) }
            let progress = Progress(label: "lines compared", total: source.lineCount())
            var tally: [Transition: Int] = [:]
            var changed = 0
            let counts = try baseDecision.withEvaluators(count: batch.jobs) { bases in
                try candidateDecision.withEvaluators(count: batch.jobs) { candidates in
                    var workers = zip(bases, candidates).map { DiffWorker(base: $0, candidate: $1, decisionIDs: decisionIDs) }
                    let counts = try BatchRunner.run(
                        reader: LineReader(fileDescriptor: source.fd), workers: &workers,
                        emit: { bytes in _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, changes) } },
                        progress: progress.update
                    ) { worker, line, number, out in worker.compare(line, number: number, into: &out) }
                    for worker in workers {
                        tally.merge(worker.tally, uniquingKeysWith: +)
                        changed += worker.changed
                    }
                    return counts
                }
            }
            progress.finish(counts)
            let corpus = fromStore ? "stored decisions" : "lines"
            var summary = "\(counts.lines) \(corpus), \(changed) changed (\(options.jurisdiction) \(options.decision): \(base) -> \(overlay.description))\n"
            if !tally.isEmpty {
                let rows = tally.sorted { ($0.value, $1.key.description) > ($1.value, $0.key.description) }
                let width = max(12, rows.map { $0.key.description.count }.max() ?? 0)
                summary += "from -> to".padding(toLength: width, withPad: " ", startingAt: 0) + "  count\n"
                for (transition, count) in rows {
                    summary += transition.description.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(count)\n"
                }
            }
            let stdout = FileHandle.standardOutput
            stdout.write(Data(summary.utf8))
            rewind(changes)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&buffer, 1, buffer.count, changes)
                if n <= 0 { break }
                stdout.write(Data(buffer[..<n]))
            }
        }
    }
}

extension Rules.Diff {
    /// The facts of every stored decision of the jurisdiction and decision, as a JSON Lines file
    /// readable only by this user (the facts are personal data), with the decision ids in order.
    func storedCorpus() async throws -> (path: String, ids: [String]) {
        let settings = try await store.settings()
        let (db, vault) = try await openStore(settings)
        let records = Records(store: db, vault: vault)
        let decisions = try await records.list(DecisionRecord.self,
                                               key: .decision(JurisdictionID(options.jurisdiction), options.decision),
                                               limit: Int.max)
        try await db.close()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("glo-corpus-\(UUID().uuidString).jsonl").path
        var text = ""
        for decision in decisions { text += decision.value.factsSnapshot + "\n" }
        ScratchPaths.add(path)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            warn("--from-store: cannot write the corpus to \(path)")
            throw ExitCode(2)
        }
        return (path, decisions.map { $0.value.id.description })
    }
}

/// An outcome change, `victim -> vulnerable_migrant`; an error shows as `error:CODE`.
struct Transition: Hashable, CustomStringConvertible {
    var from: String
    var to: String
    var description: String { "\(from) -> \(to)" }
}

/// Decides each line with both rule sets and keeps the lines whose results differ.
struct DiffWorker {
    let base: DecisionEvaluator
    let candidate: DecisionEvaluator
    /// The stored decision of each line (1-based line -> index + 1), with --from-store.
    let decisionIDs: [String]?
    var tally: [Transition: Int] = [:]
    var changed = 0

    mutating func compare(_ line: UnsafeRawBufferPointer, number: Int, into out: inout [UInt8]) -> Bool {
        let a = base.decide(line)
        let b = candidate.decide(line)
        if case .success(let x) = a, case .success(let y) = b, x == y { return true }
        let left = Self.describe(a), right = Self.describe(b)
        tally[Transition(from: left.outcome, to: right.outcome), default: 0] += 1
        changed += 1
        var change: [String: JSONValue] = ["line": .int(Int64(number)), "base": left.value, "candidate": right.value]
        if let decisionIDs, number >= 1, number <= decisionIDs.count { change["decision_id"] = .string(decisionIDs[number - 1]) }
        JSONWriter.write(.object(change), into: &out)
        out.append(UInt8(ascii: "\n"))
        if case .failure = a { return false }
        if case .failure = b { return false }
        return true
    }

    static func describe(_ result: Result<[UInt8], RuleEvaluationError>) -> (outcome: String, value: JSONValue) {
        switch result {
        case .success(let bytes):
            let value = (try? JSONParser.parse(bytes)) ?? .null
            return (value["outcome"]?.stringValue ?? "?", value)
        case .failure(let error):
            var members: [String: JSONValue] = ["code": .string(error.code), "message": .string(error.message)]
            if let location = error.location { members["location"] = .string(location) }
            return ("error:\(error.code)", ["error": .object(members)])
        }
    }
}
