import Foundation
import GloRules
import GloJSON

/// The JSON coding of entities: `JSONValueCoder` (GloJSON's own `Codable` coder) with `JSONWriter`
/// and `JSONParser`, compact with sorted keys (stable output, readable diffs).
///
/// Entities spell their snake_case keys out in `CodingKeys`, and `CalendarDate`, `Timestamp` and
/// `EntityID` encode themselves as ISO 8601 / UUID strings, so an entity's JSON does not depend on
/// the coder's settings.
public enum GloKitCoding {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        JSONWriter.bytes(try JSONValueCoder.encode(value), sortKeys: true)
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

/// `JSONValue` through `Codable`, for the entities that hold rule results. GloJSON itself stays free
/// of Foundation's coding; this box is how GloKit carries a `JSONValue` in a `Codable` entity.
public struct CodableJSON: Codable, Hashable, Sendable, JSONValueCodable {
    public var value: JSONValue

    public init(_ value: JSONValue) { self.value = value }
    public init(jsonValue: JSONValue) { value = jsonValue }
    public var jsonValue: JSONValue { value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = .null }
        else if let b = try? c.decode(Bool.self) { value = .bool(b) }
        else if let i = try? c.decode(Int64.self) { value = .int(i) }
        else if let d = try? c.decode(Double.self) { value = .double(d) }
        else if let s = try? c.decode(String.self) { value = .string(s) }
        else if let a = try? c.decode([CodableJSON].self) { value = .array(a.map(\.value)) }
        else if let o = try? c.decode([String: CodableJSON].self) { value = .object(o.mapValues(\.value)) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a.map { CodableJSON($0) })
        case .object(let o): try c.encode(o.mapValues { CodableJSON($0) })
        }
    }
}
