import GloJSON
public import GloKit


/// Legal aid: decide `legal_aid.eligibility` whenever the identification or the facts of a case
/// change, open legal assistance (advice, representation, compensation claim), and record whether
/// the victim was informed of the rights to legal aid and compensation, flagging the case when the
/// pack says they must be and they were not.
public struct LegalAidPlugin: Plugin {
    public let id = "legal-aid"
    public let version = "1.0.0"
    public let summary = "Legal-aid eligibility, legal assistance records, and the duty to inform of rights"
    public let dependencies = ["identification"]
    public let decisionsNeeded = [LegalAid.decision]
    public let handles: [EventPattern] = ["identification.*", EventPattern(CoreEvents.factsUpdated)]
    public let emits = [LegalAid.opened]

    public init() {}

    public func handle(_ event: Event, _ context: PluginContext) async throws {
        // Its own fact changes are decided on at once by `recordRightsInformation`.
        if event.actor == context.actor.description { return }
        guard let text = event.data["case_id"]?.stringValue, let caseID = CaseID(text) else { return }
        try await LegalAid(context).decide(caseID, actor: context.actor, after: event.sequence)
    }
}

/// The legal-aid workflow.
public struct LegalAid: Sendable {
    public static let decision = "legal_aid.eligibility"
    public static let opened = EventType("legal_aid.opened", "legal assistance was opened on a case",
                                         data: ["case_id", "legal_assistance_id", "kind", "decision_id"])
    static let rightsFlag = "rights_not_informed"
    let records: Records
    let decisions: DecisionService
    let cases: CaseService

    public init(_ context: PluginContext) {
        records = context.records
        decisions = context.decisions
        cases = context.cases
    }

    /// Decides eligibility on the case's facts now and stores the decision; flags the case when the
    /// pack requires the victim to be informed of their rights and the facts say they were not.
    /// `after`: the event that asked (a redelivery of an event already handled decides nothing).
    @discardableResult
    public func decide(_ caseID: CaseID, actor: Agent, after sequence: Int64? = nil) async throws -> DecisionRecord? {
        try await records.retryingConflicts { try await decideOnce(caseID, actor: actor, after: sequence) }
    }

    private func decideOnce(_ caseID: CaseID, actor: Agent, after sequence: Int64?) async throws -> DecisionRecord? {
        let theCase = try await records.require(Case.self, caseID.description).value
        let state = try await records.get(LegalAidState.self, caseID.description)
        if let sequence, let last = state?.value.lastSequence, sequence <= last { return nil }
        let facts = try await cases.facts(for: caseID)
        let decision = try decisions.evaluate(Self.decision, for: theCase, facts: facts)
        var next = state?.value ?? LegalAidState(caseID: caseID)
        if let sequence { next.lastSequence = sequence }
        next.decision = decision.id
        let saved = next
        try await records.commit { change in
            try change.record(decision, actor: actor)
            if let state { try change.update(saved, from: state.version) } else { try change.insert(saved) }
        }
        if decision.result["inform_of_rights_required"] == .bool(true), facts["informed_of_rights"] == .bool(false) {
            try await cases.raise(CaseFlag(
                caseID: caseID, jurisdiction: theCase.jurisdiction, code: Self.rightsFlag, subject: "legal_aid",
                message: "the victim was not informed of the rights to legal aid and compensation, which the law requires",
                basis: decision.basis, raisedBy: actor))
        }
        return decision
    }

    /// Records whether the victim was informed of the rights to legal aid and compensation, and
    /// decides again.
    @discardableResult
    public func recordRightsInformation(_ caseID: CaseID, informed: Bool, actor: Agent) async throws -> DecisionRecord {
        try await cases.setFacts(caseID, ["informed_of_rights": .bool(informed)], actor: actor)
        guard let decision = try await decide(caseID, actor: actor) else {
            throw GloKitError.refused("legal-aid eligibility of case \(caseID) could not be decided again")
        }
        return decision
    }

    /// Opens legal assistance of a kind the latest eligibility decision allows.
    @discardableResult
    public func open(_ assistance: LegalAssistance, actor: Agent) async throws -> LegalAssistance {
        let theCase = try await records.require(Case.self, assistance.caseID.description).value
        guard let latestID = try await records.get(LegalAidState.self, assistance.caseID.description)?.value.decision,
              let latest = try await records.get(DecisionRecord.self, latestID.description)?.value else {
            throw GloKitError.refused("no legal-aid eligibility has been decided for case \(assistance.caseID): decide it first")
        }
        let kinds = latest.result["kinds"]?.stringArray ?? []
        guard latest.outcome == "eligible", kinds.contains(assistance.kind.rawValue) else {
            let why = latest.reasons.first.map { ": \($0)" } ?? ""
            throw GloKitError.refused("the \(theCase.jurisdiction) pack does not make case \(assistance.caseID) eligible for \(assistance.kind.rawValue) (outcome \(latest.outcome)\(kinds.isEmpty ? "" : ", kinds \(kinds.joined(separator: ", "))"))\(why)")
        }
        try await records.commit { change in
            try change.insert(assistance)
            change.emit(Self.opened, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "legal_assistance_id": .string(assistance.id.description),
                                       "kind": .string(assistance.kind.rawValue), "decision_id": .string(latest.id.description)]))
        }
        return assistance
    }

    /// The latest eligibility decision of a case.
    public func latest(_ caseID: CaseID) async throws -> DecisionRecord? {
        guard let id = try await records.get(LegalAidState.self, caseID.description)?.value.decision else { return nil }
        return try await records.get(DecisionRecord.self, id.description)?.value
    }
}

/// The plugin's view of a case: its latest eligibility decision and the last event it handled.
struct LegalAidState: StoredEntity {
    static let collection = RecordCollection("legal_aid_state")
    var caseID: CaseID
    var decision: DecisionID?
    var lastSequence: Int64 = 0

    var recordID: String { caseID.description }
    var indexKeys: [IndexKey] { [] }
    func validationErrors() -> [FieldError] { [] }

    enum CodingKeys: String, CodingKey {
        case decision
        case caseID = "case_id"
        case lastSequence = "last_sequence"
    }
}
