import Foundation
import GloJSON
import GloKit
import GloRules
import HTTPTypes
import Hummingbird

/// What a handler answers: a status and a JSON body (or text, for metrics and the OpenAPI document).
public struct APIResponse: Sendable {
    public var status: HTTPResponse.Status
    public var body: [UInt8]
    public var contentType: String
    public var headers = HTTPFields()

    public init(status: HTTPResponse.Status, body: [UInt8], contentType: String) {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    public static func json(_ value: JSONValue, _ status: HTTPResponse.Status = .ok) -> APIResponse {
        APIResponse(status: status, body: JSONWriter.bytes(value), contentType: "application/json")
    }

    /// An entity (or an answer made of entities) as JSON, written as text directly; the same bytes
    /// as `json(try json(value))`.
    static func encoded(_ value: some Encodable, _ status: HTTPResponse.Status = .ok) throws -> APIResponse {
        APIResponse(status: status, body: try GloKitCoding.encode(value), contentType: "application/json")
    }

    public static func text(_ text: String, contentType: String) -> APIResponse {
        APIResponse(status: .ok, body: Array(text.utf8), contentType: contentType)
    }

    var response: Response {
        var headers = self.headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// One route of the API: its method and path (as the OpenAPI document writes it), whether it needs a
/// signed-in caller, the plugin that contributes it (nil: the core), and its handler.
public struct APIRoute: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    public var authenticated: Bool
    public var plugin: String?
    var handler: @Sendable (Request, APIContext, GloServer) async throws -> APIResponse

    init(_ method: HTTPRequest.Method, _ path: String, authenticated: Bool = true, plugin: String? = nil,
         _ handler: @escaping @Sendable (Request, APIContext, GloServer) async throws -> APIResponse) {
        self.method = method
        self.path = path
        self.authenticated = authenticated
        self.plugin = plugin
        self.handler = handler
    }

    /// `METHOD /path`, as metrics and the audit log name a request.
    public var name: String { "\(method.rawValue) \(path)" }
}

// MARK: - Reading requests

extension Request {
    /// The body as JSON bytes (at most 1 MiB).
    mutating func jsonBody() async throws -> [UInt8] {
        let buffer = try await collectBody(upTo: 1 << 20)
        return Array(buffer.readableBytesView)
    }

    func query(_ name: String) -> String? { uri.queryParameters.get(name) }
}

extension APIContext {
    func id<Tag>(_ name: String, as type: EntityID<Tag>.Type = EntityID<Tag>.self) throws -> EntityID<Tag> {
        guard let text = parameters.get(name), let id = EntityID<Tag>(text) else {
            throw Problem.notFound("\(name) must be an id (a UUID)")
        }
        return id
    }

    func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthorized("sign in: send Authorization: Bearer <token>") }
        return caller
    }
}

/// Decodes a JSON body into an entity-shaped input.
func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
    guard !bytes.isEmpty else { throw Problem.badRequest("the body is empty: send a JSON object") }
    return try GloKitCoding.decode(type, from: bytes)
}

func json(_ value: some Encodable) throws -> JSONValue { try GloKitCoding.jsonValue(value) }

