import Foundation
import GloJSON
import Testing
import TestScratch

/// A copy of the shipped packs with the shipped vocabulary beside them, for a test to change.
func copyOfShippedRules() throws -> String {
    let rules = TestScratch.folder("glo-rules").appendingPathComponent("jurisdictions").path
    try FileManager.default.copyItem(atPath: shippedRules, toPath: rules)
    try TestScratch.addVocabulary(to: rules)
    return rules
}

/// Every file under `folder` with its bytes, to show a refused command changed nothing.
func snapshot(_ folder: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for case let path as String in FileManager.default.enumerator(atPath: folder)! {
        if let data = FileManager.default.contents(atPath: folder + "/" + path) { files[path] = data }
    }
    return files
}

@Suite("glo-host rules new: a pack's own decision, started")
struct RulesNewTests {
    @Test func anOverrideCallingTheParentIsCheckedTestedAndUsed() throws {
        let rules = try copyOfShippedRules()
        let before = try glohost(["rules", "test", rules, "--jurisdiction", "CO"])
        let run = try glohost(["rules", "new", "CO", "return.packet", "--rules", rules])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("CO/return.lua: new, with return.packet, calling intl's"), "\(run.stdout)")

        let module = read(rules + "/CO/return.lua")
        #expect(module.contains("local parent = require(\"intl/return\")"))
        #expect(module.contains("return parent.packet(facts, ctx)"))
        #expect(module.contains("---@return ReturnPacketResult"))
        let tests = read(rules + "/CO/tests/return.yaml")
        #expect(tests.contains("decision: return.packet"))
        #expect(tests.contains("outcome: "), "\(tests)")

        #expect(try glohost(["rules", "check", rules]).status == 0)
        let after = try glohost(["rules", "test", rules, "--jurisdiction", "CO"])
        #expect(after.status == 0, "\(after.stdout)")
        let count = { (run: Run) in Int(run.lines.last?.split(separator: " ").first ?? "") ?? -1 }
        #expect(count(after) == count(before) + 1, "\(after.stdout)")

        // The override decides: first with the parent's outcome, then with what the country team writes.
        let facts = #"{"consent_to_share_data": true}"#
        let explain = { try glohost(["rules", "explain", "--rules", rules, "--jurisdiction", "CO", "--decision", "return.packet",
                                     "--at", "2026-01-01"], stdin: facts) }
        let parent = try glohost(["rules", "explain", "--rules", rules, "--jurisdiction", "intl", "--decision", "return.packet",
                                  "--at", "2026-01-01"], stdin: facts)
        let inherited = try JSONParser.parse(try explain().stdout)
        let parentValue = try JSONParser.parse(parent.stdout)
        #expect(inherited["outcome"] != nil)
        #expect(inherited["outcome"] == parentValue["outcome"])
        try module.replacingOccurrences(of: "return parent.packet(facts, ctx)",
                                        with: "local result = parent.packet(facts, ctx)\n  result.reasons = { \"CO's own\" }\n  return result")
            .write(toFile: rules + "/CO/return.lua", atomically: true, encoding: .utf8)
        let own = try JSONParser.parse(try explain().stdout)
        #expect(own["reasons"]?.stringArray == ["CO's own"])
        #expect(own["outcome"] == inherited["outcome"])
    }

    @Test func aModuleThatExistsGetsTheDecisionAddedToItsTable() throws {
        let rules = try copyOfShippedRules()
        let run = try glohost(["rules", "new", "TH", "return.packet", "--rules", rules])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("TH/return.lua: now also holds return.packet"), "\(run.stdout)")
        let module = read(rules + "/TH/return.lua")
        #expect(module.contains("packet = packet"), "\(module.suffix(300))")
        #expect(module.contains("route = route"))
        #expect(try glohost(["rules", "test", rules, "--jurisdiction", "TH"]).status == 0)
    }

    @Test func aDeclaredDecisionNoParentWritesStartsUndeterminedAndLeavesTheTodoList() throws {
        let rules = try copyOfShippedRules()
        let todo = "legal_aid.eligibility - who gets legal aid (advice, representation, compensation claim) and under which law"
        #expect(read(rules + "/BR/pack.yaml").contains(todo))
        let run = try glohost(["rules", "new", "BR", "legal_aid.eligibility", "--rules", rules])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("taken off the todo list: \(todo)"), "\(run.stdout)")
        #expect(!read(rules + "/BR/pack.yaml").contains(todo))
        #expect(read(rules + "/BR/legal_aid.lua").contains("-- To do (from pack.yaml): \(todo)"))
        #expect(read(rules + "/BR/tests/legal_aid.yaml").contains("outcome: undetermined"))
        #expect(try glohost(["rules", "test", rules, "--jurisdiction", "BR"]).status == 0)

        // An item naming other decisions too stays on the list.
        let both = try glohost(["rules", "new", "BR", "return.route", "--rules", rules])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stdout.contains("kept on the todo list (it names other decisions too): return.route and return.steps"), "\(both.stdout)")
        #expect(read(rules + "/BR/pack.yaml").contains("return.route and return.steps"))
    }

    @Test func aNewPackIsMadeWithExtends() throws {
        let rules = try copyOfShippedRules()
        let run = try glohost(["rules", "new", "ZZ", "identification.pathway", "--rules", rules, "--extends", "intl", "--name", "Zedland: a test"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(read(rules + "/ZZ/pack.yaml").contains("extends: intl"))
        let check = try glohost(["rules", "check", rules])
        #expect(check.stdout.contains("ok ZZ"), "\(check.stdout)")
        #expect(try glohost(["rules", "test", rules, "--jurisdiction", "ZZ"]).status == 0)
    }

    @Test func refusalsNameTheArgumentExit2AndChangeNothing() throws {
        let rules = try copyOfShippedRules()
        let files = snapshot(rules)
        var run = try glohost(["rules", "new", "TH", "identification.pathways", "--rules", rules])
        #expect(run.status == 2)
        #expect(run.stderr.contains("DECISION 'identification.pathways' is not a decision of TH's chain (it has: "), "\(run.stderr)")
        #expect(run.stderr.contains("did you mean 'identification.pathway'?"))

        run = try glohost(["rules", "new", "XY", "identification.pathway", "--rules", rules])
        #expect(run.status == 2)
        #expect(run.stderr.contains("PACK 'XY' is not a pack of \(rules)"), "\(run.stderr)")
        #expect(run.stderr.contains("--extends intl --name"))

        run = try glohost(["rules", "new", "TH", "identification.pathway", "--rules", rules])
        #expect(run.status == 2)
        #expect(run.stderr.contains("DECISION 'identification.pathway' is TH's own already: \(rules)/TH/identification.lua writes it"), "\(run.stderr)")

        run = try glohost(["rules", "new", "TH", "return.route", "--rules", rules, "--force"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("which also writes return.steps"), "\(run.stderr)")

        run = try glohost(["rules", "new", "ZZ", "identification.pathway", "--rules", rules, "--extends", "intll"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--extends 'intll' is not a pack id"), "\(run.stderr)")
        #expect(run.stderr.contains("did you mean 'intl'?"))

        run = try glohost(["rules", "new", "TH", "pathway", "--rules", rules])
        #expect(run.status == 2)
        #expect(run.stderr.contains("DECISION 'pathway' is not a decision name"))
        #expect(snapshot(rules) == files)
    }

    @Test func whatItCannotChangeCleanlyIsLeftAsItWas() throws {
        let rules = try copyOfShippedRules()
        // A module whose table is made some other way is not edited.
        try "local M = {}\nfunction M.route(facts) return { outcome = 'hold' } end\nreturn setmetatable(M, {})\n"
            .write(toFile: rules + "/CO/return.lua", atomically: true, encoding: .utf8)
        var files = snapshot(rules)
        var run = try glohost(["rules", "new", "CO", "return.packet", "--rules", rules])
        #expect(run.status == 2)
        #expect(run.stderr.contains("CO/return.lua does not end by returning its table"), "\(run.stderr)")
        #expect(snapshot(rules) == files)

        // A test file the new case cannot be appended to: the tests fail, and the module written before
        // is taken away again.
        try FileManager.default.removeItem(atPath: rules + "/CO/return.lua")
        try "cases: []\n".write(toFile: rules + "/CO/tests/return.yaml", atomically: true, encoding: .utf8)
        files = snapshot(rules)
        run = try glohost(["rules", "new", "CO", "return.packet", "--rules", rules])
        #expect(run.status == 2)
        #expect(run.stderr.contains("the tests do not pass with the new files"), "\(run.stderr)")
        #expect(run.stderr.contains("put back as they were: \(rules)/CO/return.lua, \(rules)/CO/tests/return.yaml"), "\(run.stderr)")
        #expect(snapshot(rules) == files)
    }
}

