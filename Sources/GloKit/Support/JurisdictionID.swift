/// A jurisdiction, and the id of its rule pack: `intl` (the international baseline) or an ISO 3166
/// alpha-2 code such as `TH`. A plain string in JSON. Any string decodes; `isWellFormed` (and the
/// entities' validation) says whether it is one of these.
public struct JurisdictionID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let international = JurisdictionID("intl")

    public var isWellFormed: Bool { rawValue == "intl" || Validators.isCountryCode(rawValue) }

    /// The country code, or nil for `intl`.
    public var countryCode: String? { Validators.isCountryCode(rawValue) ? rawValue : nil }

    public var description: String { rawValue }

    public static func < (a: JurisdictionID, b: JurisdictionID) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
