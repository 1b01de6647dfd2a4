import Foundation
public import GloJSON

/// The facts every pack reads and every plugin collects: names, JSON types, allowed values, and which
/// the host derives. It is data, read from `facts.schema.json` (a small subset of JSON Schema, below)
/// when the rules are loaded and on every reload, so a country team adds a fact or a value by editing
/// that file: the API, the forms, the packs and every `rules` command then accept it, with no build.
///
/// What the file may say of a fact (anything else is refused with its line, so a typo is not ignored):
/// - `type`: `integer`, `number`, `string`, `boolean`, or `array` with `items` (strings); or just `enum`;
/// - `enum` (for a string, or under `items` for a list), `pattern`, `format: date`, `minimum`,
///   `uniqueItems`, `description`;
/// - `x-expected`: how to say what is expected when `pattern` fails ("an ISO 3166 alpha-2 code, like TH");
/// - `x-form`: where a caseworker records it: `screening` (the screening form) or `case` (the case's facts);
/// - `x-derived-from`: the facts the host derives it from when it is absent (derivations are code);
/// - `x-not-after`: facts (or `date_applied`) this date may not come after.
public struct Vocabulary: Sendable {
    public enum FactType: String, Sendable {
        case integer, number, string, boolean, date
        case list = "array"
    }

    public struct Fact: Sendable {
        public let name: String
        public let type: FactType
        /// The allowed values of a string, or of a list's items.
        public let values: [String]?
        public let minimum: Int64?
        public let description: String
        /// `screening` or `case`: which form a caseworker records it on; nil for facts no form collects.
        public let form: String?
        public let derivedFrom: [String]
        public let notAfter: [String]
        let pattern: NSRegularExpression?
        let patternText: String?
        let expected: String?
        let unique: Bool
    }

    /// The file it was read from, as given (for messages).
    public let file: String
    /// Every fact, in the order of the file.
    public let facts: [Fact]
    private let byName: [String: Fact]
    /// Labels by language code, from `labels/*.yaml` beside the file (`VocabularyLabels`).
    public internal(set) var labels: [String: VocabularyLabels] = [:]

    public func fact(_ name: String) -> Fact? { byName[name] }
    public var names: [String] { facts.map(\.name) }

    /// The name `notAfter` uses for the date the law is applied.
    public static let dateApplied = "date_applied"

    // MARK: Loading

    /// Where a rules directory's vocabulary is: its own `facts.schema.json`, or else the one in the
    /// folder above it (`Config/facts.schema.json` for `Config/jurisdictions`).
    public static func locate(rulesDirectory: String) -> String? {
        var directory = rulesDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        for folder in [directory, parentFolder(of: directory)] {
            let file = folder == "." ? "facts.schema.json" : (folder as NSString).appendingPathComponent("facts.schema.json")
            if FileManager.default.fileExists(atPath: file) { return file }
        }
        return nil
    }

    public static func load(file: String) throws(RuleLoadError) -> Vocabulary {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RuleLoadError(problems: [RuleProblem(file: file, message: "cannot read the fact vocabulary")])
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse([UInt8](data))
        } catch {
            throw RuleLoadError(problems: [RuleProblem(file: file, message: "not valid JSON: \(error)")])
        }
        return try load(root, file: file, text: String(decoding: data, as: UTF8.self))
    }

    static func load(_ root: JSONValue, file: String, text: String) throws(RuleLoadError) -> Vocabulary {
        // JSON has no line numbers once parsed: find the line of a fact's name in the text instead.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func line(of name: String) -> Int? {
            lines.firstIndex { $0.contains("\"\(name)\":") }.map { $0 + 1 }
        }
        guard case .object(let properties)? = root["properties"] else {
            throw RuleLoadError(problems: [RuleProblem(file: file, message: "a vocabulary needs an object 'properties' naming each fact")])
        }
        var problems: [RuleProblem] = []
        var facts: [Fact] = []
        // Keep the file's order: it is the order forms and documents show the facts in.
        let ordered = properties.keys.sorted { (line(of: $0) ?? .max, $0) < (line(of: $1) ?? .max, $1) }
        for name in ordered {
            do {
                facts.append(try Fact(name: name, schema: properties[name]!))
            } catch {
                problems.append(RuleProblem(file: file, line: line(of: name), field: name, message: error.message))
            }
        }
        let names = Set(ordered)
        for fact in facts {
            for other in fact.derivedFrom + fact.notAfter where other != dateApplied && !names.contains(other) {
                problems.append(RuleProblem(file: file, line: line(of: fact.name), field: fact.name,
                                            message: "names '\(other)', which is not a fact of the vocabulary"))
            }
        }
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        var vocabulary = Vocabulary(file: file, facts: facts)
        let folder = (file as NSString).deletingLastPathComponent
        vocabulary.labels = try loadLabels(in: folder.isEmpty ? "labels" : (folder as NSString).appendingPathComponent("labels"), for: vocabulary)
        return vocabulary
    }

    init(file: String, facts: [Fact]) {
        self.file = file
        self.facts = facts
        byName = Dictionary(uniqueKeysWithValues: facts.map { ($0.name, $0) })
    }

    // MARK: Checking facts

    /// Every problem with `facts`, each naming the fact (`facts.acts[0]`), its JSON kind and what was
    /// expected, never the value itself (facts may be personal data). `null` is an absent fact and always allowed. `dateApplied`, when given, is the date
    /// `x-not-after: [date_applied]` compares with.
    public func problems(_ facts: [String: JSONValue], at prefix: String = "facts",
                         dateApplied: CalendarDate? = nil) -> [FactProblem] {
        var problems: [FactProblem] = []
        for key in facts.keys.sorted() {
            let value = facts[key]!
            let field = prefix.isEmpty ? key : "\(prefix).\(key)"
            guard let fact = byName[key] else {
                var message = "is not a fact of the vocabulary (\(file))"
                if let near = Self.nearest(key, among: names) { message += "; did you mean '\(near)'?" }
                problems.append(FactProblem(field: field, message: message))
                continue
            }
            if value == .null { continue }
            problems += fact.problems(value, field: field)
        }
        // Dates that may not come after others: only between dates that are themselves valid.
        for key in facts.keys.sorted() {
            guard let fact = byName[key], fact.type == .date, let date = facts[key]?.stringValue.flatMap(CalendarDate.init) else { continue }
            for other in fact.notAfter {
                if other == Self.dateApplied {
                    if let dateApplied, date > dateApplied {
                        problems.append(FactProblem(field: prefix.isEmpty ? key : "\(prefix).\(key)",
                            message: "is after the date the law is applied (\(dateApplied)): it cannot be later"))
                    }
                } else if let later = facts[other]?.stringValue.flatMap(CalendarDate.init), date > later {
                    let field = prefix.isEmpty ? key : "\(prefix).\(key)"
                    problems.append(FactProblem(field: field,
                        message: "is after \(prefix.isEmpty ? other : "\(prefix).\(other)"): \(key) cannot come after \(other)",
                        fact: key, related: [other]))
                }
            }
        }
        return problems
    }

    /// The members of `facts` that are facts of the vocabulary with acceptable values; the rest dropped.
    public func filter(_ facts: [String: JSONValue]) -> [String: JSONValue] {
        facts.filter { key, value in byName[key].map { value != .null && $0.problems(value, field: key).isEmpty } ?? false }
    }

    /// The closest of `names` to `name`, when it is close enough to be a typo.
    public static func nearest(_ name: String, among names: [String]) -> String? {
        let scored = names.map { ($0, editDistance(name, $0)) }.min { ($0.1, $0.0) < ($1.1, $1.0) }
        guard let (best, distance) = scored, distance > 0, distance <= max(2, name.count / 3) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// One fact that breaks the vocabulary: which (`facts.acts[0]`) and why.
public struct FactProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the value (`facts.acts[0]`).
    public var field: String
    public var message: String
    /// The fact it belongs to (`acts`), and the other facts it was compared with (a date's order).
    public var fact: String
    public var related: [String]

    public init(field: String, message: String, fact: String? = nil, related: [String] = []) {
        self.field = field
        self.message = message
        self.fact = fact ?? String(field.split(separator: ".").last.map { $0.prefix { $0 != "[" } } ?? Substring(field))
        self.related = related
    }

    public var description: String { "\(field) \(message)" }
}

extension Vocabulary.Fact {
    /// What is wrong with a schema entry.
    struct SchemaError: Error { var message: String }

    static let keywords: Set<String> = [
        "type", "enum", "items", "pattern", "format", "minimum", "uniqueItems", "description",
        "x-expected", "x-form", "x-derived-from", "x-not-after",
    ]

    init(name: String, schema: JSONValue) throws(SchemaError) {
        guard case .object(let s) = schema else { throw SchemaError(message: "must be an object") }
        if let unknown = s.keys.sorted().first(where: { !Self.keywords.contains($0) }) {
            let near = Vocabulary.nearest(unknown, among: Self.keywords.sorted())
            throw SchemaError(message: "'\(unknown)' is not a keyword the host reads" + (near.map { " (did you mean '\($0)'?)" } ?? "")
                              + "; it reads \(Self.keywords.sorted().joined(separator: ", "))")
        }
        func strings(_ key: String, in object: [String: JSONValue]) throws(SchemaError) -> [String]? {
            guard let value = object[key] else { return nil }
            guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
                throw SchemaError(message: "'\(key)' must be a list of texts")
            }
            return items.compactMap(\.stringValue)
        }
        var values = try strings("enum", in: s)
        var itemPattern: String?
        let typeName = s["type"]?.stringValue ?? (values != nil ? "string" : nil)
        var type: Vocabulary.FactType
        switch typeName {
        case "integer": type = .integer
        case "number": type = .number
        case "boolean": type = .boolean
        case "string": type = s["format"]?.stringValue == "date" ? .date : .string
        case "array":
            type = .list
            guard case .object(let items)? = s["items"] else {
                throw SchemaError(message: "a list needs 'items' saying what its items are (a type 'string', an 'enum' or a 'pattern')")
            }
            if let itemType = items["type"]?.stringValue, itemType != "string" {
                throw SchemaError(message: "a list's items must be texts (type 'string'), not '\(itemType)'")
            }
            values = try strings("enum", in: items)
            itemPattern = items["pattern"]?.stringValue
        case let other?:
            throw SchemaError(message: "type '\(other)' is not one the host reads (integer, number, string, boolean, array)")
        case nil:
            throw SchemaError(message: "needs a 'type' or an 'enum'")
        }
        if let format = s["format"]?.stringValue, format != "date" {
            throw SchemaError(message: "format '\(format)' is not one the host reads (date)")
        }
        let form = s["x-form"]?.stringValue
        if let form, form != "screening", form != "case" {
            throw SchemaError(message: "'x-form' must be 'screening' or 'case', not '\(form)'")
        }
        let patternText = itemPattern ?? s["pattern"]?.stringValue
        var pattern: NSRegularExpression?
        if let patternText {
            do { pattern = try NSRegularExpression(pattern: patternText) } catch {
                throw SchemaError(message: "pattern '\(patternText)' is not a valid regular expression")
            }
        }
        self.name = name
        self.type = type
        self.values = values
        self.minimum = s["minimum"]?.intValue
        self.description = s["description"]?.stringValue ?? ""
        self.form = form
        self.derivedFrom = try strings("x-derived-from", in: s) ?? []
        self.notAfter = try strings("x-not-after", in: s) ?? []
        self.pattern = pattern
        self.patternText = patternText
        self.expected = s["x-expected"]?.stringValue
        self.unique = s["uniqueItems"]?.boolValue ?? false
    }

    /// What this fact's values are, as a person reads it.
    public var expectedText: String {
        switch type {
        case .integer: return minimum.map { "a whole number of at least \($0)" } ?? "a whole number"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .date: return "an ISO date (YYYY-MM-DD)"
        case .string:
            if let values { return "one of " + values.joined(separator: ", ") }
            return expected ?? patternText.map { "a text matching \($0)" } ?? "a text"
        case .list:
            if let values { return "a list of " + values.joined(separator: ", ") }
            return "a list of " + (expected ?? "texts")
        }
    }

    func problems(_ value: JSONValue, field: String) -> [FactProblem] {
        func wrong() -> [FactProblem] {
            [FactProblem(field: field, message: "is \(value.kindText), expected \(expectedText)")]
        }
        switch (type, value) {
        case (.integer, .int(let n)):
            if let minimum, n < minimum { return [FactProblem(field: field, message: "is less than \(minimum), expected \(expectedText)")] }
            return []
        case (.number, .int), (.number, .double), (.boolean, .bool):
            return []
        case (.date, .string(let text)):
            return CalendarDate(text) == nil
                ? [FactProblem(field: field, message: "is a text that is no date, expected an ISO date (YYYY-MM-DD) that exists")] : []
        case (.string, .string(let text)):
            return self.text(text, field: field)
        case (.list, .array(let items)):
            var problems: [FactProblem] = []
            var seen: Set<String> = []
            for (index, item) in items.enumerated() {
                let here = "\(field)[\(index)]"
                guard let text = item.stringValue else {
                    problems.append(FactProblem(field: here, message: "is \(item.kindText), expected a text"))
                    continue
                }
                problems += self.text(text, field: here)
                if unique, !seen.insert(text).inserted {
                    problems.append(FactProblem(field: here, message: "repeats an earlier item: list each value once"))
                }
            }
            return problems
        default:
            return wrong()
        }
    }

    private func text(_ text: String, field: String) -> [FactProblem] {
        if let values, !values.contains(text) {
            var message = "is not one of the allowed values, expected one of \(values.joined(separator: ", "))"
            if let near = Vocabulary.nearest(text, among: values) { message += "; did you mean '\(near)'?" }
            return [FactProblem(field: field, message: message)]
        }
        if let pattern, pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
            return [FactProblem(field: field, message: "is a text of another form, expected \(expected ?? "a text matching \(patternText ?? "")")")]
        }
        return []
    }
}

extension JSONValue {
    /// The JSON kind of a value (`a text`, `a whole number`), never the value: facts may be personal
    /// data, and messages reach logs and callers.
    public var kindText: String {
        switch self {
        case .null: return "null"
        case .bool: return "true or false"
        case .int: return "a whole number"
        case .double: return "a number with a fraction"
        case .string: return "a text"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

extension Vocabulary {
    /// The vocabulary as a JSON Schema object of facts (for an API document): each fact's type,
    /// allowed values, pattern, format and description. With `nullable`, each member may also be
    /// `null` (an absent fact, or one taken back).
    public func jsonSchema(nullable: Bool) -> JSONValue {
        func typed(_ type: String) -> JSONValue { nullable ? .array([.string(type), .string("null")]) : .string(type) }
        var properties: [String: JSONValue] = [:]
        for fact in facts {
            var s: [String: JSONValue] = [:]
            if !fact.description.isEmpty { s["description"] = .string(fact.description) }
            switch fact.type {
            case .integer:
                s["type"] = typed("integer")
                if let minimum = fact.minimum { s["minimum"] = .int(minimum) }
            case .number: s["type"] = typed("number")
            case .boolean: s["type"] = typed("boolean")
            case .date:
                s["type"] = typed("string")
                s["format"] = "date"
            case .string:
                s["type"] = typed("string")
                if let values = fact.values { s["enum"] = .array(values.map(JSONValue.string) + (nullable ? [.null] : [])) }
                if let pattern = fact.patternText { s["pattern"] = .string(pattern) }
            case .list:
                s["type"] = typed("array")
                var items: [String: JSONValue] = ["type": "string"]
                if let values = fact.values { items["enum"] = .array(values.map(JSONValue.string)) }
                if let pattern = fact.patternText { items["pattern"] = .string(pattern) }
                s["items"] = .object(items)
                if fact.unique { s["uniqueItems"] = true }
            }
            properties[fact.name] = .object(s)
        }
        return ["type": "object", "additionalProperties": false, "properties": .object(properties)]
    }
}
