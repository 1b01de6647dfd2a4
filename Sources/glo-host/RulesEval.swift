import ArgumentParser
import Foundation
import GloJSON
import GloRules

extension Rules {
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide every line of a JSON Lines corpus of facts.",
            discussion: """
                Writes one JSON line per input line, in input order: the decision's result with a "rule" member \
                (pack, version, content hash, decision, date), or {"error": {"code", "message", "location", \
                "traceback", "line"}} for a line that failed; the batch goes on. With --explain, each line also has \
                "explanation": {"facts_read", "facts_missing", "printed"} (an error line: {"printed"}); with --trace, \
                also "trace". Exit 0 when every line was decided, 1 when some line failed, 2 when the packs or the \
                arguments are unusable. Progress (lines done of how many, rate, time left) goes to stderr when it is a \
                terminal.
                """
        )

        @Option(name: .customLong("rules"), help: "The rules directory.")
        var rules: String

        @OptionGroup var options: DecisionOptions

        @OptionGroup var batch: BatchOptions

        @Option(name: .customLong("output"), help: "Where results go (default: stdout). A regular file is replaced only once complete; a device, FIFO or socket is written in place.")
        var output: String?

        @Flag(name: .customLong("explain"), help: "Add the facts each decision read and found absent, and what the rule printed.")
        var explain = false

        @Flag(name: .customLong("trace"), help: "Also add each line's call tree (implies --explain): the decisions called, what each returned, at which line, and the facts each read.")
        var trace = false

        func run() throws {
            let engine = try loadEngine(rules, statesPerPack: batch.jobs)
            let decision = try bind(engine, options)
            let source = try InputFile(path: batch.input)
            let sink = try output.flatMap { $0 == "-" ? nil : try OutputFile(path: $0, option: "--output") } ?? OutputFile()
            let progress = Progress(label: "lines", total: source.lineCount())
            let (explain, trace) = (self.explain || self.trace, self.trace)
            let counts = try sink.producing { try decision.withEvaluators(count: batch.jobs) { evaluators in
                var workers = evaluators
                return try BatchRunner.run(
                    reader: LineReader(fileDescriptor: source.fd), workers: &workers,
                    emit: { try sink.write($0) }, progress: progress.update
                ) { evaluator, line, number, out in
                    evaluator.evaluateLine(line, number: number, explain: explain, trace: trace, into: &out)
                }
            } }
            try sink.close()
            progress.finish(counts)
            if counts.failed > 0 {
                warn("\(counts.failed) of \(counts.lines) lines failed")
                throw ExitCode(1)
            }
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide one facts object (read from stdin) and show why.",
            discussion: """
                Prints the result with its rule (pack, version, hash, date) and "explanation": the facts the decision \
                read and those it found absent, and in "printed" anything the rule printed (also shown on stderr). \
                A failed decision prints {"error": {"code", "message", "location", "traceback"}, "explanation": \
                {"printed"}} and exits 1. With --trace, "explanation"."trace" is the call tree, also drawn on stderr.
                """
        )

        @Option(name: .customLong("rules"), help: "The rules directory.")
        var rules: String

        @OptionGroup var options: DecisionOptions

        @Flag(name: .customLong("trace"), help: "Show the decisions called, through require or not: what each returned, the line it returned at, and the facts it read.")
        var trace = false

        func run() throws {
            let engine = try loadEngine(rules, statesPerPack: 1)
            let decision = try bind(engine, options)
            let input = FileHandle.standardInput.readDataToEndOfFile()
            let facts: JSONValue
            do {
                facts = try JSONParser.parse([UInt8](input))
            } catch {
                warn("stdin: \(error)")
                throw ExitCode(2)
            }
            var diagnostics = RuleDiagnostics()
            let outcome = Result { () throws(RuleEvaluationError) in try decision.evaluate(facts, tracing: trace, diagnostics: &diagnostics) }
            showPrinted(diagnostics.printed)
            switch outcome {
            case .success(let result):
                guard case .object(var members) = result.json, case .object(var explanation)? = members["explanation"] else { return }
                explanation["printed"] = .string(diagnostics.printed)
                if trace { explanation["trace"] = diagnostics.trace?.json ?? .null }
                members["explanation"] = .object(explanation)
                print(JSONWriter.string(.object(members)))
                if !result.factsMissing.isEmpty {
                    warn("facts read but absent: \(result.factsMissing.joined(separator: ", "))")
                }
                if let tree = diagnostics.trace?.lines(under: rules) {
                    warn("trace:")
                    for line in tree { warn("  \(line)") }
                }
            case .failure(let error):
                print(JSONWriter.string(["error": error.json(under: rules), "explanation": ["printed": .string(diagnostics.printed)]]))
                throw ExitCode(1)
            }
        }
    }
}
