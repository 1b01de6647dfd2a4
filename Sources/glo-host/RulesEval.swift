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
                (pack, version, content hash, decision, date), or {"error": {"code", "message", "location", "line"}} \
                for a line that failed; the batch goes on. Exit 0 when every line was decided, 1 when some line \
                failed, 2 when the packs or the arguments are unusable. Progress (lines done of how many, rate, \
                time left) goes to stderr when it is a terminal.
                """
        )

        @Option(name: .customLong("rules"), help: "The rules directory.")
        var rules: String

        @OptionGroup var options: DecisionOptions

        @OptionGroup var batch: BatchOptions

        @Option(name: .customLong("output"), help: "Where results go (default: stdout). A regular file is replaced only once complete; a device, FIFO or socket is written in place.")
        var output: String?

        @Flag(name: .customLong("explain"), help: "Add the facts each decision read and found absent.")
        var explain = false

        func run() throws {
            let engine = try loadEngine(rules, statesPerPack: batch.jobs)
            let decision = try bind(engine, options)
            let source = try InputFile(path: batch.input)
            let sink = try output.flatMap { $0 == "-" ? nil : try OutputFile(path: $0, option: "--output") } ?? OutputFile()
            let progress = Progress(label: "lines", total: source.lineCount())
            let explain = self.explain
            let counts = try sink.producing { try decision.withEvaluators(count: batch.jobs) { evaluators in
                var workers = evaluators
                return try BatchRunner.run(
                    reader: LineReader(fileDescriptor: source.fd), workers: &workers,
                    emit: { try sink.write($0) }, progress: progress.update
                ) { evaluator, line, number, out in
                    evaluator.evaluateLine(line, number: number, explain: explain, into: &out)
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
                Prints the result with its rule (pack, version, hash, date), the facts the decision read and
                those it found absent, and anything the rule printed. Exit 1 when the decision fails.
                """
        )

        @Option(name: .customLong("rules"), help: "The rules directory.")
        var rules: String

        @OptionGroup var options: DecisionOptions

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
            switch Result(catching: { () throws(RuleEvaluationError) in try decision.evaluate(facts) }) {
            case .success(let result):
                print(JSONWriter.string(result.json))
                if !result.factsMissing.isEmpty {
                    warn("facts read but absent: \(result.factsMissing.joined(separator: ", "))")
                }
            case .failure(let error):
                var members: [String: JSONValue] = ["code": .string(error.code), "message": .string(error.message)]
                if let location = error.location { members["location"] = .string("\(rules)/\(location)") }
                print(JSONWriter.string(["error": .object(members)]))
                throw ExitCode(1)
            }
        }
    }
}
