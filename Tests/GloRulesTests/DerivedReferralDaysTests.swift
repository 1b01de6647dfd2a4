import GloJSON
@testable import GloRules
import Testing

@Suite("days_since_referral is derived from referred_on at the date the law is applied")
struct DerivedReferralDaysTests {
    let world: [String: String] = [
        "intl/pack.yaml": "id: intl\nname: Baseline\nversion: '1'\noutcomes:\n  referral.days: [counted, not_referred]\n",
        "intl/referral.lua": """
            return {
              days = function(facts, ctx)
                if facts.days_since_referral == nil then return { outcome = "not_referred", reasons = {}, basis = {} } end
                return { outcome = "counted", days = facts.days_since_referral, reasons = {}, basis = {} }
              end,
            }
            """,
    ]

    func decide(_ facts: JSONValue, at date: String) throws -> RuleResult {
        let engine = try RuleEngine(directory: try rulesDirectory(world), statesPerPack: 1)
        return try engine.decide(jurisdiction: "intl", decision: "referral.days", facts: facts, at: CalendarDate(date)!)
    }

    @Test func theDaysFromTheReferralToTheDateApplied() throws {
        #expect(try decide(["referred_on": "2026-03-02"], at: "2026-03-10").value["days"] == 8)
        #expect(try decide(["referred_on": "2026-03-02"], at: "2026-03-02").value["days"] == 0)
        #expect(try decide(["referred_on": "2025-12-31"], at: "2026-03-01").value["days"] == 60)
    }

    @Test func aReferralAfterTheDateAppliedIsNoReferralYet() throws {
        #expect(try decide(["referred_on": "2026-03-11"], at: "2026-03-10").outcome == "not_referred")
    }

    @Test func daysGivenDirectlyWin() throws {
        #expect(try decide(["referred_on": "2026-03-02", "days_since_referral": 3], at: "2026-03-10").value["days"] == 3)
        #expect(try decide(["days_since_referral": 3], at: "2026-03-10").value["days"] == 3)
    }

    @Test func aReferralDateThatIsNoDateIsRefusedBeforeAnyRule() throws {
        do {
            _ = try decide(["referred_on": "2026-02-30"], at: "2026-03-10")
            Issue.record("a date that does not exist was accepted")
        } catch let error as RuleEvaluationError {
            #expect(error.code == "invalid_facts")
            #expect(error.message.contains("referred_on") && !error.message.contains("2026-02-30"), "\(error.message)")
        }
    }
}
