public import Foundation
import Synchronization

/// An opaque identifier of an entity: a UUID, never a name or anything derived from a person.
///
/// `Tag` only keeps the kinds apart at compile time (a `PersonID` is not a `CaseID`); it is never
/// stored. New identifiers are UUIDv7 (RFC 9562): time-ordered, so they sort by creation and index
/// well, with 74 random bits. In JSON an identifier is its lowercase canonical string.
public struct EntityID<Tag>: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let uuid: UUID

    public init(uuid: UUID) { self.uuid = uuid }

    /// A new UUIDv7 from the current time; strictly increasing within this process.
    public init() { self.uuid = UUIDv7.next() }

    /// Parses a canonical UUID string (any case). Any UUID version is accepted, so that records
    /// imported from other systems keep their identifiers.
    public init?(_ text: String) {
        guard let uuid = UUIDv7.parse(text) else { return nil }
        self.uuid = uuid
    }

    public var description: String { UUIDv7.text(uuid) }

    /// Milliseconds since 1970 when this is a UUIDv7, else nil.
    public var createdMilliseconds: UInt64? { UUIDv7.milliseconds(of: uuid) }

    public static func < (a: EntityID, b: EntityID) -> Bool {
        withUnsafeBytes(of: a.uuid.uuid) { x in withUnsafeBytes(of: b.uuid.uuid) { y in x.lexicographicallyPrecedes(y) } }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = EntityID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "an identifier must be a UUID such as 0190f5c2-7a4b-7c3d-8e9f-0a1b2c3d4e5f")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public typealias PersonID = EntityID<Person>
public typealias CaseID = EntityID<Case>
public typealias ScreeningID = EntityID<Screening>
public typealias DecisionID = EntityID<DecisionRecord>
public typealias ConsentID = EntityID<Consent>
public typealias ReferralID = EntityID<Referral>
public typealias OrganisationID = EntityID<Organisation>
public typealias UserID = EntityID<User>

/// UUID version 7 (RFC 9562 section 5.7): 48 bits of Unix time in milliseconds, version `0111`,
/// 12 bits `rand_a` (used here as a counter within one millisecond, RFC 9562 section 6.2 method 1),
/// variant `10`, 62 random bits.
public enum UUIDv7 {
    private struct State: Sendable {
        var milliseconds: UInt64 = 0
        var counter: UInt16 = 0
    }
    private static let state = Mutex(State())

    /// The layout, from its parts; `counter` keeps its low 12 bits, `random` its low 62 bits.
    public static func make(milliseconds: UInt64, counter: UInt16, random: UInt64) -> UUID {
        let ms = milliseconds & 0xFFFF_FFFF_FFFF
        let a = counter & 0x0FFF
        let b = random & 0x3FFF_FFFF_FFFF_FFFF
        return UUID(uuid: (
            UInt8(truncatingIfNeeded: ms >> 40), UInt8(truncatingIfNeeded: ms >> 32),
            UInt8(truncatingIfNeeded: ms >> 24), UInt8(truncatingIfNeeded: ms >> 16),
            UInt8(truncatingIfNeeded: ms >> 8), UInt8(truncatingIfNeeded: ms),
            0x70 | UInt8(truncatingIfNeeded: a >> 8), UInt8(truncatingIfNeeded: a),
            0x80 | UInt8(truncatingIfNeeded: b >> 56), UInt8(truncatingIfNeeded: b >> 48),
            UInt8(truncatingIfNeeded: b >> 40), UInt8(truncatingIfNeeded: b >> 32),
            UInt8(truncatingIfNeeded: b >> 24), UInt8(truncatingIfNeeded: b >> 16),
            UInt8(truncatingIfNeeded: b >> 8), UInt8(truncatingIfNeeded: b)
        ))
    }

    /// A new UUIDv7 at `now` (default: the clock). Within one millisecond the counter goes up, and
    /// when the clock stands still or steps back the last time is reused, so identifiers made by
    /// this process always increase.
    public static func next(now: Date = Date()) -> UUID {
        let clock = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded(.down)))
        let (ms, counter) = state.withLock { s -> (UInt64, UInt16) in
            if clock > s.milliseconds {
                s.milliseconds = clock
                s.counter = UInt16.random(in: 0...0x07FF)  // top bit clear: room to count up
            } else if s.counter < 0x0FFF {
                s.counter += 1
            } else {
                s.milliseconds += 1
                s.counter = UInt16.random(in: 0...0x07FF)
            }
            return (s.milliseconds, s.counter)
        }
        return make(milliseconds: ms, counter: counter, random: UInt64.random(in: 0...UInt64.max))
    }

    /// The canonical text of a UUID, lowercase (8-4-4-4-12 hex digits). Written here because
    /// Foundation's `uuidString` goes through `sprintf` and `UUID(uuidString:)` through `sscanf`,
    /// which showed in profiles of the busiest paths: every record names entities by these.
    public static func text(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var i = 0
                for (n, byte) in bytes.enumerated() {
                    if n == 4 || n == 6 || n == 8 || n == 10 {
                        out[i] = UInt8(ascii: "-")
                        i += 1
                    }
                    out[i] = Hex.digit(byte >> 4)
                    out[i + 1] = Hex.digit(byte & 0x0F)
                    i += 2
                }
                return i
            }
        }
    }

    /// Parses the canonical text of a UUID, in either case; nil for anything else.
    public static func parse(_ text: String) -> UUID? {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var j = 0
            var high = true
            for (i, c) in utf8.enumerated() {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard c == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard let v = Hex.value(c) else { return false }
                if high { out[j] = v << 4 } else {
                    out[j] |= v
                    j += 1
                }
                high.toggle()
            }
            return true
        }
        return ok ? UUID(uuid: raw) : nil
    }

    static func bytes(_ uuid: UUID) -> [UInt8] {
        withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }

    /// The timestamp of a UUIDv7 (version and variant checked), else nil.
    public static func milliseconds(of uuid: UUID) -> UInt64? {
        let b = bytes(uuid)
        guard b[6] >> 4 == 7, b[8] >> 6 == 0b10 else { return nil }
        return b[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
