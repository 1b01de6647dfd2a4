import GloJSON
import Yams

/// A failed pack test, at its line in the test file.
public struct PackTestFailure: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var name: String
    public var message: String

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
    /// Why the case failed; nil when it passed.
    public let failure: String?

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
            .failure(PackTestFailure(file: file, line: line, name: name, message: message))
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

    func run(jurisdiction: String? = nil) -> PackTestReport {
        var report = PackTestReport()
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
                if let failure = run(testCase, in: pack).failure {
                    report.failures.append(PackTestFailure(file: testCase.file, line: testCase.line, name: testCase.name, message: failure))
                } else {
                    report.passed += 1
                }
            }
            report.perPack.append((pack: "\(pack.id)@\(pack.version)", passed: report.passed - before.0, failed: report.failed - before.1))
        }
        return report
    }

    /// Decides one case with exactly this pack version and compares the result with what it expects.
    func run(_ testCase: PackTestCase, in pack: RulePack) -> PackTestRun {
        do throws(RuleEvaluationError) {
            let result = try rules.bind(pack: pack, decision: testCase.decision, at: testCase.date).evaluate(testCase.facts)
            return PackTestRun(testCase: testCase, result: .success(result),
                               failure: PackTestRunner.mismatch(expected: testCase.expect, actual: result.value, path: ""))
        } catch {
            return PackTestRun(testCase: testCase, result: .failure(error), failure: "\(testCase.decision) failed: \(error)")
        }
    }

    /// Why `actual` does not satisfy `expected`, or nil when it does.
    static func mismatch(expected: JSONValue, actual: JSONValue?, path: String) -> String? {
        let here = path.isEmpty ? "result" : path
        switch (expected, actual) {
        case (.object(let fields), .object(let members)?):
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if case .null = value {
                    if members[key] != nil { return "expected \(child) absent, got \(members[key]!)" }
                    continue
                }
                if let problem = mismatch(expected: value, actual: members[key], path: child) { return problem }
            }
            return nil
        case (.array(let items), .array(let got)?):
            for item in items where !got.contains(where: { mismatch(expected: item, actual: $0, path: here) == nil }) {
                return "expected \(here) to contain \(item), got \(JSONValue.array(got))"
            }
            return nil
        case (_, nil):
            return "expected \(here) = \(expected), but it is absent"
        case (.int(let a), .double(let b)?), (.double(let b), .int(let a)?):
            return Double(a) == b ? nil : "expected \(here) = \(expected), got \(actual!)"
        default:
            return expected == actual! ? nil : "expected \(here) = \(expected), got \(actual!)"
        }
    }
}
