public import GloJSON
import GloRules

/// A decision as data (docs/architecture.md, "Layers"): which pack (id, version, content hash), which decision,
/// the facts it was given, the date the law was applied at, the outcome with its reasons and legal
/// basis, and the explanation, so that it can be replayed and explained later.
///
/// `factsSnapshot` is the facts as compact JSON text with sorted keys, exactly as given. GloKit has
/// no cryptographic hash: the store computes and keeps the SHA-256 of this text (and may keep only
/// the hash when the facts must not be kept).
public struct DecisionRecord: Sendable, Hashable, Codable, Validatable {
    public var id: DecisionID
    public var caseID: CaseID?
    /// The jurisdiction served (the pack id may differ, e.g. `TH-2019` loaded with `--rules`).
    public var jurisdiction: JurisdictionID
    public var packID: String
    public var packVersion: String
    /// The content hash of the pack together with its parents, as the rule engine gives it.
    public var contentHash: String
    /// Such as `identification.pathway`.
    public var decision: String
    public var dateApplied: CalendarDate
    public var factsSnapshot: String
    public var outcome: String
    public var reasons: [String]
    public var basis: [String]
    public var factsRead: [String]
    public var factsMissing: [String]
    /// The facts to ask for next: the rule's own `missing` when it names them, else, for an
    /// undetermined outcome, those it read and found absent.
    public var missing: [String] { result["missing"].map(\.stringArray) ?? (outcome == "undetermined" ? factsMissing : []) }
    /// The whole object the rule returned.
    public var result: JSONValue
    public var decidedAt: Timestamp
    /// Why the outcome is one no declaration allows (`decisions.yaml`, pack.yaml); nil when it is
    /// declared. Such a decision is stored and flagged on its case, never acted on silently.
    public var undeclared: String?

    public init(id: DecisionID = DecisionID(), caseID: CaseID? = nil, jurisdiction: JurisdictionID,
                packID: String, packVersion: String, contentHash: String, decision: String,
                dateApplied: CalendarDate, facts: JSONValue, result: JSONValue, factsRead: [String] = [],
                factsMissing: [String] = [], decidedAt: Timestamp = .now, undeclared: String? = nil) {
        self.id = id
        self.caseID = caseID
        self.jurisdiction = jurisdiction
        self.packID = packID
        self.packVersion = packVersion
        self.contentHash = contentHash
        self.decision = decision
        self.dateApplied = dateApplied
        self.factsSnapshot = JSONWriter.string(facts, sortKeys: true)
        self.outcome = result["outcome"]?.stringValue ?? ""
        self.reasons = result["reasons"]?.stringArray ?? []
        self.basis = result["basis"]?.stringArray ?? []
        self.factsRead = factsRead
        self.factsMissing = factsMissing
        self.result = result
        self.decidedAt = decidedAt
        self.undeclared = undeclared
    }

    /// The facts, parsed back from the snapshot.
    public var facts: JSONValue? { try? JSONParser.parse(factsSnapshot) }

    enum CodingKeys: String, CodingKey {
        case id, jurisdiction, decision, outcome, reasons, basis, result
        case caseID = "case_id"
        case packID = "pack_id"
        case packVersion = "pack_version"
        case contentHash = "content_hash"
        case dateApplied = "date_applied"
        case factsSnapshot = "facts_snapshot"
        case factsRead = "facts_read"
        case factsMissing = "facts_missing"
        case decidedAt = "decided_at"
        case undeclared = "undeclared_outcome"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(DecisionID.self, forKey: .id)
        caseID = try c.decodeIfPresent(CaseID.self, forKey: .caseID)
        jurisdiction = try c.decode(JurisdictionID.self, forKey: .jurisdiction)
        packID = try c.decode(String.self, forKey: .packID)
        packVersion = try c.decode(String.self, forKey: .packVersion)
        contentHash = try c.decode(String.self, forKey: .contentHash)
        decision = try c.decode(String.self, forKey: .decision)
        dateApplied = try c.decode(CalendarDate.self, forKey: .dateApplied)
        factsSnapshot = try c.decode(String.self, forKey: .factsSnapshot)
        outcome = try c.decode(String.self, forKey: .outcome)
        reasons = try c.decode([String].self, forKey: .reasons)
        basis = try c.decode([String].self, forKey: .basis)
        factsRead = try c.decode([String].self, forKey: .factsRead)
        factsMissing = try c.decode([String].self, forKey: .factsMissing)
        result = try c.decode(JSONValue.self, forKey: .result)
        decidedAt = try c.decode(Timestamp.self, forKey: .decidedAt)
        undeclared = try c.decodeIfPresent(String.self, forKey: .undeclared)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(caseID, forKey: .caseID)
        try c.encode(jurisdiction, forKey: .jurisdiction)
        try c.encode(packID, forKey: .packID)
        try c.encode(packVersion, forKey: .packVersion)
        try c.encode(contentHash, forKey: .contentHash)
        try c.encode(decision, forKey: .decision)
        try c.encode(dateApplied, forKey: .dateApplied)
        try c.encode(factsSnapshot, forKey: .factsSnapshot)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(basis, forKey: .basis)
        try c.encode(factsRead, forKey: .factsRead)
        try c.encode(factsMissing, forKey: .factsMissing)
        try c.encode(result, forKey: .result)
        try c.encode(decidedAt, forKey: .decidedAt)
        try c.encodeIfPresent(undeclared, forKey: .undeclared)
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("decision")
        c.jurisdiction(jurisdiction, "jurisdiction")
        c.text(packID, "pack_id")
        c.text(packVersion, "pack_version")
        c.text(contentHash, "content_hash")
        c.text(decision, "decision")
        c.text(outcome, "outcome")
        c.notBefore1900(dateApplied, "date_applied")
        if facts?.objectValue == nil { c.fail("facts_snapshot", "must be a JSON object of facts") }
        return c.errors
    }
}
