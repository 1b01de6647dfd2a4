public import GloJSON
public import GloRules

/// What the screening learnt of the person's migration. Each field absent means unknown.
public struct MigrationFacts: Sendable, Hashable, Codable {
    /// How the person entered: a value of the vocabulary's `entry` (`regular`, `irregular`, `unknown`).
    public var entry: String?
    public var smugglerPaid: Bool?
    /// The person agreed to the work or travel.
    public var consented: Bool?
    /// ISO 3166 alpha-2: where the case is handled.
    public var country: String?
    /// ISO 3166 alpha-2: where the person comes from.
    public var origin: String?
    /// ISO 3166 alpha-2, as stated in the interview. Identifying together with other facts: prefer the
    /// person's record (`PersonalData.citizenship`); this is for a screening done before registration.
    public var citizenship: [String]?

    public init(entry: String? = nil, smugglerPaid: Bool? = nil, consented: Bool? = nil, country: String? = nil,
                origin: String? = nil, citizenship: [String]? = nil) {
        self.entry = entry
        self.smugglerPaid = smugglerPaid
        self.consented = consented
        self.country = country
        self.origin = origin
        self.citizenship = citizenship
    }

    enum CodingKeys: String, CodingKey {
        case entry, consented, country, origin, citizenship
        case smugglerPaid = "smuggler_paid"
    }
}

/// A screening interview: the elements of trafficking observed, ILO indicators and migration facts.
/// Empty lists mean "asked, none found"; use `asked` to tell that from "not asked".
///
/// The lists hold values of the fact vocabulary (`Config/facts.schema.json`: `acts`, `means`,
/// `exploitation`, `ilo_indicators`), which is data: `problems(in:)` checks them against the
/// vocabulary in force, so a value a country team adds there is accepted without a build.
public struct Screening: Sendable, Hashable, Codable, Validatable {
    public var id: ScreeningID
    public var caseID: CaseID
    public var interviewer: UserID
    public var date: CalendarDate
    /// The act element (Palermo Protocol art. 3(a)): `recruitment`, `transportation`...
    public var acts: [String]
    /// The means element: `threat`, `force`, `deception`...
    public var means: [String]
    /// The purpose element: HTCDS TypeOfExploitation in snake_case (`forced_labour`...).
    public var exploitation: [String]
    /// The ILO indicators of forced labour observed (`withholding_of_wages`...).
    public var iloIndicators: [String]
    public var migration: MigrationFacts
    /// Which of `acts`, `means`, `exploitation`, `ilo_indicators` were asked about. A list not asked
    /// about is left out of the facts (unknown), so a rule can say which facts are missing; an asked
    /// list that is empty is a known "none".
    public var asked: Set<Section>

    public enum Section: String, Sendable, Hashable, Codable, CaseIterable {
        case acts, means, exploitation
        case iloIndicators = "ilo_indicators"
    }

    public init(id: ScreeningID = ScreeningID(), caseID: CaseID, interviewer: UserID, date: CalendarDate,
                acts: [String] = [], means: [String] = [], exploitation: [String] = [],
                iloIndicators: [String] = [], migration: MigrationFacts = MigrationFacts(),
                asked: Set<Section> = Set(Section.allCases)) {
        self.id = id
        self.caseID = caseID
        self.interviewer = interviewer
        self.date = date
        self.acts = acts
        self.means = means
        self.exploitation = exploitation
        self.iloIndicators = iloIndicators
        self.migration = migration
        self.asked = asked
    }

    enum CodingKeys: String, CodingKey {
        case id, interviewer, date, acts, means, exploitation, migration, asked
        case caseID = "case_id"
        case iloIndicators = "ilo_indicators"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(caseID, forKey: .caseID)
        try c.encode(interviewer, forKey: .interviewer)
        try c.encode(date, forKey: .date)
        try c.encode(acts, forKey: .acts)
        try c.encode(means, forKey: .means)
        try c.encode(exploitation, forKey: .exploitation)
        try c.encode(iloIndicators, forKey: .iloIndicators)
        try c.encode(migration, forKey: .migration)
        // A set has no order: sort it so that the JSON is stable.
        try c.encode(Section.allCases.filter(asked.contains), forKey: .asked)
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("screening")
        c.notBefore1900(date, "date")
        return c.errors
    }

    /// The facts this screening states, as the vocabulary names them (without the person's or the case's).
    var ownFacts: [String: JSONValue] {
        var f: [String: JSONValue] = [:]
        if asked.contains(.acts) { f["acts"] = .array(acts.map(JSONValue.string)) }
        if asked.contains(.means) { f["means"] = .array(means.map(JSONValue.string)) }
        if asked.contains(.exploitation) { f["exploitation"] = .array(exploitation.map(JSONValue.string)) }
        if asked.contains(.iloIndicators) { f["ilo_indicators"] = .array(iloIndicators.map(JSONValue.string)) }
        if let entry = migration.entry { f["entry"] = .string(entry) }
        if let paid = migration.smugglerPaid { f["smuggler_paid"] = .bool(paid) }
        if let consented = migration.consented { f["consented"] = .bool(consented) }
        if let country = migration.country { f["country"] = .string(country) }
        if let origin = migration.origin { f["origin"] = .string(origin) }
        if let citizenship = migration.citizenship { f["citizenship"] = .array(citizenship.map(JSONValue.string)) }
        return f
    }

    /// Every value of this screening the vocabulary does not allow, named by its path in the screening
    /// (`acts[0]`, `migration.entry`), with what was expected.
    public func problems(in vocabulary: Vocabulary) -> [FieldError] {
        let paths = ["entry": "migration.entry", "smuggler_paid": "migration.smuggler_paid", "consented": "migration.consented",
                     "country": "migration.country", "origin": "migration.origin", "citizenship": "migration.citizenship"]
        var facts = ownFacts
        // Lists asked about or not, every value given is checked.
        facts["acts"] = .array(acts.map(JSONValue.string))
        facts["means"] = .array(means.map(JSONValue.string))
        facts["exploitation"] = .array(exploitation.map(JSONValue.string))
        facts["ilo_indicators"] = .array(iloIndicators.map(JSONValue.string))
        return vocabulary.problems(facts, at: "").map { problem in
            let name = String(problem.field.prefix { $0 != "[" })
            let path = paths[name].map { $0 + problem.field.dropFirst(name.count) } ?? problem.field
            return FieldError(field: path, message: problem.message)
        }
    }

    /// The facts for a decision: this screening's, with what comes from the person and the case.
    ///
    /// `birthdate` is passed as is: the rule engine derives `age` (and, with `acts_began`,
    /// `age_at_acts`) from it at the date the law is applied; pass `age` only when no birthdate is known.
    /// The person's `citizenship`, when given (even empty), wins over the one stated in the screening.
    /// `country` defaults to the case's jurisdiction when the screening does not say.
    /// `traffickingStatus` is a status a person recorded (an identification), never one a rule set.
    /// `additional` brings other facts of the vocabulary (`informed_of_rights`, `charges`...), already
    /// checked against it; it cannot replace what the screening or the named parameters give.
    public func facts(birthdate: CalendarDate? = nil, age: Int? = nil, citizenship: [String]? = nil,
                      jurisdiction: JurisdictionID? = nil, traffickingStatus: TraffickingStatus? = nil,
                      identifiedBy: IdentifiedBy? = nil, additional: [String: JSONValue] = [:]) -> JSONValue {
        var f = additional.merging(ownFacts) { _, screening in screening }
        if f["country"] == nil, let country = jurisdiction?.countryCode { f["country"] = .string(country) }
        if let citizenship { f["citizenship"] = .array(citizenship.map(JSONValue.string)) }
        if let birthdate { f["birthdate"] = .string(birthdate.description) }
        if let age, birthdate == nil { f["age"] = .int(Int64(age)) }
        if let traffickingStatus, traffickingStatus != .notDetermined {
            f["trafficking_status"] = .string(traffickingStatus.rawValue)
        }
        if let identifiedBy { f["identified_by"] = .string(identifiedBy.rawValue) }
        return .object(f)
    }

    /// The facts from this screening, its case and the case's person. The case's trafficking status
    /// counts as a fact only when a person determined it (an identification, a confirmation or an
    /// override): a status a rule set is the rule's own earlier answer, which the rule decides afresh.
    public func facts(person: Person, case: Case, additional: [String: JSONValue] = [:]) -> JSONValue {
        let determination = `case`.statusDetermination.flatMap { $0.method == .rule ? nil : $0 }
        let citizenship = person.personal.citizenship
        // An empty list on the person may mean "not known yet": then the screening's statement counts.
        return facts(birthdate: person.personal.dateOfBirth, citizenship: citizenship.isEmpty ? nil : citizenship,
                     jurisdiction: `case`.jurisdiction, traffickingStatus: determination.map { _ in `case`.traffickingStatus },
                     identifiedBy: determination?.identifiedBy, additional: additional)
    }
}
