// The Lua runtime against its floor, measured in the same run (figures as ratios, since these
// machines are noisy):
// - one decision call with a 20-field facts object: LuaVM (Swift values in and out), LuaVM's JSON
//   path (what `rules eval` uses), and the C floor (the same call straight on the Lua C API, the
//   facts table built per call);
// - creating a sandboxed state (time, and the bytes it holds);
// - the budget hook on a loop-heavy rule: the same loop with and without the hook, and in LuaVM;
// - the per-call environment: a rule that writes a global against one that does not.
import Benchmark
import CLuaFloor
import Foundation
import GloJSON
import LuaVM

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let identification = try! String(contentsOf: root.appendingPathComponent("Config/jurisdictions/intl/identification.lua"), encoding: .utf8)

let facts: JSONValue = [
    "case_ref": "TH-0000042", "age": 24, "citizenship": ["LA"], "origin": "LA", "country": "TH",
    "acts": ["recruitment", "transportation"], "means": ["deception"], "exploitation": ["forced_labour"],
    "ilo_indicators": ["deception", "withholding_of_wages"], "consented": true, "entry": "irregular",
    "smuggler_paid": false, "trafficking_status": "possible", "identified_by": "mdt", "informed_of_rights": true,
    "low_income": true, "party_to_proceedings": false, "testifying": false, "charges": ["illegal_entry"],
    "wishes_to_return": true, "return_risk": "low",
]
let context: JSONValue = ["jurisdiction": "TH", "date": "2026-01-01", "pack_version": "2026.1"]
let loopModule = "return { loop = function() local s = 0 for i = 1, 1000000 do s = s + i % 7 end return { outcome = tostring(s) } end }"
let globalsModule = """
    return {
      clean = function(facts) local n = facts.age return { outcome = "x" } end,
      dirty = function(facts) scratch = facts.age; other = 1 return { outcome = "x" } end,
    }
    """

func sandbox(_ source: String, _ key: String) -> (LuaSandbox, LuaFunction) {
    let sandbox = try! LuaSandbox()
    try! sandbox.addModule("intl/m", searchPath: ["intl"], source: source, chunkName: "intl/m.lua")
    return (sandbox, try! sandbox.lookup(module: "m", key: key, searchPath: ["intl"])!)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 100, scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 100_000)

    Benchmark("decision call: C floor (Lua C API)") { benchmark in
        let floor = floor_new(identification, "pathway")!
        defer { floor_free(floor) }
        for _ in benchmark.scaledIterations { blackHole(floor_call(floor)) }
    }

    Benchmark("decision call: LuaVM, Swift values") { benchmark in
        let (sandbox, function) = sandbox(identification, "pathway")
        for _ in benchmark.scaledIterations { blackHole(try! sandbox.call(function, facts: facts, context: context)) }
    }

    Benchmark("decision call: LuaVM, Swift values, reads tracked") { benchmark in
        let (sandbox, function) = sandbox(identification, "pathway")
        for _ in benchmark.scaledIterations { blackHole(try! sandbox.call(function, facts: facts, context: context, trackReads: true)) }
    }

    Benchmark("decision call: LuaVM, JSON text (rules eval path)") { benchmark in
        let (sandbox, function) = sandbox(identification, "pathway")
        let factsText = JSONWriter.bytes(facts)
        let contextText = JSONWriter.bytes(context)
        for _ in benchmark.scaledIterations {
            factsText.withUnsafeBytes { bytes in
                blackHole(try! sandbox.callJSON(function, facts: bytes, context: contextText, trackReads: false) { out, _ in out.count })
            }
        }
    }

    // Where the Swift-value path spends its time beyond the JSON-text path.
    Benchmark("marshal: write the facts as JSON text (Swift)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(JSONWriter.bytes(facts, sortKeys: false)) }
    }

    Benchmark("marshal: parse a decision result (Swift)") { benchmark in
        let (sandbox, function) = sandbox(identification, "pathway")
        let factsText = JSONWriter.bytes(facts)
        let result = factsText.withUnsafeBytes { bytes in
            try! sandbox.callJSON(function, facts: bytes, context: JSONWriter.bytes(context), trackReads: false) { out, _ in Array(out) }
        }
        for _ in benchmark.scaledIterations { blackHole(try! JSONParser.parse(result)) }
    }

    Benchmark("create a sandboxed state", configuration: .init(
        metrics: [.wallClock, .throughput, .custom("state bytes", polarity: .prefersSmaller, useScalingFactor: false)],
        scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            let sandbox = try! LuaSandbox()
            benchmark.measurement(.custom("state bytes", polarity: .prefersSmaller, useScalingFactor: false), sandbox.memoryInUse)
            blackHole(sandbox)
        }
    }

    let loopConfiguration = Benchmark.Configuration(metrics: [.wallClock], scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 200)
    Benchmark("loop of 1M iterations: plain Lua, no hook", configuration: loopConfiguration) { benchmark in
        let floor = floor_new(loopModule, "loop")!
        defer { floor_free(floor) }
        for _ in benchmark.scaledIterations { floor_run(floor, 0) }
    }

    Benchmark("loop of 1M iterations: plain Lua, budget hook every 1000", configuration: loopConfiguration) { benchmark in
        let floor = floor_new(loopModule, "loop")!
        defer { floor_free(floor) }
        for _ in benchmark.scaledIterations { floor_run(floor, 1) }
    }

    Benchmark("loop of 1M iterations: LuaVM sandbox", configuration: loopConfiguration) { benchmark in
        let (sandbox, function) = sandbox(loopModule, "loop")
        for _ in benchmark.scaledIterations { blackHole(try! sandbox.call(function, facts: [:], context: context)) }
    }

    Benchmark("per-call environment: rule writes no global") { benchmark in
        let (sandbox, function) = sandbox(globalsModule, "clean")
        for _ in benchmark.scaledIterations { blackHole(try! sandbox.call(function, facts: ["age": 3], context: context)) }
    }

    Benchmark("per-call environment: rule writes two globals (reset after)") { benchmark in
        let (sandbox, function) = sandbox(globalsModule, "dirty")
        for _ in benchmark.scaledIterations { blackHole(try! sandbox.call(function, facts: ["age": 3], context: context)) }
    }
}
