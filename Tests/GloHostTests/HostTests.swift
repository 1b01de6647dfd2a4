import Foundation
import GloJSON
import GloKit
import GloRules
import PluginTally
import Testing
import TestScratch

/// Plugins for the start-up checks.
struct NeedsPlugin: Plugin {
    var id: String
    let version = "0.1"
    let summary = "test"
    var dependencies: [String] = []
    var decisionsNeeded: [String] = []
}

/// A plugin whose handler fails on every event of one type.
struct FailingPlugin: Plugin {
    let id = "failing"
    let version = "0.1"
    let summary = "fails on decision.made"
    let handles: [EventPattern] = ["*"]
    func handle(_ event: Event, _ context: PluginContext) async throws {
        if event.type == "decision.made" { throw GloKitError.refused("failing plugin refuses \(event.type)") }
    }
}

/// Decides identification.pathway for every screening recorded, as a workflow plugin would.
struct DecidingPlugin: Plugin {
    let id = "deciding"
    let version = "0.1"
    let summary = "decides on each screening"
    let handles: [EventPattern] = ["screening.recorded"]
    let decisionsNeeded = ["identification.pathway"]
    func handle(_ event: Event, _ context: PluginContext) async throws {
        guard let text = event.data["case_id"]?.stringValue, let caseID = CaseID(text) else { return }
        let facts = try await context.cases.facts(for: caseID)
        try await context.decisions.decide("identification.pathway", for: caseID, facts: facts, actor: context.actor)
    }
}

@Suite("Plugins: selection and start-up checks")
struct PluginSelectionTests {
    let registry = PluginRegistry([TallyPlugin(), NeedsPlugin(id: "legal-aid", dependencies: ["identification"]),
                                   NeedsPlugin(id: "identification")])

    @Test("an unknown plugin is refused with the known ones listed")
    func unknown() {
        #expect {
            _ = try registry.select(["tally", "shelterr"])
        } throws: { error in
            "\(error)" == "unknown plugin 'shelterr' (known: identification, legal-aid, tally)"
        }
    }

    @Test("a missing dependency is named; with it, dependencies come first")
    func dependencies() throws {
        #expect {
            _ = try registry.select(["legal-aid"])
        } throws: { error in
            "\(error)" == "plugin 'legal-aid' needs plugin 'identification', which is not enabled: add it to --plugins"
        }
        #expect(try registry.select(["legal-aid", "identification"]).map(\.id) == ["identification", "legal-aid"])
    }

    @Test("a pack without a decision a plugin needs stops the start, naming plugin, jurisdiction and decision")
    func missingDecision() throws {
        let store = try freshSQLiteStore()
        let needy = NeedsPlugin(id: "needy", decisionsNeeded: ["identification.pathway", "return.steps"])
        // TH-2019 (in force from 2017-01-28 to 2019-04-07) has identification only.
        #expect {
            _ = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [needy],
                            jurisdictions: ["TH", "LA"], today: day("2018-05-01"))
        } throws: { error in
            "\(error)" == "plugin 'needy' needs decision 'return.steps', which the TH pack in force on 2018-05-01 does not provide"
        }
        _ = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [needy],
                        jurisdictions: ["TH", "LA"], today: day("2026-05-01"))
        #expect {
            _ = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [], jurisdictions: ["XX"])
        } throws: { error in
            "\(error)".hasPrefix("jurisdiction 'XX' is served, but the rules have no pack for it")
        }
    }
}

@Suite("Decision service and the tally plugin, end to end")
struct DecisionServiceTests {
    func host(_ plugins: [any Plugin] = [TallyPlugin()]) throws -> GloHost {
        try GloHost(store: freshSQLiteStore(), vault: testVault, engine: shippedEngine, plugins: plugins,
                    jurisdictions: ["TH", "LA"], retry: RetryPolicy(attempts: 2, firstDelay: .milliseconds(1)),
                    pollInterval: .milliseconds(20))
    }

    @Test("a decision is stored with the pack in force at the case's date, and announced")
    func storesDecision() async throws {
        let host = try host()
        try await host.start()
        let now = try await openScreenedCase(host, opened: "2026-01-10")
        let then = try await openScreenedCase(host, opened: "2018-06-01")
        let a = try await host.decisions.decide("identification.pathway", for: now.id,
                                                facts: try await host.cases.facts(for: now.id), actor: .system)
        let b = try await host.decisions.decide("identification.pathway", for: then.id,
                                                facts: try await host.cases.facts(for: then.id), actor: .system)
        #expect(a.packID == "TH" && a.packVersion == "2026.1")
        #expect(b.packID == "TH" && b.packVersion == "2019.1")
        #expect(a.contentHash.count == 64 && a.contentHash != b.contentHash)
        #expect(a.dateApplied == day("2026-01-10"))

        let stored = try await host.records.require(DecisionRecord.self, a.id.description).value
        #expect(stored == a)
        #expect(stored.facts?["acts"] == .array([.string("recruitment")]))
        #expect(!stored.outcome.isEmpty && !stored.basis.isEmpty && !stored.factsRead.isEmpty)

        let log = try await host.records.store.events(after: 0, limit: 100)
        let made = try #require(log.last { $0.type == "decision.made" })
        #expect(made.data["decision_id"] == .string(b.id.description))
        #expect(made.data["outcome"] == .string(b.outcome))
        #expect(made.data["pack"] == .string("TH") && made.data["version"] == .string("2019.1"))
        #expect(made.subject == "case:\(then.id)")

        try await host.bus.drain(through: try await host.records.store.lastSequence())
        let tally = try #require(try await host.records.get(Tally.self, "TH")?.value)
        #expect(tally.counts.values.reduce(0, +) == 2)
        await host.stop()
    }

    @Test("an undetermined result lists the facts to ask for; an unknown case is refused with nothing stored")
    func missingFactsAndUnknownCase() async throws {
        let host = try host()
        let person = Person(personal: PersonalData(givenNames: "A"))
        try await host.cases.register(person, actor: .system)
        let bare = try await host.cases.open(Case(jurisdiction: "TH", ownerOrganisation: OrganisationID(),
                                                  person: person.id, opened: day("2026-02-01")), actor: .system)
        let record = try await host.decisions.decide("identification.pathway", for: bare.id, facts: .object([:]),
                                                     actor: .system)
        #expect(record.outcome == "undetermined")
        #expect(!record.factsMissing.isEmpty)
        let before = try await host.records.store.lastSequence()
        await #expect {
            try await host.decisions.decide("identification.pathway", for: CaseID(), facts: .object([:]), actor: .system)
        } throws: { error in
            "\(error)".hasPrefix("there is no case with id")
        }
        await #expect(throws: ValidationFailure.self) {
            try await host.cases.open(Case(jurisdiction: "th!", ownerOrganisation: OrganisationID(), person: person.id,
                                           opened: day("2026-02-01")), actor: .system)
        }
        #expect(try await host.records.store.lastSequence() == before)
    }

    @Test("a plugin handler that throws parks only its own delivery; the tally still counts everything")
    func failingPluginParksOnlyItself() async throws {
        let host = try host([TallyPlugin(), FailingPlugin()])
        try await host.start()
        for i in 0..<3 {
            let c = try await openScreenedCase(host, name: "P\(i)")
            try await host.decisions.decide("identification.pathway", for: c.id, facts: try await host.cases.facts(for: c.id),
                                            actor: .system)
        }
        try await host.bus.drain(through: try await host.records.store.lastSequence())
        let parked = try await host.records.store.deadLetters(state: .parked)
        #expect(parked.count == 3 && parked.allSatisfy { $0.subscriber == "failing" && $0.eventType == "decision.made" })
        #expect(try await host.records.get(Tally.self, "TH")?.value.counts.values.reduce(0, +) == 3)
        await host.stop()
    }

    @Test("a rule that errors fails that decision with file:line; nothing is stored and the host goes on")
    func ruleErrorStoresNothing() async throws {
        let rules = temporaryFolder("glo-rules")
        try TestScratch.addVocabulary(to: rules)
        try FileManager.default.createDirectory(atPath: rules + "/ZZ", withIntermediateDirectories: true)
        try "id: ZZ\nname: Broken\nversion: '1'\n".write(toFile: rules + "/ZZ/pack.yaml", atomically: true, encoding: .utf8)
        try """
            return { pathway = function(facts)
              if facts.taken_abroad then error("no rule for this") end
              return { outcome = "victim" }
            end }
            """.write(toFile: rules + "/ZZ/identification.lua", atomically: true, encoding: .utf8)
        let engine = try RuleEngine(directory: rules, statesPerPack: 1)
        let host = try GloHost(store: freshSQLiteStore(), vault: testVault, engine: engine,
                               plugins: [TallyPlugin()])
        try await host.start()
        let person = Person(personal: PersonalData(givenNames: "B"))
        try await host.cases.register(person, actor: .system)
        let c = try await host.cases.open(Case(jurisdiction: "ZZ", ownerOrganisation: OrganisationID(), person: person.id,
                                               opened: day("2026-01-01")), actor: .system)
        let before = try await host.records.store.lastSequence()
        await #expect {
            try await host.decisions.decide("identification.pathway", for: c.id, facts: .object(["taken_abroad": .bool(true)]),
                                            actor: .system)
        } throws: { error in
            (error as? RuleEvaluationError)?.location == "ZZ/identification.lua:2"
        }
        #expect(try await host.records.store.lastSequence() == before)
        let ok = try await host.decisions.decide("identification.pathway", for: c.id, facts: .object([:]), actor: .system)
        #expect(ok.outcome == "victim")
        await host.stop()
    }

    @Test("an outcome no declaration allows is stored, flagged on its case and never silent")
    func anUndeclaredOutcomeIsFlagged() async throws {
        let rules = temporaryFolder("glo-rules")
        try TestScratch.addVocabulary(to: rules)
        try FileManager.default.createDirectory(atPath: rules + "/ZZ", withIntermediateDirectories: true)
        try "id: ZZ\nname: Invents\nversion: '1'\n".write(toFile: rules + "/ZZ/pack.yaml", atomically: true, encoding: .utf8)
        try """
            return { pathway = function(facts)
              return { outcome = "organ_trafficking", reasons = { "invented" }, basis = {} }
            end }
            """.write(toFile: rules + "/ZZ/identification.lua", atomically: true, encoding: .utf8)
        let host = try GloHost(store: freshSQLiteStore(), vault: testVault, engine: try RuleEngine(directory: rules, statesPerPack: 1),
                               plugins: [TallyPlugin()], pollInterval: .milliseconds(20))
        try await host.start()
        let person = Person(personal: PersonalData(givenNames: "D"))
        try await host.cases.register(person, actor: .system)
        let c = try await host.cases.open(Case(jurisdiction: "ZZ", ownerOrganisation: OrganisationID(), person: person.id,
                                               opened: day("2026-01-01")), actor: .system)
        let decision = try await host.decisions.decide("identification.pathway", for: c.id, facts: .object([:]), actor: .system)
        #expect(decision.undeclared?.contains("outcome 'organ_trafficking' is not declared for identification.pathway") == true)
        try await host.bus.drain(through: try await host.records.store.lastSequence())
        let flags = try await host.cases.flags(of: c.id)
        #expect(flags.map(\.code) == ["undeclared_outcome"])
        #expect(flags.first?.message.contains("'organ_trafficking'") == true)
        await host.stop()
    }

    @Test("a rule that errors inside a plugin's handler parks only that delivery, naming file:line")
    func ruleErrorInHandlerParks() async throws {
        let rules = temporaryFolder("glo-rules")
        try TestScratch.addVocabulary(to: rules)
        try FileManager.default.createDirectory(atPath: rules + "/ZZ", withIntermediateDirectories: true)
        try "id: ZZ\nname: Broken\nversion: '1'\n".write(toFile: rules + "/ZZ/pack.yaml", atomically: true, encoding: .utf8)
        try """
            return { pathway = function(facts)
              if facts.acts and facts.acts[1] == "transfer" then error("no rule for transfer") end
              return { outcome = "victim" }
            end }
            """.write(toFile: rules + "/ZZ/identification.lua", atomically: true, encoding: .utf8)
        let host = try GloHost(store: freshSQLiteStore(), vault: testVault,
                               engine: try RuleEngine(directory: rules, statesPerPack: 1),
                               plugins: [DecidingPlugin(), TallyPlugin()],
                               retry: RetryPolicy(attempts: 2, firstDelay: .milliseconds(1)), pollInterval: .milliseconds(20))
        try await host.start()
        let person = Person(personal: PersonalData(givenNames: "C"))
        try await host.cases.register(person, actor: .system)
        let c = try await host.cases.open(Case(jurisdiction: "ZZ", ownerOrganisation: OrganisationID(), person: person.id,
                                               opened: day("2026-01-01")), actor: .system)
        for acts in [["transfer"], ["recruitment"], ["harbouring"]] {
            try await host.cases.record(Screening(caseID: c.id, interviewer: UserID(), date: day("2026-01-01"), acts: acts),
                                        actor: .system)
            // One screening at a time: the plugin decides on the latest.
            try await host.bus.drain(through: try await host.records.store.lastSequence())
        }
        // The decisions the plugin made meanwhile reach the tally.
        try await host.bus.drain(through: try await host.records.store.lastSequence())
        let parked = try await host.records.store.deadLetters(state: .parked)
        #expect(parked.count == 1)
        #expect(parked.first?.subscriber == "deciding")
        #expect(parked.first?.error.contains("ZZ/identification.lua:2") == true)
        #expect(try await host.records.list(DecisionRecord.self, key: .caseID(c.id)).count == 2)
        #expect(try await host.records.get(Tally.self, "ZZ")?.value.counts == ["identification.pathway victim": 2])
        await host.stop()
    }
}
