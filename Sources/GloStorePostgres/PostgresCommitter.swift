import GloJSON
import GloKit
import Logging
import NIOCore
import PostgresNIO

/// Writes changes in groups, as `GloStoreSQLite`'s committer does: one transaction (and one WAL
/// flush, `synchronous_commit` on) for every change that arrived while the previous one ran.
/// Callers are resumed only after COMMIT, so nothing is acknowledged before it is durable.
///
/// In each transaction, the group's record writes go in a few statements (`applyAll`); when that
/// cannot be done (a record written twice in the group, another host's insert in between), the
/// transaction is rolled back and written again, for each change:
/// 1. A record twice in one change is a conflict with itself (refused before any SQL).
/// 2. Every write's expectation is checked first, with `SELECT version ... FOR UPDATE`: the row lock
///    keeps another host from changing the record until we commit. A refused change writes nothing.
/// 3. The writes. A `.new` record is inserted with `ON CONFLICT DO NOTHING`: if another host inserted
///    it after our check (its row did not exist, so there was nothing to lock), no row comes back and
///    the change is refused. A change with more than one write runs in a SAVEPOINT, so one refused
///    half-way is rolled back alone while the rest of the group commits.
///
/// Then, **as late as possible**, the group's events take their sequence numbers from the one-row
/// counter (`UPDATE event_sequence SET last = last + n RETURNING last`), are inserted, and
/// `pg_notify('glo_events', ...)` announces the last one. The counter's row lock is held from that
/// UPDATE until COMMIT, so another host's transaction waits there for ours to commit (or roll back)
/// before it takes the next numbers: numbers are handed out in commit order, and a transaction that
/// rolls back hands its numbers back (gap-free). Taking them after the record writes keeps the lock
/// for the event inserts and the commit only, so hosts serialize only on that short tail.
final class PostgresCommitter: Sendable {
    private let client: PostgresClient
    private let url: PostgresURL
    private let logger: Logger
    /// This store instance, in its notices, so it does not hear its own commits.
    let instance: String
    private let groups = CommitGroups<Change>()
    private typealias Pending = CommitGroups<Change>.Waiting

    init(client: PostgresClient, url: PostgresURL, logger: Logger, instance: String) {
        self.client = client
        self.url = url
        self.logger = logger
        self.instance = instance
    }

    func submit(_ change: Change) async throws -> CommitReceipt {
        try await groups.submit(change) { Task { await self.drain() } }
    }

    /// Waits for the writes in flight, then refuses new ones.
    func finish() async { await groups.finish() }

    func observe(_ observer: @escaping @Sendable ([Event]) -> Void) { groups.observe(observer) }

    private func drain() async {
        while let group = groups.nextGroup() { await commit(group) }
    }

    private func commit(_ group: [Pending]) async {
        let changes = group.map(\.work)
        var attempt = 0
        var batched = true
        while true {
            do {
                let results = try await client.withConnection { connection in
                    try await Self.write(changes, batched: batched, on: connection, logger: self.logger, instance: self.instance)
                }
                groups.complete(group, with: results)
                return
            } catch is BatchMiss {
                // Rolled back; written again change by change, which sorts out who conflicts.
                batched = false
                continue
            } catch {
                // Two hosts that lock the same records in opposite orders deadlock; PostgreSQL aborts
                // one transaction, which is retried whole (nothing of it was written).
                if PostgresStore.isRetryable(error) && attempt < 5 {
                    attempt += 1
                    logger.debug("retrying a commit group after a deadlock", metadata: ["attempt": "\(attempt)"])
                    continue
                }
                groups.fail(group, with: PostgresStore.failure(error, doing: "commit", url: url))
                return
            }
        }
    }

    private static func write(_ changes: [Change], batched: Bool, on connection: PostgresConnection, logger: Logger,
                              instance: String) async throws -> [Result<CommitReceipt, any Error>] {
        try await PostgresSchema.inTransaction(connection, logger: logger) {
            var outcomes: [Result<[Int64], StoreError>] = []
            if batched {
                outcomes = try await applyAll(changes, on: connection, logger: logger)
            } else {
                for change in changes {
                    outcomes.append(try await apply(change, on: connection, logger: logger))
                }
            }
            var audit: [RecordWrite] = []
            for (change, outcome) in zip(changes, outcomes) {
                if case .success = outcome { audit += change.writes.filter { $0.collection == AuditEntry.collection && $0.expect == .new } }
            }
            try await chain(audit, on: connection, logger: logger)
            // The sequence numbers, last: see the type's comment.
            var events: [Event] = []
            let count = zip(changes, outcomes).reduce(0) { n, pair in
                if case .success = pair.1 { return n + pair.0.events.count }
                return n
            }
            var receipts: [Result<CommitReceipt, any Error>] = []
            if count > 0 {
                let row = try await connection.query(
                    "UPDATE event_sequence SET last = last + \(Int64(count)) WHERE id = 1 RETURNING last", logger: logger
                ).collect()
                guard let last = try row.first?.decode(Int64.self) else { throw StoreError.failed("the event sequence counter is missing") }
                var next = last - Int64(count) + 1
                for (change, outcome) in zip(changes, outcomes) {
                    switch outcome {
                    case .success(let versions):
                        var stored: [Event] = []
                        for new in change.events {
                            stored.append(new.stored(as: next))
                            next += 1
                        }
                        events += stored
                        receipts.append(.success(CommitReceipt(events: stored, versions: versions)))
                    case .failure(let conflict):
                        receipts.append(.failure(conflict))
                    }
                }
                try await insert(events, on: connection, logger: logger)
                try await connection.query("SELECT pg_notify(\(PostgresSchema.channel), \("\(last) \(instance)"))", logger: logger)
            } else {
                receipts = outcomes.map { outcome in
                    outcome.map { CommitReceipt(events: [], versions: $0) }.mapError { $0 as any Error }
                }
            }
            return receipts
        }
    }

    /// The whole group's record writes in a few statements, whatever its size: a round trip per
    /// statement, not per record, is what keeps a group's transaction (and its row locks) short.
    /// 1. One `SELECT ... FOR UPDATE` locks and reads the current version of every record written.
    /// 2. Each change's expectations are checked against them; a refused change writes nothing.
    /// 3. One INSERT for the new records, one UPDATE for the others, one DELETE and one INSERT for
    ///    their keys.
    /// A group that writes a record twice, or whose INSERT or UPDATE does not write every row it
    /// should (another host inserted one of the new records meanwhile: a missing row cannot be
    /// locked), throws `BatchMiss`: the transaction rolls back and the group is written change by
    /// change (`apply`).
    private static func applyAll(_ changes: [Change], on c: PostgresConnection,
                                 logger: Logger) async throws -> [Result<[Int64], StoreError>] {
        var written = Set<String>()
        for change in changes {
            for write in change.writes where !written.insert(write.collection.rawValue + "\u{0}" + write.id).inserted {
                throw BatchMiss()
            }
        }
        let all = changes.flatMap(\.writes)
        if all.isEmpty { return changes.map { _ in .success([]) } }
        var current: [String: Int64] = [:]
        let rows = try await c.query("""
            SELECT r.collection, r.id, r.version FROM records r
            JOIN unnest(\(all.map(\.collection.rawValue))::text[], \(all.map(\.id))::text[]) AS k(collection, id)
              ON r.collection = k.collection AND r.id = k.id
            FOR UPDATE OF r
            """, logger: logger)
        for try await (collection, id, version) in rows.decode((String, String, Int64).self) {
            current[collection + "\u{0}" + id] = version
        }
        var outcomes: [Result<[Int64], StoreError>] = []
        var news: [RecordWrite] = [], updates: [RecordWrite] = []
        for change in changes {
            let refused = change.writes.first { write in
                let found = current[write.collection.rawValue + "\u{0}" + write.id]
                switch write.expect {
                case .new: return found != nil
                case .version(let expected): return found != expected
                }
            }
            if let refused {
                outcomes.append(.failure(.conflict(collection: refused.collection, id: refused.id)))
                continue
            }
            outcomes.append(.success(change.writes.map { write in
                switch write.expect {
                case .new:
                    news.append(write)
                    return 1
                case .version(let expected):
                    updates.append(write)
                    return expected + 1
                }
            }))
        }
        if !news.isEmpty {
            let inserted = try await c.query("""
                INSERT INTO records (collection, id, version, body, keys)
                SELECT n.collection, n.id, 1, n.body, n.keys
                FROM unnest(\(news.map(\.collection.rawValue))::text[], \(news.map(\.id))::text[],
                            \(news.map { ByteBuffer(bytes: $0.body) })::bytea[], \(news.map { IndexKey.text($0.keys) })::text[])
                     AS n(collection, id, body, keys)
                ON CONFLICT (collection, id) DO NOTHING RETURNING 1
                """, logger: logger).collect()
            guard inserted.count == news.count else { throw BatchMiss() }
        }
        if !updates.isEmpty {
            let expected = updates.map { write -> Int64 in
                if case .version(let v) = write.expect { return v }
                return 0
            }
            let changed = try await c.query("""
                UPDATE records r SET version = r.version + 1, body = u.body, keys = u.keys
                FROM unnest(\(updates.map(\.collection.rawValue))::text[], \(updates.map(\.id))::text[], \(expected)::bigint[],
                            \(updates.map { ByteBuffer(bytes: $0.body) })::bytea[], \(updates.map { IndexKey.text($0.keys) })::text[])
                     AS u(collection, id, expected, body, keys)
                WHERE r.collection = u.collection AND r.id = u.id AND r.version = u.expected
                RETURNING 1
                """, logger: logger).collect()
            guard changed.count == updates.count else { throw BatchMiss() }
            try await c.query("""
                DELETE FROM record_keys k
                USING unnest(\(updates.map(\.collection.rawValue))::text[], \(updates.map(\.id))::text[]) AS u(collection, id)
                WHERE k.collection = u.collection AND k.id = u.id
                """, logger: logger)
        }
        var keyCollections: [String] = [], keyNames: [String] = [], keyValues: [String] = [], keyIDs: [String] = []
        for write in news + updates {
            for key in Set(write.keys) {
                keyCollections.append(write.collection.rawValue)
                keyNames.append(key.name)
                keyValues.append(key.value)
                keyIDs.append(write.id)
            }
        }
        if !keyIDs.isEmpty {
            try await c.query("""
                INSERT INTO record_keys (collection, name, value, id)
                SELECT * FROM unnest(\(keyCollections)::text[], \(keyNames)::text[], \(keyValues)::text[], \(keyIDs)::text[])
                """, logger: logger)
        }
        return outcomes
    }

    /// Thrown by `applyAll` when the group must be written change by change instead.
    private struct BatchMiss: Error {}

    /// One change's record writes, its expectations checked first: the new versions, or the conflict
    /// that refused it (and then nothing of it is written).
    private static func apply(_ change: Change, on c: PostgresConnection, logger: Logger) async throws -> Result<[Int64], StoreError> {
        var seen = Set<String>()
        for write in change.writes where !seen.insert(write.collection.rawValue + "\u{0}" + write.id).inserted {
            return .failure(.conflict(collection: write.collection, id: write.id))
        }
        for write in change.writes {
            let rows = try await c.query(
                "SELECT version FROM records WHERE collection = \(write.collection.rawValue) AND id = \(write.id) FOR UPDATE",
                logger: logger).collect()
            let current = try rows.first?.decode(Int64.self)
            let holds: Bool
            switch write.expect {
            case .new: holds = current == nil
            case .version(let expected): holds = current == expected
            }
            if !holds { return .failure(.conflict(collection: write.collection, id: write.id)) }
        }
        let savepoint = change.writes.count > 1
        if savepoint { try await c.query("SAVEPOINT glo_change", logger: logger) }
        var versions: [Int64] = []
        for write in change.writes {
            let body = ByteBuffer(bytes: write.body)
            let keys = IndexKey.text(write.keys)
            let written: [PostgresRow]
            switch write.expect {
            case .new:
                written = try await c.query("""
                    INSERT INTO records (collection, id, version, body, keys) VALUES (\(write.collection.rawValue), \(write.id), 1, \(body), \(keys))
                    ON CONFLICT (collection, id) DO NOTHING RETURNING version
                    """, logger: logger).collect()
            case .version(let expected):
                written = try await c.query("""
                    UPDATE records SET version = version + 1, body = \(body), keys = \(keys)
                    WHERE collection = \(write.collection.rawValue) AND id = \(write.id) AND version = \(expected) RETURNING version
                    """, logger: logger).collect()
                if !written.isEmpty {
                    try await c.query("DELETE FROM record_keys WHERE collection = \(write.collection.rawValue) AND id = \(write.id)",
                                      logger: logger)
                }
            }
            guard let version = try written.first?.decode(Int64.self) else {
                // Inserted by another host since the check: this change is refused alone.
                if savepoint { try await c.query("ROLLBACK TO SAVEPOINT glo_change", logger: logger) }
                if savepoint { try await c.query("RELEASE SAVEPOINT glo_change", logger: logger) }
                return .failure(.conflict(collection: write.collection, id: write.id))
            }
            try await insertKeys(write.keys, collection: write.collection, id: write.id, on: c, logger: logger)
            versions.append(version)
        }
        if savepoint { try await c.query("RELEASE SAVEPOINT glo_change", logger: logger) }
        return .success(versions)
    }

    static func insertKeys(_ keys: [IndexKey], collection: RecordCollection, id: String, on c: PostgresConnection,
                           logger: Logger) async throws {
        let unique = Array(Set(keys))
        if unique.isEmpty { return }
        let names = unique.map { $0.name }, values = unique.map { $0.value }
        try await c.query("""
            INSERT INTO record_keys (collection, name, value, id)
            SELECT \(collection.rawValue), k.name, k.value, \(id) FROM unnest(\(names)::text[], \(values)::text[]) AS k(name, value)
            """, logger: logger)
    }

    /// Links audit entries into the chain, in the order given, under the head row's lock.
    static func chain(_ entries: [RecordWrite], on c: PostgresConnection, logger: Logger) async throws {
        if entries.isEmpty { return }
        let rows = try await c.query("SELECT position, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE", logger: logger).collect()
        guard let (position, hash) = try rows.first?.decode((Int64, ByteBuffer).self) else {
            throw StoreError.failed("the audit chain's head is missing")
        }
        var last = AuditLink(position: position, entryID: "", entryHash: [], previous: [], hash: Array(hash.readableBytesView))
        // Position 0 holds the genesis hash: the first link follows it as it follows no link.
        var links: [AuditLink] = []
        for entry in entries {
            last = AuditLink.next(after: last, entryID: entry.id, body: entry.body)
            links.append(last)
        }
        try await c.query("""
            INSERT INTO audit_chain (position, entry_id, entry_hash, previous, hash)
            SELECT * FROM unnest(\(links.map(\.position))::bigint[], \(links.map(\.entryID))::text[],
                                 \(links.map { ByteBuffer(bytes: $0.entryHash) })::bytea[],
                                 \(links.map { ByteBuffer(bytes: $0.previous) })::bytea[], \(links.map { ByteBuffer(bytes: $0.hash) })::bytea[])
            """, logger: logger)
        try await c.query("UPDATE audit_chain_head SET position = \(last.position), hash = \(ByteBuffer(bytes: last.hash)) WHERE id = 1",
                          logger: logger)
    }

    /// Inserts events in one statement (arrays, one per column).
    static func insert(_ events: [Event], on c: PostgresConnection, logger: Logger) async throws {
        if events.isEmpty { return }
        let sequences = events.map { $0.sequence }
        let ids = events.map { $0.id.description }
        let types = events.map { $0.type }
        let hasJurisdiction = events.map { $0.jurisdiction != nil }
        let jurisdictions = events.map { $0.jurisdiction?.rawValue ?? "" }
        let subjects = events.map { $0.subject }
        let actors = events.map { $0.actor }
        let ats = events.map { $0.at.millisecondsSince1970 }
        let data = events.map { JSONWriter.string($0.data, sortKeys: true) }
        try await c.query("""
            INSERT INTO events (sequence, id, type, jurisdiction, subject, actor, at, data)
            SELECT e.sequence, e.id, e.type, CASE WHEN e.has_jurisdiction THEN e.jurisdiction END, e.subject, e.actor, e.at, e.data
            FROM unnest(\(sequences)::bigint[], \(ids)::text[], \(types)::text[], \(hasJurisdiction)::boolean[],
                        \(jurisdictions)::text[], \(subjects)::text[], \(actors)::text[], \(ats)::bigint[], \(data)::text[])
                 AS e(sequence, id, type, has_jurisdiction, jurisdiction, subject, actor, at, data)
            ORDER BY e.sequence
            """, logger: logger)
    }
}
