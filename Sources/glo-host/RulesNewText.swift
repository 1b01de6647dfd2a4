import Foundation
import GloJSON
import GloRules

/// The text `rules new` writes for a country team to edit: a pack's own decision in Lua, a test case
/// in YAML, a new `pack.yaml`, and the edits to a module, a test file and a manifest that exist.
enum RulesNewText {
    /// The decision a pack starts to write itself.
    struct Start {
        let pack: String
        /// `identification.pathway`, and its module and key.
        let decision: String
        let module: String
        let key: String
        /// The pack whose version it calls (`intl`) and the local that holds that pack's module; nil for
        /// a decision no parent gives, which starts as `undetermined`.
        let parent: (pack: String, local: String)?
        /// The outcomes it may give (decisions.yaml and the chain's pack.yaml).
        let outcomes: [String]
        /// The todo items of pack.yaml that name it, carried into the module so that none is lost.
        let todo: [String]

        var requireLine: String? { parent.map { "local \($0.local) = require(\"\($0.pack)/\(module)\")" } }
    }

    // MARK: Lua

    /// A new module holding only this decision.
    static func module(_ start: Start) -> String {
        (start.requireLine.map { $0 + "\n\n" } ?? "") + definition(start) + "\nreturn { \(start.key) = \(start.key) }\n"
    }

    /// `text`, a module, with the decision added before its final `return` and to the table it returns;
    /// nil when the module does not end in `return { ... }` or `return NAME`.
    static func adding(_ start: Start, to text: String, withRequire: Bool) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard let last = lines.lastIndex(where: { $0.wholeMatch(of: /return(\s.*|\{.*)?/) != nil }) else { return nil }
        let block = (withRequire ? start.requireLine.map { $0 + "\n\n" } ?? "" : "") + definition(start) + "\n"
        let key = start.key
        if let match = lines[last...].joined(separator: "\n").wholeMatch(of: /return\s+([A-Za-z_][A-Za-z0-9_]*)\s*/) {
            lines.insert(block + "\(match.1).\(key) = \(key)\n", at: last)
            return lines.joined(separator: "\n")
        }
        // The table's closing brace is the last one of the file; the new entry goes before it, on its
        // own line when the table is written one entry a line.
        var tail = lines[last...].joined(separator: "\n")
        guard tail.firstMatch(of: /^return\s*\{/) != nil, let close = tail.lastIndex(of: "}"),
              let end = tail[..<close].lastIndex(where: { !$0.isWhitespace }) else { return nil }
        let between = tail[tail.index(after: end)..<close]
        let separator = tail[end] == "{" || tail[end] == "," ? "" : ","
        if between.contains("\n") {
            let lineStart = tail[..<end].lastIndex(of: "\n").map { tail.index(after: $0) } ?? tail.startIndex
            let indent = String(tail[lineStart...].prefix { $0 == " " || $0 == "\t" })
            let entryIndent = tail[end] == "{" ? indent + "  " : indent
            tail.replaceSubrange(tail.index(after: end)..<close,
                                 with: separator + "\n" + entryIndent + "\(key) = \(key),\n" + String(between.drop { $0 != "\n" }.dropFirst()))
        } else {
            tail.replaceSubrange(tail.index(after: end)..<close, with: separator + " \(key) = \(key) ")
        }
        lines.replaceSubrange(last..., with: [block + tail])
        return lines.joined(separator: "\n")
    }

    /// The function, with the annotations the language server reads (`rules annotations`) and a comment
    /// saying where the national rule goes and how to cite it.
    static func definition(_ start: Start) -> String {
        let pack = start.pack
        var lines = ["-- \(start.decision): \(pack)'s own, started with `glo-host rules new`."]
        if let parent = start.parent {
            lines.append("-- Until \(pack)'s law is written here, it gives \(parent.pack)'s answer.")
        } else {
            lines.append("-- No parent pack decides it: until \(pack)'s law is written here, it answers undetermined.")
        }
        lines += start.todo.map { "-- To do (from pack.yaml): \(oneLine($0))" }
        lines += [
            "---@param facts Facts",
            "---@param ctx Ctx",
            "---@return \(LuaAnnotations.resultClass(start.decision))",
            "local function \(start.key)(facts, ctx)",
            "  -- Where \(pack)'s law decides otherwise, return its result here" + (start.parent.map { ", before \($0.pack)'s:" } ?? ":"),
            "  --   if <what the law looks at in facts> then",
            "  --     return {",
            "  --       outcome = \"\(start.outcomes.first ?? "...")\", -- one of \(start.outcomes.joined(separator: ", "))",
            "  --       reasons = { \"why, in a sentence a caseworker reads\" },",
            "  --       basis = { \"\(pack) <instrument> art. <n>\" }, -- \"[unverified] <citation>\" until checked against the text",
            "  --     }",
            "  --   end",
        ]
        if let parent = start.parent {
            lines.append("  return \(parent.local).\(start.key)(facts, ctx)")
        } else {
            lines.append("  return { outcome = \"undetermined\", reasons = { \"\(pack)'s rule for \(start.decision) is not written yet\" }, basis = {} }")
        }
        lines.append("end")
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Tests

    /// The facts a new test case starts from, and the outcome the decision gives them now.
    struct Example {
        /// Where the facts come from, for the comment (`intl's case "..." (intl/tests/identification.yaml:4)`).
        let source: String
        let name: String
        let date: CalendarDate
        let facts: [String: JSONValue]
        let outcome: String
        /// Facts the decision read that the example does not give, in the vocabulary's order.
        let alsoRead: [String]
    }

    static func caseName(_ start: Start, example: Example) -> String { "\(start.pack): \(oneLine(example.name))" }

    /// One case, as an item of a test file's `cases` list indented by `indent`.
    static func testCase(_ start: Start, example: Example, vocabulary: Vocabulary, indent: String) -> String {
        let answer = start.parent.map { "the outcome \($0.pack)'s rule gives them" } ?? "the outcome the new rule gives them"
        var lines = [
            "# Started with `glo-host rules new` from \(oneLine(example.source)), expecting \(answer).",
            "# Change the facts and the expected result to what \(start.pack)'s law says.",
            "- name: \(YAMLText.scalar(caseName(start, example: example)))",
            "  decision: \(start.decision)",
            "  at: \(example.date)",
        ]
        let given = vocabulary.names.filter { example.facts[$0] != nil }
        lines.append(given.isEmpty ? "  facts: {}" : "  facts:")
        for name in given {
            let expected = vocabulary.fact(name).map { " # \($0.expectedText)" } ?? ""
            lines.append("    \(name): \(YAMLText.flow(example.facts[name]!))\(expected)")
        }
        for name in example.alsoRead {
            lines.append("    # \(name): \(vocabulary.fact(name)?.expectedText ?? "") (read by the decision, not given here)")
        }
        lines += ["  expect:", "    outcome: \(YAMLText.scalar(example.outcome)) # one of \(start.outcomes.joined(separator: ", "))"]
        return lines.map { indent + $0 }.joined(separator: "\n") + "\n"
    }

    /// A new test file holding `testCase`.
    static func testFile(pack: String, module: String, testCase: String) -> String {
        "# \(pack)'s tests of its \(module) decisions (docs/rule-packs.md, \"Tests\").\ncases:\n" + testCase
    }

    /// The indentation of the items of a test file's `cases` list (two spaces when it has none yet).
    static func caseIndent(in text: String) -> String {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("cases:") }) else { return "  " }
        for line in lines[(start + 1)...] {
            if let match = line.firstMatch(of: /^(\s*)-\s/) { return String(match.1) }
        }
        return "  "
    }

    /// `text`, a test file whose `cases` list comes last, with `testCase` appended to it.
    static func appending(_ testCase: String, to text: String) -> String {
        (text.hasSuffix("\n") || text.isEmpty ? text : text + "\n") + "\n" + testCase
    }

    // MARK: The manifest

    /// One item of a manifest's `todo` list: its text and the lines it takes (0-based, inclusive).
    struct TodoItem {
        let text: String
        let lines: ClosedRange<Int>
    }

    /// The items of a block-style `todo:` list, with the line of `todo:`; nil when there is none or it is
    /// written another way (a flow list), which a person then edits by hand.
    static func todo(in manifest: String) -> (key: Int, items: [TodoItem])? {
        let lines = manifest.components(separatedBy: "\n")
        guard let key = lines.firstIndex(where: { $0.wholeMatch(of: /todo:\s*(#.*)?/) != nil }) else { return nil }
        var items: [TodoItem] = []
        var index = key + 1
        // The list goes on while lines are indented (items, and the continuation lines of a long item)
        // or comments.
        while index < lines.count, let first = lines[index].first, first == " " || first == "\t" || first == "#" {
            let line = lines[index]
            let content = line.trimmingCharacters(in: .whitespaces)
            if let match = line.firstMatch(of: /^\s+- (.*)$/) {
                items.append(TodoItem(text: String(match.1), lines: index...index))
            } else if !content.hasPrefix("#"), let last = items.popLast() {
                items.append(TodoItem(text: last.text + " " + content, lines: last.lines.lowerBound...index))
            }
            index += 1
        }
        return (key, items.map { TodoItem(text: unquoted($0.text), lines: $0.lines) })
    }

    /// `manifest` without `items`; without the `todo:` key as well when no item is left (an empty key
    /// would read as null, which a manifest refuses).
    static func removing(_ items: [TodoItem], from manifest: String) -> String {
        guard let todo = todo(in: manifest) else { return manifest }
        var drop = Set(items.flatMap { Array($0.lines) })
        if todo.items.allSatisfy({ item in items.contains { $0.lines == item.lines } }) { drop.insert(todo.key) }
        return manifest.components(separatedBy: "\n").enumerated().filter { !drop.contains($0.offset) }.map(\.element)
            .joined(separator: "\n")
    }

    /// Whether `text` names `decision` as a whole word (`return.route` in "return.route and return.steps").
    static func names(_ text: String, _ decision: String) -> Bool {
        var from = text.startIndex
        while let found = text.range(of: decision, range: from..<text.endIndex) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            let isName = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }
            if !isName(before) && before != "." && !isName(after) { return true }
            from = found.upperBound
        }
        return false
    }

    /// A new pack's manifest.
    static func manifest(id: String, name: String, extends: String, version: String) -> String {
        """
        id: \(YAMLText.scalar(id))
        name: \(YAMLText.scalar(name))
        version: "\(version)"
        extends: \(YAMLText.scalar(extends))
        status: draft
        languages: [en]
        description: >
          Started with `glo-host rules new`: every decision is \(extends)'s until this pack writes its own.
        todo:
          - have a legal officer review the pack before setting status to reviewed

        """
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// A YAML scalar's text without its quotes (for showing and matching, not for parsing).
    private static func unquoted(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count >= 2, let first = trimmed.first, first == "\"" || first == "'", trimmed.last == first {
            return String(trimmed.dropFirst().dropLast())
        }
        return trimmed
    }
}
