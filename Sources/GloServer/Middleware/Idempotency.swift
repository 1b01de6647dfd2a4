import GloHTTP
import GloKit
import HTTPTypes
import Hummingbird

/// A POST with an `Idempotency-Key` is answered once per caller and key: a retry gets the first
/// answer and creates nothing; the same key with another request is refused. Only successful answers
/// are kept, sealed at rest (they may hold what a screening recorded).
struct Idempotency: RouterMiddleware {
    typealias Context = APIContext
    let host: GloHost
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
        if let seen = try await host.records.get(IdempotentAnswer.self, id)?.value {
            guard seen.requestHash == requestHash else {
                throw Problem(.unprocessableContent, "idempotency-key-reused", "Idempotency key reused",
                              "this Idempotency-Key was used for a different request; use a new key")
            }
            return APIResponse(status: HTTPResponse.Status(code: seen.status), body: Array(seen.body.utf8), contentType: seen.contentType).response
        }
        let replay = Request(head: request.head, body: .init(buffer: ByteBuffer(bytes: body)))
        let answer = try await next(replay, context)
        guard (200..<300).contains(answer.status.code) else { return answer }
        let collector = BodyCollector()
        try await answer.body.write(collector)
        let bytes = collector.buffer
        let stored = IdempotentAnswer(id: id, requestHash: requestHash, status: Int(answer.status.code),
                                      contentType: answer.headers[.contentType] ?? "application/json", body: String(buffer: bytes))
        // Two retries at once may both run; only the first answer is kept.
        _ = try? await host.records.commit { change in try change.insert(stored) }
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

    var recordID: String { id }
    var indexKeys: [IndexKey] { [] }
    func validationErrors() -> [FieldError] { [] }

    /// The answer may hold what a screening recorded: sealed at rest like personal data.
    func sealed(by vault: PersonVault) throws -> IdempotentAnswer {
        var copy = self
        copy.body = try vault.sealedText(body, boundTo: id)
        return copy
    }

    func opened(by vault: PersonVault) throws -> IdempotentAnswer {
        var copy = self
        copy.body = try vault.openedText(body, boundTo: id)
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case id, status, body
        case requestHash = "request_hash"
        case contentType = "content_type"
    }
}
