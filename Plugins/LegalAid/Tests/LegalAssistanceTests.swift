import GloJSON
import GloKit
import PluginLegalAid
import PluginTestSupport
import Testing

@Suite("legal assistance, the entity")
struct LegalAssistanceTests {
    @Test("legal assistance round-trips in snake_case, and closes on or after it opened")
    func roundTripsAndDates() throws {
        let legal = LegalAssistance(caseID: CaseID(), kind: .compensationClaim, provider: OrganisationID(),
                                    courtCaseReference: "Black case 123/2568", opened: day("2025-03-01"), closed: day("2025-06-01"))
        let (decoded, json) = try roundTrip(legal)
        #expect(decoded == legal)
        #expect(json["kind"] == "compensation_claim")
        #expect(json["court_case_reference"] == "Black case 123/2568")
        #expect(json["closed"] == "2025-06-01")
        let backwards = LegalAssistance(caseID: CaseID(), kind: .advice, provider: OrganisationID(), opened: day("2025-03-01"),
                                        closed: day("2024-03-01"))
        #expect(fieldErrors(backwards)["legal_assistance.closed"] != nil)
        let bad = #"{"id":"0190f5c2-7a4b-7abc-bfff-ffffffffffff","case_id":"0190f5c2-7a4b-7abc-bfff-ffffffffffff","kind":"advice","provider":"0190f5c2-7a4b-7abc-bfff-ffffffffffff","opened":"01/03/2025"}"#
        #expect(throws: DecodingError.self) { try GloKitCoding.decode(LegalAssistance.self, from: Array(bad.utf8)) }
    }
}
