import GloJSON
import GloKit
import PluginReturn
import PluginTestSupport
import Testing

@Suite("return, the entity")
struct ReturnEntityTests {
    @Test("a return round-trips with its route and steps")
    func roundTrips() throws {
        let ret = Return(caseID: CaseID(), from: "TH", to: "LA", route: .repatriationAsVictim, steps: [
            ReturnStep(id: "family_tracing", label: "Trace the family", actor: "MSDHS", basis: ["SOP"], status: .done,
                       doneOn: day("2025-04-01")),
            ReturnStep(id: "handover_at_border", label: "Official handover", actor: "MSDHS and LWU"),
        ], handoverPacket: "packet-0001")
        let (decoded, json) = try roundTrip(ret)
        #expect(decoded == ret)
        #expect(json["route"] == "repatriation_as_victim")
        #expect(json["handover_packet"] == "packet-0001")
        #expect(json["steps"]?.arrayValue?[0]["done_on"] == "2025-04-01")
        #expect(json["steps"]?.arrayValue?[1]["status"] == "pending")
    }

    @Test("a return goes to another jurisdiction; a step done has its date; step ids are unique")
    func validation() {
        let home = Return(caseID: CaseID(), from: "TH", to: "TH", route: .voluntaryReturn)
        #expect(fieldErrors(home)["return.to"] == "must be another jurisdiction than the one the return leaves from")
        let ret = Return(caseID: CaseID(), from: "TH", to: "LA", route: .repatriationAsVictim, steps: [
            ReturnStep(id: "reception", label: "Reception", actor: "LWU", status: .done),
            ReturnStep(id: "reception", label: "", actor: "LWU", doneOn: day("2025-01-01")),
        ])
        #expect(Set(fieldErrors(ret).keys) == ["return.steps[0].done_on", "return.steps[1].id", "return.steps[1].label",
                                               "return.steps[1].done_on"])
    }
}
