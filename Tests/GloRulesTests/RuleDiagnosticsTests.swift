import GloJSON
@testable import GloRules
import LuaVM
import Testing

@Suite("What a rule's author sees: what it printed, where it failed, how it decided")
struct RuleDiagnosticsTests {
    let date = CalendarDate("2026-01-01")!

    @Test func aTraceFollowsTheChildIntoItsParent() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        var diagnostics = RuleDiagnostics()
        let result = try engine.bind(jurisdiction: "XX", decision: "identification.pathway", at: date)
            .evaluate(["age": 30], tracing: true, diagnostics: &diagnostics)
        #expect(result.outcome == "adult")
        let trace = try #require(diagnostics.trace)
        #expect(trace.pack == "XX")
        #expect(trace.decision == "identification.pathway")
        #expect(trace.file == "XX/identification.lua")
        #expect(trace.line == 6)
        #expect(trace.result?["national"] == true)
        #expect(trace.factsRead == [])
        let parent = try #require(trace.calls.first)
        #expect(trace.calls.count == 1)
        #expect(parent.pack == "intl")
        #expect(parent.file == "intl/identification.lua")
        #expect(parent.line == 5)
        // What the parent returned, before the child added `national`.
        #expect(parent.result == ["outcome": "adult", "basis": ["Palermo Protocol art. 3(a)"]])
        #expect(parent.factsRead == ["age"])
        #expect(parent.factsMissing == [])
        #expect(trace.lines == [
            "XX identification.pathway -> adult at XX/identification.lua:6",
            "  intl identification.pathway -> adult at intl/identification.lua:5; read age",
        ])
    }

    @Test func aTraceIsOnlyMadeWhenAsked() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld), statesPerPack: 1)
        var diagnostics = RuleDiagnostics()
        let decision = try engine.bind(jurisdiction: "XX", decision: "identification.pathway", at: date)
        let traced = try decision.evaluate(["age": 3], tracing: true, diagnostics: &diagnostics)
        let plain = try decision.evaluate(["age": 3], tracing: false, diagnostics: &diagnostics)
        #expect(diagnostics.trace == nil)
        #expect(traced == plain)
    }

    static let noisyWorld: [String: String] = smallWorld.merging([
        "XX/identification.lua": """
            local intl = require("intl/identification")
            local function first(list)
              return list[1]
            end
            return {
              pathway = function(facts, ctx)
                print("deciding for age", facts.age)
                local r = intl.pathway(facts, ctx)
                r.first_act = first(facts.acts)
                return r
              end,
            }
            """,
        "XX/tests/identification.yaml": """
            decision: identification.pathway
            at: 2026-01-01
            cases:
              - name: wrong on purpose
                facts: { age: 30, acts: [recruitment] }
                expect: { outcome: child }
            """,
    ]) { _, new in new }

    @Test func whatTheRulePrintedReachesItsAuthorOnly() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(Self.noisyWorld), statesPerPack: 1)
        let decision = try engine.bind(jurisdiction: "XX", decision: "identification.pathway", at: date)
        var diagnostics = RuleDiagnostics()
        let result = try decision.evaluate(["age": 30, "acts": ["recruitment"]], tracing: false, diagnostics: &diagnostics)
        #expect(diagnostics.printed == "deciding for age\t30\n")
        #expect(result.json["explanation"]?["printed"] == nil, "the result the API returns holds nothing printed")
        // Facts refused before any Lua ran: nothing printed, not the last call's output.
        #expect(throws: RuleEvaluationError.self) { try decision.evaluate(["age": "thirty"], tracing: false, diagnostics: &diagnostics) }
        #expect(diagnostics.printed == "")
    }

    @Test func aRuleErrorCarriesItsTracebackAndWhatWasPrinted() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(Self.noisyWorld), statesPerPack: 1)
        var diagnostics = RuleDiagnostics()
        let decision = try engine.bind(jurisdiction: "XX", decision: "identification.pathway", at: date)
        let error = try #require(throws: RuleEvaluationError.self) {
            try decision.evaluate(["age": 30], tracing: true, diagnostics: &diagnostics)
        }
        #expect(error.message == "attempt to index a nil value (local 'list')")
        #expect(error.location == "XX/identification.lua:3")
        #expect(error.traceback == ["XX/identification.lua:3 in function 'first'", "XX/identification.lua:9 in function 'identification.pathway'"])
        #expect(error.json()["traceback"] == ["XX/identification.lua:3 in function 'first'", "XX/identification.lua:9 in function 'identification.pathway'"])
        #expect(diagnostics.printed == "deciding for age\t30\n")
        #expect(diagnostics.trace == nil)
    }

    @Test func aFailingPackTestShowsWhatTheRulePrinted() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(Self.noisyWorld), statesPerPack: 1)
        let report = engine.runTests(jurisdiction: "XX")
        let failure = try #require(report.failures.first)
        #expect(failure.name == "wrong on purpose")
        #expect(failure.printed == "deciding for age\t30\n")
        #expect(!failure.description.contains("deciding"), "a test failure's description, which a reload may log, holds nothing printed")
    }
}
