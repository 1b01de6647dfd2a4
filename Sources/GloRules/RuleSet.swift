import Foundation
import LuaVM

/// Every pack under a rules directory, all versions, validated together: each `extends` names a
/// pack that exists, no pack extends itself through others, and versions of one id do not overlap
/// in time. With them, the fact vocabulary they read (`Vocabulary`), loaded and reloaded with them.
public struct RuleSet: Sendable {
    /// The directory as given (relative paths stay relative, for messages).
    public let directory: String
    public let packs: [RulePack]
    public let vocabulary: Vocabulary
    /// The decisions' declared outcomes and fields (`decisions.yaml` beside the vocabulary).
    public let decisions: DecisionCatalog

    /// Loads every pack of `directory` and the vocabulary: `vocabularyFile`, or else the one
    /// `Vocabulary.locate` finds beside the packs.
    public static func load(directory: String, vocabularyFile: String? = nil,
                            hostLimits: LuaLimits = .default) throws(RuleLoadError) -> RuleSet {
        let url = URL(fileURLWithPath: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RuleLoadError(problems: [RuleProblem(file: directory, message: "no such rules directory")])
        }
        var packs: [RulePack] = []
        var problems: [RuleProblem] = []
        for folder in RulePack.sortedEntries(of: url) {
            let manifest = url.appendingPathComponent(folder).appendingPathComponent("pack.yaml")
            guard FileManager.default.fileExists(atPath: manifest.path) else { continue }
            do {
                packs.append(try RulePack.read(folder: folder, in: url, hostLimits: hostLimits))
            } catch {
                problems += error.problems
            }
        }
        if packs.isEmpty && problems.isEmpty {
            problems.append(RuleProblem(file: directory, message: "holds no pack (a folder with a pack.yaml)"))
        }
        var vocabulary: Vocabulary?
        var decisions = DecisionCatalog.empty
        if let file = vocabularyFile ?? Vocabulary.locate(rulesDirectory: directory) {
            do { vocabulary = try Vocabulary.load(file: file) } catch { problems += error.problems }
            do { decisions = try DecisionCatalog.load(inFolder: (file as NSString).deletingLastPathComponent) } catch {
                problems += error.problems
            }
        } else {
            problems.append(RuleProblem(file: directory, message:
                "no fact vocabulary: put a facts.schema.json in this folder or the one above it (the shipped one is Config/facts.schema.json)"))
        }
        guard let vocabulary else { throw RuleLoadError(problems: problems) }
        let set = RuleSet(directory: directory, packs: packs, vocabulary: vocabulary, decisions: decisions)
        problems += set.crossPackProblems()
        if !problems.isEmpty { throw RuleLoadError(problems: problems) }
        return set
    }

    /// The ids of every jurisdiction, sorted.
    public var jurisdictions: [String] { Array(Set(packs.map(\.id))).sorted() }

    public func versions(of id: String) -> [RulePack] {
        packs.filter { $0.id == id }.sorted { ($0.manifest.effectiveFrom ?? CalendarDate(year: 1, month: 1, day: 1)!) < ($1.manifest.effectiveFrom ?? CalendarDate(year: 1, month: 1, day: 1)!) }
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
                throw .noPackInForce(jurisdiction: parentID, date: date)
            }
            chain.append(parent)
            current = parent
        }
        return chain
    }

    private func crossPackProblems() -> [RuleProblem] {
        var problems: [RuleProblem] = []
        let ids = Set(packs.map(\.id))
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
                    let aFrom = a.manifest.effectiveFrom ?? CalendarDate(year: 1, month: 1, day: 1)!
                    let aTo = a.manifest.effectiveTo ?? CalendarDate(year: 9999, month: 12, day: 31)!
                    let bFrom = b.manifest.effectiveFrom ?? CalendarDate(year: 1, month: 1, day: 1)!
                    let bTo = b.manifest.effectiveTo ?? CalendarDate(year: 9999, month: 12, day: 31)!
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
