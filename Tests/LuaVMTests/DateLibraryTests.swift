import Foundation
import GloJSON
import LuaVM
import Testing

/// A sandbox whose module `t/m` has one function `f` returning `expression`.
private func evaluate(_ expression: String, limits: LuaLimits = .default) throws -> JSONValue {
    try sandbox(module: "return { f = function(facts, ctx)\n  return \(expression)\nend }", limits: limits).call("f")
}

/// The error of `expression` in `t/m.lua`, where it stands on line 2.
private func failure(_ expression: String) throws -> LuaError? {
    let sandbox = try sandbox(module: "return { f = function(facts, ctx)\n  return \(expression)\nend }")
    return sandbox.failure { _ = try $0.call("f") }
}

@Suite("The date library: calendar arithmetic without a clock")
struct DateLibraryTests {
    @Test(arguments: [
        ("date.add_days('2026-03-02', 15)", JSONValue.string("2026-03-17")),
        ("date.add_days('2026-12-25', 7)", "2027-01-01"),
        ("date.add_days('2024-02-28', 1)", "2024-02-29"),
        ("date.add_days('2023-02-28', 1)", "2023-03-01"),
        ("date.add_days('2000-02-28', 1)", "2000-02-29"),
        ("date.add_days('1900-02-28', 1)", "1900-03-01"),
        ("date.add_days('2026-01-01', -1)", "2025-12-31"),
        ("date.add_days('2026-01-01', 0)", "2026-01-01"),
        ("date.add_days('2026-01-01', 2.0)", "2026-01-03"),
        ("date.add_days('0001-01-01', 3652058)", "9999-12-31"),
        ("date.add_days('9999-12-31', -3652058)", "0001-01-01"),
        ("date.add_months('2026-03-02', 12)", "2027-03-02"),
        ("date.add_months('2024-01-31', 1)", "2024-02-29"),
        ("date.add_months('2023-01-31', 1)", "2023-02-28"),
        ("date.add_months('2024-02-29', 12)", "2025-02-28"),
        ("date.add_months('2026-03-31', -1)", "2026-02-28"),
        ("date.add_months('2026-01-15', -13)", "2024-12-15"),
        ("date.add_months('0001-01-01', 119987)", "9999-12-01"),
        ("date.days_between('2026-03-02', '2026-03-17')", 15),
        ("date.days_between('2026-03-17', '2026-03-02')", -15),
        ("date.days_between('2024-01-01', '2025-01-01')", 366),
        ("date.days_between('0001-01-01', '9999-12-31')", 3652058),
        ("date.compare('2026-03-02', '2026-03-17')", -1),
        ("date.compare('2026-03-17', '2026-03-17')", 0),
        ("date.compare('2027-01-01', '2026-12-31')", 1),
        ("date.valid('2024-02-29')", true),
        ("date.valid('2023-02-29')", false),
        ("date.valid(20260101)", false),
        ("date.valid(nil)", false),
        ("date.valid({})", false),
    ])
    func arithmetic(_ expression: String, _ expected: JSONValue) throws {
        #expect(try evaluate(expression) == expected, "\(expression)")
    }

    @Test func daysCountAsTheHostsCalendarDoes() throws {
        // Walking a day at a time over 1900 (no leap year) and 2000 (a leap year): each step is one day
        // later, each date valid, and the days between agree; then spot checks against Foundation.
        let generous = LuaLimits(instructions: 1 << 40, memoryBytes: 64 << 20, wallClock: .seconds(60), maxStringBytes: 1 << 20)
        let walk = try evaluate("""
            (function()
                local d, start = '1899-12-25', '1899-12-25'
                for i = 1, 40000 do
                  local next = date.add_days(d, 1)
                  if not date.valid(next) or date.compare(d, next) ~= -1 or date.days_between(start, next) ~= i then return d end
                  d = next
                end
                return d
              end)()
            """, limits: generous)
        #expect(walk == "2009-07-01")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        let origin = try #require(formatter.date(from: "1970-01-01"))
        for days in stride(from: -25_000, through: 60_000, by: 997) {
            let expected = formatter.string(from: try #require(calendar.date(byAdding: .day, value: days, to: origin)))
            #expect(try evaluate("date.add_days('1970-01-01', \(days))") == .string(expected), "\(days) days")
        }
    }

    @Test func theLibraryHasNoClockAndIsReadOnly() throws {
        #expect(try evaluate("""
            (function()
                local names = {}
                for name in pairs(date) do names[#names + 1] = name end
                table.sort(names)
                return names
              end)()
            """) == ["add_days", "add_months", "compare", "days_between", "valid"])
        #expect(try evaluate("type(os) .. ' ' .. type(date.today) .. ' ' .. type(date.now)") == "nil nil nil")
        #expect(try failure("(function() date.add_days = nil end)()")?.message.contains("read-only") == true)
        #expect(try failure("rawset(date, 'today', function() return '2026-01-01' end)")?.message.contains("read-only") == true)
    }

    /// An argument the library refuses, and the piece of the message that must name it.
    struct Refused: CustomTestStringConvertible, Sendable {
        let expression: String
        let message: String
        var testDescription: String { expression }
    }

    static let refused: [Refused] = [
        // Wrong types.
        Refused(expression: "date.add_days(nil, 1)", message: "date.add_days: argument 1 must be a date text 'YYYY-MM-DD', not nil"),
        Refused(expression: "date.add_days()", message: "date.add_days: argument 1 must be a date text 'YYYY-MM-DD', not nil"),
        Refused(expression: "date.add_days(20260101, 1)", message: "argument 1 must be a date text 'YYYY-MM-DD', not number"),
        Refused(expression: "date.add_days({ '2026-01-01' }, 1)", message: "argument 1 must be a date text 'YYYY-MM-DD', not table"),
        Refused(expression: "date.compare('2026-01-01', true)", message: "date.compare: argument 2 must be a date text 'YYYY-MM-DD', not boolean"),
        Refused(expression: "date.days_between('2026-01-01', print)", message: "argument 2 must be a date text 'YYYY-MM-DD', not function"),
        Refused(expression: "date.add_days('2026-01-01', '15')", message: "date.add_days: argument 2 must be a whole number of days, not string"),
        Refused(expression: "date.add_days('2026-01-01')", message: "date.add_days: argument 2 must be a whole number of days, not nil"),
        Refused(expression: "date.add_months('2026-01-01', {})", message: "date.add_months: argument 2 must be a whole number of months, not table"),
        // Dates that do not exist or are not written as YYYY-MM-DD.
        Refused(expression: "date.add_days('2026-02-29', 1)", message: "date.add_days: argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('2026-13-01', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('2026-00-10', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('2026-04-31', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('0000-01-01', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('10000-01-01', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('2026-1-1', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days(' 2026-01-01', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('2026-01-01T00:00', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('2026/01/01', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('+026-01-01', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.add_days('2026-01-0\\0', 1)", message: "argument 1 is not a date that exists"),
        Refused(expression: "date.compare('2026-01-01', '\u{0662}\u{0660}\u{0662}\u{0666}-01-01')", message: "date.compare: argument 2 is not a date that exists"),
        Refused(expression: "date.days_between(string.rep('9', 1 << 20), '2026-01-01')", message: "date.days_between: argument 1 is not a date that exists"),
        // Numbers that are no whole count, or too large for any calendar.
        Refused(expression: "date.add_days('2026-01-01', 1.5)", message: "argument 2 must be a whole number of days, not a fraction"),
        Refused(expression: "date.add_days('2026-01-01', 0/0)", message: "argument 2 must be a whole number of days"),
        Refused(expression: "date.add_days('2026-01-01', math.huge)", message: "argument 2 must be a whole number of days"),
        Refused(expression: "date.add_days('2026-01-01', -math.huge)", message: "argument 2 must be a whole number of days"),
        Refused(expression: "date.add_days('2026-01-01', 1e300)", message: "argument 2 must be a whole number of days"),
        Refused(expression: "date.add_days('2026-01-01', math.maxinteger)", message: "date.add_days: argument 2 is more days than lie between the years 1 and 9999"),
        Refused(expression: "date.add_days('2026-01-01', math.mininteger)", message: "argument 2 is more days than lie between the years 1 and 9999"),
        Refused(expression: "date.add_days('2026-01-01', 3652059)", message: "argument 2 is more days than lie between the years 1 and 9999"),
        Refused(expression: "date.add_months('2026-01-01', math.maxinteger)", message: "date.add_months: argument 2 is more months than lie between the years 1 and 9999"),
        Refused(expression: "date.add_months('2026-01-01', math.mininteger)", message: "argument 2 is more months than lie between"),
        // Results outside the calendar.
        Refused(expression: "date.add_days('9999-12-31', 1)", message: "date.add_days: the result would be outside the years 1 to 9999"),
        Refused(expression: "date.add_days('0001-01-01', -1)", message: "date.add_days: the result would be outside the years 1 to 9999"),
        Refused(expression: "date.add_months('9999-12-01', 1)", message: "date.add_months: the result would be outside the years 1 to 9999"),
        Refused(expression: "date.add_months('0001-01-31', -1)", message: "date.add_months: the result would be outside the years 1 to 9999"),
    ]

    @Test(arguments: refused)
    func hostileArgumentsAreNamedWithFileAndLine(_ refused: Refused) throws {
        let error = try #require(try failure(refused.expression), "\(refused.expression) was accepted")
        #expect(error.kind == .runtime)
        #expect(error.message.contains(refused.message), "\(error.message)")
        #expect(error.location == "t/m.lua:2", "\(error)")
        // The message never repeats the value given: a date may be a birthdate.
        #expect(!error.message.contains("2026-0") && !error.message.contains("9999999"), "\(error.message)")
    }

    @Test func anErrorIsAnOrdinaryErrorARuleMayCatch() throws {
        #expect(try evaluate("select('#', pcall(date.add_days, 'no date', 1)) == 2 and 'caught'") == "caught")
    }

    @Test func aLoopOfDateCallsEndsAtTheBudget() throws {
        let limits = LuaLimits(instructions: 200_000, memoryBytes: 8 << 20, wallClock: .seconds(5), maxStringBytes: 1 << 20)
        let sandbox = try sandbox(module: """
            return { f = function(facts, ctx)
              local d = ctx.date
              while true do d = date.add_days(date.add_days(d, 1), -1) end
            end }
            """, limits: limits)
        let error = sandbox.failure { _ = try $0.call("f") }
        #expect(error?.kind == .instructionBudget, "\(String(describing: error))")
        #expect(error?.location == "t/m.lua:3")
        #expect(try sandbox.stillUsable())
    }

    @Test func countingFromCtxDateIsTheSameOnEveryCall() throws {
        let sandbox = try sandbox(module: "return { f = function(facts, ctx) return date.add_days(ctx.date, facts.days) end }")
        for _ in 1...3 {
            #expect(try sandbox.call("f", ["days": 15], context: ["date": "2026-03-02"]) == "2026-03-17")
        }
        #expect(try sandbox.call("f", ["days": 15], context: ["date": "2027-03-02"]) == "2027-03-17")
    }
}
