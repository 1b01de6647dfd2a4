import GloJSON
import LuaVM
import Testing

@Suite("Values cross between Swift and Lua unchanged")
struct MarshalingTests {
    static let echo = """
        return {
          echo = function(facts) return facts.value end,
          types = function(facts)
            local out = {}
            for k, v in pairs(facts) do out[k] = math.type(v) or type(v) end
            return out
          end,
          length = function(facts) return #facts.value end,
          whole = function(facts) return { v = facts } end,
        }
        """

    static let roundTrips: [JSONValue] = [
        "plain", "ພາສາລາວ ແລະ ภาษาไทย", "emoji 🧭 and \"quotes\" \\ and\nnewlines\t\u{01}",
        .int(0), .int(-1), .int(Int64.max), .int(Int64.min),
        .double(0.1), .double(1.0), .double(-0.5), .double(1e300), .double(5e-324), .double(2.5e-8),
        .bool(true), .bool(false),
        [], [:], [1, 2, 3], ["a", ["b", ["c", []]]],
        ["nested": ["deeper": ["list": [1, 2.5, "x", true]]], "empty": [:], "none": []],
    ]

    @Test(arguments: roundTrips)
    func valueComesBackUnchanged(_ value: JSONValue) throws {
        let sandbox = try sandbox(module: Self.echo)
        #expect(try sandbox.call("echo", ["value": value]) == value)
    }

    /// Found by the JSON fuzzer (Tests/Fuzz/fuzz_json.c): the facts a rule is given are a read-only
    /// view, which a plain walk of its keys sees empty; returned whole, they were written as [].
    @Test func theFactsReturnedWholeAreWrittenWhole() throws {
        let sandbox = try sandbox(module: Self.echo)
        let facts: JSONValue = ["age": 17, "acts": ["recruitment"], "migration": ["entry": "irregular"]]
        #expect(try sandbox.call("whole", facts) == ["v": facts])
    }

    @Test func integersStayIntegersAndFloatsStayFloats() throws {
        let sandbox = try sandbox(module: Self.echo)
        let types = try sandbox.call("types", ["i": 18, "f": 18.0, "big": .double(9.3e18), "s": "18", "b": true])
        #expect(types == ["i": "integer", "f": "float", "big": "float", "s": "string", "b": "boolean"])
    }

    @Test func integerTooBigForInt64BecomesAFloat() throws {
        let sandbox = try sandbox(module: Self.echo)
        let facts = try JSONParser.parse(#"{"value": 9223372036854775808}"#)
        #expect(try sandbox.call("echo", facts) == .double(9223372036854775808.0))
    }

    @Test func nullIsAbsent() throws {
        let sandbox = try sandbox(module: """
            return { f = function(facts) return { gone = facts.gone == nil, n = #facts.list, second = facts.list[2] == nil } end }
            """)
        let facts = try JSONParser.parse(#"{"gone": null, "list": [1, null, 3]}"#)
        #expect(try sandbox.call("f", facts) == ["gone": true, "n": 3, "second": true])
    }

    @Test func arraysAreSequencesFromOne() throws {
        let sandbox = try sandbox(module: Self.echo)
        #expect(try sandbox.call("length", ["value": ["a", "b", "c"]]) == .int(3))
    }

    @Test func tableWithKeysOneToNIsAnArrayAnythingElseAnObject() throws {
        let sandbox = try LuaSandbox()
        #expect(try sandbox.run("return {10, 20, 30}") == [10, 20, 30])
        #expect(try sandbox.run("return {[1] = 'a', [2] = 'b'}") == ["a", "b"])
        #expect(try sandbox.run("return {a = 1, b = {}}") == ["a": 1, "b": []])
        #expect(try sandbox.run("return {}") == [])
        #expect(sandbox.failure { try $0.run("return {[1] = 'a', [3] = 'c'}") }?.kind == .marshal)
        #expect(sandbox.failure { try $0.run("return {1, 2, x = 3}") }?.kind == .marshal)
    }

    @Test func badValuesAreErrorsNotCrashes() throws {
        let sandbox = try LuaSandbox()
        for code in ["local t = {} t[1] = t return t", "return { print }", "return { x = 0/0 }", "return { [2.5] = 1 }"] {
            #expect(sandbox.failure { try $0.run(code) }?.kind == .marshal, "\(code)")
        }
        #expect(try sandbox.stillUsable())
    }

    @Test func malformedFactsAreMarshalErrors() throws {
        let sandbox = try sandbox(module: Self.echo)
        let function = try #require(try sandbox.lookup(module: "m", key: "echo", searchPath: ["t"]))
        for text in [#"{"value": }"#, "[1, 2]", "42", #"{"a": 1"#, "not json"] {
            let error = sandbox.failure { s in
                _ = try Array(text.utf8).withUnsafeBytes { facts in
                    try s.callJSON(function, facts: facts, context: Array(#"{}"#.utf8), trackReads: false) { _, _ in 0 }
                }
            }
            #expect(error?.kind == .marshal, "\(text)")
        }
    }

    @Test func sharedSubtablesAreNotCycles() throws {
        let sandbox = try LuaSandbox()
        #expect(try sandbox.run("local s = {1} return { a = s, b = s }") == ["a": [1], "b": [1]])
    }
}

@Suite("Modules, require and read tracking")
struct ModuleTests {
    func packs() throws -> LuaSandbox {
        let sandbox = try LuaSandbox()
        try sandbox.addModule("intl/identification", searchPath: ["intl"], source: """
            local util = require("util")
            return {
              pathway = function(facts) return { outcome = util.child(facts) and "child" or "adult", from = "intl" } end,
              other = function() return "intl other" end,
            }
            """, chunkName: "intl/identification.lua")
        try sandbox.addModule("intl/util", searchPath: ["intl"], source: """
            return { child = function(facts) return facts.age ~= nil and facts.age < 18 end }
            """, chunkName: "intl/util.lua")
        try sandbox.addModule("TH/identification", searchPath: ["TH", "intl"], source: """
            local parent = require("intl/identification")
            return {
              pathway = function(facts, ctx)
                local r = parent.pathway(facts, ctx)
                r.from = "TH over " .. r.from
                return r
              end,
            }
            """, chunkName: "TH/identification.lua")
        try sandbox.addModule("TH/sneaky", searchPath: ["TH", "intl"], source: """
            return { os = function() return require("os") end, la = function() return require("LA/legal_aid") end,
                     mutate = function() local m = require("util"); m.child = nil end }
            """, chunkName: "TH/sneaky.lua")
        return sandbox
    }

    @Test func childOverridesAndCallsItsParent() throws {
        let sandbox = try packs()
        let function = try #require(try sandbox.lookup(module: "identification", key: "pathway", searchPath: ["TH", "intl"]))
        #expect(function.definedIn == "TH")
        let result = try sandbox.call(function, facts: ["age": 15], context: [:]).result
        #expect(result == ["outcome": "child", "from": "TH over intl"])
    }

    @Test func childInheritsWhatItDoesNotOverride() throws {
        let sandbox = try packs()
        let function = try #require(try sandbox.lookup(module: "identification", key: "other", searchPath: ["TH", "intl"]))
        #expect(function.definedIn == "intl")
        #expect(try sandbox.lookup(module: "identification", key: "absent", searchPath: ["TH", "intl"]) == nil)
    }

    @Test func requireReachesOnlyThePackAndItsParents() throws {
        let sandbox = try packs()
        for key in ["os", "la"] {
            let function = try #require(try sandbox.lookup(module: "sneaky", key: key, searchPath: ["TH", "intl"]))
            let error = sandbox.failure { _ = try $0.call(function, facts: [:], context: [:]) }
            #expect(error?.kind == .runtime)
            #expect(error?.message.contains("not found") == true, "\(error?.message ?? "")")
            #expect(error?.location == "TH/sneaky.lua:1")
        }
        let mutate = try #require(try sandbox.lookup(module: "sneaky", key: "mutate", searchPath: ["TH", "intl"]))
        #expect(sandbox.failure { _ = try $0.call(mutate, facts: [:], context: [:]) }?.message.contains("read-only") == true)
    }

    @Test func contextIsReadOnlyAllTheWayDown() throws {
        let sandbox = try sandbox(module: """
            return {
              write = function(facts, ctx) ctx.region.code = "XX" end,
              pairs = function(facts, ctx) for _, v in pairs(ctx) do if type(v) == "table" then v.code = "XX" end end end,
              read = function(facts, ctx) return ctx.region.code end,
            }
            """)
        let context: JSONValue = ["region": ["code": "TH"]]
        for key in ["write", "pairs"] {
            #expect(sandbox.failure { _ = try $0.call(key, context: context) }?.message.contains("read-only") == true, "\(key)")
        }
        #expect(try sandbox.call("read", context: context) == "TH")
    }

    @Test func requiredModulesAreReadOnlyAllTheWayDown() throws {
        let sandbox = try LuaSandbox()
        try sandbox.addModule("t/config", searchPath: ["t"], source: "return { limits = { age = 18 } }", chunkName: "t/config.lua")
        try sandbox.addModule("t/m", searchPath: ["t"], source: """
            return {
              nested = function() require("config").limits.age = 16 end,
              pairs = function() for _, v in pairs(require("config")) do v.age = 16 end end,
              read = function() return require("config").limits.age end,
            }
            """, chunkName: "t/m.lua")
        for key in ["nested", "pairs"] {
            #expect(sandbox.failure { _ = try $0.call(key) }?.message.contains("read-only") == true, "\(key)")
        }
        #expect(try sandbox.call("read") == .int(18))
    }

    @Test func aModuleThatFailedToLoadReportsItsOwnErrorAgain() throws {
        let sandbox = try LuaSandbox(limits: Hostile.testLimits)
        try sandbox.addModule("t/m", searchPath: ["t"], source: "while true do end\nreturn {}", chunkName: "t/m.lua")
        for _ in 1...2 {
            let error = sandbox.failure { _ = try $0.lookup(module: "m", key: "f", searchPath: ["t"]) }
            #expect(error?.kind == .instructionBudget, "\(String(describing: error))")
        }
    }

    @Test func readsAndMissingFactsAreTracked() throws {
        let sandbox = try sandbox(module: """
            return { f = function(facts)
              if facts.age and facts.age < 18 then return { outcome = "child" } end
              if facts.means == nil then return { outcome = "undetermined" } end
              return { outcome = "adult" }
            end }
            """)
        let function = try #require(try sandbox.lookup(module: "m", key: "f", searchPath: ["t"]))
        let (result, reads) = try sandbox.call(function, facts: ["age": 30, "acts": ["recruitment"]], context: [:], trackReads: true)
        #expect(result == ["outcome": "undetermined"])
        #expect(reads == FactReads(read: ["age", "means"], missing: ["means"]))
    }

    @Test func moduleSyntaxErrorNamesFileAndLine() throws {
        let sandbox = try LuaSandbox()
        try sandbox.addModule("TH/bad", searchPath: ["TH"], source: "return {\n  f = function() return 1 end\n  g = 2\n}",
                              chunkName: "TH/bad.lua")
        let error = sandbox.failure { _ = try $0.lookup(module: "bad", key: "f", searchPath: ["TH"]) }
        #expect(error?.kind == .syntax)
        #expect(error?.location == "TH/bad.lua:3")
    }

    @Test func moduleMustReturnATable() throws {
        let sandbox = try LuaSandbox()
        try sandbox.addModule("TH/bad", searchPath: ["TH"], source: "return 42", chunkName: "TH/bad.lua")
        let error = sandbox.failure { _ = try $0.lookup(module: "bad", key: "f", searchPath: ["TH"]) }
        #expect(error?.message.contains("must return a table") == true)
    }

    @Test func functionNamesSkipPrivateHelpers() throws {
        let sandbox = try sandbox(module: "return { b = function() end, a = function() end, _helper = function() end, value = 1 }")
        #expect(try sandbox.functionNames(inModule: "t/m") == ["a", "b"])
    }

    @Test func poolHandsEachStateToOneOwner() throws {
        let pool = LuaSandboxPool(capacity: 2) { () throws(LuaError) in try LuaSandbox() }
        let a = try pool.acquire()
        let b = try pool.acquire()
        #expect(a !== b)
        pool.release(a)
        let c = try pool.acquire()
        #expect(c === a)
        #expect(pool.count == 2)
        pool.release(b)
        pool.release(c)
    }
}
