public import GloBase
import GloJSON
public import GloKit

/// Legal process: follow the case through the justice system (complaint, inquiry, prosecution,
/// trial, judgment), the compensation claim, and the victim's role; decide
/// `protection.non_punishment` and flag any charge against an identified victim that the pack bars.
public struct LegalProcessPlugin: Plugin {
    public let id = "legal-process"
    public let version = "1.0.0"
    public let summary = "Proceedings, the compensation claim, the victim as witness, and non-punishment"
    public let dependencies = ["identification"]
    public let decisionsNeeded = [LegalProcess.decision]
    public let emits = [LegalProcess.opened, LegalProcess.stageChanged, LegalProcess.roleChanged, LegalProcess.claimChanged,
                        LegalProcess.chargeBarred]
    /// Follow-ups from the host that handled the case a returned person left behind.
    public let handles = [EventPattern(FederationEvents.received)]

    public init() {}

    public func handle(_ event: Event, _ context: PluginContext) async throws {
        try await LegalProcess(context).handle(event)
    }
}

/// A case's proceedings in the justice system.
public struct Proceeding: StoredEntity, Equatable {
    public static let collection = RecordCollection("proceeding")

    /// In the order a case goes through them.
    public enum Stage: String, Sendable, Codable, CaseIterable, Comparable {
        case complaint, inquiry, prosecution, trial, judgment
        public static func < (a: Stage, b: Stage) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public enum VictimRole: String, Sendable, Codable, CaseIterable {
        case complainant, witness, accused, none
    }

    public enum Claim: String, Sendable, Codable, CaseIterable {
        case notFiled = "not_filed"
        case filed, awarded, rejected
    }

    public struct StageEntry: Sendable, Codable, Equatable {
        public var stage: Stage
        public var on: CalendarDate
    }

    public var id: String
    public var caseID: CaseID
    public var stage: Stage
    public var history: [StageEntry]
    public var courtCaseReference: String?
    public var victimRole: VictimRole
    public var compensationClaim: Claim

    public init(caseID: CaseID, stage: Stage = .complaint, on day: CalendarDate, courtCaseReference: String? = nil,
                victimRole: VictimRole) {
        self.id = EntityID<Proceeding>().description
        self.caseID = caseID
        self.stage = stage
        self.history = [StageEntry(stage: stage, on: day)]
        self.courtCaseReference = courtCaseReference
        self.victimRole = victimRole
        self.compensationClaim = .notFiled
    }

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [.caseID(caseID)] }

    enum CodingKeys: String, CodingKey {
        case id, stage, history
        case caseID = "case_id"
        case courtCaseReference = "court_case_reference"
        case victimRole = "victim_role"
        case compensationClaim = "compensation_claim"
    }

    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if let ref = courtCaseReference, ref.allSatisfy(\.isWhitespace) {
            errors.append(FieldError(field: "proceeding.court_case_reference", message: "must not be empty: enter the reference or leave it out"))
        }
        for (a, b) in zip(history, history.dropFirst()) where b.on < a.on || b.stage <= a.stage {
            errors.append(FieldError(field: "proceeding.history", message: "stages must follow one another in order and in time"))
        }
        return errors
    }
}

/// The legal-process workflow.
public struct LegalProcess: Sendable {
    public static let decision = "protection.non_punishment"
    static let proceedingData = ["case_id", "proceeding_id", "stage", "victim_role", "compensation_claim"]
    public static let opened = EventType("legal.opened", "proceedings were opened", data: proceedingData)
    public static let stageChanged = EventType("legal.stage_changed", "proceedings moved to a later stage", data: proceedingData)
    public static let roleChanged = EventType("legal.role_changed", "the victim's role in the proceedings changed", data: proceedingData)
    public static let claimChanged = EventType("legal.compensation_claim", "the compensation claim was filed or decided", data: proceedingData)
    public static let chargeBarred = EventType("legal.charge_barred", "a charge against a victim is barred by the pack",
                                               data: ["case_id", "charge", "decision_id"])
    let records: Records
    let decisions: DecisionService
    let cases: CaseService
    let federation: Federation

    public init(_ context: PluginContext) {
        records = context.records
        decisions = context.decisions
        cases = context.cases
        federation = context.federation
    }

    /// Opens proceedings (`legal.opened`); the victim is now a party, and a witness testifies.
    @discardableResult
    public func open(_ proceeding: Proceeding, actor: Agent) async throws -> Proceeding {
        let theCase = try await records.require(Case.self, proceeding.caseID.description).value
        try await records.commit { change in
            try change.insert(proceeding)
            change.emit(Self.opened, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "proceeding_id": .string(proceeding.id),
                                       "stage": .string(proceeding.stage.rawValue), "victim_role": .string(proceeding.victimRole.rawValue)]))
        }
        try await cases.setFacts(theCase.id, ["party_to_proceedings": .bool(true),
                                              "testifying": .bool(proceeding.victimRole == .witness)], actor: actor)
        return proceeding
    }

    /// Moves the proceedings to a later stage.
    @discardableResult
    public func advance(_ id: String, to stage: Proceeding.Stage, on day: CalendarDate, actor: Agent) async throws -> Proceeding {
        try await change(id, actor: actor, event: Self.stageChanged) { p in
            guard stage > p.stage else {
                throw GloKitError.refused("proceedings at \(p.stage.rawValue) cannot move to \(stage.rawValue): stages only move forward (\(Proceeding.Stage.allCases.map(\.rawValue).joined(separator: " -> ")))")
            }
            p.stage = stage
            p.history.append(.init(stage: stage, on: day))
        }
    }

    /// The victim's role changes (a witness testifies; facts `testifying`).
    @discardableResult
    public func setVictimRole(_ id: String, _ role: Proceeding.VictimRole, actor: Agent) async throws -> Proceeding {
        let p = try await change(id, actor: actor, event: Self.roleChanged) { $0.victimRole = role }
        try await cases.setFacts(p.caseID, ["testifying": .bool(role == .witness)], actor: actor)
        return p
    }

    /// The compensation claim is filed (facts `claiming_compensation`), then awarded or rejected.
    @discardableResult
    public func setClaim(_ id: String, _ claim: Proceeding.Claim, actor: Agent) async throws -> Proceeding {
        let p = try await change(id, actor: actor, event: Self.claimChanged) { p in
            let allowed: [Proceeding.Claim] = switch p.compensationClaim {
            case .notFiled: [.filed]
            case .filed: [.awarded, .rejected]
            case .awarded, .rejected: []
            }
            guard allowed.contains(claim) else {
                throw GloKitError.refused("a compensation claim that is \(p.compensationClaim.rawValue) cannot become \(claim.rawValue)")
            }
            p.compensationClaim = claim
        }
        try await cases.setFacts(p.caseID, ["claiming_compensation": .bool(claim == .filed)], actor: actor)
        return p
    }

    /// Records a charge against the person, decides non-punishment, and flags the case when the pack
    /// says the charge is barred for this (identified) victim. Returns the decision.
    @discardableResult
    public func charge(_ caseID: CaseID, with charge: String, actor: Agent) async throws -> DecisionRecord {
        // The charges are the vocabulary's (Config/facts.schema.json): a team adds one there, with no build.
        let known = cases.values(of: "charges") ?? []
        guard known.contains(charge) else {
            throw GloKitError.refused("'\(charge)' is not a charge of the vocabulary (\(known.joined(separator: ", ")))")
        }
        let theCase = try await records.require(Case.self, caseID.description).value
        var charges = (try await cases.recordedFacts(caseID))["charges"]?.stringArray ?? []
        if !charges.contains(charge) { charges.append(charge) }
        try await cases.setFacts(caseID, ["charges": .array(charges.map(JSONValue.string))], actor: actor)
        let decision = try await decisions.decide(Self.decision, for: caseID, facts: try await cases.facts(for: caseID), actor: actor)
        let barred = decision.result["barred"]?.stringArray ?? []
        let identified = theCase.traffickingStatus == .possible || theCase.traffickingStatus == .actual
        if decision.outcome == "barred", identified, barred.contains(charge) {
            let raised = try await cases.raise(CaseFlag(
                caseID: caseID, jurisdiction: theCase.jurisdiction, code: "charge_barred", subject: charge,
                message: "the charge \(charge) against this victim is barred: it may not be prosecuted",
                basis: decision.basis, raisedBy: actor))
            if raised {
                try await records.commit { change in
                    change.emit(Self.chargeBarred, jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor,
                                data: .object(["case_id": .string(caseID.description), "charge": .string(charge),
                                               "decision_id": .string(decision.id.description)]))
                }
            }
        }
        return decision
    }

    public func proceedings(of caseID: CaseID) async throws -> [Proceeding] {
        try await records.list(Proceeding.self, key: .caseID(caseID)).map(\.value)
    }

    private func change(_ id: String, actor: Agent, event: EventType,
                        _ edit: (inout Proceeding) throws -> Void) async throws -> Proceeding {
        let found = try await records.require(Proceeding.self, id)
        var p = found.value
        try edit(&p)
        let theCase = try await records.require(Case.self, p.caseID.description).value
        let updated = p
        try await records.commit { change in
            try change.update(updated, from: found.version)
            change.emit(event, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "proceeding_id": .string(updated.id),
                                       "stage": .string(updated.stage.rawValue), "victim_role": .string(updated.victimRole.rawValue),
                                       "compensation_claim": .string(updated.compensationClaim.rawValue)]))
        }
        return updated
    }
}
