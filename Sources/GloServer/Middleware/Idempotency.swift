import GloHTTP
public import GloKit
import HTTPTypes
import Hummingbird

/// A POST with an `Idempotency-Key` is answered once per caller and key: a retry gets the first
/// answer and creates nothing; the same key with another request is refused. Only successful answers
/// are kept, sealed at rest under the keys of the people they concern (they may hold what a
/// screening recorded), with the access checks that let the first request through: a replay is
/// made only while the caller still passes them, and is audited as a read.
struct Idempotency: RouterMiddleware {
    typealias Context = APIContext
    let services: APIServices
    static let header = HTTPField.Name("Idempotency-Key")!

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[Self.header], let caller = context.caller else {
            return try await next(request, context)
        }
        guard (1...200).contains(key.count) else { throw Problem.badRequest("Idempotency-Key must be 1 to 200 characters") }
        var request = request
        let body = try await request.jsonBody()
        let id = Users.hash("\(caller.user.id)|\(context.requestName)|\(key)")
        let requestHash = Users.hash(String(decoding: body, as: UTF8.self) + "|" + request.uri.description)
        if let seen = try await services.host.records.get(IdempotentAnswer.self, id)?.value, !seen.erased {
            guard seen.requestHash == requestHash else {
                throw Problem(.unprocessableContent, "idempotency-key-reused", "Idempotency key reused",
                              "this Idempotency-Key was used for a different request; use a new key")
            }
            // The caller may have lost access since (a role, a jurisdiction, a share): then the request
            // is answered as if it came fresh, which refuses it (and audits the refusal).
            if try await services.stillHolds(seen.grants, caller) {
                try await services.audit.append((seen.persons.isEmpty ? ["idempotency:\(id.prefix(12))"] : seen.persons.map { "person:\($0)" }).map {
                    AuditEntry(user: caller.user.id, role: caller.role, action: .read, subject: $0, jurisdiction: nil,
                               request: context.requestName, detail: "idempotent replay")
                })
                return APIResponse(status: HTTPResponse.Status(code: seen.status), body: Array(seen.body.utf8),
                                   contentType: seen.contentType).response
            }
        }
        let replay = Request(head: request.head, body: .init(buffer: ByteBuffer(bytes: body)))
        let access = RequestAccess()
        let answer = try await RequestAccess.$current.withValue(access) { try await next(replay, context) }
        guard (200..<300).contains(answer.status.code) else { return answer }
        let collector = BodyCollector()
        try await answer.body.write(collector)
        let bytes = collector.buffer
        let stored = IdempotentAnswer(id: id, requestHash: requestHash, status: Int(answer.status.code),
                                      contentType: answer.headers[.contentType] ?? "application/json", body: String(buffer: bytes),
                                      persons: access.persons.sorted { $0.description < $1.description }, grants: access.grants)
        // Two retries at once may both run; only the first answer is kept.
        _ = try? await services.host.records.commit { change in try change.insert(stored) }
        return Response(status: answer.status, headers: answer.headers, body: .init(byteBuffer: bytes))
    }
}

/// Reads a response's body into one buffer.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()
    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// A POST's first answer, kept under its idempotency key.
struct IdempotentAnswer: StoredEntity {
    static let collection = RecordCollection("idempotency")
    var id: String
    var requestHash: String
    var status: Int
    var contentType: String
    var body: String
    /// The people the answer concerns: it is sealed under their keys.
    var persons: [PersonID] = []
    /// The access checks the first request passed, checked again before a replay.
    var grants: [RequestAccess.Grant] = []
    /// Read back after one of its people was erased: not to be replayed (not stored).
    var erased = false

    var recordID: String { id }
    var indexKeys: [IndexKey] { [] }
    func validationErrors() -> [FieldError] { [] }

    init(id: String, requestHash: String, status: Int, contentType: String, body: String, persons: [PersonID], grants: [RequestAccess.Grant]) {
        self.id = id
        self.requestHash = requestHash
        self.status = status
        self.contentType = contentType
        self.body = body
        self.persons = persons
        self.grants = grants
    }

    /// The answer may hold what a screening recorded: sealed at rest like personal data.
    func sealed(by vault: PersonVault) throws -> IdempotentAnswer {
        var copy = self
        copy.body = try vault.sealedText(body, boundTo: id, for: .persons(persons))
        return copy
    }

    func opened(by vault: PersonVault) throws -> IdempotentAnswer {
        var copy = self
        do { copy.body = try vault.openedText(body, boundTo: id) } catch VaultError.erased {
            copy.body = ""
            copy.erased = true
        }
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case id, status, body, persons, grants
        case requestHash = "request_hash"
        case contentType = "content_type"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        requestHash = try c.decode(String.self, forKey: .requestHash)
        status = try c.decode(Int.self, forKey: .status)
        contentType = try c.decode(String.self, forKey: .contentType)
        body = try c.decode(String.self, forKey: .body)
        // Answers kept before these were recorded: no people (the host's key), and no grant to check
        // again, so they are never replayed (a fresh request decides).
        persons = try c.decodeIfPresent([PersonID].self, forKey: .persons) ?? []
        grants = try c.decodeIfPresent([RequestAccess.Grant].self, forKey: .grants) ?? [RequestAccess.Grant(permission: "unknown")]
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(requestHash, forKey: .requestHash)
        try c.encode(status, forKey: .status)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(body, forKey: .body)
        try c.encode(persons, forKey: .persons)
        try c.encode(grants, forKey: .grants)
    }
}

/// The entities of the server that seal a value (for the envelope migration).
public enum ServerSealedEntities {
    public static let all: [any StoredEntity.Type] = [IdempotentAnswer.self]
}
