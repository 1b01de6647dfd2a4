import GloJSON
public import GloKit

/// A decision as the API shows it: the outcome with its explanation and the rule that made it. The
/// facts themselves stay out (they may be personal data).
public struct DecisionView: Encodable, Sendable {
    var id: String
    var decision: String
    var outcome: String
    var reasons: [String]
    var basis: [String]
    var factsRead: [String]
    var factsMissing: [String]
    var rule: Rule
    var result: JSONValue
    var decidedAt: String

    struct Rule: Encodable, Sendable {
        var pack: String
        var version: String
        var hash: String
        var dateApplied: String

        enum CodingKeys: String, CodingKey {
            case pack, version, hash
            case dateApplied = "date_applied"
        }
    }

    public init(_ d: DecisionRecord) {
        id = d.id.description
        decision = d.decision
        outcome = d.outcome
        reasons = d.reasons
        basis = d.basis
        factsRead = d.factsRead
        factsMissing = d.factsMissing
        rule = Rule(pack: d.packID, version: d.packVersion, hash: d.contentHash, dateApplied: d.dateApplied.description)
        result = d.result
        decidedAt = d.decidedAt.description
    }

    enum CodingKeys: String, CodingKey {
        case id, decision, outcome, reasons, basis, rule, result
        case factsRead = "facts_read"
        case factsMissing = "facts_missing"
        case decidedAt = "decided_at"
    }
}
