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
    private let observers = Mutex<[@Sendable ([Event]) -> Void]>([])
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

    /// Calls `observer` with the events of every group this store commits, in sequence order, once
    /// they are durable and before the group's callers resume (`Store.observeCommits`).
    public func observe(_ observer: @escaping @Sendable ([Event]) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Ends a written group: tells the observers its events, all at once and in order, then resumes
    /// each caller with its result (`results` in the group's order).
    public func complete(_ group: [Waiting], with results: [Result<CommitReceipt, any Error>]) {
        var events: [Event] = []
        for case .success(let receipt) in results { events += receipt.events }
        if !events.isEmpty {
            // Changes take their numbers in group order, but sorting keeps the promise whatever a writer does.
            events.sort { $0.sequence < $1.sequence }
            for observer in observers.withLock({ $0 }) { observer(events) }
        }
        for (item, result) in zip(group, results) { item.continuation.resume(with: result) }
    }

    /// Resumes every caller of a group that was not written with the same error.
    public func fail(_ group: [Waiting], with error: any Error) {
        for item in group { item.continuation.resume(throwing: error) }
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
