import Foundation
import GloKit
import GRDB

extension SQLiteStore {
    /// Copies the database to `path` (which must not exist) while the store goes on serving:
    /// SQLite's online backup API copies a consistent snapshot page by page, and commits made
    /// meanwhile wait only for the step in progress. The copy is then left without the key ring
    /// (erasure reaches a backup because the keys stay with the live store) and vacuumed, so the
    /// ring's old pages are not left in its free space.
    public func backup(to path: String) async throws {
        try Self.backup(pool, to: path)
    }

    private static func backup(_ pool: DatabasePool, to path: String) throws {
        do {
            let copy = try DatabaseQueue(path: path)
            try pool.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "DELETE FROM data_keys")
                try db.execute(sql: "VACUUM")
            }
            try copy.close()
        } catch let error as DatabaseError {
            throw StoreError.failed("SQLite error \(error.resultCode.rawValue) (\(error.resultCode)) on backing up")
        }
    }
}
