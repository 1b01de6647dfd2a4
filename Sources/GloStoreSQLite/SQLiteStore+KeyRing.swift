import Foundation
import GRDB
public import GloKit

/// The key ring and the audit chain on SQLite (see `Store`).
extension SQLiteStore {
    public func dataKey(_ id: String) async throws -> WrappedDataKey? {
        try await readRows { db in
            try Row.fetchOne(db, sql: "SELECT id, master, wrapped, created_at, erased_at FROM data_keys WHERE id = ?", arguments: [id])
                .map(Self.dataKey)
        }
    }

    public func dataKeys(after afterID: String?, limit: Int) async throws -> [WrappedDataKey] {
        try await readRows { db in
            try Row.fetchAll(db, sql: "SELECT id, master, wrapped, created_at, erased_at FROM data_keys WHERE id > ? ORDER BY id LIMIT ?",
                             arguments: [afterID ?? "", limit]).map(Self.dataKey)
        }
    }

    public func addDataKeys(_ keys: [WrappedDataKey]) async throws {
        try await writeRows { db in
            for key in keys {
                try db.execute(sql: """
                    INSERT INTO data_keys (id, master, wrapped, created_at, erased_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """, arguments: [key.id, key.master, key.wrapped.map { Data($0) }, key.createdAt.millisecondsSince1970,
                                     key.erasedAt?.millisecondsSince1970])
            }
        }
    }

    public func rewrapDataKeys(_ keys: [WrappedDataKey], from master: String) async throws -> Int {
        try await writeRows { db in
            var replaced = 0
            for key in keys {
                guard let wrapped = key.wrapped else { continue }
                try db.execute(sql: "UPDATE data_keys SET master = ?, wrapped = ? WHERE id = ? AND master = ? AND wrapped IS NOT NULL",
                               arguments: [key.master, Data(wrapped), key.id, master])
                replaced += db.changesCount
            }
            return replaced
        }
    }

    public func eraseDataKey(_ id: String, at time: Timestamp) async throws -> Bool {
        let erased = try await writeRows { db in
            // secure_delete: SQLite overwrites the freed bytes of the old row instead of leaving them
            // in the file's free space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            try db.execute(sql: "UPDATE data_keys SET wrapped = NULL, master = '', erased_at = coalesce(erased_at, ?) WHERE id = ?",
                           arguments: [time.millisecondsSince1970, id])
            return db.changesCount > 0
        }
        // The old page may still be in the write-ahead log: copy the log into the file and empty it.
        // Readers in the middle of a read can keep it from finishing; the next checkpoint does it then.
        try? await checkpointLog()
        return erased
    }

    public func dataKeyCounts() async throws -> [String: Int] {
        try await readRows { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT master, count(*) FROM data_keys WHERE wrapped IS NOT NULL GROUP BY master") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    public func retireMasterKey(_ id: String, at time: Timestamp) async throws {
        try await writeRows { db in
            try db.execute(sql: "INSERT INTO retired_master_keys (id, retired_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                           arguments: [id, time.millisecondsSince1970])
        }
    }

    public func retiredMasterKeys() async throws -> [String: Timestamp] {
        try await readRows { db in
            var all: [String: Timestamp] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, retired_at FROM retired_master_keys") {
                all[row[0]] = Timestamp(millisecondsSince1970: row[1])
            }
            return all
        }
    }

    static func dataKey(_ row: Row) -> WrappedDataKey {
        let wrapped: Data? = row["wrapped"]
        let erased: Int64? = row["erased_at"]
        return WrappedDataKey(id: row["id"], master: row["master"], wrapped: wrapped.map { Array($0) },
                              createdAt: Timestamp(millisecondsSince1970: row["created_at"]),
                              erasedAt: erased.map { Timestamp(millisecondsSince1970: $0) })
    }

    // MARK: Audit chain

    public func auditLinks(after position: Int64, limit: Int) async throws -> [AuditLink] {
        try await readRows { db in
            var select = try Bound(db, "SELECT position, entry_id, entry_hash, previous, hash FROM audit_chain WHERE position > ? ORDER BY position LIMIT ?")
            select.bind(position)
            select.bind(Int64(limit))
            var links: [AuditLink] = []
            while try select.step(db) { links.append(AuditChainTail.link(select)) }
            return links
        }
    }

    public func lastAuditLink() async throws -> AuditLink? {
        try await readRows { db in try AuditChainTail.lastLink(db) }
    }

    public func addAuditHead(_ head: AuditHead) async throws {
        try await writeRows { db in
            try db.execute(sql: """
                INSERT INTO audit_heads (position, hash, signed_at, public_key, signature) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (position) DO NOTHING
                """, arguments: [head.position, Data(head.hash), head.signedAt.millisecondsSince1970, Data(head.publicKey),
                                 Data(head.signature)])
        }
    }

    public func auditHeads() async throws -> [AuditHead] {
        try await readRows { db in
            try Row.fetchAll(db, sql: "SELECT position, hash, signed_at, public_key, signature FROM audit_heads ORDER BY position").map { row in
                AuditHead(position: row[0], hash: Array(row[1] as Data), signedAt: Timestamp(millisecondsSince1970: row[2]),
                          publicKey: Array(row[3] as Data), signature: Array(row[4] as Data))
            }
        }
    }
}
