public import GloJSON
public import GloKit
import GloRules

/// Identification: record a screening, decide `identification.pathway`, and set the case's trafficking
/// status and pathway with who decided. A person's confirmation or override stands: a later rule run
/// is stored and announced, but does not change the status a person set.
public struct IdentificationPlugin: Plugin {
    public let id = "identification"
    public let version = "1.0.0"
    public let summary = "Screenings, the pathway decision, and the trafficking status with who decided it"
    public let decisionsNeeded = [Identification.decision]
    public let emits = [CoreEvents.screeningRecorded, Identification.decided, Identification.ruleDiffers, Identification.confirmed,
                        Identification.overridden]

    public init() {}
}

/// What a screening led to.
public struct ScreeningOutcome: Sendable {
    public var screening: Screening
    public var decision: DecisionRecord
    public var theCase: Case
    /// The facts to ask for next, when the pathway is `undetermined`.
    public var missing: [String] { decision.outcome == Pathway.undetermined.rawValue ? decision.missing : [] }
    /// A person's determination stands and the rule's differs from it.
    public var ruleDiffersFromPerson: Bool
}

/// The identification workflow, for the API, the UI and other plugins.
public struct Identification: Sendable {
    public static let decision = "identification.pathway"
    static let statusData = ["case_id", "decision_id", "pathway", "trafficking_status", "missing", "person_determination_stands"]
    public static let decided = EventType("identification.decided", "the pathway was decided and the case's status set by the rule",
                                          data: statusData)
    public static let ruleDiffers = EventType("identification.rule_differs",
                                              "the rule decided otherwise than the person whose determination stands", data: statusData)
    public static let confirmed = EventType("identification.confirmed", "a person confirmed a possible victim as a victim",
                                            data: ["case_id", "trafficking_status", "identified_by", "pathway", "role"])
    public static let overridden = EventType("identification.overridden", "a person set another status than the rule's, with a reason",
                                             data: ["case_id", "trafficking_status", "identified_by", "pathway", "role"])
    let records: Records
    let decisions: DecisionService
    let cases: CaseService

    public init(_ context: PluginContext) {
        records = context.records
        decisions = context.decisions
        cases = context.cases
    }

    /// Records the screening and decides the pathway on its facts, the case's and the person's; stores
    /// both with the case's new status and pathway in one commit. A rule error stores nothing.
    /// - Parameters:
    ///   - facts: other facts learnt in the interview (`acts_began`, `appears_under_18`, `stateless`...),
    ///     recorded as the case's facts in the same commit; checked against the vocabulary like them.
    ///   - identifiedBy: who the decision is recorded as made by (an MDT, the police, a court).
    ///   - read: the case as the caller just read it (to check access, say), which spares reading it
    ///     again; it must be the screening's case.
    @discardableResult
    public func screen(_ screening: Screening, facts: [String: JSONValue] = [:], identifiedBy: IdentifiedBy, actor: Agent,
                       read: Versioned<Case>? = nil) async throws -> ScreeningOutcome {
        var given = read.flatMap { $0.value.id == screening.caseID ? $0 : nil }
        // Another change to the case meanwhile: decide again on the case as it is now (read afresh).
        return try await records.retryingConflicts {
            defer { given = nil }
            let found: Versioned<Case>
            if let given { found = given } else { found = try await records.require(Case.self, screening.caseID.description) }
            return try await screenOnce(screening, given: facts, found, identifiedBy: identifiedBy, actor: actor)
        }
    }

    private func screenOnce(_ screening: Screening, given: [String: JSONValue], _ found: Versioned<Case>,
                            identifiedBy: IdentifiedBy, actor: Agent) async throws -> ScreeningOutcome {
        var theCase = found.value
        if theCase.status == .closed || theCase.status == .closedReferred {
            throw GloKitError.refused("case \(theCase.id) is closed: reopen it before recording a screening")
        }
        let person = try await records.requirePerson(theCase.person).value
        let stored = try await records.get(CaseFacts.self, theCase.id.description)
        // Every problem at once: the screening's own and the other facts given with it.
        let invalid = screening.validationErrors() + screening.problems(in: cases.vocabulary)
            + (try await cases.problems(given, recorded: stored?.value.facts ?? [:], for: theCase))
        if !invalid.isEmpty { throw ValidationFailure(errors: invalid) }
        var caseFacts = stored?.value ?? CaseFacts(caseID: theCase.id)
        let changed = caseFacts.merge(given)
        let facts = screening.facts(person: person, case: theCase, additional: cases.vocabulary.filter(caseFacts.facts))
        let decision = try decisions.evaluate(Self.decision, for: theCase, facts: facts)
        let humanStands = theCase.statusDetermination.map { $0.method != .rule } ?? false
        let ruleStatus = Self.status(from: decision)
        var differs = false
        if humanStands {
            differs = (ruleStatus.map { $0 != theCase.traffickingStatus } ?? false)
                || Pathway(rawValue: decision.outcome) != theCase.pathway
        } else {
            theCase.pathway = Pathway(rawValue: decision.outcome)
            if let ruleStatus {
                theCase.traffickingStatus = ruleStatus
                theCase.statusDetermination = ruleStatus == .notDetermined ? nil
                    : StatusDetermination(identifiedBy: identifiedBy, method: .rule, decision: decision.id)
            }
        }
        let updated = theCase
        let factsToStore = caseFacts
        try await records.commit { change in
            if !changed.isEmpty {
                try change.store(factsToStore, found: stored, changed: changed, jurisdiction: updated.jurisdiction, actor: actor)
            }
            try change.insert(screening)
            change.emit(CoreEvents.screeningRecorded, jurisdiction: updated.jurisdiction, subject: "case:\(updated.id)", actor: actor,
                        data: .object(["case_id": .string(updated.id.description), "screening_id": .string(screening.id.description)]))
            try change.record(decision, actor: actor)
            if !humanStands { try change.update(updated, from: found.version) }
            var data: [String: JSONValue] = [
                "case_id": .string(updated.id.description), "decision_id": .string(decision.id.description),
                "pathway": .string(decision.outcome), "trafficking_status": .string(updated.traffickingStatus.rawValue),
                "missing": .array(decision.missing.map(JSONValue.string)),
            ]
            if humanStands { data["person_determination_stands"] = .bool(true) }
            change.emit(differs ? Self.ruleDiffers : Self.decided, jurisdiction: updated.jurisdiction,
                        subject: "case:\(updated.id)", actor: actor, data: .object(data))
        }
        return ScreeningOutcome(screening: screening, decision: decision, theCase: updated, ruleDiffersFromPerson: differs)
    }

    /// A first interview: registers the person, opens their case and records the screening with the
    /// other facts learnt, as the new-case form does. Everything is checked before anything is
    /// stored, so a bad form leaves no half-made person or case behind.
    @discardableResult
    public func intake(_ person: Person, _ theCase: Case, _ screening: Screening, facts: [String: JSONValue],
                       identifiedBy: IdentifiedBy, actor: Agent) async throws -> ScreeningOutcome {
        precondition(screening.caseID == theCase.id && theCase.person == person.id, "the screening is of the case, the case of the person")
        let invalid = person.validationErrors() + theCase.validationErrors() + screening.validationErrors()
            + screening.problems(in: cases.vocabulary) + (try await cases.problems(facts, recorded: [:], for: theCase))
        if !invalid.isEmpty { throw ValidationFailure(errors: invalid) }
        try await cases.register(person, actor: actor)
        try await cases.open(theCase, actor: actor)
        return try await screen(screening, facts: facts, identifiedBy: identifiedBy, actor: actor)
    }

    /// A person confirms that a possible victim is a victim (possible -> actual), after the
    /// identification interview: by an MDT, the police or a court.
    @discardableResult
    public func confirm(_ caseID: CaseID, identifiedBy: IdentifiedBy, user: UserID, role: Role, reason: String? = nil,
                        actor: Agent) async throws -> Case {
        let found = try await records.require(Case.self, caseID.description)
        var theCase = found.value
        guard theCase.traffickingStatus == .possible else {
            throw GloKitError.refused("only a possible victim can be confirmed; case \(caseID) is \(theCase.traffickingStatus.rawValue) (use an override to set another status)")
        }
        theCase.traffickingStatus = .actual
        theCase.pathway = .victim
        theCase.statusDetermination = StatusDetermination(identifiedBy: identifiedBy, method: .humanConfirmation,
                                                          decision: theCase.statusDetermination?.decision, user: user,
                                                          role: role, reason: reason)
        return try await save(theCase, from: found.version, event: Self.confirmed, actor: actor)
    }

    /// A person sets a status other than the rule's: needs a permitted role and a reason. It stands
    /// against later rule runs.
    @discardableResult
    public func override(_ caseID: CaseID, status: TraffickingStatus, pathway: Pathway?, identifiedBy: IdentifiedBy,
                         user: UserID, role: Role, reason: String, actor: Agent) async throws -> Case {
        let found = try await records.require(Case.self, caseID.description)
        var theCase = found.value
        theCase.traffickingStatus = status
        if let pathway { theCase.pathway = pathway }
        theCase.statusDetermination = StatusDetermination(identifiedBy: identifiedBy, method: .humanOverride,
                                                          decision: theCase.statusDetermination?.decision, user: user,
                                                          role: role, reason: reason)
        return try await save(theCase, from: found.version, event: Self.overridden, actor: actor)
    }

    private func save(_ theCase: Case, from version: Int64, event: EventType, actor: Agent) async throws -> Case {
        try await records.commit { change in
            try change.update(theCase, from: version)
            var data: [String: JSONValue] = [
                "case_id": .string(theCase.id.description), "trafficking_status": .string(theCase.traffickingStatus.rawValue),
                "identified_by": .string(theCase.statusDetermination?.identifiedBy.rawValue ?? ""),
            ]
            if let pathway = theCase.pathway { data["pathway"] = .string(pathway.rawValue) }
            if let role = theCase.statusDetermination?.role { data["role"] = .string(role.rawValue) }
            change.emit(event, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor, data: .object(data))
        }
        return theCase
    }

    /// The trafficking status a pathway result sets: a victim's `status` (possible or actual); not a
    /// victim for smuggled or irregular migrants and where the Protocol does not apply; nil (leave
    /// as is) while the pathway is undetermined or a vulnerable migrant still to be identified.
    static func status(from decision: DecisionRecord) -> TraffickingStatus? {
        switch Pathway(rawValue: decision.outcome) {
        case .victim?: return decision.result["status"]?.stringValue == "actual" ? .actual : .possible
        case .smuggledMigrant?, .irregularMigrant?, .notApplicable?: return .notVictim
        case .vulnerableMigrant?, .undetermined?, nil: return nil
        }
    }
}
