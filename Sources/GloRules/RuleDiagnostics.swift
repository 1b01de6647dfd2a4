public import GloJSON
import LuaVM

/// What a rule's author sees beside a decision: what the rule printed and, when asked, how the
/// decision was reached. A rule may print facts, which may be personal data: the host never puts
/// these in logs, records or API answers; only the `rules` commands show them.
public struct RuleDiagnostics: Sendable, Equatable {
    /// What `print` wrote during the call (also when it failed): at most 64 KiB, then a line saying
    /// from which `file:line` on the rest was dropped.
    public var printed: String
    /// The call tree, when the call was traced and succeeded.
    public var trace: RuleTrace?

    public init(printed: String = "", trace: RuleTrace? = nil) {
        self.printed = printed
        self.trace = trace
    }
}

/// One decision of a traced call: which decision of which pack, what it returned and at which
/// line, the facts it read, and the decisions it called in turn (through `require` or not).
///
/// A step's `line` is the last line it ran: the line of its `return` (the closing line of a
/// result written over several lines), or of a `return other.decision(...)` whose tail call ended
/// it. Its facts are those read while it was the innermost decision running, by it or its helpers;
/// the decisions it called list their own. The result is as it was returned, before the caller
/// changed it. At most 200 steps nested 32 deep are recorded; `untracedCalls` counts the rest.
public struct RuleTrace: Sendable, Equatable {
    /// The step as the sandbox wrote it: `{decision, pack, file, line, result, facts_read,
    /// facts_missing, calls}`, and `raised`, `result_error`, `tail_call`, `untraced_calls` when so.
    public let json: JSONValue

    public init(json: JSONValue) { self.json = json }

    /// `identification.pathway`.
    public var decision: String { json["decision"]?.stringValue ?? "" }
    /// The pack whose module defines it.
    public var pack: String { json["pack"]?.stringValue ?? "" }
    /// Its module, relative to the rules directory: `TH/identification.lua`.
    public var file: String { json["file"]?.stringValue ?? "" }
    public var line: Int? { json["line"]?.intValue.map(Int.init) }
    /// What it returned; nil when it raised an error, or returned what JSON cannot hold.
    public var result: JSONValue? { json["result"] }
    public var outcome: String? { result?["outcome"]?.stringValue }
    public var factsRead: [String] { json["facts_read"]?.stringArray ?? [] }
    public var factsMissing: [String] { json["facts_missing"]?.stringArray ?? [] }
    public var calls: [RuleTrace] { json["calls"]?.arrayValue?.map(RuleTrace.init) ?? [] }
    /// It ended in an error that a `pcall` of the rule caught.
    public var raised: Bool { json["raised"]?.boolValue ?? false }
    /// Decisions called past the trace's caps (on the root step only).
    public var untracedCalls: Int { json["untraced_calls"]?.intValue.map(Int.init) ?? 0 }

    /// The tree as text, one step a line, each call indented under its caller:
    /// `TH identification.pathway -> victim at TH/identification.lua:63; read acts, age; absent means`
    /// (`read`: the facts it read that were there; `absent`: those it read and found absent).
    public var lines: [String] { lines(under: nil) }

    /// The tree as text with each file named under the rules `directory` as given
    /// (`Config/jurisdictions/TH/identification.lua:63`), as every other message names it.
    public func lines(under directory: String?) -> [String] {
        var lines: [String] = []
        appendLines(to: &lines, indent: "", directory: directory)
        if untracedCalls > 0 { lines.append("(\(untracedCalls) more decision calls not traced)") }
        return lines
    }

    private func appendLines(to lines: inout [String], indent: String, directory: String?) {
        let ended: String
        if raised {
            ended = "raised an error (caught by pcall)"
        } else if let outcome {
            ended = "-> \(outcome)"
        } else if let problem = json["result_error"]?.stringValue {
            ended = "returned a value JSON cannot hold (\(problem))"
        } else {
            ended = "-> \(result.map { JSONWriter.string($0) } ?? "nothing")"
        }
        let shownFile = directory.map { RuleProblem.path(file, under: $0) } ?? file
        var text = "\(indent)\(pack) \(decision) \(ended) at \(shownFile)\(line.map { ":\($0)" } ?? "")"
        if json["tail_call"]?.boolValue == true { text += " (tail call)" }
        let present = factsRead.filter { !factsMissing.contains($0) }
        if !present.isEmpty { text += "; read \(present.joined(separator: ", "))" }
        if !factsMissing.isEmpty { text += "; absent \(factsMissing.joined(separator: ", "))" }
        lines.append(text)
        for call in calls { call.appendLines(to: &lines, indent: indent + "  ", directory: directory) }
    }
}

extension RuleDiagnostics {
    /// What the last call on `sandbox` left for its author.
    init(after sandbox: LuaSandbox, traced: Bool) {
        self.init(printed: sandbox.diagnostics, trace: traced ? sandbox.trace.map(RuleTrace.init) : nil)
    }
}
