import Foundation
import Yams

/// The decisions plugins ask the packs for, declared as data beside the fact vocabulary
/// (`decisions.yaml`): each decision's outcomes and the result fields people and plugins read. A pack
/// may add outcomes in its `pack.yaml` (`outcomes:`). `rules check`, `rules test` and a reload refuse
/// a result whose outcome is declared nowhere, so an invented outcome never reaches a case unnoticed.
public struct DecisionCatalog: Sendable {
    public struct Outcome: Sendable, Equatable {
        public let name: String
        public let description: String
    }

    public struct Field: Sendable, Equatable {
        public let name: String
        /// `text`, `boolean`, `integer`, `list` (of texts), `objects` (a list of objects) or `object`.
        public let type: String
        public let values: [String]?
        public let description: String
    }

    public struct Decision: Sendable {
        public let name: String
        public let description: String
        public let outcomes: [Outcome]
        public let fields: [Field]
    }

    static let fieldTypes: Set<String> = ["text", "boolean", "integer", "list", "objects", "object"]

    /// The file it was read from, as given; nil when there is none.
    public let file: String?
    /// In the order of the file.
    public let decisions: [Decision]

    public func decision(_ name: String) -> Decision? { decisions.first { $0.name == name } }

    public static let empty = DecisionCatalog(file: nil, decisions: [])

    /// `decisions.yaml` in `folder` (where the vocabulary is), or an empty catalog when there is none.
    static func load(inFolder folder: String) throws(RuleLoadError) -> DecisionCatalog {
        let file = folder.isEmpty || folder == "." ? "decisions.yaml" : (folder as NSString).appendingPathComponent("decisions.yaml")
        guard FileManager.default.fileExists(atPath: file) else { return .empty }
        return try load(file: file)
    }

    public static func load(file: String) throws(RuleLoadError) -> DecisionCatalog {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RuleLoadError(problems: [RuleProblem(file: file, message: "cannot read the declared decisions")])
        }
        let root: Yams.Node
        do { root = try YAMLDocument(String(decoding: data, as: UTF8.self), file: file).root } catch {
            throw RuleLoadError(problems: [error])
        }
        var problems: [RuleProblem] = []
        func problem(_ node: Yams.Node?, _ field: String, _ message: String) {
            problems.append(RuleProblem(file: file, line: node?.line ?? root.line, field: field, message: message))
        }
        guard case .mapping(let pairs) = root else {
            throw RuleLoadError(problems: [RuleProblem(file: file, line: root.line, message: "must map each decision's name to its declaration")])
        }
        var decisions: [Decision] = []
        for (key, node) in pairs {
            let name = key.string ?? "?"
            if name.split(separator: ".").count != 2 {
                problem(key, name, "'\(name)' is not a decision name (module.decision, such as identification.pathway)")
            }
            guard case .mapping(let members) = node else { problem(node, name, "must be a mapping with outcomes and fields"); continue }
            for (member, _) in members where !["description", "outcomes", "fields"].contains(member.string ?? "") {
                problem(member, "\(name).\(member.string ?? "?")", "unknown field (known: description, outcomes, fields)")
            }
            var outcomes: [Outcome] = []
            if case .mapping(let list)? = node.member("outcomes") {
                outcomes = list.map { Outcome(name: $0.key.string ?? "?", description: $0.value.string ?? "") }
            } else {
                problem(node.member("outcomes") ?? key, "\(name).outcomes", "must map each outcome to what it means")
            }
            var fields: [Field] = []
            if let fieldsNode = node.member("fields") {
                guard case .mapping(let list) = fieldsNode else { problem(fieldsNode, "\(name).fields", "must map each field to its type"); continue }
                for (fieldKey, spec) in list {
                    let fieldName = fieldKey.string ?? "?"
                    let type = spec.member("type")?.string ?? ""
                    if !fieldTypes.contains(type) {
                        problem(spec, "\(name).fields.\(fieldName)", "type '\(type)' is not one of \(fieldTypes.sorted().joined(separator: ", "))")
                    }
                    let values: [String]? = spec.member("values").flatMap { node in
                        guard case .sequence(let items) = node else { return nil }
                        return items.compactMap(\.string)
                    }
                    fields.append(Field(name: fieldName, type: type, values: values, description: spec.member("description")?.string ?? ""))
                }
            }
            decisions.append(Decision(name: name, description: node.member("description")?.string ?? "", outcomes: outcomes, fields: fields))
        }
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        return DecisionCatalog(file: file, decisions: decisions)
    }
}

extension RuleSet {
    /// The outcomes `decision` may return for a pack in force with its parents: those `decisions.yaml`
    /// declares and those every pack of the chain adds. Empty when it is declared nowhere.
    public func declaredOutcomes(_ decision: String, chain: [RulePack]) -> Set<String> {
        var outcomes = Set(decisions.decision(decision)?.outcomes.map(\.name) ?? [])
        for pack in chain { outcomes.formUnion(pack.manifest.outcomes[decision] ?? []) }
        return outcomes
    }
}
