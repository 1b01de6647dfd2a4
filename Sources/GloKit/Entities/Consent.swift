/// What a consent is for: one purpose per consent (IOM Data Protection Manual: specified purpose).
public enum ConsentPurpose: String, Sendable, Hashable, Codable, CaseIterable {
    /// To be interviewed and have the answers recorded.
    case interview
    /// To receive services from the recipients (Primero: consent to services).
    case services
    /// To have the case disclosed to the recipients (Primero: consent to disclosure).
    case disclosure
    /// To have the handover packet sent to the receiving agency of a return.
    case returnHandover = "return_handover"
    /// To have non-identifying data used for research.
    case research
}

/// A person's consent for one purpose and to named recipients: given, later perhaps withdrawn, or
/// replaced by an override from a permitted role with its reason.
public struct Consent: Sendable, Hashable, Codable, Validatable {
    public var id: ConsentID
    public var person: PersonID
    public var caseID: CaseID?
    public var purpose: ConsentPurpose
    public var recipients: [OrganisationID]
    public var recordedBy: UserID
    public var givenAt: Timestamp?
    public var withdrawnAt: Timestamp?
    /// Consent was not (or could not be) asked, and a permitted role decided to go on.
    public var override: Override?

    public init(id: ConsentID = ConsentID(), person: PersonID, caseID: CaseID? = nil, purpose: ConsentPurpose,
                recipients: [OrganisationID], recordedBy: UserID, givenAt: Timestamp? = nil,
                withdrawnAt: Timestamp? = nil, override: Override? = nil) {
        self.id = id
        self.person = person
        self.caseID = caseID
        self.purpose = purpose
        self.recipients = recipients
        self.recordedBy = recordedBy
        self.givenAt = givenAt
        self.withdrawnAt = withdrawnAt
        self.override = override
    }

    enum CodingKeys: String, CodingKey {
        case id, person, purpose, recipients, override
        case caseID = "case_id"
        case recordedBy = "recorded_by"
        case givenAt = "given_at"
        case withdrawnAt = "withdrawn_at"
    }

    /// Whether this consent (or its override) covers `purpose` for `recipient` at `time`.
    public func covers(_ purpose: ConsentPurpose, for recipient: OrganisationID, at time: Timestamp) -> Bool {
        guard purpose == self.purpose, recipients.contains(recipient) else { return false }
        if let withdrawnAt, withdrawnAt <= time { return false }
        if let givenAt, givenAt <= time { return true }
        if let override, override.at <= time { return true }
        return false
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("consent")
        if recipients.isEmpty { c.fail("recipients", "must name at least one organisation the consent is given to") }
        if Set(recipients).count != recipients.count { c.fail("recipients", "must not list the same organisation twice") }
        if givenAt == nil && override == nil {
            c.fail("given_at", "is required: give when consent was given, or record an override with its reason")
        }
        c.order(givenAt, "given_at", withdrawnAt, "withdrawn_at")
        if let override { c.merge(override.validationErrors(at: c.path("override"))) }
        return c.errors
    }
}
