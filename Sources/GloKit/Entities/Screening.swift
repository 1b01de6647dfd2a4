import GloRules
import GloJSON

/// The act element (Palermo Protocol art. 3(a)).
public enum TraffickingAct: String, Sendable, Hashable, Codable, CaseIterable {
    case recruitment, transportation, transfer, harbouring, receipt
}

/// The means element (Palermo Protocol art. 3(a)).
public enum TraffickingMeans: String, Sendable, Hashable, Codable, CaseIterable {
    case threat, force, coercion, abduction, fraud, deception
    case abuseOfPower = "abuse_of_power"
    case abuseOfVulnerability = "abuse_of_vulnerability"
    case paymentToController = "payment_to_controller"
}

/// HTCDS vic_TypeOfExploitation in snake_case (`forced_military` = ForcedMilitaryByNonStateActors).
public enum Exploitation: String, Sendable, Hashable, Codable, CaseIterable {
    case forcedLabour = "forced_labour"
    case sexualExploitation = "sexual_exploitation"
    case childLabour = "child_labour"
    case forcedMarriage = "forced_marriage"
    case servitude
    case forcedMilitary = "forced_military"
    case organRemoval = "organ_removal"
    case forcedBegging = "forced_begging"
    case forcedAdoption = "forced_adoption"
    case surrogacy
    case other
}

/// The 11 ILO indicators of forced labour.
public enum ILOIndicator: String, Sendable, Hashable, Codable, CaseIterable {
    case abuseOfVulnerability = "abuse_of_vulnerability"
    case deception
    case restrictionOfMovement = "restriction_of_movement"
    case isolation
    case physicalAndSexualViolence = "physical_and_sexual_violence"
    case intimidationAndThreats = "intimidation_and_threats"
    case retentionOfIdentityDocuments = "retention_of_identity_documents"
    case withholdingOfWages = "withholding_of_wages"
    case debtBondage = "debt_bondage"
    case abusiveWorkingAndLivingConditions = "abusive_working_and_living_conditions"
    case excessiveOvertime = "excessive_overtime"
}

public enum Entry: String, Sendable, Hashable, Codable, CaseIterable {
    case regular, irregular, unknown
}

/// What the screening learnt of the person's migration. Each field absent means unknown.
public struct MigrationFacts: Sendable, Hashable, Codable {
    public var entry: Entry?
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

    public init(entry: Entry? = nil, smugglerPaid: Bool? = nil, consented: Bool? = nil, country: String? = nil,
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
public struct Screening: Sendable, Hashable, Codable, Validatable {
    public var id: ScreeningID
    public var caseID: CaseID
    public var interviewer: UserID
    public var date: CalendarDate
    public var acts: [TraffickingAct]
    public var means: [TraffickingMeans]
    public var exploitation: [Exploitation]
    public var iloIndicators: [ILOIndicator]
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
                acts: [TraffickingAct] = [], means: [TraffickingMeans] = [], exploitation: [Exploitation] = [],
                iloIndicators: [ILOIndicator] = [], migration: MigrationFacts = MigrationFacts(),
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
        c.country(migration.country, "migration.country")
        c.country(migration.origin, "migration.origin")
        if let citizenship = migration.citizenship { c.countries(citizenship, "migration.citizenship") }
        for (field, count, unique) in [
            ("acts", acts.count, Set(acts).count), ("means", means.count, Set(means).count),
            ("exploitation", exploitation.count, Set(exploitation).count),
            ("ilo_indicators", iloIndicators.count, Set(iloIndicators).count),
        ] where count != unique {
            c.fail(field, "must not list the same value twice")
        }
        return c.errors
    }

    /// The facts for a decision, in the vocabulary of `Config/facts.schema.json` and nothing else.
    ///
    /// The screening gives the trafficking elements and the migration facts; the caller adds what
    /// comes from the person and the case. `birthdate` is passed as is: the rule engine derives
    /// `age` from it at the date the law is applied; pass `age` only when no birthdate is known.
    /// The person's `citizenship`, when given (even empty), wins over the one stated in the screening.
    /// `country` defaults to the case's jurisdiction when the screening does not say.
    /// `additional` may bring any other vocabulary fact (`informed_of_rights`, `charges`...); keys
    /// outside the vocabulary or of the wrong JSON type are dropped, and it cannot replace what the
    /// screening or the named parameters give.
    public func facts(birthdate: CalendarDate? = nil, age: Int? = nil, citizenship: [String]? = nil,
                      jurisdiction: JurisdictionID? = nil, traffickingStatus: TraffickingStatus? = nil,
                      identifiedBy: IdentifiedBy? = nil, additional: [String: JSONValue] = [:]) -> JSONValue {
        var f = FactsVocabulary.filter(additional)
        func strings<T: RawRepresentable<String>>(_ values: [T]) -> JSONValue {
            .array(values.map { .string($0.rawValue) })
        }
        if asked.contains(.acts) { f["acts"] = strings(acts) }
        if asked.contains(.means) { f["means"] = strings(means) }
        if asked.contains(.exploitation) { f["exploitation"] = strings(exploitation) }
        if asked.contains(.iloIndicators) { f["ilo_indicators"] = strings(iloIndicators) }
        if let entry = migration.entry { f["entry"] = .string(entry.rawValue) }
        if let paid = migration.smugglerPaid { f["smuggler_paid"] = .bool(paid) }
        if let consented = migration.consented { f["consented"] = .bool(consented) }
        if let country = migration.country ?? jurisdiction?.countryCode { f["country"] = .string(country) }
        if let origin = migration.origin { f["origin"] = .string(origin) }
        if let list = citizenship ?? migration.citizenship { f["citizenship"] = .array(list.map(JSONValue.string)) }
        if let birthdate { f["birthdate"] = .string(birthdate.description) }
        if let age, birthdate == nil { f["age"] = .int(Int64(age)) }
        if let traffickingStatus, traffickingStatus != .notDetermined {
            f["trafficking_status"] = .string(traffickingStatus.rawValue)
        }
        if let identifiedBy { f["identified_by"] = .string(identifiedBy.rawValue) }
        return .object(f)
    }

    /// The facts from this screening, its case and the case's person.
    public func facts(person: Person, case: Case, additional: [String: JSONValue] = [:]) -> JSONValue {
        let status = `case`.traffickingStatus
        let citizenship = person.personal.citizenship
        // An empty list on the person may mean "not known yet": then the screening's statement counts.
        return facts(birthdate: person.personal.dateOfBirth, citizenship: citizenship.isEmpty ? nil : citizenship,
                     jurisdiction: `case`.jurisdiction, traffickingStatus: status,
                     identifiedBy: status == .notDetermined ? nil : `case`.statusDetermination?.identifiedBy,
                     additional: additional)
    }
}
