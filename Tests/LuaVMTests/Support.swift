import GloJSON
import LuaVM

/// A sandbox with one module `t/m` whose functions are the given Lua source's.
func sandbox(module source: String, limits: LuaLimits = .default) throws -> LuaSandbox {
    let sandbox = try LuaSandbox(limits: limits)
    try sandbox.addModule("t/m", searchPath: ["t"], source: source, chunkName: "t/m.lua")
    return sandbox
}

extension LuaSandbox {
    /// Calls `key` of module `t/m`.
    func call(_ key: String, _ facts: JSONValue = [:], context: JSONValue = ["date": "2026-01-01"],
              trackReads: Bool = false) throws -> JSONValue {
        guard let function = try lookup(module: "m", key: key, searchPath: ["t"]) else {
            throw LuaError(kind: .runtime, message: "test module has no \(key)")
        }
        return try call(function, facts: facts, context: context, trackReads: trackReads).result
    }

    /// The error `body` throws, or nil.
    func failure(_ body: (LuaSandbox) throws -> Void) -> LuaError? {
        do {
            try body(self)
            return nil
        } catch let error as LuaError {
            return error
        } catch {
            return LuaError(kind: .runtime, message: "unexpected \(error)")
        }
    }

    /// Proves the state still works: a fresh chunk runs and returns what it should.
    func stillUsable() throws -> Bool {
        try run("local t = {} for i = 1, 100 do t[i] = i * 2 end return t[100] + #('ok')") == .int(202)
    }
}
