import GloJSON
import LuaVM
import Testing

/// Two packs' modules in one sandbox, as the host loads a chain: `base/m` and `child/m`, whose
/// `require("base/m")` reaches the parent.
func twoPacks(base: String, child: String, limits: LuaLimits = Hostile.testLimits) throws -> LuaSandbox {
    let sandbox = try LuaSandbox(limits: limits)
    try sandbox.addModule("base/m", searchPath: ["base"], source: base, chunkName: "base/m.lua")
    try sandbox.addModule("child/m", searchPath: ["child", "base"], source: child, chunkName: "child/m.lua")
    return sandbox
}

extension LuaSandbox {
    /// Calls `key` of the child's module `m` (inherited from the base when the child lacks it).
    func callChild(_ key: String, _ facts: JSONValue = [:], trace: Bool = false) throws -> JSONValue {
        let function = try #require(try lookup(module: "m", key: key, searchPath: ["child", "base"]))
        return try call(function, facts: facts, context: ["date": "2026-01-01"], trackReads: true, trace: trace).result
    }
}

@Suite("What a rule's author sees: print, tracebacks and traces")
struct AuthorDiagnosticsTests {
    // MARK: print

    @Test func printIsKeptForTheCallAndGoneAtTheNext() throws {
        let sandbox = try sandbox(module: """
            return {
              noisy = function(facts) print("age", facts.age, nil) return 1 end,
              quiet = function() return 2 end,
            }
            """)
        _ = try sandbox.call("noisy", ["age": 16])
        #expect(sandbox.diagnostics == "age\t16\tnil\n")
        _ = try sandbox.call("quiet")
        #expect(sandbox.diagnostics == "")
    }

    @Test func whatARulePrintedBeforeFailingIsKept() throws {
        let sandbox = try sandbox(module: "return { f = function() print('before') error('boom') end }")
        let error = sandbox.failure { _ = try $0.call("f") }
        #expect(error?.message == "boom")
        #expect(sandbox.diagnostics == "before\n")
    }

    @Test func printInALoopIsCutWithAMarkerAndEndsAtTheBudget() throws {
        let sandbox = try sandbox(module: "return {\n  f = function()\n    while true do print(('x'):rep(100)) end\n  end,\n}\n",
                                  limits: Hostile.testLimits)
        let error = sandbox.failure { _ = try $0.call("f") }
        #expect(error?.kind == .instructionBudget)
        #expect(error?.location == "t/m.lua:3")
        let printed = sandbox.diagnostics
        #expect(printed.utf8.count <= 64 * 1024 + 320)
        #expect(printed.hasSuffix("\n[print: output over 65536 bytes dropped, from t/m.lua:3 on]\n"), "\(printed.suffix(120))")
        #expect(try sandbox.stillUsable())
    }

    @Test func printIsChargedToTheInstructionBudget() throws {
        // 200 prints of 64 KiB cost 200 * 1024 steps: over a budget of 100,000, though the loop
        // itself runs a few thousand instructions.
        let limits = LuaLimits(instructions: 100_000, memoryBytes: 8 << 20, wallClock: .seconds(5), maxStringBytes: 1 << 20)
        let sandbox = try sandbox(module: "return { f = function() local s = ('x'):rep(65536) for i = 1, 200 do print(s) end end }", limits: limits)
        #expect(sandbox.failure { _ = try $0.call("f") }?.kind == .instructionBudget)
    }

    @Test func printOutputCountsAgainstTheMemoryCap() throws {
        let sandbox = try sandbox(module: "return { f = function() print('x') return 1 end }")
        let before = sandbox.memoryInUse
        _ = try sandbox.call("f")
        #expect(sandbox.memoryInUse >= before + 64 * 1024)
    }

    // MARK: tracebacks

    @Test func aRuntimeErrorKeepsLuasOwnMessage() throws {
        let sandbox = try sandbox(module: "local function first(list)\n  return list[1]\nend\nreturn { f = function(facts) local x = first(facts.acts) return x end }\n")
        let error = try #require(sandbox.failure { _ = try $0.call("f") })
        #expect(error.message == "attempt to index a nil value (local 'list')")
        #expect(error.location == "t/m.lua:2")
    }

    @Test func aTracebackNamesEachPackFrameInnermostFirst() throws {
        let sandbox = try twoPacks(
            base: """
                local function first(list)
                  return list[1]
                end
                return {
                  pathway = function(facts, ctx)
                    local a = first(facts.acts)
                    return { outcome = a }
                  end,
                }
                """,
            child: """
                local base = require("base/m")
                return {
                  eligibility = function(facts, ctx)
                    local p = base.pathway(facts, ctx)
                    return { outcome = p.outcome }
                  end,
                }
                """)
        let error = try #require(sandbox.failure { _ = try $0.callChild("eligibility") })
        #expect(error.traceback == [
            "base/m.lua:2 in function 'first'",
            "base/m.lua:6 in function 'm.pathway'",
            "child/m.lua:4 in function 'm.eligibility'",
        ])
        #expect(error.description.hasSuffix(
            "(traceback: base/m.lua:2 in function 'first' <- base/m.lua:6 in function 'm.pathway' <- child/m.lua:4 in function 'm.eligibility')"))
    }

    @Test func aTracebackLeavesOutTheHostsHooksAndC() throws {
        let sandbox = try sandbox(module: "return { f = function() return { outcome = 1 } end, g = function() return string.rep() end }")
        try sandbox.setHostHooks("return { after = function(result) error('glo: checked by the host', 0) end }")
        #expect(sandbox.failure { _ = try $0.call("f") }?.traceback == [])
        // string.rep is C: the frame shown is the rule's line that called it.
        #expect(sandbox.failure { _ = try $0.call("g") }?.traceback == ["t/m.lua:1 in function 'm.g'"])
    }

    @Test func aTracebackOfADeepRecursionIsCapped() throws {
        let sandbox = try sandbox(module: """
            local function down(n) if n == 0 then error("bottom") end return 1 + down(n - 1) end
            return { f = function() local r = down(500) return r end, g = function() local r = down(100000) return r end }
            """, limits: LuaLimits(instructions: 50_000_000, memoryBytes: 64 << 20, wallClock: .seconds(5), maxStringBytes: 1 << 20))
        let error = try #require(sandbox.failure { _ = try $0.call("f") })
        #expect(error.traceback.count == 10 + 1 + 3)
        // down(0)...down(9) shown, down(10)...down(498) skipped, then down(499), down(500) and f.
        #expect(error.traceback[10] == "... 489 more levels")
        #expect(error.traceback.last == "t/m.lua:2 in function 'm.f'")
        #expect(error.traceback.dropLast().allSatisfy { $0.hasPrefix("t/m.lua:1 in function 'down'") || $0.hasPrefix("...") })
        // Deeper than the search for the outermost frames goes: the innermost ten only.
        let clock = ContinuousClock()
        let start = clock.now
        let deep = try #require(sandbox.failure { _ = try $0.call("g") })
        #expect(clock.now - start < .seconds(2))
        #expect(deep.traceback.count == 11)
        #expect(deep.traceback.last == "... over 1000 more levels")
        #expect(try sandbox.stillUsable())
    }

    @Test func aLimitCarriesTheTracebackWhereItTripped() throws {
        let sandbox = try sandbox(module: "local function spin() while true do end end\nreturn { f = function() spin() return 1 end }\n")
        let error = try #require(sandbox.failure { _ = try $0.call("f") })
        #expect(error.kind == .instructionBudget)
        #expect(error.traceback == ["t/m.lua:1 in function 'spin'", "t/m.lua:2 in function 'm.f'"])
    }

    // MARK: traces

    static let base = """
        local M = {}
        function M.pathway(facts, ctx)
          if facts.age == nil then
            return { outcome = "undetermined" }
          end
          return { outcome = facts.age < 18 and "child" or "adult" }
        end
        return M
        """

    static let child = """
        local base = require("base/m")
        return {
          eligibility = function(facts, ctx)
            local p = base.pathway(facts, ctx)
            p.changed_by_the_caller = true
            local means = facts.means
            return { outcome = p.outcome == "child" and "eligible" or "not_eligible" }
          end,
          relay = function(facts, ctx) return base.pathway(facts, ctx) end,
        }
        """

    @Test func aTraceShowsEachDecisionItsResultLineAndReads() throws {
        let sandbox = try twoPacks(base: Self.base, child: Self.child)
        #expect(try sandbox.callChild("eligibility", ["age": 10], trace: true) == ["outcome": "eligible"])
        let trace = try #require(sandbox.trace)
        #expect(trace["decision"] == "m.eligibility")
        #expect(trace["pack"] == "child")
        #expect(trace["file"] == "child/m.lua")
        #expect(trace["line"] == 7)
        #expect(trace["result"] == ["outcome": "eligible"])
        #expect(trace["facts_read"] == ["means"])
        #expect(trace["facts_missing"] == ["means"])
        let called = try #require(trace["calls"]?.arrayValue)
        #expect(called.count == 1)
        // As the parent returned it: the caller's later change does not show.
        #expect(called[0]["result"] == ["outcome": "child"])
        #expect(called[0]["pack"] == "base")
        #expect(called[0]["line"] == 6)
        #expect(called[0]["facts_read"] == ["age"])
        #expect(called[0]["calls"] == [])
    }

    @Test func aTailCallKeepsTheLineItWasMadeFrom() throws {
        let sandbox = try twoPacks(base: Self.base, child: Self.child)
        _ = try sandbox.callChild("relay", [:], trace: true)
        let trace = try #require(sandbox.trace)
        #expect(trace["line"] == 9)
        #expect(trace["result"] == ["outcome": "undetermined"])
        let relayed = try #require(trace["calls"]?.arrayValue?.first)
        #expect(relayed["tail_call"] == true)
        #expect(relayed["line"] == 4)
    }

    @Test func noTraceUnlessAsked() throws {
        let sandbox = try twoPacks(base: Self.base, child: Self.child)
        _ = try sandbox.callChild("eligibility", ["age": 10], trace: true)
        _ = try sandbox.callChild("eligibility", ["age": 10])
        #expect(sandbox.trace == nil)
    }

    @Test func tracingChangesNothingARuleSeesOrReturns() throws {
        let child = """
            local base = require("base/m")
            local pathway = base.pathway
            return {
              look = function(facts, ctx)
                local seen = {}
                for k in pairs(base) do seen[#seen + 1] = k end
                table.sort(seen)
                local ok, message = pcall(function() base.pathway = nil end)
                return { outcome = "x", same = rawequal(pathway, base.pathway), seen = seen,
                         refused = not ok and message:find("read-only", 1, true) ~= nil, env = getmetatable(_ENV) == false,
                         random = math.random(1, 1000000) }
              end,
            }
            """
        let sandbox = try twoPacks(base: Self.base, child: child)
        let untraced = try sandbox.callChild("look", ["age": 3])
        let traced = try sandbox.callChild("look", ["age": 3], trace: true)
        #expect(traced == untraced)
        #expect(traced["same"] == true)
        #expect(traced["refused"] == true)
        #expect(try sandbox.callChild("look", ["age": 3]) == untraced)
    }

    @Test func aTraceIsBoundedAndNeverFailsTheCall() throws {
        let base = """
            local M = {}
            function M.count(facts, ctx, n)
              n = n or 0
              if n >= 3000 then return { outcome = "deep" } end
              local r = M.count(facts, ctx, n + 1)
              return r
            end
            function M.closure(facts, ctx) return { outcome = "odd", f = print } end
            function M.fails(facts, ctx) error("caught") end
            return M
            """
        let child = """
            local base = require("base/m")
            return {
              deep = function(facts, ctx) return base.count(facts, ctx) end,
              many = function(facts, ctx)
                for i = 1, 1000 do base.closure(facts, ctx) end
                local ok = pcall(base.fails, facts, ctx)
                return { outcome = ok and "no" or "caught" }
              end,
            }
            """
        let sandbox = try twoPacks(base: base, child: child)
        #expect(try sandbox.callChild("deep", trace: true) == ["outcome": "deep"])
        var trace = try #require(sandbox.trace)
        var nesting = 0
        var step: JSONValue? = trace
        while let next = step?["calls"]?.arrayValue?.first { nesting += 1; step = next }
        #expect(nesting == 31, "steps nest at most 32 deep")
        #expect(trace["untraced_calls"] == .int(3001 + 1 - 32), "3001 calls of count and the root, 32 traced")

        #expect(try sandbox.callChild("many", trace: true) == ["outcome": "caught"])
        trace = try #require(sandbox.trace)
        let calls = try #require(trace["calls"]?.arrayValue)
        #expect(calls.count == 199, "200 steps, the root included")
        #expect(calls[0]["result_error"]?.stringValue?.contains("cannot encode a function") == true)
        #expect(trace["untraced_calls"] == .int(1000 + 1 - 199))
        #expect(try sandbox.stillUsable())
    }

    @Test func aStepEndedByACaughtErrorIsMarkedRaised() throws {
        let base = "return { fails = function(facts, ctx)\n  error('no')\nend }\n"
        let child = """
            local base = require("base/m")
            return { f = function(facts, ctx) local ok = pcall(base.fails, facts, ctx) return { outcome = tostring(ok) } end }
            """
        let sandbox = try twoPacks(base: base, child: child)
        #expect(try sandbox.callChild("f", trace: true) == ["outcome": "false"])
        let step = try #require(sandbox.trace?["calls"]?.arrayValue?.first)
        #expect(step["raised"] == true)
        #expect(step["line"] == 2)
        #expect(step.objectValue?.keys.contains("result") == false)
    }
}
