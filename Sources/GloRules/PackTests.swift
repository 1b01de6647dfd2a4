import Foundation
public import GloJSON
import Yams

/// A failed pack test, at its line in the test file.
public struct PackTestFailure: Error, Sendable, CustomStringConvertible {
    /// The test file (or the broken pack's file), relative to the rules directory.
    public var file: String
    public var line: Int
    public var name: String
    /// Every way the result differs from what was expected, one per line.
    public var message: String
    /// The pack the test belongs to (its id).
    public var pack: String
    /// What the decision returned, when it returned.
    public var actual: JSONValue?
    /// The command that decides the same case again, with its explanation.
    public var reproduce: String?
    /// The mistakes of meaning among the reasons (facts outside the vocabulary, an undeclared outcome,
    /// a result without basis or reasons, facts that break the vocabulary), which `rules check`
    /// reports too; the other reasons are what the test expected and did not get.
    public var meaning: [String]
    /// What the rule printed while the case ran (for `rules test`, not for logs).
    public var printed: String

    public init(file: String, line: Int, name: String, message: String, pack: String, actual: JSONValue? = nil,
                reproduce: String? = nil, meaning: [String] = [], printed: String = "") {
        self.file = file
        self.line = line
        self.name = name
        self.message = message
        self.pack = pack
        self.actual = actual
        self.reproduce = reproduce
        self.meaning = meaning
        self.printed = printed
    }

    public var description: String { "\(file):\(line): \(name): \(message)" }
}

/// The outcome of running pack tests.
public struct PackTestReport: Sendable {
    public var passed = 0
    public var failures: [PackTestFailure] = []
    /// Per pack version (`TH@2026.1`): passed and failed counts, in the order run.
    public var perPack: [(pack: String, passed: Int, failed: Int)] = []

    public init() {}

    public var failed: Int { failures.count }
    /// The line tools read: `N passed, M failed`.
    public var summary: String { "\(passed) passed, \(failed) failed" }
}

/// One case of a pack's test file, as read: what it decides, at which date, with which facts, and
/// what it expects. `rules test` runs them; `rules docs` shows them as worked examples and `rules new`
/// starts a new case from one.
public struct PackTestCase: Sendable {
    /// The test file, relative to the rules directory (`TH/tests/identification.yaml`).
    public let file: String
    public let line: Int
    public let name: String
    public let decision: String
    public let date: CalendarDate
    public let facts: JSONValue
    public let expect: JSONValue
}

/// One case run against its pack version: the rule's result or error, and why it did not pass.
public struct PackTestRun: Sendable {
    public let testCase: PackTestCase
    public let result: Result<RuleResult, RuleEvaluationError>
    /// Why the case failed, every reason on its own line; nil when it passed.
    public let failure: String?
    /// The reasons that are mistakes of meaning (see `PackTestFailure.meaning`).
    public let meaning: [String]
    /// What the rule printed while the case ran.
    public let printed: String

    public var passed: Bool { failure == nil }
}

extension RulePack {
    /// Every case of every test file, in file and line order, and every case (or file) that cannot be
    /// run as written, as a failure at its line.
    public func testCases() -> [Result<PackTestCase, PackTestFailure>] {
        testFiles.sorted(by: { $0.key < $1.key }).flatMap { testCases(file: $0.key, text: $0.value) }
    }

    private func testCases(file: String, text: String) -> [Result<PackTestCase, PackTestFailure>] {
        func fail(_ line: Int, _ name: String, _ message: String) -> Result<PackTestCase, PackTestFailure> {
            .failure(PackTestFailure(file: file, line: line, name: name, message: message, pack: id))
        }
        let root: Yams.Node
        do {
            root = try YAMLDocument(text, file: file).root
        } catch {
            return [fail(error.line ?? 1, "(file)", error.message)]
        }
        guard case .sequence(let cases)? = root.member("cases") else {
            return [fail(root.line, "(file)", "a test file needs a list 'cases'")]
        }
        let fileDecision = root.member("decision")?.string
        let fileDate = root.member("at")?.string
        return cases.enumerated().map { index, node in
            let name = node.member("name")?.string ?? "case \(index + 1)"
            guard let decision = node.member("decision")?.string ?? fileDecision else {
                return fail(node.line, name, "no 'decision' for this case or its file")
            }
            let dateText = node.member("at")?.string ?? fileDate
            let date: CalendarDate
            if let dateText {
                guard let parsed = CalendarDate(dateText) else { return fail(node.line, name, "'at' is not an ISO date: \(dateText)") }
                date = parsed
            } else {
                date = manifest.effectiveFrom ?? CalendarDate.today()
            }
            guard manifest.isInForce(at: date) else {
                return fail(node.line, name, "\(id) \(version) is not in force on \(date)")
            }
            guard let expect = node.member("expect")?.json, case .object = expect else {
                return fail(node.line, name, "needs an 'expect' mapping")
            }
            return .success(PackTestCase(file: file, line: node.line, name: name, decision: decision, date: date,
                                         facts: node.member("facts")?.json ?? [:], expect: expect))
        }
    }
}

/// Runs the `tests/*.yaml` of each pack against that very pack version.
///
/// An expected scalar must equal the result's field; an expected object must match field by field;
/// an expected list must be contained in the result's list: each expected item matches some item
/// of the result, in any order (so `steps: [{id: consent}]` holds when one step has that id).
struct PackTestRunner {
    let rules: LoadedRules

    /// Runs the tests of every usable pack (or one jurisdiction's), each case or those whose name
    /// contains `named`; a broken pack counts each of its problems as a failure.
    func run(jurisdiction: String? = nil, named: String? = nil) -> PackTestReport {
        var report = PackTestReport()
        for broken in rules.ruleSet.broken where jurisdiction == nil || broken.id == jurisdiction {
            for problem in broken.problems {
                report.failures.append(PackTestFailure(file: problem.file, line: problem.line ?? 1, name: "(the pack cannot be used)",
                                                       message: (problem.field.map { "field '\($0)': " } ?? "") + problem.message,
                                                       pack: broken.id ?? broken.folder))
            }
        }
        for pack in rules.ruleSet.packs where jurisdiction == nil || pack.id == jurisdiction {
            let before = (report.passed, report.failed)
            for item in pack.testCases() {
                let testCase: PackTestCase
                switch item {
                case .success(let read): testCase = read
                case .failure(let failure):
                    report.failures.append(failure)
                    continue
                }
                if let named, !testCase.name.localizedCaseInsensitiveContains(named) { continue }
                let run = run(testCase, in: pack)
                if let failure = run.failure {
                    report.failures.append(PackTestFailure(
                        file: testCase.file, line: testCase.line, name: testCase.name, message: failure, pack: pack.id,
                        actual: try? run.result.get().value, reproduce: reproduce(testCase, pack), meaning: run.meaning,
                        printed: run.printed))
                } else {
                    report.passed += 1
                }
            }
            report.perPack.append((pack: "\(pack.id)@\(pack.version)", passed: report.passed - before.0, failed: report.failed - before.1))
        }
        return report
    }

    /// Decides one case with exactly this pack version and compares the result with what it expects,
    /// and with what every result must be (`meaningProblems`).
    func run(_ testCase: PackTestCase, in pack: RulePack) -> PackTestRun {
        var diagnostics = RuleDiagnostics()
        do throws(RuleEvaluationError) {
            let bound = try rules.bind(pack: pack, decision: testCase.decision, at: testCase.date)
            let result = try bound.evaluate(testCase.facts, tracing: false, diagnostics: &diagnostics)
            let meaning = PackTestRunner.meaningProblems(result, bound: bound, vocabulary: rules.ruleSet.vocabulary)
            let problems = meaning + PackTestRunner.mismatches(expected: testCase.expect, actual: result.value, path: "")
            return PackTestRun(testCase: testCase, result: .success(result),
                               failure: problems.isEmpty ? nil : problems.joined(separator: "\n"), meaning: meaning,
                               printed: diagnostics.printed)
        } catch {
            // Facts that break the vocabulary are the test's mistake, not the rule's: a mistake of meaning.
            if case .factProblems = error {
                let message = "the test's facts break the vocabulary: \(error.message)"
                return PackTestRun(testCase: testCase, result: .failure(error), failure: message, meaning: [message],
                                   printed: diagnostics.printed)
            }
            return PackTestRun(testCase: testCase, result: .failure(error),
                               failure: "\(testCase.decision) failed: \(error.description(under: rules.ruleSet.directory))", meaning: [],
                               printed: diagnostics.printed)
        }
    }

    /// The command that decides the same case again, with its explanation.
    func reproduce(_ testCase: PackTestCase, _ pack: RulePack) -> String {
        "echo '\(JSONWriter.string(testCase.facts, sortKeys: true))' | glo-host rules explain --rules \(rules.ruleSet.directory)"
            + " --jurisdiction \(pack.id) --decision \(testCase.decision) --at \(testCase.date)"
    }

    /// What is wrong with a result whatever the test expects: an outcome declared nowhere, no `basis`
    /// or no `reasons` (an empty list is a deliberate none; an absent one is forgotten), and facts
    /// read that the vocabulary does not have (always absent: a misspelt name), and a reason given in a
    /// language its pack does not declare.
    static func meaningProblems(_ result: RuleResult, bound: BoundDecision, vocabulary: Vocabulary) -> [String] {
        var problems: [String] = []
        if let undeclared = bound.undeclared(result.outcome) { problems.append(undeclared) }
        for field in ["basis", "reasons"] where result.value[field] == nil {
            problems.append("the result has no '\(field)': every result says why (reasons) and on what legal basis (basis)")
        }
        for read in result.factsRead where vocabulary.fact(read) == nil {
            let near = Vocabulary.nearest(read, among: vocabulary.names).map { "; did you mean '\($0)'?" } ?? ""
            problems.append("the rule read facts.\(read), which is not a fact of the vocabulary: it is always absent\(near)")
        }
        let languages = Set(bound.chain.flatMap(\.manifest.languages))
        for language in ReasonLanguages.languages(of: result.value) where !languages.contains(language) {
            problems.append("a reason is given in '\(language)', which the pack does not declare: add it to its pack.yaml (languages: [\((languages.sorted() + [language]).joined(separator: ", "))])")
        }
        return problems
    }

    /// Why `actual` does not satisfy `expected`, or nil when it does: the first reason.
    static func mismatch(expected: JSONValue, actual: JSONValue?, path: String) -> String? {
        mismatches(expected: expected, actual: actual, path: path).first
    }

    /// Every way `actual` does not satisfy `expected`: each wrong field, each missing list item.
    static func mismatches(expected: JSONValue, actual: JSONValue?, path: String) -> [String] {
        let here = path.isEmpty ? "result" : path
        switch (expected, actual) {
        case (.object(let fields), .object(let members)?):
            var found: [String] = []
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if case .null = value {
                    if members[key] != nil { found.append("expected \(child) absent, got \(members[key]!)") }
                    continue
                }
                found += mismatches(expected: value, actual: members[key], path: child)
            }
            return found
        case (.array(let items), .array(let got)?):
            return items.filter { item in !got.contains { mismatches(expected: item, actual: $0, path: here).isEmpty } }
                .map { "expected \(here) to contain \($0), got \(JSONValue.array(got))" }
        case (_, nil):
            return ["expected \(here) = \(expected), but it is absent"]
        case (.int(let a), .double(let b)?), (.double(let b), .int(let a)?):
            return Double(a) == b ? [] : ["expected \(here) = \(expected), got \(actual!)"]
        default:
            return expected == actual! ? [] : ["expected \(here) = \(expected), got \(actual!)"]
        }
    }
}
