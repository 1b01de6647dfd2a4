/// The bounds every call runs under. A pack or the config may lower them, never raise them past
/// the caps the sandbox was created with.
public struct LuaLimits: Sendable, Equatable {
    /// Lua VM instructions per call, plus the work of pattern matching and other C library calls.
    public var instructions: Int64
    /// Bytes the whole state may hold: code, modules and the call's data.
    public var memoryBytes: Int
    /// Wall-clock time per call.
    public var wallClock: Duration
    /// The largest string one library call (`string.rep`, `gsub`) may build.
    public var maxStringBytes: Int

    public init(instructions: Int64, memoryBytes: Int, wallClock: Duration, maxStringBytes: Int) {
        self.instructions = instructions
        self.memoryBytes = memoryBytes
        self.wallClock = wallClock
        self.maxStringBytes = maxStringBytes
    }

    /// The host's defaults: generous for rules (a decision takes a few thousand instructions and a
    /// few KiB), tight enough that a runaway script stops within a fraction of a second.
    public static let `default` = LuaLimits(
        instructions: 10_000_000,
        memoryBytes: 64 << 20,
        wallClock: .milliseconds(500),
        maxStringBytes: 1 << 20
    )

    /// The smaller of each bound.
    public func lowered(to other: LuaLimits) -> LuaLimits {
        LuaLimits(
            instructions: min(instructions, other.instructions),
            memoryBytes: min(memoryBytes, other.memoryBytes),
            wallClock: min(wallClock, other.wallClock),
            maxStringBytes: min(maxStringBytes, other.maxStringBytes)
        )
    }

    var c: glo_limits {
        let (seconds, attoseconds) = wallClock.components
        return glo_limits(
            instructions: instructions,
            memory_bytes: memoryBytes,
            wall_ns: seconds * 1_000_000_000 + attoseconds / 1_000_000_000,
            max_string_bytes: maxStringBytes
        )
    }
}

import CLuaSandbox
