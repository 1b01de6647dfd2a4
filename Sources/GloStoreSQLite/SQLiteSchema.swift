import GRDB

/// The SQLite schema, as versioned migrations run at every start. Add a migration; never edit one
/// that has shipped.
enum SQLiteSchema {
    /// `PRAGMA application_id`: "GLOH". A database without it (and with tables) is not ours.
    static let applicationID: Int32 = 0x474C_4F48

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: records, event log, checkpoints, dead letters") { db in
            try db.execute(sql: """
                PRAGMA application_id = \(applicationID);
                -- Every entity, as JSON (persons sealed), with its version for optimistic updates.
                CREATE TABLE records (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    keys TEXT NOT NULL,
                    PRIMARY KEY (collection, id)
                ) WITHOUT ROWID;
                -- The keys records are found by (case, jurisdiction, keyed name hashes...).
                CREATE TABLE record_keys (
                    collection TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value TEXT NOT NULL,
                    id TEXT NOT NULL,
                    PRIMARY KEY (collection, name, value, id)
                ) WITHOUT ROWID;
                CREATE INDEX record_keys_by_record ON record_keys (collection, id);
                -- The outbox and event log: sequence numbers are gap-free, in commit order.
                CREATE TABLE events (
                    sequence INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    jurisdiction TEXT,
                    subject TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    data TEXT NOT NULL
                );
                CREATE TABLE checkpoints (
                    subscriber TEXT PRIMARY KEY,
                    position INTEGER NOT NULL,
                    generation INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE dead_letters (
                    id TEXT PRIMARY KEY,
                    subscriber TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    event_type TEXT NOT NULL,
                    error TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    parked_at INTEGER NOT NULL,
                    state TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v2: subscriber leases") { db in
            try db.execute(sql: """
                -- Which process delivers to a subscriber, until when (milliseconds since 1970).
                CREATE TABLE subscriber_leases (
                    subscriber TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v3: events by subject") { db in
            try db.execute(sql: "CREATE INDEX events_by_subject ON events (subject, sequence)")
        }
        m.registerMigration("v4: key rows found by their primary key only") { db in
            // A record's old key rows are deleted by their primary key, from the keys stored with
            // the record, so this index only cost one more B-tree insert per key row.
            try db.execute(sql: "DROP INDEX record_keys_by_record")
        }
        m.registerMigration("v5: key ring, audit chain and its signed heads") { db in
            try db.execute(sql: """
                -- Each person's data key, wrapped by a master key (envelope encryption). Apart from
                -- the records, because erasure destroys a key and backups leave the ring out.
                CREATE TABLE data_keys (
                    id TEXT PRIMARY KEY,
                    master TEXT NOT NULL,
                    wrapped BLOB,
                    created_at INTEGER NOT NULL,
                    erased_at INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX data_keys_by_master ON data_keys (master);
                -- Master keys replaced by a rotation: a host started with one is refused.
                CREATE TABLE retired_master_keys (
                    id TEXT PRIMARY KEY,
                    retired_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                -- The audit log's hash chain, one link per entry, in commit order.
                CREATE TABLE audit_chain (
                    position INTEGER PRIMARY KEY,
                    entry_id TEXT NOT NULL,
                    entry_hash BLOB NOT NULL,
                    previous BLOB NOT NULL,
                    hash BLOB NOT NULL
                );
                CREATE TABLE audit_heads (
                    position INTEGER PRIMARY KEY,
                    hash BLOB NOT NULL,
                    signed_at INTEGER NOT NULL,
                    public_key BLOB NOT NULL,
                    signature BLOB NOT NULL
                );
                """)
        }
        return m
    }
}
