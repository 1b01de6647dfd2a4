public import GloJSON
public import GloKit

/// Encodes with GloKitCoding, decodes back; the decoded value and the JSON written.
public func roundTrip<T: Codable & Equatable>(_ value: T) throws -> (decoded: T, json: JSONValue) {
    let bytes = try GloKitCoding.encode(value)
    return (try GloKitCoding.decode(T.self, from: bytes), try JSONParser.parse(bytes))
}

/// A value's validation errors, field -> message.
public func fieldErrors(_ value: some Validatable) -> [String: String] {
    Dictionary(value.validationErrors().map { ($0.field, $0.message) }, uniquingKeysWith: { a, b in "\(a); \(b)" })
}
