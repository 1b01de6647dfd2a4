import ArgumentParser
import Foundation
import GloKit
import GloStorePostgres
import GloStoreSQLite

/// `glo-host migrate`: brings a store's schema up to this version, without serving.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or update the store's tables (serve also does this when it starts).",
        discussion: """
            Run it once before starting several hosts on a new PostgreSQL database, and after upgrading glo-host.
            Migrations run under a lock, so hosts starting together never run them twice.
            """)
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let settings = try await store.settings()
        let location = StoreLocation(settings.db)
        do {
            switch location {
            case .postgres(let url):
                let applied = try await PostgresStore.migrate(url: url)
                print(applied.isEmpty ? "\(location.display): up to date" : "\(location.display): applied \(applied.joined(separator: "; "))")
            case .sqlite(let path):
                let opened = try SQLiteStore(path: path)
                try await opened.close()
                print("\(location.display): up to date")
            }
        } catch {
            warn("--db \(location.display): \(error)")
            throw ExitCode(2)
        }
    }
}

/// `glo-host store export|import|digest`: moving a whole store, SQLite <-> PostgreSQL.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Export a whole store to a file, import it into another, compare digests; back up and restore online.",
        discussion: """
            The way from one machine to many:
              glo-host store export --db data/glo-host.sqlite --to store.jsonl
              glo-host migrate --db postgres://glo:PASSWORD@db:5432/glo
              glo-host store import --db postgres://glo:PASSWORD@db:5432/glo --from store.jsonl
            The export holds personal data sealed, as the store does, and never the key ring: after an import, copy the
            ring from the source (glo-host keys copy --db TARGET --from SOURCE). It is written readable by its owner
            only. An import
            goes into an empty store only, and ends by checking that the store's counts and hash equal the
            export's. Stop the hosts before an export: one taken while they write is not one consistent moment.
            """,
        subcommands: [Export.self, Import.self, DigestCommand.self, Backup.self, Restore.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every record, event, checkpoint and dead letter to a file.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("to"), help: "The file to write (JSON Lines); it must not exist. A FIFO or a device is written in place.")
        var to: String

        func run() async throws {
            // Readable by its owner only, like the database; never over an existing file. Checked before
            // the store is opened, so a wrong --to costs nothing.
            let file = try OutputFile(path: to, option: "--to", permissions: 0o600, existing: .refuse)
            let db = try await openStoreOnly(try await store.settings())
            var buffer: [UInt8] = []
            let digest: StoreTransfer.Digest
            do {
                digest = try await StoreTransfer.export(db) { line in
                    buffer.append(contentsOf: line.utf8)
                    buffer.append(0x0A)
                    if buffer.count > 1 << 20 {
                        try file.write(buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                try file.write(buffer)
            } catch {
                file.discard()
                try? await db.close()
                throw error
            }
            try file.close()
            try await db.close()
            print("exported \(digest)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read an export into an empty store and check the digests match.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("from"), help: "The export file (JSON Lines).")
        var from: String

        func run() async throws {
            let settings = try await store.settings()
            guard let text = FileManager.default.contents(atPath: from) else {
                warn("--from \(from): cannot read the file")
                throw ExitCode(2)
            }
            let db = try await openStoreOnly(settings, create: true)
            let lines = String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).lazy.map(String.init)
            do {
                let digest = try await StoreTransfer.import(into: db, lines: lines) { written in
                    if written % 10_000 < StoreTransfer.batchSize { warn("… \(written) records and events written") }
                }
                try await db.close()
                print("imported \(digest)")
                print("the store's digest equals the export's")
            } catch let error as GloKitError {
                try? await db.close()
                warn("--from \(from): \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct DigestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "digest", abstract: "Print the store's counts and content hash.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let db = try await openStoreOnly(try await store.settings())
            print(try await StoreTransfer.digest(of: db))
            try await db.close()
        }
    }
}
