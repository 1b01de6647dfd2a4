import GloJSON
import GloRules
import GloHTTP
import LuaVM
import Testing

@Suite("A rule's failure as API callers see it")
struct RuleProblemTests {
    @Test func theTracebackOfARuleErrorIsNotSentToCallers() {
        let error = RuleEvaluationError.rule(LuaError(
            kind: .runtime, message: "attempt to index a nil value (local 'list')", location: "TH/legal_aid.lua:25",
            traceback: ["TH/legal_aid.lua:25 in function 'first'", "TH/legal_aid.lua:40 in function 'legal_aid.eligibility'"]))
        let problem = Problem.from(error)
        #expect(problem.json["traceback"] == nil)
        #expect(!JSONWriter.string(problem.json).contains("in function"))
        #expect(problem.json["code"] == "runtime")
    }
}
