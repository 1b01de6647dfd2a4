import Foundation
import GloJSON
import Testing
import TestScratch
#if canImport(Glibc)
import Glibc
#endif

/// A folder holding only the given pack folders of the shipped rules, with `edit` applied to their
/// files (path -> text -> text): what a country team hands a tester, without any vocabulary.
private func candidateFolder(packs: [String], edit: [String: @Sendable (String) -> String] = [:]) throws -> String {
    let root = TestScratch.folder("glo-edit")
    for pack in packs {
        try FileManager.default.copyItem(atPath: shippedRules + "/" + pack, toPath: root.path + "/" + pack)
    }
    for (path, change) in edit {
        let file = root.path + "/" + path
        let original = try String(contentsOfFile: file, encoding: .utf8)
        let edited = change(original)
        #expect(edited != original, "the edit of \(path) changed nothing")
        try edited.write(toFile: file, atomically: true, encoding: .utf8)
    }
    return root.path
}

/// TH's legal aid giving a victim only advice, with the first reason reworded.
private let onlyAdvice: [String: @Sendable (String) -> String] = [
    "TH/legal_aid.lua": {
        $0.replacingOccurrences(of: #"kinds = { "advice", "representation", "compensation_claim" },"#, with: #"kinds = { "advice" },"#)
          .replacingOccurrences(of: #""a victim of trafficking: legal aid is among"#, with: #""a victim: legal aid is among"#)
    },
]

/// Two adult victims (one without a case_ref), a child victim, a smuggled migrant, and two lines
/// that fail alike on both sides: a fact outside the vocabulary and a line that is not JSON.
private let corpus = [
    #"{"case_ref": "C-1", "age": 30, "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"], "country": "TH", "citizenship": ["LA"]}"#,
    #"{"case_ref": "C-2", "age": 15, "acts": ["recruitment"], "exploitation": ["forced_labour"], "country": "TH", "citizenship": ["MM"]}"#,
    #"{"case_ref": "C-3", "age": 30, "country": "TH", "citizenship": ["LA"], "entry": "irregular", "smuggler_paid": true}"#,
    #"{"case_ref": "C-4", "favourite_colour": "blue"}"#,
    "not json",
    #"{"age": 41, "acts": ["harbouring"], "means": ["force"], "exploitation": ["servitude"], "country": "TH", "citizenship": ["KH"]}"#,
].joined(separator: "\n") + "\n"

private func diff(_ candidate: String, _ extra: [String] = [], stdin: String = corpus, environment: [String: String] = [:]) throws -> Run {
    try glohost(["rules", "diff", "--base", shippedRules, "--candidate", candidate, "--jurisdiction", "TH",
                 "--decision", "legal_aid.eligibility", "--at", "2026-01-01", "--jobs", "2"] + extra,
                stdin: stdin, environment: environment)
}

@Suite("glo-host rules diff: a summary a tester can read")
struct RulesDiffTests {
    @Test func changedFieldsAreSummarisedWithTheirValues() throws {
        let run = try diff(try candidateFolder(packs: ["TH"], edit: onlyAdvice))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("6 lines, 3 changed; 2 lines failed the same on both sides"), "\(run.stdout)")
        #expect(run.stdout.contains("  eligible -> eligible (other fields changed): 3"), "\(run.stdout)")
        #expect(run.stdout.contains("  kinds: [advice, representation, compensation_claim] -> [advice]: 3"), "\(run.stdout)")
        #expect(run.stdout.contains("  reasons changed: 3"), "\(run.stdout)")
        #expect(!run.stdout.contains("basis changed"), "\(run.stdout)")
        #expect(!run.stdout.contains("hash"), "the rule's hash and version never count: \(run.stdout)")
        #expect(!run.stdout.contains(#"{"line""#), "no JSON lines unless asked: \(run.stdout)")
    }

    @Test func examplesNameTheLineAndCaseRefAndShowTheFacts() throws {
        let run = try diff(try candidateFolder(packs: ["TH"], edit: onlyAdvice), ["--examples", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let examples = try #require(run.stdout.range(of: "kinds: [advice, representation, compensation_claim] -> [advice] (3 lines):"))
        let section = run.stdout[examples.upperBound...]
        #expect(section.contains("  line 1, case_ref C-1\n    facts: {\"case_ref\": \"C-1\", \"age\": 30"), "\(section)")
        #expect(section.contains("  line 2, case_ref C-2"), "\(section)")
        let firstRow = section.components(separatedBy: "\n\n").first ?? ""
        #expect(!firstRow.contains("line 6"), "two examples only: \(firstRow)")
        // The reasons row shows what each side said.
        #expect(run.stdout.contains("    base:\n      - a victim of trafficking: legal aid is among"), "\(run.stdout)")
        #expect(run.stdout.contains("    candidate:\n      - a victim: legal aid is among"), "\(run.stdout)")
    }

    @Test func aFieldWithAValueOnEveryLineKeepsItsFirstRowsAndCountsTheRest() throws {
        let base = try temporaryRules(hostileWorld)
        let candidate = try temporaryRules(hostileWorld.merging([
            "intl/identification.lua": "return { pathway = function(facts) return { outcome = 'adult', ref = facts.case_ref } end }\n",
        ]) { _, b in b })
        let input = (1...25).map { #"{"age": 30, "case_ref": "c\#($0)"}"# }.joined(separator: "\n") + "\n"
        let run = try glohost(["rules", "diff", "--base", base, "--candidate", candidate, "--jurisdiction", "intl",
                               "--decision", "identification.pathway", "--at", "2026-01-01", "--jobs", "2"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.filter { $0.wholeMatch(of: /\ \ ref: \(absent\) -> c\d+: 1/) != nil }.count == 20, "\(run.stdout)")
        #expect(run.lines.contains("  ref: other values: 5"), "\(run.stdout)")
        #expect(run.stdout.contains("ref: other values (5 lines):\n  line "), "\(run.stdout)")
    }

    @Test func explainShowsWhyEachSideDecided() throws {
        let run = try diff(try candidateFolder(packs: ["TH"], edit: onlyAdvice), ["--explain", "--examples", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("      basis:\n        - TH Anti-Trafficking in Persons Act B.E. 2551 s.33\n"), "\(run.stdout)")
        #expect(run.stdout.contains("      facts read: acts, age, "), "\(run.stdout)")
        #expect(run.stdout.contains("      basis: (as the base)"), "\(run.stdout)")
    }

    @Test func linesThatFailAlikeAreNotChangesButADifferentErrorIs() throws {
        let breaks = try candidateFolder(packs: ["TH"], edit: ["TH/legal_aid.lua": {
            $0.replacingOccurrences(of: "local function eligibility(facts, ctx)\n",
                                    with: "local function eligibility(facts, ctx)\n  if facts.age == 15 then error(\"broken for children\") end\n")
        }])
        let run = try diff(breaks)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("6 lines, 1 changed; 2 lines failed the same on both sides"), "\(run.stdout)")
        #expect(run.stdout.contains("  eligible -> error:runtime: 1"), "\(run.stdout)")
        #expect(run.stdout.contains("    candidate: error \(breaks)/TH/legal_aid.lua:"), "the error names the user's file: \(run.stdout)")
    }

    @Test func theCandidatesOwnFailingTestsAreReportedFirst() throws {
        let candidate = try candidateFolder(packs: ["TH"], edit: onlyAdvice)
        let run = try diff(candidate)
        #expect(run.status == 0, "still compared: \(run.stderr)")
        let lines = run.lines
        #expect(lines.count > 3)
        #expect(lines[1].hasPrefix("the candidate's own tests fail: 1 of "), "\(run.stdout)")
        #expect(lines[2].hasPrefix("  FAIL \(candidate)/TH/tests/legal_aid.yaml:4: an identified victim gets legal aid"), "\(run.stdout)")
        let clean = try diff(try candidateFolder(packs: ["TH"]))
        #expect(!clean.stdout.contains("tests fail"), "\(clean.stdout)")
        #expect(clean.stdout.contains("6 lines, 0 changed"), "\(clean.stdout)")
    }

    @Test func aCandidateWithOnlyTheChangedPackIsLaidOverTheBase() throws {
        let scratch = TestScratch.folder("glo-tmp")
        let candidate = try candidateFolder(packs: ["TH"], edit: onlyAdvice)
        let run = try diff(candidate, environment: ["TMPDIR": scratch.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.first == "rules diff TH legal_aid.eligibility at 2026-01-01: base \(shippedRules), candidate \(candidate) (its TH over \(shippedRules))")
        #expect(!(run.stdout + run.stderr).contains("glo-candidate-"), "only the user's paths: \(run.stdout)")
        // The links are gone, and what they pointed to is still there.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        #expect(FileManager.default.fileExists(atPath: candidate + "/TH/legal_aid.lua"))
        #expect(FileManager.default.fileExists(atPath: shippedRules + "/intl/identification.lua"))
        #expect(FileManager.default.fileExists(atPath: TestScratch.config.path + "/labels/en.yaml"))

        // A broken candidate pack is named where the user has it.
        let broken = try candidateFolder(packs: ["TH"], edit: ["TH/pack.yaml": { $0.replacingOccurrences(of: "version:", with: "versio:") }])
        let refused = try diff(broken, environment: ["TMPDIR": scratch.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(broken)/TH/pack.yaml"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("glo-candidate-"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }

    @Test func aCandidateWithNoPackIsRefused() throws {
        let empty = TestScratch.folder("glo-empty").path
        let run = try diff(empty)
        #expect(run.status == 2)
        #expect(run.stderr.contains("--candidate '\(empty)' holds no pack folder"), "\(run.stderr)")
        let missing = try diff(empty + "/nowhere")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("is not a directory"), "\(missing.stderr)")
    }

    @Test func csvHasOneRowPerChangedLine() throws {
        let run = try diff(try candidateFolder(packs: ["TH"], edit: onlyAdvice), ["--format", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines == [
            "line,case_ref,from,to,changed_fields",
            "1,C-1,eligible,eligible,kinds; reasons",
            "2,C-2,eligible,eligible,kinds; reasons",
            "6,,eligible,eligible,kinds; reasons",
        ], "\(run.stdout)")
        #expect(run.stderr.contains("6 lines, 3 changed"), "the summary goes to stderr: \(run.stderr)")
        #expect(run.stderr.contains("the candidate's own tests fail"), "\(run.stderr)")
    }

    @Test func jsonlHasTheFullResultsOfEachChangedLine() throws {
        let run = try diff(try candidateFolder(packs: ["TH"], edit: onlyAdvice), ["--format", "jsonl"])
        #expect(run.status == 0, "\(run.stderr)")
        let values = try run.lines.map { try JSONParser.parse($0) }
        #expect(values.map { $0["line"] } == [.int(1), .int(2), .int(6)])
        #expect(values.map { $0["case_ref"] } == [.string("C-1"), .string("C-2"), .null])
        #expect(values[0]["base"]?["kinds"]?.stringArray == ["advice", "representation", "compensation_claim"])
        #expect(values[0]["candidate"]?["kinds"]?.stringArray == ["advice"])
        #expect(values[0]["candidate"]?["rule"] == nil)
    }

    @Test func caseRefIsReadWhateverTheSpacingAndEscapes() throws {
        let base = try temporaryRules(hostileWorld)
        let candidate = try temporaryRules(hostileWorld.merging([
            "intl/identification.lua": "return { pathway = function(facts) return { outcome = facts.age < 16 and 'child' or 'adult' } end }\n",
        ]) { _, b in b })
        let input = [#"{ "age" : 16 , "case_ref" : "q\"1\u00e9," }"#, #"{"case_ref":"c2","age":17}"#, #"{"age": 17}"#].joined(separator: "\n") + "\n"
        let run = try glohost(["rules", "diff", "--base", base, "--candidate", candidate, "--jurisdiction", "intl",
                               "--decision", "identification.pathway", "--at", "2026-01-01", "--format", "jsonl"], stdin: input)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.lines.map { try JSONParser.parse($0)["case_ref"] } == [.string("q\"1é,"), .string("c2"), .null])
        let csv = try glohost(["rules", "diff", "--base", base, "--candidate", candidate, "--jurisdiction", "intl",
                               "--decision", "identification.pathway", "--at", "2026-01-01", "--format", "csv"], stdin: input)
        #expect(csv.lines.dropFirst().first == #"1,"q""1é,",child,adult,"#, "\(csv.stdout)")
    }

    @Test func markdownHasTablesToPasteIntoAnIssue() throws {
        let run = try diff(try candidateFolder(packs: ["TH"], edit: onlyAdvice), ["--format", "markdown"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("| outcome, base -> candidate | lines |\n|---|---:|\n| eligible -> eligible (other fields changed) | 3 |"), "\(run.stdout)")
        #expect(run.stdout.contains("| kinds | [advice, representation, compensation_claim] | [advice] | 3 |"), "\(run.stdout)")
        #expect(run.stdout.contains("- line 1, case_ref C-1: `{\"case_ref\": \"C-1\""), "\(run.stdout)")
    }

    @Test func badOptionValuesAreNamedAndExit2() throws {
        let candidate = try candidateFolder(packs: ["TH"])
        var run = try diff(candidate, ["--format", "xml"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--format 'xml' is not one of table, markdown, csv, jsonl"), "\(run.stderr)")
        run = try diff(candidate, ["--examples", "-1"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--examples"), "\(run.stderr)")
        let help = try glohost(["rules", "diff", "--help"])
        for option in ["--format", "--examples", "--explain", "--candidate"] {
            #expect(help.stdout.contains(option), "\(option)")
        }
    }

    @Test func noProgressWhenStderrIsNotATerminal() throws {
        let run = try diff(try candidateFolder(packs: ["TH"]), ["--format", "jsonl"])
        #expect(run.status == 0)
        #expect(!run.stderr.contains("lines compared"), "\(run.stderr)")
        #expect(!run.stderr.contains("\r"))
    }

    @Test func progressOnATerminalHasTheTotalAndThePercentage() throws {
        let input = TestScratch.folder("glo-input").appendingPathComponent("corpus.jsonl")
        try corpus.write(to: input, atomically: true, encoding: .utf8)
        for command in [["rules", "diff", "--base", shippedRules, "--candidate", try candidateFolder(packs: ["TH"])],
                        ["rules", "eval", "--rules", shippedRules]] {
            let stderr = try withTerminalAsStderr { terminal in
                try glohostOnTerminal(command + ["--jurisdiction", "TH", "--decision", "legal_aid.eligibility", "--at", "2026-01-01",
                                                 "--input", input.path], stderr: terminal)
            }
            #expect(stderr.contains("6 of 6 lines"), "\(command[1]): \(stderr)")
            #expect(stderr.contains("(100%)"), "\(stderr)")
            #expect(stderr.contains("/s"), "\(stderr)")
        }
    }
}

/// Runs `body` with the writing end of a pseudo-terminal, and returns what was written to it.
private func withTerminalAsStderr(_ body: (FileHandle) throws -> Void) throws -> String {
    // posix_openpt and friends are not visible from Swift: the same with Linux's ioctls on /dev/ptmx.
    let primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    var unlock: Int32 = 0, number: Int32 = 0
    let TIOCSPTLCK: UInt = 0x4004_5431, TIOCGPTN: UInt = 0x8004_5430
    guard primary >= 0, ioctl(primary, TIOCSPTLCK, &unlock) == 0, ioctl(primary, TIOCGPTN, &number) == 0 else {
        throw CocoaError(.fileWriteUnknown)
    }
    var replica = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
    guard replica >= 0 else { throw CocoaError(.fileWriteUnknown) }
    let reading = FileHandle(fileDescriptor: primary, closeOnDealloc: true)
    // Reading ends only once every copy of the replica is closed: ours too, whatever `body` did.
    defer { if replica >= 0 { close(replica) } }
    try body(FileHandle(fileDescriptor: replica, closeOnDealloc: false))
    close(replica)
    replica = -1
    // The child is gone and the replica closed: reading ends (with EIO) after what was written.
    var text = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(reading.fileDescriptor, &buffer, buffer.count)
        if n <= 0 { break }
        text.append(contentsOf: buffer[..<n])
    }
    return String(decoding: text, as: UTF8.self)
}

/// Runs the built `glo-host` with stderr on `stderr`; stdout is discarded.
private func glohostOnTerminal(_ arguments: [String], stderr: FileHandle) throws {
    let binary = Bundle.main.bundleURL.appendingPathComponent("glo-host")
    let process = Process()
    process.executableURL = FileManager.default.fileExists(atPath: binary.path)
        ? binary : packageRoot.appendingPathComponent(".build/debug/glo-host")
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = stderr
    try process.run()
    process.waitUntilExit()
}
