public import GloJSON
public import GloRules

/// What plugins call to apply the law: a case, a decision name and the facts; the jurisdiction's
/// pack version in force at the case's date decides, and the result is kept as a `DecisionRecord`
/// (pack id, version and hash, facts snapshot, outcome, reasons, basis, facts read and missing)
/// announced by `decision.made`.
public struct DecisionService: Sendable {
    public let engine: RuleEngine
    public let records: Records

    public static let eventType = CoreEvents.decisionMade.type

    public init(engine: RuleEngine, records: Records) {
        self.engine = engine
        self.records = records
    }

    /// Decides and stores, in one commit.
    @discardableResult
    public func decide(_ decision: String, for caseID: CaseID, facts: JSONValue, actor: Agent) async throws -> DecisionRecord {
        let theCase = try await records.require(Case.self, caseID.description).value
        let record = try evaluate(decision, for: theCase, facts: facts)
        try await records.commit { change in try change.record(record, actor: actor) }
        return record
    }

    /// Decides without storing, for a plugin that commits the decision with its own change
    /// (`ChangeBuilder.record`). Rule failures come as `RuleEvaluationError`, with file:line.
    /// Whether the pack of the case's jurisdiction, in force when it opened, gives `decision`.
    public func provides(_ decision: String, for theCase: Case) throws -> Bool {
        try engine.decisions(of: theCase.jurisdiction.rawValue, at: theCase.opened).contains(decision)
    }

    public func evaluate(_ decision: String, for theCase: Case, facts: JSONValue) throws -> DecisionRecord {
        let date = theCase.opened
        let result = try engine.decide(jurisdiction: theCase.jurisdiction.rawValue, decision: decision, facts: facts, at: date)
        return DecisionRecord(caseID: theCase.id, jurisdiction: theCase.jurisdiction, packID: result.rule.pack,
                              packVersion: result.rule.version, contentHash: result.rule.hash, decision: decision,
                              dateApplied: date, facts: facts, result: result.value, factsRead: result.factsRead,
                              factsMissing: result.factsMissing, undeclared: result.undeclared)
    }
}

extension ChangeBuilder {
    /// Stores a decision and emits `decision.made` with its ids and outcome (no facts).
    public mutating func record(_ decision: DecisionRecord, actor: Agent) throws {
        try insert(decision)
        var data: [String: JSONValue] = [
            "decision_id": .string(decision.id.description), "decision": .string(decision.decision),
            "outcome": .string(decision.outcome), "pack": .string(decision.packID),
            "version": .string(decision.packVersion), "hash": .string(decision.contentHash),
        ]
        if let caseID = decision.caseID { data["case_id"] = .string(caseID.description) }
        // The host's outcome guard flags the case (`OutcomeGuard`).
        if decision.undeclared != nil { data["undeclared_outcome"] = .bool(true) }
        emit(DecisionService.eventType, jurisdiction: decision.jurisdiction,
             subject: decision.caseID.map { "case:\($0)" } ?? "decision:\(decision.id)", actor: actor, data: .object(data))
    }
}
