public import GloKit
import NIOCore
import PostgresNIO

/// The key ring and the audit chain on PostgreSQL (see `Store`).
extension PostgresStore {
    public func dataKey(_ id: String) async throws -> WrappedDataKey? {
        let found = try await rows("SELECT id, master, wrapped, created_at, erased_at FROM data_keys WHERE id = \(id)", "reading a data key")
        return try decode("reading a data key") { try found.first.map(Self.dataKey) }
    }

    public func dataKeys(after afterID: String?, limit: Int) async throws -> [WrappedDataKey] {
        let found = try await rows("""
            SELECT id, master, wrapped, created_at, erased_at FROM data_keys WHERE id > \(afterID ?? "") ORDER BY id LIMIT \(Int64(limit))
            """, "reading data keys")
        return try decode("reading data keys") { try found.map(Self.dataKey) }
    }

    public func addDataKeys(_ keys: [WrappedDataKey]) async throws {
        if keys.isEmpty { return }
        _ = try await rows("""
            INSERT INTO data_keys (id, master, wrapped, created_at)
            SELECT * FROM unnest(\(keys.map(\.id))::text[], \(keys.map(\.master))::text[],
                                 \(keys.map { ByteBuffer(bytes: $0.wrapped ?? []) })::bytea[], \(keys.map { $0.createdAt.millisecondsSince1970 })::bigint[])
            ON CONFLICT (id) DO NOTHING
            """, "adding data keys")
    }

    public func rewrapDataKeys(_ keys: [WrappedDataKey], from master: String) async throws -> Int {
        let live = keys.filter { $0.wrapped != nil }
        if live.isEmpty { return 0 }
        let changed = try await rows("""
            UPDATE data_keys d SET master = k.master, wrapped = k.wrapped
            FROM unnest(\(live.map(\.id))::text[], \(live.map(\.master))::text[], \(live.map { ByteBuffer(bytes: $0.wrapped ?? []) })::bytea[])
                 AS k(id, master, wrapped)
            WHERE d.id = k.id AND d.master = \(master) AND d.wrapped IS NOT NULL
            RETURNING 1
            """, "re-wrapping data keys")
        return changed.count
    }

    public func eraseDataKey(_ id: String, at time: Timestamp) async throws -> Bool {
        let erased = try await rows("""
            UPDATE data_keys SET wrapped = NULL, master = '', erased_at = coalesce(erased_at, \(time.millisecondsSince1970))
            WHERE id = \(id) RETURNING 1
            """, "erasing a data key")
        // The old row version stays in the table's file until a vacuum reclaims it: ask for one now
        // (it cannot run in a transaction; autovacuum does it later if this one is refused).
        _ = try? await rows("VACUUM data_keys", "vacuuming the key ring")
        return !erased.isEmpty
    }

    public func dataKeyCounts() async throws -> [String: Int] {
        let found = try await rows("SELECT master, count(*) FROM data_keys WHERE wrapped IS NOT NULL GROUP BY master", "counting data keys")
        return try decode("counting data keys") {
            var counts: [String: Int] = [:]
            for row in found {
                let (master, count) = try row.decode((String, Int64).self)
                counts[master] = Int(count)
            }
            return counts
        }
    }

    public func retireMasterKey(_ id: String, at time: Timestamp) async throws {
        _ = try await rows("""
            INSERT INTO retired_master_keys (id, retired_at) VALUES (\(id), \(time.millisecondsSince1970)) ON CONFLICT (id) DO NOTHING
            """, "retiring a master key")
    }

    public func retiredMasterKeys() async throws -> [String: Timestamp] {
        let found = try await rows("SELECT id, retired_at FROM retired_master_keys", "reading retired master keys")
        return try decode("reading retired master keys") {
            var all: [String: Timestamp] = [:]
            for row in found {
                let (id, at) = try row.decode((String, Int64).self)
                all[id] = Timestamp(millisecondsSince1970: at)
            }
            return all
        }
    }

    static func dataKey(_ row: PostgresRow) throws -> WrappedDataKey {
        let (id, master, wrapped, created, erased) = try row.decode((String, String, ByteBuffer?, Int64, Int64?).self)
        return WrappedDataKey(id: id, master: master, wrapped: wrapped.map { Array($0.readableBytesView) },
                              createdAt: Timestamp(millisecondsSince1970: created), erasedAt: erased.map { Timestamp(millisecondsSince1970: $0) })
    }

    // MARK: Audit chain

    public func auditLinks(after position: Int64, limit: Int) async throws -> [AuditLink] {
        let found = try await rows("""
            SELECT position, entry_id, entry_hash, previous, hash FROM audit_chain WHERE position > \(position)
            ORDER BY position LIMIT \(Int64(limit))
            """, "reading the audit chain")
        return try decode("reading the audit chain") { try found.map(Self.link) }
    }

    public func lastAuditLink() async throws -> AuditLink? {
        let found = try await rows("SELECT position, entry_id, entry_hash, previous, hash FROM audit_chain ORDER BY position DESC LIMIT 1",
                                   "reading the audit chain")
        return try decode("reading the audit chain") { try found.first.map(Self.link) }
    }

    static func link(_ row: PostgresRow) throws -> AuditLink {
        let (position, id, entry, previous, hash) = try row.decode((Int64, String, ByteBuffer, ByteBuffer, ByteBuffer).self)
        return AuditLink(position: position, entryID: id, entryHash: Array(entry.readableBytesView),
                         previous: Array(previous.readableBytesView), hash: Array(hash.readableBytesView))
    }

    public func addAuditHead(_ head: AuditHead) async throws {
        _ = try await rows("""
            INSERT INTO audit_heads (position, hash, signed_at, public_key, signature)
            VALUES (\(head.position), \(ByteBuffer(bytes: head.hash)), \(head.signedAt.millisecondsSince1970), \(ByteBuffer(bytes: head.publicKey)),
                    \(ByteBuffer(bytes: head.signature)))
            ON CONFLICT (position) DO NOTHING
            """, "adding an audit head")
    }

    public func auditHeads() async throws -> [AuditHead] {
        let found = try await rows("SELECT position, hash, signed_at, public_key, signature FROM audit_heads ORDER BY position",
                                   "reading audit heads")
        return try decode("reading audit heads") {
            try found.map { row in
                let (position, hash, at, key, signature) = try row.decode((Int64, ByteBuffer, Int64, ByteBuffer, ByteBuffer).self)
                return AuditHead(position: position, hash: Array(hash.readableBytesView), signedAt: Timestamp(millisecondsSince1970: at),
                                 publicKey: Array(key.readableBytesView), signature: Array(signature.readableBytesView))
            }
        }
    }
}
