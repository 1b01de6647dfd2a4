import ArgumentParser
import Foundation
import GloRules

extension Rules {
    struct Docs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the packs' documentation: a static HTML site of jurisdictions, decisions and facts.",
            discussion: """
                index.html lists the jurisdictions with their versions; each pack version has a page with every decision
                it offers (its own or inherited, and from which pack), the declared outcomes, the citations its tests'
                results give ([unverified] marked), the facts those tests read, its todo list, and its tests as worked
                examples. vocabulary.html describes every fact, decisions.html every declared decision. No JavaScript;
                links are relative, so the folder can be opened from disk or served as it is. Pages are replaced;
                files the command did not write are left. Exit 2 when the packs or the arguments are unusable.
                """
        )

        @Option(name: .customLong("rules"), help: "The rules directory.")
        var rules = "Config/jurisdictions"

        @Option(name: .customLong("to"), help: "The folder to write the site into (made when absent).")
        var to: String

        func run() throws {
            let engine = try loadEngine(rules, statesPerPack: 1)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: to, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("--to '\(to)' is a file: name a folder")
            }
            do {
                try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
            } catch {
                throw ValidationError("--to '\(to)': cannot make the folder: \(error.localizedDescription)")
            }
            let site = RulesDocsSite(engine: engine)
            let pages = site.pages()
            for (name, html) in pages {
                let file = try OutputFile(path: (to as NSString).appendingPathComponent(name), option: "--to")
                try file.producing { try file.write(Array(html.utf8)) }
                try file.close()
            }
            print("\(to): \(pages.count) pages (index.html), \(site.packs.count) pack versions")
        }
    }
}

/// What the documentation shows, gathered once from the loaded rules: every pack version with the
/// decisions it offers and its tests run.
struct RulesDocsSite {
    /// One pack version as its page shows it.
    struct PackPage {
        let pack: RulePack
        /// The date its chain and decisions are taken at (`RulePack.shownAt`).
        let date: CalendarDate
        let chain: [RulePack]
        let decisions: [DecisionPage]
        /// Cases (or files) of its tests that cannot be run as written.
        let problems: [PackTestFailure]
        /// Why its decisions could not be listed, when they could not.
        let error: String?
    }

    /// One decision on a pack version's page.
    struct DecisionPage {
        let definition: DecisionDefinition
        /// The pack's own tests of it, run.
        let runs: [PackTestRun]

        /// Each citation the results give, once, in the order first given.
        var citations: [String] {
            var seen: [String] = []
            for run in runs {
                for citation in (try? run.result.get().basis) ?? [] where !seen.contains(citation) { seen.append(citation) }
            }
            return seen
        }

        /// Every fact the tests' decisions read.
        var factsRead: Set<String> { Set(runs.flatMap { (try? $0.result.get().factsRead) ?? [] }) }
    }

    let set: RuleSet
    let packs: [PackPage]

    init(engine: RuleEngine) {
        set = engine.ruleSet
        let ordered = set.packs.sorted { a, b in
            (a.id, a.manifest.effectiveFrom?.description ?? "", a.version) < (b.id, b.manifest.effectiveFrom?.description ?? "", b.version)
        }
        packs = ordered.map { Self.page(of: $0, engine: engine) }
    }

    private static func page(of pack: RulePack, engine: RuleEngine) -> PackPage {
        let date = pack.shownAt
        var runs: [PackTestRun] = []
        var problems: [PackTestFailure] = []
        for item in engine.testRuns(of: pack) {
            switch item {
            case .success(let run): runs.append(run)
            case .failure(let problem): problems.append(problem)
            }
        }
        do {
            let chain = try engine.ruleSet.chain(from: pack, at: date)
            let decisions = try engine.definitions(of: pack, at: date).map { definition in
                DecisionPage(definition: definition, runs: runs.filter { $0.testCase.decision == definition.name })
            }
            return PackPage(pack: pack, date: date, chain: chain, decisions: decisions, problems: problems, error: nil)
        } catch {
            return PackPage(pack: pack, date: date, chain: [pack], decisions: [], problems: problems, error: error.description)
        }
    }

    /// Every decision a page may link to: those decisions.yaml declares, then those packs declare or
    /// offer, by name.
    var decisionNames: [String] {
        let declared = set.decisions.decisions.map(\.name)
        let others = Set(packs.flatMap { $0.decisions.map(\.definition.name) } + set.packs.flatMap(\.manifest.outcomes.keys))
        return declared + others.subtracting(declared).sorted()
    }

    /// The page of the pack version `pack` is.
    func page(of pack: RulePack) -> String { "pack-\(HTMLText.slug(pack.folder)).html" }

    func pages() -> [(name: String, html: String)] {
        [("index.html", indexPage()), ("vocabulary.html", vocabularyPage()), ("decisions.html", decisionsPage())]
            + packs.map { (page(of: $0.pack), packPage($0)) }
    }
}
