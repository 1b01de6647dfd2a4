import GloJSON
import GloRules

/// The pages of `rules docs`. Every text from the rules goes through `HTMLText.escape` (`e` below);
/// links are relative and point only at pages and ids this site writes.
extension RulesDocsSite {
    // MARK: index.html

    func indexPage() -> String {
        var rows = ""
        for id in set.jurisdictions {
            let versions = packs.filter { $0.pack.id == id }
            let current = set.pack(id, at: .today()) ?? versions[versions.count - 1].pack
            let listed = versions.map { version in
                "<li><a href=\"\(page(of: version.pack))\">\(e(version.pack.version))</a> \(e(range(version.pack))) "
                    + "<span class=\"status \(e(version.pack.manifest.status.rawValue))\">\(e(version.pack.manifest.status.rawValue))</span></li>"
            }.joined()
            let parents = Array(Set(versions.compactMap(\.pack.manifest.extends))).sorted()
            rows += """
                <tr id="\(e("jurisdiction-" + HTMLText.slug(id)))"><td><strong>\(e(id))</strong></td><td>\(e(current.manifest.name))</td>
                <td><ul class="plain">\(listed)</ul></td>
                <td>\(parents.map { "<a href=\"#\(e("jurisdiction-" + HTMLText.slug($0)))\">\(e($0))</a>" }.joined(separator: ", "))</td></tr>

                """
        }
        return layout("Rule packs", """
            <h1>Rule packs</h1>
            <p>Every jurisdiction's rule pack, each version with the dates it is in force. A version's page lists the
            decisions it offers, its own or inherited, with the citations and facts its tests show, and its tests as
            worked examples. The facts every pack reads are in <a href="vocabulary.html">the fact vocabulary</a>; the
            decisions plugins ask for are in <a href="decisions.html">the declared decisions</a>.</p>
            <table><thead><tr><th>Id</th><th>Name</th><th>Versions</th><th>Extends</th></tr></thead><tbody>
            \(rows)</tbody></table>
            """)
    }

    // MARK: A pack version's page

    func packPage(_ page: PackPage) -> String {
        let pack = page.pack
        let manifest = pack.manifest
        var body = "<h1>\(e(manifest.name)) <small>\(e(pack.id)) \(e(pack.version))</small></h1>\n<dl>"
        body += "<dt>Status</dt><dd><span class=\"status \(e(manifest.status.rawValue))\">\(e(manifest.status.rawValue))</span></dd>"
        body += "<dt>In force</dt><dd>\(e(range(pack).isEmpty ? "always (no dates)" : range(pack)))</dd>"
        if let parent = page.chain.dropFirst().first {
            body += "<dt>Extends</dt><dd><a href=\"\(self.page(of: parent))\">\(e(parent.id)) \(e(parent.version))</a> (the version in force on \(e(page.date.description)))</dd>"
        }
        if !manifest.languages.isEmpty { body += "<dt>Languages</dt><dd>\(e(manifest.languages.joined(separator: ", ")))</dd>" }
        body += "<dt>Folder</dt><dd><code>\(e(pack.folder))</code></dd></dl>\n"
        if let description = manifest.description { body += "<p>\(e(description))</p>\n" }
        if !manifest.todo.isEmpty {
            body += "<h2 id=\"todo\">To do</h2>\n<ul>" + manifest.todo.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
        }
        body += "<h2 id=\"decisions\">Decisions</h2>\n"
        if let error = page.error { body += "<p class=\"failed\">The decisions cannot be listed: \(e(error))</p>\n" }
        body += "<p>As the law stands on \(e(page.date.description)).</p>\n<table><thead><tr><th>Decision</th><th>Defined by</th><th>Tests here</th></tr></thead><tbody>"
        for decision in page.decisions {
            body += "<tr><td><a href=\"#\(e(decisionID(decision.definition.name)))\">\(e(decision.definition.name))</a></td>"
                + "<td>\(definedBy(decision.definition, in: pack))</td><td>\(decision.runs.count)</td></tr>"
        }
        body += "</tbody></table>\n"
        for decision in page.decisions { body += decisionSection(decision, page: page) }
        if !page.problems.isEmpty {
            body += "<h2 id=\"test-problems\">Tests that cannot run</h2>\n<ul>"
                + page.problems.map { "<li class=\"failed\"><code>\(e($0.description))</code></li>" }.joined() + "</ul>\n"
        }
        return layout("\(pack.id) \(pack.version): \(manifest.name)", body)
    }

    private func definedBy(_ definition: DecisionDefinition, in pack: RulePack) -> String {
        let file = "<code>\(e(definition.file))</code>"
        if definition.pack.folder == pack.folder { return "this pack (\(file))" }
        return "inherited from <a href=\"\(page(of: definition.pack))#\(e(decisionID(definition.name)))\">\(e(definition.pack.id)) \(e(definition.pack.version))</a> (\(file))"
    }

    private func decisionSection(_ decision: DecisionPage, page: PackPage) -> String {
        let name = decision.definition.name
        var out = "<section id=\"\(e(decisionID(name)))\">\n<h2>\(e(name))</h2>\n<p>Defined by \(definedBy(decision.definition, in: page.pack)).</p>\n"
        let declared = set.decisions.decision(name)
        if let declared { out += "<p>\(e(declared.description)) <a href=\"decisions.html#\(e(decisionID(name)))\">Declared outcomes and fields</a>.</p>\n" }
        out += "<h3>Outcomes</h3>\n<ul>"
        for outcome in declared?.outcomes ?? [] { out += "<li><code>\(e(outcome.name))</code>: \(e(outcome.description))</li>" }
        for member in page.chain {
            for outcome in member.manifest.outcomes[name] ?? [] { out += "<li><code>\(e(outcome))</code>: added by \(e(member.id)) in its pack.yaml</li>" }
        }
        out += "</ul>\n"
        guard !decision.runs.isEmpty else {
            let elsewhere = decision.definition.pack.folder == page.pack.folder
                ? "" : " See <a href=\"\(self.page(of: decision.definition.pack))#\(e(decisionID(name)))\">\(e(decision.definition.pack.id))'s tests</a>."
            return out + "<p class=\"note\">No test of this pack decides it, so no citations or facts are shown here.\(elsewhere)</p>\n</section>\n"
        }
        out += "<h3>Citations</h3>\n<p>Every citation the results of this pack's tests give.</p>\n<ul>"
            + decision.citations.map(citation).joined() + "</ul>\n<h3>Facts read</h3>\n<p>"
        let read = decision.factsRead
        let known = set.vocabulary.names.filter(read.contains).map { "<a href=\"vocabulary.html#\(e(factID($0)))\">\(e($0))</a>" }
        let unknown = read.subtracting(set.vocabulary.names).sorted().map { "\(e($0)) <span class=\"failed\">(not in the vocabulary)</span>" }
        out += (known + unknown).joined(separator: ", ") + "</p>\n"
        out += "<h3>Worked examples</h3>\n"
        for (index, run) in decision.runs.enumerated() { out += example(run, id: "\(decisionID(name))-example-\(index + 1)") }
        return out + "</section>\n"
    }

    private func example(_ run: PackTestRun, id: String) -> String {
        let testCase = run.testCase
        var out = "<div class=\"example\" id=\"\(e(id))\">\n<h4>\(e(testCase.name)) "
            + (run.passed ? "<span class=\"passed\">passes</span>" : "<span class=\"failed\">fails</span>") + "</h4>\n"
        out += "<p><code>\(e(testCase.file)):\(testCase.line)</code>, the law on \(e(testCase.date.description))</p>\n<dl>"
        out += "<dt>Facts</dt><dd>" + facts(testCase.facts) + "</dd>"
        out += "<dt>Expected</dt><dd><code>\(e(YAMLText.flow(testCase.expect)))</code></dd>"
        switch run.result {
        case .success(let result):
            out += "<dt>Outcome</dt><dd><code>\(e(result.outcome))</code></dd>"
            if !result.reasons.isEmpty { out += "<dt>Reasons</dt><dd><ul>" + result.reasons.map { "<li>\(e($0))</li>" }.joined() + "</ul></dd>" }
            if !result.basis.isEmpty { out += "<dt>Basis</dt><dd><ul>" + result.basis.map(citation).joined() + "</ul></dd>" }
        case .failure(let error):
            out += "<dt>Error</dt><dd class=\"failed\">\(e(error.description))</dd>"
        }
        if let failure = run.failure { out += "<dt>Why it fails</dt><dd class=\"failed\">\(e(failure))</dd>" }
        return out + "</dl>\n</div>\n"
    }

    /// A citation as a list item; one a pack marks [unverified] is flagged, so a reader cannot miss it.
    private func citation(_ text: String) -> String {
        text.contains("[unverified]") ? "<li class=\"unverified\"><strong class=\"flag\">unverified</strong> \(e(text))</li>" : "<li>\(e(text))</li>"
    }

    private func facts(_ value: JSONValue) -> String {
        guard case .object(let members) = value, !members.isEmpty else { return "none" }
        let order = set.vocabulary.names.filter { members[$0] != nil } + members.keys.filter { set.vocabulary.fact($0) == nil }.sorted()
        return "<ul class=\"facts\">" + order.map { "<li><code>\(e($0)): \(e(YAMLText.flow(members[$0]!)))</code></li>" }.joined() + "</ul>"
    }

    // MARK: vocabulary.html

    func vocabularyPage() -> String {
        let vocabulary = set.vocabulary
        var body = """
            <h1>The fact vocabulary</h1>
            <p>The facts every pack reads and every form collects (<code>facts.schema.json</code>), with their English
            labels. A fact that is absent is unknown; an empty list is a known "none".</p>

            """
        for fact in vocabulary.facts {
            body += "<section id=\"\(e(factID(fact.name)))\">\n<h2><code>\(e(fact.name))</code> \(e(vocabulary.label(fact: fact.name, in: "en")))</h2>\n<dl>"
            body += "<dt>Type</dt><dd>\(e(fact.expectedText))</dd>"
            if let values = fact.values {
                body += "<dt>Values</dt><dd><ul>" + values.map { "<li><code>\(e($0))</code> \(e(vocabulary.label(value: $0, of: fact.name, in: "en")))</li>" }.joined() + "</ul></dd>"
            }
            body += "<dt>Collected</dt><dd>\(e(form(fact)))</dd>"
            if !fact.derivedFrom.isEmpty { body += "<dt>Derived by the host from</dt><dd>\(factLinks(fact.derivedFrom))</dd>" }
            if !fact.notAfter.isEmpty { body += "<dt>Not after</dt><dd>\(factLinks(fact.notAfter))</dd>" }
            body += "</dl>\n<p>\(e(fact.description))</p>\n</section>\n"
        }
        return layout("The fact vocabulary", body)
    }

    private func form(_ fact: Vocabulary.Fact) -> String {
        switch fact.form {
        case "screening": return "on the screening form"
        case "case": return "on the case page's facts form"
        default: return "by the API and the corpora only (no form asks for it)"
        }
    }

    private func factLinks(_ names: [String]) -> String {
        names.map { set.vocabulary.fact($0) == nil ? e($0) : "<a href=\"#\(e(factID($0)))\">\(e($0))</a>" }.joined(separator: ", ")
    }

    // MARK: decisions.html

    func decisionsPage() -> String {
        var body = """
            <h1>The declared decisions</h1>
            <p>The decisions the workflow plugins ask packs for (<code>decisions.yaml</code>): each one's outcomes and the
            result fields people and plugins read. A pack may add outcomes in its <code>pack.yaml</code>. Every result
            also has <code>outcome</code>, and usually <code>reasons</code>, <code>basis</code> and, when undetermined,
            <code>missing</code>.</p>

            """
        for name in decisionNames {
            body += "<section id=\"\(e(decisionID(name)))\">\n<h2>\(e(name))</h2>\n"
            if let declared = set.decisions.decision(name) {
                body += "<p>\(e(declared.description))</p>\n<h3>Outcomes</h3>\n<table><tbody>"
                    + declared.outcomes.map { "<tr><td><code>\(e($0.name))</code></td><td>\(e($0.description))</td></tr>" }.joined() + "</tbody></table>\n"
                if !declared.fields.isEmpty {
                    body += "<h3>Fields</h3>\n<table><thead><tr><th>Field</th><th>Type</th><th>Values</th><th>Meaning</th></tr></thead><tbody>"
                    for field in declared.fields {
                        body += "<tr><td><code>\(e(field.name))</code></td><td>\(e(field.type))</td><td>\(e((field.values ?? []).joined(separator: ", ")))</td><td>\(e(field.description))</td></tr>"
                    }
                    body += "</tbody></table>\n"
                }
            } else {
                body += "<p class=\"note\">Not declared in decisions.yaml.</p>\n"
            }
            let adding = set.packs.sorted { ($0.id, $0.version) < ($1.id, $1.version) }.filter { $0.manifest.outcomes[name] != nil }
            if !adding.isEmpty {
                body += "<h3>Outcomes packs add</h3>\n<ul>" + adding.map {
                    "<li><a href=\"\(page(of: $0))\">\(e($0.id)) \(e($0.version))</a>: \(e(($0.manifest.outcomes[name] ?? []).joined(separator: ", ")))</li>"
                }.joined() + "</ul>\n"
            }
            let offering = packs.filter { $0.decisions.contains { $0.definition.name == name } }
            body += "<h3>Offered by</h3>\n<p>" + (offering.isEmpty ? "no pack" : offering.map {
                "<a href=\"\(page(of: $0.pack))#\(e(decisionID(name)))\">\(e($0.pack.id)) \(e($0.pack.version))</a>"
            }.joined(separator: ", ")) + "</p>\n</section>\n"
        }
        return layout("The declared decisions", body)
    }

    // MARK: Shared

    private func decisionID(_ name: String) -> String { "decision-" + HTMLText.slug(name) }
    private func factID(_ name: String) -> String { "fact-" + HTMLText.slug(name) }

    private func range(_ pack: RulePack) -> String {
        switch (pack.manifest.effectiveFrom, pack.manifest.effectiveTo) {
        case (nil, nil): return ""
        case (let from?, nil): return "from \(from)"
        case (nil, let to?): return "until \(to)"
        case (let from?, let to?): return "\(from) to \(to)"
        }
    }

    private func e(_ text: String) -> String { HTMLText.escape(text) }

    private func layout(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title))</title>
        <style>
        body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; }
        nav { background: #23395d; padding: .6em 1.5em; }
        nav a { color: #fff; margin-right: 1.5em; text-decoration: none; font-weight: 600; }
        main { max-width: 62em; margin: 0 auto; padding: 1em 1.5em 3em; }
        h1 small { color: #666; font-weight: normal; }
        section { border-top: 1px solid #ddd; margin-top: 2em; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border-bottom: 1px solid #e4e4e4; padding: .3em .5em; text-align: left; vertical-align: top; }
        dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
        dt { font-weight: 600; } dd { margin: 0; }
        ul.plain { list-style: none; padding: 0; margin: 0; }
        code { background: #f3f3f3; padding: 0 .2em; }
        .status { font-size: .8em; padding: 0 .4em; border-radius: .3em; background: #eee; }
        .status.reviewed { background: #d7f0d7; } .status.draft { background: #fdf1c7; } .status.baseline { background: #f6d7d7; }
        .unverified { color: #8a4b00; } .flag { background: #fde0b3; padding: 0 .3em; text-transform: uppercase; font-size: .75em; }
        .example { background: #fafafa; border-left: 3px solid #23395d; padding: .2em 1em; margin: 1em 0; }
        .passed { color: #1d6b1d; font-size: .8em; } .failed { color: #a11; } .note { color: #555; }
        </style>
        </head>
        <body>
        <nav><a href="index.html">Jurisdictions</a><a href="decisions.html">Decisions</a><a href="vocabulary.html">Facts</a></nav>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }
}
