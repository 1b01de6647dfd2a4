import Foundation
public import Logging
import Synchronization

/// A subscriber: a name that keys its checkpoint, the event types it wants, and its handler.
public struct Subscription: Sendable {
    public var name: String
    public var patterns: [EventPattern]
    public var handler: @Sendable (Event) async throws -> Void

    public init(name: String, patterns: [EventPattern], handler: @escaping @Sendable (Event) async throws -> Void) {
        self.name = name
        self.patterns = patterns
        self.handler = handler
    }

    func wants(_ event: Event) -> Bool { patterns.contains { $0.matches(event.type) } }
}

/// How often a failing delivery is tried again before it is parked as a dead letter.
public struct RetryPolicy: Sendable {
    /// Tries in all, the first included.
    public var attempts: Int
    public var firstDelay: Duration
    public var maximumDelay: Duration

    public init(attempts: Int = 5, firstDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(5)) {
        self.attempts = max(1, attempts)
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait before try `n + 1` (n >= 1): doubling from `firstDelay`, capped.
    func delay(after n: Int) -> Duration {
        var d = firstDelay
        for _ in 1..<max(1, n) where d < maximumDelay { d *= 2 }
        return min(d, maximumDelay)
    }
}

/// The durable event bus (docs/architecture.md, "Plugins"; the README's "Design choices").
///
/// Events are written by `Store.commit` together with the change they announce. The bus delivers
/// them to each subscriber in sequence order, at least once, from the subscriber's durable
/// checkpoint, so delivery resumes after a restart where it stopped. Each subscriber runs on its own
/// task: a handler that fails is retried with backoff (`RetryPolicy`), then parked as a dead letter,
/// and only that subscriber waits meanwhile.
///
/// Recent events are kept in memory as they are committed in this process (`Store.observeCommits`
/// calls `published` with each group commit's events, in order), so a
/// subscriber that keeps up does not read them back from the store; one that falls behind, or events
/// written by another process, are read from the store. A timer (`pollInterval`) also picks up
/// events from other processes, rewinds (`events replay`) and retries asked for (`events dead-letters
/// retry`).
///
/// Several hosts on one store: a subscriber is delivered to by the host that holds its lease
/// (`Store.claim`), renewed every third of `leaseDuration`. The others wait; when the holder dies,
/// its lease expires and another host takes the subscriber over from its checkpoint, so a host's
/// death moves its subscriptions within `leaseDuration` plus a poll. Delivery stays at least once:
/// a holder that stalls past its lease may handle an event its successor handles again, so
/// handlers write their effects idempotently (as `.new` records keyed by the event).
public final class EventBus: Sendable {
    public let store: any Store
    public let retry: RetryPolicy
    public let pollInterval: Duration
    /// Who holds this bus's leases: stable across restarts of the same host (a restarted host takes
    /// its leases back at once), distinct between hosts on one store.
    public let holder: String
    public let leaseDuration: Duration
    let logger: Logger
    private let recent: Mutex<RecentEvents>
    private let state = Mutex(BusState())

    struct BusState {
        var subscribers: [String: SubscriberRunner] = [:]
        var started = false
        var ticker: Task<Void, Never>?
        var listener: Task<Void, Never>?
    }

    public init(store: any Store, retry: RetryPolicy = RetryPolicy(), pollInterval: Duration = .milliseconds(500),
                holder: String = EventBus.defaultHolder, leaseDuration: Duration = .seconds(10),
                recentCapacity: Int = 65_536, logger: Logger = Logger(label: "glo-host.events")) {
        self.store = store
        self.retry = retry
        self.pollInterval = pollInterval
        self.holder = holder
        self.leaseDuration = leaseDuration
        self.logger = logger
        self.recent = Mutex(RecentEvents(capacity: recentCapacity))
        store.observeCommits { [weak self] events in self?.published(events) }
    }

    /// Adds a subscriber; it starts with the bus, or at once if the bus runs.
    public func subscribe(_ subscription: Subscription) throws {
        for pattern in subscription.patterns {
            if let problem = pattern.problem { throw GloKitError.refused(problem) }
        }
        let runner = SubscriberRunner(subscription: subscription, bus: self)
        let startNow = try state.withLock { s -> Bool in
            if s.subscribers[subscription.name] != nil {
                throw GloKitError.refused("a subscriber named '\(subscription.name)' is already subscribed")
            }
            s.subscribers[subscription.name] = runner
            return s.started
        }
        if startNow { runner.start() }
    }

    public var subscriberNames: [String] { state.withLock { Array($0.subscribers.keys).sorted() } }

    /// This machine and program; `glo-host serve` adds its port, so hosts on one machine differ.
    public static var defaultHolder: String {
        "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processName)"
    }

    public func start() {
        let runners = state.withLock { s -> [SubscriberRunner] in
            guard !s.started else { return [] }
            s.started = true
            let interval = pollInterval
            s.ticker = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    self?.wakeAll(poll: true)
                }
            }
            // Commits by other hosts wake the subscribers at once (where the store can tell).
            let notices = store.commitNotices()
            s.listener = Task { [weak self] in
                for await _ in notices { self?.wakeAll(poll: false) }
            }
            return Array(s.subscribers.values)
        }
        for runner in runners { runner.start() }
    }

    /// Stops delivering: each subscriber finishes the event in hand, saves its checkpoint and ends.
    public func stop() async {
        let (runners, tasks) = state.withLock { s -> ([SubscriberRunner], [Task<Void, Never>?]) in
            s.started = false
            defer { s.ticker = nil; s.listener = nil }
            return (Array(s.subscribers.values), [s.ticker, s.listener])
        }
        for task in tasks { task?.cancel() }
        for runner in runners { await runner.stop() }
    }

    /// Tells the bus about events this process committed (after the commit, in sequence order), so
    /// subscribers get them at once and from memory. The store does this for every commit.
    public func published(_ events: [Event]) {
        guard !events.isEmpty else { return }
        recent.withLock { $0.add(events) }
        wakeAll(poll: false)
    }

    /// Waits until every subscriber has handled (or parked) everything up to `sequence`.
    public func drain(through sequence: Int64, timeout: Duration = .seconds(30)) async throws {
        let runners = state.withLock { Array($0.subscribers.values) }
        let deadline = ContinuousClock.now + timeout
        for runner in runners {
            while runner.position < sequence {
                if ContinuousClock.now > deadline {
                    throw GloKitError.refused("subscriber '\(runner.subscription.name)' is at \(runner.position), not \(sequence), after \(timeout)")
                }
                runner.wake(poll: true)
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    /// Each subscriber's position and how far behind the log it is.
    public func lag() async throws -> [String: (position: Int64, behind: Int64)] {
        let last = try await store.lastSequence()
        return state.withLock { s in
            s.subscribers.mapValues { r in (r.position, max(0, last - r.position)) }
        }
    }

    private func wakeAll(poll: Bool) {
        let runners = state.withLock { Array($0.subscribers.values) }
        for runner in runners { runner.wake(poll: poll) }
    }

    /// Events after `sequence`, from memory when this process has them, else from the store.
    func events(after sequence: Int64, limit: Int) async throws -> [Event] {
        if let cached = recent.withLock({ $0.run(after: sequence, limit: limit) }), !cached.isEmpty { return cached }
        return try await store.events(after: sequence, limit: limit)
    }
}

/// The last events committed in this process, by sequence number; a run is served only when it is
/// contiguous from the asked position, so a gap (an event committed but not yet published here, or
/// by another process) sends the reader to the store.
struct RecentEvents {
    let capacity: Int
    private var base: Int64 = 1
    private var slots: [Event?] = []

    init(capacity: Int) { self.capacity = max(16, capacity) }

    mutating func add(_ events: [Event]) {
        for e in events {
            if slots.isEmpty { base = e.sequence }
            if e.sequence < base { continue }
            let index = Int(e.sequence - base)
            if index >= slots.count + capacity { slots.removeAll(); base = e.sequence }
            let i = Int(e.sequence - base)
            if i >= slots.count { slots.append(contentsOf: repeatElement(nil, count: i - slots.count + 1)) }
            slots[i] = e
        }
        if slots.count > capacity {
            let drop = slots.count - capacity / 2
            slots.removeFirst(drop)
            base += Int64(drop)
        }
    }

    func run(after sequence: Int64, limit: Int) -> [Event]? {
        let start = sequence + 1 - base
        guard start >= 0, start < Int64(slots.count), slots[Int(start)] != nil else { return nil }
        var out: [Event] = []
        var i = Int(start)
        while i < slots.count, out.count < limit, let e = slots[i] {
            out.append(e)
            i += 1
        }
        return out
    }
}
