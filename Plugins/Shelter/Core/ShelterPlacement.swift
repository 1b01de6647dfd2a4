public import GloBase
public import GloKit
/// A stay in a shelter: the outcomes of `shelter.placement` (other than `none`).
public struct ShelterPlacement: Sendable, Hashable, Codable, Validatable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case childProtectionShelter = "child_protection_shelter"
        case welfareCentre = "welfare_centre"
        case ngoShelter = "ngo_shelter"
    }

    public var id: ShelterPlacementID
    public var caseID: CaseID
    public var shelter: OrganisationID
    public var kind: Kind
    /// First day.
    public var from: CalendarDate
    /// Last day; absent while the stay goes on.
    public var to: CalendarDate?
    /// For a temporary stay before the identification interview, its last day. How long such a
    /// stay may last is law (in Thailand, 15 days under the NRM), so it comes from the pack's
    /// `shelter.placement` decision, never from here.
    public var identificationStayEnd: CalendarDate?

    public init(id: ShelterPlacementID = ShelterPlacementID(), caseID: CaseID, shelter: OrganisationID, kind: Kind,
                from: CalendarDate, to: CalendarDate? = nil, identificationStayEnd: CalendarDate? = nil) {
        self.id = id
        self.caseID = caseID
        self.shelter = shelter
        self.kind = kind
        self.from = from
        self.to = to
        self.identificationStayEnd = identificationStayEnd
    }

    enum CodingKeys: String, CodingKey {
        case id, shelter, kind, from, to
        case caseID = "case_id"
        case identificationStayEnd = "identification_stay_end"
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("shelter_placement")
        c.notBefore1900(from, "from")
        c.order(from, "from", to, "to")
        c.order(from, "from", identificationStayEnd, "identification_stay_end")
        return c.errors
    }
}

public typealias ShelterPlacementID = EntityID<ShelterPlacement>

extension ShelterPlacement: StoredEntity {
    public static let collection = RecordCollection("shelter_placement")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { [.caseID(caseID)] }
}
