import GloJSON
import Yams

/// A failed pack test, at its line in the test file.
public struct PackTestFailure: Sendable, CustomStringConvertible {
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

    public init() {}

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

    func run(jurisdiction: String? = nil) -> PackTestReport {
        var report = PackTestReport()
        for pack in rules.ruleSet.packs where jurisdiction == nil || pack.id == jurisdiction {
            let before = (report.passed, report.failed)
            for (file, text) in pack.testFiles.sorted(by: { $0.key < $1.key }) {
                runFile(file, text: text, pack: pack, into: &report)
            }
            report.perPack.append((pack: "\(pack.id)@\(pack.version)", passed: report.passed - before.0, failed: report.failed - before.1))
        }
        return report
    }

    private func runFile(_ file: String, text: String, pack: RulePack, into report: inout PackTestReport) {
        func fail(_ line: Int, _ name: String, _ message: String) {
            report.failures.append(PackTestFailure(file: file, line: line, name: name, message: message))
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
            do {
                let result = try rules.bind(pack: pack, decision: decision, at: date).evaluate(facts)
                if let mismatch = PackTestRunner.mismatch(expected: expect, actual: result.value, path: "") {
                    fail(node.line, name, mismatch)
                } else {
                    report.passed += 1
                }
            } catch {
                fail(node.line, name, "\(decision) failed: \(error)")
            }
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
