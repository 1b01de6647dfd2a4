import ArgumentParser
import Configuration
import Foundation
import GloKit
import GloServer
import GloStorePostgres
import GloStoreSQLite
import Logging
import SystemPackage

/// The settings of a host, from `Config/glo-host.yaml` (or `--config`), overridden by `GLO_HOST_*`
/// environment variables, overridden by flags.
struct Settings {
    var db = "data/glo-host.sqlite"
    var keyFile = "data/keys/personal-data.key"
    /// The host's audit signing key (Ed25519), which signs the audit chain's head.
    var auditKeyFile = "data/keys/audit-signing.key"
    /// How often `serve` signs the audit chain's head (when it moved).
    var auditSignInterval: Duration = .seconds(60)
    /// Days a person's data is kept after the last of their cases closed, per jurisdiction
    /// (`retention.days.TH: 3650`); a jurisdiction without one keeps data until it is erased by hand.
    var retentionDays: [String: Int] = [:]
    var rules = "Config/jurisdictions"
    /// A candidate rules directory a rule author keeps beside the rules in force, for what-ifs
    /// (`POST /api/v1/rules/evaluate` with compare); none by default.
    var rulesCandidate: String?
    var jurisdictions: [String] = []
    var plugins: [String] = ["identification", "immigration", "reporting", "tally"]
    var watchRules = true
    var reloadInterval: Duration = .seconds(1)
    var retry = RetryPolicy()
    var pollInterval: Duration = .milliseconds(500)
    var logLevel: Logger.Level = .info
    var httpAddress = "127.0.0.1"
    var httpPort = 8080
    /// This host's name among several on one store (the holder of its subscribers' leases):
    /// `host.id`, else this machine's name and the HTTP port.
    var hostID: String?
    /// How long a subscriber's lease lasts: a dead host's subscribers move within it.
    var leaseDuration: Duration = .seconds(10)
    /// The exchange with other hosts (`federation:`); see docs/federation.md.
    var federation = FederationSettings()

    var leaseHolder: String {
        if let hostID { return hostID }
        let machine = ProcessInfo.processInfo.hostName
        return httpPort == 0 ? "\(machine):pid\(ProcessInfo.processInfo.processIdentifier)" : "\(machine):\(httpPort)"
    }

    static let defaultFile = "Config/glo-host.yaml"

    /// Reads the file (a missing default file is fine; a missing `--config` file is not) and the
    /// environment. A value of the wrong kind is an error naming the key, not a silent default.
    static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Settings {
        let path = file ?? defaultFile
        let fileProvider: FileProvider<YAMLSnapshot>
        do {
            fileProvider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(path), allowMissing: file == nil)
        } catch {
            throw ValidationError("--config \(path): cannot read it as YAML settings (\(error))")
        }
        let reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: ["glo_host"]),
            fileProvider,
        ])
        var s = Settings()
        func string(_ key: ConfigKey, _ target: inout String) throws {
            if let v = reader.string(forKey: key) { target = v }
        }
        func milliseconds(_ key: ConfigKey, min: Int) throws -> Duration? {
            guard let v = reader.int(forKey: key) else { return try absentOrBad(key, "a whole number of milliseconds") }
            guard v >= min else { throw ValidationError("setting \(key): must be at least \(min)") }
            return .milliseconds(v)
        }
        func absentOrBad<T>(_ key: ConfigKey, _ kind: String) throws -> T? {
            if reader.string(forKey: key) != nil || reader.stringArray(forKey: key) != nil {
                throw ValidationError("setting \(key): must be \(kind)")
            }
            return nil
        }
        try string("db", &s.db)
        try string("key_file", &s.keyFile)
        try string("audit.key_file", &s.auditKeyFile)
        if let d = try milliseconds("audit.sign_interval_ms", min: 100) { s.auditSignInterval = d }
        try string("rules", &s.rules)
        // The jurisdictions are the packs' folders' names (of the rules set just above): look for each one's setting.
        for jurisdiction in Self.jurisdictionNames(s.rules) {
            let key = ConfigKey("retention.days.\(jurisdiction)")
            if let days = reader.int(forKey: key) {
                guard days >= 1 else { throw ValidationError("setting \(key): must be at least 1 day") }
                s.retentionDays[jurisdiction] = days
            } else {
                let _: Int? = try absentOrBad(key, "a whole number of days")
            }
        }
        if let candidate = reader.string(forKey: "rules_candidate"), !candidate.isEmpty { s.rulesCandidate = candidate }
        if let list = reader.stringArray(forKey: "jurisdictions") { s.jurisdictions = list.filter { !$0.isEmpty } }
        if let list = reader.stringArray(forKey: "plugins") { s.plugins = list.filter { !$0.isEmpty } }
        if let watch = reader.bool(forKey: "reload.watch") { s.watchRules = watch } else {
            let _: Bool? = try absentOrBad("reload.watch", "true or false")
        }
        if let d = try milliseconds("reload.interval_ms", min: 50) { s.reloadInterval = d }
        if let d = try milliseconds("events.poll_interval_ms", min: 10) { s.pollInterval = d }
        if let d = try milliseconds("events.lease_ms", min: 300) { s.leaseDuration = d }
        if let id = reader.string(forKey: "host.id"), !id.isEmpty { s.hostID = id }
        var attempts = s.retry.attempts
        var first = s.retry.firstDelay
        if let n = reader.int(forKey: "events.retry_attempts") {
            guard n >= 1 else { throw ValidationError("setting events.retry_attempts: must be at least 1") }
            attempts = n
        } else {
            let _: Int? = try absentOrBad("events.retry_attempts", "a whole number")
        }
        if let d = try milliseconds("events.retry_first_delay_ms", min: 1) { first = d }
        s.retry = RetryPolicy(attempts: attempts, firstDelay: first, maximumDelay: .seconds(30))
        if let address = reader.string(forKey: "http.address") { s.httpAddress = address }
        if let port = reader.int(forKey: "http.port") {
            guard (0...65535).contains(port) else { throw ValidationError("setting http.port: must be 0 to 65535") }
            s.httpPort = port
        } else {
            let _: Int? = try absentOrBad("http.port", "a port number")
        }
        try s.federation.load(reader, milliseconds: milliseconds)
        if let level = reader.string(forKey: "log_level") {
            guard let l = Logger.Level(rawValue: level) else {
                throw ValidationError("setting log_level: '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            s.logLevel = l
        }
        return s
    }
}

extension Settings {
    /// The folder names under the rules directory that look like a jurisdiction's pack.
    static func jurisdictionNames(_ rules: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: rules)) ?? []).filter {
            FileManager.default.fileExists(atPath: rules + "/" + $0 + "/pack.yaml")
        }.sorted()
    }
}

/// Options shared by the commands that open a host's store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The settings file (default: Config/glo-host.yaml when present).")
    var config: String?

    @Option(name: .customLong("db"), help: "The store: a SQLite file path, or postgres://user:password@host:port/database (default: the settings' db, data/glo-host.sqlite).")
    var db: String?

    /// These options as they were given, to repeat them in a command printed as a hint.
    var asArguments: [String] {
        (config.map { ["--config", Invocation.quoted($0)] } ?? []) + (db.map { ["--db", Invocation.quoted($0)] } ?? [])
    }

    func settings() async throws -> Settings {
        var s = try await Settings.load(file: config)
        if let db { s.db = db }
        return s
    }
}

/// Where a host's store is: a SQLite file (the embedded default) or a PostgreSQL database, by
/// `db` (or `--db`): a path, or `postgres://user:password@host:port/database`.
enum StoreLocation {
    case sqlite(path: String)
    case postgres(url: String)

    init(_ db: String) {
        let lower = db.lowercased()
        self = lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") ? .postgres(url: db) : .sqlite(path: db)
    }

    /// For messages and logs: a URL without its user and password.
    var display: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url):
            guard let c = URLComponents(string: url), let host = c.host else { return "postgres://(unreadable URL)" }
            return "postgres://\(host)\(c.port.map { ":\($0)" } ?? "")\(c.path)"
        }
    }
}

/// Opens the settings' store and the personal-data key, or ends the command with exit 2 and why.
/// Only `serve` creates them (`create`); the tools that read a store refuse a missing one rather
/// than make an empty database and a new key. (A PostgreSQL database is made by its administrator;
/// `serve` and `migrate` create the tables in it.)
func openStore(_ settings: Settings, create: Bool = false, logger: Logger? = nil) async throws -> (any Store, PersonVault) {
    if !create {
        let env = ProcessInfo.processInfo.environment[VaultKey.environmentVariable] ?? ""
        if env.isEmpty && !FileManager.default.fileExists(atPath: settings.keyFile) {
            let what: String
            if case .sqlite(let path) = StoreLocation(settings.db), !FileManager.default.fileExists(atPath: path) {
                // A new admin's first command before the first start: say what makes both.
                what = "no host has started here yet (no store at \(path) either): start it once with `glo-host serve` and these settings (it makes the store, the key and the first administrator)"
            } else {
                what = "restore the key this store's personal data was sealed with (from where you backed it up) to that path"
            }
            warn("key_file \(settings.keyFile): there is no personal-data key there; \(what), or set \(VaultKey.environmentVariable)")
            throw ExitCode(2)
        }
    }
    let store = try await openStoreOnly(settings, create: create)
    let masters: MasterKeys
    do {
        let (keys, origin) = try VaultKey.loadAll(path: settings.keyFile)
        if case .generated(let path) = origin {
            let text = "A new personal-data key was written to \(path). Back it up now and keep it apart from the database: without it the personal data in \(StoreLocation(settings.db).display) cannot be read. Every host on the same store needs the same key. (Or set \(VaultKey.environmentVariable).)"
            if let logger { logger.warning("\(text)") } else { warn("warning: " + text) }
        }
        var file: String?
        if case .environment = origin { file = nil } else { file = settings.keyFile }
        masters = MasterKeys(keys, file: file)
    } catch {
        try? await store.close()
        warn("key_file \(settings.keyFile): \(error)")
        throw ExitCode(2)
    }
    // A key a rotation replaced opens nothing any more: say so, rather than fail on the first person.
    let retired = try await store.retiredMasterKeys()
    if let when = retired[masters.current.id] {
        try? await store.close()
        let fromEnvironment = !(ProcessInfo.processInfo.environment[VaultKey.environmentVariable] ?? "").isEmpty
        let source = fromEnvironment ? VaultKey.environmentVariable : "key_file \(settings.keyFile)"
        warn("\(source): this master key (id \(masters.current.id)) was replaced by `glo-host keys rotate` at \(when) and opens nothing any more; use the key file the rotation wrote (README, Data protection)")
        throw ExitCode(2)
    }
    return (store, PersonVault(masters: masters))
}

/// Every entity that seals a copy of personal data, for the envelope migration: the core's, every
/// compiled plugin's (enabled or not: their records are in the store either way), the server's.
var sealedEntities: [any StoredEntity.Type] {
    EnvelopeMigration.coreEntities + compiledPlugins.all.flatMap(\.sealedEntities) + ServerSealedEntities.all
}

/// The store alone, without the personal-data key (moving a store never opens a seal). A missing
/// SQLite file is refused unless `create`; errors name the host, port and database, never a password.
func openStoreOnly(_ settings: Settings, create: Bool = false) async throws -> any Store {
    let location = StoreLocation(settings.db)
    if !create, case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
        warn("--db \(path): there is no database there (`glo-host serve` creates it; or give --db or --config)")
        throw ExitCode(2)
    }
    do {
        switch location {
        case .sqlite(let path): return try SQLiteStore(path: path)
        case .postgres(let url): return try await PostgresStore(url: url)
        }
    } catch {
        warn("--db \(location.display): \(error)")
        throw ExitCode(2)
    }
}

/// How to run this binary again, for the commands it prints as hints.
enum Invocation {
    /// `glo-host` when that name on the PATH is this binary, else the path it was run by.
    static var binary: String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("glo-host")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate.resolvingSymlinksInPath().path == me ? "glo-host" : quoted(CommandLine.arguments[0])
            }
        }
        return quoted(CommandLine.arguments[0])
    }

    /// A word for the shell: quoted when it holds anything but plain characters.
    static func quoted(_ word: String) -> String {
        word.allSatisfy({ $0.isLetter || $0.isNumber || "/._-:@=".contains($0) }) ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
