import CSQLiteSettings
import Foundation
import GRDB
import GloJSON
public import GloKit
import Synchronization

/// The embedded store: one SQLite file in WAL mode (docs/architecture.md, "Layers"; the README's "Design choices").
///
/// Commits are durable before they are acknowledged (`synchronous = FULL`), and grouped: changes
/// that arrive while a commit is being written wait and go together in the next transaction, so one
/// fsync acknowledges many callers, and a change whose expectation fails is refused alone (group
/// commit, `GroupCommitter`).
public final class SQLiteStore: Store {
    public let path: String
    public var kind: String { "sqlite" }
    let pool: DatabasePool
    private let writer: GroupCommitter
    private let readers: ReaderConnections

    /// Opens (creating it and its folder if needed) and migrates the database at `path`. A file
    /// that is not a glo-host database, is damaged, or was migrated by a newer glo-host gets a
    /// `StoreError.unusable` that says so.
    public init(path: String) throws {
        self.path = path
        // Least privilege: a new folder and database are this user's only (SQLite gives the -wal and
        // -shm files the database file's permissions).
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let existed = FileManager.default.fileExists(atPath: path)
        if !existed {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        Self.processSettings
        var config = Configuration()
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { try $0.execute(sql: Self.writerSettings) }
            try Self.checkOwnership(pool, path: path)
            let migrator = SQLiteSchema.migrator
            if try pool.read(migrator.hasBeenSuperseded) {
                throw StoreError.unusable("\(path) was migrated by a newer glo-host; use that version, or restore a backup")
            }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.unusable(error, path: path)
        }
        writer = GroupCommitter(pool: pool)
        readers = ReaderConnections(path: path, configuration: config)
    }

    /// SQLite's process-wide settings, made once, before the process's first connection: memory
    /// statistics off (see `glo_sqlite_memory_statistics_off`). If something opened SQLite before
    /// the first store, the call is refused and SQLite keeps its default, which is only slower.
    private static let processSettings: Void = { _ = glo_sqlite_memory_statistics_off() }()

    /// Whether SQLite keeps memory statistics in this process (it should not; see `processSettings`).
    public static var keepsMemoryStatistics: Bool { glo_sqlite_memory_statistics_kept() != 0 }

    /// The writer connection's settings, made once: the pool keeps that one connection for its life.
    /// - `synchronous = FULL`: the log is synced at every commit, so a commit acknowledged is on disk
    ///   (group commit shares one sync among the callers of a group). GRDB's `DatabasePool` sets
    ///   NORMAL on its writer when it turns WAL on, after `Configuration.prepareDatabase` has run,
    ///   so this cannot go there: NORMAL syncs only at checkpoints, and a power cut could lose
    ///   commits already acknowledged.
    /// - `cache_size` 64 MiB: a group dirties pages all over the indexes keyed by case; with
    ///   SQLite's default 2 MiB the writer re-read pages from the file system, and a large group
    ///   spilled dirty pages to the log before its commit, writing some of them twice.
    static let writerSettings = "PRAGMA synchronous = FULL; PRAGMA cache_size = -65536"

    /// The writer connection's `PRAGMA synchronous`, by name (FULL is the only setting this store
    /// uses; exposed so that a test can check it).
    public func writerSynchronous() throws -> String {
        let level = try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
        let names = ["OFF", "NORMAL", "FULL", "EXTRA"]
        return names.indices.contains(level) ? names[level] : String(level)
    }

    private static func checkOwnership(_ pool: DatabasePool, path: String) throws {
        let (appID, tables) = try pool.read { db in
            (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0)
        }
        if appID != SQLiteSchema.applicationID && tables > 0 {
            throw StoreError.unusable("\(path) is a SQLite database, but not a glo-host one; point --db at another file")
        }
    }

    static func unusable(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return .unusable("\(path) is not a SQLite database (or is encrypted); point --db at a glo-host database")
        case .SQLITE_CORRUPT:
            return .unusable("\(path) is damaged (SQLite reports corruption); restore it from a backup")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
            return .unusable("\(path) cannot be opened for writing: check the path and its permissions")
        default:
            return .unusable("\(path) cannot be used: SQLite error \(error.resultCode.rawValue) (\(error.resultCode))")
        }
    }

    /// Reads run on the caller's thread: a read of a few rows takes microseconds, less than the
    /// thread hops of GRDB's async `read`, and a read never waits for a connection
    /// (`ReaderConnections`). Every read is one SELECT, which SQLite runs on one snapshot by itself,
    /// so it needs no BEGIN/COMMIT around it.
    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try readHere(body) } catch let error as DatabaseError {
            throw StoreError.failed("SQLite error \(error.resultCode.rawValue) on reading")
        }
    }

    private func readHere<T>(_ body: (Database) throws -> T) throws -> T { try readers.read(body) }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch let error as DatabaseError {
            throw StoreError.failed("SQLite error \(error.resultCode.rawValue) on writing")
        }
    }

    /// For the store's extensions in other files.
    func readRows<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T { try await read(body) }
    func writeRows<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T { try await write(body) }

    /// Copies the write-ahead log into the database file and truncates the log.
    func checkpointLog() async throws {
        try await pool.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    // MARK: Records

    @discardableResult
    public func commit(_ change: Change) async throws -> CommitReceipt {
        try await writer.submit(change)
    }

    public func record(_ collection: RecordCollection, id: String) async throws -> StoredRecord? {
        try await read { db in
            var select = try Bound(db, "SELECT collection, id, version, body, keys FROM records WHERE collection = ? AND id = ?")
            select.bind(collection.rawValue)
            select.bind(id)
            return try select.step(db) ? try Self.record(select) : nil
        }
    }

    public func records(_ collection: RecordCollection, key: IndexKey, limit: Int, newestFirst: Bool) async throws -> [StoredRecord] {
        try await read { db in
            var select = try Bound(db, """
                SELECT r.collection, r.id, r.version, r.body, r.keys FROM record_keys k
                JOIN records r ON r.collection = k.collection AND r.id = k.id
                WHERE k.collection = ? AND k.name = ? AND k.value = ? ORDER BY k.id \(newestFirst ? "DESC" : "ASC") LIMIT ?
                """)
            select.bind(collection.rawValue)
            select.bind(key.name)
            select.bind(key.value)
            select.bind(Int64(limit))
            return try Self.records(select, db)
        }
    }

    public func records(_ collection: RecordCollection, key: IndexKey, after afterID: String?, limit: Int) async throws -> [StoredRecord] {
        try await read { db in
            var select = try Bound(db, """
                SELECT r.collection, r.id, r.version, r.body, r.keys FROM record_keys k
                JOIN records r ON r.collection = k.collection AND r.id = k.id
                WHERE k.collection = ? AND k.name = ? AND k.value = ? AND k.id > ? ORDER BY k.id LIMIT ?
                """)
            select.bind(collection.rawValue)
            select.bind(key.name)
            select.bind(key.value)
            select.bind(afterID ?? "")
            select.bind(Int64(limit))
            return try Self.records(select, db)
        }
    }

    public func records(_ collection: RecordCollection, after afterID: String?, limit: Int) async throws -> [StoredRecord] {
        try await read { db in
            var select = try Bound(db, "SELECT collection, id, version, body, keys FROM records WHERE collection = ? AND id > ? ORDER BY id LIMIT ?")
            select.bind(collection.rawValue)
            select.bind(afterID ?? "")
            select.bind(Int64(limit))
            return try Self.records(select, db)
        }
    }

    public func count(_ collection: RecordCollection) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM records WHERE collection = ?", arguments: [collection.rawValue]) ?? 0
        }
    }

    /// The record in the current row of a `SELECT collection, id, version, body, keys`.
    static func record(_ row: borrowing Bound) throws -> StoredRecord {
        StoredRecord(collection: RecordCollection(row.text(0)), id: row.text(1), version: row.int64(2), body: row.blob(3),
                     keys: try IndexKey.keys(row.text(4)))
    }

    /// The records of a stepped `SELECT collection, id, version, body, keys`.
    private static func records(_ rows: borrowing Bound, _ db: Database) throws -> [StoredRecord] {
        var found: [StoredRecord] = []
        while try rows.step(db) { found.append(try record(rows)) }
        return found
    }

    // MARK: Event log

    public func events(after sequence: Int64, limit: Int) async throws -> [Event] {
        try await read { db in
            var select = try Bound(db, """
                SELECT sequence, id, type, jurisdiction, subject, actor, at, data FROM events
                WHERE sequence > ? ORDER BY sequence LIMIT ?
                """)
            select.bind(sequence)
            select.bind(Int64(limit))
            return try Self.events(select, db)
        }
    }

    public func events(subject: String, after sequence: Int64, limit: Int) async throws -> [Event] {
        try await read { db in
            var select = try Bound(db, """
                SELECT sequence, id, type, jurisdiction, subject, actor, at, data FROM events
                WHERE subject = ? AND sequence > ? ORDER BY sequence LIMIT ?
                """)
            select.bind(subject)
            select.bind(sequence)
            select.bind(Int64(limit))
            return try Self.events(select, db)
        }
    }

    public func lastSequence() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT max(sequence) FROM events") ?? 0 }
    }

    /// The events of a stepped `SELECT sequence, id, type, jurisdiction, subject, actor, at, data`.
    private static func events(_ rows: borrowing Bound, _ db: Database) throws -> [Event] {
        var events: [Event] = []
        while try rows.step(db) {
            let sequence = rows.int64(0)
            guard let id = EventID(rows.text(1)) else { throw StoreError.failed("event \(sequence) has a bad id") }
            events.append(Event(sequence: sequence, id: id, type: rows.text(2),
                                jurisdiction: rows.isNull(3) ? nil : JurisdictionID(rows.text(3)),
                                subject: rows.text(4), actor: rows.text(5),
                                at: Timestamp(millisecondsSince1970: rows.int64(6)), data: try JSONParser.parse(rows.text(7))))
        }
        return events
    }

    // MARK: Checkpoints

    public func checkpoint(_ subscriber: String) async throws -> Checkpoint {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT position, generation FROM checkpoints WHERE subscriber = ?",
                                             arguments: [subscriber]) else { return Checkpoint(position: 0, generation: 0) }
            return Checkpoint(position: row["position"], generation: row["generation"])
        }
    }

    public func saveCheckpoint(_ subscriber: String, position: Int64, generation: Int64) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO checkpoints (subscriber, position, generation) VALUES (?, ?, ?)
                ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position
                WHERE checkpoints.generation = excluded.generation
                """, arguments: [subscriber, position, generation])
            return db.changesCount > 0
        }
    }

    public func rewind(_ subscriber: String, to position: Int64) async throws -> Checkpoint {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO checkpoints (subscriber, position, generation) VALUES (?, ?, 1)
                ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position, generation = checkpoints.generation + 1
                """, arguments: [subscriber, max(0, position)])
            let row = try Row.fetchOne(db, sql: "SELECT position, generation FROM checkpoints WHERE subscriber = ?",
                                       arguments: [subscriber])!
            return Checkpoint(position: row["position"], generation: row["generation"])
        }
    }

    public func checkpoints() async throws -> [String: Checkpoint] {
        try await read { db in
            var all: [String: Checkpoint] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT subscriber, position, generation FROM checkpoints") {
                all[row["subscriber"]] = Checkpoint(position: row["position"], generation: row["generation"])
            }
            return all
        }
    }

    // MARK: Dead letters

    public func park(_ letter: DeadLetter) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO dead_letters (id, subscriber, sequence, event_type, error, attempts, parked_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET error = excluded.error, attempts = dead_letters.attempts + excluded.attempts,
                    parked_at = excluded.parked_at, state = excluded.state
                """, arguments: [letter.id, letter.subscriber, letter.sequence, letter.eventType, letter.error,
                                 letter.attempts, letter.parkedAt.millisecondsSince1970, letter.state.rawValue])
        }
    }

    public func deadLetters(state: DeadLetter.State?) async throws -> [DeadLetter] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, subscriber, sequence, event_type, error, attempts, parked_at, state FROM dead_letters
                WHERE ? IS NULL OR state = ? ORDER BY sequence, subscriber
                """, arguments: [state?.rawValue, state?.rawValue])
            return rows.map { row in
                DeadLetter(id: row["id"], subscriber: row["subscriber"], sequence: row["sequence"],
                           eventType: row["event_type"], error: row["error"], attempts: row["attempts"],
                           parkedAt: Timestamp(millisecondsSince1970: row["parked_at"]),
                           state: DeadLetter.State(rawValue: row["state"]) ?? .parked)
            }
        }
    }

    public func setDeadLetter(_ id: String, state: DeadLetter.State, error: String?, attempts: Int?) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE dead_letters SET state = ?, error = coalesce(?, error), attempts = coalesce(?, attempts) WHERE id = ?
                """, arguments: [state.rawValue, error, attempts, id])
            return db.changesCount > 0
        }
    }

    // MARK: Leases

    public func claim(_ subscriber: String, holder: String, for duration: Duration) async throws -> Bool {
        let now = Timestamp.now.millisecondsSince1970
        let until = now + duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return try await write { db in
            try db.execute(sql: """
                INSERT INTO subscriber_leases (subscriber, holder, expires_at) VALUES (?, ?, ?)
                ON CONFLICT (subscriber) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE subscriber_leases.holder = excluded.holder OR subscriber_leases.expires_at < ?
                """, arguments: [subscriber, holder, until, now])
            return db.changesCount > 0
        }
    }

    public func release(_ subscriber: String, holder: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM subscriber_leases WHERE subscriber = ? AND holder = ?", arguments: [subscriber, holder])
        }
    }

    /// Other processes on the same file are not heard of; the bus polls.
    public func commitNotices() -> AsyncStream<Int64> { AsyncStream { $0.finish() } }

    public func observeCommits(_ observer: @escaping @Sendable ([Event]) -> Void) { writer.observe(observer) }

    // MARK: Export and import

    public func collections() async throws -> [RecordCollection] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT collection FROM records ORDER BY collection").map { RecordCollection($0) }
        }
    }

    public func restore(records: [StoredRecord], events: [Event]) async throws {
        try await write { db in
            var chain = AuditChainTail()
            for r in records {
                if try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM records WHERE collection = ? AND id = ?"),
                                    arguments: [r.collection.rawValue, r.id]) != nil {
                    throw StoreError.conflict(collection: r.collection, id: r.id)
                }
                try db.cachedStatement(sql: "INSERT INTO records (collection, id, version, body, keys) VALUES (?, ?, ?, ?, ?)").execute(
                    arguments: [r.collection.rawValue, r.id, r.version, Data(r.body), IndexKey.text(r.keys)])
                for key in Set(r.keys) {
                    try db.cachedStatement(sql: "INSERT INTO record_keys (collection, name, value, id) VALUES (?, ?, ?, ?)").execute(
                        arguments: [r.collection.rawValue, key.name, key.value, r.id])
                }
                if r.collection == AuditEntry.collection { try chain.append(r.id, body: r.body, db: db) }
            }
            var last = try Int64.fetchOne(db, sql: "SELECT max(sequence) FROM events") ?? 0
            for event in events {
                guard event.sequence > last else {
                    throw StoreError.failed("event \(event.sequence) is not after the last event here (\(last))")
                }
                try GroupCommitter.insert(event, data: JSONWriter.string(event.data, sortKeys: true), db: db)
                last = event.sequence
            }
        }
    }

    public func close() async throws {
        await writer.finish()
        readers.close()
        try pool.close()
    }
}
