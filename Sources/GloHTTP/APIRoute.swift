public import GloJSON
import GloKit
public import HTTPTypes
import Hummingbird
public import HummingbirdCore

/// What an API handler answers: a status and a JSON body (or text, for metrics and documents).
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
    public static func encoded(_ value: some Encodable, _ status: HTTPResponse.Status = .ok) throws -> APIResponse {
        APIResponse(status: status, body: try GloKitCoding.encode(value), contentType: "application/json")
    }

    public static func text(_ text: String, contentType: String) -> APIResponse {
        APIResponse(status: .ok, body: Array(text.utf8), contentType: contentType)
    }

    public var response: Response {
        var headers = self.headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Who may call a route.
public enum RouteAccess: Sendable {
    /// Anyone: health, readiness, metrics, the API document, signing in.
    case anyone
    /// A signed-in caller (a bearer token, or the session cookie with its CSRF token for a change).
    case signedIn
}

/// One route of the API: its method and path (as the OpenAPI document writes it), who may call it,
/// and its handler. The core's routes and each enabled plugin's are composed by the server.
public struct APIRoute: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    public var access: RouteAccess
    public var handler: @Sendable (Request, APIContext, APIServices) async throws -> APIResponse

    public init(_ method: HTTPRequest.Method, _ path: String, access: RouteAccess = .signedIn,
                _ handler: @escaping @Sendable (Request, APIContext, APIServices) async throws -> APIResponse) {
        self.method = method
        self.path = path
        self.access = access
        self.handler = handler
    }

    /// `METHOD /path`, as metrics and the audit log name a request.
    public var name: String { "\(method.rawValue) \(path)" }
}
