import ArgumentParser
import Foundation
import GloRules

extension Rules {
    struct Annotations: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the Lua language server's definitions of the facts, ctx, results and sandbox.",
            discussion: """
                A LuaLS (EmmyLua) definitions file made from the fact vocabulary and the declared decisions: a class
                Facts with each fact's allowed values as literal types, Ctx, a result class per decision (its outcomes
                and fields), and the sandbox's functions. The shipped one is Config/jurisdictions/.luals/glo-host.lua,
                which Config/jurisdictions/.luarc.json points the language server at; write it again after changing
                the vocabulary, decisions.yaml or a pack's outcomes:
                  glo-host rules annotations --to Config/jurisdictions/.luals/glo-host.lua
                """
        )

        @Option(name: .customLong("rules"), help: "The rules directory.")
        var rules = "Config/jurisdictions"

        @Option(name: .customLong("to"), help: "The file to write (default: stdout). A regular file is replaced only once complete.")
        var to: String?

        func run() throws {
            let engine = try loadEngine(rules, statesPerPack: 1)
            let text = LuaAnnotations.file(engine.ruleSet)
            let sink: OutputFile
            if let to, to != "-" {
                let folder = (to as NSString).deletingLastPathComponent
                if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                sink = try OutputFile(path: to, option: "--to")
            } else {
                sink = OutputFile()
            }
            try sink.producing { try sink.write(Array(text.utf8)) }
            try sink.close()
        }
    }
}

/// The LuaLS definitions of what a decision receives and returns, made from the rules' data so that
/// an editor knows every fact's allowed values and every decision's outcomes as the host does.
enum LuaAnnotations {
    /// The command that makes the shipped file, for its header and for the test that keeps it current.
    static let regenerate = "glo-host rules annotations --rules Config/jurisdictions --to Config/jurisdictions/.luals/glo-host.lua"

    /// `identification.pathway` -> `IdentificationPathwayResult`.
    static func resultClass(_ decision: String) -> String {
        decision.split(whereSeparator: { $0 == "." || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Result"
    }

    static func file(_ set: RuleSet) -> String {
        var out = """
            ---@meta _
            -- The facts, ctx and results of glo-host's decisions, and the sandbox they run in, for the Lua language
            -- server (LuaLS). Made by `glo-host rules annotations` from facts.schema.json, decisions.yaml and the
            -- outcomes packs add in pack.yaml: do not edit it; after changing those, run
            --   \(regenerate)


            """
        out += facts(set.vocabulary) + "\n" + context + "\n"
        for decision in declaredDecisions(set) { out += result(decision.name, decision.description, outcomes: decision.outcomes, fields: decision.fields) + "\n" }
        return out + sandbox
    }

    // MARK: Facts and ctx

    static func facts(_ vocabulary: Vocabulary) -> String {
        var lines = ["---The facts a decision receives (read-only; an absent fact is nil). See facts.schema.json.", "---@class Facts"]
        for fact in vocabulary.facts {
            lines.append("---@field \(fact.name) \(type(of: fact))|nil \(oneLine(fact.description))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func type(of fact: Vocabulary.Fact) -> String {
        switch fact.type {
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .date: return "string"
        case .string: return fact.values.map(literals) ?? "string"
        case .list: return fact.values.map { "(\(literals($0)))[]" } ?? "string[]"
        }
    }

    static let context = """
        ---What a decision knows of the call besides the facts (read-only).
        ---@class Ctx
        ---@field jurisdiction string The pack id asked for (TH), also while a parent's rule runs.
        ---@field date string The ISO date the law is applied at (YYYY-MM-DD); compare dates as texts.
        ---@field pack_version string The version of the pack asked for.

        """

    // MARK: Results

    /// Each decision decisions.yaml declares, with the outcomes packs add to it, then each decision
    /// only packs declare (in pack.yaml `outcomes:`), by name.
    static func declaredDecisions(_ set: RuleSet) -> [(name: String, description: String, outcomes: [String], fields: [DecisionCatalog.Field])] {
        let packs = set.packs.sorted { ($0.id, $0.version) < ($1.id, $1.version) }
        func added(_ name: String, to outcomes: [String]) -> [String] {
            var all = outcomes
            for pack in packs { all += (pack.manifest.outcomes[name] ?? []).filter { !all.contains($0) } }
            return all
        }
        var declared = set.decisions.decisions.map { ($0.name, $0.description, added($0.name, to: $0.outcomes.map(\.name)), $0.fields) }
        let packOnly = Set(packs.flatMap(\.manifest.outcomes.keys)).subtracting(declared.map(\.0)).sorted()
        declared += packOnly.map { ($0, "", added($0, to: []), []) }
        return declared
    }

    static func result(_ name: String, _ description: String, outcomes: [String], fields: [DecisionCatalog.Field]) -> String {
        let standard = ["outcome", "reasons", "basis", "missing"]
        var lines = [
            "---\(name): \(oneLine(description.isEmpty ? "a decision packs declare in pack.yaml." : description))",
            "---@class \(resultClass(name))",
            "---@field outcome \(outcomes.isEmpty ? "string" : literals(outcomes)) The outcomes declared for it (decisions.yaml, pack.yaml).",
            "---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).",
            "---@field basis string[]|nil Legal citations, instrument and article; \"[unverified] ...\" where not checked against the text.",
            "---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).",
        ]
        for field in fields where !standard.contains(field.name) {
            lines.append("---@field \(field.name) \(type(of: field))|nil \(oneLine(field.description))")
        }
        lines.append("---@alias \(resultClass(name).dropLast("Result".count))Decision fun(facts: Facts, ctx: Ctx): \(resultClass(name))")
        return lines.joined(separator: "\n") + "\n"
    }

    static func type(of field: DecisionCatalog.Field) -> String {
        switch field.type {
        case "boolean": return "boolean"
        case "integer": return "integer"
        case "list": return field.values.map { "(\(literals($0)))[]" } ?? "string[]"
        case "objects": return "table[]"
        case "object": return "table"
        default: return field.values.map(literals) ?? "string"
        }
    }

    // MARK: The sandbox

    /// The sandbox's globals (docs/rule-packs.md, "The sandbox"). `.luarc.json` turns off LuaLS's own
    /// basic library, so these are the only base functions an editor offers; `string`, `table`, `math` and
    /// `utf8` are LuaLS's own, `date` is the sandbox's.
    static let sandbox = """
        -- The sandbox. Absent: io, os, debug, package, coroutine (turned off in .luarc.json), and load, loadfile,
        -- dofile, collectgarbage, _G, string.dump, string.pack, string.unpack, string.packsize. The libraries
        -- string, table, math, utf8 and date are read-only. luacheck (.luacheckrc) refuses the absent ones as well.

        ---Calendar arithmetic on ISO dates (YYYY-MM-DD, years 1 to 9999) without a clock: count from ctx.date
        ---or a dated fact. A text that is no date, or a count that is not a whole number, ends the call with an
        ---error naming the function, the argument, and the rule's file and line.
        ---@class DateLib
        date = {}

        ---Whether `v` is a date text that exists; never an error.
        ---@param v any
        ---@return boolean
        function date.valid(v) end

        ---The day `n` days after `d` (before it when `n` is negative).
        ---@param d string
        ---@param n integer
        ---@return string
        function date.add_days(d, n) end

        ---The same day `n` months after `d` (before it when negative); a day the month lacks becomes its last
        ---day (2024-01-31 plus 1 month is 2024-02-29). Twelve months make a year.
        ---@param d string
        ---@param n integer
        ---@return string
        function date.add_months(d, n) end

        ---How many days from `a` to `b`: negative when `b` comes first.
        ---@param a string
        ---@param b string
        ---@return integer
        function date.days_between(a, b) end

        ---`-1` when `a` comes before `b`, `0` on the same day, `1` after.
        ---@param a string
        ---@param b string
        ---@return -1|0|1
        function date.compare(a, b) end

        ---Writes to the host's diagnostics, never to stdout.
        ---@param ... any
        function print(...) end

        ---The module `name` of the nearest pack of the chain (the pack's own first, then its parents), or
        ---`"PACK/name"` of the pack itself or an ancestor (`require("intl/identification")`). Nothing else can
        ---be required. The module table it returns is read-only.
        ---@param name string
        ---@return table
        function require(name) end

        ---@generic T
        ---@param v T
        ---@param message? any
        ---@return T
        function assert(v, message, ...) end

        ---Ends the call with an error naming file and line; the decision fails.
        ---@param message any
        ---@param level? integer
        function error(message, level) end

        ---@generic V
        ---@param t V[]
        ---@return fun(t: V[], i?: integer): integer, V
        ---@return V[]
        ---@return integer
        function ipairs(t) end

        ---@generic K, V
        ---@param t table<K, V>
        ---@return fun(t: table<K, V>, k?: K): K, V
        ---@return table<K, V>
        function pairs(t) end

        ---@param t table
        ---@param k? any
        ---@return any
        ---@return any
        function next(t, k) end

        ---@param a any
        ---@param b any
        ---@return boolean
        function rawequal(a, b) end

        ---@param t table
        ---@param k any
        ---@return any
        function rawget(t, k) end

        ---@param v table|string
        ---@return integer
        function rawlen(v) end

        ---@param t table
        ---@param k any
        ---@param v any
        ---@return table
        function rawset(t, k, v) end

        ---@param index integer|"#"
        ---@return any
        function select(index, ...) end

        ---@param t table
        ---@param metatable? table
        ---@return table
        function setmetatable(t, metatable) end

        ---@param v any
        ---@return table|nil
        function getmetatable(v) end

        ---@param v any
        ---@param base? integer
        ---@return number|nil
        function tonumber(v, base) end

        ---@param v any
        ---@return string
        function tostring(v) end

        ---@param v any
        ---@return "nil"|"number"|"string"|"boolean"|"table"|"function"|"thread"|"userdata"
        function type(v) end

        ---A budget the call exceeds is not caught: the call ends all the same.
        ---@param f function
        ---@return boolean
        ---@return any
        function pcall(f, ...) end

        ---A budget the call exceeds is not caught, and the handler is skipped.
        ---@param f function
        ---@param handler function
        ---@return boolean
        ---@return any
        function xpcall(f, handler, ...) end

        ---@type string
        _VERSION = "Lua 5.4"

        """

    // MARK: Text

    static func literals(_ values: [String]) -> String {
        values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: "|")
    }

    /// A description on one annotation line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
