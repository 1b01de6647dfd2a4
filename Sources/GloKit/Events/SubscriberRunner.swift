import Foundation
import Logging
import Synchronization

/// Delivers the log to one subscriber, in order, from its checkpoint (see `EventBus`).
final class SubscriberRunner: Sendable {
    let subscription: Subscription
    /// Held strongly: a running subscriber keeps its bus alive until `EventBus.stop` ends it.
    private let bus: EventBus
    private let positionValue = Atomic<Int64>(0)
    private let flags = Mutex(Flags())
    private let signal: AsyncStream<Void>
    private let signalContinuation: AsyncStream<Void>.Continuation

    struct Flags {
        var poll = true
        var stopping = false
        var task: Task<Void, Never>?
    }

    /// How many events one read takes from the log.
    static let batchSize = 512
    /// A checkpoint is saved at most this often while events flow or the subscriber is caught up
    /// (within a poll interval after it), and when it stops. Delivery is at least once, so a crash
    /// redelivers at most what came after.
    static let checkpointInterval: Duration = .milliseconds(200)

    init(subscription: Subscription, bus: EventBus) {
        self.subscription = subscription
        self.bus = bus
        (signal, signalContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var position: Int64 { positionValue.load(ordering: .acquiring) }
    private var stopping: Bool { flags.withLock { $0.stopping } }

    func start() {
        flags.withLock { f in
            guard f.task == nil else { return }
            f.stopping = false
            f.task = Task { await self.run() }
        }
    }

    func wake(poll: Bool) {
        if poll { flags.withLock { $0.poll = true } }
        signalContinuation.yield()
    }

    func stop() async {
        let task = flags.withLock { f -> Task<Void, Never>? in
            f.stopping = true
            return f.task
        }
        signalContinuation.yield()
        await task?.value
        flags.withLock { $0.task = nil }
    }

    private var log: Logger {
        var l = bus.logger
        l[metadataKey: "subscriber"] = .string(subscription.name)
        return l
    }

    private func run() async {
        let store = bus.store
        var checkpoint: Checkpoint
        while true {
            do {
                checkpoint = try await store.checkpoint(subscription.name)
                break
            } catch {
                log.error("cannot read the checkpoint; trying again", metadata: ["error": "\(error)"])
                if await pause(for: .seconds(1)) { return }
            }
        }
        positionValue.store(checkpoint.position, ordering: .releasing)
        var saved = checkpoint.position
        var lastSave = ContinuousClock.now
        var iterator = signal.makeAsyncIterator()
        var lease = Lease()

        /// True while this host holds the subscriber's lease, renewing it every third of its
        /// duration. On taking it over, delivery resumes from the stored checkpoint, which the
        /// previous holder may have moved.
        func holdsLease() async -> Bool {
            guard lease.dueForRenewal(every: bus.leaseDuration / 3) else { return lease.held }
            let held: Bool
            do { held = try await store.claim(subscription.name, holder: bus.holder, for: bus.leaseDuration) } catch {
                log.error("cannot claim the subscriber's lease", metadata: ["error": "\(error)"])
                held = false
            }
            let takenOver = held && !lease.held
            lease.renewed(held: held)
            if takenOver {
                do {
                    checkpoint = try await store.checkpoint(subscription.name)
                    saved = checkpoint.position
                    positionValue.store(checkpoint.position, ordering: .releasing)
                } catch {
                    log.error("cannot read the checkpoint", metadata: ["error": "\(error)"])
                    lease = Lease()
                    return false
                }
            }
            return held
        }

        func save() async {
            let position = self.position
            guard position != saved, lease.held else { return }
            do {
                if try await store.saveCheckpoint(subscription.name, position: position, generation: checkpoint.generation) {
                    saved = position
                } else {
                    try await adoptRewind()
                }
                lastSave = .now
            } catch {
                log.error("cannot save the checkpoint; will try again", metadata: ["error": "\(error)"])
            }
        }

        func adoptRewind() async throws {
            let current = try await store.checkpoint(subscription.name)
            guard current.generation != checkpoint.generation else { return }
            log.notice("rewound; delivering again", metadata: ["from": "\(current.position + 1)"])
            checkpoint = current
            saved = current.position
            positionValue.store(current.position, ordering: .releasing)
        }

        while !stopping {
            guard await holdsLease() else {
                // Another host delivers; wait for the next poll and ask again.
                _ = await iterator.next()
                continue
            }
            if flags.withLock({ f in defer { f.poll = false }; return f.poll }) {
                do {
                    try await adoptRewind()
                    try await retryRequested()
                } catch {
                    log.error("cannot read rewinds or retries", metadata: ["error": "\(error)"])
                }
            }
            let batch: [Event]
            do {
                batch = try await bus.events(after: position, limit: Self.batchSize)
            } catch {
                log.error("cannot read the event log; trying again", metadata: ["error": "\(error)"])
                if await pause(for: .seconds(1)) { break }
                continue
            }
            if batch.isEmpty {
                // Caught up. Saving here each time would make a durable write of nearly every event
                // when the subscriber keeps up; the poll wakes it, so a checkpoint is at most one
                // interval (or poll) old, and `stop` saves the last one.
                if ContinuousClock.now - lastSave >= Self.checkpointInterval { await save() }
                if stopping { break }
                _ = await iterator.next()
                continue
            }
            for event in batch {
                // A long batch must not outlive the lease: renew on the way, stop if it is lost.
                if lease.dueForRenewal(every: bus.leaseDuration / 3), await !holdsLease() { break }
                if subscription.wants(event) {
                    guard await deliver(event) else { break }
                }
                positionValue.store(event.sequence, ordering: .releasing)
                if stopping { break }
            }
            if ContinuousClock.now - lastSave >= Self.checkpointInterval { await save() }
        }
        await save()
        if lease.held {
            do { try await store.release(subscription.name, holder: bus.holder) } catch {
                log.warning("cannot release the subscriber's lease; it will expire", metadata: ["error": "\(error)"])
            }
        }
    }

    /// This host's view of its lease on the subscriber.
    struct Lease {
        private(set) var held = false
        private var claimed: ContinuousClock.Instant?

        func dueForRenewal(every interval: Duration) -> Bool {
            guard let claimed else { return true }
            return ContinuousClock.now - claimed >= interval
        }

        mutating func renewed(held: Bool) {
            self.held = held
            claimed = .now
        }
    }

    /// Tries the handler until it succeeds or the policy is spent, then parks the event. False when
    /// the bus stopped first: the event is not handled and will be delivered again.
    private func deliver(_ event: Event) async -> Bool {
        var attempt = 1
        while true {
            do {
                try await subscription.handler(event)
                return true
            } catch {
                if attempt >= bus.retry.attempts {
                    await park(event, error: error, attempts: attempt)
                    return true
                }
                // Why, as the dead letter will keep it (the error texts name ids, files and rules).
                log.warning("handler failed; will retry", metadata: [
                    "sequence": "\(event.sequence)", "type": "\(event.type)", "attempt": "\(attempt)",
                    "error": .string(Self.describe(error)),
                ])
                if await pause(for: bus.retry.delay(after: attempt)) { return false }
                attempt += 1
            }
        }
    }

    private func park(_ event: Event, error: any Error, attempts: Int) async {
        let letter = DeadLetter(id: "\(subscription.name)@\(event.sequence)", subscriber: subscription.name,
                                sequence: event.sequence, eventType: event.type, error: Self.describe(error),
                                attempts: attempts, parkedAt: .now)
        log.error("handler keeps failing; parked as a dead letter", metadata: [
            "sequence": "\(event.sequence)", "type": "\(event.type)", "dead_letter": "\(letter.id)", "error": .string(letter.error),
        ])
        while true {
            do {
                try await bus.store.park(letter)
                return
            } catch {
                // Moving on without the dead letter would lose the delivery; keep trying.
                log.error("cannot park the dead letter; trying again", metadata: ["error": "\(error)"])
                if await pause(for: .seconds(1)) { return }
            }
        }
    }

    /// Dead letters of this subscriber that an operator asked to retry: one try each.
    private func retryRequested() async throws {
        let store = bus.store
        for letter in try await store.deadLetters(state: .retryRequested) where letter.subscriber == subscription.name {
            guard let event = try await store.events(after: letter.sequence - 1, limit: 1).first,
                  event.sequence == letter.sequence else {
                _ = try await store.setDeadLetter(letter.id, state: .parked, error: "the event is no longer in the log",
                                                  attempts: letter.attempts)
                continue
            }
            do {
                try await subscription.handler(event)
                _ = try await store.setDeadLetter(letter.id, state: .resolved, error: nil, attempts: letter.attempts + 1)
                log.notice("dead letter delivered on retry", metadata: ["dead_letter": "\(letter.id)"])
            } catch {
                _ = try await store.setDeadLetter(letter.id, state: .parked, error: Self.describe(error),
                                                  attempts: letter.attempts + 1)
            }
        }
    }

    /// Sleeps, waking early to stop; true when stopping.
    private func pause(for duration: Duration) async -> Bool {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            if stopping { return true }
            try? await Task.sleep(for: min(.milliseconds(20), end - ContinuousClock.now))
        }
        return stopping
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 500 ? String(text.prefix(500)) + "…" : text
    }
}
