import ArgumentParser
import Foundation
import GloKit

/// `glo-host keys status|migrate|rotate|copy`: the master key and the key ring (README, "Data protection").
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "See, migrate, rotate and copy the personal-data keys.",
        discussion: """
            Each person's data is sealed with a data key of their own, kept in the store's key ring wrapped by the
            master key (key_file, or GLO_HOST_KEY). These commands work on the store directly, also while
            `glo-host serve` runs on it.
            """,
        subcommands: [Status.self, MigrateKeys.self, Rotate.self, Copy.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the master keys held and how many data keys each wraps.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (db, vault) = try await openStore(try await store.settings())
            let counts = try await db.dataKeyCounts()
            let retired = try await db.retiredMasterKeys()
            for (index, key) in vault.masters.all.enumerated() {
                print("master key \(key.id)\(index == 0 ? " (current)" : ""): wraps \(counts[key.id] ?? 0) data keys")
            }
            for (id, count) in counts where !vault.masters.all.contains(where: { $0.id == id }) {
                print("master key \(id) (not held here): wraps \(count) data keys")
            }
            for (id, at) in retired.sorted(by: { $0.value < $1.value }) { print("retired master key \(id) at \(at)") }
            let migrated = try await EnvelopeMigration(records: Records(store: db, vault: vault), entities: sealedEntities).isDone()
            print("envelope encryption: \(migrated ? "every value sealed under its person's key" : "not migrated yet (glo-host keys migrate)")")
            try await db.close()
        }
    }

    struct MigrateKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Re-seal a store from before envelope encryption under a data key per person.",
            discussion: "In place and resumable: run it again after an interruption. `serve` runs it at start when needed.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (db, vault) = try await openStore(try await store.settings())
            let migration = EnvelopeMigration(records: Records(store: db, vault: vault), entities: sealedEntities)
            let count = try await migration.run { collection, done in
                if done % 1_000 < EnvelopeMigration.pageSize { warn("… \(collection): \(done) re-sealed") }
            }
            print("envelope encryption: \(count) records re-sealed; every value is sealed under its person's key")
            try await db.close()
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the master key: a new key, every data key re-wrapped, the old key retired.",
            discussion: """
                Online: hosts go on serving. First the key file gets the new key followed by the old one (hosts that read
                the file pick up the new key within seconds); then every data key wrapped by the old key is re-wrapped by
                the new one; last the old key is retired in the store and removed from the file. Interrupted, it goes on
                from where it stopped when run again. On several machines, run it with --new-key-only, copy the key file
                to every host, then run it again (README, "Data protection").
                """)
        @OptionGroup var store: StoreOptions
        @Flag(name: .customLong("new-key-only"), help: "Only write the new key into the key file (to copy it to the other hosts first).")
        var newKeyOnly = false

        func run() async throws {
            let settings = try await store.settings()
            if !(ProcessInfo.processInfo.environment[VaultKey.environmentVariable] ?? "").isEmpty {
                warn("\(VaultKey.environmentVariable): a rotation writes the key file; unset the variable and use key_file")
                throw ExitCode(2)
            }
            let (db, vault) = try await openStore(settings)
            guard try await EnvelopeMigration(records: Records(store: db, vault: vault), entities: sealedEntities).isDone() else {
                try await db.close()
                warn("the store is not migrated to envelope encryption yet: run `glo-host keys migrate` first")
                throw ExitCode(1)
            }
            var keys = try VaultKey.read(settings.keyFile)
            if keys.count == 1 {
                keys = [VaultKey.random(), keys[0]]
                try VaultKey.write(keys, to: settings.keyFile)
                print("new master key \(keys[0].id) written to \(settings.keyFile) (before the old key \(keys[1].id))")
            } else {
                print("resuming the rotation from master key \(keys[1].id) to \(keys[0].id)")
            }
            if newKeyOnly {
                print("copy \(settings.keyFile) to every host's key_file, then run `glo-host keys rotate` again")
                try await db.close()
                return
            }
            let rotation = KeyRotation(store: db, masters: MasterKeys(keys, file: settings.keyFile))
            let report = try await rotation.run(from: keys[1], to: keys[0]) { done in
                warn("… \(done) data keys re-wrapped")
            }
            try VaultKey.write([keys[0]], to: settings.keyFile)
            try await db.close()
            print("re-wrapped \(report.rewrapped) data keys; master key \(report.retired) is retired and was removed from \(settings.keyFile)")
            print("copy \(settings.keyFile) to every other host's key_file: a host started with the old key is refused")
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the key ring of a live store into another (a restored PostgreSQL dump, an imported export).",
            discussion: "Backups and exports never hold the key ring; it comes from the live store, erasures included.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("from"), help: "The live store whose key ring is copied (a SQLite path or a postgres:// URL).")
        var from: String

        func run() async throws {
            var source = try await store.settings()
            source.db = from
            let live = try await openStoreOnly(source)
            let target = try await openStoreOnly(try await store.settings())
            let copied = try await live.copyKeyRing(to: target)
            try await live.close()
            try await target.close()
            print("copied \(copied) keys of the key ring")
        }
    }
}
