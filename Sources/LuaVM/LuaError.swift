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
    public var message: String
    /// `chunkname:line`, for example `TH/identification.lua:42`.
    public var location: String?

    public init(kind: Kind, message: String, location: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// True for the limits a script cannot catch: instructions, memory, time.
    public var isLimit: Bool { kind == .instructionBudget || kind == .memory || kind == .time }

    public var description: String {
        if let location { return "\(location): \(kind.rawValue): \(message)" }
        return "\(kind.rawValue): \(message)"
    }
}
