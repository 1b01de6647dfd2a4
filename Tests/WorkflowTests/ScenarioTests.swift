import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginImmigration
import PluginLegalAid
import PluginLegalProcess
import PluginReporting
import PluginReturn
import PluginShelter
import PluginTestSupport
import Testing

/// The two end-to-end scenarios of the workflow issue, through an in-process host with every plugin,
/// serving TH and LA on one SQLite store.
@Suite("end-to-end scenarios")
struct ScenarioTests {
    @Test("a Lao woman in forced labour in Thailand: identified, sheltered, legal aid, claim, non-punishment, return, reception")
    func victimReturnsHome() async throws {
        let w = try await World()
        let actor = w.actor

        // 1. Found in forced labour in Thailand after deception by a recruiter. No duplicate on record.
        let personal = PersonalData(givenNames: "Chanthavy", familyName: "Sisouphanh", dateOfBirth: day("1999-08-14"),
                                    sex: .female, gender: .feminine, citizenship: ["LA"], languages: ["lo"])
        #expect(try await w.records.likelyDuplicates(of: personal).isEmpty)
        let person = try await w.host.cases.register(Person(personal: personal), actor: actor)
        let thCase = try await w.host.cases.open(Case(jurisdiction: "TH", ownerOrganisation: w.ngoTH, assignedWorker: w.caseworker,
                                                      person: person.id, opened: day("2026-03-02")), actor: actor)

        // 2. Screened: a possible victim; then confirmed by an MDT.
        let screening = try await w.identification.screen(w.forcedLabour(thCase), identifiedBy: .mdt, actor: actor)
        #expect(screening.decision.outcome == "victim" && screening.theCase.traffickingStatus == .possible)
        let confirmed = try await w.identification.confirm(thCase.id, identifiedBy: .mdt, user: w.supervisor, role: .supervisor,
                                                           reason: "MDT interview 2026-03-05", actor: .user(w.supervisor))
        #expect(confirmed.traffickingStatus == .actual && confirmed.statusDetermination?.identifiedBy == .mdt)

        // 3. A shelter, with her consent; legal aid, informed of her rights; a compensation claim; a charge barred.
        for purpose in [ConsentPurpose.services, .disclosure] {
            try await w.shelter.record(Consent(person: person.id, caseID: thCase.id, purpose: purpose,
                                               recipients: [w.shelterTH, w.lawyersTH], recordedBy: w.caseworker, givenAt: .now),
                                       actor: actor)
        }
        let referral = try await w.shelter.refer(Referral(caseID: thCase.id, from: w.ngoTH, to: w.shelterTH, service: .shelter), actor: actor)
        try await w.shelter.move(referral.id, to: .accepted, actor: actor)
        let placement = try await w.shelter.place(thCase.id, in: w.shelterTH, from: day("2026-03-06"), actor: actor)
        #expect(placement.kind == .welfareCentre)
        try await w.legalAid.recordRightsInformation(thCase.id, informed: true, actor: actor)
        try await w.legalAid.open(LegalAssistance(caseID: thCase.id, kind: .representation, provider: w.lawyersTH,
                                                  opened: day("2026-03-07")), actor: actor)
        let proceeding = try await w.legalProcess.open(Proceeding(caseID: thCase.id, on: day("2026-03-08"),
                                                                  courtCaseReference: "Criminal Court 1234/2569",
                                                                  victimRole: .complainant), actor: actor)
        try await w.legalProcess.setClaim(proceeding.id, .filed, actor: actor)
        try await w.legalAid.open(LegalAssistance(caseID: thCase.id, kind: .compensationClaim, provider: w.lawyersTH,
                                                  courtCaseReference: "Criminal Court 1234/2569", opened: day("2026-03-09")), actor: actor)
        let charge = try await w.legalProcess.charge(thCase.id, with: "illegal_entry", actor: actor)
        #expect(charge.outcome == "barred")
        #expect(try await w.host.cases.flags(of: thCase.id).map(\.code) == ["charge_barred"])
        // A pending claim does not keep her: her wish decides, and it has not been asked yet.
        let open = try await w.returns.decideRoute(thCase.id, actor: actor)
        #expect(open.outcome == "undetermined" && open.result["missing"] == ["wishes_to_return"])

        // 4. The claim is decided; she wishes to return and consents to the handover to the Lao Women's Union.
        try await w.legalProcess.advance(proceeding.id, to: .judgment, on: day("2026-05-20"), actor: actor)
        try await w.legalProcess.setClaim(proceeding.id, .awarded, actor: actor)
        try await w.host.cases.setFacts(thCase.id, ["wishes_to_return": .bool(true), "return_risk": .string("low")], actor: actor)
        let plan = try await w.returns.plan(thCase.id, to: "LA", actor: actor)
        #expect(plan.route == .repatriationAsVictim)
        try await w.shelter.record(Consent(person: person.id, caseID: thCase.id, purpose: .returnHandover, recipients: [w.lwu],
                                           recordedBy: w.caseworker, givenAt: .now), actor: actor)
        for step in ["consent", "risk_assessment", "family_tracing", "travel_documents"] {
            try await w.returns.complete(plan.id, step: step, on: day("2026-06-01"), actor: actor)
        }
        let preview = try await w.returns.packet(plan.id, for: w.lwu, logistics: .init(route: "repatriation_as_victim", from: "TH", to: "LA",
                                                                                    handoverDate: day("2026-06-05"),
                                                                                    borderPoint: "Friendship Bridge I"),
                                                 needs: ["counselling", "livelihood"], actor: actor)
        #expect(preview.withheld == ["narrative"])
        let (packet, laCase) = try await w.returns.send(preview, actor: actor)
        try await w.returns.complete(plan.id, step: "handover_at_border", on: day("2026-06-05"), actor: actor)
        #expect(laCase.jurisdiction == "LA")

        // 5. Received by the Lao Women's Union.
        let reception = try await w.returns.receive(packet.id, by: w.lwu, on: day("2026-06-05"), actor: .user(UserID()))
        #expect(reception.steps.first?.actor == "Lao Women's Union" && reception.steps.first?.status == .done)
        try await w.settle()

        // 6. The figures count her once: one victim of forced labour, one repatriation, timed.
        let th = try await w.reporting.figures("TH", from: day("2026-01-01"), to: day("2026-12-31"), k: 1)
        #expect(th.group("cases_by_pathway")?.cells.map(\.value) == ["victim"])
        #expect(th.group("cases_by_pathway")?.cells.first?.count == 1)
        #expect(th.group("cases_by_exploitation")?.cells.first?.count == 1)
        #expect(th.group("returns_by_route")?.cells.map { "\($0.value)=\($0.count!)" } == ["repatriation_as_victim=1"])
        #expect(th.group("referrals_by_status")?.cells.map { "\($0.value)=\($0.count!)" } == ["accepted=1"])
        #expect(th.group("legal_assistance_by_kind")?.cells.map { "\($0.value)=\($0.count!)" } == ["compensation_claim=1", "representation=1"])
        #expect(th.returnsTimed == 1)
        #expect(th.medianDaysIdentificationToReturn != nil)
        // Published with k = 11, a single case shows in no cell.
        let published = try await w.reporting.figures("TH", from: day("2026-01-01"), to: day("2026-12-31"))
        #expect(published.groups.allSatisfy { $0.cells.allSatisfy(\.suppressed) })
        #expect(published.medianDaysIdentificationToReturn == nil)
        // No event carries her name.
        let log = try await w.events()
        #expect(!log.contains { JSONWriter.string($0.json).contains("Chanthavy") })
        await w.stop()
    }

    @Test("an irregular migrant without trafficking indicators: screened, then deported with notification")
    func irregularMigrantDeported() async throws {
        let w = try await World()
        let c = try await w.openCase(name: "Bounthanh")
        let outcome = try await w.identification.screen(w.irregularCrossing(c), identifiedBy: .police, actor: w.actor)
        #expect(outcome.theCase.traffickingStatus == .notVictim)
        #expect(try await w.returns.decideRoute(c.id, actor: w.actor).outcome == "deportation")
        try await expectRefusal(w, containing: "immigration workflow records it") {
            _ = try await w.returns.plan(c.id, to: "LA", actor: w.actor)
        }
        try await w.immigration.deport(Deportation(caseID: c.id, from: "TH", to: "LA", on: day("2026-03-10"),
                                                   notification: .init(authority: "Lao PDR Immigration Department", on: day("2026-03-08"))),
                                       actor: w.actor)
        let deported = try #require(try await w.events("immigration.deported").first)
        #expect(deported.data["notified"] == .string("Lao PDR Immigration Department"))
        let figures = try await w.reporting.figures("TH", from: day("2026-01-01"), to: day("2026-12-31"), k: 1)
        #expect(figures.group("returns_by_route")?.cells.map { "\($0.value)=\($0.count!)" } == ["deportation=1"])
        await w.stop()
    }
}

@Suite("each plugin alone")
struct EnablementTests {
    @Test("each workflow plugin starts alone with its dependencies, serving TH and LA", arguments: World.plugins.map(\.id))
    func alone(_ id: String) async throws {
        let registry = PluginRegistry(World.plugins)
        let needed = registry.plugin(id)!.dependencies + [id]
        let w = try await World(plugins: try registry.select(needed))
        #expect(w.host.plugins.map(\.id).last == id)
        await w.stop()
        // Without its dependencies it does not start.
        if !registry.plugin(id)!.dependencies.isEmpty {
            #expect(throws: StartupError.self) { _ = try registry.select([id]) }
        }
    }
}
