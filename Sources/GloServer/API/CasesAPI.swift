import GloHTTP
import GloJSON
import GloKit
import Hummingbird

/// Cases: opened for a registered person, listed by jurisdiction, read (a shared case only in what
/// was shared), their decisions, and their facts recorded in the vocabulary.
enum CasesAPI {
    static let routes: [APIRoute] = [
        APIRoute(.post, "/api/v1/cases") { request, context, s in try await open(request, context, s) },
        APIRoute(.get, "/api/v1/cases") { request, context, s in try await list(request, context, s) },
        APIRoute(.get, "/api/v1/cases/{id}") { _, context, s in try await read(context, s) },
        APIRoute(.get, "/api/v1/cases/{id}/decisions") { _, context, s in try await decisions(context, s) },
        APIRoute(.post, "/api/v1/cases/{id}/facts") { request, context, s in
            try await s.onCase(request, context, .writeCase, [String: JSONValue].self) { caller, theCase, input in
                let facts = try await s.host.cases.setFacts(theCase.id, input, actor: caller.actor)
                return .json(["case_id": .string(theCase.id.description), "keys": .array(facts.facts.keys.sorted().map(JSONValue.string))])
            }
        },
    ]

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

    static func open(_ request: Request, _ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        var request = request
        let input = try decode(NewCase.self, try await request.jsonBody())
        let caller = try await s.authorize(context, .writeCase, input.jurisdiction, subject: "case:new")
        guard try await s.mayRead(caller, person: input.person) else {
            try await s.audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: "person:\(input.person)",
                                                jurisdiction: input.jurisdiction, request: context.requestName, detail: "person not readable"))
            throw GloKitError.notFound("person", input.person.description)
        }
        guard s.host.jurisdictions.contains(input.jurisdiction) else {
            throw ValidationFailure(errors: [FieldError(field: "jurisdiction", message: "is not served by this host")])
        }
        let new = Case(jurisdiction: input.jurisdiction, ownerOrganisation: caller.user.organisation,
                       assignedWorker: input.assignedWorker ?? caller.user.id, person: input.person, opened: input.opened)
        let theCase = try await s.withAudit(caller, .create, ["case:\(new.id)"], new.jurisdiction, context) {
            try await s.host.cases.open(new, actor: caller.actor)
        }
        return .json(try json(theCase), .created)
    }

    static func list(_ request: Request, _ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        let caller = try context.requireCaller()
        guard let jurisdiction = request.query("jurisdiction").map({ JurisdictionID($0) }) ?? caller.user.jurisdictions.first else {
            throw Problem.badRequest("jurisdiction is required")
        }
        try await s.authorize(context, .readCase, jurisdiction, subject: "cases:\(jurisdiction)")
        let limit = min(500, max(1, Int(request.query("limit") ?? "50") ?? 50))
        let status = request.query("status")
        if let status, CaseStatus(rawValue: status) == nil {
            throw Problem.badRequest("status must be one of \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // Pages of the jurisdiction's index after the cursor, the status filter applied to each, until
        // one more case than asked is found (to tell whether there is a next page).
        var cursor = request.query("cursor")
        var found: [Case] = []
        while found.count <= limit {
            let cases = try await s.host.records.page(Case.self, key: .jurisdiction(jurisdiction), after: cursor, limit: limit + 1)
            guard let last = cases.last else { break }
            cursor = last.id.description
            found += cases.filter { status == nil || $0.status.rawValue == status }
            if cases.count <= limit { break }
        }
        let page = Array(found.prefix(limit))
        try await s.audited(caller, .read, page.map { "case:\($0.id)" }, jurisdiction, context)
        var body: [String: JSONValue] = ["items": .array(try page.map { try json($0) })]
        if found.count > limit, let last = page.last { body["next_cursor"] = .string(last.id.description) }
        return .json(.object(body))
    }

    static func read(_ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        let (caller, found) = try await s.authorizedCase(context, .readCase, section: .caseSummary)
        var body = try json(found.value).objectValue ?? [:]
        if caller.user.jurisdictions.contains(found.value.jurisdiction) {
            body["flags"] = .array(try await s.host.cases.flags(of: found.value.id).map { try json($0) })
        } else {
            // Through a share: the case's summary only; not who determined what and why, nor its flags.
            body = body.filter { ["id", "jurisdiction", "status", "pathway", "person", "opened", "closed", "trafficking_status",
                                  "owner_organisation"].contains($0.key) }
        }
        return .json(.object(body))
    }

    static func decisions(_ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        let (_, found) = try await s.authorizedCase(context, .readCase)
        let list = try await s.host.records.list(DecisionRecord.self, key: .caseID(found.value.id)).map(\.value)
            .sorted { $0.decidedAt < $1.decidedAt }
        return try .encoded(["items": list.map(DecisionView.init)])
    }
}
