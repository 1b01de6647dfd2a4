import LuaVM

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

    public var description: String {
        if let location { return "\(location): \(code): \(message)" }
        return "\(code): \(message)"
    }

    /// The description with the location's path after the rules directory, as the tools print paths.
    public func description(under directory: String) -> String {
        if let location { return "\(RuleProblem.path(location, under: directory)): \(code): \(message)" }
        return "\(code): \(message)"
    }
}
