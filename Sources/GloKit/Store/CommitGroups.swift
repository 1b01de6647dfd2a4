import Synchronization

/// The waiting room of a store that commits in groups: callers wait here with their work while a
/// transaction is being written, and the store's writer takes them out together for the next one.
/// One writer runs at a time; `submit` starts it when none is running.
public final class CommitGroups<Work: Sendable>: Sendable {
    public struct Waiting: Sendable {
        public var work: Work
        public var continuation: CheckedContinuation<CommitReceipt, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var running = false
        var closed = false
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// The most changes one transaction takes.
    public let maximum: Int

    public init(maximum: Int = 1_000) { self.maximum = maximum }

    /// Waits for `work` to be committed; calls `startWriter` when no writer is running, and the
    /// writer then takes groups with `nextGroup` until there are none.
    public func submit(_ work: Work, startWriter: () -> Void) async throws -> CommitReceipt {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { s -> Bool? in
                if s.closed { return nil }
                s.waiting.append(Waiting(work: work, continuation: continuation))
                if s.running { return false }
                s.running = true
                return true
            }
            switch start {
            case nil: continuation.resume(throwing: StoreError.closed)
            case true?: startWriter()
            case false?: break
            }
        }
    }

    /// The next group to write, oldest first; nil when nothing waits, and the writer then ends.
    public func nextGroup() -> [Waiting]? {
        let (group, idle) = state.withLock { s -> ([Waiting], [CheckedContinuation<Void, Never>]) in
            if s.waiting.isEmpty {
                s.running = false
                defer { s.idle = [] }
                return ([], s.idle)
            }
            let n = min(s.waiting.count, maximum)
            defer { s.waiting.removeFirst(n) }
            return (Array(s.waiting.prefix(n)), [])
        }
        for waiter in idle { waiter.resume() }
        return group.isEmpty ? nil : group
    }

    /// Waits for the writes in flight, then refuses new ones.
    public func finish() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                s.closed = true
                if !s.running { return true }
                s.idle.append(c)
                return false
            }
            if done { c.resume() }
        }
    }
}
