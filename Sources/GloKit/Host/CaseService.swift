public import GloJSON
public import GloRules

/// The core operations every workflow builds on: register a person, open a case, record a
/// screening, record facts. Each validates, commits its record with its event, and returns what was
/// stored. Events carry ids only; never a name.
public struct CaseService: Sendable {
    public let records: Records
    /// Whose vocabulary facts are checked against: the rules in use, so a reload that adds a fact
    /// makes it accepted at once.
    let engine: RuleEngine

    public init(records: Records, engine: RuleEngine) {
        self.records = records
        self.engine = engine
    }

    /// The fact vocabulary in force.
    public var vocabulary: Vocabulary { engine.vocabulary }

    /// The values the vocabulary in force allows for `fact` (the charges, say); nil for a fact with
    /// no list of values.
    public func values(of fact: String) -> [String]? { vocabulary.fact(fact)?.values }

    /// Registers a person (`person.registered`). Call `Records.likelyDuplicates` first and show
    /// the candidates to the caseworker.
    @discardableResult
    public func register(_ person: Person, actor: Agent) async throws -> Person {
        var person = person
        if person.registeredBy == nil, case .user(let id) = actor { person.registeredBy = id }
        let registered = person
        try await records.commit { change in
            try change.put(registered)
            change.emit(CoreEvents.personRegistered, jurisdiction: nil, subject: "person:\(person.id)", actor: actor,
                        data: .object(["person_id": .string(person.id.description)]))
        }
        return person
    }

    /// Opens a case for a registered person (`case.opened`).
    @discardableResult
    public func open(_ theCase: Case, actor: Agent) async throws -> Case {
        guard try await records.person(theCase.person) != nil else {
            throw GloKitError.notFound("person", theCase.person.description)
        }
        try await records.commit { change in
            try change.insert(theCase)
            change.emit(CoreEvents.caseOpened, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description),
                                       "person_id": .string(theCase.person.description)]))
        }
        return theCase
    }

    /// Records a screening on an open case (`screening.recorded`).
    @discardableResult
    public func record(_ screening: Screening, actor: Agent) async throws -> Screening {
        let theCase = try await records.require(Case.self, screening.caseID.description).value
        if theCase.status == .closed || theCase.status == .closedReferred {
            throw GloKitError.refused("case \(theCase.id) is closed: reopen it before recording a screening")
        }
        try await records.commit { change in
            try change.insert(screening)
            change.emit(CoreEvents.screeningRecorded, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)",
                        actor: actor, data: .object(["case_id": .string(theCase.id.description),
                                                     "screening_id": .string(screening.id.description)]))
        }
        return screening
    }

    /// The facts for a decision on a case: its latest screening, its person, the facts recorded for
    /// it (`setFacts`), and `additional` (which wins over the recorded ones).
    public func facts(for caseID: CaseID, additional: [String: JSONValue] = [:]) async throws -> JSONValue {
        let theCase = try await records.require(Case.self, caseID.description).value
        let person = try await records.requirePerson(theCase.person).value
        let recorded = vocabulary.filter(try await recordedFacts(caseID).merging(additional) { $1 })
        let screenings = try await records.list(Screening.self, key: .caseID(caseID))
        guard let latest = screenings.map(\.value).max(by: { ($0.date, $0.id) < ($1.date, $1.id) }) else {
            // No screening yet: the case's and the person's own facts only.
            return Screening(caseID: caseID, interviewer: UserID(), date: theCase.opened, asked: [])
                .facts(person: person, case: theCase, additional: recorded)
        }
        return latest.facts(person: person, case: theCase, additional: recorded)
    }
}
