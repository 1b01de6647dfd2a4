import Foundation
import GloJSON
import GloKit
import GloRules
import HTTPTypes
import Hummingbird
import PluginIdentification

/// The body of `POST /api/v1/cases`.
struct NewCase: Decodable {
    var person: PersonID
    var jurisdiction: JurisdictionID
    var opened: CalendarDate
    var assignedWorker: UserID?

    enum CodingKeys: String, CodingKey {
        case person, jurisdiction, opened
        case assignedWorker = "assigned_worker"
    }
}

/// The body of `POST /api/v1/cases/{id}/screenings`: the screening's fields, the other facts learnt
/// in the interview, and who decides. Values are checked against the fact vocabulary in force.
struct NewScreening: Decodable {
    var date: CalendarDate
    var acts: [String]
    var means: [String]
    var exploitation: [String]
    var iloIndicators: [String]
    var migration: MigrationFacts?
    var facts: [String: JSONValue]?
    var identifiedBy: IdentifiedBy

    enum CodingKeys: String, CodingKey {
        case date, acts, means, exploitation, migration, facts
        case iloIndicators = "ilo_indicators"
        case identifiedBy = "identified_by"
    }
}

/// The body of `POST /api/v1/rules/evaluate`.
struct WhatIf: Decodable {
    var jurisdiction: String
    var decision: String
    var facts: JSONValue
    var at: CalendarDate?
    var compare: Bool?

    /// The fields two results differ in (the rule that decided aside), by dotted path.
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

/// The answer to `POST /api/v1/cases/{id}/screenings`.
struct ScreeningAnswer: Encodable {
    var screening: Screening
    var decision: DecisionView
    var theCase: Case
    var missing: [String]

    enum CodingKeys: String, CodingKey {
        case screening, decision, missing
        case theCase = "case"
    }
}

/// A decision as the API shows it: the outcome with its explanation and the rule that made it. The
/// facts themselves stay out (they may be personal data).
struct DecisionView: Encodable {
    var id: String
    var decision: String
    var outcome: String
    var reasons: [String]
    var basis: [String]
    var factsRead: [String]
    var factsMissing: [String]
    var rule: Rule
    var result: JSONValue
    var decidedAt: String

    struct Rule: Encodable {
        var pack: String
        var version: String
        var hash: String
        var dateApplied: String

        enum CodingKeys: String, CodingKey {
            case pack, version, hash
            case dateApplied = "date_applied"
        }
    }

    init(_ d: DecisionRecord) {
        id = d.id.description
        decision = d.decision
        outcome = d.outcome
        reasons = d.reasons
        basis = d.basis
        factsRead = d.factsRead
        factsMissing = d.factsMissing
        rule = Rule(pack: d.packID, version: d.packVersion, hash: d.contentHash, dateApplied: d.dateApplied.description)
        result = d.result
        decidedAt = d.decidedAt.description
    }

    enum CodingKeys: String, CodingKey {
        case id, decision, outcome, reasons, basis, rule, result
        case factsRead = "facts_read"
        case factsMissing = "facts_missing"
        case decidedAt = "decided_at"
    }
}

extension GloServer {
    /// Every route the server can have; `routes` keeps those of the enabled plugins.
    static let allRoutes: [APIRoute] = [
        APIRoute(.get, "/healthz", authenticated: false) { _, _, _ in .json(["status": "ok"]) },
        APIRoute(.get, "/readyz", authenticated: false) { _, _, server in try await server.ready() },
        APIRoute(.get, "/metrics", authenticated: false) { _, _, server in try await server.metricsText() },
        APIRoute(.get, "/api/v1/openapi.yaml", authenticated: false) { _, _, server in
            .text(try OpenAPIDocument.text(vocabulary: server.host.engine.vocabulary), contentType: "application/yaml")
        },
        APIRoute(.post, "/api/v1/persons") { request, context, server in try await server.createPerson(request, context) },
        APIRoute(.get, "/api/v1/persons") { request, context, server in try await server.searchPersons(request, context) },
        APIRoute(.get, "/api/v1/persons/{id}") { _, context, server in try await server.person(context) },
        APIRoute(.post, "/api/v1/cases") { request, context, server in try await server.createCase(request, context) },
        APIRoute(.get, "/api/v1/cases") { request, context, server in try await server.listCases(request, context) },
        APIRoute(.get, "/api/v1/cases/{id}") { _, context, server in try await server.caseDetail(context) },
        APIRoute(.get, "/api/v1/cases/{id}/decisions") { _, context, server in try await server.decisions(context) },
        APIRoute(.post, "/api/v1/cases/{id}/facts") { request, context, server in try await server.setFacts(request, context) },
        APIRoute(.post, "/api/v1/cases/{id}/screenings", plugin: "identification") { request, context, server in
            try await server.screen(request, context)
        },
        APIRoute(.get, "/api/v1/admin/plugins") { _, context, server in try await server.plugins(context) },
        APIRoute(.get, "/api/v1/admin/dead-letters") { request, context, server in try await server.deadLetters(request, context) },
        APIRoute(.post, "/api/v1/admin/dead-letters/{id}/retry") { _, context, server in try await server.retryDeadLetter(context) },
        APIRoute(.get, "/api/v1/rules/packs") { _, context, server in try await server.packs(context) },
        APIRoute(.post, "/api/v1/rules/reload") { _, context, server in try await server.reload(context) },
        APIRoute(.post, "/api/v1/rules/evaluate") { request, context, server in try await server.whatIf(request, context) },
        APIRoute(.get, "/api/v1/audit") { request, context, server in try await server.auditEntries(request, context) },
    ] + webRoutes + pluginRoutes

    static func route(_ method: HTTPRequest.Method, _ path: String) -> APIRoute {
        allRoutes.first { $0.method == method && $0.path == path }!
    }

    // MARK: Health

    func ready() async throws -> APIResponse {
        do {
            // The database answers (a read), and which kind it is; its address stays out of reach of
            // unauthenticated callers.
            let store = host.records.store
            let last = try await store.lastSequence()
            var body: [String: JSONValue] = ["status": "ready", "store": "ok", "database": .string(store.kind),
                                             "last_sequence": .int(last), "holder": .string(host.bus.holder),
                                             "plugins": .array(host.plugins.map { .string($0.id) })]
            // Whether the packs on disk are the ones serving: a refused reload keeps the old ones.
            if let reload = host.engine.lastReload {
                body["rules_reload"] = .object(["applied": .bool(reload.applied), "at": .string(Timestamp(reload.at).description),
                                                "problems": .int(Int64(reload.refusals(under: host.engine.directory).count))])
            }
            return .json(.object(body))
        } catch {
            throw Problem(.serviceUnavailable, "not-ready", "Not ready", "the store does not answer")
        }
    }

    func metricsText() async throws -> APIResponse {
        let lag = try await host.bus.lag().mapValues(\.behind)
        let parked = try await host.records.store.deadLetters(state: .parked).count
        return .text(metrics.text(lag: lag, deadLetters: parked), contentType: "text/plain; version=0.0.4")
    }

    // MARK: Persons

    func createPerson(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        let route = Self.route(.post, "/api/v1/persons")
        let caller = try await authorize(context, .writeCase, nil, subject: "person:new", request: route.name)
        var request = request
        let personal = try decode(PersonalData.self, try await request.jsonBody())
        // Only the likely duplicates the caller may see: no oracle on other jurisdictions' people.
        var duplicates: [DuplicateCandidate] = []
        for candidate in try await host.records.likelyDuplicates(of: personal) where try await mayRead(caller, person: candidate.person.id) {
            duplicates.append(candidate)
        }
        let new = Person(personal: personal)
        let person = try await withAudit(caller, .create, ["person:\(new.id)"], nil, request: route.name) {
            try await host.cases.register(new, actor: caller.actor)
        }
        return .json(["id": .string(person.id.description),
                      "likely_duplicates": .array(duplicates.map {
                          .object(["id": .string($0.person.id.description), "shared_name_parts": .int(Int64($0.sharedNameParts)),
                                   "same_date_of_birth": .bool($0.sameDateOfBirth)])
                      })], .created)
    }

    /// Whether the caller may see the person: through a case in their jurisdictions, or because they
    /// registered the person and no case is open yet.
    func mayRead(_ caller: Caller, person id: PersonID) async throws -> Bool {
        let cases = try await host.records.list(Case.self, key: .person(id)).map(\.value)
        if cases.contains(where: { caller.user.jurisdictions.contains($0.jurisdiction) }) { return true }
        for c in cases where try await host.records.sharedSections(c.id, with: caller.user.organisation).contains(.person) {
            return true
        }
        if cases.isEmpty {
            return try await audit.entries(subject: "person:\(id)").contains { $0.action == .create && $0.user == caller.user.id }
        }
        return false
    }

    func person(_ context: APIContext) async throws -> APIResponse {
        let route = Self.route(.get, "/api/v1/persons/{id}")
        let id: PersonID = try context.id("id")
        let caller = try await authorize(context, .readCase, nil, subject: "person:\(id)", request: route.name)
        guard let person = try await host.records.person(id)?.value, try await mayRead(caller, person: id) else {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: "person:\(id)",
                                              jurisdiction: nil, request: route.name, detail: "not found or not in your jurisdictions"))
            throw GloKitError.notFound("person", id.description)
        }
        try await audited(caller, .read, ["person:\(id)"], nil, request: route.name)
        return .json(try json(person))
    }

    func searchPersons(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        let route = Self.route(.get, "/api/v1/persons")
        let caller = try await authorize(context, .readCase, nil, subject: "person:search", request: route.name)
        guard let name = request.query("name"), !name.allSatisfy(\.isWhitespace) else {
            throw Problem.badRequest("name is required: give a name or part of one")
        }
        var found: [Person] = []
        // The access filter comes before the cap, so that people the caller may not see crowd out no one.
        for person in try await host.records.findPersons(named: name, limit: 5_000) where try await mayRead(caller, person: person.id) {
            found.append(person)
            if found.count == 50 { break }
        }
        try await audited(caller, .read, found.map { "person:\($0.id)" }, nil, request: route.name)
        return .json(["items": .array(try found.map { try json($0) })])
    }

    // MARK: Cases

    func createCase(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        let route = Self.route(.post, "/api/v1/cases")
        var request = request
        let input = try decode(NewCase.self, try await request.jsonBody())
        let caller = try await authorize(context, .writeCase, input.jurisdiction, subject: "case:new", request: route.name)
        guard try await mayRead(caller, person: input.person) else {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: "person:\(input.person)",
                                              jurisdiction: input.jurisdiction, request: route.name, detail: "person not readable"))
            throw GloKitError.notFound("person", input.person.description)
        }
        guard host.jurisdictions.contains(input.jurisdiction) else {
            throw Problem(.unprocessableContent, "invalid", "Invalid input", "jurisdiction \(input.jurisdiction) is not served here",
                          extra: ["errors": .array([.object(["field": "jurisdiction", "message": .string("is not served by this host")])])])
        }
        let new = Case(jurisdiction: input.jurisdiction, ownerOrganisation: caller.user.organisation,
                       assignedWorker: input.assignedWorker ?? caller.user.id, person: input.person, opened: input.opened)
        let theCase = try await withAudit(caller, .create, ["case:\(new.id)"], new.jurisdiction, request: route.name) {
            try await host.cases.open(new, actor: caller.actor)
        }
        return .json(try json(theCase), .created)
    }

    func listCases(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        let route = Self.route(.get, "/api/v1/cases")
        let caller = try context.requireCaller()
        guard let jurisdiction = request.query("jurisdiction").map({ JurisdictionID($0) }) ?? caller.user.jurisdictions.first else {
            throw Problem.badRequest("jurisdiction is required")
        }
        _ = try await authorize(context, .readCase, jurisdiction, subject: "cases:\(jurisdiction)", request: route.name)
        let limit = min(500, max(1, Int(request.query("limit") ?? "50") ?? 50))
        let status = request.query("status")
        if let status, CaseStatus(rawValue: status) == nil {
            throw Problem.badRequest("status must be one of \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let after = request.query("cursor")
        let all = try await host.records.list(Case.self, key: .jurisdiction(jurisdiction), limit: Int.max).map(\.value)
            .filter { status == nil || $0.status.rawValue == status }
            .filter { after == nil || $0.id.description > after! }
        let page = Array(all.prefix(limit))
        try await audited(caller, .read, page.map { "case:\($0.id)" }, jurisdiction, request: route.name)
        var body: [String: JSONValue] = ["items": .array(try page.map { try json($0) })]
        if all.count > limit, let last = page.last { body["next_cursor"] = .string(last.id.description) }
        return .json(.object(body))
    }

    func caseDetail(_ context: APIContext) async throws -> APIResponse {
        let (caller, found) = try await authorizedCase(context, .readCase, route: Self.route(.get, "/api/v1/cases/{id}"), section: .caseSummary)
        var body = try json(found.value).objectValue ?? [:]
        if caller.user.jurisdictions.contains(found.value.jurisdiction) {
            body["flags"] = .array(try await host.cases.flags(of: found.value.id).map { try json($0) })
        } else {
            // Through a share: the case's summary only; not who determined what and why, nor its flags.
            body = body.filter { ["id", "jurisdiction", "status", "pathway", "person", "opened", "closed", "trafficking_status",
                                  "owner_organisation"].contains($0.key) }
        }
        return .json(.object(body))
    }

    func decisions(_ context: APIContext) async throws -> APIResponse {
        let (_, found) = try await authorizedCase(context, .readCase, route: Self.route(.get, "/api/v1/cases/{id}/decisions"))
        let list = try await host.records.list(DecisionRecord.self, key: .caseID(found.value.id)).map(\.value)
            .sorted { $0.decidedAt < $1.decidedAt }
        return try .encoded(["items": list.map(DecisionView.init)])
    }

    func setFacts(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        try await onCase(request, context, .writeCase, "/api/v1/cases/{id}/facts", [String: JSONValue].self) { s, caller, theCase, input in
            let facts = try await s.host.cases.setFacts(theCase.id, input, actor: caller.actor)
            return .json(["case_id": .string(theCase.id.description), "keys": .array(facts.facts.keys.sorted().map(JSONValue.string))])
        }
    }

    func screen(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        let route = Self.route(.post, "/api/v1/cases/{id}/screenings")
        let (caller, found) = try await authorizedCase(context, .writeCase, route: route)
        var request = request
        let input = try decode(NewScreening.self, try await request.jsonBody())
        let screening = Screening(caseID: found.value.id, interviewer: caller.user.id, date: input.date, acts: input.acts,
                                  means: input.means, exploitation: input.exploitation, iloIndicators: input.iloIndicators,
                                  migration: input.migration ?? MigrationFacts())
        let identification = Identification(host.context(for: host.plugins.first { $0.id == "identification" }!))
        let outcome = try await withAudit(caller, .update, ["case:\(found.value.id)"], found.value.jurisdiction, request: route.name) {
            try await identification.screen(screening, facts: input.facts ?? [:], identifiedBy: input.identifiedBy,
                                            actor: caller.actor, read: found)
        }
        metrics.decision(outcome.decision.decision, outcome: outcome.decision.outcome)
        // The busiest answer is written as text straight from the entities, with no JSON tree between.
        return try .encoded(ScreeningAnswer(screening: outcome.screening, decision: DecisionView(outcome.decision),
                                            theCase: outcome.theCase, missing: outcome.missing), .created)
    }

    // MARK: Administration

    func plugins(_ context: APIContext) async throws -> APIResponse {
        _ = try await authorize(context, .administer, nil, subject: "plugins", request: "GET /api/v1/admin/plugins")
        return .json(["items": .array(host.plugins.map { p in
            .object(["id": .string(p.id), "version": .string(p.version), "description": .string(p.summary),
                     "handles": .array(p.handles.map { .string($0.text) }),
                     "decisions_needed": .array(p.decisionsNeeded.map(JSONValue.string)),
                     "dependencies": .array(p.dependencies.map(JSONValue.string))])
        })])
    }

    func deadLetters(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        _ = try await authorize(context, .administer, nil, subject: "dead-letters", request: "GET /api/v1/admin/dead-letters")
        let state = request.query("state").flatMap(DeadLetter.State.init(rawValue:))
        return .json(["items": .array(try await host.records.store.deadLetters(state: state).map { l in
            .object(["id": .string(l.id), "subscriber": .string(l.subscriber), "sequence": .int(l.sequence),
                     "type": .string(l.eventType), "error": .string(l.error), "attempts": .int(Int64(l.attempts)),
                     "parked_at": .string(l.parkedAt.description), "state": .string(l.state.rawValue)])
        })])
    }

    func retryDeadLetter(_ context: APIContext) async throws -> APIResponse {
        _ = try await authorize(context, .administer, nil, subject: "dead-letters", request: "POST /api/v1/admin/dead-letters/{id}/retry")
        guard let id = context.parameters.get("id"),
              try await host.records.store.setDeadLetter(id, state: .retryRequested, error: nil, attempts: nil) else {
            throw GloKitError.notFound("dead letter", context.parameters.get("id") ?? "")
        }
        return .json(["id": .string(id), "state": "retry_requested"], .accepted)
    }

    func packs(_ context: APIContext) async throws -> APIResponse {
        _ = try await authorize(context, .manageRules, nil, subject: "rules", request: "GET /api/v1/rules/packs")
        let engine = host.engine
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
        if let last = engine.lastReload { body["last_reload"] = Self.reloadJSON(last, under: engine.directory) }
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
        if let tests = report.tests { body["tests_failed"] = .array(tests.failures.map { .string($0.description) }) }
        return .object(body)
    }

    func reload(_ context: APIContext) async throws -> APIResponse {
        _ = try await authorize(context, .manageRules, nil, subject: "rules", request: "POST /api/v1/rules/reload")
        let report = host.reloadRules()
        return .json(Self.reloadJSON(report, under: host.engine.directory), report.applied ? .ok : .unprocessableContent)
    }

    /// What the rules would decide on the facts given, storing nothing: the result with its rule and
    /// explanation, and, with `compare`, the candidate rule set's result and the fields that differ.
    func whatIf(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        let name = "POST /api/v1/rules/evaluate"
        _ = try await authorize(context, .evaluateRules, nil, subject: "rules:evaluate", request: name)
        var request = request
        let input = try decode(WhatIf.self, try await request.jsonBody())
        let date = input.at ?? .today()
        func decide(_ engine: RuleEngine) throws -> JSONValue {
            try engine.decide(jurisdiction: input.jurisdiction, decision: input.decision, facts: input.facts, at: date).json
        }
        var body: [String: JSONValue] = ["result": try decide(host.engine)]
        if input.compare == true {
            guard let candidate else {
                throw Problem(.unprocessableContent, "no-candidate", "No candidate rules",
                              "this host has no candidate rule set to compare with: set rules_candidate (or --rules-candidate) to a rules directory")
            }
            let other = try decide(candidate)
            body["candidate"] = other
            body["changes"] = .array(WhatIf.changes(body["result"]!, other).map { c in
                .object(["field": .string(c.field), "base": c.base ?? .null, "candidate": c.candidate ?? .null])
            })
        }
        return .json(.object(body))
    }

    func auditEntries(_ request: Request, _ context: APIContext) async throws -> APIResponse {
        _ = try await authorize(context, .audit, nil, subject: "audit", request: "GET /api/v1/audit")
        let user = request.query("user").flatMap { UserID($0) }
        let action = request.query("action").flatMap(AuditEntry.Action.init(rawValue:))
        let limit = min(5_000, max(1, Int(request.query("limit") ?? "500") ?? 500))
        // One more than asked, to tell whether there is a next page.
        let entries = try await audit.entries(subject: request.query("subject"), user: user, action: action,
                                              after: request.query("cursor"), limit: limit + 1)
        let page = entries.prefix(limit)
        var body: [String: JSONValue] = ["items": .array(try page.map { try json($0) })]
        if entries.count > limit, let last = page.last { body["next_cursor"] = .string(last.id.description) }
        return .json(.object(body))
    }
}
