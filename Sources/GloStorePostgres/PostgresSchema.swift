import GloKit
import Logging
import PostgresNIO

/// The PostgreSQL schema, as versioned migrations recorded in `glo_schema_migrations` and run at
/// every start. Add a migration; never edit one that has shipped.
///
/// Text that the store orders by or compares (collections, ids, key names and values) is
/// `COLLATE "C"`, so ids sort by their bytes, as they do in SQLite, whatever the database's locale.
enum PostgresSchema {
    struct Migration: Sendable {
        var version: Int32
        var name: String
        var statements: [String]
    }

    /// The comment on `glo_schema_migrations` that marks a database as glo-host's (like SQLite's
    /// `application_id`). A schema with tables but without it is not ours.
    static let mark = "glo-host schema migrations"
    /// The `pg_advisory_lock` key the migrations run under: "GLOH".
    static let lockKey: Int64 = 0x474C_4F48
    /// The channel each commit with events notifies, with `<last sequence> <store instance>`.
    static let channel = "glo_events"

    static let migrations: [Migration] = [
        Migration(version: 1, name: "v1: records, event log and its sequence counter, checkpoints, dead letters", statements: [
            """
            CREATE TABLE records (
                collection TEXT COLLATE "C" NOT NULL,
                id TEXT COLLATE "C" NOT NULL,
                version BIGINT NOT NULL,
                body BYTEA NOT NULL,
                keys TEXT NOT NULL,
                PRIMARY KEY (collection, id)
            )
            """,
            """
            CREATE TABLE record_keys (
                collection TEXT COLLATE "C" NOT NULL,
                name TEXT COLLATE "C" NOT NULL,
                value TEXT COLLATE "C" NOT NULL,
                id TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (collection, name, value, id)
            )
            """,
            "CREATE INDEX record_keys_by_record ON record_keys (collection, id)",
            // `data` is the JSON text as GloKit wrote it (TEXT, not JSONB, so it reads back exactly).
            """
            CREATE TABLE events (
                sequence BIGINT PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                jurisdiction TEXT,
                subject TEXT NOT NULL,
                actor TEXT NOT NULL,
                at BIGINT NOT NULL,
                data TEXT NOT NULL
            )
            """,
            // One row: the last sequence number handed out. Commits take their numbers from it last
            // thing before COMMIT, so its row lock orders the commits of every host (PostgresCommitter).
            """
            CREATE TABLE event_sequence (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last BIGINT NOT NULL
            )
            """,
            "INSERT INTO event_sequence (id, last) VALUES (1, 0)",
            """
            CREATE TABLE checkpoints (
                subscriber TEXT PRIMARY KEY,
                position BIGINT NOT NULL,
                generation BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE dead_letters (
                id TEXT PRIMARY KEY,
                subscriber TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                event_type TEXT NOT NULL,
                error TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                parked_at BIGINT NOT NULL,
                state TEXT NOT NULL
            )
            """,
        ]),
        Migration(version: 2, name: "v2: subscriber leases", statements: [
            // Which host delivers to a subscriber, until when, by the database's clock.
            """
            CREATE TABLE subscriber_leases (
                subscriber TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
        Migration(version: 3, name: "v3: events by subject", statements: [
            "CREATE INDEX events_by_subject ON events (subject, sequence)",
        ]),
        Migration(version: 4, name: "v4: key ring, audit chain and its signed heads", statements: [
            // Each person's data key, wrapped by a master key: apart from the records, because erasure
            // destroys a key and backups leave the ring out (pg_dump --exclude-table-data=data_keys).
            """
            CREATE TABLE data_keys (
                id TEXT COLLATE "C" PRIMARY KEY,
                master TEXT NOT NULL,
                wrapped BYTEA,
                created_at BIGINT NOT NULL,
                erased_at BIGINT
            )
            """,
            "CREATE INDEX data_keys_by_master ON data_keys (master)",
            "CREATE TABLE retired_master_keys (id TEXT PRIMARY KEY, retired_at BIGINT NOT NULL)",
            """
            CREATE TABLE audit_chain (
                position BIGINT PRIMARY KEY,
                entry_id TEXT NOT NULL,
                entry_hash BYTEA NOT NULL,
                previous BYTEA NOT NULL,
                hash BYTEA NOT NULL
            )
            """,
            // One row: the chain's last link. Commits with audit entries lock it just before the event
            // counter, so the chain follows the commit order of every host.
            """
            CREATE TABLE audit_chain_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                position BIGINT NOT NULL,
                hash BYTEA NOT NULL
            )
            """,
            "INSERT INTO audit_chain_head (id, position, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'))",
            """
            CREATE TABLE audit_heads (
                position BIGINT PRIMARY KEY,
                hash BYTEA NOT NULL,
                signed_at BIGINT NOT NULL,
                public_key BYTEA NOT NULL,
                signature BYTEA NOT NULL
            )
            """,
        ]),
    ]

    /// Brings the connection's database up to date, under an advisory lock so that hosts starting
    /// together take turns; returns the names of the migrations it applied. Refuses a database that
    /// is not glo-host's or was migrated by a newer glo-host.
    static func migrate(_ connection: PostgresConnection, url: PostgresURL, logger: Logger) async throws -> [String] {
        try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        do {
            let applied = try await migrateLocked(connection, url: url, logger: logger)
            try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
    }

    private static func migrateLocked(_ connection: PostgresConnection, url: PostgresURL, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("""
            SELECT (SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()),
                   to_regclass('glo_schema_migrations') IS NOT NULL,
                   coalesce(obj_description(to_regclass('glo_schema_migrations'), 'pg_class'), '')
            """, logger: logger).collect()
        guard let row = rows.first else { throw StoreError.unusable("PostgreSQL at \(url) did not describe its tables") }
        let (tables, hasMigrations, comment) = try row.decode((Int64, Bool, String).self)
        if hasMigrations ? comment != mark : tables > 0 {
            throw StoreError.unusable("PostgreSQL database \(url) has tables, but is not a glo-host database; point the URL at another database")
        }
        if !hasMigrations {
            try await inTransaction(connection, logger: logger) {
                try await connection.query("""
                    CREATE TABLE glo_schema_migrations (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                    """, logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "COMMENT ON TABLE glo_schema_migrations IS '\(mark)'"), logger: logger)
            }
        }
        var done = Set<Int32>()
        for row in try await connection.query("SELECT version FROM glo_schema_migrations", logger: logger).collect() {
            done.insert(try row.decode(Int32.self))
        }
        let known = Set(migrations.map(\.version))
        if !done.subtracting(known).isEmpty {
            throw StoreError.unusable("PostgreSQL database \(url) was migrated by a newer glo-host; use that version, or restore a backup")
        }
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.version) {
            try await inTransaction(connection, logger: logger) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO glo_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                                           logger: logger)
            }
            logger.info("applied PostgreSQL migration", metadata: ["migration": "\(migration.name)", "database": "\(url)"])
            applied.append(migration.name)
        }
        return applied
    }

    /// BEGIN, the body, COMMIT; ROLLBACK (and the body's error) if anything fails.
    nonisolated(nonsending) static func inTransaction<T>(_ connection: PostgresConnection, logger: Logger,
                                 _ body: () async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let value = try await body()
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
