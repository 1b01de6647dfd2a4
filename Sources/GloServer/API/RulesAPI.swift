import GloHTTP
import GloJSON
import GloKit
import GloRules
import Hummingbird

/// For rule authors: the packs in force with their tests and the hash decisions carry, a reload as
/// strict as the start, and what-ifs that store nothing.
enum RulesAPI {
    static let routes: [APIRoute] = [
        APIRoute(.get, "/api/v1/rules/packs") { _, context, s in try await packs(context, s) },
        APIRoute(.post, "/api/v1/rules/reload") { _, context, s in
            try await s.authorize(context, .manageRules, nil, subject: "rules")
            let report = s.host.reloadRules()
            return .json(reloadJSON(report, under: s.host.engine.directory), report.applied ? .ok : .unprocessableContent)
        },
        APIRoute(.post, "/api/v1/rules/evaluate") { request, context, s in try await whatIf(request, context, s) },
    ]

    static func packs(_ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        try await s.authorize(context, .manageRules, nil, subject: "rules")
        let engine = s.host.engine
        let tests = engine.runTests()
        var body: [String: JSONValue] = ["items": .array(engine.ruleSet.packs.map { p in
            let counts = tests.perPack.first { $0.pack == "\(p.id)@\(p.version)" }
            let date = p.manifest.effectiveFrom ?? p.manifest.effectiveTo ?? .today()
            return .object(["id": .string(p.id), "version": .string(p.version), "hash": .string(p.contentHash),
                            // The hash a decision of this version carries: the pack with its parents.
                            "decision_hash": engine.chainHash(p, at: date).map(JSONValue.string) ?? .null,
                            "effective_from": p.manifest.effectiveFrom.map { .string($0.description) } ?? .null,
                            "effective_to": p.manifest.effectiveTo.map { .string($0.description) } ?? .null,
                            "tests_passed": .int(Int64(counts?.passed ?? 0)), "tests_failed": .int(Int64(counts?.failed ?? 0))])
        })]
        body["broken"] = .array(engine.problems.map { .string($0.under(engine.directory).description) })
        if let last = engine.lastReload { body["last_reload"] = reloadJSON(last, under: engine.directory) }
        return .json(.object(body))
    }

    /// A reload's report as the API shows it: applied or not, when, what changed, and every reason.
    static func reloadJSON(_ report: ReloadReport, under directory: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "applied": .bool(report.applied), "at": .string(Timestamp(report.at).description),
            "changed": .array(report.changed.map(JSONValue.string)),
            "problems": .array(report.refusals(under: directory).map(JSONValue.string)),
            "set_aside": .array(report.setAside.map { .string($0.under(directory).description) }),
        ]
        if let tests = report.tests {
            body["tests_failed"] = .array(tests.failures.map {
                .string("\(RuleProblem.path($0.file, under: directory)):\($0.line): \($0.name): \($0.message)")
            })
        }
        return .object(body)
    }

    /// The body of `POST /api/v1/rules/evaluate`.
    struct WhatIf: Decodable {
        var jurisdiction: String
        var decision: String
        var facts: JSONValue
        var at: CalendarDate?
        var compare: Bool?
    }

    /// What the rules would decide on the facts given, storing nothing: the result with its rule and
    /// explanation, and, with `compare`, the candidate rule set's result and the fields that differ.
    static func whatIf(_ request: Request, _ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        try await s.authorize(context, .evaluateRules, nil, subject: "rules:evaluate")
        var request = request
        let input = try decode(WhatIf.self, try await request.jsonBody())
        let date = input.at ?? .today()
        func decide(_ engine: RuleEngine) throws -> JSONValue {
            try engine.decide(jurisdiction: input.jurisdiction, decision: input.decision, facts: input.facts, at: date).json
        }
        let base = try decide(s.host.engine)
        var body: [String: JSONValue] = ["result": base]
        if input.compare == true {
            guard let candidate = s.candidate else {
                throw Problem(.unprocessableContent, "no-candidate", "No candidate rules",
                              "this host has no candidate rule set to compare with: set rules_candidate (or --rules-candidate) to a rules directory")
            }
            let other = try decide(candidate)
            body["candidate"] = other
            body["changes"] = .array(changes(base, other).map { c in
                .object(["field": .string(c.field), "base": c.base ?? .null, "candidate": c.candidate ?? .null])
            })
        }
        return .json(.object(body))
    }

    /// The fields two results differ in (the rule that decided, and the explanation, aside), by path.
    static func changes(_ a: JSONValue, _ b: JSONValue, path: String = "") -> [(field: String, base: JSONValue?, candidate: JSONValue?)] {
        guard case .object(let x) = a, case .object(let y) = b else {
            return a == b ? [] : [(path, a, b)]
        }
        return Set(x.keys).union(y.keys).subtracting(path.isEmpty ? ["rule", "explanation"] : []).sorted().flatMap { key in
            let here = path.isEmpty ? key : "\(path).\(key)"
            switch (x[key], y[key]) {
            case (let l?, let r?): return changes(l, r, path: here)
            case (let l, let r): return [(here, l, r)]
            }
        }
    }
}
