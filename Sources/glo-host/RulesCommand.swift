import ArgumentParser
import Foundation
import GloJSON
import GloRules
import LuaVM

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, test, evaluate, compare and explain rule packs; start a decision, and write editor definitions and docs.",
        subcommands: [Check.self, Test.self, Eval.self, Diff.self, Explain.self, New.self, Annotations.self, Docs.self]
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
    /// The directory the rules were loaded from (a candidate's overlay, say), whose paths the loader's
    /// messages carry.
    var loaded: String
    /// A file the loader or a rule names (relative to the loaded directory, or a path beside it) as the user knows it.
    let file: (String) -> String

    static func plain(_ directory: String) -> RulesPaths {
        // A pack's files are named relative to the directory; the vocabulary's by the path it was read
        // at, which already leads to it (`Config/facts.schema.json` for `Config/jurisdictions`).
        RulesPaths(shown: directory, loaded: directory) { file in
            if file == directory { return file }
            let inside = joined(directory, file)
            return !FileManager.default.fileExists(atPath: inside) && FileManager.default.fileExists(atPath: file) ? file : inside
        }
    }
}

extension RulesPaths {
    /// A message with every path under the loaded directory named as the user knows it.
    func message(_ text: String) -> String {
        guard loaded != shown, text.contains(loaded + "/") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: loaded + "/") {
            out += rest[..<start.lowerBound]
            let tail = rest[start.lowerBound...]
            // A path ends at a space, a colon before its line number, or the end.
            let end = tail.firstIndex { $0 == " " || $0 == ":" || $0 == ";" || $0 == "," } ?? tail.endIndex
            out += file(String(tail[..<end]))
            rest = tail[end...]
        }
        return out + rest
    }
}

/// `directory/name`, with one slash whether or not the directory ends with one.
func joined(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// Loads a rules directory, or ends the command with every problem as `file:line` and exit code
/// `failure` when nothing in it can be used (2; `rules check` reports with 1). A pack with problems
/// does not stop the others: the commands that need it fail when they use it.
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

/// The rules directory a `check` or `test` argument names: the directory itself, or a pack folder in
/// it (`Config/jurisdictions/NP`), which means that pack alone in its directory.
struct RulesArgument {
    let directory: String
    /// The pack the argument named, when it named one.
    let pack: String?

    init(_ argument: String) throws {
        var path = argument
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let manifest = (path as NSString).appendingPathComponent("pack.yaml")
        guard FileManager.default.fileExists(atPath: manifest) else {
            directory = path
            pack = nil
            return
        }
        directory = parentFolder(of: path)
        let folder = (path as NSString).lastPathComponent
        pack = RulesArgument.declaredID(manifest) ?? folder
    }

    /// The `id:` line of a manifest, read plainly (the pack may be broken).
    static func declaredID(_ manifest: String) -> String? {
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("id:") {
            let value = line.dropFirst(3).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            if !value.isEmpty { return value }
        }
        return nil
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

extension RulePack {
    /// The date a command shows a pack version at: today when it is in force, else its first day (or
    /// its last, for one with only an end).
    var shownAt: CalendarDate {
        let today = CalendarDate.today()
        return manifest.isInForce(at: today) ? today : manifest.effectiveFrom ?? manifest.effectiveTo ?? today
    }
}

/// What a rule printed, on stderr, each line indented under a heading: facts a rule prints may be
/// personal data, so it is shown to whoever runs the command and written nowhere else.
func showPrinted(_ printed: String) {
    guard !printed.isEmpty else { return }
    warn("printed by the rule:")
    for line in printed.split(separator: "\n", omittingEmptySubsequences: false).dropLast(printed.hasSuffix("\n") ? 1 : 0) {
        warn("  \(line)")
    }
}

func located(_ error: RuleEvaluationError, in directory: String) -> String {
    located(error, paths: .plain(directory))
}

/// A rule's error as the tools print it: its location and each frame of its traceback named as the
/// user knows the files.
func located(_ error: RuleEvaluationError, paths: RulesPaths) -> String {
    let text = error.location.map { "\(paths.file($0)): \(error.code): \(paths.message(error.message))" }
        ?? "\(error.code): \(paths.message(error.message))"
    // A frame reads `file:line in function 'name'`; the markers for elided frames start otherwise.
    return text + LuaError.describe(error.traceback.map { $0.hasPrefix("(") || $0.hasPrefix("...") ? $0 : paths.file($0) })
}

extension Rules {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and validate the packs, and check what they mean: facts read, outcomes, basis, the tests' facts.",
            discussion: """
                Loads every pack (manifests, inheritance, dates), compiles every module, and checks for meaning: a fact
                read that the vocabulary does not have (Config/facts.schema.json), an outcome no declaration allows
                (Config/decisions.yaml, or the pack's pack.yaml), a result without basis or reasons, and test facts that
                break the vocabulary (the packs' tests are run for this; `rules test` reports their expectations).
                Prints each pack with its decisions, own or inherited. Problems go to stderr as file:line; exit 1 on any,
                exit 2 when the rules directory cannot be used at all. Give a pack's folder (Config/jurisdictions/NP) to
                check that pack alone, with the packs it extends.
                """
        )

        @Argument(help: "The rules directory (Config/jurisdictions), or one pack's folder in it (Config/jurisdictions/NP).")
        var directory: String

        func run() throws {
            let target = try RulesArgument(directory)
            let engine = try loadEngine(target.directory, statesPerPack: 1)
            let set = engine.ruleSet
            // A pack is only as sound as the packs it extends: checking one checks its parents too.
            let lineage = target.pack.map { Self.lineage(of: $0, in: set) }
            var problems: [String] = []
            for pack in set.packs.sorted(by: { ($0.id, $0.version) < ($1.id, $1.version) }) where target.pack == nil || pack.id == target.pack {
                let date = pack.manifest.effectiveFrom ?? pack.manifest.effectiveTo ?? CalendarDate.today()
                let decisions: [String]
                do {
                    decisions = try engine.decisions(of: pack.id, at: date)
                } catch {
                    problems.append("\(pack.id) \(pack.version): \(error.description(under: target.directory))")
                    continue
                }
                let chain = (try? set.chain(from: pack, at: date)) ?? [pack]
                let described = decisions.map { name -> String in
                    let module = String(name.prefix { $0 != "." })
                    let definer = chain.first { $0.modules[module] != nil }
                    return definer == nil || definer?.id == pack.id ? name : "\(name) (from \(definer!.id))"
                }
                var range = ""
                if pack.manifest.effectiveFrom != nil || pack.manifest.effectiveTo != nil {
                    range = " [\(pack.manifest.effectiveFrom?.description ?? "…")..\(pack.manifest.effectiveTo?.description ?? "…")]"
                }
                let parent = pack.manifest.extends.map { " extends \($0)" } ?? ""
                print("ok \(pack.id) \(pack.version) (\(pack.manifest.status.rawValue))\(parent)\(range): \(described.joined(separator: ", "))")
            }
            problems += set.broken.filter { broken in lineage.map { ids in broken.id.map(ids.contains) ?? false } ?? true }.flatMap(\.problems)
                .map { $0.under(target.directory).description }
            let scanned = engine.lint(jurisdiction: target.pack)
            problems += scanned.map { $0.under(target.directory).description }
            // What the tests' results show, each mistake once, at the first case that shows it.
            var seen: [String: (where: String, more: Int)] = [:]
            var order: [String] = []
            for failure in engine.runTests(jurisdiction: target.pack).failures {
                // A misspelt read the text shows already is not repeated from every test that meets it.
                for message in failure.meaning where !scanned.contains(where: { message.contains(Self.read(in: $0.message) ?? "\u{0}") }) {
                    if seen[message] == nil {
                        seen[message] = ("\(RuleProblem.path(failure.file, under: target.directory)):\(failure.line): \(failure.name)", 0)
                        order.append(message)
                    } else {
                        seen[message]!.more += 1
                    }
                }
            }
            problems += order.map { message in
                let found = seen[message]!
                return "\(found.where): \(message)" + (found.more > 0 ? " (and in \(found.more) more case(s))" : "")
            }
            for problem in problems { warn(problem) }
            let count = set.packs.filter { target.pack == nil || $0.id == target.pack }.count
                + set.broken.filter { target.pack == nil || $0.id == target.pack }.count
            print("\(count) packs, \(problems.count) problems")
            if !problems.isEmpty { throw ExitCode(1) }
        }

        /// `id` and every pack id it extends, however far up.
        static func lineage(of id: String, in set: RuleSet) -> Set<String> {
            var ids: Set<String> = [id]
            var queue = [id]
            while let next = queue.popLast() {
                for pack in set.packs where pack.id == next {
                    if let parent = pack.manifest.extends, ids.insert(parent).inserted { queue.append(parent) }
                }
            }
            return ids
        }

        /// `facts.NAME,` when a problem is about reading that fact.
        static func read(in message: String) -> String? {
            guard message.hasPrefix("reads facts."), let comma = message.firstIndex(of: ",") else { return nil }
            return String(message[message.index(message.startIndex, offsetBy: 6)...comma])
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the packs' tests (tests/*.yaml) against the pack version each lives in.",
            discussion: """
                Prints each failure as file:line with every field that differs, what the decision returned, what the rule
                printed, and the `rules explain` command that decides the same case again; last, the line 'N passed,
                M failed'. A pack that cannot be used counts each of its problems as a failure; the other packs' tests
                still run. Exit 1 when any failed, 2 when the arguments or the whole directory are unusable.
                """
        )

        @Argument(help: "The rules directory (Config/jurisdictions), or one pack's folder in it (Config/jurisdictions/NP).")
        var directory: String

        @Option(name: .customLong("jurisdiction"), help: "Only this pack id.")
        var jurisdiction: String?

        @Option(name: .customLong("name"), help: "Only the cases whose name contains this text (any case).")
        var name: String?

        func run() throws {
            let target = try RulesArgument(directory)
            let engine = try loadEngine(target.directory, statesPerPack: 1)
            let only = jurisdiction ?? target.pack
            let known = engine.ruleSet.jurisdictions + engine.ruleSet.broken.compactMap(\.id)
            if let only, !known.contains(only) {
                let near = Vocabulary.nearest(only, among: known).map { "; did you mean '\($0)'?" } ?? ""
                throw ValidationError("--jurisdiction '\(only)' has no pack in \(target.directory) (known: \(Set(known).sorted().joined(separator: ", ")))\(near)")
            }
            let report = engine.runTests(jurisdiction: only, named: name)
            for failure in report.failures {
                let lines = failure.message.split(separator: "\n", omittingEmptySubsequences: false)
                print("FAIL \(RuleProblem.path(failure.file, under: target.directory)):\(failure.line): \(failure.name): \(lines.first ?? "")")
                for line in lines.dropFirst() { print("     \(line)") }
                if let actual = failure.actual { print("     got: \(JSONWriter.string(actual, sortKeys: true))") }
                for line in failure.printed.split(separator: "\n") { print("     printed: \(line)") }
                if let reproduce = failure.reproduce { print("     try: \(reproduce)") }
            }
            for pack in report.perPack { print("\(pack.pack): \(pack.passed) passed, \(pack.failed) failed") }
            if let name, report.passed + report.failed == 0 { warn("no test case's name contains '\(name)'") }
            print(report.summary)
            if report.failed > 0 { throw ExitCode(1) }
        }
    }
}
