import Foundation
import Testing
import TestScratch

@Suite("glo-host rules docs: the packs as a static site")
struct RulesDocsTests {
    @Test func docsHaveAPagePerPackVersionInheritedDecisionsAndNoBrokenLink() throws {
        let site = TestScratch.folder("glo-docs").path
        let run = try glohost(["rules", "docs", "--rules", shippedRules, "--to", site])
        #expect(run.status == 0, "\(run.stderr)")
        for folder in try FileManager.default.contentsOfDirectory(atPath: shippedRules) where !folder.hasPrefix(".") {
            guard FileManager.default.fileExists(atPath: "\(shippedRules)/\(folder)/pack.yaml") else { continue }
            #expect(FileManager.default.fileExists(atPath: "\(site)/pack-\(folder).html"), "\(folder)")
        }
        let index = read(site + "/index.html")
        #expect(index.contains("href=\"pack-TH-2008.html\""))
        let colombia = read(site + "/pack-CO.html")
        #expect(colombia.contains("inherited from <a href=\"pack-intl.html#decision-return.packet\">intl 2026.1</a>"), "\(colombia.prefix(3000))")
        #expect(colombia.contains("this pack (<code>CO/identification.lua</code>)"))
        #expect(colombia.contains("<strong class=\"flag\">unverified</strong> [unverified] CO national law on trafficking in persons"))
        #expect(colombia.contains("href=\"vocabulary.html#fact-acts\""))
        #expect(read(site + "/vocabulary.html").contains("id=\"fact-acts\""))
        #expect(read(site + "/decisions.html").contains("id=\"decision-identification.pathway\""))

        let links = Process()
        links.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        links.arguments = ["python3", packageRoot.appendingPathComponent("scripts/check-links.py").path, site]
        let output = Pipe()
        links.standardOutput = output
        try links.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        links.waitUntilExit()
        #expect(links.terminationStatus == 0, "\(text)")
        #expect(text.hasSuffix(" 0 broken\n"), "\(text)")
    }

    @Test func docsEscapeWhatPacksSay() throws {
        let rules = try temporaryRules([
            "intl/pack.yaml": "id: intl\nname: \"<script>alert(1)</script>\"\nversion: '1'\ntodo: ['<img src=x onerror=alert(1)>']\n",
            "intl/identification.lua": "return { pathway = function() return { outcome = 'victim', basis = { '<b>art. 3</b>' } } end }\n",
            "intl/tests/identification.yaml": "decision: identification.pathway\ncases:\n  - name: \"<i>x</i>\"\n    facts: {}\n    expect: { outcome: victim }\n",
        ])
        let site = TestScratch.folder("glo-docs").path
        let run = try glohost(["rules", "docs", "--rules", rules, "--to", site])
        #expect(run.status == 0, "\(run.stderr)")
        let page = read(site + "/pack-intl.html")
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(page.contains("&lt;b&gt;art. 3&lt;/b&gt;"))
        #expect(page.contains("&lt;i&gt;x&lt;/i&gt;"))
        #expect(!page.contains("<script>") && !page.contains("<img") && !page.contains("<b>") && !page.contains("<i>"))
    }
}
