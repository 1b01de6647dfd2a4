import Foundation
import GloJSON
import Testing
import TestScratch

/// The mistakes a country team made writing Nepal's rule (the toolchain trial of December 2026), each
/// caught by the tool that should catch it, with file:line or the fact's name and what was expected.
@Suite("Rules tools: a country team's mistakes are caught")
struct CountryTeamTests {
    /// A copy of the shipped rules (and vocabulary) with NP's module and tests replaced.
    func nepal(_ module: String, tests: String? = nil, manifest: String? = nil) throws -> String {
        let root = TestScratch.folder("glo-np").path
        try FileManager.default.copyItem(atPath: shippedRules, toPath: root + "/rules")
        try TestScratch.addVocabulary(to: root + "/rules")
        try module.write(toFile: root + "/rules/NP/identification.lua", atomically: true, encoding: .utf8)
        if let tests { try tests.write(toFile: root + "/rules/NP/tests/identification.yaml", atomically: true, encoding: .utf8) }
        if let manifest { try manifest.write(toFile: root + "/rules/NP/pack.yaml", atomically: true, encoding: .utf8) }
        return root + "/rules"
    }

    let saleTest = """
        decision: identification.pathway
        at: 2026-01-01
        cases:
          - name: a sale of a person
            facts: { age: 32, acts: [sale], means: [], exploitation: [forced_labour], country: NP }
            expect: { outcome: victim }
        """

    @Test func aMisspeltFactIsNamedAtItsLineWithWhatWasMeant() throws {
        let rules = try nepal("""
            local intl = require("intl/identification")
            return { pathway = function(facts, ctx)
              if facts.exploitaton then return { outcome = "victim", reasons = { "s.4" }, basis = { "NP Act 2064 s.4" } } end
              return intl.pathway(facts, ctx)
            end }
            """)
        let run = try glohost(["rules", "check", rules + "/NP"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(rules)/NP/identification.lua:3: reads facts.exploitaton, which is not a fact of the vocabulary"), "\(run.stderr)")
        #expect(run.stderr.contains("did you mean 'exploitation'?"))
        #expect(!run.stderr.contains("NP/NP") && !run.stdout.contains("holds no pack"), "a pack's folder is checked as that pack")
        #expect(run.stdout.contains("ok NP 2026.1") && run.stdout.contains("return.packet (from intl)"))
    }

    @Test func anInventedOutcomeFailsEvenATestThatAgreesWithIt() throws {
        let rules = try nepal("""
            return { pathway = function(facts, ctx)
              return { outcome = "transported", reasons = { "taken abroad" }, basis = { "NP Act 2064 s.4(2)" } }
            end }
            """, tests: saleTest.replacingOccurrences(of: "outcome: victim", with: "outcome: transported"))
        let test = try glohost(["rules", "test", rules, "--jurisdiction", "NP"])
        #expect(test.status == 1)
        #expect(test.stdout.contains("outcome 'transported' is not declared for identification.pathway"), "\(test.stdout)")
        let check = try glohost(["rules", "check", rules])
        #expect(check.status == 1 && check.stderr.contains("\(rules)/NP/identification.lua:2: outcome 'transported' is not declared"), "\(check.stderr)")
        // Declared by the pack, it is allowed.
        let declared = try nepal("""
            return { pathway = function(facts, ctx)
              return { outcome = "transported", reasons = { "taken abroad" }, basis = { "NP Act 2064 s.4(2)" } }
            end }
            """, tests: saleTest.replacingOccurrences(of: "outcome: victim", with: "outcome: transported"),
            manifest: "id: NP\nname: Nepal\nversion: '2026.1'\nextends: intl\nstatus: baseline\noutcomes:\n  identification.pathway: [transported]\n")
        #expect(try glohost(["rules", "test", declared, "--jurisdiction", "NP"]).status == 0)
    }

    @Test func factsOfTheWrongTypeOrValueAreTheInputsFaultNamingTheFact() throws {
        let rules = try nepal(try String(contentsOfFile: shippedRules + "/NP/identification.lua", encoding: .utf8),
                              tests: saleTest.replacingOccurrences(of: "acts: [sale]", with: "acts: [recruitmnt]"))
        let test = try glohost(["rules", "test", rules, "--jurisdiction", "NP"])
        #expect(test.status == 1)
        #expect(test.stdout.contains("the test's facts break the vocabulary: facts.acts[0] is not one of the allowed values"), "\(test.stdout)")
        #expect(test.stdout.contains("did you mean 'recruitment'?"))
        let eval = try glohost(["rules", "eval", "--rules", rules, "--jurisdiction", "TH", "--decision", "identification.pathway", "--at", "2026-01-01"],
                               stdin: #"{"age": "thirty", "act": ["recruitment"]}"# + "\n")
        #expect(eval.status == 1)
        let line = try #require(eval.lines.first)
        let error = try #require(try JSONParser.parse(line)["error"])
        #expect(error["code"] == "invalid_facts" && error["location"] == nil, "bad input is no rule's error")
        let fields = error["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(fields == ["facts.act", "facts.age"], "\(error)")
        #expect(error["message"]?.stringValue?.contains("facts.age is a text, expected a whole number") == true)
        #expect(error["message"]?.stringValue?.contains("did you mean 'acts'?") == true)
    }

    @Test func oneBrokenPackStopsOnlyItsOwnChain() throws {
        let rules = try nepal("return { pathway = function(facts, ctx)\n  if facts.age then\n  return { outcome = 'victim' }\nend }\n")
        let th = try glohost(["rules", "test", rules, "--jurisdiction", "TH"])
        #expect(th.status == 0, "\(th.stdout)")
        let eval = try glohost(["rules", "eval", "--rules", rules, "--jurisdiction", "TH", "--decision", "identification.pathway", "--at", "2026-01-01"],
                               stdin: #"{"age": 30}"# + "\n")
        #expect(eval.status == 0, "\(eval.stderr)")
        // The same broken pack: one exit code for check and test, and its problem at file:line.
        let check = try glohost(["rules", "check", rules])
        let all = try glohost(["rules", "test", rules])
        #expect(check.status == 1 && all.status == 1)
        #expect(check.stderr.contains("\(rules)/NP/identification.lua:4: syntax:"))
        #expect(all.stdout.contains("FAIL \(rules)/NP/identification.lua:4: (the pack cannot be used): syntax:"), "\(all.stdout)")
        let np = try glohost(["rules", "eval", "--rules", rules, "--jurisdiction", "NP", "--decision", "identification.pathway"], stdin: "{}\n")
        #expect(np.status == 2 && np.stderr.contains("broken_pack: the NP pack cannot be used: \(rules)/NP/identification.lua:4"), "\(np.stderr)")
    }

    @Test func anUnknownDecisionListsTheOnesThereAre() throws {
        let run = try glohost(["rules", "explain", "--rules", shippedRules, "--jurisdiction", "TH", "--decision", "legal_aid.eligibilty"], stdin: "{}")
        #expect(run.status == 2)
        // The pack's decisions by name; more may come with new plugins.
        #expect(run.stderr.contains("(it has: ") && run.stderr.contains(" identification.pathway, legal_aid.eligibility, "), "\(run.stderr)")
    }

    @Test func oneTestCanBeRunByName() throws {
        let run = try glohost(["rules", "test", shippedRules, "--jurisdiction", "TH", "--name", "stateless victim"])
        #expect(run.status == 0)
        let count = try #require(run.lines.last?.split(separator: " ").first.flatMap { Int($0) })
        #expect(count >= 1 && count <= 3, "\(run.stdout)")
    }
}
