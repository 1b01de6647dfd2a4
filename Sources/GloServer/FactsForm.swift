import Foundation
import GloJSON
import GloKit
import GloRules

/// The inputs for the facts a form collects, made from the vocabulary (`x-form: screening` or
/// `case`), and the facts a submitted form gives back. A fact a country team adds to the vocabulary
/// appears on its form, with its labels, after a reload: nothing here names a fact.
///
/// Every input can say "not known": a boolean or a choice has an empty option, a list a "none of
/// these" box (a known none) apart from no box ticked (not known). Values are checked by the
/// vocabulary where they are recorded, like the API's.
struct FactsForm {
    let vocabulary: Vocabulary
    /// `screening` or `case`.
    let form: String
    let language: String

    var facts: [Vocabulary.Fact] { vocabulary.facts.filter { $0.form == form } }

    /// Each input, filled with `values` (the facts recorded so far).
    func fields(_ values: [String: JSONValue], labels: [String: String]) -> [[String: Any]] {
        facts.map { fact in
            let value = values[fact.name]
            var field: [String: Any] = ["name": fact.name, "label": vocabulary.label(fact: fact.name, in: language)]
            switch fact.type {
            case .boolean:
                field["is_choice"] = true
                field["options"] = [
                    ["value": "", "label": labels["unknown"] ?? "—", "selected": value == nil],
                    ["value": "true", "label": labels["yes"] ?? "yes", "selected": value == .bool(true)],
                    ["value": "false", "label": labels["no"] ?? "no", "selected": value == .bool(false)],
                ]
            case .list:
                let chosen = Set(value?.stringArray ?? [])
                field["is_list"] = true
                field["options"] = (fact.values ?? []).map { v in
                    ["value": v, "label": vocabulary.label(value: v, of: fact.name, in: language), "selected": chosen.contains(v)]
                } + [["value": Self.none, "label": labels["none_of_these"] ?? "none", "selected": value == .array([])]]
            case .string where fact.values != nil:
                field["is_choice"] = true
                field["options"] = [["value": "", "label": labels["unknown"] ?? "—", "selected": value == nil]]
                    + fact.values!.map { v in
                        ["value": v, "label": vocabulary.label(value: v, of: fact.name, in: language), "selected": value?.stringValue == v]
                    }
            case .date:
                field["is_input"] = true
                field["input_type"] = "date"
                field["value"] = value?.stringValue ?? ""
            case .integer, .number:
                field["is_input"] = true
                field["input_type"] = "number"
                field["value"] = value.map { $0.intValue.map(String.init) ?? $0.doubleValue.map { "\($0)" } ?? "" } ?? ""
                if let minimum = fact.minimum { field["min"] = "\(minimum)" }
            case .string:
                field["is_input"] = true
                field["input_type"] = "text"
                field["value"] = value?.stringValue ?? ""
            }
            return field
        }
    }

    /// The value of the "none of these" box: a list known to be empty.
    static let none = "__none__"

    /// The facts the submitted form gives: each of this form's facts, `null` where left unknown (so a
    /// recorded fact can be taken back). A number that is not one is a field error; everything else
    /// is checked against the vocabulary where it is recorded.
    func facts(from submitted: FormFields) throws(ValidationFailure) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        var errors: [FieldError] = []
        for fact in facts {
            let text = submitted[fact.name]
            switch fact.type {
            case .boolean:
                out[fact.name] = text.map { .bool($0 == "true") } ?? .null
            case .list:
                let chosen = submitted.all(fact.name).filter { !$0.isEmpty }
                out[fact.name] = chosen.contains(Self.none) ? .array([])
                    : chosen.isEmpty ? .null : .array(chosen.map(JSONValue.string))
            case .integer:
                if let text {
                    if let n = Int64(text.trimmingCharacters(in: .whitespaces)) { out[fact.name] = .int(n) } else {
                        errors.append(FieldError(field: "facts.\(fact.name)", message: "is not a whole number"))
                    }
                } else {
                    out[fact.name] = .null
                }
            case .number:
                if let text {
                    if let n = Double(text.trimmingCharacters(in: .whitespaces)) { out[fact.name] = .double(n) } else {
                        errors.append(FieldError(field: "facts.\(fact.name)", message: "is not a number"))
                    }
                } else {
                    out[fact.name] = .null
                }
            case .string, .date:
                out[fact.name] = text.map { .string($0.trimmingCharacters(in: .whitespaces)) } ?? .null
            }
        }
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
        return out
    }
}
