import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginLegalProcess
import PluginTestSupport
import Testing

@Suite("legal-process")
struct LegalProcessTests {
    @Test("proceedings move forward only; the victim as witness and the compensation claim become facts")
    func proceedings() async throws {
        let w = try await World()
        let c = try await w.openCase()
        let p = try await w.legalProcess.open(Proceeding(caseID: c.id, on: day("2026-03-03"), courtCaseReference: "Inquiry 77/2569",
                                                         victimRole: .witness), actor: w.actor)
        var facts = try await w.host.cases.recordedFacts(c.id)
        #expect(facts["party_to_proceedings"] == .bool(true) && facts["testifying"] == .bool(true))
        try await w.legalProcess.advance(p.id, to: .inquiry, on: day("2026-03-10"), actor: w.actor)
        try await w.legalProcess.advance(p.id, to: .prosecution, on: day("2026-04-01"), actor: w.actor)
        try await expectRefusal(w, containing: "stages only move forward") {
            try await w.legalProcess.advance(p.id, to: .inquiry, on: day("2026-04-02"), actor: w.actor)
        }
        try await w.legalProcess.setClaim(p.id, .filed, actor: w.actor)
        facts = try await w.host.cases.recordedFacts(c.id)
        #expect(facts["claiming_compensation"] == .bool(true))
        try await expectRefusal(w, containing: "cannot become filed") {
            try await w.legalProcess.setClaim(p.id, .filed, actor: w.actor)
        }
        let stored = try await w.legalProcess.proceedings(of: c.id)
        #expect(stored.first?.history.map(\.stage) == [.complaint, .inquiry, .prosecution])
        await w.stop()
    }

    @Test("a charge the TH pack bars against an identified victim is flagged; LA has no such clause; unknown charges refused")
    func nonPunishment() async throws {
        let w = try await World()
        let th = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(th), identifiedBy: .mdt, actor: w.actor)
        let decision = try await w.legalProcess.charge(th.id, with: "illegal_entry", actor: w.actor)
        #expect(decision.outcome == "barred")
        #expect(decision.basis.contains("TH Anti-Trafficking in Persons Act B.E. 2551 s.41"))
        #expect(try await w.host.cases.flags(of: th.id).map(\.code) == ["charge_barred"])
        #expect(try await w.events("legal.charge_barred").first?.data["charge"] == .string("illegal_entry"))

        let la = try await w.openCase("LA", name: "Vanh")
        try await w.identification.screen(w.forcedLabour(la), identifiedBy: .police, actor: w.actor)
        let laDecision = try await w.legalProcess.charge(la.id, with: "illegal_entry", actor: w.actor)
        // Lao law on non-punishment is unknown: undetermined, citing ACTIP art. 14(7), never "not barred".
        #expect(laDecision.outcome == "undetermined")
        #expect(laDecision.basis.contains { $0.contains("art. 14(7)") })
        #expect(try await w.host.cases.flags(of: la.id).isEmpty)

        try await expectRefusal(w, containing: "is not a charge of the vocabulary") {
            try await w.legalProcess.charge(th.id, with: "loitering", actor: w.actor)
        }
        await w.stop()
    }
}
