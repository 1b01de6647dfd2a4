import Foundation
public import LuaVM

/// Every pack under a rules directory, all versions, validated together: each `extends` names a
/// pack that exists, no pack extends itself through others, and versions of one id do not overlap
/// in time. With them, the fact vocabulary they read (`Vocabulary`) and the decisions they declare
/// (`DecisionCatalog`), loaded and reloaded with them.
///
/// A pack with a problem fails alone: it is set aside in `broken` with every problem found, and only
/// the jurisdictions whose chain needs it fail with it (`RuleEvaluationError.brokenPack`); the others
/// load, test, decide and reload. Only a vocabulary that cannot be read stops everything.
public struct RuleSet: Sendable {
    /// The directory as given (relative paths stay relative, for messages).
    public let directory: String
    /// The packs that can be used.
    public let packs: [RulePack]
    public let vocabulary: Vocabulary
    /// The decisions' declared outcomes and fields (`decisions.yaml` beside the vocabulary).
    public let decisions: DecisionCatalog
    /// The packs that cannot be used, each with its problems.
    public let broken: [BrokenPack]

    /// A pack folder set aside: its id when its manifest says it, and why.
    public struct BrokenPack: Sendable {
        public let folder: String
        public let id: String?
        public let problems: [RuleProblem]
    }

    /// Every problem of every broken pack.
    public var problems: [RuleProblem] { broken.flatMap(\.problems) }

    /// Loads every pack of `directory` and the vocabulary: `vocabularyFile`, or else the one
    /// `Vocabulary.locate` finds beside the packs. Throws only when nothing can be used: no such
    /// directory, no pack in it, or a vocabulary that cannot be read.
    public static func load(directory: String, vocabularyFile: String? = nil,
                            hostLimits: LuaLimits = .default) throws(RuleLoadError) -> RuleSet {
        let url = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RuleLoadError(problems: [RuleProblem(file: directory, message: "no such rules directory")])
        }
        var packs: [RulePack] = []
        var broken: [BrokenPack] = []
        for folder in RulePack.sortedEntries(of: url) {
            let manifest = url.appendingPathComponent(folder).appendingPathComponent("pack.yaml")
            guard FileManager.default.fileExists(atPath: manifest.path) else { continue }
            do {
                packs.append(try RulePack.read(folder: folder, in: url, hostLimits: hostLimits))
            } catch {
                broken.append(BrokenPack(folder: folder, id: RulePack.declaredID(folder: folder, in: url), problems: error.problems))
            }
        }
        var problems: [RuleProblem] = []
        if packs.isEmpty && broken.isEmpty {
            problems.append(RuleProblem(file: directory, message: "holds no pack (a folder with a pack.yaml)"))
        }
        var vocabulary: Vocabulary?
        var decisions = DecisionCatalog.empty
        if let file = vocabularyFile ?? Vocabulary.locate(rulesDirectory: directory) {
            do { vocabulary = try Vocabulary.load(file: file) } catch { problems += error.problems }
            do { decisions = try DecisionCatalog.load(inFolder: parentFolder(of: file)) } catch {
                problems += error.problems
            }
        } else {
            problems.append(RuleProblem(file: directory, message:
                "no fact vocabulary: put a facts.schema.json in this folder or the one above it (the shipped one is Config/facts.schema.json)"))
        }
        guard let vocabulary, problems.isEmpty else { throw RuleLoadError(problems: problems) }
        let set = RuleSet(directory: directory, packs: packs, vocabulary: vocabulary, decisions: decisions, broken: broken)
        return set.settingAside(set.crossPackProblems())
    }

    /// The same set with the packs these problems are in (by their folder) moved to `broken`.
    func settingAside(_ problems: [RuleProblem]) -> RuleSet {
        guard !problems.isEmpty else { return self }
        var byFolder: [String: [RuleProblem]] = [:]
        for problem in problems {
            let folder = String(problem.file.prefix { $0 != "/" })
            byFolder[folder, default: []].append(problem)
        }
        var broken = self.broken
        for pack in packs where byFolder[pack.folder] != nil {
            broken.append(BrokenPack(folder: pack.folder, id: pack.id, problems: byFolder[pack.folder]!))
        }
        return RuleSet(directory: directory, packs: packs.filter { byFolder[$0.folder] == nil }, vocabulary: vocabulary,
                       decisions: decisions, broken: broken.sorted { $0.folder < $1.folder })
    }

    /// The problems that make jurisdiction `id` unusable: those of its broken versions.
    public func problems(of id: String) -> [RuleProblem] {
        broken.filter { $0.id == id }.flatMap(\.problems)
    }

    /// The ids of every jurisdiction that has a pack that can be used, sorted.
    public var jurisdictions: [String] { Array(Set(packs.map(\.id))).sorted() }

    public func versions(of id: String) -> [RulePack] {
        packs.filter { $0.id == id }.sorted { ($0.manifest.effectiveFrom ?? CalendarDate.distantPast) < ($1.manifest.effectiveFrom ?? CalendarDate.distantPast) }
    }

    /// The usable version of `id` in force at `date`; nil when `id` is no jurisdiction at all. Fails
    /// with its problems when the version in force is broken, or with `noPackInForce`.
    public func inForce(_ id: String, at date: CalendarDate) throws(RuleEvaluationError) -> RulePack? {
        if let pack = pack(id, at: date) { return pack }
        let broken = problems(of: id).map { $0.under(directory) }
        if !broken.isEmpty { throw .brokenPack(id, problems: broken) }
        if jurisdictions.contains(id) { throw .noPackInForce(jurisdiction: id, date: date) }
        return nil
    }

    /// The version of `id` in force at `date`.
    public func pack(_ id: String, at date: CalendarDate) -> RulePack? {
        packs.first { $0.id == id && $0.manifest.isInForce(at: date) }
    }

    /// The pack and its ancestors, nearest first, each the version in force at `date`.
    public func chain(from pack: RulePack, at date: CalendarDate) throws(RuleEvaluationError) -> [RulePack] {
        var chain = [pack]
        var current = pack
        while let parentID = current.manifest.extends {
            guard let parent = self.pack(parentID, at: date) else {
                let broken = problems(of: parentID).map { $0.under(directory) }
                if !broken.isEmpty { throw .brokenPack(parentID, problems: broken) }
                throw .noPackInForce(jurisdiction: parentID, date: date)
            }
            chain.append(parent)
            current = parent
        }
        return chain
    }

    private func crossPackProblems() -> [RuleProblem] {
        var problems: [RuleProblem] = []
        // A pack extending a broken one is not wrong itself: it fails with its parent when used.
        let ids = Set(packs.map(\.id) + broken.compactMap(\.id))
        for pack in packs {
            let file = "\(pack.folder)/pack.yaml"
            if let parent = pack.manifest.extends, !ids.contains(parent) {
                problems.append(RuleProblem(file: file, field: "extends", message: "no pack has id '\(parent)' (known: \(ids.sorted().joined(separator: ", ")))"))
            }
            var seen: Set<String> = [pack.id]
            var current = pack.manifest.extends
            while let id = current {
                if seen.contains(id) {
                    problems.append(RuleProblem(file: file, field: "extends", message: "packs extend each other in a cycle through '\(id)'"))
                    break
                }
                seen.insert(id)
                current = packs.first { $0.id == id }?.manifest.extends
            }
        }
        let byID = Dictionary(grouping: packs, by: \.id)
        for (id, versions) in byID where versions.count > 1 {
            for (i, a) in versions.enumerated() {
                for b in versions[(i + 1)...] {
                    if a.version == b.version {
                        problems.append(RuleProblem(file: "\(b.folder)/pack.yaml", field: "version", message: "version \(b.version) of \(id) is also in \(a.folder)"))
                    }
                    let aFrom = a.manifest.effectiveFrom ?? CalendarDate.distantPast
                    let aTo = a.manifest.effectiveTo ?? CalendarDate.distantFuture
                    let bFrom = b.manifest.effectiveFrom ?? CalendarDate.distantPast
                    let bTo = b.manifest.effectiveTo ?? CalendarDate.distantFuture
                    if aFrom <= bTo && bFrom <= aTo {
                        problems.append(RuleProblem(file: "\(b.folder)/pack.yaml", field: "effective_from",
                            message: "versions \(a.version) (\(a.folder)) and \(b.version) (\(b.folder)) of \(id) are both in force on \(max(aFrom, bFrom)); give them effective dates that do not overlap"))
                    }
                }
            }
        }
        return problems
    }
}
