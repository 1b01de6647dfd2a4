import Foundation
import Yams

/// What a caseworker reads instead of the vocabulary's codes, in one language: a label for each fact
/// and each allowed value. Read from `labels/<language>.yaml` beside the vocabulary file, one file per
/// language, so a translator edits one file and nothing else; reloaded with the rules.
public struct VocabularyLabels: Sendable {
    /// The language code (`lo`) and its name in itself (`ພາສາລາວ`).
    public let language: String
    public let name: String
    /// A first draft, not yet reviewed by a native speaker: the UI says so.
    public let draft: Bool
    public let facts: [String: String]
    /// Per fact, per value.
    public let values: [String: [String: String]]
    /// Per decision: its name, its outcomes, its result fields and their values.
    public let decisions: [String: DecisionLabels]
    /// Per kind of status (`case_status`, `trafficking_status`), per value.
    public let statuses: [String: [String: String]]

    /// The labels of one decision (`decisions.<name>` in the file).
    public struct DecisionLabels: Sendable {
        public var label: String?
        public var outcomes: [String: String] = [:]
        public var fields: [String: String] = [:]
        /// Per result field, per value.
        public var values: [String: [String: String]] = [:]
    }

    static let knownFields: Set<String> = ["language", "name", "draft", "facts", "values", "decisions", "statuses"]

    /// Reads one language's file; every label must name a fact (and a value) the vocabulary has, so a
    /// typo is reported with its line rather than silently leaving a code on the page.
    static func load(file: String, for vocabulary: Vocabulary) throws(RuleLoadError) -> VocabularyLabels {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RuleLoadError(problems: [RuleProblem(file: file, message: "cannot read the labels")])
        }
        let root: Yams.Node
        do { root = try YAMLDocument(String(decoding: data, as: UTF8.self), file: file).root } catch {
            throw RuleLoadError(problems: [error])
        }
        var problems: [RuleProblem] = []
        func problem(_ node: Yams.Node?, _ field: String?, _ message: String) {
            problems.append(RuleProblem(file: file, line: node?.line ?? root.line, field: field, message: message))
        }
        guard case .mapping(let pairs) = root else {
            throw RuleLoadError(problems: [RuleProblem(file: file, line: root.line, message: "must be a mapping of fields")])
        }
        for (key, _) in pairs where !knownFields.contains(key.string ?? "") {
            problem(key, key.string, "unknown field (known: \(knownFields.sorted().joined(separator: ", ")))")
        }
        let language = root.member("language")?.string ?? ""
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        if language != stem { problem(root.member("language"), "language", "must be '\(stem)', the file's name") }

        func texts(_ node: Yams.Node?, _ field: String, allowed: (String) -> String?) -> [String: String] {
            guard let node else { return [:] }
            guard case .mapping(let pairs) = node else {
                problem(node, field, "must be a mapping of codes to labels")
                return [:]
            }
            var out: [String: String] = [:]
            for (key, value) in pairs {
                let code = key.string ?? ""
                if let wrong = allowed(code) { problem(key, "\(field).\(code)", wrong); continue }
                guard let text = value.string, !text.isEmpty else { problem(value, "\(field).\(code)", "must be a non-empty text"); continue }
                out[code] = text
            }
            return out
        }
        let facts = texts(root.member("facts"), "facts") { name in
            vocabulary.fact(name) == nil ? Self.notAFact(name, vocabulary) : nil
        }
        var values: [String: [String: String]] = [:]
        if let node = root.member("values") {
            if case .mapping(let byFact) = node {
                for (key, list) in byFact {
                    let name = key.string ?? ""
                    guard let fact = vocabulary.fact(name) else { problem(key, "values.\(name)", Self.notAFact(name, vocabulary)); continue }
                    guard let allowed = fact.values else { problem(key, "values.\(name)", "\(name) has no list of allowed values"); continue }
                    values[name] = texts(list, "values.\(name)") { value in
                        allowed.contains(value) ? nil : "'\(value)' is not a value of \(name) (it has: \(allowed.joined(separator: ", ")))"
                    }
                }
            } else {
                problem(node, "values", "must be a mapping of facts to their values' labels")
            }
        }
        // Decisions and statuses: their names are checked against Config/decisions.yaml by the tests, which
        // also check that every language labels every one.
        func nested(_ node: Yams.Node?, _ field: String) -> [String: [String: String]] {
            guard let node else { return [:] }
            guard case .mapping(let pairs) = node else {
                problem(node, field, "must be a mapping of names to their labels")
                return [:]
            }
            var out: [String: [String: String]] = [:]
            for (key, value) in pairs {
                let name = key.string ?? ""
                out[name] = texts(value, "\(field).\(name)") { _ in nil }
            }
            return out
        }
        var decisions: [String: DecisionLabels] = [:]
        if let node = root.member("decisions") {
            if case .mapping(let pairs) = node {
                for (key, value) in pairs {
                    let name = key.string ?? ""
                    let field = "decisions.\(name)"
                    guard case .mapping(let parts) = value else { problem(value, field, "must be a mapping: label, outcomes, fields, values"); continue }
                    for (part, _) in parts where !["label", "outcomes", "fields", "values"].contains(part.string ?? "") {
                        problem(part, "\(field).\(part.string ?? "")", "unknown field (known: fields, label, outcomes, values)")
                    }
                    decisions[name] = DecisionLabels(label: value.member("label")?.string,
                                                     outcomes: texts(value.member("outcomes"), "\(field).outcomes") { _ in nil },
                                                     fields: texts(value.member("fields"), "\(field).fields") { _ in nil },
                                                     values: nested(value.member("values"), "\(field).values"))
                }
            } else {
                problem(node, "decisions", "must be a mapping of decisions to their labels")
            }
        }
        let statuses = nested(root.member("statuses"), "statuses")
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        return VocabularyLabels(language: language, name: root.member("name")?.string ?? language,
                                draft: root.member("draft")?.bool ?? false, facts: facts, values: values,
                                decisions: decisions, statuses: statuses)
    }

    static func notAFact(_ name: String, _ vocabulary: Vocabulary) -> String {
        "'\(name)' is not a fact of the vocabulary" + (Vocabulary.nearest(name, among: vocabulary.names).map { " (did you mean '\($0)'?)" } ?? "")
    }
}

extension Vocabulary {
    /// The labels of every language found in `folder` (`labels/*.yaml` beside the vocabulary).
    static func loadLabels(in folder: String, for vocabulary: Vocabulary) throws(RuleLoadError) -> [String: VocabularyLabels] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        var labels: [String: VocabularyLabels] = [:]
        var problems: [RuleProblem] = []
        for file in files {
            do {
                let loaded = try VocabularyLabels.load(file: (folder as NSString).appendingPathComponent(file), for: vocabulary)
                labels[loaded.language] = loaded
            } catch {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        return labels
    }

    /// The label of a fact in `language`, else in English, else its code.
    public func label(fact name: String, in language: String) -> String {
        labels[language]?.facts[name] ?? labels["en"]?.facts[name] ?? name
    }

    /// The label of one value of a fact in `language`, else in English, else the value itself.
    public func label(value: String, of fact: String, in language: String) -> String {
        labels[language]?.values[fact]?[value] ?? labels["en"]?.values[fact]?[value] ?? value
    }

    /// A decision's name as a caseworker reads it, in `language`, else in English, else its code.
    public func label(decision: String, in language: String) -> String {
        labels[language]?.decisions[decision]?.label ?? labels["en"]?.decisions[decision]?.label ?? decision
    }

    /// An outcome of a decision, in `language`, else in English, else its code.
    public func label(outcome: String, of decision: String, in language: String) -> String {
        labels[language]?.decisions[decision]?.outcomes[outcome] ?? labels["en"]?.decisions[decision]?.outcomes[outcome] ?? outcome
    }

    /// A result field of a decision, in `language`, else in English; nil when it has none.
    public func label(field: String, of decision: String, in language: String) -> String? {
        labels[language]?.decisions[decision]?.fields[field] ?? labels["en"]?.decisions[decision]?.fields[field]
    }

    /// A value of a decision's result field, in `language`, else in English; nil when it has none.
    public func label(value: String, ofField field: String, of decision: String, in language: String) -> String? {
        labels[language]?.decisions[decision]?.values[field]?[value] ?? labels["en"]?.decisions[decision]?.values[field]?[value]
    }

    /// A status (`case_status`, `trafficking_status`), in `language`, else in English, else its code.
    public func label(status value: String, kind: String, in language: String) -> String {
        labels[language]?.statuses[kind]?[value] ?? labels["en"]?.statuses[kind]?[value] ?? value
    }

    /// Whether `language`'s labels are a draft a native speaker has not reviewed yet.
    public func isDraft(_ language: String) -> Bool { labels[language]?.draft ?? false }

    /// The languages there are labels for, English first.
    public var languages: [VocabularyLabels] {
        labels.values.sorted { ($0.language == "en" ? 0 : 1, $0.language) < ($1.language == "en" ? 0 : 1, $1.language) }
    }
}
