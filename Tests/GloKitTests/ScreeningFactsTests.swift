import Foundation
import GloJSON
import GloKit
import Testing

private func screening() -> Screening {
    Screening(caseID: CaseID(), interviewer: UserID(), date: date("2025-03-03"), acts: [.recruitment, .transportation],
              means: [.deception], exploitation: [.forcedLabour], iloIndicators: [.debtBondage, .excessiveOvertime],
              migration: MigrationFacts(entry: .irregular, smugglerPaid: true, consented: true, origin: "LA",
                                        citizenship: ["LA"]))
}

@Test func factsUseOnlyVocabularyKeysWithTheirJSONTypes() throws {
    let facts = screening().facts(age: 16, jurisdiction: "TH", traffickingStatus: .possible, identifiedBy: .ngo,
                                  additional: ["informed_of_rights": true, "days_since_referral": 3, "name": "Somchai",
                                               "low_income": "yes", "charges": ["illegal_entry"]])
    let members = try #require(facts.objectValue)
    for (key, value) in members {
        let kind = try #require(FactsVocabulary.kinds[key], "\(key) is not in the vocabulary")
        switch kind {
        case .integer: #expect(value.intValue != nil, "\(key) is an integer")
        case .string: #expect(value.stringValue != nil, "\(key) is a string")
        case .boolean: #expect(value.boolValue != nil, "\(key) is a boolean")
        case .stringArray: #expect(value.arrayValue?.allSatisfy { $0.stringValue != nil } == true, "\(key) is a list of strings")
        }
    }
    #expect(members["name"] == nil, "unknown keys are dropped")
    #expect(members["low_income"] == nil, "a vocabulary key of the wrong type is dropped")
    #expect(facts == [
        "acts": ["recruitment", "transportation"], "means": ["deception"], "exploitation": ["forced_labour"],
        "ilo_indicators": ["debt_bondage", "excessive_overtime"], "entry": "irregular", "smuggler_paid": true,
        "consented": true, "country": "TH", "origin": "LA", "citizenship": ["LA"], "age": .int(16),
        "trafficking_status": "possible", "identified_by": "ngo", "informed_of_rights": true,
        "days_since_referral": .int(3), "charges": ["illegal_entry"],
    ])
    #expect(facts["age"] == .int(16), "age stays an integer")
}

@Test func factsFromPersonAndCaseBringBirthdateCitizenshipAndStatus() {
    var person = Fixture.person()
    person.personal.citizenship = ["MM"]
    var kase = Fixture.kase(person: person.id)
    kase.traffickingStatus = .actual
    kase.statusDetermination = StatusDetermination(identifiedBy: .mdt, method: .rule, decision: DecisionID())
    let facts = screening().facts(person: person, case: kase)
    #expect(facts["birthdate"] == "2008-05-20")
    #expect(facts["age"] == nil, "the rule engine derives age from birthdate at the date applied")
    #expect(facts["citizenship"] == ["MM"], "the person's record wins over the screening")
    #expect(facts["country"] == "TH", "from the case's jurisdiction")
    #expect(facts["trafficking_status"] == "actual")
    #expect(facts["identified_by"] == "mdt")
    #expect(facts["given_names"] == nil && facts["family_name"] == nil)

    person.personal.citizenship = []
    kase.traffickingStatus = .notDetermined
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

@Test func theVocabularyTableMatchesTheSchemaFile() throws {
    let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/facts.schema.json")
    let schema = try JSONParser.parse(String(contentsOf: schemaURL, encoding: .utf8))
    let properties = try #require(schema["properties"]?.objectValue)
    #expect(Set(properties.keys) == Set(FactsVocabulary.kinds.keys))
    for (key, property) in properties {
        let expected: FactsVocabulary.Kind
        switch property["type"]?.stringValue {
        case "integer": expected = .integer
        case "boolean": expected = .boolean
        case "array": expected = .stringArray
        default: expected = .string  // "string", or an enum of strings
        }
        #expect(FactsVocabulary.kinds[key] == expected, "\(key)")
    }
    // The enum values in Swift are the schema's.
    func values(_ key: String) -> Set<String> {
        Set((properties[key]?["items"]?["enum"] ?? properties[key]?["enum"])?.stringArray ?? [])
    }
    #expect(values("acts") == Set(TraffickingAct.allCases.map(\.rawValue)))
    #expect(values("means") == Set(TraffickingMeans.allCases.map(\.rawValue)))
    #expect(values("exploitation") == Set(Exploitation.allCases.map(\.rawValue)))
    #expect(values("ilo_indicators") == Set(ILOIndicator.allCases.map(\.rawValue)))
    #expect(ILOIndicator.allCases.count == 11)
    #expect(values("entry") == Set(Entry.allCases.map(\.rawValue)))
    #expect(values("identified_by") == Set(IdentifiedBy.allCases.map(\.rawValue)))
    #expect(values("trafficking_status") == Set(TraffickingStatus.allCases.filter { $0 != .notDetermined }.map(\.rawValue)))
    #expect(values("route") == Set(ReturnRoute.allCases.map(\.rawValue)))
}
