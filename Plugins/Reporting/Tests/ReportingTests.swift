import GloJSON
import GloKit
import GloRules
import PluginIdentification
import PluginReporting
import PluginTestSupport
import Testing

@Suite("reporting")
struct ReportingTests {
    @Test("figures per jurisdiction and period, with cells under 11 suppressed in JSON and CSV")
    func kAnonymised() async throws {
        let w = try await World()
        for i in 0..<12 {
            let c = try await w.openCase(name: "V\(i)")
            try await w.identification.screen(w.forcedLabour(c), identifiedBy: .mdt, actor: w.actor)
        }
        for i in 0..<3 {
            let c = try await w.openCase(name: "M\(i)")
            try await w.identification.screen(w.irregularCrossing(c), identifiedBy: .police, actor: w.actor)
        }
        let outside = try await w.openCase(name: "Later", opened: "2026-06-01")
        try await w.identification.screen(w.forcedLabour(outside, on: "2026-06-01"), identifiedBy: .mdt, actor: w.actor)

        let report = try await w.reporting.figures("TH", from: day("2026-03-01"), to: day("2026-03-31"))
        let pathway = try #require(report.group("cases_by_pathway"))
        #expect(pathway.cells.first { $0.value == "victim" }?.count == 12)
        let migrants = pathway.cells.filter { $0.value != "victim" }
        #expect(!migrants.isEmpty && migrants.allSatisfy(\.suppressed))
        #expect(report.group("cases_by_exploitation")?.cells.map { "\($0.value)=\($0.count ?? -1)" } == ["forced_labour=12"])
        #expect(report.csv.contains("cases_by_pathway,victim,12\n"))
        #expect(report.csv.contains(",<11\n"))
        #expect(report.json["groups"]?["cases_by_pathway"]?["victim"] == .int(12))
        #expect(report.medianDaysIdentificationToReturn == nil)
        // Internally (k = 1) every cell shows.
        let unsuppressed = try await w.reporting.figures("TH", from: day("2026-03-01"), to: day("2026-03-31"), k: 1)
        #expect(unsuppressed.group("cases_by_pathway")?.cells.map(\.count).compactMap { $0 }.reduce(0, +) == 15)
        #expect(try await w.reporting.figures("LA", from: day("2026-03-01"), to: day("2026-03-31")).groups.isEmpty)
        await w.stop()
    }

    @Test("a case in HTCDS v2.0 shape")
    func htcdsExport() async throws {
        let w = try await World()
        let c = try await w.openCase()
        try await w.identification.screen(w.forcedLabour(c), identifiedBy: .police, actor: w.actor)
        let export = try await w.reporting.htcds(c.id)
        #expect(export["prs_FirstName"] == .string("Khamla"))
        #expect(export["prs_Birthdate"] == .string("1998-05-01"))
        #expect(export["prs_Citizenship"] == .string("LA"))
        #expect(export["vic_TraffickingStatus"] == .string("PossibleVictimOfTrafficking"))
        #expect(export["vic_TraffickingStatusDecisionMakingOrg"] == .string("Police"))
        #expect(export["vic_TypeOfExploitation"] == .string("ForcedLabour"))
        #expect(export["cas_Status"] == .string("Active"))
        #expect(export.objectValue?.keys.allSatisfy { $0.hasPrefix("prs_") || $0.hasPrefix("vic_") || $0.hasPrefix("cas_") || $0.hasPrefix("con_") } == true)
        await w.stop()
    }
}
