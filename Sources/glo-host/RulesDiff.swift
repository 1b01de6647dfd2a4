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
                The candidate is laid over the base: it may hold only the pack folders it changes (my-edit/TH/), \
                each replacing the base's folder of that name whole; every other pack, and the fact vocabulary \
                unless the candidate has its own, comes from the base. The candidate's own tests for the \
                jurisdiction and its parents run first; their failures head the report, and the corpus is compared \
                all the same.

                --format table (the default) prints for a person the counts, the outcomes from -> to, each \
                changed field with its values from -> to (reasons and basis are counted, not told apart), and the \
                first lines of each change as examples, with their case_ref and facts. markdown says the same, \
                for pasting into an issue. csv writes one row per changed line (line, case_ref, from, to, \
                changed_fields), jsonl one JSON line per changed line ({"line", "case_ref", "base", "candidate"}); \
                both put the summary on stderr.

                A line that fails the same way on both sides (same error code and message) is not a change; such \
                lines are counted apart. The rule (pack version and hash) never counts as a change. With \
                --from-store the corpus is the facts of the decisions stored for the jurisdiction and decision \
                (the real caseload, oldest first), and each changed line also names its decision.

                Progress goes to stderr when it is a terminal. Exit 0 whether or not anything changed; 2 when a \
                rule set or the arguments are unusable.
                """
        )

        @Option(name: .customLong("base"), help: "The rules directory in force now.")
        var base: String

        @Option(name: .customLong("candidate"), help: "The edited rules: a whole rules directory, or a folder holding only the pack folders that changed.")
        var candidate: String

        @OptionGroup var options: DecisionOptions

        @OptionGroup var batch: BatchOptions

        @Option(name: .customLong("format"), help: "table, markdown, csv or jsonl (see above).")
        var format = DiffFormat.table.rawValue

        @Option(name: .customLong("examples"), help: "Example lines shown for each change (table and markdown).")
        var examples = 3

        @Flag(name: .customLong("explain"), help: "Show, for each example, why each side decided: reasons, basis and the facts read (table and markdown).")
        var explain = false

        @Flag(name: .customLong("from-store"), help: "Take the corpus from the stored decisions (see --db, --config).")
        var fromStore = false

        @OptionGroup var store: StoreOptions

        func validate() throws {
            if fromStore && batch.input != nil { throw ValidationError("--input and --from-store: give one corpus, not both") }
            if DiffFormat(rawValue: format) == nil { throw ValidationError("--format '\(format)' is not one of \(DiffFormat.names)") }
            if examples < 0 { throw ValidationError("--examples must be 0 or more") }
        }

        func run() async throws {
            let format = DiffFormat(rawValue: self.format)!
            let overlay = try CandidateOverlay(base: base, candidate: candidate)
            defer { overlay.remove() }
            let basePaths = RulesPaths.plain(base), candidatePaths = overlay.paths
            let baseEngine = try loadEngine(base, statesPerPack: batch.jobs)
            let baseDecision = try bind(baseEngine, options)
            let candidateEngine = try loadEngine(overlay.directory, statesPerPack: batch.jobs, paths: candidatePaths)
            let candidateDecision = try bind(candidateEngine, options, paths: candidatePaths)
            let naming = (base: ErrorNaming(vocabularyFile: baseEngine.vocabulary.file, shownAs: baseEngine.vocabulary.file),
                          candidate: ErrorNaming(vocabularyFile: candidateEngine.vocabulary.file,
                                                 shownAs: candidatePaths.file(candidateEngine.vocabulary.file)))
            let tests = try ownTests(of: candidateEngine, paths: candidatePaths)

            var decisionIDs: [String]? = nil
            var inputPath = batch.input
            if fromStore {
                let corpus = try await storedCorpus()
                decisionIDs = corpus.ids
                inputPath = corpus.path
            }
            defer { if fromStore, let inputPath { ScratchPaths.remove(inputPath) } }
            let source = try InputFile(path: inputPath)
            let progress = Progress(label: "lines compared", total: source.lineCount())
            let stdout = OutputFile()
            let lineWriter = format.lineWriter(fromStore: fromStore)
            if let header = lineWriter?.header, !header.isEmpty { try stdout.write(header) }

            var summary = DiffSummary(examplesPerRow: examples)
            var explanations: [Int: (base: JSONValue?, candidate: JSONValue?)]?
            let counts = try baseDecision.withEvaluators(count: batch.jobs) { bases in
                try candidateDecision.withEvaluators(count: batch.jobs) { candidates in
                    var workers = zip(bases, candidates).map {
                        DiffWorker(base: $0, candidate: $1, naming: naming, decisionIDs: decisionIDs, lineWriter: lineWriter,
                                   summary: DiffSummary(examplesPerRow: examples))
                    }
                    let counts = try BatchRunner.run(
                        reader: LineReader(fileDescriptor: source.fd), workers: &workers,
                        emit: { try stdout.write($0) }, progress: progress.update
                    ) { worker, line, number, out in worker.compare(line, number: number, into: &out) }
                    for worker in workers { summary.merge(worker.summary) }
                    if explain { explanations = Self.explanations(of: summary, base: bases[0], candidate: candidates[0]) }
                    return counts
                }
            }
            progress.finish(counts)

            let report = DiffReport(
                subject: "\(options.jurisdiction) \(options.decision) at \(baseDecision.reference.date)",
                base: base, candidate: overlay.description, corpus: fromStore ? "stored decisions" : "lines",
                lines: counts.lines, summary: summary, candidateTests: tests, explanations: explanations,
                showsFacts: !fromStore, basePaths: basePaths, candidatePaths: candidatePaths)
            switch format {
            case .table: try stdout.write(Array(report.table().utf8))
            case .markdown: try stdout.write(Array(report.markdown().utf8))
            case .csv, .jsonl: warn(([report.title] + report.testFailureLines + [report.counts]).joined(separator: "\n"))
            }
        }

        /// The candidate's own pack tests for the jurisdiction and its parents (every version of each),
        /// their files named as the user knows them.
        func ownTests(of engine: RuleEngine, paths: RulesPaths) throws -> PackTestReport {
            let ruleSet = engine.ruleSet
            let date = try options.date()
            let chain = ruleSet.pack(options.jurisdiction, at: date).flatMap { try? ruleSet.chain(from: $0, at: date) }
            var report = PackTestReport()
            for id in chain?.map(\.id) ?? [options.jurisdiction] {
                let tests = engine.runTests(jurisdiction: id)
                report.passed += tests.passed
                report.failures += tests.failures.map { failure in
                    var failure = failure
                    failure.file = paths.file(failure.file)
                    return failure
                }
                report.perPack += tests.perPack
            }
            return report
        }

        /// Each example line decided again on both sides with the facts read tracked: what `--explain` shows.
        static func explanations(of summary: DiffSummary, base: DecisionEvaluator,
                                 candidate: DecisionEvaluator) -> [Int: (base: JSONValue?, candidate: JSONValue?)] {
            var explanations: [Int: (base: JSONValue?, candidate: JSONValue?)] = [:]
            let examples = (summary.outcomes.values.flatMap(\.examples) + summary.fields.values.flatMap(\.examples))
            for example in examples where explanations[example.line] == nil {
                func explain(_ evaluator: DecisionEvaluator) -> JSONValue? {
                    var out: [UInt8] = []
                    let facts = Array(example.facts.utf8)
                    _ = facts.withUnsafeBytes { evaluator.evaluateLine($0, number: example.line, explain: true, into: &out) }
                    return (try? JSONParser.parse(out))?["explanation"]
                }
                explanations[example.line] = (explain(base), explain(candidate))
            }
            return explanations
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

/// Decides each line with both rule sets and counts what changed; for csv and jsonl it also writes
/// each changed line.
struct DiffWorker {
    let base: DecisionEvaluator
    let candidate: DecisionEvaluator
    let naming: (base: ErrorNaming, candidate: ErrorNaming)
    /// The stored decision of each line (1-based line -> index + 1), with --from-store.
    let decisionIDs: [String]?
    let lineWriter: DiffLineWriter?
    var summary: DiffSummary

    /// Returns whether both sides decided the line.
    mutating func compare(_ line: UnsafeRawBufferPointer, number: Int, into out: inout [UInt8]) -> Bool {
        let a = base.decide(line)
        let b = candidate.decide(line)
        switch LineComparison(base: a, candidate: b, naming: naming) {
        case .same:
            break
        case .failedAlike:
            summary.failedAlike += 1
        case .changed(let change):
            let decisionID = decisionIDs.flatMap { number >= 1 && number <= $0.count ? $0[number - 1] : nil }
            lineWriter?.write(change, line: number, caseRef: FactsLine.caseRef(in: line), decisionID: decisionID, into: &out)
            summary.add(change) {
                DiffExample(line: number, caseRef: FactsLine.caseRef(in: line), decisionID: decisionID,
                            facts: String(decoding: line, as: UTF8.self), change: change)
            }
        }
        if case .success = a, case .success = b { return true }
        return false
    }
}
