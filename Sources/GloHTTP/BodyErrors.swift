import Foundation
import GloJSON
public import GloKit

/// Why a JSON body cannot be read as the route's input, every field at once, in JSON's terms ("must
/// be an array", never a Swift type's name). Swift's decoder stops at the first wrong field; to find
/// the next, the wrong value is replaced by one of the expected kind and the body decoded again. A
/// field whose right value cannot be guessed (one of a list of allowed values) ends the search: the
/// fields found so far are reported.
public struct BodyErrors: Error, Sendable {
    public var errors: [FieldError]

    /// The errors of `bytes` (a JSON document) as a `T`, starting from the decoder's first.
    static func collect<T: Decodable>(_ type: T.Type, json: JSONValue, first: DecodingError) -> BodyErrors {
        var errors: [FieldError] = []
        var body = json
        var error: DecodingError? = first
        // A body has few fields; the bound keeps a hostile one from making this quadratic.
        while let current = error, errors.count < 50 {
            let (path, message) = describe(current)
            errors.append(FieldError(field: path.isEmpty ? "body" : name(path), message: message))
            var next: DecodingError?? = nil
            for candidate in candidates(for: current) {
                var patched = body
                guard patched.replace(at: path, with: candidate) else { continue }
                let outcome = decodeError(T.self, patched)
                // Progress: the body decodes, or fails at another place.
                if let failed = outcome, name(at(failed)) == name(path) { continue }
                body = patched
                next = .some(outcome)
                break
            }
            guard case .some(let moved) = next else { break }
            error = moved
        }
        return BodyErrors(errors: errors)
    }

    static func decodeError<T: Decodable>(_ type: T.Type, _ body: JSONValue) -> DecodingError? {
        do {
            _ = try GloKitCoding.decode(T.self, from: JSONWriter.bytes(body))
            return nil
        } catch let error as DecodingError {
            return error
        } catch {
            return nil
        }
    }

    /// The place of an error, as the keys and indexes leading to it.
    static func at(_ error: DecodingError) -> [any CodingKey] {
        switch error {
        case .keyNotFound(let key, let c): c.codingPath + [key]
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c.codingPath
        @unknown default: []
        }
    }

    /// `migration.entry`, `acts[0]`.
    static func name(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    static func describe(_ error: DecodingError) -> (path: [any CodingKey], message: String) {
        switch error {
        case .keyNotFound: return (at(error), "is required")
        case .valueNotFound(let expected, _): return (at(error), "is required: \(kind(expected))")
        case .typeMismatch(let expected, _): return (at(error), kind(expected))
        case .dataCorrupted(let c):
            // Swift's message for an enum quotes the value sent, which may be anything: not repeated.
            if c.debugDescription.contains("invalid String value") || c.debugDescription.contains("Cannot initialize") {
                return (at(error), "is not one of the allowed values")
            }
            return (at(error), c.debugDescription.isEmpty ? "is not valid" : c.debugDescription)
        @unknown default: return ([], "is not valid")
        }
    }

    /// What a Swift type is in JSON.
    static func kind(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") || name.contains("UnkeyedDecodingContainer") { return "must be an array" }
        if name.hasPrefix("Dictionary") || name.contains("KeyedDecodingContainer") { return "must be an object" }
        if name == "Bool" { return "must be true or false" }
        if ["Int", "Int64", "Int32", "UInt", "Double", "Float", "Decimal"].contains(name) { return "must be a number" }
        return "must be a string"
    }

    /// Values of the kind the decoder wanted, to get past a wrong field.
    static func candidates(for error: DecodingError) -> [JSONValue?] {
        let strings: [JSONValue?] = ["", "2000-01-01", "2000-01-01T00:00:00Z", "00000000-0000-4000-8000-000000000000"]
        switch error {
        case .typeMismatch(let expected, _), .valueNotFound(let expected, _):
            switch kind(expected) {
            case "must be an array": return [.array([])]
            case "must be an object": return [.object([:])]
            case "must be true or false": return [.bool(false)]
            case "must be a number": return [.int(0)]
            default: return strings
            }
        case .keyNotFound:
            return strings + [.array([]), .object([:]), .bool(false), .int(0)]
        case .dataCorrupted:
            // Left out, an optional field lets the rest be read; or a value of a common shape.
            return [nil] + strings
        @unknown default:
            return []
        }
    }
}

extension JSONValue {
    /// Sets (nil: removes) the value at `path`, creating the last key of an object; false when the
    /// path does not lead into the document.
    mutating func replace(at path: [any CodingKey], with value: JSONValue?) -> Bool {
        guard let first = path.first else {
            guard let value else { return false }
            self = value
            return true
        }
        let rest = Array(path.dropFirst())
        switch self {
        case .object(var members):
            if rest.isEmpty {
                members[first.stringValue] = value
            } else {
                guard var child = members[first.stringValue], child.replace(at: rest, with: value) else { return false }
                members[first.stringValue] = child
            }
            self = .object(members)
            return true
        case .array(var items):
            guard let index = first.intValue, items.indices.contains(index) else { return false }
            if rest.isEmpty {
                guard let value else { return false }
                items[index] = value
            } else {
                guard items[index].replace(at: rest, with: value) else { return false }
            }
            self = .array(items)
            return true
        default:
            return false
        }
    }
}
