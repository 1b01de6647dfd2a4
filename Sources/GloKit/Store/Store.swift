import GloJSON

/// Where GloKit keeps everything: records, the event log, subscriber checkpoints and dead letters.
///
/// Implemented by `GloStoreSQLite` (the embedded default) and, for scale-out, by a PostgreSQL store.
/// The contract is written so that both can meet it without GloKit knowing any SQL:
///
/// - A write is one `Change`: the records it puts and the events that announce them. A store commits
///   a change as one transaction (the outbox: state and events together, or neither) and returns only
///   once the change is durable. Nothing is acknowledged before that.
/// - Concurrency is optimistic: each record write says what it expects (`new`, or the version it was
///   read at), and a change whose expectation fails is refused whole with `StoreError.conflict`.
///   No transaction stays open across a caller's `await`, so the same contract suits a store that
///   batches many callers' changes into one commit (group commit), and a store on the network.
/// - Events get a sequence number from the store, gap-free and in commit order.
/// - Records are opaque bytes (JSON) with index keys the store can look them up by. Personal data
///   reaches the store already sealed (`PersonVault`); a store never sees it in the clear.
public protocol Store: Sendable {
    /// Which database: `sqlite` or `postgresql` (for readiness and logs; never an address).
    var kind: String { get }

    /// Commits the change atomically and durably; returns its events with their sequence numbers.
    @discardableResult
    func commit(_ change: Change) async throws -> CommitReceipt

    func record(_ collection: RecordCollection, id: String) async throws -> StoredRecord?
    /// Records of a collection that carry the index key, by id (which is time-ordered): oldest first,
    /// or newest first (the latest few of many, such as a dashboard's recent decisions).
    func records(_ collection: RecordCollection, key: IndexKey, limit: Int, newestFirst: Bool) async throws -> [StoredRecord]
    /// Records of a collection that carry the index key, in id order after `afterID`: a page of a long
    /// list (cases of a jurisdiction, audit entries of a user), read through the key's index.
    func records(_ collection: RecordCollection, key: IndexKey, after afterID: String?, limit: Int) async throws -> [StoredRecord]
    /// All records of a collection, in id order, after `afterID`: for reports, exports and `--from-store`.
    func records(_ collection: RecordCollection, after afterID: String?, limit: Int) async throws -> [StoredRecord]
    func count(_ collection: RecordCollection) async throws -> Int

    /// Events with a sequence number greater than `sequence`, in order.
    func events(after sequence: Int64, limit: Int) async throws -> [Event]
    /// Events about one subject (such as `case:<id>`) with a sequence number greater than
    /// `sequence`, in order: a case's timeline without reading the whole log.
    func events(subject: String, after sequence: Int64, limit: Int) async throws -> [Event]
    /// The last event's sequence number, or 0 for an empty log.
    func lastSequence() async throws -> Int64

    /// A subscriber's checkpoint; position 0 and generation 0 when it has none yet.
    func checkpoint(_ subscriber: String) async throws -> Checkpoint
    /// Moves a subscriber's checkpoint, if its generation is still `generation`; returns false when
    /// someone rewound it meanwhile (`rewind`), so the subscriber reloads instead of overwriting.
    func saveCheckpoint(_ subscriber: String, position: Int64, generation: Int64) async throws -> Bool
    /// Sets a subscriber's position (the next event it gets is `position + 1`) and bumps its generation.
    func rewind(_ subscriber: String, to position: Int64) async throws -> Checkpoint
    /// Every subscriber with a checkpoint.
    func checkpoints() async throws -> [String: Checkpoint]

    func park(_ letter: DeadLetter) async throws
    func deadLetters(state: DeadLetter.State?) async throws -> [DeadLetter]
    /// Changes a dead letter's state; false when there is no such letter.
    func setDeadLetter(_ id: String, state: DeadLetter.State, error: String?, attempts: Int?) async throws -> Bool

    // MARK: Several hosts on one store

    /// Takes or renews the lease on a subscriber for `holder` until `duration` from now, by the
    /// store's clock (so hosts need not agree on the time): true when `holder` holds it now, because
    /// it was free, had expired, or was already its own. Only the holder delivers to the subscriber,
    /// so across hosts each event is handled by one of them, in order; when a host dies, its leases
    /// expire and another host takes them.
    func claim(_ subscriber: String, holder: String, for duration: Duration) async throws -> Bool
    /// Gives up a lease `holder` holds (at shutdown), so another host can take it at once.
    func release(_ subscriber: String, holder: String) async throws
    /// The last sequence number of each commit that another process makes, as the store hears of it
    /// (PostgreSQL: LISTEN/NOTIFY), so the bus wakes at once instead of at its next poll. A store
    /// that cannot tell returns a stream that ends at once, and the bus relies on its poll.
    func commitNotices() -> AsyncStream<Int64>
    /// Calls `observer` with the events of every commit made through this store object, in sequence
    /// order (a group commit's events at once), after they are durable and before the committing
    /// callers resume. The bus keeps them in memory, so a subscriber that keeps up reads nothing
    /// back and is woken once per group rather than once per caller.
    func observeCommits(_ observer: @escaping @Sendable ([Event]) -> Void)

    // MARK: The key ring (envelope encryption; see `WrappedDataKey`)

    func dataKey(_ id: String) async throws -> WrappedDataKey?
    /// Keys in id order after `afterID`: for a rotation, a migration, a key-ring copy.
    func dataKeys(after afterID: String?, limit: Int) async throws -> [WrappedDataKey]
    /// Adds the keys whose ids are not in the ring yet; one already there is kept (the first writer wins).
    func addDataKeys(_ keys: [WrappedDataKey]) async throws
    /// Replaces the wrapping of each key that is still wrapped by the master key `from` (a rotation);
    /// the number replaced. An erased key, or one re-wrapped meanwhile, is left alone.
    func rewrapDataKeys(_ keys: [WrappedDataKey], from master: String) async throws -> Int
    /// Destroys a key's wrapped bytes (the database is asked to overwrite them, not only unlink them);
    /// false when there is no such key.
    func eraseDataKey(_ id: String, at time: Timestamp) async throws -> Bool
    /// How many live (not erased) keys each master key wraps.
    func dataKeyCounts() async throws -> [String: Int]
    /// Records that a master key was replaced by a rotation, so a host started with it is refused.
    func retireMasterKey(_ id: String, at time: Timestamp) async throws
    func retiredMasterKeys() async throws -> [String: Timestamp]

    // MARK: The audit log's hash chain (`AuditLink`, `AuditHead`)

    /// Links in position order after `position`. The store writes them itself, in the transaction
    /// of each commit that inserts audit entries.
    func auditLinks(after position: Int64, limit: Int) async throws -> [AuditLink]
    func lastAuditLink() async throws -> AuditLink?
    func addAuditHead(_ head: AuditHead) async throws
    func auditHeads() async throws -> [AuditHead]

    // MARK: Moving a whole store (export and import)

    /// Every collection that has records.
    func collections() async throws -> [RecordCollection]
    /// Writes records and events exactly as another store had them: versions and sequence numbers
    /// are kept. Refused with `StoreError.conflict` if a record exists already, and with
    /// `StoreError.failed` if an event's sequence number is not after the last one here; nothing of
    /// a refused call is written.
    func restore(records: [StoredRecord], events: [Event]) async throws

    /// Makes sure everything acknowledged is on disk and releases the store.
    func close() async throws
}

/// A kind of record, such as `case` or `screening`.
public struct RecordCollection: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// A key a record can be found by, such as `case` = a case id or `name` = a keyed name hash.
public struct IndexKey: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// A record's keys as the stores keep them beside its body: JSON `[["name", "value"], ...]`.
    public static func text(_ keys: [IndexKey]) -> String {
        JSONWriter.string(.array(keys.map { .array([.string($0.name), .string($0.value)]) }), sortKeys: false)
    }

    /// The keys of `text`; `StoreError.failed` if it is not what `text(_:)` makes.
    public static func keys(_ text: String) throws -> [IndexKey] {
        guard let pairs = try? JSONParser.parse(text).arrayValue else { throw StoreError.failed("a record's keys are damaged") }
        return try pairs.map { pair in
            guard let p = pair.arrayValue, p.count == 2, let name = p[0].stringValue, let value = p[1].stringValue else {
                throw StoreError.failed("a record's keys are damaged")
            }
            return IndexKey(name, value)
        }
    }
}

public struct StoredRecord: Sendable, Hashable {
    public var collection: RecordCollection
    public var id: String
    /// 1 when first written, one more on each update.
    public var version: Int64
    public var body: [UInt8]
    public var keys: [IndexKey]

    public init(collection: RecordCollection, id: String, version: Int64, body: [UInt8], keys: [IndexKey]) {
        self.collection = collection
        self.id = id
        self.version = version
        self.body = body
        self.keys = keys
    }
}

/// One record put by a change.
public struct RecordWrite: Sendable, Hashable {
    public enum Expectation: Sendable, Hashable {
        /// The record must not exist yet.
        case new
        /// The record must still be at this version (it was read at it).
        case version(Int64)
    }
    public var collection: RecordCollection
    public var id: String
    public var expect: Expectation
    public var body: [UInt8]
    /// Replaces the record's keys.
    public var keys: [IndexKey]

    public init(collection: RecordCollection, id: String, expect: Expectation, body: [UInt8], keys: [IndexKey]) {
        self.collection = collection
        self.id = id
        self.expect = expect
        self.body = body
        self.keys = keys
    }
}

/// What one transaction writes: records and the events that announce them.
public struct Change: Sendable {
    public var writes: [RecordWrite]
    public var events: [NewEvent]

    public init(writes: [RecordWrite] = [], events: [NewEvent] = []) {
        self.writes = writes
        self.events = events
    }

    public var isEmpty: Bool { writes.isEmpty && events.isEmpty }
}

public struct CommitReceipt: Sendable {
    /// The change's events as stored, with their sequence numbers, in order.
    public var events: [Event]
    /// The new version of each written record, in the order of `Change.writes`.
    public var versions: [Int64]

    public init(events: [Event], versions: [Int64]) {
        self.events = events
        self.versions = versions
    }
}

public struct Checkpoint: Sendable, Hashable {
    /// The last sequence number handled.
    public var position: Int64
    /// Bumped by each rewind, so a subscriber never overwrites a rewind with its old position.
    public var generation: Int64

    public init(position: Int64, generation: Int64) {
        self.position = position
        self.generation = generation
    }
}

/// A delivery that kept failing and was set aside, so that its subscriber could go on.
public struct DeadLetter: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Set aside; visible and retryable.
        case parked
        /// An operator asked for another try; the bus picks it up.
        case retryRequested = "retry_requested"
        /// Delivered on a later try.
        case resolved
    }
    public var id: String
    public var subscriber: String
    public var sequence: Int64
    public var eventType: String
    /// The handler's error, as the handler described it (never the event's data).
    public var error: String
    public var attempts: Int
    public var parkedAt: Timestamp
    public var state: State

    public init(id: String, subscriber: String, sequence: Int64, eventType: String, error: String,
                attempts: Int, parkedAt: Timestamp, state: State = .parked) {
        self.id = id
        self.subscriber = subscriber
        self.sequence = sequence
        self.eventType = eventType
        self.error = error
        self.attempts = attempts
        self.parkedAt = parkedAt
        self.state = state
    }
}

/// What a store can fail with. Messages name collections, ids and sequence numbers, never the
/// content of a record.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A record write's expectation failed: it exists already, or it changed since it was read.
    case conflict(collection: RecordCollection, id: String)
    /// The database file is not one of ours, is damaged, or is from a newer glo-host.
    case unusable(String)
    /// Anything else from the database, described without record content.
    case failed(String)
    case closed

    public var description: String {
        switch self {
        case .conflict(let collection, let id):
            return "\(collection) \(id) was changed by someone else (or exists already); read it again and retry"
        case .unusable(let why): return why
        case .failed(let why): return "the store failed: \(why)"
        case .closed: return "the store is closed"
        }
    }
}
