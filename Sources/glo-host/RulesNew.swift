import ArgumentParser
import Foundation
import GloJSON
import GloRules

extension Rules {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a pack's own version of a decision: an override calling its parent's, and a test case.",
            discussion: """
                In the pack's folder: writes <module>.lua with DECISION calling the parent pack's version (or adds it to
                that module when the file exists), adds a case to tests/<module>.yaml (the facts of a test of the chain,
                expecting the outcome the parent gives them), and takes the item naming DECISION off the todo list of
                pack.yaml (the module's comment keeps it). A decision decisions.yaml declares that no pack of the chain
                writes yet starts as undetermined. Then the packs are loaded and the pack's tests run; when that fails,
                every file is put back as it was. PACK is a folder of the rules directory (TH-2019) or a pack id (the
                version in force today); a pack that does not exist yet is made with --extends and --name.
                Exit 0 when done, 2 when an argument or the packs are unusable (then nothing is changed).
                """
        )

        @Argument(help: "The pack: its folder (TH, TH-2019) or its id.")
        var pack: String

        @Argument(help: "The decision, e.g. identification.pathway.")
        var decision: String

        @Option(name: .customLong("rules"), help: "The rules directory.")
        var rules = "Config/jurisdictions"

        @Flag(name: .customLong("force"), help: "When the pack already writes DECISION, replace its module with a new override.")
        var force = false

        @Option(name: .customLong("extends"), help: "Make PACK, a new pack extending this pack id.")
        var extends: String?

        @Option(name: .customLong("name"), help: "The new pack's name, with --extends (e.g. \"Viet Nam\").")
        var name: String?

        func validate() throws {
            if name != nil && extends == nil { throw ValidationError("--name is for a new pack: give --extends too") }
        }

        func run() throws {
            let edits = FileEdits()
            do {
                try start(edits)
            } catch {
                let written = edits.paths
                if !written.isEmpty {
                    edits.rollback()
                    warn("put back as they were: \(written.joined(separator: ", "))")
                }
                throw error
            }
        }

        private func start(_ edits: FileEdits) throws {
            var engine = try loadEngine(rules, statesPerPack: 1)
            let parts = decision.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, RulePack.isModuleName(parts[0]), RulePack.isModuleName(parts[1]) else {
                throw refusal("DECISION '\(decision)' is not a decision name: module.decision, such as identification.pathway")
            }
            let (module, key) = (parts[0], parts[1])
            let folder = try resolveFolder(engine, edits: edits)
            if !edits.paths.isEmpty { engine = try loadEngine(rules, statesPerPack: 1) }
            var pack = try self.pack(in: engine, folder: folder)
            let set = engine.ruleSet
            let date = pack.shownAt
            let own = try definitions(engine, pack, date)
            let chain = try chainOrExit(set, pack, date)
            let parentPack = chain.dropFirst().first
            let inherited = try parentPack.map { try definitions(engine, $0, date) } ?? []
            let parentDefinition = inherited.first { $0.name == decision }
            let outcomes = declaredOutcomes(set, chain)

            if let mine = own.first(where: { $0.name == decision }), mine.pack.folder == pack.folder {
                guard force else {
                    throw refusal("DECISION '\(decision)' is \(pack.id)'s own already: \(rules)/\(mine.file) writes it. Change it there, "
                                  + "or give --force to replace \(rules)/\(mine.file) with an override calling the parent's")
                }
                let others = own.filter { $0.file == mine.file && $0.name != decision }.map(\.name)
                guard others.isEmpty else {
                    throw refusal("--force would replace \(rules)/\(mine.file), which also writes \(others.joined(separator: ", ")): "
                                  + "change \(decision) there by hand")
                }
            }
            if parentDefinition == nil && set.decisions.decision(decision) == nil && !chain.contains(where: { $0.manifest.outcomes[decision] != nil }) {
                let offered = own.map(\.name)
                let declared = set.decisions.decisions.map(\.name).filter { !offered.contains($0) }
                var message = "DECISION '\(decision)' is not a decision of \(pack.id)'s chain (it has: \(offered.joined(separator: ", ")))"
                if !declared.isEmpty { message += " nor one decisions.yaml declares (\(declared.joined(separator: ", ")))" }
                if let near = Vocabulary.nearest(decision, among: offered + declared) { message += "; did you mean '\(near)'?" }
                throw refusal(message)
            }

            // The todo items naming this decision go into the module's comment; those naming no other
            // decision come off the list.
            let manifestPath = path(pack.folder, "pack.yaml")
            let manifestText = try String(contentsOfFile: manifestPath, encoding: .utf8)
            let otherDecisions = Set(own.map(\.name) + set.decisions.decisions.map(\.name)).subtracting([decision])
            let todo = RulesNewText.todo(in: manifestText)?.items.filter { RulesNewText.names($0.text, decision) } ?? []
            let done = todo.filter { item in !otherDecisions.contains { RulesNewText.names(item.text, $0) } }

            let modulePath = path(pack.folder, "\(module).lua")
            let existing = FileManager.default.contents(atPath: modulePath).map { String(decoding: $0, as: UTF8.self) }
            let replacing = own.contains { $0.name == decision && $0.pack.folder == pack.folder }
            let local = parentDefinition.map { parentLocal(in: replacing ? nil : existing, pack: $0.pack.id, module: module) }
            let start = RulesNewText.Start(
                pack: pack.id, decision: decision, module: module, key: key,
                parent: parentDefinition.map { (pack: $0.pack.id, local: local!.name) },
                outcomes: outcomes, todo: todo.map(\.text))
            if let existing, !replacing {
                guard let added = RulesNewText.adding(start, to: existing, withRequire: local?.isNew ?? false) else {
                    throw refusal("\(rules)/\(pack.chunkName(of: module)) does not end by returning its table "
                                  + "(return { ... }): add \(key) to it by hand")
                }
                try edits.write(added, to: modulePath)
            } else {
                try edits.write(RulesNewText.module(start), to: modulePath)
            }
            engine = try loadEngine(rules, statesPerPack: 1)
            pack = try self.pack(in: engine, folder: folder)
            guard try definitions(engine, pack, date).contains(where: { $0.name == decision && $0.pack.folder == pack.folder }) else {
                throw refusal("\(rules)/\(pack.chunkName(of: module)): \(decision) could not be added to the table the module returns: add it by hand")
            }

            let example = try self.example(engine, pack: pack, chain: chain, date: date)
            let testsPath = path(pack.folder, "tests/\(module).yaml")
            let testsText = FileManager.default.contents(atPath: testsPath).map { String(decoding: $0, as: UTF8.self) }
            let caseName = RulesNewText.caseName(start, example: example)
            let testCase = RulesNewText.testCase(start, example: example, vocabulary: set.vocabulary,
                                                 indent: testsText.map(RulesNewText.caseIndent) ?? "  ")
            try edits.write(testsText.map { RulesNewText.appending(testCase, to: $0) }
                                ?? RulesNewText.testFile(pack: pack.id, module: module, testCase: testCase), to: testsPath)
            if !done.isEmpty { try edits.write(RulesNewText.removing(done, from: manifestText), to: manifestPath) }

            engine = try loadEngine(rules, statesPerPack: 1)
            pack = try self.pack(in: engine, folder: folder)
            let passed = try verify(engine, pack: pack, testsFile: "\(pack.folder)/tests/\(module).yaml", caseName: caseName)

            let verb = replacing ? "replaced by" : existing == nil ? "new, with" : "now also holds"
            print("\(rules)/\(pack.chunkName(of: module)): \(verb) \(decision), "
                  + (start.parent.map { "calling \($0.pack)'s" } ?? "answering undetermined until written"))
            print("\(rules)/\(pack.folder)/tests/\(module).yaml: \(testsText == nil ? "new, with" : "now also holds") a case: \(example.source), expecting \(example.outcome)")
            for item in todo {
                let what = done.contains { $0.lines == item.lines } ? "taken off the todo list" : "kept on the todo list (it names other decisions too)"
                print("\(rules)/\(pack.folder)/pack.yaml: \(what): \(item.text)")
            }
            print("\(pack.id) \(pack.version): \(passed) passed, 0 failed")
            print("Next: write \(pack.id)'s rule in \(rules)/\(pack.chunkName(of: module)) and the case's expectation, then "
                  + "glo-host rules test \(rules) --jurisdiction \(pack.id)")
        }

        /// The pack's tests, the new case among them, all pass with the new files; otherwise each failure
        /// is said and the command ends (and the files are put back). Returns how many passed.
        private func verify(_ engine: RuleEngine, pack: RulePack, testsFile: String, caseName: String) throws -> Int {
            let runs = engine.testRuns(of: pack)
            var failures = runs.compactMap { run -> String? in
                switch run {
                case .success(let run): run.failure.map { "\(rules)/\(run.testCase.file):\(run.testCase.line): \(run.testCase.name): \($0)" }
                case .failure(let failure): "\(rules)/\(failure)"
                }
            }
            if !runs.contains(where: { (try? $0.get()).map { $0.testCase.file == testsFile && $0.testCase.name == caseName } ?? false }) {
                failures.append("\(rules)/\(testsFile): the new case '\(caseName)' is not among the file's cases: add it by hand")
            }
            guard failures.isEmpty else {
                for failure in failures { warn("FAIL \(failure)") }
                throw refusal("\(pack.id) \(pack.version): the tests do not pass with the new files")
            }
            return runs.count
        }

        /// The folder of the pack PACK names: a folder, else an id (its version in force today), else a
        /// new pack's, written when --extends asks for one.
        private func resolveFolder(_ engine: RuleEngine, edits: FileEdits) throws -> String {
            let set = engine.ruleSet
            if let byFolder = set.packs.first(where: { $0.folder == pack }) {
                if extends != nil {
                    throw refusal("--extends: PACK '\(pack)' exists already (\(byFolder.manifest.extends.map { "it extends \($0)" } ?? "it extends no pack")); leave out --extends and --name")
                }
                return byFolder.folder
            }
            let versions = set.versions(of: pack)
            if let byID = set.pack(pack, at: .today()) ?? versions.last {
                if extends != nil { throw refusal("--extends: the pack id '\(pack)' exists already (folder \(byID.folder)); leave out --extends and --name") }
                if versions.count > 1 { print("PACK '\(pack)': the folder \(byID.folder) (version \(byID.version)); name another folder for another version") }
                return byID.folder
            }
            guard let extends else {
                let known = Array(Set(set.packs.map(\.folder) + set.jurisdictions)).sorted()
                var message = "PACK '\(pack)' is not a pack of \(rules) (packs: \(known.joined(separator: ", ")))"
                if let near = Vocabulary.nearest(pack, among: known) { message += "; did you mean '\(near)'?" }
                message += (message.hasSuffix("?") ? " " : ". ") + "To start a new pack: glo-host rules new \(pack) \(decision) --rules \(rules) --extends intl --name \"...\""
                throw refusal(message)
            }
            guard set.jurisdictions.contains(extends) else {
                var message = "--extends '\(extends)' is not a pack id of \(rules) (known: \(set.jurisdictions.joined(separator: ", ")))"
                if let near = Vocabulary.nearest(extends, among: set.jurisdictions) { message += "; did you mean '\(near)'?" }
                throw refusal(message)
            }
            guard !pack.isEmpty, pack.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw refusal("PACK '\(pack)': a new pack's folder and id may hold only letters, digits, '_' and '-'")
            }
            let manifest = path(pack, "pack.yaml")
            let version = "\(CalendarDate.today().year).1"
            try edits.write(RulesNewText.manifest(id: pack, name: name ?? pack, extends: extends, version: version), to: manifest)
            print("\(manifest): new pack \(pack) \(version), extending \(extends)")
            return pack
        }

        private func pack(in engine: RuleEngine, folder: String) throws -> RulePack {
            guard let pack = engine.ruleSet.packs.first(where: { $0.folder == folder }) else {
                throw refusal("\(rules)/\(folder): no pack after the change")
            }
            return pack
        }

        /// The facts of the first test of this decision in the chain (the pack's own first) that the pack
        /// decides at a date it is in force, else no facts; with the outcome the decision gives them now.
        private func example(_ engine: RuleEngine, pack: RulePack, chain: [RulePack], date: CalendarDate) throws -> RulesNewText.Example {
            let vocabulary = engine.vocabulary
            let candidates = chain.flatMap { member in
                member.testCases().compactMap { try? $0.get() }.filter { $0.decision == decision }.map { (member, $0) }
            }
            for (member, testCase) in candidates.prefix(8) {
                guard case .object(let facts) = testCase.facts else { continue }
                let at = pack.manifest.isInForce(at: testCase.date) ? testCase.date : date
                guard let result = try? engine.bind(pack: pack, decision: decision, at: at).evaluate(testCase.facts) else { continue }
                return RulesNewText.Example(
                    source: "the facts of \(member.id)'s case \"\(testCase.name)\" (\(testCase.file):\(testCase.line))",
                    name: testCase.name, date: at, facts: facts, outcome: result.outcome,
                    alsoRead: vocabulary.names.filter { result.factsRead.contains($0) && facts[$0] == nil })
            }
            do {
                let result = try engine.bind(pack: pack, decision: decision, at: date).evaluate([:])
                return RulesNewText.Example(source: "no facts (no test of the chain decides \(decision))", name: "\(decision) with no facts",
                                            date: date, facts: [:], outcome: result.outcome,
                                            alsoRead: vocabulary.names.filter { result.factsRead.contains($0) })
            } catch {
                throw refusal("\(decision) of \(pack.id) cannot decide a first case: \(error)")
            }
        }

        /// The local that holds the parent's module: the module's own when it requires it already, else
        /// `parent` (or `<pack>_<module>` when the module has a `parent` of its own).
        private func parentLocal(in text: String?, pack: String, module: String) -> (name: String, isNew: Bool) {
            guard let text else { return ("parent", true) }
            let required = "require(\"\(pack)/\(module)\")"
            for line in text.components(separatedBy: "\n") where line.contains(required) {
                if let match = line.firstMatch(of: /^local\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*require/) { return (String(match.1), false) }
            }
            if text.firstMatch(of: /local\s+(function\s+)?parent\b/) != nil {
                return ("\(pack.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" })_\(module)", true)
            }
            return ("parent", true)
        }

        private func definitions(_ engine: RuleEngine, _ pack: RulePack, _ date: CalendarDate) throws -> [DecisionDefinition] {
            do { return try engine.definitions(of: pack, at: date) } catch {
                warn(located(error, in: rules))
                throw ExitCode(2)
            }
        }

        private func chainOrExit(_ set: RuleSet, _ pack: RulePack, _ date: CalendarDate) throws -> [RulePack] {
            do { return try set.chain(from: pack, at: date) } catch {
                warn(located(error, in: rules))
                throw ExitCode(2)
            }
        }

        /// Every outcome the decision may give in this chain, decisions.yaml's first.
        private func declaredOutcomes(_ set: RuleSet, _ chain: [RulePack]) -> [String] {
            var outcomes = set.decisions.decision(decision)?.outcomes.map(\.name) ?? []
            for member in chain.reversed() {
                outcomes += (member.manifest.outcomes[decision] ?? []).filter { !outcomes.contains($0) }
            }
            return outcomes
        }

        /// An argument or a state of the packs this command cannot start from: said on stderr, exit 2.
        /// (Not a ValidationError, whose usage line would name no argument of this command.)
        private func refusal(_ message: String) -> ExitCode {
            warn(message)
            return ExitCode(2)
        }

        private func path(_ folder: String, _ file: String) -> String {
            (((rules as NSString).appendingPathComponent(folder)) as NSString).appendingPathComponent(file)
        }
    }
}
