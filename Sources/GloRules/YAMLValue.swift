import GloJSON
import Yams

/// A YAML node as a JSON value, plus the line it starts on. Scalars keep their YAML types: `18` is
/// an integer, `18.0` a float, `2026-01-01` a string (dates stay text, as facts and ctx use them).
struct YAMLDocument {
    let root: Yams.Node

    /// Parses `text`; a syntax error becomes a problem at its line.
    init(_ text: String, file: String) throws(RuleProblem) {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw RuleProblem(file: file, line: 1, message: "the file is empty")
            }
            root = node
        } catch let problem as RuleProblem {
            throw problem
        } catch let error as YamlError {
            throw RuleProblem(file: file, line: YAMLDocument.line(of: error), message: "not valid YAML: \(error)")
        } catch {
            throw RuleProblem(file: file, message: "not valid YAML: \(error)")
        }
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

extension Yams.Node {
    var line: Int { mark?.line ?? 1 }

    var json: JSONValue {
        switch self {
        case .scalar(let scalar):
            switch tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return int.map { JSONValue.int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let items):
            return .array(items.map(\.json))
        case .mapping(let pairs):
            var members: [String: JSONValue] = [:]
            for (key, value) in pairs { members[key.string ?? "\(key)"] = value.json }
            return .object(members)
        case .alias:
            return .null
        }
    }

    /// The value under `key` in a mapping.
    func member(_ key: String) -> Yams.Node? {
        guard case .mapping(let pairs) = self else { return nil }
        return pairs.first { $0.key.string == key }?.value
    }
}
