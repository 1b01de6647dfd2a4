import Foundation
import GloJSON
import Yams

/// A failed pack test, at its line in the test file.
public struct PackTestFailure: Sendable, CustomStringConvertible {
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

    public init(file: String, line: Int, name: String, message: String, pack: String, actual: JSONValue? = nil,
                reproduce: String? = nil, meaning: [String] = []) {
        self.file = file
        self.line = line
        self.name = name
        self.message = message
        self.pack = pack
        self.actual = actual
        self.reproduce = reproduce
        self.meaning = meaning
    }

    public var description: String { "\(file):\(line): \(name): \(message)" }
}

/// The outcome of running pack tests.
public struct PackTestReport: Sendable {
    public var passed = 0
    public var failures: [PackTestFailure] = []
    /// Per pack version (`TH@2026.1`): passed and failed counts, in the order run.
    public var perPack: [(pack: String, passed: Int, failed: Int)] = []

    public var failed: Int { failures.count }
    /// The line tools read: `N passed, M failed`.
    public var summary: String { "\(passed) passed, \(failed) failed" }
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
            for (file, text) in pack.testFiles.sorted(by: { $0.key < $1.key }) {
                runFile(file, text: text, pack: pack, named: named, into: &report)
            }
            report.perPack.append((pack: "\(pack.id)@\(pack.version)", passed: report.passed - before.0, failed: report.failed - before.1))
        }
        return report
    }

    private func runFile(_ file: String, text: String, pack: RulePack, named: String?, into report: inout PackTestReport) {
        func fail(_ line: Int, _ name: String, _ message: String, actual: JSONValue? = nil, reproduce: String? = nil,
                  meaning: [String] = []) {
            report.failures.append(PackTestFailure(file: file, line: line, name: name, message: message, pack: pack.id,
                                                   actual: actual, reproduce: reproduce, meaning: meaning))
        }
        let root: Yams.Node
        do {
            root = try YAMLDocument(text, file: file).root
        } catch {
            fail(error.line ?? 1, "(file)", error.message)
            return
        }
        guard case .sequence(let cases)? = root.member("cases") else {
            fail(root.line, "(file)", "a test file needs a list 'cases'")
            return
        }
        let fileDecision = root.member("decision")?.string
        let fileDate = root.member("at")?.string
        for (index, node) in cases.enumerated() {
            let name = node.member("name")?.string ?? "case \(index + 1)"
            if let named, !name.localizedCaseInsensitiveContains(named) { continue }
            guard let decision = node.member("decision")?.string ?? fileDecision else {
                fail(node.line, name, "no 'decision' for this case or its file"); continue
            }
            let dateText = node.member("at")?.string ?? fileDate
            let date: CalendarDate
            if let dateText {
                guard let parsed = CalendarDate(dateText) else { fail(node.line, name, "'at' is not an ISO date: \(dateText)"); continue }
                date = parsed
            } else {
                date = pack.manifest.effectiveFrom ?? CalendarDate.today()
            }
            guard pack.manifest.isInForce(at: date) else {
                fail(node.line, name, "\(pack.id) \(pack.version) is not in force on \(date)"); continue
            }
            guard let expect = node.member("expect")?.json, case .object = expect else {
                fail(node.line, name, "needs an 'expect' mapping"); continue
            }
            let facts = node.member("facts")?.json ?? [:]
            let reproduce = "echo '\(JSONWriter.string(facts, sortKeys: true))' | glo-host rules explain --rules \(rules.ruleSet.directory)"
                + " --jurisdiction \(pack.id) --decision \(decision) --at \(date)"
            do {
                let bound = try rules.bind(pack: pack, decision: decision, at: date)
                let result = try bound.evaluate(facts)
                let meaning = PackTestRunner.meaningProblems(result, bound: bound, vocabulary: rules.ruleSet.vocabulary)
                let problems = meaning + PackTestRunner.mismatches(expected: expect, actual: result.value, path: "")
                if problems.isEmpty {
                    report.passed += 1
                } else {
                    fail(node.line, name, problems.joined(separator: "\n"), actual: result.value, reproduce: reproduce,
                         meaning: meaning)
                }
            } catch {
                // Facts that break the vocabulary are the test's mistake, not the rule's: a mistake of meaning.
                if case .factProblems = error {
                    let message = "the test's facts break the vocabulary: \(error.message)"
                    fail(node.line, name, message, reproduce: reproduce, meaning: [message])
                } else {
                    fail(node.line, name, "\(decision) failed: \(error.description(under: rules.ruleSet.directory))", reproduce: reproduce)
                }
            }
        }
    }

    /// What is wrong with a result whatever the test expects: an outcome declared nowhere, no `basis`
    /// or no `reasons` (an empty list is a deliberate none; an absent one is forgotten), and facts
    /// read that the vocabulary does not have (always absent: a misspelt name).
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
