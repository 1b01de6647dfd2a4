public import Foundation
import GloRules


/// An instant, to the millisecond, as ISO 8601 UTC in JSON (`2025-03-01T10:15:30.123Z`): when a
/// decision was made, when consent was given. Milliseconds exactly, so a value survives a JSON
/// round trip unchanged (a `Date` would lose its sub-millisecond part).
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }

    public init(_ date: Date) {
        self.millisecondsSince1970 = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public static var now: Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }

    /// The UTC calendar day of this instant.
    public var day: CalendarDate {
        CalendarDate(daysSince1970: Int(floorDiv(millisecondsSince1970, 86_400_000)))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]` followed by `Z` or `+HH:MM` / `-HH:MM`.
    public init?(_ text: String) {
        let u = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= u.count else { return nil }
            var n = 0
            for c in u[from..<(from + count)] {
                guard (0x30...0x39).contains(c) else { return nil }
                n = n * 10 + Int(c - 0x30)
            }
            return n
        }
        guard u.count >= 20, u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: "t"),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let day = CalendarDate(String(decoding: u[0..<10], as: UTF8.self)),
              let hh = num(11, 2), let mm = num(14, 2), let ss = num(17, 2),
              hh < 24, mm < 60, ss < 60 else { return nil }
        var i = 19
        var millis = 0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < u.count, (0x30...0x39).contains(u[i]) {
                if digits < 3 { millis = millis * 10 + Int(u[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes = 0
        guard i < u.count else { return nil }
        if u[i] == UInt8(ascii: "Z") || u[i] == UInt8(ascii: "z") {
            i += 1
        } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < u.count, u[i + 3] == UInt8(ascii: ":"),
                  let om = num(i + 4, 2), oh < 24, om < 60 else { return nil }
            offsetMinutes = (oh * 60 + om) * (u[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        let seconds = Int64(day.daysSince1970) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offsetMinutes * 60)
        self.millisecondsSince1970 = seconds * 1000 + Int64(millis)
    }

    public var description: String {
        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let dayMillis = millisecondsSince1970 - floorDiv(millisecondsSince1970, 86_400_000) * 86_400_000
        let h = dayMillis / 3_600_000, m = dayMillis / 60_000 % 60, s = dayMillis / 1000 % 60, ms = dayMillis % 1000
        return "\(day)T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))Z"
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSince1970 < b.millisecondsSince1970 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let t = Timestamp(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a time must be ISO 8601, such as 2025-03-01T10:15:30.123Z")
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
