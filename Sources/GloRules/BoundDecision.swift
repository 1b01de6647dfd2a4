public import GloJSON
import LuaVM

/// One decision of one pack version at one date, ready to evaluate many times.
public struct BoundDecision: Sendable {
    public let reference: RuleReference
    let module: String
    let key: String
    let searchPath: [String]
    let chain: [RulePack]
    let pool: LuaSandboxPool
    /// The facts a call may be given: checked before any Lua runs, so bad input is reported as bad
    /// input naming the fact, never as the rule's error.
    let vocabulary: Vocabulary
    /// The outcomes this decision may return here (`decisions.yaml` and the chain's pack.yaml).
    public let declaredOutcomes: Set<String>
    /// The rules directory as given: file paths in messages start with it (`Config/jurisdictions/TH/...`).
    let directory: String

    /// Why `outcome` is not one this decision may return, or nil when it is declared.
    public func undeclared(_ outcome: String) -> String? {
        let name = reference.decision
        if declaredOutcomes.contains(outcome) { return nil }
        if declaredOutcomes.isEmpty {
            return "\(name) declares no outcomes: declare them in decisions.yaml (beside facts.schema.json), or in the pack's pack.yaml (outcomes: { \(name): [\(outcome)] })"
        }
        let near = Vocabulary.nearest(outcome, among: declaredOutcomes.sorted()).map { "; did you mean '\($0)'?" } ?? ""
        return "outcome '\(outcome)' is not declared for \(name) (declared: \(declaredOutcomes.sorted().joined(separator: ", ")))\(near)"
            + " A new outcome is declared in decisions.yaml, or in the pack's pack.yaml (outcomes: { \(name): [\(outcome)] })"
    }

    /// `ctx` as every call of this decision sees it.
    var context: JSONValue {
        ["jurisdiction": .string(reference.pack), "date": .string(reference.date.description),
         "pack_version": .string(reference.version)]
    }

    /// Decides once, recording which facts were read and which were absent.
    public func evaluate(_ facts: JSONValue) throws(RuleEvaluationError) -> RuleResult {
        try withEvaluator { (evaluator: inout DecisionEvaluator) throws(RuleEvaluationError) in try evaluator.evaluate(facts) }
    }

    /// Decides once for the rule's author: `diagnostics` receives what the rule printed, also when
    /// the decision fails, and with `tracing`, the call tree.
    public func evaluate(_ facts: JSONValue, tracing: Bool, diagnostics: inout RuleDiagnostics) throws(RuleEvaluationError) -> RuleResult {
        try withEvaluator { (evaluator: inout DecisionEvaluator) throws(RuleEvaluationError) in
            try evaluator.evaluate(facts, tracing: tracing, diagnostics: &diagnostics)
        }
    }

    func makeEvaluator(on sandbox: LuaSandbox) throws(RuleEvaluationError) -> DecisionEvaluator {
        let function: LuaFunction?
        do {
            function = try sandbox.lookupCached(module: module, key: key, searchPath: searchPath)
        } catch {
            throw .rule(error)
        }
        guard let function else {
            throw .unknownDecision(reference.decision, jurisdiction: reference.pack, available: [])
        }
        return DecisionEvaluator(decision: self, sandbox: sandbox, function: function)
    }

    /// Runs `body` with an evaluator that holds one sandbox of the pool for its whole duration:
    /// the way to decide a batch on one core.
    public func withEvaluator<R>(_ body: (inout DecisionEvaluator) throws(RuleEvaluationError) -> R) throws(RuleEvaluationError) -> R {
        let sandbox: LuaSandbox
        do { sandbox = try pool.acquire() } catch { throw .rule(error) }
        defer { pool.release(sandbox) }
        var evaluator = try makeEvaluator(on: sandbox)
        return try body(&evaluator)
    }
}

/// Decides with one sandbox; not to be shared between threads.
public struct DecisionEvaluator {
    let decision: BoundDecision
    let sandbox: LuaSandbox
    let function: LuaFunction
    private let contextBytes: [UInt8]
    /// `"rule":{...}` as appended to every result line.
    private let ruleMember: [UInt8]

    init(decision: BoundDecision, sandbox: LuaSandbox, function: LuaFunction) {
        self.decision = decision
        self.sandbox = sandbox
        self.function = function
        contextBytes = JSONWriter.bytes(decision.context)
        ruleMember = Array("\"rule\":".utf8) + JSONWriter.bytes(decision.reference.json)
    }

    /// Decides once, with the explanation.
    public func evaluate(_ facts: JSONValue) throws(RuleEvaluationError) -> RuleResult {
        try check(facts)
        return try call(facts, tracing: false)
    }

    /// Decides once for the rule's author: `diagnostics` receives what the rule printed, also when
    /// the decision fails, and with `tracing`, the call tree.
    public func evaluate(_ facts: JSONValue, tracing: Bool, diagnostics: inout RuleDiagnostics) throws(RuleEvaluationError) -> RuleResult {
        diagnostics = RuleDiagnostics()
        try check(facts)
        defer { diagnostics = RuleDiagnostics(after: sandbox, traced: tracing) }
        return try call(facts, tracing: tracing)
    }

    private func call(_ facts: JSONValue, tracing: Bool) throws(RuleEvaluationError) -> RuleResult {
        do {
            let (value, reads) = try sandbox.call(function, facts: facts, context: decision.context, trackReads: true, trace: tracing)
            var result = RuleResult(value: value, rule: decision.reference, factsRead: reads?.read ?? [], factsMissing: reads?.missing ?? [])
            result.undeclared = decision.undeclared(result.outcome)
            return result
        } catch {
            throw map(error)
        }
    }

    /// Decides one line of JSON facts and appends one line to `out`: the result with its `rule`
    /// (and with `explain`, `explanation`: the facts read and absent, what the rule printed, and
    /// with `trace` its call tree), or `{"error":{...}}` (with `explain`, and `explanation` with what
    /// the rule printed before it failed). Returns whether the line was decided.
    public func evaluateLine(_ line: UnsafeRawBufferPointer, number: Int, explain: Bool, trace: Bool = false,
                             into out: inout [UInt8]) -> Bool {
        let explain = explain || trace
        do throws(RuleEvaluationError) { try check(line) } catch {
            DecisionEvaluator.writeError(error, line: number, under: decision.directory, printed: explain ? "" : nil, into: &out)
            return false
        }
        do {
            try sandbox.callJSON(function, facts: line, context: contextBytes, trackReads: explain, trace: trace) { result, reads in
                // The result is an object with at least `outcome` (the host hook checks): reopen it.
                out.append(contentsOf: result.dropLast())
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: ruleMember)
                if let reads {
                    // {"facts_missing":[...],"facts_read":[...]}, reopened; keys stay in order.
                    out.append(contentsOf: ",\"explanation\":".utf8)
                    out.append(contentsOf: reads.dropLast())
                    out.append(contentsOf: ",\"printed\":".utf8)
                    JSONWriter.write(.string(sandbox.diagnostics), into: &out)
                    if trace {
                        out.append(contentsOf: ",\"trace\":".utf8)
                        JSONWriter.write(sandbox.trace ?? .null, into: &out)
                    }
                    out.append(UInt8(ascii: "}"))
                }
                out.append(contentsOf: "}\n".utf8)
            }
            return true
        } catch {
            DecisionEvaluator.writeError(map(error), line: number, under: decision.directory, printed: explain ? sandbox.diagnostics : nil,
                                         into: &out)
            return false
        }
    }

    /// Decides one line of JSON facts; the result's JSON text (without `rule`), or the error.
    public func decide(_ line: UnsafeRawBufferPointer) -> Result<[UInt8], RuleEvaluationError> {
        do throws(RuleEvaluationError) { try check(line) } catch { return .failure(error) }
        do {
            return .success(try sandbox.callJSON(function, facts: line, context: contextBytes, trackReads: false) { result, _ in
                Array(result)
            })
        } catch {
            return .failure(map(error))
        }
    }

    /// The facts of one call against the vocabulary, at the date the law is applied.
    func check(_ facts: JSONValue) throws(RuleEvaluationError) {
        guard case .object(let members) = facts else { throw .invalidFacts("facts must be a JSON object") }
        let problems = decision.vocabulary.problems(members, dateApplied: decision.reference.date)
        if !problems.isEmpty { throw .factProblems(problems) }
    }

    /// A line of JSON facts, parsed for the check only (the sandbox reads the bytes itself).
    func check(_ line: UnsafeRawBufferPointer) throws(RuleEvaluationError) {
        let facts: JSONValue
        do { facts = try JSONParser.parse(line.assumingMemoryBound(to: UInt8.self)) } catch {
            throw .invalidFacts("invalid JSON: \(error)")
        }
        try check(facts)
    }

    /// `{"error":{"code":...,"message":...,"location":...,"traceback":[...],"line":N}}` (see
    /// `RuleEvaluationError.json`) and a newline; facts that break the vocabulary are listed in
    /// `problems`, each with its `field`. A location starts with the rules directory, as every path
    /// the tools print does. With `printed`, also `"explanation":{"printed":...}`.
    public static func writeError(_ error: RuleEvaluationError, line: Int, under directory: String, printed: String? = nil,
                                  into out: inout [UInt8]) {
        guard case .object(var members) = error.json(under: directory) else { return }
        members["line"] = .int(Int64(line))
        var object: [String: JSONValue] = ["error": .object(members)]
        if let printed { object["explanation"] = ["printed": .string(printed)] }
        JSONWriter.write(.object(object), into: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// A Lua error as the decision's error: bad input, a bad result, or the rule's own failure.
    func map(_ error: LuaError) -> RuleEvaluationError {
        let moduleFile = decision.chain.first { $0.id == function.definedIn }?.chunkName(of: decision.module)
        switch error.kind {
        case .marshal where error.message.contains("invalid JSON") || error.message.hasPrefix("facts must be"):
            return .invalidFacts(error.message)
        case .marshal:
            return .invalidResult("the result cannot be returned: \(error.message)", location: moduleFile)
        case .runtime where error.message.hasPrefix(hostHookErrorPrefix):
            return .invalidResult(String(error.message.dropFirst(hostHookErrorPrefix.count)), location: moduleFile)
        default:
            return .rule(error)
        }
    }
}
