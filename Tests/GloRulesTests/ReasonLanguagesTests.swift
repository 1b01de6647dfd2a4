import GloJSON
@testable import GloRules
import Testing

/// A pack gives its reasons in the languages it declares; English stays every reason's text for the
/// tools and the fallback a reader sees, marked as such.
@Suite("Reasons in several languages")
struct ReasonLanguagesTests {
    let date = CalendarDate("2026-01-01")!

    func world(languages: String, reasons: String) -> [String: String] {
        smallWorld.merging([
            "intl/pack.yaml": "id: intl\nname: Baseline\nversion: '1'\nlanguages: \(languages)\noutcomes:\n  identification.pathway: [child, adult]\n",
            "intl/identification.lua": "return { pathway = function() return { outcome = 'child', reasons = \(reasons), basis = { 'x' } } end }\n",
            "intl/tests/identification.yaml": "decision: identification.pathway\ncases:\n  - name: a child\n    facts: {}\n    expect: { outcome: child }\n",
        ]) { $1 }
    }

    @Test("a reason given in English and Lao: English in reasons, Lao aligned beside it, the reader sees hers or English marked")
    func englishAndLao() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(world(
            languages: "[en, lo]", reasons: "{ 'plain', { en = 'a child', lo = 'ເດັກ' } }")), statesPerPack: 1)
        let result = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: [:], at: date)
        #expect(result.reasons == ["plain", "a child"])
        #expect(result.value["reasons_by_language"] == ["lo": ["", "ເດັກ"]])
        #expect(ReasonLanguages.reasons(of: result.value, in: "lo") == [
            .init(text: "plain", language: "en", isFallback: true), .init(text: "ເດັກ", language: "lo", isFallback: false)])
        #expect(ReasonLanguages.reasons(of: result.value, in: "th").allSatisfy { $0.isFallback && $0.language == "en" })
        #expect(ReasonLanguages.reasons(of: result.value, in: "en").allSatisfy { !$0.isFallback })
        #expect(engine.runTests().failed == 0)
    }

    @Test("plain reasons are left as they are, with no reasons_by_language")
    func plain() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(world(languages: "[en]", reasons: "{ 'a', 'b' }")), statesPerPack: 1)
        let result = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: [:], at: date)
        #expect(result.reasons == ["a", "b"])
        #expect(result.value["reasons_by_language"] == nil)
    }

    @Test("a reason without English, a language code that is not one, or a result setting reasons_by_language itself is the rule's error")
    func refused() throws {
        for (reasons, message) in [
            ("{ { lo = 'ເດັກ' } }", "reason 1 is given in several languages but not in English (en)"),
            ("{ { en = 'a', [3] = 'x' } }", "reason 1 must map language codes"),
            ("{ 42 }", "reason 1 must be a text, or a table of texts by language"),
        ] {
            let engine = try RuleEngine(directory: try rulesDirectory(world(languages: "[en, lo]", reasons: reasons)), statesPerPack: 1)
            do {
                _ = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: [:], at: date)
                Issue.record("\(reasons) gave a result")
            } catch {
                #expect(error.code == "invalid_result")
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        let engine = try RuleEngine(directory: try rulesDirectory(smallWorld.merging([
            "intl/identification.lua": "return { pathway = function() return { outcome = 'child', reasons = {}, basis = {}, reasons_by_language = {} } end }\n",
        ]) { $1 }), statesPerPack: 1)
        #expect(throws: RuleEvaluationError.self) { _ = try engine.decide(jurisdiction: "intl", decision: "identification.pathway", facts: [:], at: date) }
    }

    @Test("a reason in a language the pack does not declare fails its test, naming the language and the fix")
    func undeclaredLanguage() throws {
        let engine = try RuleEngine(directory: try rulesDirectory(world(
            languages: "[en]", reasons: "{ { en = 'a child', th = 'เด็ก' } }")), statesPerPack: 1)
        let failure = try #require(engine.runTests().failures.first)
        #expect(failure.meaning == ["a reason is given in 'th', which the pack does not declare: add it to its pack.yaml (languages: [en, th])"])
    }
}
