import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginTestSupport
import Testing

@Suite("identification")
struct IdentificationTests {
    @Test("a screening is decided on the TH pack: a possible victim, recorded as decided by the MDT by rule")
    func screenTH() async throws {
        let w = try await World()
        let c = try await w.openCase()
        let outcome = try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        #expect(outcome.decision.outcome == "victim")
        #expect(outcome.decision.packID == "TH")
        #expect(outcome.decision.basis.contains { $0.hasPrefix("TH Anti-Trafficking in Persons Act") })
        #expect(outcome.theCase.traffickingStatus == .possible)
        #expect(outcome.theCase.pathway == .victim)
        #expect(outcome.theCase.statusDetermination?.method == .rule)
        #expect(outcome.theCase.statusDetermination?.identifiedBy == .mdt)
        let stored = try await w.records.require(Case.self, c.id.description).value
        #expect(stored == outcome.theCase)
        // One commit: the screening, the decision and the case's status, each announced.
        let log = try await w.events()
        let at = try #require(log.firstIndex { $0.type == "screening.recorded" })
        #expect(log[at...].prefix(3).map(\.type) == ["screening.recorded", "decision.made", "identification.decided"])
        await w.stop()
    }

    @Test("the LA pack decides a Lao case, citing the Lao Penal Code")
    func screenLA() async throws {
        let w = try await World()
        let c = try await w.openCase("LA")
        let outcome = try await w.identification.screen(w.forcedLabour(c), identifiedBy: .police, actor: w.actor)
        #expect(outcome.decision.packID == "LA")
        #expect(outcome.decision.outcome == "victim")
        #expect(outcome.decision.basis.contains("LA Penal Code (2018) art. 215"))
        await w.stop()
    }

    @Test("a confirmation (possible -> actual) stands against a later rule run")
    func confirmationStands() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        let confirmed = try await w.identification.confirm(c.id, identifiedBy: .mdt, user: w.supervisor, role: .supervisor,
                                                           actor: .user(w.supervisor))
        #expect(confirmed.traffickingStatus == .actual)
        #expect(confirmed.statusDetermination?.method == .humanConfirmation)
        #expect(confirmed.statusDetermination?.role == .supervisor)
        let later = try await w.identification.screen(w.irregularCrossing(c, on: "2026-03-09"), identifiedBy: .police, actor: w.actor)
        let stored = try await w.records.require(Case.self, c.id.description).value
        #expect(stored.traffickingStatus == .actual)
        #expect(stored.statusDetermination?.method == .humanConfirmation)
        #expect(later.decision.result["status"] == .string("actual"))
        #expect(try await w.records.list(DecisionRecord.self, key: .caseID(c.id)).filter { $0.value.decision == "identification.pathway" }.count == 2)
        await w.stop()
    }

    @Test("an override stands: a rule run that differs is stored and announced as differing, never applied")
    func overrideIsNotOverwritten() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.irregularCrossing(c), identifiedBy: .police, actor: w.actor)
        _ = try await w.identification.override(c.id, status: .notVictim, pathway: .irregularMigrant, identifiedBy: .court,
                                                user: w.supervisor, role: .supervisor, reason: "court finding", actor: .user(w.supervisor))
        let later = try await w.identification.screen(w.forcedLabour(c, on: "2026-03-10"), identifiedBy: .mdt, actor: w.actor)
        #expect(later.ruleDiffersFromPerson)
        let stored = try await w.records.require(Case.self, c.id.description).value
        #expect(stored.traffickingStatus == .notVictim)
        #expect(stored.pathway == .irregularMigrant)
        #expect(stored.statusDetermination?.reason == "court finding")
        let differs = try #require(try await w.events("identification.rule_differs").first)
        #expect(differs.data["decision_id"] == .string(later.decision.id.description))
        await w.stop()
    }

    @Test("an override needs a permitted role and a reason; with them it is recorded")
    func override() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.irregularCrossing(c), identifiedBy: .police, actor: w.actor)
        try await expectRefusal(w, containing: "must be supervisor, admin or legal_officer") {
            _ = try await w.identification.override(c.id, status: .possible, pathway: .victim, identifiedBy: .ngo, user: w.caseworker,
                                                    role: .caseworker, reason: "signs of debt bondage", actor: w.actor)
        }
        try await expectRefusal(w, containing: "is required for an override: say why") {
            _ = try await w.identification.override(c.id, status: .possible, pathway: .victim, identifiedBy: .ngo, user: w.supervisor,
                                                    role: .supervisor, reason: " ", actor: w.actor)
        }
        let overridden = try await w.identification.override(c.id, status: .possible, pathway: .victim, identifiedBy: .ngo,
                                                             user: w.supervisor, role: .supervisor,
                                                             reason: "signs of debt bondage", actor: .user(w.supervisor))
        #expect(overridden.statusDetermination?.method == .humanOverride)
        #expect(overridden.statusDetermination?.reason == "signs of debt bondage")
        #expect(try await w.events("identification.overridden").first?.data["role"] == .string("supervisor"))
        await w.stop()
    }

    @Test("undetermined lists the facts to ask for; bad input is refused with nothing stored")
    func undeterminedAndBadInput() async throws {
        let w = try await World()
        let c = try await w.openCase(birth: nil)
        let partial = Screening(caseID: c.id, interviewer: w.caseworker, date: day("2026-03-02"), acts: ["recruitment"],
                                asked: [.acts])
        let outcome = try await w.identification.screen(partial, identifiedBy: .mdt, actor: w.actor)
        #expect(outcome.decision.outcome == "undetermined")
        #expect(!outcome.missing.isEmpty)
        #expect(outcome.missing.contains("exploitation"))
        #expect(outcome.theCase.traffickingStatus == .notDetermined)

        try await expectRefusal(w, containing: "there is no case with id") {
            _ = try await w.identification.screen(w.forcedLabour(Case(jurisdiction: "TH", ownerOrganisation: w.ngoTH,
                                                                      person: PersonID(), opened: day("2026-01-01"))),
                                                  identifiedBy: .mdt, actor: w.actor)
        }
        try await expectRefusal(w, containing: "only a possible victim can be confirmed") {
            _ = try await w.identification.confirm(c.id, identifiedBy: .mdt, user: w.supervisor, role: .supervisor, actor: w.actor)
        }
        await w.stop()
    }
}
