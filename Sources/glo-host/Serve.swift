import ArgumentParser
import Foundation
import GloKit
import GloPlugins
import GloRules
import GloServer
import GloStoreSQLite
import Logging
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the host: the store, the rule packs, the event bus and the enabled plugins.",
        discussion: """
            Starts with the settings of Config/glo-host.yaml (or --config), GLO_HOST_* environment variables and
            the flags below. At start it checks that every enabled plugin's dependencies are enabled and that every
            served jurisdiction's pack provides every decision the plugins need; a gap stops the start with exit 2.
            Packs are reloaded when their files change and on SIGHUP; a broken edit keeps the old packs serving.
            SIGTERM or SIGINT stops gracefully: in-flight deliveries finish and checkpoints are saved.
            (The HTTP API comes with its own issue.)
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("plugins"), help: "Plugins to enable, comma-separated (default: the settings' plugins).")
    var plugins: String?

    @Option(name: .customLong("rules"), help: "The rules directory (default: the settings' rules, Config/jurisdictions).")
    var rules: String?

    @Option(name: .customLong("rules-candidate"), help: "A candidate rules directory for what-ifs that compare (default: the settings' rules_candidate; none).")
    var rulesCandidate: String?

    @Option(name: .customLong("jurisdictions"), help: "Jurisdictions to serve, comma-separated (default: all in the rules).")
    var jurisdictions: String?

    @Option(name: .customLong("port"), help: "The HTTP port (default: the settings' http.port, 8080; 0 picks a free one).")
    var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
    }

    func run() async throws {
        var settings = try await store.settings()
        if let plugins { settings.plugins = Self.list(plugins) }
        if let rules { settings.rules = rules }
        if let rulesCandidate { settings.rulesCandidate = rulesCandidate }
        if let jurisdictions { settings.jurisdictions = Self.list(jurisdictions) }
        if let port { settings.httpPort = port }
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "glo-host")

        if let problem = PortCheck.problem(address: settings.httpAddress, port: settings.httpPort) {
            warn("--port: \(problem)")
            throw ExitCode(2)
        }
        let selected: [any Plugin]
        do { selected = try compiledPlugins.select(settings.plugins) } catch {
            warn("--plugins: \(error)")
            throw ExitCode(2)
        }
        // Taken before loading, so that an edit made while the host starts is not missed.
        let loadedFiles = RulesWatcher.fingerprint(settings.rules)
        let engine = try loadEngine(settings.rules)
        let served = settings.jurisdictions.isEmpty ? nil : settings.jurisdictions.map { JurisdictionID($0) }
        // Every start-up check before the store is opened: a start that cannot work creates no database and no key.
        do {
            try GloHost.check(plugins: selected, engine: engine, jurisdictions: served ?? GloHost.allJurisdictions(engine), at: .today())
        } catch {
            for problem in error.problems { warn(problem) }
            warn("the host cannot start: \(error.problems.count) problem(s)")
            if error.problems.contains(where: { $0.contains("does not provide") }) {
                warn("serve only the jurisdictions whose packs provide them (--jurisdictions TH,LA), or fewer plugins (--plugins); Config/lao-thai.yaml serves TH and LA with all of them")
            }
            throw ExitCode(2)
        }
        let federation = try settings.federation.setup()
        let (db, vault) = try await openStore(settings, create: true, logger: logger)
        let auditKey: AuditSigningKey
        do { auditKey = try AuditSigningKey.load(path: settings.auditKeyFile) } catch {
            warn("audit.key_file \(settings.auditKeyFile): \(error)")
            throw ExitCode(2)
        }
        // A store from before envelope encryption is moved to a data key per person before serving.
        let migration = EnvelopeMigration(records: Records(store: db, vault: vault), entities: sealedEntities)
        if try await !migration.isDone() {
            logger.notice("sealing personal data under a data key per person (envelope encryption); resumable")
            let count = try await migration.run { collection, done in
                if done % 10_000 < EnvelopeMigration.pageSize { logger.info("envelope migration", metadata: ["collection": .string(collection), "done": "\(done)"]) }
            }
            logger.notice("envelope encryption in place", metadata: ["resealed": "\(count)"])
        }
        let host = try GloHost(store: db, vault: vault, engine: engine, plugins: selected, jurisdictions: served,
                               retry: settings.retry, pollInterval: settings.pollInterval, holder: settings.leaseHolder,
                               leaseDuration: settings.leaseDuration, federation: federation, logger: logger)
        let last = try await db.lastSequence()
        logger.info("store open", metadata: ["db": .string(StoreLocation(settings.db).display), "last_sequence": "\(last)"])
        let candidate = try settings.rulesCandidate.map { try loadEngine($0, statesPerPack: 1) }
        let watcher = RulesWatcher(host: host, candidate: candidate, loadedFiles: loadedFiles, watch: settings.watchRules,
                                   interval: settings.reloadInterval, logger: logger)
        let server = try GloServer(host: host, plugins: PluginCatalog.http(for: selected), candidate: candidate, logger: logger)
        try await Self.firstAdmin(server, settings: settings, host: host, options: store)
        let http = server.application(address: settings.httpAddress, port: settings.httpPort)
        logger.notice("serving the API", metadata: ["url": .string("http://\(settings.httpAddress):\(settings.httpPort)/api/v1/openapi.yaml")])
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: HostService(host: host, store: db)), .init(service: watcher), .init(service: http),
            .init(service: AuditHeadSigner(key: auditKey, store: db, interval: settings.auditSignInterval, logger: logger)),
            .init(service: RetentionService(records: host.records,
                                            days: Dictionary(uniqueKeysWithValues: settings.retentionDays.map { (JurisdictionID($0.key), $0.value) }),
                                            holder: settings.leaseHolder, logger: logger)),
        ]
        if let identity = host.federation.identity {
            let sender = FederationSender(federation: host.federation, transport: HTTPTransport(), holder: settings.leaseHolder,
                                          leaseDuration: settings.leaseDuration, pollInterval: settings.federation.pollInterval, logger: logger)
            services.insert(.init(service: FederationService(sender: sender)), at: 1)
            logger.notice("exchanging with other hosts", metadata: ["host_id": .string(identity.hostID), "fingerprint": .string(identity.keys.fingerprint)])
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// On the first start (no user yet), an admin for the served jurisdictions, whose token is printed
    /// once: the way in to add the other users.
    static func firstAdmin(_ server: GloServer, settings: Settings, host: GloHost, options: StoreOptions) async throws {
        guard try await server.users.all().isEmpty else { return }
        let admin = User(displayName: "First administrator", roles: [.admin], organisation: OrganisationID(), jurisdictions: host.jurisdictions)
        let token = try await server.users.add(admin, login: nil)
        // The hint is a command that works as printed: this binary, on this host's settings and store.
        let command = ([Invocation.binary, "users", "add"] + options.asArguments).joined(separator: " ")
        FileHandle.standardOutput.write(Data("""
            First start: an administrator was created (user \(admin.id)). Its token is shown this once:

                \(token)

            Sign in to the API with the header  Authorization: Bearer <token>  at http://\(settings.httpAddress):\(settings.httpPort)/api/v1/
            Add the caseworkers, with a sign-in name and a password (read from stdin) for the web UI at
            http://\(settings.httpAddress):\(settings.httpPort)/ui/login :
                \(command) --name "..." --roles caseworker --jurisdictions \(host.jurisdictions.first?.rawValue ?? "TH") \\
                    --organisation \(admin.organisation) --login NAME < password-file

            """.utf8))
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Runs the host until a graceful shutdown, then stops it and closes the store.
struct HostService: ServiceLifecycle.Service {
    let host: GloHost
    let store: any Store

    func run() async throws {
        try await host.start()
        try? await gracefulShutdown()
        await host.stop()
        try await store.close()
    }
}

/// Reloads the packs on SIGHUP and, when watching, when their files change. A reload is atomic
/// (`RuleEngine.reload`): a broken edit keeps the old packs serving, and each problem is logged as
/// file:line.
struct RulesWatcher: ServiceLifecycle.Service {
    let host: GloHost
    /// The candidate rules for what-ifs: reloaded when its files change too, with no served jurisdiction to hold it back.
    let candidate: RuleEngine?
    var engine: RuleEngine { host.engine }
    /// `fingerprint` of the rules directory as loaded.
    let loadedFiles: [String: String]
    let watch: Bool
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups { reload(because: "SIGHUP") }
                }
                if watch {
                    group.addTask {
                        var last = loadedFiles
                        var lastCandidate = candidate.map { RulesWatcher.fingerprint($0.directory) } ?? [:]
                        while !Task.isCancelled {
                            try? await Task.sleep(for: interval)
                            let now = RulesWatcher.fingerprint(engine.directory)
                            if now != last {
                                last = now
                                reload(because: "files changed")
                            }
                            if let candidate {
                                let files = RulesWatcher.fingerprint(candidate.directory)
                                if files != lastCandidate {
                                    lastCandidate = files
                                    let report = candidate.reload()
                                    logger.notice("candidate rules reloaded", metadata: [
                                        "applied": "\(report.applied)", "problems": "\(report.refusals(under: candidate.directory).count)",
                                    ])
                                }
                            }
                        }
                    }
                }
                await group.waitForAll()
            }
        }
    }

    func reload(because reason: String) {
        _ = host.reloadRules(because: reason)
    }

    /// Paths, sizes and modification times of every file under the rules directory, and of the
    /// vocabulary's files beside it (facts.schema.json, decisions.yaml, labels/): an edit of either reloads.
    static func fingerprint(_ directory: String) -> [String: String] {
        var found: [String: String] = [:]
        let fm = FileManager.default
        func add(_ root: String, _ path: String) {
            guard let a = try? fm.attributesOfItem(atPath: root + "/" + path), a[.type] as? FileAttributeType == .typeRegular else { return }
            found[root + "/" + path] = "\(a[.size] ?? 0) \((a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        for case let path as String in fm.enumerator(atPath: directory) ?? FileManager.DirectoryEnumerator() { add(directory, path) }
        if let vocabulary = Vocabulary.locate(rulesDirectory: directory) {
            let folder = parentFolder(of: vocabulary)
            let root = folder.isEmpty ? "." : folder
            for file in ["facts.schema.json", "decisions.yaml"] { add(root, file) }
            for file in (try? fm.contentsOfDirectory(atPath: root + "/labels")) ?? [] { add(root, "labels/" + file) }
        }
        return found
    }
}
