import GloJSON
import GloKit
import GloRules
import Testing

/// The errors for `value`, as field -> message.
func errors(_ value: some Validatable) -> [String: String] {
    Dictionary(value.validationErrors().map { ($0.field, $0.message) }, uniquingKeysWith: { a, b in "\(a); \(b)" })
}

@Test func validFixturesHaveNoErrorsAndValidatedReturnsTheValue() throws {
    let person = Fixture.person()
    #expect(try person.validated() == person)
    #expect(Fixture.kase().validationErrors().isEmpty)
    #expect(Fixture.thaiNGO.validationErrors().isEmpty)
    #expect(Fixture.worker.validationErrors().isEmpty)
}

@Test func validatedThrowsEveryFieldErrorAtOnce() {
    let user = User(displayName: " ", roles: [], organisation: OrganisationID(), jurisdictions: [])
    do {
        _ = try user.validated()
        Issue.record("expected a ValidationFailure")
    } catch {
        #expect(error.fields == ["user.display_name", "user.roles", "user.jurisdictions"])
        #expect(error.errors[1].message == "must hold at least one role")
        #expect(error.errors[2].message == "must hold at least one jurisdiction")
    }
}

@Test func requiredTextsMustNotBeEmpty() {
    var person = Fixture.person()
    person.personal.givenNames = "  "
    person.personal.familyName = ""
    person.personal.otherNames = ["ok", ""]
    person.personal.identityDocuments[0].number = ""
    let e = errors(person)
    #expect(e["person.personal.given_names"] == "is required: enter a text")
    #expect(e["person.personal.family_name"] == "must not be empty: enter a text or leave the field out")
    #expect(e["person.personal.other_names[1]"] != nil)
    #expect(e["person.personal.identity_documents[0].number"] != nil)
    #expect(errors(Organisation(name: "", kind: .ngo, jurisdiction: "TH"))["organisation.name"] != nil)
}

@Test func countryCodesMustBeTwoCapitalLettersAndTheMessageHidesTheValue() {
    var person = Fixture.person()
    person.personal.citizenship = ["la", "LA", "LAO"]
    person.personal.address?.country = "Laos"
    person.personal.identityDocuments[0].issuingCountry = "L1"
    let failures = person.validationErrors()
    let e = errors(person)
    #expect(e["person.personal.citizenship[0]"] == "must be two capital letters (ISO 3166 alpha-2), such as TH or LA")
    #expect(e["person.personal.citizenship[1]"] == nil)
    #expect(e["person.personal.citizenship[2]"] != nil)
    #expect(e["person.personal.address.country"] != nil)
    #expect(e["person.personal.identity_documents[0].issuing_country"] != nil)
    for failure in failures {
        for value in ["la", "LAO", "Laos", "L1"] { #expect(!failure.message.contains(value), "\(failure.field) repeats a value") }
    }
    // A screening's countries are checked by the vocabulary, which says what it expected, not what it got.
    var screening = Screening(caseID: CaseID(), interviewer: UserID(), date: date("2025-03-01"),
                              migration: MigrationFacts(country: "Tx", origin: "Lao", citizenship: ["LA", "LA"]))
    let problems = screening.problems(in: shippedVocabulary)
    #expect(Set(problems.map(\.field)) == ["migration.country", "migration.origin", "migration.citizenship[1]"])
    for problem in problems {
        for value in ["Tx", "Lao"] { #expect(!problem.message.contains(value), "\(problem.field) repeats a value") }
    }
    screening.migration = MigrationFacts(country: "TH", origin: "LA")
    #expect(screening.problems(in: shippedVocabulary).isEmpty)
}

@Test func contactDetailsMustBeE164AndAnEmailAddress() {
    var person = Fixture.person()
    person.personal.contact = ContactDetails(phones: ["+66812345678", "081-234-5678"], email: "nobody")
    let e = errors(person)
    #expect(e["person.personal.contact.phones[0]"] == nil)
    #expect(e["person.personal.contact.phones[1]"] != nil)
    #expect(e["person.personal.contact.email"] != nil)
    #expect(!(e["person.personal.contact.phones[1]"] ?? "").contains("081"))
}

@Test func jurisdictionsAreIntlOrTwoCapitalLetters() {
    var kase = Fixture.kase()
    kase.jurisdiction = "Thailand"
    #expect(errors(kase)["case.jurisdiction"] == "must be intl or two capital letters (ISO 3166 alpha-2), such as TH")
    kase.jurisdiction = "intl"
    #expect(kase.validationErrors().isEmpty)
    let user = User(displayName: "A", roles: [.auditor], organisation: OrganisationID(), jurisdictions: ["TH", "th", "INTL"])
    #expect(Set(errors(user).keys) == ["user.jurisdictions[1]", "user.jurisdictions[2]"])
    #expect(errors(Organisation(name: "X", kind: .ngo, jurisdiction: "TH-2019"))["organisation.jurisdiction"] != nil)
}

@Test func datesMustBeInOrder() {
    let consent = Consent(person: PersonID(), purpose: .services, recipients: [OrganisationID()], recordedBy: UserID(),
                          givenAt: time("2025-03-02T00:00:00Z"), withdrawnAt: time("2025-03-01T23:59:59Z"))
    #expect(errors(consent) == ["consent.withdrawn_at": "must be on or after consent.given_at"])

    var kase = Fixture.kase()
    kase.status = .closed
    kase.closed = date("2025-02-28")
    #expect(errors(kase) == ["case.closed": "must be on or after case.opened"])
}

@Test func datesBefore1900AreRefused() {
    let screening = Screening(caseID: CaseID(), interviewer: UserID(), date: date("1899-12-31"))
    #expect(errors(screening) == ["screening.date": "must be on or after 1900-01-01"])
    #expect(Screening(caseID: CaseID(), interviewer: UserID(), date: date("1900-01-01")).validationErrors().isEmpty)
    var person = Fixture.person()
    person.personal.dateOfBirth = date("1850-01-01")
    #expect(errors(person)["person.personal.date_of_birth"] != nil)
}

@Test func anOverrideNeedsAReasonAndAPermittedRole() {
    var consent = Consent(person: PersonID(), purpose: .disclosure, recipients: [OrganisationID()], recordedBy: UserID(),
                          override: Override(user: UserID(), role: .caseworker, reason: " "))
    #expect(errors(consent) == [
        "consent.override.reason": "is required for an override: say why",
        "consent.override.role": "must be supervisor, admin or legal_officer to override",
    ])
    for role in [Role.supervisor, .admin, .legalOfficer] {
        consent.override = Override(user: UserID(), role: role, reason: "the person is a child; guardian unreachable")
        #expect(consent.validationErrors().isEmpty, "\(role) may override")
    }
    for role in [Role.caseworker, .ruleAuthor, .auditor] {
        consent.override = Override(user: UserID(), role: role, reason: "r")
        #expect(errors(consent)["consent.override.role"] != nil, "\(role) may not override")
    }

    var kase = Fixture.kase()
    kase.traffickingStatus = .actual
    kase.statusDetermination = StatusDetermination(identifiedBy: .mdt, method: .humanOverride, user: UserID(), role: .caseworker)
    #expect(errors(kase) == [
        "case.status_determination.role": "must be supervisor, admin or legal_officer to override",
        "case.status_determination.reason": "is required for an override: say why",
    ])
    kase.statusDetermination?.role = .supervisor
    kase.statusDetermination?.reason = "MDT found reasonable grounds"
    #expect(kase.validationErrors().isEmpty)
}

@Test func aTraffickingStatusNeedsToSayWhoDecidedItAndHow() {
    var kase = Fixture.kase()
    kase.traffickingStatus = .possible
    #expect(errors(kase)["case.status_determination"] != nil)
    kase.statusDetermination = StatusDetermination(identifiedBy: .police, method: .rule)
    #expect(errors(kase) == ["case.status_determination.decision": "is required when the status comes from a rule: give the decision's id"])
    kase.statusDetermination?.decision = DecisionID()
    #expect(kase.validationErrors().isEmpty)
    kase.statusDetermination = StatusDetermination(identifiedBy: .mdt, method: .humanConfirmation, decision: DecisionID())
    #expect(Set(errors(kase).keys) == ["case.status_determination.user", "case.status_determination.role"])
}

@Test func aUserNeedsARoleAndAJurisdiction() {
    let user = User(displayName: "A", roles: [], organisation: OrganisationID(), jurisdictions: [])
    #expect(errors(user) == ["user.roles": "must hold at least one role", "user.jurisdictions": "must hold at least one jurisdiction"])
}

@Test func consentNeedsARecipientAndEitherAGivenDateOrAnOverride() {
    let consent = Consent(person: PersonID(), purpose: .services, recipients: [], recordedBy: UserID())
    #expect(Set(errors(consent).keys) == ["consent.recipients", "consent.given_at"])
}

@Test func aReferralNeedsConsentOrAnOverride() {
    let referral = Referral(caseID: CaseID(), from: Fixture.thaiNGO.id, to: Fixture.msdhs.id, service: .shelter)
    #expect(Set(errors(referral).keys) == ["referral.consent"])
    var overridden = referral
    overridden.consentOverride = Override(user: UserID(), role: .auditor, reason: "")
    #expect(Set(errors(overridden).keys) == ["referral.consent_override.role", "referral.consent_override.reason"])
}

@Test func decisionRecordNeedsItsPackAndAnObjectOfFacts() {
    let record = DecisionRecord(jurisdiction: "TH", packID: "", packVersion: "1", contentHash: "h",
                                decision: "identification.pathway", dateApplied: date("2025-01-01"), facts: [1, 2],
                                result: ["outcome": "victim"])
    #expect(Set(errors(record).keys) == ["decision.pack_id", "decision.facts_snapshot"])
}
