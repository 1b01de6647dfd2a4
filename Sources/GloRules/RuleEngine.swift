import Foundation
import GloJSON
import LuaVM
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

    /// Loads, validates and compiles every pack; any problem stops the load.
    public init(directory: String, vocabularyFile: String? = nil, hostLimits: LuaLimits = .default,
                statesPerPack: Int = ProcessInfo.processInfo.activeProcessorCount) throws(RuleLoadError) {
        self.directory = directory
        self.vocabularyFile = vocabularyFile
        self.hostLimits = hostLimits
        self.statesPerPack = max(1, statesPerPack)
        let rules = try LoadedRules(ruleSet: RuleSet.load(directory: directory, vocabularyFile: vocabularyFile, hostLimits: hostLimits),
                                    hostLimits: hostLimits, statesPerPack: self.statesPerPack)
        let problems = rules.compileAll()
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        loaded = Mutex(rules)
    }

    public var ruleSet: RuleSet { loaded.withLock { $0.ruleSet } }

    /// The fact vocabulary of the rules now in use.
    public var vocabulary: Vocabulary { ruleSet.vocabulary }

    private var current: LoadedRules { loaded.withLock { $0 } }

    /// The decision `name` of `jurisdiction` as the law stands at `date`.
    public func bind(jurisdiction: String, decision name: String, at date: CalendarDate) throws(RuleEvaluationError) -> BoundDecision {
        let rules = current
        guard let pack = rules.ruleSet.pack(jurisdiction, at: date) else {
            let known = rules.ruleSet.jurisdictions
            if !known.contains(jurisdiction) { throw .unknownJurisdiction(jurisdiction, known: known) }
            throw .noPackInForce(jurisdiction: jurisdiction, date: date)
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

    /// Every decision each jurisdiction's pack in force at `date` offers (inherited ones included).
    public func decisions(of jurisdiction: String, at date: CalendarDate) throws(RuleEvaluationError) -> [String] {
        let rules = current
        guard let pack = rules.ruleSet.pack(jurisdiction, at: date) else {
            throw .noPackInForce(jurisdiction: jurisdiction, date: date)
        }
        return try rules.decisions(of: pack, at: date)
    }

    /// Reads the directory again, compiles every pack and runs every pack's tests; only when all of
    /// that succeeds do the new rules replace the old, at once. Otherwise the old rules stay.
    public func reload() -> ReloadReport {
        let candidate: LoadedRules
        do {
            candidate = try LoadedRules(ruleSet: RuleSet.load(directory: directory, vocabularyFile: vocabularyFile, hostLimits: hostLimits),
                                        hostLimits: hostLimits, statesPerPack: statesPerPack)
        } catch {
            return ReloadReport(applied: false, problems: error.problems, tests: nil, changed: [])
        }
        let problems = candidate.compileAll()
        if !problems.isEmpty { return ReloadReport(applied: false, problems: problems, tests: nil, changed: []) }
        let tests = PackTestRunner(rules: candidate).run()
        guard tests.failed == 0 else { return ReloadReport(applied: false, problems: [], tests: tests, changed: []) }
        let changed = loaded.withLock { rules -> [String] in
            let before = Dictionary(rules.ruleSet.packs.map { ("\($0.id)@\($0.version)", $0.contentHash) }, uniquingKeysWith: { a, _ in a })
            rules = candidate
            return candidate.ruleSet.packs.filter { before["\($0.id)@\($0.version)"] != $0.contentHash }.map { "\($0.id)@\($0.version)" }.sorted()
        }
        return ReloadReport(applied: true, problems: [], tests: tests, changed: changed)
    }

    /// Runs every pack's tests (or one jurisdiction's).
    public func runTests(jurisdiction: String? = nil) -> PackTestReport {
        PackTestRunner(rules: current).run(jurisdiction: jurisdiction)
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
    public var problems: [RuleProblem]
    public var tests: PackTestReport?
    /// `ID@version` of the packs whose content changed.
    public var changed: [String]
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
            vocabulary: ruleSet.vocabulary)
        // Resolve once now, so that an unknown decision or a broken module is reported here.
        try bound.withEvaluator { (_: inout DecisionEvaluator) throws(RuleEvaluationError) in }
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
