public import GloBase
public import GloKit
/// Legal assistance to a person in a case: the kinds of `legal_aid.eligibility`.
public struct LegalAssistance: Sendable, Hashable, Codable, Validatable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case advice, representation
        case compensationClaim = "compensation_claim"
    }

    public var id: LegalAssistanceID
    public var caseID: CaseID
    public var kind: Kind
    public var provider: OrganisationID
    /// The court's or prosecutor's reference of the proceedings, when there are any.
    public var courtCaseReference: String?
    public var opened: CalendarDate
    public var closed: CalendarDate?

    public init(id: LegalAssistanceID = LegalAssistanceID(), caseID: CaseID, kind: Kind, provider: OrganisationID,
                courtCaseReference: String? = nil, opened: CalendarDate, closed: CalendarDate? = nil) {
        self.id = id
        self.caseID = caseID
        self.kind = kind
        self.provider = provider
        self.courtCaseReference = courtCaseReference
        self.opened = opened
        self.closed = closed
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, provider, opened, closed
        case caseID = "case_id"
        case courtCaseReference = "court_case_reference"
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("legal_assistance")
        c.optionalText(courtCaseReference, "court_case_reference")
        c.notBefore1900(opened, "opened")
        c.order(opened, "opened", closed, "closed")
        return c.errors
    }
}

public typealias LegalAssistanceID = EntityID<LegalAssistance>

extension LegalAssistance: StoredEntity {
    public static let collection = RecordCollection("legal_assistance")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { [.caseID(caseID)] }
}
