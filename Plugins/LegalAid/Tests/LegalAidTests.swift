import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginLegalAid
import PluginTestSupport
import Testing

@Suite("legal-aid")
struct LegalAidTests {
    @Test("eligibility is decided when the identification changes, and a victim not informed of the rights is flagged")
    func decidedOnIdentificationAndFlagged() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        try await w.settle()
        // The plugin's handler decided on identification.decided.
        let latest = try #require(try await w.legalAid.latest(c.id))
        #expect(latest.outcome == "eligible")
        #expect(latest.result["kinds"] == .array(["advice", "representation", "compensation_claim"]))
        #expect(latest.basis.contains("TH Anti-Trafficking in Persons Act B.E. 2551 s.34"))
        #expect(try await w.host.cases.flags(of: c.id).isEmpty)

        let notInformed = try await w.legalAid.recordRightsInformation(c.id, informed: false, actor: w.actor)
        #expect(notInformed.result["inform_of_rights_required"] == .bool(true))
        let flags = try await w.host.cases.flags(of: c.id)
        #expect(flags.map(\.code) == ["rights_not_informed"])
        #expect(flags.first?.basis.contains("TH Anti-Trafficking in Persons Act B.E. 2551 s.34") == true)
        // Recording it again raises no second flag.
        try await w.legalAid.recordRightsInformation(c.id, informed: false, actor: w.actor)
        #expect(try await w.host.cases.flags(of: c.id).count == 1)
        try await w.settle()
        #expect(try await w.events("case.flagged").count == 1)
        await w.stop()
    }

    @Test("legal assistance opens for a kind the decision allows, with provider and court reference; not otherwise")
    func openAssistance() async throws {
        let w = try await World()
        let victim = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(victim), identifiedBy: .mdt, actor: w.actor)
        try await w.legalAid.recordRightsInformation(victim.id, informed: true, actor: w.actor)
        let opened = try await w.legalAid.open(LegalAssistance(caseID: victim.id, kind: .representation, provider: w.lawyersTH,
                                                               courtCaseReference: "Criminal Court Black Case 123/2569",
                                                               opened: day("2026-03-05")), actor: w.actor)
        #expect(try await w.records.list(LegalAssistance.self, key: .caseID(victim.id)).map(\.value) == [opened])

        let migrant = try await w.openCase(name: "Bounmy")
        try await w.identification.screen(w.irregularCrossing(migrant), identifiedBy: .police, actor: w.actor)
        try await w.legalAid.decide(migrant.id, actor: w.actor)
        try await expectRefusal(w, containing: "does not make case") {
            try await w.legalAid.open(LegalAssistance(caseID: migrant.id, kind: .representation, provider: w.lawyersTH,
                                                      opened: day("2026-03-05")), actor: w.actor)
        }
        let fresh = try await w.openCase(name: "Noy")
        try await expectRefusal(w, containing: "no legal-aid eligibility has been decided") {
            try await w.legalAid.open(LegalAssistance(caseID: fresh.id, kind: .advice, provider: w.lawyersTH, opened: day("2026-03-05")),
                                      actor: w.actor)
        }
        try await expectRefusal(w, containing: "there is no case") {
            try await w.legalAid.open(LegalAssistance(caseID: CaseID(), kind: .advice, provider: w.lawyersTH, opened: day("2026-03-05")),
                                      actor: w.actor)
        }
        await w.stop()
    }

    @Test("on the LA pack the rules are unverified: eligibility is left to a legal officer")
    func laPack() async throws {
        let w = try await World()
        let c = try await w.openCase("LA")
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .police, actor: w.actor)
        let decision = try #require(try await w.legalAid.decide(c.id, actor: w.actor))
        #expect(decision.packID == "LA")
        #expect(decision.reasons.contains { $0.contains("a legal officer must decide") })
        await w.stop()
    }
}
