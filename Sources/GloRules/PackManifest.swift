public import LuaVM
import Yams

/// A pack's `pack.yaml`: who it is, which pack it extends and when it is in force.
public struct PackManifest: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case reviewed, draft, baseline
    }

    public var id: String
    public var name: String
    public var version: String
    public var extends: String?
    /// Both inclusive; nil is open-ended.
    public var effectiveFrom: CalendarDate?
    public var effectiveTo: CalendarDate?
    public var status: Status
    public var languages: [String]
    public var description: String?
    /// What a country team still has to add.
    public var todo: [String]
    /// Limits the pack asks for; they can only lower the host's.
    public var limits: LuaLimits?
    /// Outcomes the pack declares, by decision: added to those of `decisions.yaml`, or all the outcomes
    /// of a decision of the pack's own. Child packs inherit them.
    public var outcomes: [String: [String]] = [:]

    public func isInForce(at date: CalendarDate) -> Bool {
        if let from = effectiveFrom, date < from { return false }
        if let to = effectiveTo, to < date { return false }
        return true
    }

    static let knownFields: Set<String> = [
        "id", "name", "version", "extends", "effective_from", "effective_to", "status", "languages",
        "description", "todo", "limits", "outcomes",
    ]

    /// Reads and validates a manifest. Every problem is reported, each naming file, line and field.
    static func parse(_ text: String, file: String, hostLimits: LuaLimits) throws(RuleLoadError) -> PackManifest {
        let root: Yams.Node
        do {
            root = try YAMLDocument(text, file: file).root
        } catch {
            throw RuleLoadError(problems: [error])
        }
        var problems: [RuleProblem] = []
        func problem(_ field: String, _ node: Yams.Node?, _ message: String) {
            problems.append(RuleProblem(file: file, line: node?.line ?? root.line, field: field, message: message))
        }
        guard case .mapping(let pairs) = root else {
            throw RuleLoadError(problems: [RuleProblem(file: file, line: root.line, message: "must be a mapping of fields")])
        }
        for (key, _) in pairs where !knownFields.contains(key.string ?? "") {
            problem(key.string ?? "?", key, "unknown field (known: \(knownFields.sorted().joined(separator: ", ")))")
        }
        func string(_ field: String, required: Bool) -> String? {
            guard let node = root.member(field) else {
                if required { problem(field, nil, "required") }
                return nil
            }
            guard case .scalar = node, let value = node.string, !value.isEmpty else {
                problem(field, node, "must be a non-empty text")
                return nil
            }
            return value
        }
        func date(_ field: String) -> CalendarDate? {
            guard let text = string(field, required: false) else { return nil }
            guard let date = CalendarDate(text) else {
                problem(field, root.member(field), "'\(text)' is not an ISO date (YYYY-MM-DD)")
                return nil
            }
            return date
        }
        func list(_ field: String) -> [String] {
            guard let node = root.member(field) else { return [] }
            guard case .sequence(let items) = node else {
                problem(field, node, "must be a list")
                return []
            }
            return items.compactMap { item in
                guard let s = item.string, case .scalar = item else {
                    problem(field, item, "every item must be a text (quote an item that holds \": \")")
                    return nil
                }
                return s
            }
        }

        let id = string("id", required: true) ?? ""
        if !id.isEmpty, !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
            problem("id", root.member("id"), "'\(id)' may hold only letters, digits, '_' and '-'")
        }
        let name = string("name", required: true) ?? ""
        let version = string("version", required: true) ?? ""
        let extends = string("extends", required: false)
        if let extends, extends == id { problem("extends", root.member("extends"), "a pack cannot extend itself") }
        let from = date("effective_from")
        let to = date("effective_to")
        if let from, let to, to < from {
            problem("effective_to", root.member("effective_to"), "\(to) is before effective_from \(from)")
        }
        var status = Status.draft
        if let text = string("status", required: false) {
            if let s = Status(rawValue: text) { status = s } else {
                problem("status", root.member("status"), "'\(text)' is not one of \(Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let languages = list("languages")
        let todo = list("todo")
        let description = string("description", required: false)
        var limits: LuaLimits?
        if let node = root.member("limits") {
            var requested = hostLimits
            if case .mapping(let limitPairs) = node {
                for (key, value) in limitPairs {
                    let field = "limits.\(key.string ?? "?")"
                    guard let n = value.int, n > 0 else { problem(field, value, "must be a positive integer"); continue }
                    switch key.string {
                    case "instructions": requested.instructions = Int64(n)
                    case "memory_bytes": requested.memoryBytes = n
                    case "wall_ms": requested.wallClock = .milliseconds(n)
                    case "max_string_bytes": requested.maxStringBytes = n
                    default: problem(field, key, "unknown limit (known: instructions, memory_bytes, wall_ms, max_string_bytes)")
                    }
                }
            } else {
                problem("limits", node, "must be a mapping")
            }
            limits = hostLimits.lowered(to: requested)
        }
        var outcomes: [String: [String]] = [:]
        if let node = root.member("outcomes") {
            if case .mapping(let byDecision) = node {
                for (key, value) in byDecision {
                    let decision = key.string ?? "?"
                    let field = "outcomes.\(decision)"
                    if decision.split(separator: ".").count != 2 {
                        problem(field, key, "'\(decision)' is not a decision name (module.decision, such as identification.pathway)")
                    }
                    guard case .sequence(let items) = value, items.allSatisfy({ $0.string != nil }) else {
                        problem(field, value, "must be a list of outcome names")
                        continue
                    }
                    outcomes[decision] = items.compactMap(\.string)
                }
            } else {
                problem("outcomes", node, "must map decisions to lists of outcomes (identification.pathway: [transported])")
            }
        }
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        var manifest = PackManifest(id: id, name: name, version: version, extends: extends, effectiveFrom: from,
                                    effectiveTo: to, status: status, languages: languages, description: description,
                                    todo: todo, limits: limits)
        manifest.outcomes = outcomes
        return manifest
    }
}
