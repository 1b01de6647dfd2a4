import GloJSON
@testable import GloRules
import Testing

@Suite("The date library in a pack")
struct DateLibraryPackTests {
    let world: [String: String] = [
        "intl/pack.yaml": "id: intl\nname: Baseline\nversion: '1'\noutcomes:\n  dates.count: [counted]\n  dates.odd: [counted]\n",
        "intl/dates.lua": """
            return {
              count = function(facts, ctx)
                local due = date.add_days(ctx.date, 15)
                return { outcome = "counted", due = due, left = date.days_between(ctx.date, due), reasons = {}, basis = {} }
              end,
              odd = function(facts, ctx)
                return { outcome = "counted", due = date.add_days(ctx.date, 1.5), reasons = {}, basis = {} }
              end,
            }
            """,
    ]

    @Test func aDecisionCountsFromCtxDate() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(world), statesPerPack: 1)
        let result = try engine.decide(jurisdiction: "intl", decision: "dates.count", facts: [:], at: CalendarDate("2026-03-02")!)
        #expect(result.value["due"] == "2026-03-17")
        #expect(result.value["left"] == 15)
        let later = try engine.decide(jurisdiction: "intl", decision: "dates.count", facts: [:], at: CalendarDate("2026-12-20")!)
        #expect(later.value["due"] == "2027-01-04")
    }

    @Test func aBadArgumentIsARuntimeErrorAtThePacksFileAndLine() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(world), statesPerPack: 1)
        do {
            _ = try engine.decide(jurisdiction: "intl", decision: "dates.odd", facts: [:], at: CalendarDate("2026-03-02")!)
            Issue.record("a fractional count was accepted")
        } catch {
            #expect(error.code == "runtime")
            #expect(error.location == "intl/dates.lua:7", "\(error)")
            #expect(error.message.contains("date.add_days: argument 2 must be a whole number of days"), "\(error.message)")
        }
        // The engine goes on deciding.
        #expect(try engine.decide(jurisdiction: "intl", decision: "dates.count", facts: [:], at: CalendarDate("2026-03-02")!).outcome == "counted")
    }
}
