import Foundation
public import GloJSON
public import GloKit
import Hummingbird
public import HummingbirdCore

extension Request {
    /// The body as bytes (at most 1 MiB): a JSON document, or a form.
    public mutating func jsonBody() async throws -> [UInt8] {
        let buffer = try await collectBody(upTo: 1 << 20)
        return Array(buffer.readableBytesView)
    }

    public func query(_ name: String) -> String? { uri.queryParameters.get(name) }
}

extension APIContext {
    /// The path parameter `name` as an id, or not found.
    public func id<Tag>(_ name: String, as type: EntityID<Tag>.Type = EntityID<Tag>.self) throws -> EntityID<Tag> {
        guard let text = parameters.get(name), let id = EntityID<Tag>(text) else {
            throw Problem.notFound("\(name) must be an id (a UUID)")
        }
        return id
    }

    public func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.unauthorized("sign in: send Authorization: Bearer <token>") }
        return caller
    }
}

/// Decodes a JSON body into an entity-shaped input; a body of the wrong shape is refused with every
/// wrong field (`BodyErrors`).
public func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
    guard !bytes.isEmpty else { throw Problem.badRequest("the body is empty: send a JSON object") }
    do {
        return try GloKitCoding.decode(type, from: bytes)
    } catch let error as DecodingError {
        guard let json = try? JSONParser.parse(bytes) else { throw error }
        throw BodyErrors.collect(T.self, json: json, first: error)
    }
}

/// An entity as a JSON value, the way the API writes it.
public func json(_ value: some Encodable) throws -> JSONValue { try GloKitCoding.jsonValue(value) }

/// A submitted form, with its repeated fields (checkboxes) kept.
public struct FormFields: Sendable {
    public let pairs: [(String, String)]

    public init(pairs: [(String, String)]) { self.pairs = pairs }

    public init(_ body: [UInt8]) {
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
        pairs = (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }
    }

    /// The first value of `name`, nil when absent or empty.
    public subscript(_ name: String) -> String? {
        pairs.first { $0.0 == name }.map(\.1).flatMap { $0.isEmpty ? nil : $0 }
    }

    public func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }
}
