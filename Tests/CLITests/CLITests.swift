import Foundation
import GloJSON
import Testing
import TestScratch

/// Runs the built `glo-host` with arguments and stdin; returns exit code, stdout and stderr.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let shippedRules = packageRoot.appendingPathComponent("Config/jurisdictions").path

func glohost(_ arguments: [String], stdin: String = "", environment: [String: String] = [:], in directory: String? = nil) throws -> Run {
    // The test bundle sits next to the products it was built with.
    let binary = Bundle.main.bundleURL.appendingPathComponent("glo-host")
    let process = Process()
    process.executableURL = FileManager.default.fileExists(atPath: binary.path)
        ? binary : packageRoot.appendingPathComponent(".build/debug/glo-host")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
    let input = Pipe(), output = Pipe(), error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

func temporaryRules(_ files: [String: String]) throws -> String {
    let root = TestScratch.folder("glo-cli")
    for (path, text) in files {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    try TestScratch.addVocabulary(to: root.path)
    return root.path
}

/// A text file's contents; empty when it cannot be read.
func read(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

let hostileWorld: [String: String] = [
    // Its own vocabulary: the facts these hostile rules are given.
    "facts.schema.json": """
        { "properties": { "case_ref": { "type": "string" }, "age": { "type": "integer" },
          "mode": { "enum": ["loop", "bomb", "escape", "error"] } } }
        """,
    "intl/pack.yaml": "id: intl\nname: Baseline\nversion: '1'\noutcomes:\n  identification.pathway: [child, adult]\n",
    "intl/identification.lua": """
        return {
          pathway = function(facts)
            if facts.mode == "loop" then while true do end end
            if facts.mode == "bomb" then local t = {} for i = 1, 1e9 do t[i] = ("x"):rep(100000) .. i end end
            if facts.mode == "escape" then return os.execute("id") end
            if facts.mode == "error" then error("deliberate") end
            return { outcome = facts.age and facts.age < 18 and "child" or "adult" }
          end,
        }
        """,
]

@Suite("glo-host rules: the command-line contract")
struct RulesCommandTests {
    @Test func checkPassesOnTheShippedPacks() throws {
        let run = try glohost(["rules", "check", shippedRules])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ok TH 2026.1"))
        #expect(run.stdout.contains("return.route"))
    }

    @Test func checkNamesFileAndLineAndExits1() throws {
        let rules = try temporaryRules([
            "TH/pack.yaml": "id: TH\nname: T\nversion: '1'\n",
            "TH/identification.lua": "return {\n  pathway = function()\n    return { outcome = 'x' \n  end\n}\n",
        ])
        let run = try glohost(["rules", "check", rules])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(rules)/TH/identification.lua:4: syntax:"), "\(run.stderr)")
    }

    @Test func aBrokenVocabularyIsNamedWhereItIs() throws {
        let rules = try temporaryRules(hostileWorld.merging([
            "facts.schema.json": #"{ "properties": { "age": { "type": "integr" } } }"#,
        ]) { _, b in b })
        let run = try glohost(["rules", "check", rules])
        #expect(run.status == 2, "a rules directory that cannot be used at all: 2, as for every command")
        #expect(run.stderr.hasPrefix("\(rules)/facts.schema.json:1: field 'age': type 'integr'"), "\(run.stderr)")
    }

    @Test func testEndsWithTheCountLine() throws {
        let run = try glohost(["rules", "test", shippedRules, "--jurisdiction", "LA"])
        #expect(run.status == 0, "\(run.stdout)")
        let last = try #require(run.lines.last)
        #expect(last.wholeMatch(of: /(\d+) passed, 0 failed/) != nil, "\(last)")
    }

    @Test func aFailingPackTestExits1AndSaysWhere() throws {
        let rules = try temporaryRules(hostileWorld.merging([
            "intl/tests/identification.yaml": "decision: identification.pathway\ncases:\n  - name: wrong\n    facts: { age: 3 }\n    expect: { outcome: adult }\n",
        ]) { a, _ in a })
        let run = try glohost(["rules", "test", rules])
        #expect(run.status == 1)
        // Every wrong field at once, what the rule returned, and the command that decides the case again.
        #expect(run.stdout.contains("FAIL \(rules)/intl/tests/identification.yaml:3: wrong: "), "\(run.stdout)")
        #expect(run.stdout.contains("expected outcome = \"adult\", got \"child\""), "\(run.stdout)")
        #expect(run.stdout.contains("the result has no 'basis'") && run.stdout.contains("the result has no 'reasons'"))
        #expect(run.stdout.contains("got: {\"outcome\":\"child\"}"))
        #expect(run.stdout.contains("try: echo '{\"age\":3}' | glo-host rules explain --rules \(rules) --jurisdiction intl --decision identification.pathway"))
        #expect(run.lines.last == "0 passed, 1 failed")
    }

    @Test func evalWritesOneLinePerInputLineInOrder() throws {
        let input = (0..<300).map { #"{"age": \#($0 % 40), "case_ref": "c\#($0)"}"# }.joined(separator: "\n") + "\n"
        let rules = try temporaryRules(hostileWorld)
        for jobs in ["1", "2"] {
            let run = try glohost(["rules", "eval", "--rules", rules, "--jurisdiction", "intl", "--decision", "identification.pathway",
                                   "--at", "2026-01-01", "--jobs", jobs], stdin: input)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.lines.count == 300)
            for (n, line) in run.lines.enumerated() {
                let value = try JSONParser.parse(line)
                #expect(value["outcome"]?.stringValue == (n % 40 < 18 ? "child" : "adult"))
                #expect(value["rule"]?["pack"] == "intl")
                #expect(value["rule"]?["version"] == "1")
                #expect(value["rule"]?["at"] == "2026-01-01")
            }
        }
    }

    @Test func badLinesAndHostileRulesBecomeErrorObjectsAndTheBatchGoesOn() throws {
        let rules = try temporaryRules(hostileWorld)
        let input = [
            #"{"age": 10}"#, "not json", "[1, 2]", #"{"mode": "loop"}"#, #"{"mode": "bomb"}"#,
            #"{"mode": "escape"}"#, #"{"mode": "error"}"#, "", #"{"age": 30}"#,
        ].joined(separator: "\n") + "\n"
        let run = try glohost(["rules", "eval", "--rules", rules, "--jurisdiction", "intl", "--decision", "identification.pathway",
                               "--at", "2026-01-01", "--jobs", "2"], stdin: input)
        #expect(run.status == 1)
        let values = try run.lines.map { try JSONParser.parse($0) }
        #expect(values.count == 9)
        #expect(values[0]["outcome"] == "child")
        #expect(values[8]["outcome"] == "adult")
        let codes = values[1...7].map { $0["error"]?["code"]?.stringValue ?? "decided" }
        #expect(codes == ["invalid_facts", "invalid_facts", "instruction_budget", "memory", "runtime", "runtime", "invalid_facts"])
        // Paths as every tool prints them: after the rules directory as given.
        #expect(values[3]["error"]?["location"] == .string("\(rules)/intl/identification.lua:3"))
        #expect(values[6]["error"]?["location"] == .string("\(rules)/intl/identification.lua:6"))
        #expect(values[2]["error"]?["line"] == 3)
    }

    @Test func unusablePacksOrArgumentsExit2() throws {
        let broken = try temporaryRules(["TH/pack.yaml": "id: TH\nname: T\n"])
        var run = try glohost(["rules", "eval", "--rules", broken, "--jurisdiction", "TH", "--decision", "identification.pathway"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(broken)/TH/pack.yaml:1: field 'version': required"), "\(run.stderr)")
        run = try glohost(["rules", "eval", "--rules", shippedRules, "--jurisdiction", "ZZ", "--decision", "identification.pathway"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no rule pack for jurisdiction 'ZZ'"))
        run = try glohost(["rules", "eval", "--rules", shippedRules, "--jurisdiction", "TH", "--decision", "identification.pathway", "--at", "2026-02-30"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--at '2026-02-30'"))
        run = try glohost(["rules", "eval", "--jurisdiction", "TH"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--rules"))
    }

    @Test func theDateAppliedPicksThePackVersion() throws {
        let facts = #"{"age": 30, "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"], "country": "TH", "citizenship": ["LA"]}"# + "\n"
        // TH is in three versions: the Act as enacted, from Amendment No. 3 (2017-01-28), and from the
        // 2019 Emergency Decree (2019-04-08); each boundary is checked a day either side.
        for (date, version) in [("2017-01-27", "2008.1"), ("2017-01-28", "2019.1"), ("2019-04-07", "2019.1"),
                                ("2019-04-08", "2026.1"), ("2026-01-01", "2026.1")] {
            let run = try glohost(["rules", "eval", "--rules", shippedRules, "--jurisdiction", "TH", "--decision", "identification.pathway",
                                   "--at", date], stdin: facts)
            let value = try JSONParser.parse(try #require(run.lines.first))
            #expect(value["rule"]?["version"]?.stringValue == version)
            #expect(value["outcome"] == "victim")
        }
    }

    @Test func explainShowsFactsReadAndMissing() throws {
        let run = try glohost(["rules", "explain", "--rules", shippedRules, "--jurisdiction", "intl", "--decision", "identification.pathway",
                               "--at", "2026-01-01"], stdin: #"{"acts": ["recruitment"], "exploitation": ["forced_labour"]}"#)
        #expect(run.status == 0, "\(run.stderr)")
        let value = try JSONParser.parse(run.stdout)
        #expect(value["outcome"] == "undetermined")
        let missing = value["explanation"]?["facts_missing"]?.stringArray ?? []
        #expect(missing.contains("age"))
        #expect(value["missing"]?.stringArray.contains("age") == true)
        #expect(value["explanation"]?["facts_read"]?.stringArray.contains("acts") == true)
    }

    @Test func diffShowsTheOutcomeTableAndTheChangedLines() throws {
        let base = try temporaryRules(hostileWorld)
        let candidate = try temporaryRules(hostileWorld.merging([
            "intl/identification.lua": "return { pathway = function(facts) return { outcome = facts.age < 16 and 'child' or 'adult' } end }\n",
        ]) { _, b in b })
        let input = [10, 16, 17, 30].map { #"{"age": \#($0)}"# }.joined(separator: "\n") + "\n"
        let arguments = ["rules", "diff", "--base", base, "--candidate", candidate, "--jurisdiction", "intl",
                         "--decision", "identification.pathway", "--at", "2026-01-01"]
        let run = try glohost(arguments, stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.contains("4 lines, 2 changed"), "\(run.stdout)")
        #expect(run.lines.contains("  child -> adult: 2"), "\(run.stdout)")
        let jsonl = try glohost(arguments + ["--format", "jsonl"], stdin: input)
        let changed = jsonl.lines.map { try? JSONParser.parse($0) }
        #expect(changed.map { $0?["line"] } == [.int(2), .int(3)])
        #expect(changed.first??["candidate"]?["outcome"] == "adult")
    }

    /// A child pack whose decision calls its parent's through `require`, which prints and fails
    /// when `acts` is absent.
    static let tracedWorld: [String: String] = [
        "intl/pack.yaml": "id: intl\nname: Baseline\nversion: '1'\n",
        "intl/identification.lua": """
            local function first(list)
              return list[1]
            end
            return {
              pathway = function(facts, ctx)
                print("intl: age", facts.age)
                if facts.age == nil then return { outcome = "undetermined" } end
                return { outcome = facts.age < 18 and "child" or "adult", first_act = first(facts.acts) }
              end,
            }
            """,
        "TH/pack.yaml": "id: TH\nname: Thailand\nversion: '2026.1'\nextends: intl\n",
        "TH/legal_aid.lua": """
            local identification = require("identification")
            return {
              eligibility = function(facts, ctx)
                local p = identification.pathway(facts, ctx)
                return { outcome = p.outcome == "child" and "eligible" or "not_eligible" }
              end,
            }
            """,
    ]

    func explain(_ rules: String, _ facts: String, _ extra: [String] = []) throws -> Run {
        try glohost(["rules", "explain", "--rules", rules, "--jurisdiction", "TH", "--decision", "legal_aid.eligibility",
                     "--at", "2026-01-01"] + extra, stdin: facts)
    }

    @Test func explainTraceShowsTheChainAcrossPacksOnStderrAndInTheJSON() throws {
        let rules = try temporaryRules(Self.tracedWorld)
        let run = try explain(rules, #"{"age": 30, "acts": ["recruitment"]}"#, ["--trace"])
        #expect(run.status == 0, "\(run.stderr)")
        let value = try JSONParser.parse(run.stdout)
        #expect(value["outcome"] == "not_eligible")
        let trace = try #require(value["explanation"]?["trace"])
        #expect(trace["pack"] == "TH")
        #expect(trace["decision"] == "legal_aid.eligibility")
        #expect(trace["line"] == 5)
        let parent = try #require(trace["calls"]?.arrayValue?.first)
        #expect(parent["pack"] == "intl")
        #expect(parent["decision"] == "identification.pathway")
        #expect(parent["result"] == ["outcome": "adult", "first_act": "recruitment"])
        #expect(parent["facts_read"] == ["acts", "age"])
        #expect(run.stderr.contains("""
            trace:
              TH legal_aid.eligibility -> not_eligible at \(rules)/TH/legal_aid.lua:5
                intl identification.pathway -> adult at \(rules)/intl/identification.lua:8; read acts, age
            """), "\(run.stderr)")
        // Without --trace: no trace, and what the rule printed all the same.
        let plain = try explain(rules, #"{"age": 30, "acts": ["recruitment"]}"#)
        let explanation = try JSONParser.parse(plain.stdout)["explanation"]
        #expect(explanation?["trace"] == nil)
        #expect(explanation?["printed"] == "intl: age\t30\n")
        #expect(plain.stderr.contains("printed by the rule:\n  intl: age\t30\n"), "\(plain.stderr)")
        #expect(!plain.stderr.contains("trace:"))
    }

    @Test func explainOfAFailingRuleShowsTheTracebackAndWhatItPrinted() throws {
        let rules = try temporaryRules(Self.tracedWorld)
        let run = try explain(rules, #"{"age": 30}"#, ["--trace"])
        #expect(run.status == 1)
        let value = try JSONParser.parse(run.stdout)
        #expect(value["error"]?["message"] == "attempt to index a nil value (local 'list')")
        #expect(value["error"]?["location"] == .string("\(rules)/intl/identification.lua:2"))
        #expect(value["error"]?["traceback"] == [
            .string("\(rules)/intl/identification.lua:2 in function 'first'"),
            .string("\(rules)/intl/identification.lua:8 in function 'identification.pathway'"),
            .string("\(rules)/TH/legal_aid.lua:4 in function 'legal_aid.eligibility'"),
        ])
        #expect(value["explanation"]?["printed"] == "intl: age\t30\n")
    }

    @Test func aFailingPackTestShowsWhatTheRulePrinted() throws {
        let rules = try temporaryRules(Self.tracedWorld.merging([
            "TH/tests/legal_aid.yaml": """
                decision: legal_aid.eligibility
                at: 2026-01-01
                cases:
                  - name: an adult, expected wrongly
                    facts: { age: 30, acts: [recruitment] }
                    expect: { outcome: eligible }
                  - name: no acts
                    facts: { age: 30 }
                    expect: { outcome: not_eligible }
                """,
        ]) { a, _ in a })
        let run = try glohost(["rules", "test", rules])
        #expect(run.status == 1)
        #expect(run.stdout.contains("""
                 expected outcome = "eligible", got "not_eligible"
                 got: {"outcome":"not_eligible"}
                 printed: intl: age\t30
            """), "\(run.stdout)")
        #expect(run.stdout.contains("no acts: legal_aid.eligibility failed: \(rules)/intl/identification.lua:2: runtime: attempt to index a nil value (local 'list') (traceback: \(rules)/intl/identification.lua:2 in function 'first' <- \(rules)/intl/identification.lua:8 in function 'identification.pathway' <- \(rules)/TH/legal_aid.lua:4 in function 'legal_aid.eligibility')"), "\(run.stdout)")
        #expect(run.lines.last == "0 passed, 2 failed")
    }

    @Test func evalExplainLinesCarryWhatWasPrintedAndWithTraceTheTree() throws {
        let rules = try temporaryRules(Self.tracedWorld)
        let input = [#"{"age": 10, "acts": ["recruitment"]}"#, #"{"age": 30}"#, #"{"age": "x"}"#].joined(separator: "\n") + "\n"
        let arguments = ["rules", "eval", "--rules", rules, "--jurisdiction", "TH", "--decision", "legal_aid.eligibility", "--at", "2026-01-01"]
        var run = try glohost(arguments + ["--explain"], stdin: input)
        #expect(run.status == 1)
        var values = try run.lines.map { try JSONParser.parse($0) }
        #expect(values[0]["outcome"] == "eligible")
        #expect(values[0]["explanation"]?["printed"] == "intl: age\t10\n")
        #expect(values[0]["explanation"]?["facts_read"] == ["acts", "age"])
        #expect(values[0]["explanation"]?["trace"] == nil)
        #expect(values[1]["error"]?["traceback"]?.arrayValue?.count == 3)
        #expect(values[1]["explanation"]?["printed"] == "intl: age\t30\n")
        #expect(values[2]["error"]?["code"] == "invalid_facts")
        #expect(values[2]["explanation"]?["printed"] == "", "no Lua ran: nothing printed, not the previous line's output")

        run = try glohost(arguments + ["--trace"], stdin: input)
        values = try run.lines.map { try JSONParser.parse($0) }
        let trace = try #require(values[0]["explanation"]?["trace"])
        #expect(trace["decision"] == "legal_aid.eligibility")
        #expect(trace["calls"]?.arrayValue?.first?["result"] == ["outcome": "child", "first_act": "recruitment"])
        #expect(values[0]["explanation"]?["printed"] == "intl: age\t10\n")

        // Without --explain: the error line still names its frames, and nothing printed is shown.
        run = try glohost(arguments, stdin: input)
        values = try run.lines.map { try JSONParser.parse($0) }
        #expect(values[1]["error"]?["traceback"] == [
            .string("\(rules)/intl/identification.lua:2 in function 'first'"),
            .string("\(rules)/intl/identification.lua:8 in function 'identification.pathway'"),
            .string("\(rules)/TH/legal_aid.lua:4 in function 'legal_aid.eligibility'"),
        ])
        #expect(values[0]["explanation"] == nil)
        #expect(values[1]["explanation"] == nil)
    }

    @Test func helpIsThereForEveryCommand() throws {
        for command in [["rules"], ["rules", "check"], ["rules", "test"], ["rules", "eval"], ["rules", "diff"], ["rules", "explain"],
                        ["rules", "new"], ["rules", "annotations"], ["rules", "docs"]] {
            let run = try glohost(command + ["--help"])
            #expect(run.status == 0)
            #expect(run.stdout.contains("USAGE"), "\(command)")
        }
    }
}
