import Foundation

/// Sandboxes of one jurisdiction, so that several cores evaluate at once while each state has one
/// owner at a time. States are made on demand, up to `capacity`; a caller that finds them all busy
/// waits for one.
public final class LuaSandboxPool: @unchecked Sendable {
    public let capacity: Int
    private let make: @Sendable () throws(LuaError) -> LuaSandbox
    private let condition = NSCondition()
    private var idle: [LuaSandbox] = []
    private var created = 0

    /// `make` builds a ready state (modules registered, hooks installed); it runs outside the
    /// pool's lock.
    public init(capacity: Int, make: @escaping @Sendable () throws(LuaError) -> LuaSandbox) {
        precondition(capacity > 0, "a pool needs room for at least one state")
        self.capacity = capacity
        self.make = make
    }

    /// Runs `body` with a state that no one else uses meanwhile.
    public func withSandbox<R, E: Error>(_ body: (LuaSandbox) throws(E) -> R) throws -> R {
        let sandbox = try acquire()
        defer { release(sandbox) }
        return try body(sandbox)
    }

    public func acquire() throws(LuaError) -> LuaSandbox {
        condition.lock()
        while idle.isEmpty && created >= capacity { condition.wait() }
        if let sandbox = idle.popLast() {
            condition.unlock()
            return sandbox
        }
        created += 1
        condition.unlock()
        do {
            return try make()
        } catch {
            condition.lock()
            created -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    public func release(_ sandbox: LuaSandbox) {
        condition.lock()
        idle.append(sandbox)
        condition.signal()
        condition.unlock()
    }

    /// States made so far.
    public var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return created
    }
}
