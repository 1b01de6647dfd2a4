import ArgumentParser
import Foundation
import GloKit
import GloStoreSQLite

/// `glo-host store backup --to FILE` (online) and `glo-host store restore --from FILE --to PATH`.
extension StoreCommand {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite store to a sealed file while serve runs.",
            discussion: """
                SQLite's online backup copies one consistent moment while hosts go on serving. The file is encrypted and
                authenticated under the master key, holds no data keys (the key ring stays with the live store, so an
                erasure reaches every backup), and is written readable by its owner only. On PostgreSQL, use pg_dump
                (README, "Data protection").
                """)
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("to"), help: "The backup file to write; it must not exist.")
        var to: String

        func run() async throws {
            let settings = try await store.settings()
            guard case .sqlite = StoreLocation(settings.db) else {
                warn("--db: store backup copies a SQLite store; back up PostgreSQL with pg_dump (README, \"Data protection\")")
                throw ExitCode(2)
            }
            let file = try OutputFile(path: to, option: "--to", permissions: 0o600, existing: .refuse)
            let (db, vault) = try await openStore(settings)
            guard let sqlite = db as? SQLiteStore else { throw ExitCode(2) }
            let copy = (to as NSString).deletingLastPathComponent.isEmpty ? ".\(getpid()).backup.sqlite"
                : (to as NSString).deletingLastPathComponent + "/.\(getpid()).backup.sqlite"
            defer { for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: copy + suffix) } }
            do {
                _ = FileManager.default.createFile(atPath: copy, contents: nil, attributes: [.posixPermissions: 0o600])
                try await sqlite.backup(to: copy)
                guard let input = FileHandle(forReadingAtPath: copy) else { throw BackupError("cannot read the copy \(copy)") }
                let size = Int((try FileManager.default.attributesOfItem(atPath: copy)[.size] as? NSNumber)?.intValue ?? 0)
                let header = try BackupSeal.seal(with: vault.masters.current, size: size,
                                                 read: { Array(input.readData(ofLength: $0)) }, write: { try file.write($0) })
                try input.close()
                try file.close()
                try await db.close()
                print("backed up \(size) bytes to \(to), sealed with master key \(header.master) at \(header.createdAt)")
            } catch {
                file.discard()
                try? await db.close()
                warn("--to \(to): \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a backup's seal and write it out as a SQLite store, with the key ring of the live store.",
            discussion: """
                Nothing is written unless every part of the file opens. The restored store takes its data keys from the
                live store (--db): a person erased since the backup was taken cannot be opened in the restored copy.
                Then stop the hosts, move the restored file in place of the old one, and start them again.
                """)
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("from"), help: "The backup file.")
        var from: String
        @Option(name: .customLong("to"), help: "The SQLite file to write; it must not exist.")
        var to: String
        @Option(name: .customLong("key-file"), help: "A key file holding the master key the backup was sealed with, if it is not the current one.")
        var keyFile: String?

        func run() async throws {
            let settings = try await store.settings()
            if FileManager.default.fileExists(atPath: to) { throw ValidationError("--to '\(to)' already exists: name a file that does not exist yet") }
            guard let data = FileManager.default.contents(atPath: from) else {
                warn("--from \(from): cannot read the file")
                throw ExitCode(2)
            }
            let bytes = Array(data)
            guard let newline = bytes.firstIndex(of: 0x0A) else {
                warn("--from \(from): it is not a glo-host backup (no backup header)")
                throw ExitCode(1)
            }
            let (live, vault) = try await openStore(settings)
            var masters = vault.masters.all
            if let keyFile { masters += (try? VaultKey.read(keyFile)) ?? [] }
            let partial = to + ".partial"
            try? FileManager.default.removeItem(atPath: partial)
            do {
                _ = FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600])
                guard let output = FileHandle(forWritingAtPath: partial) else { throw BackupError("cannot write \(partial)") }
                let header = try BackupSeal.open(Array(bytes[(newline + 1)...]), headerLine: String(decoding: bytes[..<newline], as: UTF8.self),
                                                 masters: masters) { try output.write(contentsOf: Data($0)) }
                try output.synchronize()
                try output.close()
                let restored = try SQLiteStore(path: partial)
                let keys = try await live.copyKeyRing(to: restored)
                try await restored.close()
                try await live.close()
                for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
                guard rename(partial, to) == 0 else { throw BackupError("cannot rename \(partial) to \(to)") }
                print("restored the backup of \(header.createdAt) to \(to), with \(keys) keys of the live key ring")
            } catch {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
                try? await live.close()
                warn("--from \(from): \(error)")
                throw ExitCode(1)
            }
        }
    }
}
