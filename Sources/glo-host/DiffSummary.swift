import Foundation
import GloJSON
import GloRules

/// A failed decision as the diff shows it.
struct DiffError {
    var code: String
    var message: String
    /// Relative to the rules directory, as `rules eval` gives it (`TH/legal_aid.lua:12`).
    var location: String?
}

/// How one side's errors name its vocabulary file. A message that names it (a fact outside the
/// vocabulary) would otherwise name the candidate overlay's link, and differ from the base's message
/// over nothing but the file's name.
struct ErrorNaming {
    /// The file as the engine loaded it.
    let vocabularyFile: String
    /// As the user knows it.
    let shownAs: String

    func error(_ error: RuleEvaluationError) -> DiffError {
        DiffError(code: error.code, message: error.message.replacingOccurrences(of: vocabularyFile, with: shownAs),
                  location: error.location)
    }

    /// The message with the file left out, to compare errors of two sides whatever file each read.
    func neutral(_ message: String) -> String {
        message.replacingOccurrences(of: vocabularyFile, with: "")
    }
}

/// One side's answer for a line: the decision's result, or why it failed.
enum DiffSide {
    case result(JSONValue)
    case error(DiffError)

    /// The outcome, or `error:CODE`.
    var outcome: String {
        switch self {
        case .result(let value): value["outcome"]?.stringValue ?? "?"
        case .error(let error): "error:\(error.code)"
        }
    }

    /// As `--format jsonl` writes it: the result, or `{"error": {"code", "message", "location"}}`.
    var json: JSONValue {
        switch self {
        case .result(let value): return value
        case .error(let error):
            var members: [String: JSONValue] = ["code": .string(error.code), "message": .string(error.message)]
            if let location = error.location { members["location"] = .string(location) }
            return ["error": .object(members)]
        }
    }
}

/// A field whose value differs between the two sides, by dotted path (`custody.kind`); nil is absent.
struct FieldChange {
    var path: String
    var before: JSONValue?
    var after: JSONValue?

    /// Free texts: worded differently on nearly every line, so a summary counts them rather than
    /// telling their values apart.
    var isText: Bool {
        path == "reasons" || path == "basis" || path.hasSuffix(".reasons") || path.hasSuffix(".basis")
    }
}

/// What differs on one line.
struct LineChange {
    var base: DiffSide
    var candidate: DiffSide
    /// The differing fields, `outcome` aside (it has its own table); empty when a side failed, since a
    /// result against an error would list every field.
    var fields: [FieldChange]

    var transition: Transition { Transition(from: base.outcome, to: candidate.outcome) }
}

/// How both rule sets decided one line.
enum LineComparison {
    /// The same result; the `rule` member (pack version and hash) never counts.
    case same
    /// The same error (code and message) on both sides: the input, not the edit, is at fault.
    case failedAlike
    case changed(LineChange)

    init(base: Result<[UInt8], RuleEvaluationError>, candidate: Result<[UInt8], RuleEvaluationError>,
         naming: (base: ErrorNaming, candidate: ErrorNaming)) {
        switch (base, candidate) {
        case (.success(let x), .success(let y)):
            // Most lines come out byte for byte the same: only the others are parsed.
            if x == y { self = .same; return }
            let a = Self.parse(x), b = Self.parse(y)
            var fields: [FieldChange] = []
            Self.differences(a, b, under: "", into: &fields)
            let outcomeDiffers = a["outcome"] != b["outcome"]
            self = fields.isEmpty && !outcomeDiffers ? .same : .changed(LineChange(base: .result(a), candidate: .result(b), fields: fields))
        case (.failure(let x), .failure(let y))
            where x.code == y.code && naming.base.neutral(x.message) == naming.candidate.neutral(y.message):
            self = .failedAlike
        default:
            self = .changed(LineChange(base: Self.side(base, naming.base), candidate: Self.side(candidate, naming.candidate), fields: []))
        }
    }

    /// A result as `decide` gives it: without its `rule`.
    private static func parse(_ bytes: [UInt8]) -> JSONValue {
        (try? JSONParser.parse(bytes)) ?? .object([:])
    }

    private static func side(_ result: Result<[UInt8], RuleEvaluationError>, _ naming: ErrorNaming) -> DiffSide {
        switch result {
        case .success(let bytes): .result(parse(bytes))
        case .failure(let error): .error(naming.error(error))
        }
    }

    /// The fields of two objects that differ, by path, following nested objects (lists are compared whole).
    static func differences(_ a: JSONValue, _ b: JSONValue, under prefix: String, into changes: inout [FieldChange]) {
        let x = a.objectValue ?? [:], y = b.objectValue ?? [:]
        let first = changes.count
        func compare(_ key: String, _ before: JSONValue?, _ after: JSONValue?) {
            if prefix.isEmpty && (key == "outcome" || key == "rule") { return }
            if before == after { return }
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .object? = before, case .object? = after {
                differences(before!, after!, under: path, into: &changes)
            } else {
                changes.append(FieldChange(path: path, before: before, after: after))
            }
        }
        for (key, before) in x { compare(key, before, y[key]) }
        for (key, after) in y where x[key] == nil { compare(key, nil, after) }
        // Most fields are equal: sort the few that are not, not every key.
        changes[first...].sort { $0.path < $1.path }
    }
}

/// An outcome change, `victim -> vulnerable_migrant`; an error shows as `error:CODE`.
struct Transition: Hashable, Comparable, CustomStringConvertible {
    var from: String
    var to: String
    var description: String { "\(from) -> \(to)" }
    /// Whether only other fields changed (they have their own rows, with the examples).
    var keepsOutcome: Bool { from == to && !from.hasPrefix("error:") }
    static func < (a: Transition, b: Transition) -> Bool { (a.from, a.to) < (b.from, b.to) }
}

/// A row of the field summary: one path going from one value to another, or, for a free text, any change of it.
enum FieldRow: Hashable, Comparable {
    case value(path: String, before: JSONValue?, after: JSONValue?)
    case text(path: String)
    /// The changes of a path past its first `DiffSummary.valueRowsPerPath` pairs of values, counted together.
    case otherValues(path: String)

    init(_ change: FieldChange) {
        self = change.isText ? .text(path: change.path) : .value(path: change.path, before: change.before, after: change.after)
    }

    var path: String {
        switch self {
        case .value(let path, _, _), .text(let path), .otherValues(let path): path
        }
    }

    /// `kinds: [advice, representation] -> [advice]`, `reasons changed`; long values cut short.
    var description: String {
        switch self {
        case .value(let path, let before, let after): "\(path): \(DiffText.short(before)) -> \(DiffText.short(after))"
        case .text(let path): "\(path) changed"
        case .otherValues(let path): "\(path): other values"
        }
    }

    static func < (a: FieldRow, b: FieldRow) -> Bool { a.description < b.description }
}

/// A changed line shown as an example of a row.
struct DiffExample {
    var line: Int
    var caseRef: String?
    /// The stored decision it re-decides, with --from-store.
    var decisionID: String?
    /// The input facts, as given.
    var facts: String
    var change: LineChange
}

/// The changes of a corpus, grouped as the lines are compared: counts by outcome transition and by
/// changed field, and the first few lines of each as examples. Memory grows with the distinct
/// changes, not with the lines.
struct DiffSummary {
    struct Row {
        var count = 0
        /// The first lines of the row, by line number.
        var examples: [DiffExample] = []
    }

    let examplesPerRow: Int
    var changed = 0
    var failedAlike = 0
    var outcomes: [Transition: Row] = [:]
    var fields: [FieldRow: Row] = [:]
    /// How many value rows each path has: a field that takes a new value on every line (an id, a
    /// date) would otherwise keep a row, with its examples, per line.
    private var valueRows: [String: Int] = [:]
    static let valueRowsPerPath = 20

    init(examplesPerRow: Int) { self.examplesPerRow = examplesPerRow }

    /// Counts a changed line in its rows; `example` is made only when a row still wants one.
    mutating func add(_ change: LineChange, example: () -> DiffExample) {
        changed += 1
        var made: DiffExample?
        func count(_ row: inout Row) {
            row.count += 1
            guard row.examples.count < examplesPerRow else { return }
            if made == nil { made = example() }
            row.examples.append(made!)
        }
        count(&outcomes[change.transition, default: Row()])
        for field in change.fields {
            var key = FieldRow(field)
            if case .value = key, fields[key] == nil {
                if valueRows[field.path, default: 0] < Self.valueRowsPerPath {
                    valueRows[field.path, default: 0] += 1
                } else {
                    key = .otherValues(path: field.path)
                }
            }
            count(&fields[key, default: Row()])
        }
    }

    /// Adds another worker's summary. Each worker saw its lines in order, so the first examples of
    /// the whole corpus are the first of the merged, whatever the number of workers. A path left with
    /// too many value rows keeps those with the most lines; the others join its other values.
    mutating func merge(_ other: DiffSummary) {
        changed += other.changed
        failedAlike += other.failedAlike
        outcomes = Self.absorbing(outcomes, other.outcomes, examples: examplesPerRow)
        fields = Self.absorbing(fields, other.fields, examples: examplesPerRow)
        valueRows = [:]
        let byPath = Dictionary(grouping: fields.keys.filter { if case .value = $0 { true } else { false } }, by: \.path)
        for (path, keys) in byPath {
            let ranked = keys.sorted { (fields[$0]!.count, $1) > (fields[$1]!.count, $0) }
            for key in ranked.dropFirst(Self.valueRowsPerPath) {
                let folded = fields.removeValue(forKey: key)!
                fields = Self.absorbing(fields, [.otherValues(path: path): folded], examples: examplesPerRow)
            }
            valueRows[path] = min(keys.count, Self.valueRowsPerPath)
        }
    }

    private static func absorbing<Key: Hashable>(_ rows: [Key: Row], _ others: [Key: Row], examples: Int) -> [Key: Row] {
        var rows = rows
        for (key, row) in others {
            rows[key, default: Row()].count += row.count
            let merged = (rows[key]!.examples + row.examples).sorted { $0.line < $1.line }
            rows[key]!.examples = Array(merged.prefix(examples))
        }
        return rows
    }

    /// Rows, most lines first.
    static func ordered<Key: Comparable>(_ rows: [Key: Row]) -> [(key: Key, row: Row)] {
        rows.map { (key: $0.key, row: $0.value) }.sorted { ($0.row.count, $1.key) > ($1.row.count, $0.key) }
    }
}

/// How values read in a summary: lists as `[advice, representation]`, texts bare, absent as `(absent)`.
enum DiffText {
    static func value(_ value: JSONValue?) -> String {
        switch value {
        case nil: "(absent)"
        case .string(let s)?: s
        case .array(let items)?: "[" + items.map { self.value($0) }.joined(separator: ", ") + "]"
        case let other?: JSONWriter.string(other)
        }
    }

    /// A value cut to what a summary row can show; the examples and `--format jsonl` have it whole.
    static func short(_ value: JSONValue?, limit: Int = 120) -> String {
        let text = self.value(value)
        return text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
