import Foundation
import GloJSON
import GloRules

/// How `rules diff` writes: a summary for a person (`table`, `markdown` for pasting into an issue), or
/// one record per changed line for a program (`csv`, `jsonl`), written as the lines are compared.
enum DiffFormat: String, CaseIterable {
    case table, markdown, csv, jsonl

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The writer of each changed line, for the formats that have one.
    func lineWriter(fromStore: Bool) -> DiffLineWriter? {
        switch self {
        case .table, .markdown: nil
        case .csv, .jsonl: DiffLineWriter(format: self, fromStore: fromStore)
        }
    }
}

/// One changed line as a CSV row or a JSON line.
struct DiffLineWriter {
    let format: DiffFormat
    /// Adds the stored decision's id.
    let fromStore: Bool

    /// What comes before the first line: the CSV header.
    var header: [UInt8] {
        guard format == .csv else { return [] }
        return Array(("line,case_ref,from,to,changed_fields" + (fromStore ? ",decision_id" : "") + "\n").utf8)
    }

    func write(_ change: LineChange, line: Int, caseRef: String?, decisionID: String?, into out: inout [UInt8]) {
        switch format {
        case .csv:
            var cells = [String(line), caseRef ?? "", change.base.outcome, change.candidate.outcome,
                         change.fields.map(\.path).joined(separator: "; ")]
            if fromStore { cells.append(decisionID ?? "") }
            out.append(contentsOf: (cells.map(Self.csvCell).joined(separator: ",") + "\n").utf8)
        default:
            var record: [String: JSONValue] = ["line": .int(Int64(line)), "case_ref": caseRef.map { .string($0) } ?? .null,
                                               "base": change.base.json, "candidate": change.candidate.json]
            if let decisionID { record["decision_id"] = .string(decisionID) }
            JSONWriter.write(.object(record), into: &out)
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break, with quotes doubled.
    static func csvCell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Everything the summary of a diff says, and its two renderings for people.
struct DiffReport {
    /// `TH legal_aid.eligibility at 2026-01-01`.
    var subject: String
    var base: String
    /// The candidate as the user knows it (`CandidateOverlay.description`).
    var candidate: String
    /// `lines`, or `stored decisions`.
    var corpus: String
    var lines: Int
    var summary: DiffSummary
    /// The candidate's own pack tests, their files named as the user knows them.
    var candidateTests: PackTestReport
    /// With --explain: each example line's facts read and found absent, per side.
    var explanations: [Int: (base: JSONValue?, candidate: JSONValue?)]?
    /// Whether examples show their facts: not those of stored cases (--from-store), which are personal
    /// data and would travel wherever the report is pasted; their decision id leads to them.
    var showsFacts: Bool
    /// To name a failed rule's file as the user knows it.
    var basePaths: RulesPaths
    var candidatePaths: RulesPaths

    /// Failures listed before "and N more": enough to see what broke without burying the summary.
    static let failuresShown = 20

    /// `100 lines, 3 changed; 2 lines failed the same on both sides`.
    var counts: String {
        var text = "\(lines.grouped) \(corpus), \(summary.changed.grouped) changed"
        if summary.failedAlike > 0 {
            text += "; \(summary.failedAlike.grouped) \(summary.failedAlike == 1 ? "line" : "lines") failed the same on both sides"
        }
        return text
    }

    var title: String { "rules diff \(subject): base \(base), candidate \(candidate)" }

    /// The candidate's failed tests: a headline, the first failures (`file:line: name: message`), and
    /// how many more there are; nil when they all pass.
    var testFailures: (headline: String, shown: [String], more: Int)? {
        guard candidateTests.failed > 0 else { return nil }
        return ("the candidate's own tests fail: \(candidateTests.failed.grouped) of \((candidateTests.passed + candidateTests.failed).grouped) (compared all the same)",
                candidateTests.failures.prefix(Self.failuresShown).map(\.description),
                max(0, candidateTests.failed - Self.failuresShown))
    }

    /// The failed tests as lines for a terminal (and stderr).
    var testFailureLines: [String] {
        guard let failures = testFailures else { return [] }
        return [failures.headline] + failures.shown.map { "  FAIL \($0)" } + (failures.more > 0 ? ["  ... and \(failures.more) more"] : [])
    }

    /// The rows that get examples: every field row, and the outcome rows that are not just "the same
    /// outcome, other fields changed" (the field rows show those).
    var exampleRows: [(label: String, row: DiffSummary.Row, valuePath: String?)] {
        let outcomes = DiffSummary.ordered(summary.outcomes).filter { !$0.key.keepsOutcome }
            .map { (label: $0.key.description, row: $0.row, valuePath: String?.none) }
        let fields = DiffSummary.ordered(summary.fields).map { entry -> (label: String, row: DiffSummary.Row, valuePath: String?) in
            // A row that does not say the values shows each side's value in its examples.
            switch entry.key {
            case .value: return (entry.key.description, entry.row, nil)
            case .text(let path), .otherValues(let path): return (entry.key.description, entry.row, path)
            }
        }
        return outcomes + fields
    }

    /// What one side said on an example line, as labelled items: the error; or the text field the row
    /// is about; or, explaining, the outcome, reasons, basis and the facts read.
    static func said(_ side: DiffSide, explanation: JSONValue?, valuePath: String?, paths: RulesPaths) -> [(label: String?, items: [String])] {
        func items(_ value: JSONValue?) -> [String] { value?.arrayValue?.map { DiffText.value($0) } ?? [DiffText.value(value)] }
        switch side {
        case .error(let error):
            return [("error", [(error.location.map { "\(paths.file($0)): " } ?? "") + "\(error.code): \(error.message)"])]
        case .result(let value):
            guard let explanation else {
                guard let valuePath else { return [] }
                return [(nil, items(valuePath.split(separator: ".").reduce(Optional(value)) { $0?[String($1)] }))]
            }
            var said: [(label: String?, items: [String])] = [("outcome", [side.outcome])]
            for field in ["reasons", "basis"] where value[field] != nil { said.append((field, items(value[field]))) }
            let missing = explanation["facts_missing"]?.stringArray ?? []
            let present = (explanation["facts_read"]?.stringArray ?? []).filter { !missing.contains($0) }
            said.append(("facts read", [DiffText.list(present)]))
            if !missing.isEmpty { said.append(("facts read but absent", [DiffText.list(missing)])) }
            return said
        }
    }

    /// Both sides of an example; what the candidate says as the base did is not said twice.
    func sides(of example: DiffExample, valuePath: String?) -> [(name: String, said: [(label: String?, items: [String])])] {
        let explained = explanations?[example.line]
        let base = Self.said(example.change.base, explanation: explained?.base, valuePath: valuePath, paths: basePaths)
        var candidate = Self.said(example.change.candidate, explanation: explained?.candidate, valuePath: valuePath, paths: candidatePaths)
        if explained != nil {
            candidate = candidate.map { entry in
                base.contains { $0.label == entry.label && $0.items == entry.items } && entry.label != "outcome"
                    ? (entry.label, ["(as the base)"]) : entry
            }
        }
        return [("base", base), ("candidate", candidate)]
    }

    func facts(of example: DiffExample) -> String {
        showsFacts ? example.facts : "not shown (a stored case's personal data: see its decision)"
    }

    func exampleHeading(_ example: DiffExample) -> String {
        var text = "line \(example.line)"
        if let caseRef = example.caseRef { text += ", case_ref \(caseRef)" }
        if let decisionID = example.decisionID { text += ", decision \(decisionID)" }
        return text
    }

    // MARK: table

    /// For a terminal: sentences and indented lists, counts after a colon, no column to overflow.
    func table() -> String {
        var out = [title] + testFailureLines + [counts]
        if !summary.outcomes.isEmpty {
            out += ["", "Outcome, base -> candidate:"]
            for (transition, row) in DiffSummary.ordered(summary.outcomes) {
                out.append("  \(transition)\(transition.keepsOutcome ? " (other fields changed)" : ""): \(row.count.grouped)")
            }
        }
        if !summary.fields.isEmpty {
            out += ["", "Changed fields, base -> candidate:"]
            out += DiffSummary.ordered(summary.fields).map { "  \($0.key.description): \($0.row.count.grouped)" }
        }
        let rows = exampleRows.filter { !$0.row.examples.isEmpty }
        if !rows.isEmpty {
            out += ["", "Examples (up to \(summary.examplesPerRow) lines of each change, the first ones; --examples N for more, --explain for why):"]
        }
        for (label, row, valuePath) in rows {
            out += ["", "\(label) (\(row.count.grouped) \(row.count == 1 ? "line" : "lines")):"]
            for example in row.examples {
                out.append("  " + exampleHeading(example))
                out.append("    facts: \(facts(of: example))")
                for (name, said) in sides(of: example, valuePath: valuePath) where !said.isEmpty {
                    // One thing (an error, a single text) goes on the side's own line.
                    if said.count == 1, said[0].items.count == 1 {
                        out.append("    \(name): " + (said[0].label.map { "\($0) " } ?? "") + said[0].items[0])
                        continue
                    }
                    out.append("    \(name):")
                    for (label, items) in said {
                        if let label, items.count == 1 {
                            out.append("      \(label): \(items[0])")
                        } else if let label {
                            out.append("      \(label):")
                            out += items.map { "        - \($0)" }
                        } else {
                            out += items.map { "      - \($0)" }
                        }
                    }
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: markdown

    /// For pasting into an issue: the counts as tables, the examples as lists with the facts as code.
    func markdown() -> String {
        var out = ["### `rules diff` \(subject)", "", "Base `\(base)`, candidate \(candidate).", ""]
        if let failures = testFailures {
            out.append("> **The\(failures.headline.dropFirst(3))**")
            out += failures.shown.map { "> - \(Self.code($0))" }
            if failures.more > 0 { out.append("> - ... and \(failures.more) more") }
            out.append("")
        }
        out += [counts + ".", ""]
        if !summary.outcomes.isEmpty {
            out += ["| outcome, base -> candidate | lines |", "|---|---:|"]
            out += DiffSummary.ordered(summary.outcomes).map { "| \(Self.cell($0.key.description + ($0.key.keepsOutcome ? " (other fields changed)" : ""))) | \($0.row.count) |" }
            out.append("")
        }
        if !summary.fields.isEmpty {
            out += ["| changed field | base | candidate | lines |", "|---|---|---|---:|"]
            for (field, row) in DiffSummary.ordered(summary.fields) {
                switch field {
                case .value(let path, let before, let after):
                    out.append("| \(Self.cell(path)) | \(Self.cell(DiffText.short(before))) | \(Self.cell(DiffText.short(after))) | \(row.count) |")
                case .text(let path):
                    out.append("| \(Self.cell(path)) | (text changed) | (text changed) | \(row.count) |")
                case .otherValues(let path):
                    out.append("| \(Self.cell(path)) | (other values) | (other values) | \(row.count) |")
                }
            }
            out.append("")
        }
        let rows = exampleRows.filter { !$0.row.examples.isEmpty }
        if !rows.isEmpty { out += ["#### Examples", ""] }
        for (label, row, valuePath) in rows {
            out += ["**\(Self.cell(label))** (\(row.count.grouped) \(row.count == 1 ? "line" : "lines"))", ""]
            for example in row.examples {
                out.append("- \(exampleHeading(example)): " + (showsFacts ? Self.code(example.facts) : facts(of: example)))
                for (name, said) in sides(of: example, valuePath: valuePath) where !said.isEmpty {
                    let text = said.map { entry in (entry.label.map { "\($0): " } ?? "") + entry.items.joined(separator: "; ") }
                    out.append("  - \(name): " + Self.cell(text.joined(separator: "<br>")))
                }
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// A table cell: a pipe would end it, a line break would end the table.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// Inline code that survives backticks in the text.
    static func code(_ text: String) -> String {
        text.contains("`") ? "`` \(text) ``" : "`\(text)`"
    }
}

extension DiffText {
    /// `acts, age`.
    static func list(_ names: [String]) -> String { names.isEmpty ? "(none)" : names.joined(separator: ", ") }
}
