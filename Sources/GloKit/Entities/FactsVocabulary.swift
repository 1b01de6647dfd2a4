import GloJSON

/// The facts every rule pack reads (DESIGN.md, "Facts and outcomes"), as `Config/facts.schema.json`
/// defines them. This table mirrors the schema's keys and JSON types (a test checks that they agree);
/// extend the schema first, then this table.
public enum FactsVocabulary {
    public enum Kind: String, Sendable, Hashable {
        case integer, string, boolean, stringArray = "string_array"

        func accepts(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.integer, .int), (.string, .string), (.boolean, .bool): return true
            case (.stringArray, .array(let items)): return items.allSatisfy { $0.stringValue != nil }
            default: return false
            }
        }
    }

    public static let kinds: [String: Kind] = [
        "case_ref": .string,
        "age": .integer,
        "birthdate": .string,
        "citizenship": .stringArray,
        "acts": .stringArray,
        "means": .stringArray,
        "exploitation": .stringArray,
        "ilo_indicators": .stringArray,
        "consented": .boolean,
        "entry": .string,
        "smuggler_paid": .boolean,
        "country": .string,
        "origin": .string,
        "trafficking_status": .string,
        "identified_by": .string,
        "informed_of_rights": .boolean,
        "low_income": .boolean,
        "party_to_proceedings": .boolean,
        "testifying": .boolean,
        "claiming_compensation": .boolean,
        "charges": .stringArray,
        "wishes_to_return": .boolean,
        "return_risk": .string,
        "days_since_referral": .integer,
        "route": .string,
        "consent_to_share_data": .boolean,
    ]

    /// The members of `facts` that are vocabulary keys with the right JSON type; the others are dropped.
    public static func filter(_ facts: [String: JSONValue]) -> [String: JSONValue] {
        facts.filter { key, value in kinds[key]?.accepts(value) ?? false }
    }
}
