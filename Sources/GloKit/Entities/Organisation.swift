/// An organisation that takes part in case work: a ministry, a police unit, an NGO, IOM...
public struct Organisation: Sendable, Hashable, Codable, Validatable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case government, ngo, international, other
    }

    public var id: OrganisationID
    public var name: String
    public var kind: Kind
    /// Where it works; `intl` for an international organisation working across borders.
    public var jurisdiction: JurisdictionID

    public init(id: OrganisationID = OrganisationID(), name: String, kind: Kind, jurisdiction: JurisdictionID) {
        self.id = id
        self.name = name
        self.kind = kind
        self.jurisdiction = jurisdiction
    }

    enum CodingKeys: String, CodingKey { case id, name, kind, jurisdiction }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("organisation")
        c.text(name, "name")
        c.jurisdiction(jurisdiction, "jurisdiction")
        return c.errors
    }
}
