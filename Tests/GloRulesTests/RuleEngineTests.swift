import Foundation
import GloJSON
@testable import GloRules
import Testing

@Suite("Rule packs: loading, inheritance, dates, explanations")
struct RuleEngineTests {
    let date = CalendarDate("2026-01-01")!

    @Test func childOverridesAndInherits() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        let result = try engine.decide(jurisdiction: "XX", decision: "identification.pathway", facts: ["age": 30], at: date)
        #expect(result.outcome == "adult")
        #expect(result.value["national"] == .bool(true))
        let inherited = try engine.decide(jurisdiction: "XX", decision: "identification.echo_date", facts: [:], at: date)
        #expect(inherited.value["echo"] == "2026-01-01 XX 2026.1")
    }

    @Test func theDatePicksTheVersionInForce() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        let old = try engine.decide(jurisdiction: "XX", decision: "identification.pathway", facts: ["age": 30], at: CalendarDate("2019-06-01")!)
        #expect(old.outcome == "old law")
        #expect(old.rule.version == "2019.1")
        let new = try engine.decide(jurisdiction: "XX", decision: "identification.pathway", facts: ["age": 30], at: date)
        #expect(new.rule.version == "2026.1")
        #expect(new.rule.pack == "XX")
        #expect(new.rule.hash.count == 64)
        #expect(old.rule.hash != new.rule.hash)
    }

    @Test func theHashChangesWithTheParentsRules() throws {
        let first = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        var edited = smallWorld
        edited["intl/identification.lua"]! += "\n-- a comment changes the content\n"
        let second = try RuleEngine(directory: try rulesDirectory(edited), statesPerPack: 1)
        let a = try first.decide(jurisdiction: "XX", decision: "identification.pathway", facts: ["age": 3], at: date)
        let b = try second.decide(jurisdiction: "XX", decision: "identification.pathway", facts: ["age": 3], at: date)
        #expect(a.rule.hash != b.rule.hash)
        #expect(a.value == b.value)
    }

    @Test func explanationListsFactsReadAndMissing() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        let result = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: ["means": ["fraud"]], at: date)
        #expect(result.outcome == "undetermined")
        #expect(result.value["missing"] == ["age"])
        #expect(result.factsRead == ["age"])
        #expect(result.factsMissing == ["age"])
    }

    @Test func ageComesFromTheBirthdateOnThe18thBirthday() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        let facts: JSONValue = ["birthdate": "2008-03-15"]
        let before = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: facts, at: CalendarDate("2026-03-14")!)
        let on = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: facts, at: CalendarDate("2026-03-15")!)
        #expect(before.outcome == "child")
        #expect(on.outcome == "adult")
    }

    @Test func unknownJurisdictionAndDecisionAreNamed() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        #expect(throws: RuleEvaluationError.unknownJurisdiction("ZZ", known: ["XX", "intl"])) {
            try engine.bind(jurisdiction: "ZZ", decision: "identification.pathway", at: date)
        }
        do {
            _ = try engine.bind(jurisdiction: "XX", decision: "shelter.placement", at: date)
            Issue.record("an unknown decision was bound")
        } catch {
            #expect(error.code == "unknown_decision")
            #expect(error.message.contains("identification.pathway"))
        }
        #expect(throws: RuleEvaluationError.noPackInForce(jurisdiction: "XX", date: CalendarDate("1999-01-01")!)) {
            try engine.bind(jurisdiction: "XX", decision: "identification.pathway", at: CalendarDate("1999-01-01")!)
        }
    }

    @Test func resultsThatAreNotDecisionsAreErrors() throws {
        var world = smallWorld
        world["intl/bad.lua"] = """
            return {
              number = function() return 42 end,
              no_outcome = function() return { reasons = {} } end,
              fn = function() return { outcome = "x", f = print } end,
              loop = function() while true do end end,
            }
            """
        let engine = try RuleEngine(directory: try rulesDirectory(world), statesPerPack: 1)
        for (name, code) in [("number", "invalid_result"), ("no_outcome", "invalid_result"), ("fn", "invalid_result"), ("loop", "instruction_budget")] {
            do {
                _ = try engine.decide(jurisdiction: "intl", decision: "bad.\(name)", facts: [:], at: date)
                Issue.record("bad.\(name) gave a result")
            } catch {
                #expect(error.code == code, "bad.\(name): \(error)")
                #expect(error.location?.hasPrefix("intl/bad.lua") == true, "bad.\(name): \(error)")
            }
        }
        // The engine still decides afterwards.
        #expect(try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: ["age": 3], at: date).outcome == "child")
    }
}

@Suite("Manifests and rules directories are validated with file, line and field")
struct ValidationTests {
    /// Every problem found, whether it stops the load or sets a pack aside.
    func problems(_ files: [String: String]) throws -> [String] {
        let directory = try rulesDirectory(files)
        do {
            return try RuleEngine(directory: directory, statesPerPack: 1).problems.map(\.description)
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func missingAndMalformedFieldsAreNamed() throws {
        let found = try problems([
            "TH/pack.yaml": "id: TH\nname: Thailand\neffective_from: 2026-13-01\nstatus: final\ncolour: blue\n",
        ])
        #expect(found.contains("TH/pack.yaml:1: field 'version': required"))
        #expect(found.contains { $0.hasPrefix("TH/pack.yaml:3: field 'effective_from': '2026-13-01' is not an ISO date") })
        #expect(found.contains { $0.hasPrefix("TH/pack.yaml:4: field 'status': 'final' is not one of") })
        #expect(found.contains { $0.hasPrefix("TH/pack.yaml:5: field 'colour': unknown field") })
    }

    @Test func extendsMustNameAPack() throws {
        let found = try problems(["TH/pack.yaml": "id: TH\nname: T\nversion: '1'\nextends: nowhere\n"])
        #expect(found.contains { $0.hasPrefix("TH/pack.yaml: field 'extends': no pack has id 'nowhere'") })
    }

    @Test func versionsOfOnePackMustNotOverlap() throws {
        let found = try problems([
            "TH/pack.yaml": "id: TH\nname: T\nversion: '2'\neffective_from: 2019-01-01\n",
            "TH-old/pack.yaml": "id: TH\nname: T\nversion: '1'\neffective_to: 2019-06-30\n",
        ])
        #expect(found.contains { $0.contains("are both in force on 2019-01-01") })
    }

    @Test func aLuaSyntaxErrorNamesFileAndLine() throws {
        let found = try problems([
            "TH/pack.yaml": "id: TH\nname: T\nversion: '1'\n",
            "TH/identification.lua": "return {\n  pathway = function(facts)\n    return { outcome = \n  end,\n}\n",
        ])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("TH/identification.lua:4: syntax:") == true, "\(found)")
    }

    @Test func aModuleThatLoopsWhileLoadingIsStopped() throws {
        let found = try problems([
            "TH/pack.yaml": "id: TH\nname: T\nversion: '1'\n",
            "TH/identification.lua": "local x = 0\nwhile true do x = x + 1 end\nreturn {}\n",
        ])
        #expect(found.first?.hasPrefix("TH/identification.lua:2: instruction_budget:") == true, "\(found)")
    }
}

@Suite("Reload swaps only rules that compile and pass their tests")
struct ReloadTests {
    @Test func aBrokenEditKeepsTheOldRules() throws {
        let directory = try rulesDirectory(smallWorld)
        let engine = try RuleEngine(directory: directory, statesPerPack: 1)
        let date = CalendarDate("2026-01-01")!
        try write(["intl/identification.lua": "return {\n  pathway = function(facts)\n    return {\n  end\n}\n"], under: directory)
        let report = engine.reload()
        #expect(!report.applied)
        #expect(report.problems.first?.file == "intl/identification.lua")
        #expect(report.problems.first?.line == 4)
        #expect(try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: ["age": 30], at: date).outcome == "adult")
    }

    @Test func anEditThatFailsItsTestsKeepsTheOldRules() throws {
        let directory = try rulesDirectory(smallWorld)
        let engine = try RuleEngine(directory: directory, statesPerPack: 1)
        try write(["intl/identification.lua": "return { pathway = function() return { outcome = 'adult' } end }\n"], under: directory)
        let report = engine.reload()
        #expect(!report.applied)
        #expect(report.tests?.failed == 1)
        #expect(report.tests?.failures.first?.file == "intl/tests/identification.yaml")
        #expect(try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: ["age": 3], at: CalendarDate("2026-01-01")!).outcome == "child")
    }

    @Test func aGoodEditIsSwappedIn() throws {
        let directory = try rulesDirectory(smallWorld)
        let engine = try RuleEngine(directory: directory, statesPerPack: 1)
        let date = CalendarDate("2026-01-01")!
        let before = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: ["age": 30], at: date)
        try write(["intl/identification.lua": smallWorld["intl/identification.lua"]!.replacingOccurrences(of: "outcome = \"adult\"", with: "outcome = \"adult\", checked = true")], under: directory)
        let report = engine.reload()
        #expect(report.applied)
        #expect(report.changed == ["intl@1"])
        let after = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: ["age": 30], at: date)
        #expect(after.value["checked"] == .bool(true))
        #expect(after.rule.hash != before.rule.hash)
    }
}

@Suite("Pack tests")
struct PackTestTests {
    @Test func expectationsMatchScalarsObjectsAndContainedLists() {
        let result: JSONValue = ["outcome": "steps", "steps": [["id": "a", "actor": "MSDHS"], ["id": "b"]], "n": 1.0]
        #expect(PackTestRunner.mismatch(expected: ["outcome": "steps", "steps": [["id": "b"]]], actual: result, path: "") == nil)
        #expect(PackTestRunner.mismatch(expected: ["n": 1], actual: result, path: "") == nil)
        #expect(PackTestRunner.mismatch(expected: ["steps": [["id": "c"]]], actual: result, path: "") != nil)
        #expect(PackTestRunner.mismatch(expected: ["outcome": "victim"], actual: result, path: "")
                == "expected outcome = \"victim\", got \"steps\"")
        #expect(PackTestRunner.mismatch(expected: ["missing": nil], actual: result, path: "") == nil)
    }

    @Test func shippedPacksPassTheirTests() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/jurisdictions").path
        let engine = try RuleEngine(directory: directory, statesPerPack: 1)
        let report = engine.runTests()
        #expect(report.failed == 0, "\(report.failures.map(\.description).joined(separator: "\n"))")
        #expect(report.passed > 150)
        #expect(Set(engine.ruleSet.jurisdictions).isSuperset(of: ["intl", "TH", "LA", "BY", "BR", "CO", "EG", "KG", "ML", "MA", "NP", "NE", "PK", "ZA", "UA"]))
    }
}

@Suite("A broken pack fails alone; reload is as strict as the start")
struct PacksFailAloneTests {
    let date = CalendarDate("2026-01-01")!

    /// smallWorld and a sibling pack NP whose module does not compile.
    var world: [String: String] {
        smallWorld.merging([
            "NP/pack.yaml": "id: NP\nname: Nepal\nversion: '1'\nextends: intl\n",
            "NP/identification.lua": "return { pathway = function(facts)\n  if x then\n  return { outcome = 'child' }\nend }\n",
        ]) { a, _ in a }
    }

    @Test func aBrokenPackDoesNotStopTheOthers() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(world), statesPerPack: 1)
        #expect(engine.problems.map(\.description) == ["NP/identification.lua:4: syntax: unexpected symbol near '}'"])
        #expect(try engine.decide(jurisdiction: "XX", decision: "identification.pathway", facts: ["age": 3], at: date).outcome == "child")
        #expect(throws: RuleEvaluationError.self) { try engine.decide(jurisdiction: "NP", decision: "identification.pathway", facts: [:], at: date) }
        do {
            _ = try engine.bind(jurisdiction: "NP", decision: "identification.pathway", at: date)
        } catch {
            #expect(error.code == "broken_pack" && error.message.contains("NP/identification.lua:4"), "\(error)")
        }
        let report = engine.runTests()
        #expect(report.passed == 1, "intl's test runs")
        #expect(report.failures.map(\.pack) == ["NP"], "NP's problem counts as its failure")
    }

    @Test func reloadSetsAsideABrokenPackNoServedJurisdictionNeeds() throws {
        let directory = try rulesDirectory(smallWorld)
        let engine = try RuleEngine(directory: directory, statesPerPack: 1)
        try write(["NP/pack.yaml": world["NP/pack.yaml"]!, "NP/identification.lua": world["NP/identification.lua"]!], under: directory)
        let served = engine.reload(serving: ["XX", "intl"], at: date)
        #expect(served.applied, "\(served.refusals(under: directory))")
        #expect(served.setAside.map(\.file) == ["NP/identification.lua"])
        let all = engine.reload(serving: ["XX", "NP"], at: date)
        #expect(!all.applied)
        #expect(all.problems.map(\.file) == ["NP/identification.lua"])
    }

    @Test func reloadRefusesRulesThatLackWhatThePluginsNeed() throws {
        let directory = try rulesDirectory(smallWorld)
        let engine = try RuleEngine(directory: directory, statesPerPack: 1)
        let needs = [PluginNeed(plugin: "echo", decision: "identification.echo_date")]
        #expect(engine.reload(serving: ["XX"], needs: needs, at: date).applied)
        try write(["intl/identification.lua": smallWorld["intl/identification.lua"]!.replacingOccurrences(of: "echo_date =", with: "_echo_date =")],
                  under: directory)
        let report = engine.reload(serving: ["XX"], needs: needs, at: date)
        #expect(!report.applied)
        #expect(report.unmet == ["plugin 'echo' needs decision 'identification.echo_date', which the XX pack in force on 2026-01-01 does not provide"])
        #expect(try engine.decide(jurisdiction: "XX", decision: "identification.echo_date", facts: [:], at: date).outcome == "echoed",
                "the old rules keep serving")
    }
}

@Suite("Checks for meaning")
struct MeaningCheckTests {
    @Test func aMisspeltFactIsNamedWithItsLineButNotInACommentOrAString() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld.merging([
            "intl/identification.lua": """
                -- facts.exploitaton in a comment is not read
                local note = "facts.colour in a string is not read"
                return {
                  pathway = function(facts, ctx)
                    if facts.exploitaton ~= nil or facts["taken_abroad"] then return { outcome = "adult", reasons = {}, basis = {} } end
                    return { outcome = "child", reasons = { note }, basis = { "Palermo Protocol art. 3(d)" } }
                  end,
                  echo_date = function() return { outcome = "echoed", reasons = {}, basis = {} } end,
                }
                """,
        ]) { _, b in b }), statesPerPack: 1)
        let found = engine.lint(jurisdiction: "intl").map(\.description)
        #expect(found == ["intl/identification.lua:5: reads facts.exploitaton, which is not a fact of the vocabulary (\(engine.vocabulary.file)): it is always absent; did you mean 'exploitation'?"])
    }

    @Test func anOutcomeDeclaredNowhereIsRefusedByTheTestsAndTheScan() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld.merging([
            "intl/pack.yaml": "id: intl\nname: Baseline\nversion: '1'\noutcomes:\n  identification.pathway: [adult]\n  identification.echo_date: [echoed]\n",
        ]) { _, b in b }), statesPerPack: 1)
        let failure = try #require(engine.runTests().failures.first)
        #expect(failure.meaning.first?.hasPrefix("outcome 'child' is not declared for identification.pathway (declared: adult, ") == true,
                "\(failure.meaning)")
        #expect(engine.lint().contains { $0.line == 4 && $0.message.hasPrefix("outcome 'child' is not declared") })
    }

    @Test func aResultWithoutBasisOrReasonsFailsItsTest() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld.merging([
            "intl/identification.lua": "return { pathway = function() return { outcome = 'child' } end }\n",
        ]) { _, b in b }), statesPerPack: 1)
        let failure = try #require(engine.runTests().failures.first)
        #expect(failure.meaning.contains { $0.contains("no 'basis'") } && failure.meaning.contains { $0.contains("no 'reasons'") })
    }
}
