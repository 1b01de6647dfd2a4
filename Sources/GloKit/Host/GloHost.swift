public import GloRules
public import Logging

/// The host assembled: a store, the vault, the rules, the bus and the enabled plugins.
///
/// `init` runs the start-up checks (every enabled plugin's dependencies enabled, every served
/// jurisdiction's pack providing every decision the plugins need) and fails with every gap named.
/// `start` starts the plugins and the bus; `stop` lets each subscriber finish the event in hand and
/// save its checkpoint, then stops the plugins.
public final class GloHost: Sendable {
    public let records: Records
    public let bus: EventBus
    public let decisions: DecisionService
    public let cases: CaseService
    public let engine: RuleEngine
    public let plugins: [any Plugin]
    public let jurisdictions: [JurisdictionID]
    /// The exchange with other hosts (not set up unless `federation` says who this host is).
    public let federation: Federation
    let logger: Logger

    /// - Parameters:
    ///   - jurisdictions: those served; nil serves every jurisdiction of the rules.
    ///   - today: the date the start-up check asks the packs about.
    public init(store: any Store, vault: PersonVault, engine: RuleEngine, plugins: [any Plugin],
                jurisdictions: [JurisdictionID]? = nil, retry: RetryPolicy = RetryPolicy(),
                pollInterval: Duration = .milliseconds(500), holder: String = EventBus.defaultHolder,
                leaseDuration: Duration = .seconds(10), federation: FederationSetup = FederationSetup(),
                today: CalendarDate = .today(), logger: Logger = Logger(label: "glo-host")) throws(StartupError) {
        let served = jurisdictions ?? Self.allJurisdictions(engine)
        try GloHost.check(plugins: plugins, engine: engine, jurisdictions: served, at: today)
        bus = EventBus(store: store, retry: retry, pollInterval: pollInterval, holder: holder,
                       leaseDuration: leaseDuration, logger: logger)
        records = Records(store: store, vault: vault)
        decisions = DecisionService(engine: engine, records: records)
        cases = CaseService(records: records, engine: engine)
        self.federation = Federation(records: records, setup: federation, jurisdictions: served)
        self.engine = engine
        self.plugins = plugins
        self.jurisdictions = served
        self.logger = logger
    }

    /// Every jurisdiction of the rules, those whose packs cannot be used among them (so that a host
    /// serving all of them does not start without one).
    public static func allJurisdictions(_ engine: RuleEngine) -> [JurisdictionID] {
        let set = engine.ruleSet
        return Set(set.jurisdictions + set.broken.compactMap(\.id)).sorted().map { JurisdictionID($0) }
    }

    /// Every decision an enabled plugin needs, in every served jurisdiction's pack in force at `date`.
    public static func check(plugins: [any Plugin], engine: RuleEngine, jurisdictions: [JurisdictionID],
                             at date: CalendarDate) throws(StartupError) {
        var problems = PluginRegistry.dependencyProblems(plugins)
        let known = Set(allJurisdictions(engine).map(\.rawValue))
        for jurisdiction in jurisdictions {
            guard known.contains(jurisdiction.rawValue) else {
                problems.append("jurisdiction '\(jurisdiction)' is served, but the rules have no pack for it (they have: \(known.sorted().joined(separator: ", ")))")
                continue
            }
            let offered: Set<String>
            do { offered = Set(try engine.decisions(of: jurisdiction.rawValue, at: date)) } catch {
                problems.append("jurisdiction '\(jurisdiction)': \(error.message)")
                continue
            }
            for plugin in plugins {
                for decision in plugin.decisionsNeeded where !offered.contains(decision) {
                    problems.append("plugin '\(plugin.id)' needs decision '\(decision)', which the \(jurisdiction) pack in force on \(date) does not provide")
                }
            }
        }
        if !problems.isEmpty { throw StartupError(problems: problems) }
    }

    public func context(for plugin: any Plugin) -> PluginContext {
        var log = logger
        log[metadataKey: "plugin"] = .string(plugin.id)
        return PluginContext(records: records, decisions: decisions, cases: cases, jurisdictions: jurisdictions, logger: log,
                             actor: .plugin(plugin.id), eventLog: eventLog, federation: federation)
    }

    /// Reloads the rule packs with the checks of the start: the served jurisdictions' packs (and those
    /// they extend) must load, compile, pass their tests and their checks for meaning, and offer every
    /// decision the enabled plugins need; otherwise the previous packs keep serving. A broken pack no
    /// served jurisdiction needs is set aside and reported.
    /// Reloads the packs as strictly as a start, and logs what happened, whoever asked (`reason`: a
    /// file change, SIGHUP, the API, the web UI): applied with what changed, or refused with every
    /// reason while the previous packs keep serving.
    public func reloadRules(because reason: String, at date: CalendarDate = .today()) -> ReloadReport {
        let report = engine.reload(serving: jurisdictions.map(\.rawValue),
                                   needs: plugins.flatMap { p in p.decisionsNeeded.map { PluginNeed(plugin: p.id, decision: $0) } }, at: date)
        let directory = engine.directory
        for problem in report.setAside {
            logger.warning("rule pack set aside (no served jurisdiction needs it): \(problem.under(directory))")
        }
        if report.applied {
            logger.notice("rule packs reloaded", metadata: [
                "reason": .string(reason),
                "changed": .string(report.changed.isEmpty ? "nothing changed" : report.changed.joined(separator: ",")),
            ])
            return report
        }
        for problem in report.problems { logger.error("rule pack problem: \(problem.under(directory))") }
        for unmet in report.unmet { logger.error("rule packs lack what the plugins need: \(unmet)") }
        for failure in report.tests?.failures ?? [] {
            logger.error("rule pack test failed: \(RuleProblem.path(failure.file, under: directory)):\(failure.line): \(failure.name): \(failure.message)")
        }
        logger.error("rule packs NOT reloaded; the previous packs keep serving", metadata: ["reason": .string(reason)])
        return report
    }

    /// Starts each plugin (dependencies first), subscribes its handler, then starts delivery.
    public func start() async throws {
        let guardian = OutcomeGuard(records: records, cases: cases, logger: logger)
        try bus.subscribe(Subscription(name: OutcomeGuard.name, patterns: [EventPattern(DecisionService.eventType)]) { event in
            try await guardian.handle(event)
        })
        for plugin in plugins {
            let context = context(for: plugin)
            try await plugin.start(context)
            if !plugin.handles.isEmpty {
                try bus.subscribe(Subscription(name: plugin.id, patterns: plugin.handles) { event in
                    try await plugin.handle(event, context)
                })
            }
        }
        bus.start()
        logger.info("host started", metadata: [
            "plugins": .string(plugins.map(\.id).joined(separator: ",")),
            "jurisdictions": .string(jurisdictions.map(\.rawValue).joined(separator: ",")),
        ])
    }

    public func stop() async {
        await bus.stop()
        for plugin in plugins.reversed() { await plugin.stop() }
        logger.info("host stopped")
    }
}
