import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginImmigration
import PluginReporting
import PluginTestSupport
import Testing

@Suite("immigration")
struct ImmigrationTests {
    func notice(_ on: String = "2026-03-20") -> Deportation.Notification {
        .init(authority: "Lao PDR Immigration Department", on: day(on), reference: "TH-IMM-2026-0042")
    }

    @Test("anyone about to be deported is screened: a victim or an undetermined pathway is refused with the reason")
    func screenedFirst() async throws {
        let w = try await World()
        let victim = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(victim), identifiedBy: .mdt, actor: w.actor)
        try await expectRefusal(w, containing: "never by deportation") {
            try await w.immigration.deport(Deportation(caseID: victim.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                       notification: notice()), actor: w.actor)
        }
        let unscreened = try await w.openCase(name: "Seng")
        try await expectRefusal(w, containing: "has not been screened to a conclusion") {
            try await w.immigration.deport(Deportation(caseID: unscreened.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                       notification: notice()), actor: w.actor)
        }
        await w.stop()
    }

    @Test("a non-victim is deported with the official notice to the country of origin; without it, refused")
    func deportation() async throws {
        let w = try await World()
        let migrant = try await w.openCase(name: "Bounmy")
        let outcome = try await w.identification.screen(w.irregularCrossing(migrant), identifiedBy: .police, actor: w.actor)
        #expect(["smuggled_migrant", "irregular_migrant"].contains(outcome.decision.outcome))
        try await expectRefusal(w, containing: "notified officially to the country of origin") {
            try await w.immigration.deport(Deportation(caseID: migrant.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                       notification: .init(authority: " ", on: day("2026-03-20"))), actor: w.actor)
        }
        let done = try await w.immigration.deport(Deportation(caseID: migrant.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                              notification: notice()), actor: w.actor)
        let event = try #require(try await w.events("immigration.deported").first)
        #expect(event.data["notified"] == .string("Lao PDR Immigration Department"))
        #expect(event.data["deportation_id"] == .string(done.id))
        await w.stop()
    }

    @Test("a push back is recorded and flagged for follow-up on the other side of the border")
    func pushBack() async throws {
        let w = try await World()
        let recorded = try await w.immigration.recordPushBack(
            PushBack(from: "TH", to: "LA", on: day("2026-03-15"), place: "Mekong crossing near Nong Khai", people: 14,
                     reportedBy: w.ngoTH), actor: w.actor)
        #expect(try await w.events("immigration.pushed_back").first?.jurisdiction == "TH")
        let followUps = try await w.immigration.followUps("LA")
        #expect(followUps.map(\.subject) == [recorded.id])
        #expect(followUps.first?.message.contains("without official notice") == true)
        #expect(try await w.immigration.followUps("TH").isEmpty)
        #expect(try await w.events("case.flagged").first?.jurisdiction == "LA")
        let figures = try await w.reporting.figures("TH", from: day("2026-03-01"), to: day("2026-03-31"))
        #expect(figures.group("push_backs")?.cells.map { "\($0.value)=\($0.count ?? -1)" } == ["people=14"])
        try await expectRefusal(w, containing: "must be the other side of the border") {
            try await w.immigration.recordPushBack(PushBack(from: "TH", to: "TH", on: day("2026-03-15"), reportedBy: w.ngoTH), actor: w.actor)
        }
        await w.stop()
    }

    @Test("a deportation the pack does not give is refused: a stateless person is never deported")
    func statelessIsNeverDeported() async throws {
        let w = try await World()
        let c = try await w.openCase(name: "Ai", citizenship: [])
        try await w.host.cases.setFacts(c.id, ["stateless": .bool(true)], actor: w.actor)
        try await w.identification.screen(w.irregularCrossing(c), identifiedBy: .police, actor: w.actor)
        try await expectRefusal(w, containing: "does not give deportation") {
            try await w.immigration.deport(Deportation(caseID: c.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                       notification: notice()), actor: w.actor)
        }
        await w.stop()
    }

    @Test("a deportation takes the custody the pack names; a child's is never detention, an adult's may be if the pack allows it")
    func custodyFollowsThePack() async throws {
        let w = try await World()
        let child = try await w.openCase(name: "Lek", birth: "2012-01-01")
        try await w.identification.screen(w.irregularCrossing(child), identifiedBy: .police, actor: w.actor)
        try await w.host.cases.setFacts(child.id, ["wishes_to_return": .bool(true), "best_interests_determination": .string("return"),
                                                   "guardian_appointed": .bool(true)], actor: w.actor)
        try await expectRefusal(w, containing: "custody 'detention' is not one") {
            try await w.immigration.deport(Deportation(caseID: child.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                       notification: notice(), custody: "detention"), actor: w.actor)
        }
        let childs = try await w.immigration.deport(Deportation(caseID: child.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                                notification: notice()), actor: w.actor)
        #expect(childs.custody == "reporting" && childs.routeDecision != nil)

        let adult = try await w.openCase(name: "Sone")
        try await w.identification.screen(w.irregularCrossing(adult), identifiedBy: .police, actor: w.actor)
        let held = try await w.immigration.deport(Deportation(caseID: adult.id, from: "TH", to: "LA", on: day("2026-03-21"),
                                                              notification: notice(), custody: "detention"), actor: w.actor)
        #expect(held.custody == "detention")
        #expect(try await w.events("immigration.deported").last?.data["custody"] == .string("detention"))
        await w.stop()
    }
}
