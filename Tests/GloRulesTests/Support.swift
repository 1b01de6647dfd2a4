import Foundation
@testable import GloRules
import TestScratch

/// A rules directory in a fresh temporary folder, from relative path -> contents, with the shipped
/// vocabulary unless the files bring their own `facts.schema.json`.
func rulesDirectory(_ files: [String: String]) throws -> String {
    let root = TestScratch.folder("glo-rules")
    try write(files, under: root.path)
    try TestScratch.addVocabulary(to: root.path)
    return root.path
}

func write(_ files: [String: String], under root: String) throws {
    for (path, text) in files {
        let url = URL(fileURLWithPath: root).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// A small world: a baseline and a child that overrides one decision and inherits another.
let smallWorld: [String: String] = [
    // Outcomes of their own, declared as a country team would (pack.yaml, outcomes:).
    "intl/pack.yaml": "id: intl\nname: Baseline\nversion: '1'\noutcomes:\n  identification.pathway: [child, adult]\n  identification.echo_date: [echoed]\n",
    "intl/identification.lua": """
        return {
          pathway = function(facts, ctx)
            if facts.age == nil then return { outcome = "undetermined" } end
            if facts.age < 18 then return { outcome = "child", reasons = { "under 18" }, basis = { "Palermo Protocol art. 3(d)" } } end
            return { outcome = "adult", basis = { "Palermo Protocol art. 3(a)" } }
          end,
          echo_date = function(facts, ctx)
            return { outcome = "echoed", echo = ctx.date .. " " .. ctx.jurisdiction .. " " .. ctx.pack_version, reasons = {}, basis = {} }
          end,
        }
        """,
    "intl/tests/identification.yaml": """
        decision: identification.pathway
        cases:
          - name: a child
            facts: { age: 15 }
            expect: { outcome: child, basis: [ "Palermo Protocol art. 3(d)" ] }
        """,
    "XX/pack.yaml": "id: XX\nname: Example\nversion: '2026.1'\nextends: intl\neffective_from: 2020-01-01\n",
    "XX/identification.lua": """
        local intl = require("intl/identification")
        return {
          pathway = function(facts, ctx)
            local r = intl.pathway(facts, ctx)
            r.national = true
            return r
          end,
        }
        """,
    "XX-old/pack.yaml": "id: XX\nname: Example before 2020\nversion: '2019.1'\nextends: intl\neffective_from: 2008-06-05\neffective_to: 2019-12-31\noutcomes:\n  identification.pathway: [old law]\n",
    "XX-old/identification.lua": "return { pathway = function() return { outcome = 'old law' } end }\n",
]
