import GloJSON
import GloKit
import PluginDeadlines
import PluginIdentification
import PluginTestSupport
import Testing

extension World {
    /// The deadlines workflow, acting as the plugin does.
    var deadlines: Deadlines {
        Deadlines(host.context(for: World.plugins.first { $0.id == "deadlines" }!))
    }

    /// Records facts of a case and waits until the plugins have handled the change.
    func record(_ facts: [String: JSONValue], on c: Case) async throws {
        try await host.cases.setFacts(c.id, facts, actor: actor)
        try await settle()
    }
}

@Suite("deadlines")
struct DeadlinesTests {
    /// A possible victim's facts besides the screening: informed of the rights and claiming compensation,
    /// so that only the deadline a test is about is open.
    static let settled: [String: JSONValue] = ["informed_of_rights": true, "claiming_compensation": true]

    @Test("a referral dates the MDT interview from the TH pack; a formal identification ends it, and a redelivery changes nothing")
    func referralAndIdentification() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        try await w.record(Self.settled.merging(["referred_on": "2026-03-02"]) { $1 }, on: c)
        let current = try await w.deadlines.current(of: c.id)
        #expect(current.map(\.key) == ["mdt_interview"])
        let interview = try #require(current.first)
        #expect(interview.from == day("2026-03-02") && interview.due == day("2026-03-17"))
        #expect(interview.kind == .actBy)
        #expect(interview.basis.contains("TH National Referral Mechanism (approved March 2022)"))
        // Stored with the decision that gave it, announced by ids only.
        let decision = try #require(try await w.records.get(DecisionRecord.self, interview.decision.description)?.value)
        #expect(decision.decision == "deadlines.due" && decision.packID == "TH" && decision.outcome == "due")
        let changed = try #require(try await w.events("deadlines.changed").last)
        #expect(changed.data["current"] == ["mdt_interview"])
        #expect(changed.data["decision_id"] == .string(decision.id.description))

        // Asked again on the same facts (a redelivered event): nothing is written.
        let before = try await w.lastSequence()
        #expect(try await w.deadlines.refresh(c.id).map(\.key) == ["mdt_interview"])
        #expect(try await w.lastSequence() == before)

        try await w.identification.confirm(c.id, identifiedBy: .mdt, user: w.supervisor, role: .supervisor, actor: .user(w.supervisor))
        try await w.settle()
        #expect(try await w.deadlines.current(of: c.id).isEmpty)
        // What was due stays on record, no longer current.
        let kept = try #require(try await w.records.get(Deadline.self, Deadline.recordID(c.id, "mdt_interview"))?.value)
        #expect(!kept.current)
        #expect(try await w.events("deadlines.changed").last?.data["current"] == [])
        await w.stop()
    }

    @Test("the sweep flags a near deadline once and a missed one once; never a deadline that no longer applies")
    func sweepFlagsOnce() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.record(["custody_began_on": "2026-03-02"], on: c)
        let custody = try #require(try await w.deadlines.current(of: c.id).first)
        #expect(custody.key == "identification_custody" && custody.due == day("2026-03-03"))

        #expect(try await w.deadlines.sweep(today: day("2026-02-20")).isEmpty)
        let near = try await w.deadlines.sweep(today: day("2026-03-02"))
        #expect(near.map(\.key) == ["identification_custody"] && near.first?.flagged == [.near])
        #expect(try await w.deadlines.sweep(today: day("2026-03-03")).isEmpty)
        #expect(try await w.deadlines.sweep(today: day("2026-03-04")).map(\.key) == ["identification_custody"])
        #expect(try await w.deadlines.sweep(today: day("2026-03-05")).isEmpty)
        #expect(try await w.events("deadline.near").count == 1)
        #expect(try await w.events("deadline.missed").count == 1)
        let flags = try await w.host.cases.flags(of: c.id)
        #expect(flags.map(\.code) == ["deadline_near", "deadline_missed"])
        #expect(flags.allSatisfy { $0.subject == "identification_custody" })
        #expect(flags.last?.message.contains("s.29 gives no power to hold the person any longer") == true)
        #expect(flags.last?.basis.first?.hasPrefix("[unverified] TH ATIPA s.29") == true)

        // Custody ended: the deadline no longer applies, its flags are resolved, the sweep leaves it alone.
        try await w.record(["custody_ended_on": "2026-03-04"], on: c)
        #expect(try await w.deadlines.current(of: c.id).isEmpty)
        #expect(try await w.host.cases.flags(of: c.id).isEmpty)
        #expect(try await w.deadlines.sweep(today: day("2026-03-06")).isEmpty)
        await w.stop()
    }

    @Test("a court's extension moves the day: the flags of the old day are resolved and the new day is flagged again")
    func aMovedDayIsFlaggedAgain() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.record(["custody_began_on": "2026-03-02"], on: c)
        #expect(try await w.deadlines.sweep(today: day("2026-03-04")).count == 1)
        #expect(try await w.host.cases.flags(of: c.id).map(\.code) == ["deadline_missed"])
        try await w.record(["custody_extended_by_court": true], on: c)
        let extended = try #require(try await w.deadlines.current(of: c.id).first)
        #expect(extended.due == day("2026-03-09") && extended.flagged.isEmpty)
        #expect(try await w.host.cases.flags(of: c.id).isEmpty)
        #expect(try await w.deadlines.sweep(today: day("2026-03-07")).map(\.flagged) == [[.near]])
        await w.stop()
    }

    @Test("undated deadlines are kept with the facts they need, after the dated ones; dating one moves it among them")
    func undatedDeadlines() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        try await w.record(["referred_on": "2026-03-02"], on: c)
        let current = try await w.deadlines.current(of: c.id)
        #expect(current.map(\.key) == ["mdt_interview", "compensation_claim", "inform_of_rights"])
        #expect(current.dropFirst().allSatisfy { $0.due == nil })
        #expect(current.first { $0.key == "inform_of_rights" }?.needs == ["inquiry_contact_on"])
        #expect(current.first { $0.key == "inform_of_rights" }?.state(on: day("2026-03-05")) == .undated)
        // An undated deadline is never flagged.
        #expect(try await w.deadlines.sweep(today: day("2027-01-01")).map(\.key) == ["mdt_interview"])

        try await w.record(["inquiry_contact_on": "2026-03-01", "compensation_period_from": "2026-03-01"], on: c)
        let dated = try await w.deadlines.current(of: c.id)
        #expect(dated.map(\.key) == ["inform_of_rights", "mdt_interview", "compensation_claim"])
        #expect(dated.map(\.due) == [day("2026-03-01"), day("2026-03-17"), day("2027-03-01")])
        await w.stop()
    }

    @Test("the week's deadlines of a jurisdiction: missed and near ones of open cases, not those further off nor a period that ended")
    func theWeek() async throws {
        let w = try await World()
        let referred = try await w.openCase(name: "Noy")
        try await w.record(["referred_on": "2026-03-02"], on: referred)
        let custody = try await w.openCase(name: "Dao")
        try await w.record(["custody_began_on": "2026-03-10"], on: custody)
        let la = try await w.openCase("LA", name: "Keo")
        try await w.record(["referred_on": "2026-03-02"], on: la)

        let week = try await w.deadlines.due(in: "TH", through: day("2026-03-17"), today: day("2026-03-10"))
        #expect(week.map(\.key) == ["identification_custody", "mdt_interview"])
        #expect(week.map { $0.state(on: day("2026-03-10")) } == [.near, .upcoming])
        #expect(try await w.deadlines.due(in: "TH", through: day("2026-03-16"), today: day("2026-03-16")).map(\.key) == ["identification_custody"])
        #expect(try await w.deadlines.due(in: "TH", through: day("2026-03-16"), today: day("2026-03-16")).first?.state(on: day("2026-03-16")) == .missed)
        // The LA pack encodes no deadline: nothing is stored, no decision written.
        #expect(try await w.deadlines.current(of: la.id).isEmpty)
        #expect(try await w.records.list(DecisionRecord.self, key: .caseID(la.id)).filter { $0.value.decision == "deadlines.due" }.isEmpty)
        #expect(try await w.deadlines.due(in: "LA", through: day("2026-12-31"), today: day("2026-03-10")).isEmpty)
        await w.stop()
    }

    @Test("a deadline's state on a day")
    func states() {
        let d = Deadline(caseID: CaseID(), jurisdiction: "TH", key: "k", label: "K", kind: .actBy, from: day("2026-03-01"),
                         due: day("2026-03-10"), basis: ["b"], whenMissed: "w", decision: DecisionID())
        #expect(d.state(on: day("2026-03-06")) == .upcoming)
        #expect(d.state(on: day("2026-03-07")) == .near)
        #expect(d.state(on: day("2026-03-10")) == .near)
        #expect(d.state(on: day("2026-03-11")) == .missed)
        #expect(d.daysLeft(on: day("2026-03-11")) == -1)
        var period = d
        period.kind = .periodEnds
        #expect(period.state(on: day("2026-03-11")) == .ended)
        var undated = d
        undated.due = nil
        undated.from = nil
        #expect(undated.state(on: day("2026-03-11")) == .undated)
        #expect(undated.validationErrors().map(\.field) == ["deadline.needs"])
        undated.needs = ["referred_on"]
        #expect(undated.validationErrors().isEmpty)
    }
}
