import Foundation
import GloRules
import GloJSON

/// The JSON encoder and decoder for entities.
///
/// Entities spell their snake_case keys out in `CodingKeys`, and `CalendarDate`, `Timestamp` and
/// `EntityID` encode themselves as ISO 8601 / UUID strings, so an entity's JSON does not depend on
/// the coder's settings. These coders add sorted keys (stable output, readable diffs) and, for a
/// plain `Date` a caller might add, ISO 8601.
public enum GloKitCoding {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// An entity as a `JSONValue` (through the encoder: integers stay integers).
    public static func jsonValue(_ value: some Encodable) throws -> JSONValue {
        let data = try encoder.encode(value)
        return try JSONParser.parse(Array(data))
    }
}

/// `JSONValue` through `Codable`, for the entities that hold rule results. GloJSON itself stays free
/// of Foundation's coding; this box is how GloKit carries a `JSONValue` in a `Codable` entity.
struct CodableJSON: Codable, Hashable, Sendable {
    var value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    init(from decoder: any Decoder) throws {
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

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a.map(CodableJSON.init))
        case .object(let o): try c.encode(o.mapValues(CodableJSON.init))
        }
    }
}
