/// Checks for meaning, on a pack's Lua text: what loads and compiles can still be wrong in ways a
/// country team does not see until a victim's case goes astray. Each finding names file and line.
///
/// - a fact read outside the vocabulary (`facts.exploitaton`: always absent, since inputs are checked),
///   with "did you mean";
/// - an outcome written in a module (`outcome = "transported"`) that none of the module's decisions
///   declares (`decisions.yaml` or the chain's pack.yaml);
/// - a decision the pack defines that declares no outcomes at all.
///
/// What the text cannot show (reads through an alias, results built elsewhere) the pack's tests catch:
/// `PackTestRunner` checks every result it gets the same way.
enum RuleLint {
    static func scan(_ pack: RulePack, in set: RuleSet, chain: [RulePack], decisionsDefined: [String]) -> [RuleProblem] {
        var problems: [RuleProblem] = []
        let names = set.vocabulary.names
        for (module, source) in pack.modules.sorted(by: { $0.key < $1.key }) {
            let file = pack.chunkName(of: module)
            let tokens = LuaTokens(source).tokens
            let own = decisionsDefined.filter { $0.hasPrefix(module + ".") }
            for decision in own where set.declaredOutcomes(decision, chain: chain).isEmpty {
                problems.append(RuleProblem(file: file, message:
                    "\(decision) declares no outcomes: declare them in decisions.yaml (beside facts.schema.json), or in pack.yaml (outcomes: { \(decision): [...] })"))
            }
            // A module may build results for any decision of its name (helpers national packs call):
            // an outcome it writes must be declared for one of them.
            let related = Set(own + set.decisions.decisions.map(\.name).filter { $0.hasPrefix(module + ".") }
                + chain.flatMap { $0.manifest.outcomes.keys.filter { $0.hasPrefix(module + ".") } })
            let declared = related.reduce(into: Set<String>()) { $0.formUnion(set.declaredOutcomes($1, chain: chain)) }
            for (index, token) in tokens.enumerated() where token.kind == .name {
                // facts.NAME and facts["NAME"]: a read of a fact.
                if token.text == "facts", index + 2 < tokens.count, !(index > 0 && tokens[index - 1].text == ".") {
                    let next = tokens[index + 1], key = tokens[index + 2]
                    let read: String?
                    if next.text == ".", key.kind == .name { read = key.text } else if next.text == "[", key.kind == .string { read = key.text } else { read = nil }
                    if let read, set.vocabulary.fact(read) == nil {
                        var message = "reads facts.\(read), which is not a fact of the vocabulary (\(set.vocabulary.file)): it is always absent"
                        if let near = Vocabulary.nearest(read, among: names) { message += "; did you mean '\(near)'?" }
                        problems.append(RuleProblem(file: file, line: key.line, message: message))
                    }
                }
                // outcome = "NAME": an outcome the module returns.
                if token.text == "outcome", !declared.isEmpty, index + 2 < tokens.count, tokens[index + 1].text == "=",
                   tokens[index + 2].kind == .string, !declared.contains(tokens[index + 2].text) {
                    let outcome = tokens[index + 2].text
                    var message = "outcome '\(outcome)' is not declared for \(related.sorted().joined(separator: " or "))"
                        + " (declared: \(declared.sorted().joined(separator: ", ")))"
                    if let near = Vocabulary.nearest(outcome, among: declared.sorted()) { message += "; did you mean '\(near)'?" }
                    problems.append(RuleProblem(file: file, line: tokens[index + 2].line, message: message
                        + ". A new outcome is declared in decisions.yaml, or in pack.yaml (outcomes:)"))
                }
            }
        }
        return problems
    }
}

/// Lua source as tokens (names, strings with their contents, one-character symbols), with comments
/// and numbers left out: enough to find `facts.x` and `outcome = "x"` without being fooled by a
/// comment or a string that mentions them.
struct LuaTokens {
    enum Kind { case name, string, symbol }

    struct Token {
        var kind: Kind
        var text: String
        var line: Int
    }

    private(set) var tokens: [Token] = []

    init(_ source: String) {
        let s = Array(source.utf8)
        var i = 0, line = 1
        func at(_ k: Int) -> UInt8 { k < s.count ? s[k] : 0 }
        // The level of a long bracket opening at `k` (`[[` is 0, `[==[` is 2), or nil.
        func longBracket(_ k: Int) -> Int? {
            guard at(k) == UInt8(ascii: "[") else { return nil }
            var j = k + 1, level = 0
            while at(j) == UInt8(ascii: "=") { level += 1; j += 1 }
            return at(j) == UInt8(ascii: "[") ? level : nil
        }
        // Skips a long bracket's body from `k` (just after the opening) and returns its text.
        func skipLong(_ k: inout Int, level: Int) -> String {
            let start = k
            while k < s.count {
                if s[k] == UInt8(ascii: "]") {
                    var j = k + 1, n = 0
                    while at(j) == UInt8(ascii: "=") { n += 1; j += 1 }
                    if n == level, at(j) == UInt8(ascii: "]") {
                        let text = String(decoding: s[start..<k], as: UTF8.self)
                        k = j + 1
                        return text
                    }
                }
                if s[k] == UInt8(ascii: "\n") { line += 1 }
                k += 1
            }
            return String(decoding: s[start...], as: UTF8.self)
        }
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\n") { line += 1; i += 1; continue }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") { i += 1; continue }
            if c == UInt8(ascii: "-"), at(i + 1) == UInt8(ascii: "-") {
                i += 2
                if let level = longBracket(i) {
                    i += level + 2
                    _ = skipLong(&i, level: level)
                } else {
                    while i < s.count, s[i] != UInt8(ascii: "\n") { i += 1 }
                }
                continue
            }
            if let level = longBracket(i) {
                let startLine = line
                i += level + 2
                tokens.append(Token(kind: .string, text: skipLong(&i, level: level), line: startLine))
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let startLine = line
                var text: [UInt8] = []
                i += 1
                while i < s.count, s[i] != c, s[i] != UInt8(ascii: "\n") {
                    if s[i] == UInt8(ascii: "\\"), i + 1 < s.count {
                        text.append(s[i + 1])
                        if s[i + 1] == UInt8(ascii: "\n") { line += 1 }
                        i += 2
                        continue
                    }
                    text.append(s[i])
                    i += 1
                }
                i += 1
                tokens.append(Token(kind: .string, text: String(decoding: text, as: UTF8.self), line: startLine))
                continue
            }
            if (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_") {
                let start = i
                while i < s.count, s[i] == UInt8(ascii: "_") || (s[i] >= UInt8(ascii: "a") && s[i] <= UInt8(ascii: "z"))
                        || (s[i] >= UInt8(ascii: "A") && s[i] <= UInt8(ascii: "Z")) || (s[i] >= UInt8(ascii: "0") && s[i] <= UInt8(ascii: "9")) {
                    i += 1
                }
                tokens.append(Token(kind: .name, text: String(decoding: s[start..<i], as: UTF8.self), line: line))
                continue
            }
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                while i < s.count, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: "_")
                        || (s[i] >= UInt8(ascii: "0") && s[i] <= UInt8(ascii: "9")) || (s[i] >= UInt8(ascii: "a") && s[i] <= UInt8(ascii: "z"))
                        || (s[i] >= UInt8(ascii: "A") && s[i] <= UInt8(ascii: "Z")) {
                    i += 1
                }
                continue
            }
            tokens.append(Token(kind: .symbol, text: String(UnicodeScalar(c)), line: line))
            i += 1
        }
    }
}
