import Foundation
import GloRules
import GloJSON
import GloKit
import Testing

/// Round trip, unchanged value, only snake_case keys, and the expected keys present.
func expectRoundTrip<T: Codable & Equatable>(_ value: T, keys expected: Set<String>, opaque: Set<String> = [],
                                             sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    let (decoded, json, _) = try roundTrip(value)
    #expect(decoded == value, sourceLocation: sourceLocation)
    let keys = allKeys(json, skipping: opaque)
    #expect(keys.filter { !isSnakeCase($0) }.isEmpty, "keys not in snake_case: \(keys.filter { !isSnakeCase($0) })",
            sourceLocation: sourceLocation)
    #expect(expected.subtracting(keys).isEmpty, "missing keys: \(expected.subtracting(keys))", sourceLocation: sourceLocation)
    return json
}

@Test func personRoundTripsWithPersonalFieldsGroupedUnderPersonal() throws {
    let person = Fixture.person()
    let json = try expectRoundTrip(person, keys: [
        "id", "created_at", "personal", "given_names", "family_name", "other_names", "date_of_birth",
        "date_of_birth_estimated", "citizenship", "identity_documents", "issuing_country", "held_by_person", "postal_code",
    ])
    #expect(Set(json.objectValue!.keys) == ["id", "created_at", "personal"], "nothing identifying outside personal")
    #expect(json["created_at"] == "2025-03-01T10:15:30.123Z")
    #expect(json["personal"]?["date_of_birth"] == "2008-05-20")
    #expect(json["personal"]?["citizenship"] == ["LA"])
    #expect(json["id"]?.stringValue == person.id.description)
}

@Test func caseRoundTripsWithStatusDeterminationAndDates() throws {
    var kase = Fixture.kase()
    kase.traffickingStatus = .possible
    kase.pathway = .smuggledMigrant
    kase.statusDetermination = StatusDetermination(identifiedBy: .mdt, method: .humanOverride, user: UserID(),
                                                   role: .supervisor, reason: "MDT interview", at: time("2025-03-02T08:00:00Z"))
    let json = try expectRoundTrip(kase, keys: [
        "jurisdiction", "status", "trafficking_status", "status_determination", "identified_by", "pathway",
        "owner_organisation", "assigned_worker", "person", "opened",
    ])
    #expect(json["status"] == "active")
    #expect(json["trafficking_status"] == "possible")
    #expect(json["pathway"] == "smuggled_migrant")
    #expect(json["opened"] == "2025-03-01")
    #expect(json["status_determination"]?["method"] == "human_override")
    #expect(json["status_determination"]?["at"] == "2025-03-02T08:00:00.000Z")
    var closed = kase
    closed.status = .closedReferred
    #expect(try roundTrip(closed).json["status"] == "closed_referred")
    closed.status = .followUp
    #expect(try roundTrip(closed).json["status"] == "follow_up")
}

@Test func screeningRoundTripsWithHTCDSValuesInSnakeCase() throws {
    let screening = Screening(caseID: CaseID(), interviewer: UserID(), date: date("2025-03-03"),
                              acts: ["recruitment"], means: ["abuse_of_vulnerability"], exploitation: ["forced_military"],
                              iloIndicators: ["retention_of_identity_documents"],
                              migration: MigrationFacts(entry: "irregular", smugglerPaid: true, country: "TH", origin: "LA"))
    let json = try expectRoundTrip(screening, keys: ["case_id", "interviewer", "date", "ilo_indicators", "migration",
                                                     "smuggler_paid", "asked"])
    #expect(json["means"] == ["abuse_of_vulnerability"])
    #expect(json["exploitation"] == ["forced_military"])
    #expect(json["ilo_indicators"] == ["retention_of_identity_documents"])
    #expect(json["date"] == "2025-03-03")
    #expect(json["asked"] == ["acts", "means", "exploitation", "ilo_indicators"])
}

@Test func decisionRecordRoundTripsWithTheRuleResultAsJSON() throws {
    let result: JSONValue = ["outcome": "victim", "status": "possible", "reasons": ["act, means and purpose"],
                             "basis": ["Palermo Protocol art. 3(a)"], "score": 1.5, "count": 2, "flags": [true, nil]]
    let record = DecisionRecord(caseID: CaseID(), jurisdiction: "TH", packID: "TH", packVersion: "1.2.0",
                                contentHash: "abc123", decision: "identification.pathway", dateApplied: date("2025-03-01"),
                                facts: ["age": 16, "acts": ["recruitment"]], result: result, factsRead: ["age", "acts"],
                                factsMissing: ["means"], decidedAt: time("2025-03-01T12:00:00.5Z"))
    let json = try expectRoundTrip(record, keys: [
        "case_id", "pack_id", "pack_version", "content_hash", "decision", "date_applied", "facts_snapshot", "outcome",
        "reasons", "basis", "facts_read", "facts_missing", "result", "decided_at",
    ], opaque: ["result"])
    #expect(record.outcome == "victim")
    #expect(record.reasons == ["act, means and purpose"])
    #expect(record.factsSnapshot == #"{"acts":["recruitment"],"age":16}"#)
    #expect(record.facts?["age"] == .int(16))
    #expect(json["result"]?["count"] == .int(2), "integers stay integers")
    #expect(json["result"]?["score"] == .double(1.5))
    #expect(json["decided_at"] == "2025-03-01T12:00:00.500Z")
    #expect(json["date_applied"] == "2025-03-01")
}

@Test func consentRoundTripsWithOverride() throws {
    let consent = Consent(person: PersonID(), caseID: CaseID(), purpose: .returnHandover, recipients: [OrganisationID()],
                          recordedBy: UserID(), givenAt: time("2025-03-01T09:00:00Z"), withdrawnAt: time("2025-03-05T09:00:00Z"),
                          override: Override(user: UserID(), role: .legalOfficer, reason: "court order", at: time("2025-03-01T08:00:00Z")))
    let json = try expectRoundTrip(consent, keys: ["person", "case_id", "purpose", "recipients", "recorded_by", "given_at",
                                                   "withdrawn_at", "override", "reason", "role"])
    #expect(json["purpose"] == "return_handover")
    #expect(json["override"]?["role"] == "legal_officer")
    #expect(json["given_at"] == "2025-03-01T09:00:00.000Z")
}

@Test func referralAndOrganisationRoundTrip() throws {
    let referral = Referral(caseID: CaseID(), from: Fixture.thaiNGO.id, to: Fixture.msdhs.id, service: .legalAid,
                            consent: ConsentID(), createdAt: time("2025-03-01T09:00:00Z"))
    let r = try expectRoundTrip(referral, keys: ["case_id", "from", "to", "service", "consent", "status", "created_at",
                                                 "status_changed_at"])
    #expect(r["status"] == "in_progress")
    #expect(r["service"] == "legal_aid")

    let o = try expectRoundTrip(Fixture.thaiNGO, keys: ["id", "name", "kind", "jurisdiction"])
    #expect(o["kind"] == "ngo")
    #expect(o["jurisdiction"] == "TH")
}

@Test func userRoundTripsWithRolesInSnakeCase() throws {
    let user = User(displayName: "Legal Officer", roles: [.legalOfficer, .ruleAuthor], organisation: OrganisationID(),
                    jurisdictions: ["TH", "intl"], disabled: true)
    let json = try expectRoundTrip(user, keys: ["display_name", "roles", "organisation", "jurisdictions", "disabled"])
    #expect(json["roles"] == ["legal_officer", "rule_author"])
    #expect(json["disabled"] == true)
    #expect(!user.has(.legalOfficer), "a disabled user holds no role")
}

@Test func datesAndTimesParseOnlyISO8601() {
    #expect(CalendarDate("2025-02-29") == nil)
    #expect(CalendarDate("2024-02-29") != nil)
    #expect(CalendarDate("2025-3-1") == nil)
    #expect(Timestamp("2025-03-01T10:15:30+07:00") == Timestamp("2025-03-01T03:15:30Z"))
    #expect(Timestamp("2025-03-01 10:15:30Z") == nil)
    #expect(Timestamp("2025-03-01T10:15:30.123456Z")?.description == "2025-03-01T10:15:30.123Z")
    #expect(Timestamp(millisecondsSince1970: -1).description == "1969-12-31T23:59:59.999Z")
    #expect(CalendarDate(daysSince1970: date("1899-12-31").daysSince1970) == date("1899-12-31"))
    struct Dated: Decodable { var opened: CalendarDate }
    #expect(throws: DecodingError.self) { try GloKitCoding.decode(Dated.self, from: Array(#"{"opened":"01/03/2025"}"#.utf8)) }
}
