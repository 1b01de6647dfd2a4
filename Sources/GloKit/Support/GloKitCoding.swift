import Foundation
public import GloJSON
import GloRules

/// The JSON coding of entities: `JSONValueCoder` (GloJSON's own `Codable` coder) with `JSONWriter`
/// and `JSONParser`, compact with sorted keys (stable output, readable diffs).
///
/// Entities spell their snake_case keys out in `CodingKeys`, and `CalendarDate`, `Timestamp` and
/// `EntityID` encode themselves as ISO 8601 / UUID strings, so an entity's JSON does not depend on
/// the coder's settings.
public enum GloKitCoding {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        try JSONValueCoder.encodeText(value)
    }

    /// Decodes JSON text; a syntax error comes as a `DecodingError` too.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not JSON: \(error)"))
        }
        return try JSONValueCoder.decode(type, from: value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: Array(text.utf8))
    }

    /// An entity as a `JSONValue` (integers stay integers).
    public static func jsonValue(_ value: some Encodable) throws -> JSONValue {
        try JSONValueCoder.encode(value)
    }
}
