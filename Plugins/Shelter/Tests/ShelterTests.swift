import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginShelter
import PluginTestSupport
import Testing

@Suite("shelter")
struct ShelterTests {
    func consent(_ w: World, _ c: Case, _ purpose: ConsentPurpose, to recipients: [OrganisationID]) -> Consent {
        Consent(person: c.person, caseID: c.id, purpose: purpose, recipients: recipients, recordedBy: w.caseworker, givenAt: .now)
    }

    @Test("a referral needs consent to services and disclosure for that recipient, or a permitted override with a reason")
    func referralConsent() async throws {
        let w = try await World()
        let c = try await w.openCase()
        let referral = Referral(caseID: c.id, from: w.ngoTH, to: w.shelterTH, service: .shelter)
        try await expectRefusal(w, containing: "no consent to services and disclosure for organisation") {
            try await w.shelter.refer(referral, actor: w.actor)
        }
        // Consent given to another organisation does not count.
        try await w.shelter.record(consent(w, c, .services, to: [w.lawyersTH]), actor: w.actor)
        try await w.shelter.record(consent(w, c, .disclosure, to: [w.shelterTH]), actor: w.actor)
        try await expectRefusal(w, containing: "no consent to services for organisation") {
            try await w.shelter.refer(referral, actor: w.actor)
        }
        let services = try await w.shelter.record(consent(w, c, .services, to: [w.shelterTH]), actor: w.actor)
        let made = try await w.shelter.refer(referral, actor: w.actor)
        #expect(made.consent == services.id)

        // An override: refused for a caseworker, recorded for a supervisor with a reason.
        var urgent = Referral(caseID: c.id, from: w.ngoTH, to: w.lawyersTH, service: .legalAid,
                              consentOverride: Override(user: w.caseworker, role: .caseworker, reason: "urgent"))
        try await expectRefusal(w, containing: "must be supervisor, admin or legal_officer to override") {
            try await w.shelter.refer(urgent, actor: w.actor)
        }
        urgent.consentOverride = Override(user: w.supervisor, role: .supervisor, reason: "the person is unconscious; a hearing is due")
        let overridden = try await w.shelter.refer(urgent, actor: .user(w.supervisor))
        #expect(try await w.records.require(Referral.self, overridden.id.description).value.consentOverride?.role == .supervisor)
        #expect(try await w.events("referral.made").last?.data["consent_override_role"] == .string("supervisor"))
        await w.stop()
    }

    @Test("referral statuses follow the table; withdrawing consent revokes the referrals that relied on it")
    func statusesAndWithdrawal() async throws {
        let w = try await World()
        let c = try await w.openCase()
        let services = try await w.shelter.record(consent(w, c, .services, to: [w.shelterTH, w.lawyersTH]), actor: w.actor)
        try await w.shelter.record(consent(w, c, .disclosure, to: [w.shelterTH, w.lawyersTH]), actor: w.actor)
        let first = try await w.shelter.refer(Referral(caseID: c.id, from: w.ngoTH, to: w.shelterTH, service: .shelter), actor: w.actor)
        try await w.shelter.move(first.id, to: .accepted, actor: w.actor)
        try await w.shelter.move(first.id, to: .done, actor: w.actor)
        try await expectRefusal(w, containing: "a referral cannot move from done to revoked: done is final") {
            try await w.shelter.move(first.id, to: .revoked, actor: w.actor)
        }
        let second = try await w.shelter.refer(Referral(caseID: c.id, from: w.ngoTH, to: w.lawyersTH, service: .legalAid), actor: w.actor)
        try await w.shelter.withdraw(services.id, actor: w.actor)
        #expect(try await w.records.require(Referral.self, second.id.description).value.status == .revoked)
        #expect(try await w.records.require(Referral.self, first.id.description).value.status == .done)
        try await expectRefusal(w, containing: "no consent to services") {
            try await w.shelter.refer(Referral(caseID: c.id, from: w.ngoTH, to: w.lawyersTH, service: .legalAid), actor: w.actor)
        }
        try await expectRefusal(w, containing: "there is no referral") {
            try await w.shelter.move(ReferralID(), to: .accepted, actor: w.actor)
        }
        await w.stop()
    }

    @Test("a placement follows the TH decision; the 15-day identification stay is tracked and flagged once when due")
    func placementAndStay() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        try await w.host.cases.setFacts(c.id, ["days_since_referral": .int(3)], actor: w.actor)
        try await expectRefusal(w, containing: "not child_protection_shelter") {
            try await w.shelter.place(c.id, in: w.shelterTH, from: day("2026-03-02"), actor: w.actor, kind: .childProtectionShelter)
        }
        let placed = try await w.shelter.place(c.id, in: w.shelterTH, from: day("2026-03-02"), actor: w.actor)
        #expect(placed.kind == .welfareCentre)
        // 15 days under the NRM, 3 already spent: 12 left, from the pack.
        #expect(placed.identificationStayEnd == day("2026-03-14"))
        #expect(try await w.shelter.sweep(today: day("2026-03-10")).isEmpty)
        #expect(try await w.shelter.sweep(today: day("2026-03-13")) == [placed.id])
        #expect(try await w.shelter.sweep(today: day("2026-03-14")).isEmpty)
        #expect(try await w.events("shelter.identification_stay_due").count == 1)
        #expect(try await w.host.cases.flags(of: c.id).map(\.code) == ["identification_stay_due"])
        // Once identified, no flag.
        let other = try await w.openCase(name: "Dao")
        try await w.identification.screen(w.forcedLabour(other), identifiedBy: .mdt, actor: w.actor)
        try await w.host.cases.setFacts(other.id, ["days_since_referral": .int(14)], actor: w.actor)
        let p2 = try await w.shelter.place(other.id, in: w.shelterTH, from: day("2026-03-02"), actor: w.actor)
        try await w.identification.confirm(other.id, identifiedBy: .mdt, user: w.supervisor, role: .supervisor, actor: w.actor)
        #expect(try await w.shelter.sweep(today: day("2026-03-03")).contains(p2.id) == false)
        await w.stop()
    }

    @Test("on the LA pack: a returned victim goes to the Lao Women's Union shelter; anyone else waits on their screening")
    func laPack() async throws {
        let w = try await World()
        let returned = try await w.openCase("LA", name: "Keo")
        try await w.host.cases.setFacts(returned.id, ["route": .string("repatriation_as_victim"), "origin": .string("LA")], actor: w.actor)
        let decision = try await w.shelter.decide(returned.id, actor: w.actor)
        #expect(decision.packID == "LA" && decision.outcome == "ngo_shelter")
        #expect(decision.result["shelter"] == .string("Lao Women's Union shelter for returned victims"))
        let other = try await w.openCase("LA", name: "Phet")
        #expect(try await w.shelter.decide(other.id, actor: w.actor).outcome == "undetermined")
        try await expectRefusal(w, containing: "decides undetermined") {
            try await w.shelter.place(other.id, in: w.lwu, from: day("2026-03-02"), actor: w.actor)
        }
        await w.stop()
    }
}
