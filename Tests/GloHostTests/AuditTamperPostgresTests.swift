import Foundation
import GloKit
import GloStorePostgres
import Testing

/// The audit log edited behind the host's back on PostgreSQL (the SQLite case is in
/// Tests/CLITests/DataProtectionCommandTests.swift, through `glo-host audit verify`).
@Suite("PostgreSQL: a tampered audit log is named", .serialized,
       .enabled(if: testPostgresURL != nil, "set GLO_TEST_POSTGRES_URL (scripts/postgres-test-server.sh)"))
struct AuditTamperPostgresTests {
    /// A store with four audit entries and a signed head; the entries' ids in chain order.
    func chained(_ url: String) async throws -> [String] {
        let store = try await PostgresStore(url: url, logger: quietLogger)
        let records = Records(store: store, vault: testVault)
        for n in 0..<4 {
            try await AuditLog(records: records).append(AuditEntry(user: UserID(), role: .caseworker, action: .read,
                                                                   subject: "case:\(n)", jurisdiction: "TH", request: "test"))
        }
        try await AuditSigningKey.load(path: temporaryFolder() + "/audit.key").signHead(of: store)
        let ids = try await store.auditLinks(after: 0, limit: 10).map(\.entryID)
        #expect(try await AuditChainCheck(store: store).verify().findings.isEmpty)
        try await store.close()
        return ids
    }

    func findings(after sql: String, on url: String) async throws -> [AuditChainCheck.Finding] {
        try await psql(url, sql)
        let store = try await PostgresStore(url: url, logger: quietLogger)
        defer { Task { try? await store.close() } }
        return try await AuditChainCheck(store: store).verify().findings
    }

    @Test("an entry changed, one removed, two swapped: each is named by position and id")
    func tampering() async throws {
        var url = try await freshPostgresDatabase()
        var ids = try await chained(url)
        let changed = try await findings(after: "UPDATE records SET body = convert_to(replace(convert_from(body, 'UTF8'), 'case:1', 'case:9'), 'UTF8') WHERE collection = 'audit' AND id = '\(ids[1])'", on: url)
        #expect(changed.first == .changed(position: 2, entryID: ids[1]), "\(changed)")

        url = try await freshPostgresDatabase()
        ids = try await chained(url)
        let removed = try await findings(after: "DELETE FROM records WHERE collection = 'audit' AND id = '\(ids[2])'", on: url)
        #expect(removed.first == .removed(position: 3, entryID: ids[2]), "\(removed)")

        url = try await freshPostgresDatabase()
        ids = try await chained(url)
        try await psql(url, "UPDATE records SET id = 'swap' WHERE collection = 'audit' AND id = '\(ids[0])'")
        try await psql(url, "UPDATE records SET id = '\(ids[0])' WHERE collection = 'audit' AND id = '\(ids[3])'")
        let swapped = try await findings(after: "UPDATE records SET id = '\(ids[3])' WHERE collection = 'audit' AND id = 'swap'", on: url)
        #expect(swapped.contains(.reordered(position: 1, entryID: ids[0], holds: 4)), "\(swapped)")
        #expect(swapped.contains(.reordered(position: 4, entryID: ids[3], holds: 1)), "\(swapped)")
    }
}
