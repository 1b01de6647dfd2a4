import CLuaSandbox
public import GloJSON

/// A function found in a loaded module, ready to be called on the sandbox that found it.
public struct LuaFunction: Sendable, Hashable {
    let ref: Int32
    /// The pack whose module defines the function (a child pack may inherit it from a parent).
    public let definedIn: String
}

/// What a decision read of its facts: every key it looked up, and those that were absent.
public struct FactReads: Sendable, Equatable {
    public var read: [String]
    public var missing: [String]

    public init(read: [String], missing: [String]) {
        self.read = read
        self.missing = missing
    }
}

/// One sandboxed Lua state (see `glo_sandbox.h` for what the sandbox allows).
///
/// A state is owned by one thread or actor at a time: it is `Sendable` so that a pool can hand it
/// from one owner to the next, never so that two can use it at once. `LuaSandboxPool` keeps that
/// rule.
///
/// Globals a call writes are cleared before the next call: each module's functions read globals
/// from a per-call environment that is emptied in place when a call wrote to it. A call that
/// writes no global pays nothing for this; one that does pays one table walk. Module-level `local`
/// variables, however, live as long as the state.
public final class LuaSandbox: @unchecked Sendable {
    private let handle: OpaquePointer
    private var out = glo_buffer()
    private var explain = glo_buffer()
    private var status = glo_status()
    private var functionCache: [String: LuaFunction?] = [:]
    /// The caps given at creation; `limits` may be lowered below them, never raised above.
    public let caps: LuaLimits
    public private(set) var limits: LuaLimits

    public init(limits: LuaLimits = .default) throws(LuaError) {
        var status = glo_status()
        glo_status_init(&status)
        defer { glo_status_free(&status) }
        var c = limits.c
        guard let handle = glo_sandbox_new(&c, &status) else { throw LuaSandbox.error(from: status) }
        self.handle = handle
        self.caps = limits
        self.limits = limits
        glo_buffer_init(&out)
        glo_buffer_init(&explain)
        glo_status_init(&self.status)
    }

    deinit {
        glo_sandbox_free(handle)
        glo_buffer_free(&out)
        glo_buffer_free(&explain)
        glo_status_free(&status)
    }

    /// Lowers the limits of later calls; a bound above the caps is clamped to the cap.
    public func setLimits(_ requested: LuaLimits) {
        limits = caps.lowered(to: requested)
        var c = limits.c
        glo_sandbox_set_limits(handle, &c)
    }

    /// Bytes the state holds now.
    public var memoryInUse: Int { glo_sandbox_memory(handle) }

    /// What `print` wrote during the last call, failed or not: at most 64 KiB, then a line
    /// `[print: output over 65536 bytes dropped, from FILE:LINE on]`. It may hold facts: for the
    /// rule's author only, never for logs or API answers.
    public var diagnostics: String {
        let buffer = glo_sandbox_diagnostics(handle)!.pointee
        guard buffer.len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: buffer.data, count: buffer.len), as: UTF8.self)
    }

    /// The call tree of the last call made with `trace: true` that succeeded, nil otherwise (see
    /// `glo_sandbox_trace`): `{decision, pack, file, line, result, facts_read, facts_missing,
    /// calls: [...]}`.
    public var trace: JSONValue? {
        let buffer = glo_sandbox_trace(handle)!.pointee
        guard buffer.len > 0 else { return nil }
        return try? JSONParser.parse(UnsafeRawBufferPointer(start: buffer.data, count: buffer.len).assumingMemoryBound(to: UInt8.self))
    }

    // MARK: Modules

    /// Registers a module without running it. `fullName` is `PACK/name`; `searchPath` lists the
    /// packs its `require` may reach, nearest first (its own pack, then its parents).
    public func addModule(_ fullName: String, searchPath: [String], source: String, chunkName: String) throws(LuaError) {
        var source = source
        let rc = source.withUTF8 { code in
            glo_sandbox_add_module(handle, fullName, searchPath.joined(separator: "\n"),
                                   code.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                   code.count, chunkName, &status)
        }
        try check(rc)
    }

    /// Finds `key` of module `name` along `searchPath`, compiling and running modules on first use.
    /// Returns nil when no pack on the path defines it.
    public func lookup(module name: String, key: String, searchPath: [String]) throws(LuaError) -> LuaFunction? {
        var definedIn = [CChar](repeating: 0, count: 128)
        let ref = glo_sandbox_lookup(handle, searchPath.joined(separator: "\n"), name, key, &definedIn, definedIn.count, &status)
        try check(ref)
        guard ref > 0 else { return nil }
        let pack = definedIn.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return LuaFunction(ref: ref, definedIn: pack)
    }

    /// `lookup`, remembered for this sandbox: a function reference is valid only in the sandbox
    /// that found it, so each sandbox keeps its own.
    public func lookupCached(module name: String, key: String, searchPath: [String]) throws(LuaError) -> LuaFunction? {
        let cacheKey = "\(searchPath.joined(separator: ">"))|\(name).\(key)"
        if let known = functionCache[cacheKey] { return known }
        let function = try lookup(module: name, key: key, searchPath: searchPath)
        functionCache[cacheKey] = function
        return function
    }

    /// The public function names (not starting with `_`) of a registered module, sorted.
    public func functionNames(inModule fullName: String) throws(LuaError) -> [String] {
        try check(glo_sandbox_module_keys(handle, fullName, &out, &status))
        guard out.len > 0 else { return [] }
        return String(decoding: outBytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Installs trusted host code: a chunk returning `{ before = function(facts, ctx), after =
    /// function(result, reads, ctx) }`. `after` may return a second value `true` to have the call
    /// run again with reads tracked.
    public func setHostHooks(_ source: String) throws(LuaError) {
        var source = source
        let rc = source.withUTF8 { code in
            glo_sandbox_set_host_hooks(handle, code.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                       code.count, &status)
        }
        try check(rc)
    }

    // MARK: Calls

    /// Calls `function(facts, ctx)` and returns its result as a Swift value, and the facts it read
    /// when `trackReads` or `trace` is set. With `trace`, `trace` holds the call tree afterwards.
    public func call(_ function: LuaFunction, facts: JSONValue, context: JSONValue, trackReads: Bool = false, trace: Bool = false)
        throws(LuaError) -> (result: JSONValue, reads: FactReads?)
    {
        let factsText = JSONWriter.bytes(facts, sortKeys: false)
        let contextText = JSONWriter.bytes(context)
        return try factsText.withUnsafeBytes { facts in
            Result { () throws(LuaError) in
                try callJSON(function, facts: facts, context: contextText, trackReads: trackReads, trace: trace) {
                    (result, explanation) throws(LuaError) in
                    (try parse(result), try explanation.map { (bytes) throws(LuaError) in try parseReads(bytes) })
                }
            }
        }.get()
    }

    /// Calls `function(facts, ctx)` with facts and context given as JSON text, and hands the
    /// result's JSON text (and the reads as `{"facts_missing":[...],"facts_read":[...]}`) to `body`, valid only
    /// during `body`. This is the batch path: no Swift value is built. `trace` tracks the reads
    /// too, and records the call tree (`trace`).
    public func callJSON<R>(
        _ function: LuaFunction, facts: UnsafeRawBufferPointer, context: [UInt8], trackReads: Bool, trace: Bool = false,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws(LuaError) -> R
    ) throws(LuaError) -> R {
        let flags = (trackReads ? GLO_CALL_TRACK_READS : 0) | (trace ? GLO_CALL_TRACE : 0)
        let rc = context.withUnsafeBytes { ctx in
            glo_sandbox_call(handle, function.ref,
                             facts.baseAddress?.assumingMemoryBound(to: CChar.self), facts.count,
                             ctx.baseAddress?.assumingMemoryBound(to: CChar.self), ctx.count,
                             Int32(flags), &out, &explain, &status)
        }
        try check(rc)
        let reads = trackReads || trace ? UnsafeRawBufferPointer(start: explain.data, count: explain.len) : nil
        return try body(outBytes, reads)
    }

    /// Runs a chunk in a fresh environment over the read-only base, under the limits, and returns
    /// its first result.
    @discardableResult
    public func run(_ code: String, chunkName: String = "chunk") throws(LuaError) -> JSONValue {
        var code = code
        let rc = code.withUTF8 { text in
            glo_sandbox_run(handle, text.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                            text.count, chunkName, &out, &status)
        }
        try check(rc)
        return try parse(outBytes)
    }

    // MARK: Plumbing

    private var outBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: out.data, count: out.len) }

    private func check(_ rc: Int32) throws(LuaError) {
        if rc < 0 { throw LuaSandbox.error(from: status) }
    }

    private func parse(_ bytes: UnsafeRawBufferPointer) throws(LuaError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes.assumingMemoryBound(to: UInt8.self))
        } catch {
            throw LuaError(kind: .marshal, message: "result is not valid JSON: \(error)")
        }
    }

    private func parseReads(_ bytes: UnsafeRawBufferPointer) throws(LuaError) -> FactReads {
        let value = try parse(bytes)
        return FactReads(read: value["facts_read"]?.stringArray ?? [], missing: value["facts_missing"]?.stringArray ?? [])
    }

    static func error(from status: glo_status) -> LuaError {
        let kind: LuaError.Kind = switch status.kind {
        case GLO_ERR_SYNTAX: .syntax
        case GLO_ERR_INSTRUCTIONS: .instructionBudget
        case GLO_ERR_MEMORY: .memory
        case GLO_ERR_TIME: .time
        case GLO_ERR_MARSHAL: .marshal
        default: .runtime
        }
        let message = status.message.len > 0
            ? String(decoding: UnsafeRawBufferPointer(start: status.message.data, count: status.message.len), as: UTF8.self)
            : "unknown error"
        let location = withUnsafeBytes(of: status.location) { raw in
            String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        let traceback = String(decoding: UnsafeRawBufferPointer(start: status.traceback.data, count: status.traceback.len), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        return LuaError(kind: kind, message: message, location: location.isEmpty ? nil : location, traceback: traceback)
    }
}
