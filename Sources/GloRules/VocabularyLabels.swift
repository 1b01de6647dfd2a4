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

    static let knownFields: Set<String> = ["language", "name", "draft", "facts", "values"]

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
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        return VocabularyLabels(language: language, name: root.member("name")?.string ?? language,
                                draft: root.member("draft")?.bool ?? false, facts: facts, values: values)
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

    /// The languages there are labels for, English first.
    public var languages: [VocabularyLabels] {
        labels.values.sorted { ($0.language == "en" ? 0 : 1, $0.language) < ($1.language == "en" ? 0 : 1, $1.language) }
    }
}
