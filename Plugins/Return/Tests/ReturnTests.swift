import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginReturn
import PluginShelter
import PluginTestSupport
import Testing

@Suite("return")
struct ReturnTests {
    /// A confirmed Lao victim in Thailand who wishes to return, low risk.
    func readyToReturn(_ w: World) async throws -> Case {
        let c = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        try await w.identification.confirm(c.id, identifiedBy: .mdt, user: w.supervisor, role: .supervisor, actor: w.actor)
        try await w.host.cases.setFacts(c.id, ["wishes_to_return": .bool(true), "return_risk": .string("low")], actor: w.actor)
        return c
    }

    @Test("a victim's repatriation to LA follows the TH pack's steps in order; consent and packet gate their steps")
    func repatriationSteps() async throws {
        let w = try await World()
        let c = try await readyToReturn(w)
        let planned = try await w.returns.plan(c.id, to: "LA", actor: w.actor)
        #expect(planned.route == .repatriationAsVictim)
        // Consent first: family tracing and travel documents share data, so they come after it.
        #expect(planned.steps.map(\.id) == ["consent", "risk_assessment", "family_tracing", "travel_documents",
                                            "handover_at_border", "reception", "reintegration_follow_up"])
        #expect(planned.steps.last?.actor == "Lao Women's Union")
        try await expectRefusal(w, containing: "comes after 'consent'") {
            try await w.returns.complete(planned.id, step: "family_tracing", on: day("2026-04-01"), actor: w.actor)
        }
        try await expectRefusal(w, containing: "no consent to return and to share data") {
            try await w.returns.complete(planned.id, step: "consent", on: day("2026-04-02"), actor: w.actor)
        }
        try await expectRefusal(w, containing: "has no step 'flight'") {
            try await w.returns.complete(planned.id, step: "flight", on: day("2026-04-02"), actor: w.actor)
        }
        await w.stop()
    }

    @Test("the handover packet: nothing crosses without consent; with it, only the minimal packet, and LA opens its case")
    func handover() async throws {
        let w = try await World()
        let c = try await readyToReturn(w)
        let planned = try await w.returns.plan(c.id, to: "LA", actor: w.actor)
        let logistics = HandoverPacket.Logistics(route: "repatriation_as_victim", from: "TH", to: "LA",
                                                 handoverDate: day("2026-04-10"), borderPoint: "Friendship Bridge I")
        let withoutConsent = try await w.returns.packet(planned.id, for: w.lwu, logistics: logistics, actor: w.actor)
        #expect(withoutConsent.fields.isEmpty && withoutConsent.identity == nil)
        #expect(withoutConsent.withheld.contains("narrative") && withoutConsent.withheld.contains("identity"))
        try await expectRefusal(w, containing: "no consent to share data") {
            _ = try await w.returns.send(withoutConsent, actor: w.actor)
        }

        try await Shelter(w).record(Consent(person: c.person, caseID: c.id, purpose: .returnHandover, recipients: [w.lwu],
                                            recordedBy: w.caseworker, givenAt: .now), actor: w.actor)
        let preview = try await w.returns.packet(planned.id, for: w.lwu, logistics: logistics, needs: ["counselling"], actor: w.actor)
        #expect(preview.fields == ["identity", "logistics", "needs_and_risks", "consent_reference"])
        #expect(preview.identity?.givenNames == "Khamla")
        #expect(preview.needsAndRisks?.returnRisk == "low")
        #expect(preview.content.objectValue.map { Set($0.keys) } == ["fields", "withheld", "identity", "logistics", "needs_and_risks", "consent_reference"])
        #expect(preview.withheld == ["narrative"])

        // What is sent is what was shown: a changed preview is refused.
        var tampered = preview
        tampered.identity?.givenNames = "Someone else"
        try await expectRefusal(w, containing: "changed since it was shown") { _ = try await w.returns.send(tampered, actor: w.actor) }

        let (sent, destination) = try await w.returns.send(preview, actor: w.actor)
        #expect(destination.jurisdiction == "LA" && destination.ownerOrganisation == w.lwu)
        #expect(destination.opened == day("2026-04-10"))
        let laPerson = try await w.records.requirePerson(destination.person).value
        #expect(laPerson.personal.givenNames == "Khamla" && laPerson.id != c.person)
        #expect(try await w.events("return.packet_received").first?.jurisdiction == "LA")
        #expect(try await w.records.require(HandoverPacket.self, sent.id).value.destinationCase == destination.id)
        try await expectRefusal(w, containing: "was sent already") { _ = try await w.returns.send(preview, actor: w.actor) }

        // Reception by the Lao Women's Union: the LA pack's steps, and the TH side's reception step.
        let received = try await w.returns.receive(sent.id, by: w.lwu, on: day("2026-04-10"), actor: w.actor)
        #expect(received.caseID == destination.id)
        #expect(received.steps.map(\.id) == ["reception_at_border", "counselling", "protection", "reintegration"])
        #expect(received.steps.first?.status == .done && received.steps.allSatisfy { $0.actor == "Lao Women's Union" })
        let origin = try await w.records.require(Return.self, planned.id.description).value
        #expect(origin.steps.first { $0.id == "reception" }?.status == .done)
        #expect(try await w.events("return.received").first?.data["receiving_agency"] == .string("Lao Women's Union"))
        await w.stop()
    }

    @Test("no return is planned while identification runs (hold), nor as a deportation here")
    func noReturn() async throws {
        let w = try await World()
        let possible = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(possible), identifiedBy: .mdt, actor: w.actor)
        try await expectRefusal(w, containing: "holds it for identification") {
            _ = try await w.returns.plan(possible.id, to: "LA", actor: w.actor)
        }
        await w.stop()
    }
    @Test("a child's return waits for a best-interests determination and a guardian, as steps done only once recorded; then it is replanned")
    func childHoldStepsThenReturn() async throws {
        let w = try await World()
        let c = try await w.openCase(name: "Noy", birth: "2011-07-01")
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        try await w.identification.confirm(c.id, identifiedBy: .mdt, user: w.supervisor, role: .supervisor, actor: w.actor)
        try await w.host.cases.setFacts(c.id, ["wishes_to_return": .bool(true), "return_risk": .string("low")], actor: w.actor)
        // Her own wish does not decide: the route holds for the determination and the guardian.
        let route = try await w.returns.decideRoute(c.id, actor: w.actor)
        #expect(route.outcome == "hold" && route.result["hold_reasons"] == ["best_interests", "guardian"])
        let held = try await w.returns.plan(c.id, to: "LA", actor: w.actor)
        #expect(held.route == .hold && held.steps.map(\.id) == ["best_interests_determination", "guardian"])
        try await expectRefusal(w, containing: "needs best_interests_determination recorded") {
            try await w.returns.complete(held.id, step: "best_interests_determination", on: day("2026-04-01"), actor: w.actor)
        }
        try await w.host.cases.setFacts(c.id, ["best_interests_determination": .string("return"), "guardian_appointed": .bool(true)],
                                        actor: w.actor)
        try await w.returns.complete(held.id, step: "best_interests_determination", on: day("2026-04-01"), actor: w.actor)
        let replanned = try await w.returns.complete(held.id, step: "guardian", on: day("2026-04-02"), actor: w.actor)
        #expect(replanned.route == .repatriationAsVictim)
        #expect(replanned.steps.prefix(3).map(\.id) == ["best_interests_determination", "guardian", "consent"])
        #expect(replanned.steps.prefix(2).allSatisfy { $0.status == .done })
        #expect(try await w.events("return.replanned").first?.data["route"] == .string("repatriation_as_victim"))
        await w.stop()
    }

    @Test("a high risk on return holds a victim's return until a safety plan is recorded")
    func highRiskNeedsASafetyPlan() async throws {
        let w = try await World()
        let c = try await readyToReturn(w)
        try await w.host.cases.setFacts(c.id, ["return_risk": .string("high")], actor: w.actor)
        let held = try await w.returns.plan(c.id, to: "LA", actor: w.actor)
        #expect(held.route == .hold && held.steps.map(\.id) == ["safety_plan"])
        try await w.host.cases.setFacts(c.id, ["safety_plan": .bool(true)], actor: w.actor)
        let replanned = try await w.returns.complete(held.id, step: "safety_plan", on: day("2026-04-01"), actor: w.actor)
        #expect(replanned.route == .repatriationAsVictim && replanned.steps.contains { $0.id == "handover_at_border" })
        await w.stop()
    }

    @Test("a witness who wishes to go home gets the return, with the testimony taken in advance as a step")
    func witnessGoesHomeWithEarlyTestimony() async throws {
        let w = try await World()
        let c = try await readyToReturn(w)
        try await w.host.cases.setFacts(c.id, ["testifying": .bool(true), "party_to_proceedings": .bool(true)], actor: w.actor)
        let route = try await w.returns.decideRoute(c.id, actor: w.actor)
        #expect(route.outcome == "repatriation_as_victim" && route.result["proceedings_continue"] == ["early_testimony"])
        let planned = try await w.returns.plan(c.id, to: "LA", actor: w.actor)
        let testimony = try #require(planned.steps.firstIndex { $0.id == "early_testimony" })
        let handover = try #require(planned.steps.firstIndex { $0.id == "handover_at_border" })
        #expect(testimony < handover)
        #expect(planned.steps[testimony].doneWhen == ["early_testimony_taken": [.bool(true)]])
        await w.stop()
    }

}

private func Shelter(_ w: World) -> PluginShelter.Shelter { w.shelter }
