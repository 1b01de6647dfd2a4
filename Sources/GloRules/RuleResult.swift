public import GloJSON

/// Which rules decided: the pack asked for (id and version), the content hash of it together with
/// its parents, the decision and the date the law was applied at.
public struct RuleReference: Sendable, Hashable {
    public var pack: String
    public var version: String
    public var hash: String
    public var decision: String
    public var date: CalendarDate

    public var json: JSONValue {
        ["pack": .string(pack), "version": .string(version), "hash": .string(hash),
         "decision": .string(decision), "at": .string(date.description)]
    }
}

/// A decision's result with its explanation: what the rule returned, which rules returned it, and
/// which facts it read and found absent.
public struct RuleResult: Sendable, Equatable {
    /// The whole object the rule returned (`outcome`, `reasons`, `basis` and any other field).
    public var value: JSONValue
    public var rule: RuleReference
    public var factsRead: [String]
    public var factsMissing: [String]
    /// Why the outcome is not one the decision declares; nil when it is. A host that gets one must not
    /// act on it silently: the plugins flag the case.
    public var undeclared: String?

    public var outcome: String { value["outcome"]?.stringValue ?? "" }
    public var reasons: [String] { value["reasons"]?.stringArray ?? [] }
    public var basis: [String] { value["basis"]?.stringArray ?? [] }

    public static func == (a: RuleResult, b: RuleResult) -> Bool {
        a.value == b.value && a.rule == b.rule && a.factsRead == b.factsRead && a.factsMissing == b.factsMissing
    }

    /// The result as `rules explain` prints it and the API will return it.
    public var json: JSONValue {
        guard case .object(var members) = value else { return value }
        members["rule"] = rule.json
        members["explanation"] = ["facts_read": .array(factsRead.map(JSONValue.string)),
                                  "facts_missing": .array(factsMissing.map(JSONValue.string))]
        return .object(members)
    }
}
