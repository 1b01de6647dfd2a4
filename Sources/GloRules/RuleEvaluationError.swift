public import GloJSON
public import LuaVM

/// Why a decision could not be made. `code` is the stable name tools see in `rules eval` output.
public enum RuleEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownJurisdiction(String, known: [String])
    case noPackInForce(jurisdiction: String, date: CalendarDate)
    case unknownDecision(String, jurisdiction: String, available: [String])
    /// The jurisdiction's pack, or one it extends, has problems: `rules check` lists them.
    case brokenPack(String, problems: [RuleProblem])
    /// The facts are not a JSON object.
    case invalidFacts(String)
    /// The facts break the vocabulary: facts it lacks, values of the wrong type or not allowed.
    case factProblems([FactProblem])
    /// The rule failed: its Lua error, with the location relative to the rules directory.
    case rule(LuaError)
    /// The rule returned something that is not a decision result.
    case invalidResult(String, location: String?)

    /// The caller named something no rules answer (a jurisdiction, a decision, a date before any pack)
    /// or gave facts that are not an object: its input is wrong, no rule failed.
    public var isCallersMistake: Bool {
        switch self {
        case .unknownJurisdiction, .noPackInForce, .unknownDecision, .invalidFacts, .factProblems: true
        case .brokenPack, .rule, .invalidResult: false
        }
    }

    public var code: String {
        switch self {
        case .unknownJurisdiction: "unknown_jurisdiction"
        case .noPackInForce: "no_pack_in_force"
        case .unknownDecision: "unknown_decision"
        case .brokenPack: "broken_pack"
        case .invalidFacts, .factProblems: "invalid_facts"
        case .rule(let error): error.kind.rawValue
        case .invalidResult: "invalid_result"
        }
    }

    public var message: String {
        switch self {
        case .unknownJurisdiction(let id, let known):
            "no rule pack for jurisdiction '\(id)' (known: \(known.joined(separator: ", ")))"
        case .noPackInForce(let id, let date):
            "no version of the \(id) pack is in force on \(date)"
        case .brokenPack(let id, let problems):
            "the \(id) pack cannot be used: " + problems.prefix(3).map(\.description).joined(separator: "; ")
                + (problems.count > 3 ? "; and \(problems.count - 3) more (rules check lists them)" : "")
        case .unknownDecision(let name, let jurisdiction, let available):
            "the \(jurisdiction) pack has no decision '\(name)' (it has: \(available.joined(separator: ", ")))"
        case .invalidFacts(let message): message
        case .factProblems(let problems): problems.map(\.description).joined(separator: "; ")
        case .rule(let error): error.message
        case .invalidResult(let message, _): message
        }
    }

    public var location: String? {
        switch self {
        case .rule(let error): error.location
        case .invalidResult(_, let location): location
        default: nil
        }
    }

    /// Where the rule's error was raised, innermost first, each `file:line in function 'name'`
    /// (see `LuaError.traceback`); empty for errors that are not the rule's own. Kept apart from
    /// `message`: an API answer may show the message, never this.
    public var traceback: [String] {
        if case .rule(let error) = self { return error.traceback }
        return []
    }

    public var description: String {
        let text = location.map { "\($0): \(code): \(message)" } ?? "\(code): \(message)"
        return text + LuaError.describe(traceback)
    }

    /// `{"code", "message", "location", "traceback", "problems"}` as the `rules` commands print an
    /// error, with `location` under `directory` when given; facts that break the vocabulary are
    /// listed in `problems`, each with its `field`.
    public func json(under directory: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let location { members["location"] = .string(directory.map { RuleProblem.path(location, under: $0) } ?? location) }
        if !traceback.isEmpty { members["traceback"] = .array(traceback(under: directory).map(JSONValue.string)) }
        if case .factProblems(let problems) = self {
            members["problems"] = .array(problems.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        }
        return .object(members)
    }

    /// The description with the location's path after the rules directory, as the tools print paths.
    public func description(under directory: String) -> String {
        let text = location.map { "\(RuleProblem.path($0, under: directory)): \(code): \(message)" } ?? "\(code): \(message)"
        return text + LuaError.describe(traceback(under: directory))
    }

    /// The traceback with each frame's file under `directory`, as the location is.
    func traceback(under directory: String?) -> [String] {
        guard let directory else { return traceback }
        // A frame reads `file:line in function 'name'`; the markers for elided frames start otherwise.
        return traceback.map { $0.hasPrefix("(") || $0.hasPrefix("...") ? $0 : RuleProblem.path($0, under: directory) }
    }
}
