import Foundation
import GloJSON
import GloKit
import GloRules
import Testing

private func screening() -> Screening {
    Screening(caseID: CaseID(), interviewer: UserID(), date: date("2025-03-03"), acts: ["recruitment", "transportation"],
              means: ["deception"], exploitation: ["forced_labour"], iloIndicators: ["debt_bondage", "excessive_overtime"],
              migration: MigrationFacts(entry: "irregular", smugglerPaid: true, consented: true, origin: "LA",
                                        citizenship: ["LA"]))
}

/// The shipped vocabulary, read as the host reads it.
let shippedVocabulary = try! Vocabulary.load(
    file: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/facts.schema.json").path)
private let vocabulary = shippedVocabulary

@Test func factsCarryTheScreeningPersonAndCaseInTheVocabulary() throws {
    let facts = screening().facts(age: 16, jurisdiction: "TH", traffickingStatus: .possible, identifiedBy: .ngo,
                                  additional: ["informed_of_rights": true, "days_since_referral": 3, "charges": ["illegal_entry"],
                                               "acts": ["harbouring"]])
    #expect(facts == [
        "acts": ["recruitment", "transportation"], "means": ["deception"], "exploitation": ["forced_labour"],
        "ilo_indicators": ["debt_bondage", "excessive_overtime"], "entry": "irregular", "smuggler_paid": true,
        "consented": true, "country": "TH", "origin": "LA", "citizenship": ["LA"], "age": .int(16),
        "trafficking_status": "possible", "identified_by": "ngo", "informed_of_rights": true,
        "days_since_referral": .int(3), "charges": ["illegal_entry"],
    ], "what the screening states wins over an additional fact of the same name")
    #expect(vocabulary.problems(try #require(facts.objectValue)).isEmpty, "every fact is one of the vocabulary, of its type")
}

@Test func aStatusARuleSetIsNotFedBackAsARecordedOne() {
    var person = Fixture.person()
    person.personal.citizenship = ["MM"]
    var kase = Fixture.kase(person: person.id)
    kase.traffickingStatus = .possible
    kase.statusDetermination = StatusDetermination(identifiedBy: .mdt, method: .rule, decision: DecisionID())
    let byRule = screening().facts(person: person, case: kase)
    #expect(byRule["birthdate"] == "2008-05-20")
    #expect(byRule["age"] == nil, "the rule engine derives age from birthdate at the date applied")
    #expect(byRule["citizenship"] == ["MM"], "the person's record wins over the screening")
    #expect(byRule["country"] == "TH", "from the case's jurisdiction")
    #expect(byRule["trafficking_status"] == nil && byRule["identified_by"] == nil,
            "the rule's own earlier answer is no identification: the rule decides afresh")
    #expect(byRule["given_names"] == nil && byRule["family_name"] == nil)

    kase.traffickingStatus = .actual
    kase.statusDetermination = StatusDetermination(identifiedBy: .mdt, method: .humanConfirmation, decision: nil,
                                                   user: UserID(), role: .caseworker)
    let confirmed = screening().facts(person: person, case: kase)
    #expect(confirmed["trafficking_status"] == "actual")
    #expect(confirmed["identified_by"] == "mdt")

    person.personal.citizenship = []
    kase.traffickingStatus = .notDetermined
    kase.statusDetermination = nil
    let early = screening().facts(person: person, case: kase)
    #expect(early["citizenship"] == ["LA"], "unknown on the person: the screening's statement counts")
    #expect(early["trafficking_status"] == nil && early["identified_by"] == nil)
}

@Test func listsNotAskedAreLeftOutButAskedEmptyListsStay() {
    var s = Screening(caseID: CaseID(), interviewer: UserID(), date: date("2025-03-03"), asked: [.acts])
    #expect(s.facts() == ["acts": []])
    s.asked = []
    s.migration.country = "TH"
    #expect(s.facts(jurisdiction: "LA") == ["country": "TH"], "the screening's country wins over the jurisdiction")
    #expect(s.facts(jurisdiction: "intl") == ["country": "TH"])
    s.migration.country = nil
    #expect(s.facts(jurisdiction: "intl") == [:], "intl is no country")
}

@Test func aScreeningsValuesAreCheckedAgainstTheVocabularyByTheirPath() {
    var s = screening()
    #expect(s.problems(in: vocabulary).isEmpty)
    s.acts = ["recruitmnt", "sale"]
    s.means = ["deception", "deception"]
    s.migration.entry = "by boat"
    s.migration.origin = "la"
    let problems = Dictionary(s.problems(in: vocabulary).map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
    #expect(problems["acts[0]"]?.contains("did you mean 'recruitment'?") == true, "\(problems)")
    #expect(problems["acts[1]"] == nil, "sale is an act of the vocabulary")
    #expect(problems["means[1]"]?.contains("repeats") == true)
    #expect(problems["migration.entry"]?.contains("expected one of regular, irregular, unknown") == true)
    #expect(problems["migration.origin"]?.contains("ISO 3166 alpha-2") == true)
}
