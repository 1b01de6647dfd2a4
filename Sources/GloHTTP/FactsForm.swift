import Foundation
public import GloJSON
public import GloKit
public import GloRules

/// The inputs for the facts a form collects, made from the vocabulary (`x-form: screening` or
/// `case`), and the facts a submitted form gives back. A fact a country team adds to the vocabulary
/// appears on its form, with its labels, after a reload: nothing here names a fact.
///
/// Every input can say "not known": a boolean or a choice has an empty option, a list a "none of
/// these" box (a known none) apart from no box ticked (not known). Values are checked by the
/// vocabulary where they are recorded, like the API's.
public struct FactsForm: Sendable {
    let vocabulary: Vocabulary
    /// The forms whose facts it collects: `screening`, `case`, or both (the case page, where the facts
    /// recorded at the screening can be seen and corrected beside the case's own).
    let forms: Set<String>
    let language: String

    public init(vocabulary: Vocabulary, forms: Set<String>, language: String) {
        self.vocabulary = vocabulary
        self.forms = forms
        self.language = language
    }

    public init(vocabulary: Vocabulary, form: String, language: String) {
        self.init(vocabulary: vocabulary, forms: [form], language: language)
    }

    public var facts: [Vocabulary.Fact] { vocabulary.facts.filter { $0.form.map(forms.contains) ?? false } }

    /// Each input, filled with `values` (the facts recorded so far).
    public func fields(_ values: [String: JSONValue], labels: [String: String]) -> [FactField] {
        facts.map { fact in
            let value = values[fact.name]
            var field = FactField(name: fact.name, label: vocabulary.label(fact: fact.name, in: language))
            func option(_ v: String, _ label: String, _ selected: Bool) -> FactField.Option { .init(value: v, label: label, selected: selected) }
            switch fact.type {
            case .boolean:
                field.isChoice = true
                field.options = [option("", labels["unknown"] ?? "—", value == nil), option("true", labels["yes"] ?? "yes", value == .bool(true)),
                                 option("false", labels["no"] ?? "no", value == .bool(false))]
            case .list:
                let chosen = Set(value?.stringArray ?? [])
                field.isList = true
                field.options = (fact.values ?? []).map { option($0, vocabulary.label(value: $0, of: fact.name, in: language), chosen.contains($0)) }
                    + [option(Self.none, labels["none_of_these"] ?? "none", value == .array([]))]
            case .string where fact.values != nil:
                field.isChoice = true
                field.options = [option("", labels["unknown"] ?? "—", value == nil)]
                    + fact.values!.map { option($0, vocabulary.label(value: $0, of: fact.name, in: language), value?.stringValue == $0) }
            case .date:
                field.isInput = true
                field.inputType = "date"
                field.value = value?.stringValue ?? ""
            case .integer, .number:
                field.isInput = true
                field.inputType = "number"
                field.value = value.map { $0.intValue.map(String.init) ?? $0.doubleValue.map { "\($0)" } ?? "" } ?? ""
                field.min = fact.minimum.map { "\($0)" }
            case .string:
                field.isInput = true
                field.inputType = "text"
                field.value = value?.stringValue ?? ""
            }
            if let value {
                field.recorded = true
                field.shown = Self.shown(value, fact: fact.name, vocabulary, labels, language)
            }
            return field
        }
    }

    /// A recorded fact as a caseworker reads it: values by their labels, true and false as yes and no.
    public static func shown(_ value: JSONValue, fact: String, _ vocabulary: Vocabulary, _ labels: [String: String],
                             _ language: String) -> String {
        switch value {
        case .bool(let b): return b ? labels["yes"] ?? "yes" : labels["no"] ?? "no"
        case .string(let s): return vocabulary.label(value: s, of: fact, in: language)
        case .array(let items):
            return items.isEmpty ? labels["none_of_these"] ?? "none"
                : items.map { $0.stringValue.map { vocabulary.label(value: $0, of: fact, in: language) } ?? "\($0)" }.joined(separator: ", ")
        case .int(let n): return "\(n)"
        default: return "\(value)"
        }
    }

    /// The value of the "none of these" box: a list known to be empty.
    static let none = "__none__"

    /// The facts the submitted form gives: each of this form's facts, `null` where left unknown (so a
    /// recorded fact can be taken back). A number that is not one is a field error; everything else
    /// is checked against the vocabulary where it is recorded.
    public func facts(from submitted: FormFields) throws(ValidationFailure) -> [String: JSONValue] {
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

/// One input of a facts form, as the `facts_fields` template shows it.
public struct FactField: Sendable {
    public struct Option: Sendable {
        public var value: String
        public var label: String
        public var selected: Bool
    }

    public var name: String
    public var label: String
    public var isChoice = false
    public var isList = false
    public var isInput = false
    public var inputType = "text"
    public var value = ""
    public var min: String?
    public var options: [Option] = []
    /// Whether the case has this fact, and how it reads.
    public var recorded = false
    public var shown = "—"

    init(name: String, label: String) {
        self.name = name
        self.label = label
    }
}
