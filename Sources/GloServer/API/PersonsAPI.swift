import GloHTTP
import GloJSON
import GloKit
import Hummingbird

/// People: registered (with the likely duplicates the caller may see), read, found by name. Every read
/// of a person is audited; a person is visible through a case of the caller's (or shared with them).
enum PersonsAPI {
    static let routes: [APIRoute] = [
        APIRoute(.post, "/api/v1/persons") { request, context, s in try await register(request, context, s) },
        APIRoute(.get, "/api/v1/persons") { request, context, s in try await search(request, context, s) },
        APIRoute(.get, "/api/v1/persons/{id}") { _, context, s in try await read(context, s) },
        APIRoute(.post, "/api/v1/persons/{id}/erasure") { request, context, s in try await erase(request, context, s) },
    ]

    /// A person as the API shows them; an erased person is their id and "erased", nothing else.
    static func shown(_ person: Person) throws -> JSONValue {
        guard let erasedAt = person.erasedAt else { return try json(person) }
        return .object(["id": .string(person.id.description), "erased": .bool(true), "erased_at": try json(erasedAt)])
    }

    /// The body of `POST /api/v1/persons/{id}/erasure`.
    struct ErasureRequest: Decodable {
        var reason: Erasure.Reason
        var reference: String?
    }

    /// A data-protection officer erases a person: their data key is destroyed, audited with the reason.
    static func erase(_ request: Request, _ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        let id: PersonID = try context.id("id")
        let caller = try await s.authorize(context, .erase, nil, subject: "person:\(id)")
        var request = request
        let input = try decode(ErasureRequest.self, try await request.jsonBody())
        let outcome = try await Erasure(records: s.host.records).erase(id, reason: input.reason, reference: input.reference,
                                                                       by: caller.user.id, role: caller.role, request: context.requestName)
        return .json(["id": .string(id.description), "erased": .bool(true), "already_erased": .bool(outcome == .alreadyErased)])
    }

    static func register(_ request: Request, _ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        let caller = try await s.authorize(context, .writeCase, nil, subject: "person:new")
        var request = request
        let personal = try decode(PersonalData.self, try await request.jsonBody())
        // Only the likely duplicates the caller may see: no oracle on other jurisdictions' people.
        var duplicates: [DuplicateCandidate] = []
        for candidate in try await s.host.records.likelyDuplicates(of: personal) where try await s.mayRead(caller, person: candidate.person.id) {
            duplicates.append(candidate)
        }
        let new = Person(personal: personal)
        let person = try await s.withAudit(caller, .create, ["person:\(new.id)"], nil, context) {
            try await s.host.cases.register(new, actor: caller.actor)
        }
        return .json(["id": .string(person.id.description),
                      "likely_duplicates": .array(duplicates.map {
                          .object(["id": .string($0.person.id.description), "shared_name_parts": .int(Int64($0.sharedNameParts)),
                                   "same_date_of_birth": .bool($0.sameDateOfBirth)])
                      })], .created)
    }

    static func read(_ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        let id: PersonID = try context.id("id")
        let caller = try await s.authorize(context, .readCase, nil, subject: "person:\(id)")
        guard let person = try await s.host.records.person(id)?.value, try await s.mayRead(caller, person: id) else {
            try await s.audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: "person:\(id)",
                                                jurisdiction: nil, request: context.requestName, detail: "not found or not in your jurisdictions"))
            throw GloKitError.notFound("person", id.description)
        }
        try await s.audited(caller, .read, ["person:\(id)"], nil, context)
        return .json(try shown(person))
    }

    static func search(_ request: Request, _ context: APIContext, _ s: APIServices) async throws -> APIResponse {
        let caller = try await s.authorize(context, .readCase, nil, subject: "person:search")
        guard let name = request.query("name"), !name.allSatisfy(\.isWhitespace) else {
            throw Problem.badRequest("name is required: give a name or part of one")
        }
        var found: [Person] = []
        // The access filter comes before the cap, so that people the caller may not see crowd out no one.
        for person in try await s.host.records.findPersons(named: name, limit: 5_000)
            where person.erasedAt == nil ? try await s.mayRead(caller, person: person.id) : false {
            found.append(person)
            if found.count == 50 { break }
        }
        try await s.audited(caller, .read, found.map { "person:\($0.id)" }, nil, context)
        return .json(["items": .array(try found.map { try shown($0) })])
    }
}
