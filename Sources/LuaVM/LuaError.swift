/// A failure of Lua code: what kind, the message, and where (`chunk:line`) when known.
///
/// The message never contains facts: rules see personal data, errors only describe code.
public struct LuaError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The chunk does not compile (or is bytecode, which is refused).
        case syntax
        /// The script raised an error or misused a value.
        case runtime
        /// The per-call instruction budget ran out.
        case instructionBudget = "instruction_budget"
        /// The per-state memory cap was reached.
        case memory
        /// The per-call wall-clock cap was reached.
        case time
        /// A value cannot cross between Swift and Lua (malformed JSON, a cycle, a function...).
        case marshal
    }

    public var kind: Kind
    /// Lua's own text, without the location.
    public var message: String
    /// `chunkname:line`, for example `TH/identification.lua:42`.
    public var location: String?
    /// Where the error was raised, innermost first: `TH/legal_aid.lua:25 in function
    /// 'legal_aid.eligibility'`, one frame a string, only Lua code of modules (not C, not the host's
    /// hooks). At most 10 innermost and 3 outermost frames, with `... N more levels` between; a
    /// line `(...tail calls...)` where a tail call replaced frames. Empty for memory errors.
    public var traceback: [String]

    public init(kind: Kind, message: String, location: String? = nil, traceback: [String] = []) {
        self.kind = kind
        self.message = message
        self.location = location
        self.traceback = traceback
    }

    /// True for the limits a script cannot catch: instructions, memory, time.
    public var isLimit: Bool { kind == .instructionBudget || kind == .memory || kind == .time }

    public var description: String {
        let text = location.map { "\($0): \(kind.rawValue): \(message)" } ?? "\(kind.rawValue): \(message)"
        return text + LuaError.describe(traceback)
    }

    /// ` (traceback: a <- b <- c)`, or nothing: how descriptions show a traceback on one line.
    public static func describe(_ traceback: [String]) -> String {
        traceback.isEmpty ? "" : " (traceback: \(traceback.joined(separator: " <- ")))"
    }
}
