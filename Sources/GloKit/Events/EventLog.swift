/// The event log, read-only: what a view or a report reads of what happened (a case's timeline, the
/// figures of a period). Nothing can be written through it.
public struct EventLog: Sendable {
    let store: any Store

    /// Events after `sequence`, oldest first.
    public func events(after sequence: Int64, limit: Int) async throws -> [Event] {
        try await store.events(after: sequence, limit: limit)
    }

    /// The events about one subject (`case:<id>`), oldest first.
    public func events(subject: String, after sequence: Int64 = 0, limit: Int = 1_000) async throws -> [Event] {
        try await store.events(subject: subject, after: sequence, limit: limit)
    }

    /// The last sequence number written.
    public func lastSequence() async throws -> Int64 { try await store.lastSequence() }
}

extension GloHost {
    /// The event log, read-only.
    public var eventLog: EventLog { EventLog(store: records.store) }

    /// The deliveries parked as dead letters (in `state`; nil: all).
    public func deadLetters(state: DeadLetter.State?) async throws -> [DeadLetter] {
        try await records.store.deadLetters(state: state)
    }

    /// Asks for a dead letter to be delivered again (a running host picks it up); false when there is none.
    public func retry(deadLetter id: String) async throws -> Bool {
        try await records.store.setDeadLetter(id, state: .retryRequested, error: nil, attempts: nil)
    }

    /// Which store this host runs on (`sqlite`, `postgresql`).
    public var storeKind: String { records.store.kind }
}
