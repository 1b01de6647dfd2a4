import GloJSON
import GloKit
import PluginShelter
import PluginTestSupport
import Testing

@Suite("shelter placement, the entity")
struct ShelterPlacementTests {
    @Test("a placement keeps the identification stay's end it was given, and its dates in order")
    func stayEndAndDates() throws {
        // The end date comes from the pack's shelter.placement decision (TH: the NRM's 15 days).
        let stay = ShelterPlacement(caseID: CaseID(), shelter: OrganisationID(), kind: .welfareCentre,
                                    from: day("2025-02-20"), identificationStayEnd: day("2025-03-07"))
        let (decoded, json) = try roundTrip(stay)
        #expect(decoded == stay)
        #expect(json["kind"] == "welfare_centre")
        #expect(json["identification_stay_end"] == "2025-03-07")
        let other = ShelterPlacement(caseID: CaseID(), shelter: OrganisationID(), kind: .childProtectionShelter,
                                     from: day("2025-02-20"), to: day("2025-04-01"))
        #expect(try roundTrip(other).json["identification_stay_end"] == nil)
        let backwards = ShelterPlacement(caseID: CaseID(), shelter: OrganisationID(), kind: .welfareCentre,
                                         from: day("2025-02-20"), identificationStayEnd: day("2025-02-01"))
        #expect(backwards.validationErrors().map(\.field) == ["shelter_placement.identification_stay_end"])
        let ended = ShelterPlacement(caseID: CaseID(), shelter: OrganisationID(), kind: .ngoShelter,
                                     from: day("2025-03-10"), to: day("2025-03-09"))
        #expect(fieldErrors(ended) == ["shelter_placement.to": "must be on or after shelter_placement.from"])
        let sameDay = ShelterPlacement(caseID: CaseID(), shelter: OrganisationID(), kind: .ngoShelter,
                                       from: day("2025-03-10"), to: day("2025-03-10"))
        #expect(sameDay.validationErrors().isEmpty)
    }
}
