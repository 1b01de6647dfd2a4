import Foundation
import GloJSON

/// YAML as the commands write it into files people edit (a pack's tests, a new `pack.yaml`): flow style
/// on one line, a text left plain when YAML reads it back as the same text, quoted otherwise.
enum YAMLText {
    static func flow(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .double: return JSONWriter.string(value)
        case .string(let text): return scalar(text)
        case .array(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            return "{ " + members.keys.sorted().map { "\(scalar($0)): \(flow(members[$0]!))" }.joined(separator: ", ") + " }"
        }
    }

    /// A text as a YAML scalar: plain for codes and dates (`recruitment`, `2026-01-01`), else a JSON
    /// string, which YAML reads as a double-quoted scalar with the same escapes.
    static func scalar(_ text: String) -> String {
        let plain = text.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_.\-]*/) != nil || text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil
        // Words YAML 1.1 reads as booleans or null stay texts only when quoted.
        let reserved: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
        return plain && !reserved.contains(text.lowercased()) ? text : JSONWriter.string(.string(text))
    }
}
