import ArgumentParser
import Foundation
import GloJSON
import GloRules
import LuaVM

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, test, evaluate, compare and explain rule packs.",
        subcommands: [Check.self, Test.self, Eval.self, Diff.self, Explain.self]
    )
}

/// Options every command that decides shares.
struct DecisionOptions: ParsableArguments {
    @Option(name: .customLong("jurisdiction"), help: "The pack id, e.g. TH, LA or intl.")
    var jurisdiction: String

    @Option(name: .customLong("decision"), help: "The decision, e.g. identification.pathway.")
    var decision: String

    @Option(name: .customLong("at"), help: "The date the law is applied at, YYYY-MM-DD (default: today, UTC).")
    var at: String?

    func date() throws -> CalendarDate {
        guard let at else { return CalendarDate.today() }
        guard let date = CalendarDate(at) else { throw ValidationError("--at '\(at)' is not a date of the form YYYY-MM-DD") }
        return date
    }
}

/// Where a batch command reads its corpus, and how many states decide at once.
struct BatchOptions: ParsableArguments {
    @Option(name: .customLong("input"), help: "JSON Lines of facts (default: stdin).")
    var input: String?

    @Option(name: .customLong("jobs"), help: "Lua states deciding at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }
}

/// How the files of a rules directory are named in messages: under the directory the user gave, or,
/// for a candidate laid over a base (`CandidateOverlay`), where each file really is.
struct RulesPaths {
    /// The directory as the user named it.
    let shown: String
    /// A file the loader or a rule names (relative to the loaded directory, or a path beside it) as the user knows it.
    let file: (String) -> String

    static func plain(_ directory: String) -> RulesPaths {
        // A pack's files are named relative to the directory; the vocabulary's by the path it was read
        // at, which already leads to it (`Config/facts.schema.json` for `Config/jurisdictions`).
        RulesPaths(shown: directory) { file in
            let inside = joined(directory, file)
            return !FileManager.default.fileExists(atPath: inside) && FileManager.default.fileExists(atPath: file) ? file : inside
        }
    }
}

/// `directory/name`, with one slash whether or not the directory ends with one.
func joined(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// Loads a rules directory, or ends the command with every problem as `file:line` and exit code
/// `failure` (2: the packs are unusable for this command; `rules check` reports them with 1).
func loadEngine(_ directory: String, statesPerPack: Int = ProcessInfo.processInfo.activeProcessorCount,
                failure: Int32 = 2, paths: RulesPaths? = nil) throws -> RuleEngine {
    let paths = paths ?? .plain(directory)
    do {
        return try RuleEngine(directory: directory, statesPerPack: statesPerPack)
    } catch {
        for var problem in error.problems {
            problem.file = paths.file(problem.file)
            warn(problem.description)
        }
        warn("\(paths.shown): \(error.problems.count) problem(s); the packs cannot be used")
        throw ExitCode(failure)
    }
}

/// Binds a decision, or ends the command with exit 2 naming what is wrong.
func bind(_ engine: RuleEngine, _ options: DecisionOptions, paths: RulesPaths? = nil) throws -> BoundDecision {
    do {
        return try engine.bind(jurisdiction: options.jurisdiction, decision: options.decision, at: options.date())
    } catch let error as RuleEvaluationError {
        warn(located(error, paths: paths ?? .plain(engine.directory)))
        throw ExitCode(2)
    }
}

func located(_ error: RuleEvaluationError, paths: RulesPaths) -> String {
    if let location = error.location { return "\(paths.file(location)): \(error.code): \(error.message)" }
    return "\(error.code): \(error.message)"
}

extension Rules {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and validate every pack: manifests, inheritance, dates, and every module compiled and run.",
            discussion: "Prints each pack with its decisions. Problems go to stderr as file:line; exit 1 on any."
        )

        @Argument(help: "The rules directory, e.g. Config/jurisdictions.")
        var directory: String

        func run() throws {
            let engine = try loadEngine(directory, statesPerPack: 1, failure: 1)
            for pack in engine.ruleSet.packs.sorted(by: { ($0.id, $0.version) < ($1.id, $1.version) }) {
                let date = pack.manifest.effectiveFrom ?? pack.manifest.effectiveTo ?? CalendarDate.today()
                let decisions = (try? engine.decisions(of: pack.id, at: date)) ?? []
                var range = ""
                if pack.manifest.effectiveFrom != nil || pack.manifest.effectiveTo != nil {
                    range = " [\(pack.manifest.effectiveFrom?.description ?? "…")..\(pack.manifest.effectiveTo?.description ?? "…")]"
                }
                let parent = pack.manifest.extends.map { " extends \($0)" } ?? ""
                print("ok \(pack.id) \(pack.version) (\(pack.manifest.status.rawValue))\(parent)\(range): \(decisions.joined(separator: ", "))")
            }
            print("\(engine.ruleSet.packs.count) packs, 0 problems")
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the packs' tests (tests/*.yaml) against the pack version each lives in.",
            discussion: "Prints each failure as file:line and, last, the line 'N passed, M failed'. Exit 1 when any failed."
        )

        @Argument(help: "The rules directory, e.g. Config/jurisdictions.")
        var directory: String

        @Option(name: .customLong("jurisdiction"), help: "Only this pack id.")
        var jurisdiction: String?

        func run() throws {
            let engine = try loadEngine(directory, statesPerPack: 1)
            if let jurisdiction, !engine.ruleSet.jurisdictions.contains(jurisdiction) {
                throw ValidationError("--jurisdiction '\(jurisdiction)' has no pack in \(directory) (known: \(engine.ruleSet.jurisdictions.joined(separator: ", ")))")
            }
            let report = engine.runTests(jurisdiction: jurisdiction)
            for failure in report.failures { print("FAIL \(directory)/\(failure)") }
            for pack in report.perPack { print("\(pack.pack): \(pack.passed) passed, \(pack.failed) failed") }
            print(report.summary)
            if report.failed > 0 { throw ExitCode(1) }
        }
    }
}
