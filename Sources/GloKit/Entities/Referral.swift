/// The service a referral asks for.
public enum Service: String, Sendable, Hashable, Codable, CaseIterable {
    case identification, shelter, health, psychosocial
    case legalAid = "legal_aid"
    case education, livelihood, financial
    case returnAndReintegration = "return_and_reintegration"
    case other
}

/// Primero's referral statuses.
public enum ReferralStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case inProgress = "in_progress"
    case accepted, rejected, done, revoked

    /// The statuses a referral may move to from this one:
    ///
    /// | from | to |
    /// |---|---|
    /// | in_progress | accepted, rejected, revoked |
    /// | accepted | done, revoked |
    /// | rejected, done, revoked | (final) |
    public var next: [ReferralStatus] {
        switch self {
        case .inProgress: return [.accepted, .rejected, .revoked]
        case .accepted: return [.done, .revoked]
        case .rejected, .done, .revoked: return []
        }
    }

    public var isFinal: Bool { next.isEmpty }
}

/// A move the transition table does not allow.
public struct ReferralTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var from: ReferralStatus
    public var to: ReferralStatus

    public init(from: ReferralStatus, to: ReferralStatus) {
        self.from = from
        self.to = to
    }

    public var description: String {
        let allowed = from.next.map(\.rawValue)
        let hint: String
        switch allowed.count {
        case 0: hint = "\(from.rawValue) is final"
        case 1: hint = "from \(from.rawValue) it can only move to \(allowed[0])"
        default: hint = "from \(from.rawValue) it can move to \(allowed.dropLast().joined(separator: ", ")) or \(allowed.last!)"
        }
        return "a referral cannot move from \(from.rawValue) to \(to.rawValue): \(hint)"
    }
}

/// A referral of a case from one organisation to another for a service. It grants the receiving
/// organisation access; it does not change the case's owner (Primero). It needs the person's consent,
/// or an override by a permitted role with its reason.
public struct Referral: Sendable, Hashable, Codable, Validatable {
    public var id: ReferralID
    public var caseID: CaseID
    public var from: OrganisationID
    public var to: OrganisationID
    public var service: Service
    public var consent: ConsentID?
    public var consentOverride: Override?
    public var status: ReferralStatus
    public var createdAt: Timestamp
    public var statusChangedAt: Timestamp
    /// Why it was rejected or revoked. Keep it to the reason.
    public var note: String?

    public init(id: ReferralID = ReferralID(), caseID: CaseID, from: OrganisationID, to: OrganisationID,
                service: Service, consent: ConsentID? = nil, consentOverride: Override? = nil,
                status: ReferralStatus = .inProgress, createdAt: Timestamp = .now, statusChangedAt: Timestamp? = nil,
                note: String? = nil) {
        self.id = id
        self.caseID = caseID
        self.from = from
        self.to = to
        self.service = service
        self.consent = consent
        self.consentOverride = consentOverride
        self.status = status
        self.createdAt = createdAt
        self.statusChangedAt = statusChangedAt ?? createdAt
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case id, from, to, service, consent, status, note
        case caseID = "case_id"
        case consentOverride = "consent_override"
        case createdAt = "created_at"
        case statusChangedAt = "status_changed_at"
    }

    /// The referral in `status`, when the transition table allows the move.
    public func moving(to status: ReferralStatus, at time: Timestamp = .now) throws(ReferralTransitionError) -> Referral {
        guard self.status.next.contains(status) else {
            throw ReferralTransitionError(from: self.status, to: status)
        }
        var moved = self
        moved.status = status
        moved.statusChangedAt = time
        return moved
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("referral")
        if from == to { c.fail("to", "must be another organisation than the referring one") }
        if consent == nil && consentOverride == nil {
            c.fail("consent", "is required: give the person's consent, or record an override with its reason")
        }
        if let consentOverride { c.merge(consentOverride.validationErrors(at: c.path("consent_override"))) }
        c.order(createdAt, "created_at", statusChangedAt, "status_changed_at")
        c.optionalText(note, "note")
        return c.errors
    }
}
