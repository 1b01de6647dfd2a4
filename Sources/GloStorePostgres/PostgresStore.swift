import Foundation
import GloJSON
public import GloKit
public import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The PostgreSQL store, for several glo-host processes on one database (scale-out).
///
/// - Commits are grouped and durable before they are acknowledged (`PostgresCommitter`;
///   `synchronous_commit` stays on). Event sequence numbers come from a one-row counter taken last
///   in each commit transaction, so they are gap-free and in commit order across all hosts.
/// - Each commit with events runs `pg_notify('glo_events', ...)`; `commitNotices()` LISTENs on a
///   connection of its own and tells the event bus of other hosts' commits at once.
/// - Subscriber leases go by the database's clock (`clock_timestamp()`), so hosts need not agree on
///   the time.
/// - Errors name the server (`host:port/database`), collections, ids and SQLSTATE codes; never a
///   password, a record's body or a bound value.
///
/// Connections use TLS when the server offers it (`sslmode=prefer`, libpq's default); with
/// `?sslmode=disable` they are plain TCP, which is fine on loopback or a private link only.
/// `?sslmode=require` refuses a server without TLS.
public final class PostgresStore: Store {
    public var kind: String { "postgresql" }
    private let url: PostgresURL
    private let logger: Logger
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let writer: PostgresCommitter
    private let listeners = Mutex(Listeners())

    private struct Listeners {
        var closed = false
        var tasks: [UUID: Task<Void, Never>] = [:]
    }

    /// Connects to `postgres://user:password@host:port/database` (or `postgresql://`, optionally
    /// `?sslmode=disable|prefer|require`) and migrates the database. A server that cannot be
    /// reached, refuses the login, or holds a database that is not glo-host's (or is from a newer
    /// glo-host) gets a `StoreError.unusable` that names `host:port/database`, never the password.
    public init(url: String, logger: Logger = Logger(label: "glo-host.postgres")) async throws {
        let parsed = try PostgresURL(url)
        self.url = parsed
        self.logger = logger
        _ = try await Self.withPreparedDatabase(parsed, logger: logger) { _ in }
        let client = PostgresClient(configuration: parsed.clientConfiguration, backgroundLogger: logger)
        self.client = client
        // Started at once (up to its first suspension), so the pool runs before the first query.
        if #available(macOS 26.0, *) {
            runner = Task.immediate { await client.run() }
        } else {
            runner = Task { await client.run() }
        }
        writer = PostgresCommitter(client: client, url: parsed, logger: logger, instance: UUID().uuidString)
    }

    /// Migrates the database at `url` (for `glo-host migrate`): the names of the migrations applied,
    /// none when it was up to date.
    public static func migrate(url: String, logger: Logger = Logger(label: "glo-host.postgres")) async throws -> [String] {
        try await withPreparedDatabase(try PostgresURL(url), logger: logger) { $0 }
    }

    /// Connects once on a connection of its own, migrates, and closes it.
    private static func withPreparedDatabase<T>(_ url: PostgresURL, logger: Logger,
                                                _ body: ([String]) -> T) async throws -> T {
        let connection = try await connect(url, logger: logger)
        do {
            let applied = try await PostgresSchema.migrate(connection, url: url, logger: logger)
            try? await connection.close().get()
            return body(applied)
        } catch {
            try? await connection.close().get()
            if let error = error as? StoreError { throw error }
            throw StoreError.unusable("PostgreSQL database \(url) cannot be used: \(describe(error))")
        }
    }

    private static let connectionIDs = Atomic<Int>(1)

    static func connect(_ url: PostgresURL, logger: Logger) async throws -> PostgresConnection {
        let id = connectionIDs.add(1, ordering: .relaxed).newValue
        do {
            return try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: id, logger: logger)
        } catch let error as StoreError {
            throw error
        } catch let error as PSQLError where error.code == .server {
            switch error.serverInfo?[.sqlState] ?? "" {
            case "28P01", "28000":
                throw StoreError.unusable("PostgreSQL at \(url) refused the login of \(url.user) (check the user and password)")
            case "3D000":
                throw StoreError.unusable("PostgreSQL at \(url.host):\(url.port) has no database \(url.database); create it first")
            case let state:
                throw StoreError.unusable("PostgreSQL at \(url) refused the connection (SQLSTATE \(state))")
            }
        } catch {
            throw StoreError.unusable("cannot reach PostgreSQL at \(url): \(describe(error))")
        }
    }

    /// What went wrong, without the query, its binds, or the server's message (which can quote values).
    static func describe(_ error: any Error) -> String {
        if let error = error as? StoreError { return error.description }
        if let error = error as? PSQLError {
            if error.code == .server { return "SQLSTATE \(error.serverInfo?[.sqlState] ?? "?")" }
            if let underlying = error.underlying, !(underlying is PSQLError) { return "\(error.code): \(describe(underlying))" }
            return "\(error.code)"
        }
        if error is PostgresDecodingError { return "a column has an unexpected type" }
        if let error = error as? IOError { return "\(error.description)" }
        if let error = error as? ChannelError { return "\(error)" }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.first.map { "connection failed: \(describe($0.error))" } ?? "connection failed"
        }
        return "\(type(of: error))"
    }

    static func failure(_ error: any Error, doing: String, url: PostgresURL) -> StoreError {
        if let error = error as? StoreError { return error }
        return .failed("PostgreSQL at \(url) on \(doing): \(describe(error))")
    }

    /// A deadlock or serialization failure: the transaction was rolled back and may be retried.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server else { return false }
        let state = error.serverInfo?[.sqlState]
        return state == "40P01" || state == "40001"
    }

    // MARK: Helpers

    func rows(_ query: PostgresQuery, _ doing: String) async throws -> [PostgresRow] {
        do { return try await client.query(query, logger: logger).collect() } catch {
            throw Self.failure(error, doing: doing, url: url)
        }
    }

    func decode<T>(_ doing: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw Self.failure(error, doing: doing, url: url) }
    }

    private func transaction<T: Sendable>(_ doing: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await PostgresSchema.inTransaction(connection, logger: self.logger) { try await body(connection) }
            }
        } catch {
            throw Self.failure(error, doing: doing, url: url)
        }
    }

    // MARK: Records

    @discardableResult
    public func commit(_ change: Change) async throws -> CommitReceipt {
        try await writer.submit(change)
    }

    public func record(_ collection: RecordCollection, id: String) async throws -> StoredRecord? {
        let found = try await rows("SELECT collection, id, version, body, keys FROM records WHERE collection = \(collection.rawValue) AND id = \(id)",
                                   "reading a record")
        return try decode("reading a record") { try found.first.map(Self.record) }
    }

    public func records(_ collection: RecordCollection, key: IndexKey, limit: Int, newestFirst: Bool) async throws -> [StoredRecord] {
        let found = try await rows("""
            SELECT r.collection, r.id, r.version, r.body, r.keys FROM record_keys k
            JOIN records r ON r.collection = k.collection AND r.id = k.id
            WHERE k.collection = \(collection.rawValue) AND k.name = \(key.name) AND k.value = \(key.value)
            ORDER BY k.id \(unescaped: newestFirst ? "DESC" : "ASC") LIMIT \(Int64(limit))
            """, "reading records by key")
        return try decode("reading records by key") { try found.map { try Self.record($0) } }
    }

    public func records(_ collection: RecordCollection, key: IndexKey, after afterID: String?, limit: Int) async throws -> [StoredRecord] {
        let found = try await rows("""
            SELECT r.collection, r.id, r.version, r.body, r.keys FROM record_keys k
            JOIN records r ON r.collection = k.collection AND r.id = k.id
            WHERE k.collection = \(collection.rawValue) AND k.name = \(key.name) AND k.value = \(key.value) AND k.id > \(afterID ?? "")
            ORDER BY k.id LIMIT \(Int64(limit))
            """, "reading a page of records by key")
        return try decode("reading a page of records by key") { try found.map { try Self.record($0) } }
    }

    public func records(_ collection: RecordCollection, after afterID: String?, limit: Int) async throws -> [StoredRecord] {
        let found = try await rows("""
            SELECT collection, id, version, body, keys FROM records WHERE collection = \(collection.rawValue) AND id > \(afterID ?? "")
            ORDER BY id LIMIT \(Int64(limit))
            """, "reading records")
        return try decode("reading records") { try found.map { try Self.record($0) } }
    }

    public func count(_ collection: RecordCollection) async throws -> Int {
        let found = try await rows("SELECT count(*) FROM records WHERE collection = \(collection.rawValue)", "counting records")
        return try decode("counting records") { Int(try found.first?.decode(Int64.self) ?? 0) }
    }

    static func record(_ row: PostgresRow) throws -> StoredRecord {
        let (collection, id, version, body, keys) = try row.decode((String, String, Int64, ByteBuffer, String).self)
        return StoredRecord(collection: RecordCollection(collection), id: id, version: version,
                            body: Array(body.readableBytesView), keys: try IndexKey.keys(keys))
    }

    // MARK: Event log

    public func events(after sequence: Int64, limit: Int) async throws -> [Event] {
        let found = try await rows("""
            SELECT sequence, id, type, jurisdiction, subject, actor, at, data FROM events
            WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(Int64(limit))
            """, "reading events")
        return try decode("reading events") { try found.map { try Self.event($0) } }
    }

    public func events(subject: String, after sequence: Int64, limit: Int) async throws -> [Event] {
        let found = try await rows("""
            SELECT sequence, id, type, jurisdiction, subject, actor, at, data FROM events
            WHERE subject = \(subject) AND sequence > \(sequence) ORDER BY sequence LIMIT \(Int64(limit))
            """, "reading events")
        return try decode("reading events") { try found.map { try Self.event($0) } }
    }

    public func lastSequence() async throws -> Int64 {
        let found = try await rows("SELECT coalesce(max(sequence), 0)::bigint FROM events", "reading the last sequence number")
        return try decode("reading the last sequence number") { try found.first?.decode(Int64.self) ?? 0 }
    }

    static func event(_ row: PostgresRow) throws -> Event {
        let (sequence, idText, type, jurisdiction, subject, actor, at, dataText) =
            try row.decode((Int64, String, String, String?, String, String, Int64, String).self)
        guard let id = EventID(idText) else { throw StoreError.failed("event \(sequence) has a bad id") }
        return Event(sequence: sequence, id: id, type: type, jurisdiction: jurisdiction.map { JurisdictionID($0) },
                     subject: subject, actor: actor, at: Timestamp(millisecondsSince1970: at),
                     data: try JSONParser.parse(dataText))
    }

    // MARK: Checkpoints

    public func checkpoint(_ subscriber: String) async throws -> Checkpoint {
        let found = try await rows("SELECT position, generation FROM checkpoints WHERE subscriber = \(subscriber)", "reading a checkpoint")
        return try decode("reading a checkpoint") {
            guard let row = found.first else { return Checkpoint(position: 0, generation: 0) }
            let (position, generation) = try row.decode((Int64, Int64).self)
            return Checkpoint(position: position, generation: generation)
        }
    }

    public func saveCheckpoint(_ subscriber: String, position: Int64, generation: Int64) async throws -> Bool {
        let saved = try await rows("""
            INSERT INTO checkpoints (subscriber, position, generation) VALUES (\(subscriber), \(position), \(generation))
            ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position
            WHERE checkpoints.generation = excluded.generation
            RETURNING position
            """, "saving a checkpoint")
        return !saved.isEmpty
    }

    public func rewind(_ subscriber: String, to position: Int64) async throws -> Checkpoint {
        let found = try await rows("""
            INSERT INTO checkpoints (subscriber, position, generation) VALUES (\(subscriber), \(max(0, position)), 1)
            ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position, generation = checkpoints.generation + 1
            RETURNING position, generation
            """, "rewinding a checkpoint")
        return try decode("rewinding a checkpoint") {
            guard let row = found.first else { throw StoreError.failed("rewinding \(subscriber) returned nothing") }
            let (position, generation) = try row.decode((Int64, Int64).self)
            return Checkpoint(position: position, generation: generation)
        }
    }

    public func checkpoints() async throws -> [String: Checkpoint] {
        let found = try await rows("SELECT subscriber, position, generation FROM checkpoints", "reading checkpoints")
        return try decode("reading checkpoints") {
            var all: [String: Checkpoint] = [:]
            for row in found {
                let (subscriber, position, generation) = try row.decode((String, Int64, Int64).self)
                all[subscriber] = Checkpoint(position: position, generation: generation)
            }
            return all
        }
    }

    // MARK: Dead letters

    public func park(_ letter: DeadLetter) async throws {
        _ = try await rows("""
            INSERT INTO dead_letters (id, subscriber, sequence, event_type, error, attempts, parked_at, state)
            VALUES (\(letter.id), \(letter.subscriber), \(letter.sequence), \(letter.eventType), \(letter.error),
                    \(Int64(letter.attempts)), \(letter.parkedAt.millisecondsSince1970), \(letter.state.rawValue))
            ON CONFLICT (id) DO UPDATE SET error = excluded.error, attempts = dead_letters.attempts + excluded.attempts,
                parked_at = excluded.parked_at, state = excluded.state
            """, "parking a dead letter")
    }

    public func deadLetters(state: DeadLetter.State?) async throws -> [DeadLetter] {
        let found = try await rows("""
            SELECT id, subscriber, sequence, event_type, error, attempts, parked_at, state FROM dead_letters
            WHERE \(state?.rawValue)::text IS NULL OR state = \(state?.rawValue)::text ORDER BY sequence, subscriber
            """, "reading dead letters")
        return try decode("reading dead letters") {
            try found.map { row in
                let (id, subscriber, sequence, eventType, error, attempts, parkedAt, state) =
                    try row.decode((String, String, Int64, String, String, Int64, Int64, String).self)
                return DeadLetter(id: id, subscriber: subscriber, sequence: sequence, eventType: eventType, error: error,
                                  attempts: Int(attempts), parkedAt: Timestamp(millisecondsSince1970: parkedAt),
                                  state: DeadLetter.State(rawValue: state) ?? .parked)
            }
        }
    }

    public func setDeadLetter(_ id: String, state: DeadLetter.State, error: String?, attempts: Int?) async throws -> Bool {
        let changed = try await rows("""
            UPDATE dead_letters SET state = \(state.rawValue), error = coalesce(\(error)::text, error),
                attempts = coalesce(\(attempts.map { Int64($0) })::bigint, attempts)
            WHERE id = \(id) RETURNING id
            """, "changing a dead letter")
        return !changed.isEmpty
    }

    // MARK: Leases

    public func claim(_ subscriber: String, holder: String, for duration: Duration) async throws -> Bool {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let taken = try await rows("""
            INSERT INTO subscriber_leases (subscriber, holder, expires_at)
            VALUES (\(subscriber), \(holder), clock_timestamp() + \(seconds)::float8 * interval '1 second')
            ON CONFLICT (subscriber) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE subscriber_leases.holder = excluded.holder OR subscriber_leases.expires_at < clock_timestamp()
            RETURNING holder
            """, "claiming a lease")
        return !taken.isEmpty
    }

    public func release(_ subscriber: String, holder: String) async throws {
        _ = try await rows("DELETE FROM subscriber_leases WHERE subscriber = \(subscriber) AND holder = \(holder)", "releasing a lease")
    }

    public func observeCommits(_ observer: @escaping @Sendable ([Event]) -> Void) { writer.observe(observer) }

    /// Other hosts' commits, as PostgreSQL notifies them on `glo_events` (this store's own are left
    /// out). Each stream LISTENs on a connection of its own, and connects again (after a second) when
    /// that connection drops; after a reconnect it yields the log's last sequence number, since
    /// notices sent meanwhile are lost. It ends when the store closes or the consumer stops.
    public func commitNotices() -> AsyncStream<Int64> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .bufferingNewest(1_024))
        let key = UUID()
        let url = self.url, logger = self.logger, instance = writer.instance
        let task = Task { await Self.listen(url: url, logger: logger, instance: instance, into: continuation) }
        let open = listeners.withLock { l -> Bool in
            if l.closed { return false }
            l.tasks[key] = task
            return true
        }
        if !open {
            task.cancel()
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            task.cancel()
            _ = self?.listeners.withLock { $0.tasks.removeValue(forKey: key) }
        }
        return stream
    }

    private static func listen(url: PostgresURL, logger: Logger, instance: String,
                               into continuation: AsyncStream<Int64>.Continuation) async {
        var reconnected = false
        var opened: PostgresConnection?
        while !Task.isCancelled {
            do {
                // Connected outside this task's cancellation: postgres-nio 1.33.2 asserts (debug builds)
                // when a connect is cancelled half-way through its handshake. A connection that
                // arrives after the stream ended is closed below at once.
                let connection = try await Task { try await connect(url, logger: logger) }.value
                opened = connection
                if Task.isCancelled { break }
                try await withTaskCancellationHandler {
                    try await connection.listen(on: PostgresSchema.channel) { notices in
                        if reconnected {
                            // Notices sent while the connection was down are lost: say where the log is.
                            let rows = try await connection.query("SELECT coalesce(max(sequence), 0)::bigint FROM events", logger: logger).collect()
                            if let last = try rows.first?.decode(Int64.self) { continuation.yield(last) }
                        }
                        for try await notice in notices {
                            let parts = notice.payload.split(separator: " ", maxSplits: 1)
                            guard let first = parts.first, let last = Int64(first) else { continue }
                            if parts.count == 2 && parts[1] == instance { continue }
                            continuation.yield(last)
                        }
                    }
                } onCancel: {
                    _ = connection.close() as EventLoopFuture<Void>
                }
            } catch {
                if !Task.isCancelled {
                    logger.warning("lost the PostgreSQL notice connection; connecting again",
                                   metadata: ["database": "\(url)", "error": "\(describe(error))"])
                }
            }
            if let opened { try? await opened.close().get() }
            opened = nil
            reconnected = true
            if Task.isCancelled { break }
            try? await Task.sleep(for: .seconds(1))
        }
        if let opened { try? await opened.close().get() }
        continuation.finish()
    }

    // MARK: Export and import

    public func collections() async throws -> [RecordCollection] {
        let found = try await rows("SELECT DISTINCT collection FROM records ORDER BY collection", "listing collections")
        return try decode("listing collections") { try found.map { RecordCollection(try $0.decode(String.self)) } }
    }

    public func restore(records: [StoredRecord], events: [Event]) async throws {
        let logger = self.logger
        try await transaction("restoring") { c in
            // The audit head's and the counter's row locks keep commits of every host out until this
            // is committed (taken in the order commits take them).
            try await PostgresCommitter.chain(records.filter { $0.collection == AuditEntry.collection }.map {
                RecordWrite(collection: $0.collection, id: $0.id, expect: .new, body: $0.body, keys: [])
            }, on: c, logger: logger)
            let counter = try await c.query("SELECT last FROM event_sequence WHERE id = 1 FOR UPDATE", logger: logger).collect()
            let maximum = try await c.query("SELECT coalesce(max(sequence), 0)::bigint FROM events", logger: logger).collect()
            var last = max(try counter.first?.decode(Int64.self) ?? 0, try maximum.first?.decode(Int64.self) ?? 0)
            for r in records {
                let inserted = try await c.query("""
                    INSERT INTO records (collection, id, version, body, keys)
                    VALUES (\(r.collection.rawValue), \(r.id), \(r.version), \(ByteBuffer(bytes: r.body)), \(IndexKey.text(r.keys)))
                    ON CONFLICT (collection, id) DO NOTHING RETURNING version
                    """, logger: logger).collect()
                if inserted.isEmpty { throw StoreError.conflict(collection: r.collection, id: r.id) }
                try await PostgresCommitter.insertKeys(r.keys, collection: r.collection, id: r.id, on: c, logger: logger)
            }
            for event in events {
                guard event.sequence > last else {
                    throw StoreError.failed("event \(event.sequence) is not after the last event here (\(last))")
                }
                last = event.sequence
            }
            if !events.isEmpty {
                try await PostgresCommitter.insert(events, on: c, logger: logger)
                try await c.query("UPDATE event_sequence SET last = \(last) WHERE id = 1", logger: logger)
                try await c.query("SELECT pg_notify(\(PostgresSchema.channel), \("\(last) restore"))", logger: logger)
            }
        }
    }

    /// Lets the commits in flight finish (each is acknowledged only once committed), stops the
    /// notice listeners, then shuts the connection pool down.
    public func close() async throws {
        await writer.finish()
        let tasks = listeners.withLock { l -> [Task<Void, Never>] in
            l.closed = true
            defer { l.tasks = [:] }
            return Array(l.tasks.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        runner.cancel()
        await runner.value
    }
}
