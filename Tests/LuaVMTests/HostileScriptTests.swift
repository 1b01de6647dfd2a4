import GloJSON
import LuaVM
import Testing

/// One hostile script, the exact kind of error it must end in, and the limits it runs under.
struct Hostile: CustomTestStringConvertible, Sendable {
    let name: String
    let code: String
    let kind: LuaError.Kind
    var limits: LuaLimits = Hostile.testLimits
    /// A piece the error message must contain.
    var message: String? = nil

    var testDescription: String { name }

    /// Small enough that every bomb trips quickly, large enough for honest code.
    static let testLimits = LuaLimits(instructions: 5_000_000, memoryBytes: 8 << 20,
                                      wallClock: .seconds(5), maxStringBytes: 1 << 20)
}

let hostileScripts: [Hostile] = [
    // Escapes: nothing outside the sandbox is reachable.
    Hostile(name: "os.execute", code: "return os.execute('id')", kind: .runtime, message: "global 'os'"),
    Hostile(name: "os.getenv", code: "return os.getenv('HOME')", kind: .runtime, message: "global 'os'"),
    Hostile(name: "io.open", code: "return io.open('/etc/passwd'):read('a')", kind: .runtime, message: "global 'io'"),
    Hostile(name: "io.write to stdout", code: "io.write('x')", kind: .runtime, message: "global 'io'"),
    Hostile(name: "load a string", code: "return load('return 1')()", kind: .runtime, message: "global 'load'"),
    Hostile(name: "loadstring", code: "return loadstring('return 1')()", kind: .runtime, message: "global 'loadstring'"),
    Hostile(name: "dofile", code: "return dofile('/etc/passwd')", kind: .runtime, message: "global 'dofile'"),
    Hostile(name: "loadfile", code: "return loadfile('/etc/passwd')", kind: .runtime, message: "global 'loadfile'"),
    Hostile(name: "require outside a module", code: "return require('os')", kind: .runtime, message: "global 'require'"),
    Hostile(name: "package.loadlib", code: "return package.loadlib('libc.so.6', 'system')", kind: .runtime, message: "global 'package'"),
    Hostile(name: "debug.getregistry", code: "return debug.getregistry()", kind: .runtime, message: "global 'debug'"),
    Hostile(name: "collectgarbage", code: "collectgarbage('stop')", kind: .runtime, message: "global 'collectgarbage'"),
    Hostile(name: "the string metatable", code: "getmetatable('').__index.upper = nil", kind: .runtime),
    Hostile(name: "setmetatable on the string metatable", code: "setmetatable(getmetatable(''), {})", kind: .runtime),
    Hostile(name: "__gc finaliser", code: "setmetatable({}, {__gc = function() while true do end end})", kind: .runtime, message: "__gc"),
    Hostile(name: "string.dump", code: "return string.dump(function() end)", kind: .runtime, message: "dump"),
    Hostile(name: "bytecode chunk", code: "\u{1B}Lua\u{54}\u{00}\u{19}\u{93}\r\n\u{1A}\n", kind: .syntax, message: "binary chunk"),
    Hostile(name: "a library is read-only", code: "string.upper = function() return 'pwned' end", kind: .runtime, message: "read-only"),
    Hostile(name: "rawset into a library", code: "rawset(math, 'floor', print)", kind: .runtime, message: "read-only"),
    Hostile(name: "replacing the environment's metatable", code: "setmetatable(_ENV, {})", kind: .runtime, message: "protected metatable"),
    Hostile(name: "_G is absent", code: "_G.os = {}", kind: .runtime, message: "global '_G'"),
    Hostile(name: "coroutine that yields forever",
            code: "local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end",
            kind: .runtime, message: "global 'coroutine'"),

    Hostile(name: "pairs on a library hands out only a view", code: "local _, S = pairs(string) S.upper = function() end", kind: .runtime, message: "read-only"),
    Hostile(name: "next through pairs yields no library table",
            code: "for k, v in pairs(string) do if type(v) == 'table' then v.x = 1 end end error('no table found')", kind: .runtime, message: "no table found"),

    // Runaway computation: budgets that the script cannot catch.
    Hostile(name: "__len makes table.insert loop in C",
            code: "local t = setmetatable({}, {__len = function() return math.maxinteger - 1 end}) table.insert(t, 1, 0)", kind: .instructionBudget),
    Hostile(name: "__len makes table.remove loop in C",
            code: "local t = setmetatable({}, {__len = function() return math.maxinteger - 1 end}) table.remove(t, 1)", kind: .instructionBudget),
    Hostile(name: "utf8.len over a big string in a loop",
            code: "local s = ('x'):rep(1 << 20) local n = 0 while true do n = n + utf8.len(s) end", kind: .instructionBudget),
    Hostile(name: "tonumber over a big string in a loop",
            code: "local s = ('1'):rep(1 << 20) while true do tonumber(s, 36) end", kind: .instructionBudget),
    Hostile(name: "table.move at the integer limits", code: "table.move({}, math.mininteger, math.maxinteger, 1)", kind: .instructionBudget),
    Hostile(name: "infinite loop", code: "while true do end", kind: .instructionBudget),
    Hostile(name: "infinite recursion", code: "local function f(n) return 1 + f(n + 1) end return f(1)", kind: .memory),
    Hostile(name: "infinite tail calls", code: "local function f(n) return f(n + 1) end return f(1)", kind: .instructionBudget),
    Hostile(name: "loop inside pcall", code: "local ok = pcall(function() while true do end end) return ok", kind: .instructionBudget),
    Hostile(name: "pcall in a loop", code: "while true do pcall(error, 'x') end", kind: .instructionBudget),
    Hostile(name: "xpcall with a looping handler",
            code: "xpcall(function() while true do end end, function() while true do end end)", kind: .instructionBudget),
    Hostile(name: "xpcall handler that loops on a plain error",
            code: "xpcall(function() error('x') end, function(m) while true do end end)", kind: .instructionBudget),
    Hostile(name: "retry the budget error", code: "for i = 1, 100 do pcall(function() while true do end end) end return 'escaped'",
            kind: .instructionBudget),
    Hostile(name: "__tostring that loops", code: "return tostring(setmetatable({}, {__tostring = function() while true do end end}))",
            kind: .instructionBudget),
    Hostile(name: "__index recursion", code: "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x",
            kind: .runtime, message: "stack overflow"),
    Hostile(name: "wall clock", code: "while true do end", kind: .time,
            limits: LuaLimits(instructions: 1 << 50, memoryBytes: 8 << 20, wallClock: .milliseconds(50), maxStringBytes: 1 << 20)),
    Hostile(name: "catastrophic pattern", code: "return string.find(string.rep('a', 5000), '(.-)(.-)(.-)(.-)(.-)b')", kind: .instructionBudget),
    Hostile(name: "catastrophic pattern in gsub", code: "return (string.rep('a', 3000)):gsub('(.-)(.-)(.-)b', 'x')", kind: .instructionBudget),
    Hostile(name: "catastrophic gmatch", code: "for a in string.rep('a', 3000):gmatch('(.-)(.-)(.-)(.-)b') do end", kind: .instructionBudget),
    Hostile(name: "table.move over a huge range", code: "table.move({}, 1, math.maxinteger // 2, 2)", kind: .instructionBudget),

    // Memory bombs.
    Hostile(name: "table bomb", code: "local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end", kind: .memory),
    Hostile(name: "string doubling", code: "local s = 'x' while true do s = s .. s end", kind: .memory),
    Hostile(name: "string.rep bomb", code: "return string.rep('x', 1 << 40)", kind: .memory),
    Hostile(name: "string.rep with a separator", code: "return ('x'):rep(1 << 20, ('y'):rep(1000))", kind: .memory),
    Hostile(name: "table.concat bomb",
            code: "local t = {} local s = ('x'):rep(1 << 19) for i = 1, 64 do t[i] = s end return #table.concat(t)", kind: .memory),
    Hostile(name: "gsub bomb", code: "return (('x'):rep(1 << 16)):gsub('x', ('y'):rep(1000))", kind: .memory),
    Hostile(name: "memory bomb inside pcall",
            code: "local ok = pcall(function() local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end end) return ok", kind: .memory),

    // Values that cannot come back.
    Hostile(name: "cyclic table", code: "local t = {} t.self = t return t", kind: .marshal, message: "cyclic"),
    Hostile(name: "a shared table written once per path", code: "local t = {1} for i = 1, 60 do t = {t, t} end return t", kind: .memory,
            message: "JSON encoding of a result"),
    Hostile(name: "function value", code: "return { f = print }", kind: .marshal, message: "function"),
    Hostile(name: "non-string key", code: "return { [true] = 1 }", kind: .marshal),
    Hostile(name: "error with a table", code: "error({ code = 1 })", kind: .runtime, message: "table value"),
]

@Suite("Hostile scripts end in the right error and leave the state usable")
struct HostileScriptTests {
    @Test(arguments: hostileScripts)
    func hostileScriptIsStopped(_ script: Hostile) throws {
        let sandbox = try LuaSandbox(limits: script.limits)
        let baseline = sandbox.memoryInUse
        // Twice: the second run proves the first left the state as able as before.
        for _ in 1...2 {
            let error = sandbox.failure { try $0.run(script.code, chunkName: "hostile.lua") }
            let failure = try #require(error, "\(script.name) was not stopped")
            #expect(failure.kind == script.kind, "\(script.name): \(failure)")
            if let piece = script.message {
                #expect(failure.message.contains(piece), "\(script.name): \(failure.message)")
            }
            #expect(try sandbox.stillUsable())
            #expect(sandbox.memoryInUse <= baseline + (1 << 20), "\(script.name) left \(sandbox.memoryInUse - baseline) bytes behind")
        }
    }

    @Test func limitErrorsCarryTheLineTheyStoppedAt() throws {
        let sandbox = try LuaSandbox(limits: Hostile.testLimits)
        let loop = sandbox.failure { try $0.run("local x = 1\n\nwhile true do x = x + 1 end", chunkName: "TH/loop.lua") }
        #expect(loop?.location == "TH/loop.lua:3")
        let bomb = sandbox.failure { try $0.run("local t = {}\nfor i = 1, 1e9 do\n  t[i] = {}\nend", chunkName: "TH/bomb.lua") }
        #expect(bomb?.kind == .memory)
        #expect(bomb?.location == "TH/bomb.lua:3")
    }

    @Test func runtimeErrorsNameFileAndLine() throws {
        let sandbox = try LuaSandbox()
        let error = sandbox.failure { try $0.run("local a = nil\nreturn a.b", chunkName: "LA/legal_aid.lua") }
        #expect(error?.kind == .runtime)
        #expect(error?.location == "LA/legal_aid.lua:2")
        #expect(error?.message.contains("attempt to index a nil value") == true)
    }

    @Test func syntaxErrorsNameFileAndLine() throws {
        let sandbox = try LuaSandbox()
        let error = sandbox.failure { try $0.run("local x = 1\nreturn x +", chunkName: "TH/broken.lua") }
        #expect(error?.kind == .syntax)
        #expect(error?.location == "TH/broken.lua:2")
    }

    @Test func globalsWrittenInOneCallAreGoneInTheNext() throws {
        let sandbox = try sandbox(module: """
            counter = 0
            return {
              write = function() leaked = "secret"; counter = counter + 1; rawset(_ENV, "raw", 1); return counter end,
              read = function() return { leaked = leaked or "none", raw = raw or "none", counter = counter } end,
            }
            """)
        #expect(try sandbox.call("write") == .int(1))
        #expect(try sandbox.call("write") == .int(1), "a global assignment persisted between calls")
        #expect(try sandbox.call("read") == ["leaked": "none", "raw": "none", "counter": 0])
    }

    @Test func factsAndContextAreReadOnly() throws {
        let sandbox = try sandbox(module: """
            return {
              facts = function(facts) facts.age = 99 end,
              ctx = function(facts, ctx) ctx.date = "1900-01-01" end,
              rawctx = function(facts, ctx) rawset(ctx, "x", 1) end,
              date = function(facts, ctx) return ctx.date end,
            }
            """)
        for tracked in [true, false] {
            #expect(sandbox.failure { _ = try $0.call("facts", ["age": 10], trackReads: tracked) }?.message.contains("read-only") == true)
        }
        #expect(sandbox.failure { _ = try $0.call("ctx") }?.message.contains("read-only") == true)
        #expect(sandbox.failure { _ = try $0.call("rawctx") }?.message.contains("read-only") == true)
        #expect(try sandbox.call("date") == "2026-01-01")
    }

    @Test func printGoesToDiagnosticsNotStdout() throws {
        let sandbox = try LuaSandbox()
        try sandbox.run("print('hello', 42)")
        #expect(sandbox.diagnostics == "hello\t42\n")
    }

    @Test func randomIsTheSameOnEveryCall() throws {
        let sandbox = try LuaSandbox()
        let first = try sandbox.run("return { math.random(1, 1000000), math.random() }")
        let second = try sandbox.run("return { math.random(1, 1000000), math.random() }")
        #expect(first == second)
    }

    @Test func limitsCanBeLoweredNotRaised() throws {
        let sandbox = try LuaSandbox(limits: Hostile.testLimits)
        sandbox.setLimits(LuaLimits(instructions: 1 << 60, memoryBytes: 1 << 40, wallClock: .seconds(3600), maxStringBytes: 1 << 40))
        #expect(sandbox.limits == Hostile.testLimits)
        sandbox.setLimits(LuaLimits(instructions: 10_000, memoryBytes: 8 << 20, wallClock: .seconds(5), maxStringBytes: 1 << 20))
        let error = sandbox.failure { try $0.run("for i = 1, 100000 do end") }
        #expect(error?.kind == .instructionBudget)
        #expect(error?.message == "instruction budget of 10000 exhausted")
    }
}
