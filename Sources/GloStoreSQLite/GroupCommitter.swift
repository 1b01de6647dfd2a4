import Foundation
import GloJSON
import GloKit
import GRDB

/// Writes changes in groups (`CommitGroups`): one transaction and one fsync for every change
/// waiting when the previous group finished, on one dispatch queue. A change that conflicts is
/// refused alone while the others commit (see `commit`). Callers resume only after the group's commit.
final class GroupCommitter: Sendable {
    private let pool: DatabasePool
    private let queue = DispatchQueue(label: "glo-host.sqlite.commit")
    private let groups = CommitGroups<PreparedChange>()
    private typealias Pending = CommitGroups<PreparedChange>.Waiting

    init(pool: DatabasePool) { self.pool = pool }

    func submit(_ change: Change) async throws -> CommitReceipt {
        // The text the writer stores is made here, on the caller's thread: the writer is one thread
        // for all callers, so it only runs SQL.
        let prepared = PreparedChange(change)
        return try await groups.submit(prepared) { queue.async { self.drain() } }
    }

    /// Waits for the writes in flight, then refuses new ones.
    func finish() async { await groups.finish() }

    func observe(_ observer: @escaping @Sendable ([Event]) -> Void) { groups.observe(observer) }

    private func drain() {
        while let group = groups.nextGroup() { commit(group) }
    }

    private func commit(_ group: [Pending]) {
        var results: [Result<CommitReceipt, any Error>]
        do {
            // Conflicts are rare, so the group is first written without checking each expectation
            // beforehand: a write that finds one broken (a key already taken, an update that finds
            // another version) rolls the whole group back, and the group is written again with
            // every change checked first, so that only the conflicting one is refused.
            // A group where two changes write the same record is checked from the start: the second
            // would miss its expectation whenever the first succeeds.
            do {
                results = try write(group, checked: Self.writesARecordTwice(group))
            } catch is ExpectationMissed {
                results = try write(group, checked: true)
            }
        } catch {
            // A write that failed after its checks passed: the whole group is rolled back.
            groups.fail(group, with: Self.storeError(error))
            return
        }
        groups.complete(group, with: results)
    }

    private static func writesARecordTwice(_ group: [Pending]) -> Bool {
        var seen = Set<String>()
        for item in group {
            for write in item.work.change.writes where !seen.insert(write.collection.rawValue + "\u{0}" + write.id).inserted {
                return true
            }
        }
        return false
    }

    /// Thrown by an unchecked write whose expectation does not hold.
    private struct ExpectationMissed: Error {}

    private func write(_ group: [Pending], checked: Bool) throws -> [Result<CommitReceipt, any Error>] {
        var results: [Result<CommitReceipt, any Error>] = []
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                results = []
                let last = try Bound(db, "SELECT max(sequence) FROM events")
                var next = (try last.step(db) && !last.isNull(0) ? last.int64(0) : 0) + 1
                var chain = AuditChainTail()
                for item in group {
                    // Checked, expectations are verified before anything of the change is written,
                    // so a refused change leaves nothing behind and needs no savepoint. The checks
                    // see the writes of the changes before it in the group (same transaction).
                    if checked, let conflict = try Self.firstConflict(item.work.change, db: db) {
                        results.append(.failure(conflict))
                        continue
                    }
                    do {
                        results.append(.success(try Self.apply(item.work, db: db, firstSequence: &next, chain: &chain)))
                    } catch let error as DatabaseError where !checked && error.resultCode == .SQLITE_CONSTRAINT {
                        throw ExpectationMissed()
                    }
                }
                return .commit
            }
        }
        return results
    }

    /// The first record write of the change whose expectation does not hold, as a conflict.
    private static func firstConflict(_ change: Change, db: Database) throws -> StoreError? {
        var seen = Set<String>()
        for write in change.writes {
            let key = write.collection.rawValue + "\u{0}" + write.id
            var select = try Bound(db, "SELECT version FROM records WHERE collection = ? AND id = ?")
            select.bind(write.collection.rawValue)
            select.bind(write.id)
            let current = try select.step(db) ? select.int64(0) : nil
            let holds: Bool
            switch write.expect {
            case .new: holds = current == nil
            case .version(let expected): holds = current == expected
            }
            // The same record twice in one change is a conflict with itself.
            if !holds || !seen.insert(key).inserted { return .conflict(collection: write.collection, id: write.id) }
        }
        return nil
    }

    private static func storeError(_ error: any Error) -> any Error {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return StoreError.failed("SQLite error \(error.resultCode.rawValue) (\(error.resultCode)) on commit")
        }
        return StoreError.failed("commit failed")
    }

    /// Writes one change's records and events (prepared statements are cached per connection).
    /// An update that finds another version throws `ExpectationMissed` (only reached unchecked).
    private static func apply(_ prepared: PreparedChange, db: Database, firstSequence next: inout Int64,
                              chain: inout AuditChainTail) throws -> CommitReceipt {
        let change = prepared.change
        var versions: [Int64] = []
        for (write, keys) in zip(change.writes, prepared.keys) {
            let version: Int64
            // The key rows to delete and to add.
            var removed: Set<IndexKey> = []
            var added: Set<IndexKey> = []
            switch write.expect {
            case .new:
                var insert = try Bound(db, "INSERT INTO records (collection, id, version, body, keys) VALUES (?, ?, 1, ?, ?)")
                insert.bind(write.collection.rawValue)
                insert.bind(write.id)
                insert.bind(blob: write.body)
                insert.bind(keys)
                try insert.run(db)
                version = 1
                added = Set(write.keys)
                if write.collection == AuditEntry.collection { try chain.append(write.id, body: write.body, db: db) }
            case .version(let expected):
                // Most updates keep their keys (a case's status changes, its person does not): try
                // that first, so the key rows are rewritten only when the keys did change.
                var same = try Bound(db, "UPDATE records SET version = version + 1, body = ? WHERE collection = ? AND id = ? AND version = ? AND keys = ?")
                same.bind(blob: write.body)
                same.bind(write.collection.rawValue)
                same.bind(write.id)
                same.bind(expected)
                same.bind(keys)
                if try same.run(db) == 0 {
                    // The keys changed, or the version is stale. The old keys (kept with the record)
                    // say which key rows to delete: they are found by their primary key.
                    let old = try Self.keys(of: write, version: expected, db: db)
                    var update = try Bound(db, "UPDATE records SET version = version + 1, body = ?, keys = ? WHERE collection = ? AND id = ? AND version = ?")
                    update.bind(blob: write.body)
                    update.bind(keys)
                    update.bind(write.collection.rawValue)
                    update.bind(write.id)
                    update.bind(expected)
                    guard try update.run(db) == 1 else { throw ExpectationMissed() }
                    let new = Set(write.keys)
                    removed = old.subtracting(new)
                    added = new.subtracting(old)
                }
                version = expected + 1
            }
            for key in removed {
                try keyRow("DELETE FROM record_keys WHERE collection = ? AND name = ? AND value = ? AND id = ?", key, of: write, db: db)
            }
            for key in added {
                try keyRow("INSERT INTO record_keys (collection, name, value, id) VALUES (?, ?, ?, ?)", key, of: write, db: db)
            }
            versions.append(version)
        }
        var events: [Event] = []
        for (new, data) in zip(change.events, prepared.eventData) {
            let event = new.stored(as: next)
            try insert(event, data: data, db: db)
            events.append(event)
            next += 1
        }
        return CommitReceipt(events: events, versions: versions)
    }

    /// Runs `sql` (a key row's delete or insert) with its four values.
    private static func keyRow(_ sql: String, _ key: IndexKey, of write: RecordWrite, db: Database) throws {
        var statement = try Bound(db, sql)
        statement.bind(write.collection.rawValue)
        statement.bind(key.name)
        statement.bind(key.value)
        statement.bind(write.id)
        try statement.run(db)
    }

    /// The keys stored with `write`'s record at `version`; `ExpectationMissed` if it has another version.
    private static func keys(of write: RecordWrite, version: Int64, db: Database) throws -> Set<IndexKey> {
        var select = try Bound(db, "SELECT keys FROM records WHERE collection = ? AND id = ? AND version = ?")
        select.bind(write.collection.rawValue)
        select.bind(write.id)
        select.bind(version)
        guard try select.step(db) else { throw ExpectationMissed() }
        return Set(try IndexKey.keys(select.text(0)))
    }

    static func insert(_ event: Event, data: String, db: Database) throws {
        var insert = try Bound(db, "INSERT INTO events (sequence, id, type, jurisdiction, subject, actor, at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        insert.bind(event.sequence)
        insert.bind(event.id.description)
        insert.bind(event.type)
        insert.bind(event.jurisdiction?.rawValue)
        insert.bind(event.subject)
        insert.bind(event.actor)
        insert.bind(event.at.millisecondsSince1970)
        insert.bind(data)
        try insert.run(db)
    }
}

/// A change with the text the writer stores made beforehand: each write's keys and each event's data.
struct PreparedChange: Sendable {
    var change: Change
    var keys: [String]
    var eventData: [String]

    init(_ change: Change) {
        self.change = change
        keys = change.writes.map { IndexKey.text($0.keys) }
        eventData = change.events.map { JSONWriter.string($0.data, sortKeys: true) }
    }
}

/// The audit chain's last link as one transaction extends it: read once, when the transaction
/// inserts its first audit entry (the writer is the only one, so no other commit moves it meanwhile).
struct AuditChainTail {
    private var last: AuditLink??

    mutating func append(_ entryID: String, body: [UInt8], db: Database) throws {
        let previous: AuditLink?
        if let known = last { previous = known } else { previous = try Self.lastLink(db) }
        let link = AuditLink.next(after: previous, entryID: entryID, body: body)
        var insert = try Bound(db, "INSERT INTO audit_chain (position, entry_id, entry_hash, previous, hash) VALUES (?, ?, ?, ?, ?)")
        insert.bind(link.position)
        insert.bind(link.entryID)
        insert.bind(blob: link.entryHash)
        insert.bind(blob: link.previous)
        insert.bind(blob: link.hash)
        try insert.run(db)
        last = .some(link)
    }

    static func lastLink(_ db: Database) throws -> AuditLink? {
        let select = try Bound(db, "SELECT position, entry_id, entry_hash, previous, hash FROM audit_chain ORDER BY position DESC LIMIT 1")
        return try select.step(db) ? link(select) : nil
    }

    /// The link in the current row of a `SELECT position, entry_id, entry_hash, previous, hash`.
    static func link(_ row: borrowing Bound) -> AuditLink {
        AuditLink(position: row.int64(0), entryID: row.text(1), entryHash: row.blob(2), previous: row.blob(3), hash: row.blob(4))
    }
}
