public import Logging

/// A workflow compiled into glo-host and enabled by name at start (docs/architecture.md, "Plugins").
///
/// A plugin reaches the store only through `PluginContext.records` and applies the law only through
/// `PluginContext.decisions`. Its handler gets the events it subscribed to, in order, at least once:
/// a handler must be idempotent (the event's `sequence` or `id` tells a redelivery). A handler that
/// throws is retried, then parked as a dead letter; the host goes on.
public protocol Plugin: Sendable {
    /// The name admins enable it by, such as `legal-aid`.
    var id: String { get }
    var version: String { get }
    /// One sentence for `glo-host plugins list`.
    var summary: String { get }
    /// Plugins that must be enabled with this one.
    var dependencies: [String] { get }
    /// The event types it handles; empty for a plugin that handles none.
    var handles: [EventPattern] { get }
    /// The event types it emits, each declared once, here.
    var emits: [EventType] { get }
    /// Event types of others it reads from the event log (a report's figures), by name: a test checks
    /// that some plugin, or the core, emits each.
    var reads: [String] { get }
    /// Decisions every served jurisdiction's pack must provide.
    var decisionsNeeded: [String] { get }
    /// Its entities that seal a copy of personal data (`StoredEntity.sealed(by:)`): the envelope
    /// migration re-seals their records.
    var sealedEntities: [any StoredEntity.Type] { get }

    func start(_ context: PluginContext) async throws
    func handle(_ event: Event, _ context: PluginContext) async throws
    func stop() async
}

extension Plugin {
    public var dependencies: [String] { [] }
    public var handles: [EventPattern] { [] }
    public var emits: [EventType] { [] }
    public var reads: [String] { [] }
    public var decisionsNeeded: [String] { [] }
    public var sealedEntities: [any StoredEntity.Type] { [] }
    public func start(_ context: PluginContext) async throws {}
    public func handle(_ event: Event, _ context: PluginContext) async throws {}
    public func stop() async {}
}

/// What a plugin gets from the host.
public struct PluginContext: Sendable {
    public let records: Records
    public let decisions: DecisionService
    /// Cases, their facts and flags.
    public let cases: CaseService
    public let jurisdictions: [JurisdictionID]
    public let logger: Logger
    /// The plugin, as the actor of what it writes.
    public let actor: Agent
    /// The event log, read-only (a report's figures).
    public let eventLog: EventLog
    /// The exchange with other hosts: the peer that serves a jurisdiction, messages to send in a
    /// change, messages received.
    public let federation: Federation
}

/// The plugins compiled into this binary.
public struct PluginRegistry: Sendable {
    public let all: [any Plugin]

    public init(_ plugins: [any Plugin]) {
        self.all = plugins.sorted { $0.id < $1.id }
    }

    public var ids: [String] { all.map(\.id) }

    public func plugin(_ id: String) -> (any Plugin)? { all.first { $0.id == id } }

    /// Each dependency of an enabled plugin that is not enabled.
    static func dependencyProblems(_ enabled: [any Plugin]) -> [String] {
        let ids = Set(enabled.map(\.id))
        return enabled.flatMap { plugin in
            plugin.dependencies.filter { !ids.contains($0) }.map {
                "plugin '\(plugin.id)' needs plugin '\($0)', which is not enabled: add it to --plugins"
            }
        }
    }

    /// The plugins named, in an order where each comes after its dependencies. Fails on an unknown
    /// name (listing the known ones) or a dependency that is not enabled.
    public func select(_ names: [String]) throws(StartupError) -> [any Plugin] {
        var problems: [String] = []
        var chosen: [any Plugin] = []
        for name in names where !chosen.contains(where: { $0.id == name }) {
            if let plugin = plugin(name) { chosen.append(plugin) } else {
                problems.append("unknown plugin '\(name)' (known: \(ids.joined(separator: ", ")))")
            }
        }
        problems += Self.dependencyProblems(chosen)
        if !problems.isEmpty { throw StartupError(problems: problems) }
        // Dependencies first (Kahn's order; the registry is acyclic by construction of its plugins).
        var ordered: [any Plugin] = []
        var placed = Set<String>()
        while ordered.count < chosen.count {
            let before = ordered.count
            for plugin in chosen where !placed.contains(plugin.id) && plugin.dependencies.allSatisfy(placed.contains) {
                ordered.append(plugin)
                placed.insert(plugin.id)
            }
            if ordered.count == before {
                let cycle = chosen.filter { !placed.contains($0.id) }.map(\.id)
                throw StartupError(problems: ["plugins \(cycle.joined(separator: ", ")) depend on each other in a cycle"])
            }
        }
        return ordered
    }
}

/// Why the host will not start, every problem at once, each naming what to fix.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "\n") }
}
