public import Foundation
public import GloJSON
public import LuaVM
import Synchronization

/// Decides with the packs of one rules directory, on a pool of sandboxes per pack version, and
/// reloads them atomically: a broken edit never replaces working rules.
public final class RuleEngine: Sendable {
    public let directory: String
    /// The vocabulary file named at start; nil to find it beside the packs (`Vocabulary.locate`).
    public let vocabularyFile: String?
    public let hostLimits: LuaLimits
    public let statesPerPack: Int
    private let loaded: Mutex<LoadedRules>

    /// Loads, validates and compiles every pack. A pack with a problem is set aside (`problems`,
    /// `RuleSet.broken`) and only the jurisdictions that need it fail; only a rules directory with
    /// nothing usable (no pack, no vocabulary) stops the load.
    public init(directory: String, vocabularyFile: String? = nil, hostLimits: LuaLimits = .default,
                statesPerPack: Int = ProcessInfo.processInfo.activeProcessorCount) throws(RuleLoadError) {
        self.directory = directory
        self.vocabularyFile = vocabularyFile
        self.hostLimits = hostLimits
        self.statesPerPack = max(1, statesPerPack)
        let set = try RuleSet.load(directory: directory, vocabularyFile: vocabularyFile, hostLimits: hostLimits)
        loaded = Mutex(LoadedRules.compiling(set, hostLimits: hostLimits, statesPerPack: self.statesPerPack))
    }

    public var ruleSet: RuleSet { loaded.withLock { $0.ruleSet } }

    /// The fact vocabulary of the rules now in use.
    public var vocabulary: Vocabulary { ruleSet.vocabulary }

    /// Every problem of the packs set aside, each with its file and line.
    public var problems: [RuleProblem] { ruleSet.problems }

    /// What the last reload did, and when; nil before the first.
    public var lastReload: ReloadReport? { reloads.withLock { $0 } }
    private let reloads = Mutex<ReloadReport?>(nil)

    private var current: LoadedRules { loaded.withLock { $0 } }

    /// The decision `name` of `jurisdiction` as the law stands at `date`.
    public func bind(jurisdiction: String, decision name: String, at date: CalendarDate) throws(RuleEvaluationError) -> BoundDecision {
        let rules = current
        guard let pack = try rules.ruleSet.inForce(jurisdiction, at: date) else {
            throw .unknownJurisdiction(jurisdiction, known: rules.ruleSet.jurisdictions)
        }
        return try rules.bind(pack: pack, decision: name, at: date)
    }

    /// The decision `name` of exactly this pack version (what its own tests run against).
    public func bind(pack: RulePack, decision name: String, at date: CalendarDate) throws(RuleEvaluationError) -> BoundDecision {
        try current.bind(pack: pack, decision: name, at: date)
    }

    /// Decides once, with the explanation.
    public func decide(jurisdiction: String, decision: String, facts: JSONValue, at date: CalendarDate) throws(RuleEvaluationError) -> RuleResult {
        try bind(jurisdiction: jurisdiction, decision: decision, at: date).evaluate(facts)
    }

    /// The hash decisions of `pack` carry at `date`: its content hash together with its parents'.
    public func chainHash(_ pack: RulePack, at date: CalendarDate) -> String? {
        (try? ruleSet.chain(from: pack, at: date)).map { combinedHash($0.map(\.contentHash)) }
    }

    /// Every decision each jurisdiction's pack in force at `date` offers (inherited ones included).
    public func decisions(of jurisdiction: String, at date: CalendarDate) throws(RuleEvaluationError) -> [String] {
        try current.decisions(of: jurisdiction, at: date)
    }

    /// Reads the directory again, compiles every pack and runs every pack's tests; the new rules
    /// replace the old, at once, only when the jurisdictions served (`serving`; nil: all) can all be
    /// used: their packs and the packs they extend load, compile and pass their tests, and offer every
    /// decision in `needs` (what the enabled plugins need, as at start). A broken pack no served
    /// jurisdiction needs is set aside and reported, without stopping the others. Otherwise the old
    /// rules stay.
    public func reload(serving: [String]? = nil, needs: [PluginNeed] = [], at date: CalendarDate = .today()) -> ReloadReport {
        let report = reloadOnce(serving: serving, needs: needs, at: date)
        reloads.withLock { $0 = report }
        return report
    }

    private func reloadOnce(serving: [String]?, needs: [PluginNeed], at date: CalendarDate) -> ReloadReport {
        let set: RuleSet
        do {
            set = try RuleSet.load(directory: directory, vocabularyFile: vocabularyFile, hostLimits: hostLimits)
        } catch {
            return ReloadReport(applied: false, problems: error.problems)
        }
        let candidate = LoadedRules.compiling(set, hostLimits: hostLimits, statesPerPack: statesPerPack)
        let served = serving ?? (candidate.ruleSet.jurisdictions + candidate.ruleSet.broken.compactMap(\.id)).uniqued()
        // Which packs (by id) the served jurisdictions need at `date`, and why any cannot be used.
        var needed: Set<String> = []
        var blocking: [RuleProblem] = []
        var unmet: [String] = []
        for jurisdiction in served {
            do {
                guard let pack = try candidate.ruleSet.inForce(jurisdiction, at: date) else {
                    unmet.append("jurisdiction '\(jurisdiction)' is served, but the rules have no pack for it")
                    continue
                }
                needed.formUnion(try candidate.ruleSet.chain(from: pack, at: date).map(\.id))
                let offered = Set(try candidate.decisions(of: jurisdiction, at: date))
                for need in needs where !offered.contains(need.decision) {
                    unmet.append("plugin '\(need.plugin)' needs decision '\(need.decision)', which the \(jurisdiction) pack in force on \(date) does not provide")
                }
            } catch {
                if case .brokenPack(let id, _) = error {
                    needed.insert(id)
                } else {
                    unmet.append("jurisdiction '\(jurisdiction)': \(error.message)")
                }
            }
        }
        let setAside = candidate.ruleSet.broken.filter { !needed.contains($0.id ?? "") }.flatMap(\.problems)
        blocking += candidate.ruleSet.broken.filter { needed.contains($0.id ?? "") }.flatMap(\.problems)
        blocking += needed.sorted().flatMap { candidate.lint(jurisdiction: $0) }
        blocking = blocking.uniqued()
        let tests = PackTestRunner(rules: candidate).run()
        let failing = tests.failures.filter { needed.contains($0.pack) }
        guard blocking.isEmpty, unmet.isEmpty, failing.isEmpty else {
            return ReloadReport(applied: false, problems: blocking, tests: tests, unmet: unmet, setAside: setAside)
        }
        let changed = loaded.withLock { rules -> [String] in
            let before = Dictionary(rules.ruleSet.packs.map { ("\($0.id)@\($0.version)", $0.contentHash) }, uniquingKeysWith: { a, _ in a })
            rules = candidate
            return candidate.ruleSet.packs.filter { before["\($0.id)@\($0.version)"] != $0.contentHash }.map { "\($0.id)@\($0.version)" }.sorted()
        }
        return ReloadReport(applied: true, problems: [], tests: tests, changed: changed, setAside: setAside)
    }

    /// Runs every pack's tests (or one jurisdiction's).
    public func runTests(jurisdiction: String? = nil, named name: String? = nil) -> PackTestReport {
        PackTestRunner(rules: current).run(jurisdiction: jurisdiction, named: name)
    }

    /// The checks for meaning on the packs' text (`RuleLint`) of every usable pack (or one
    /// jurisdiction's); the packs' tests check their results the same way.
    public func lint(jurisdiction: String? = nil) -> [RuleProblem] {
        current.lint(jurisdiction: jurisdiction)
    }

    /// Runs one pack version's tests case by case, keeping each result (its reasons, basis and the
    /// facts it read); a case that cannot be run as written is its failure.
    public func testRuns(of pack: RulePack) -> [Result<PackTestRun, PackTestFailure>] {
        let runner = PackTestRunner(rules: current)
        return pack.testCases().map { item in item.map { runner.run($0, in: pack) } }
    }

    /// Every decision a pack version offers at `date`, each with the pack of its chain that defines it:
    /// the pack itself, or the nearest parent whose module of that name returns it.
    public func definitions(of pack: RulePack, at date: CalendarDate) throws(RuleEvaluationError) -> [DecisionDefinition] {
        try current.definitions(of: pack, at: date)
    }
}

/// A decision an enabled plugin needs in every served jurisdiction.
public struct PluginNeed: Sendable, Hashable {
    public var plugin: String
    public var decision: String

    public init(plugin: String, decision: String) {
        self.plugin = plugin
        self.decision = decision
    }
}

/// A decision a pack offers, and the pack of its chain whose module defines it.
public struct DecisionDefinition: Sendable {
    /// `identification.pathway`
    public let name: String
    public let pack: RulePack

    /// The module file that defines it, relative to the rules directory (`intl/identification.lua`).
    public var file: String { pack.chunkName(of: String(name.prefix { $0 != "." })) }
}

/// What a reload did: applied, or kept the old rules and why.
public struct ReloadReport: Sendable {
    public var applied: Bool
    /// Problems of the packs the served jurisdictions need: they kept the old rules.
    public var problems: [RuleProblem]
    public var tests: PackTestReport?
    /// `ID@version` of the packs whose content changed.
    public var changed: [String] = []
    /// What the enabled plugins need and the new packs do not offer: it kept the old rules.
    public var unmet: [String] = []
    /// Problems of packs no served jurisdiction needs: those packs were left out, the reload went on.
    public var setAside: [RuleProblem] = []
    public var at = Date()

    public init(applied: Bool, problems: [RuleProblem], tests: PackTestReport? = nil, changed: [String] = [],
                unmet: [String] = [], setAside: [RuleProblem] = []) {
        self.applied = applied
        self.problems = problems
        self.tests = tests
        self.changed = changed
        self.unmet = unmet
        self.setAside = setAside
    }

    /// Every reason the reload was refused (nothing when it was applied), as lines to log or show,
    /// paths after the rules `directory`.
    public func refusals(under directory: String) -> [String] {
        guard !applied else { return [] }
        return problems.map { $0.under(directory).description } + unmet
            + (tests?.failures.map { "\(RuleProblem.path($0.file, under: directory)):\($0.line): \($0.name): \($0.message)" } ?? [])
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

/// One loaded rules directory and the sandbox pools of its pack versions.
final class LoadedRules: Sendable {
    let ruleSet: RuleSet
    let hostLimits: LuaLimits
    let statesPerPack: Int
    /// Pool per chain of pack versions (`TH@2026.1>intl@2026.1`), made on first use.
    private let pools = Mutex<[String: LuaSandboxPool]>([:])
    /// Decisions already bound, by pack version, name and date: binding finds the chain, hashes
    /// it and resolves the function in a sandbox, which cost as much as deciding when done for
    /// every case. These rules never change (a reload makes a new `LoadedRules`), so neither does a
    /// binding. Emptied when it reaches `boundLimit` (one entry per distinct date in use).
    private let bound = Mutex<[BindingKey: BoundDecision]>([:])
    static let boundLimit = 4_096

    private struct BindingKey: Hashable {
        var pack: String
        var version: String
        var decision: String
        var date: CalendarDate
    }

    init(ruleSet: RuleSet, hostLimits: LuaLimits, statesPerPack: Int) {
        self.ruleSet = ruleSet
        self.hostLimits = hostLimits
        self.statesPerPack = statesPerPack
    }

    /// Compiles every pack of `set`; the packs that do not compile are set aside with their problems.
    static func compiling(_ set: RuleSet, hostLimits: LuaLimits, statesPerPack: Int) -> LoadedRules {
        let first = LoadedRules(ruleSet: set, hostLimits: hostLimits, statesPerPack: statesPerPack)
        let problems = first.compileAll().uniqued()
        return problems.isEmpty ? first
            : LoadedRules(ruleSet: set.settingAside(problems), hostLimits: hostLimits, statesPerPack: statesPerPack)
    }

    /// `RuleLint` on every usable pack (or one jurisdiction's), each in a chain in force at its start.
    func lint(jurisdiction: String? = nil) -> [RuleProblem] {
        ruleSet.packs.filter { jurisdiction == nil || $0.id == jurisdiction }.flatMap { pack -> [RuleProblem] in
            let date = pack.manifest.effectiveFrom ?? pack.manifest.effectiveTo ?? CalendarDate.today()
            guard let chain = try? ruleSet.chain(from: pack, at: date) else { return [] }
            let own = (try? decisions(of: pack, at: date))?.filter { name in
                pack.modules[String(name.prefix { $0 != "." })] != nil
            } ?? []
            return RuleLint.scan(pack, in: ruleSet, chain: chain, decisionsDefined: own)
        }
    }

    /// Every decision the pack of `jurisdiction` in force at `date` offers.
    func decisions(of jurisdiction: String, at date: CalendarDate) throws(RuleEvaluationError) -> [String] {
        guard let pack = try ruleSet.inForce(jurisdiction, at: date) else {
            throw .unknownJurisdiction(jurisdiction, known: ruleSet.jurisdictions)
        }
        return try decisions(of: pack, at: date)
    }

    func pool(for chain: [RulePack]) -> LuaSandboxPool {
        let key = chain.map { "\($0.id)@\($0.version)" }.joined(separator: ">")
        return pools.withLock { pools in
            if let pool = pools[key] { return pool }
            let limits = chain.compactMap(\.manifest.limits).reduce(hostLimits) { $0.lowered(to: $1) }
            let pool = LuaSandboxPool(capacity: statesPerPack) { () throws(LuaError) in
                try LoadedRules.makeSandbox(chain: chain, limits: limits)
            }
            pools[key] = pool
            return pool
        }
    }

    /// A sandbox holding every module of the chain: each module's `require` reaches its own pack
    /// and that pack's parents.
    static func makeSandbox(chain: [RulePack], limits: LuaLimits) throws(LuaError) -> LuaSandbox {
        let sandbox = try LuaSandbox(limits: limits)
        try sandbox.setHostHooks(hostHooksSource)
        for (index, pack) in chain.enumerated() {
            let searchPath = chain[index...].map(\.id)
            for (module, source) in pack.modules.sorted(by: { $0.key < $1.key }) {
                try sandbox.addModule("\(pack.id)/\(module)", searchPath: searchPath, source: source,
                                      chunkName: pack.chunkName(of: module))
            }
        }
        return sandbox
    }

    func bind(pack: RulePack, decision name: String, at date: CalendarDate) throws(RuleEvaluationError) -> BoundDecision {
        let key = BindingKey(pack: pack.id, version: pack.version, decision: name, date: date)
        if let known = bound.withLock({ $0[key] }) { return known }
        let made = try makeBinding(pack: pack, decision: name, at: date)
        bound.withLock { bound in
            if bound.count >= Self.boundLimit { bound.removeAll() }
            bound[key] = made
        }
        return made
    }

    private func makeBinding(pack: RulePack, decision name: String, at date: CalendarDate) throws(RuleEvaluationError) -> BoundDecision {
        let chain = try ruleSet.chain(from: pack, at: date)
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        let available = { () -> [String] in (try? self.decisions(of: pack, at: date)) ?? [] }
        guard parts.count == 2, !parts[1].hasPrefix("_"),
              chain.contains(where: { $0.modules[parts[0]] != nil }) else {
            throw .unknownDecision(name, jurisdiction: pack.id, available: available())
        }
        let bound = BoundDecision(
            reference: RuleReference(pack: pack.id, version: pack.version, hash: combinedHash(chain.map(\.contentHash)),
                                     decision: name, date: date),
            module: parts[0], key: parts[1], searchPath: chain.map(\.id), chain: chain, pool: pool(for: chain),
            vocabulary: ruleSet.vocabulary, declaredOutcomes: ruleSet.declaredOutcomes(name, chain: chain),
            directory: ruleSet.directory)
        // Resolve once now, so that an unknown decision or a broken module is reported here.
        do {
            try bound.withEvaluator { (_: inout DecisionEvaluator) throws(RuleEvaluationError) in }
        } catch {
            if case .unknownDecision = error { throw .unknownDecision(name, jurisdiction: pack.id, available: available()) }
            throw error
        }
        return bound
    }

    func decisions(of pack: RulePack, at date: CalendarDate) throws(RuleEvaluationError) -> [String] {
        try definitions(of: pack, at: date).map(\.name)
    }

    /// Sorted by name; the chain is walked nearest first, so an override hides its parent's.
    func definitions(of pack: RulePack, at date: CalendarDate) throws(RuleEvaluationError) -> [DecisionDefinition] {
        let chain = try ruleSet.chain(from: pack, at: date)
        let pool = pool(for: chain)
        var definedBy: [String: RulePack] = [:]
        do throws(LuaError) {
            let sandbox = try pool.acquire()
            defer { pool.release(sandbox) }
            for member in chain {
                for module in member.modules.keys {
                    for key in try sandbox.functionNames(inModule: "\(member.id)/\(module)") where definedBy["\(module).\(key)"] == nil {
                        definedBy["\(module).\(key)"] = member
                    }
                }
            }
        } catch {
            throw .rule(error)
        }
        return definedBy.keys.sorted().map { DecisionDefinition(name: $0, pack: definedBy[$0]!) }
    }

    /// Compiles and runs every module of every pack version, in a chain in force at the version's
    /// own start; returns each failure with its file and line.
    func compileAll() -> [RuleProblem] {
        var problems: [RuleProblem] = []
        for pack in ruleSet.packs {
            let date = pack.manifest.effectiveFrom ?? pack.manifest.effectiveTo ?? CalendarDate.today()
            do {
                let chain = try ruleSet.chain(from: pack, at: date)
                let sandbox = try LoadedRules.makeSandbox(chain: chain, limits: hostLimits)
                for module in pack.modules.keys.sorted() {
                    do {
                        _ = try sandbox.functionNames(inModule: "\(pack.id)/\(module)")
                    } catch {
                        problems.append(RuleProblem(lua: error, fallbackFile: pack.chunkName(of: module)))
                    }
                }
            } catch let error as RuleEvaluationError {
                problems.append(RuleProblem(file: "\(pack.folder)/pack.yaml", field: "extends", message: error.message))
            } catch let error as LuaError {
                problems.append(RuleProblem(lua: error, fallbackFile: "\(pack.folder)/pack.yaml"))
            } catch {
                problems.append(RuleProblem(file: "\(pack.folder)/pack.yaml", message: "\(error)"))
            }
        }
        return problems
    }
}

extension RuleProblem {
    /// A Lua error as a problem at its `chunk:line`.
    init(lua error: LuaError, fallbackFile: String) {
        if let location = error.location, let colon = location.lastIndex(of: ":"), let line = Int(location[location.index(after: colon)...]) {
            self.init(file: String(location[..<colon]), line: line, message: "\(error.kind.rawValue): \(error.message)")
        } else {
            self.init(file: fallbackFile, message: "\(error.kind.rawValue): \(error.message)")
        }
    }
}
