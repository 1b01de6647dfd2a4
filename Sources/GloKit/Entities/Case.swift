import GloRules
/// HTCDS cas_Status, snake_case.
public enum CaseStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case active
    case followUp = "follow_up"
    case closed
    case closedReferred = "closed_referred"
}

/// HTCDS vic_TraffickingStatus, in the facts vocabulary's spelling (`possible`, `actual`,
/// `not_victim`), plus `not_determined` for a case nobody has identified yet.
public enum TraffickingStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case notDetermined = "not_determined"
    case possible
    case actual
    case notVictim = "not_victim"
}

/// Who recorded the trafficking status (the facts vocabulary's `identified_by`; HTCDS
/// vic_TraffickingStatusDecisionMakingOrg, with the multidisciplinary team added).
public enum IdentifiedBy: String, Sendable, Hashable, Codable, CaseIterable {
    case mdt, police, court, ngo, other
}

/// The outcomes of `identification.pathway`.
public enum Pathway: String, Sendable, Hashable, Codable, CaseIterable {
    case victim
    case smuggledMigrant = "smuggled_migrant"
    case irregularMigrant = "irregular_migrant"
    case vulnerableMigrant = "vulnerable_migrant"
    case notApplicable = "not_applicable"
    case undetermined
}

/// How a case's trafficking status came to be: from a rule's decision, confirmed by a person, or set
/// by a person against (or without) the rule, by whom, in which role and why.
public struct StatusDetermination: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Taken from a rule's decision as it stands.
        case rule
        /// A person confirmed the rule's decision.
        case humanConfirmation = "human_confirmation"
        /// A person set a status other than the rule's (or without one): needs a permitted role and a reason.
        case humanOverride = "human_override"
    }

    public var identifiedBy: IdentifiedBy
    public var method: Method
    /// The decision the status comes from, or that was confirmed or overridden.
    public var decision: DecisionID?
    /// Who confirmed or overrode (absent for `rule`).
    public var user: UserID?
    public var role: Role?
    public var reason: String?
    public var at: Timestamp

    public init(identifiedBy: IdentifiedBy, method: Method, decision: DecisionID? = nil, user: UserID? = nil,
                role: Role? = nil, reason: String? = nil, at: Timestamp = .now) {
        self.identifiedBy = identifiedBy
        self.method = method
        self.decision = decision
        self.user = user
        self.role = role
        self.reason = reason
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case method, decision, user, role, reason, at
        case identifiedBy = "identified_by"
    }

    func validationErrors(at prefix: String) -> [FieldError] {
        var c = FieldChecks(prefix)
        switch method {
        case .rule:
            if decision == nil { c.fail("decision", "is required when the status comes from a rule: give the decision's id") }
        case .humanConfirmation:
            if decision == nil { c.fail("decision", "is required for a confirmation: give the decision confirmed") }
            if user == nil { c.fail("user", "is required: say who confirmed") }
            if role == nil { c.fail("role", "is required: give the role of the person who confirmed") }
        case .humanOverride:
            if user == nil { c.fail("user", "is required: say who overrode") }
            if let role {
                if !Override.permittedRoles.contains(role) {
                    c.fail("role", "must be supervisor, admin or legal_officer to override")
                }
            } else {
                c.fail("role", "is required for an override: supervisor, admin or legal_officer")
            }
            if (reason ?? "").allSatisfy(\.isWhitespace) { c.fail("reason", "is required for an override: say why") }
        }
        return c.errors
    }
}

/// A case: one person's matter in one jurisdiction, owned by one organisation.
public struct Case: Sendable, Hashable, Codable, Validatable {
    public var id: CaseID
    /// The pack that applies, such as `TH`.
    public var jurisdiction: JurisdictionID
    public var status: CaseStatus
    public var traffickingStatus: TraffickingStatus
    /// Required once `trafficking_status` is set (anything but `not_determined`).
    public var statusDetermination: StatusDetermination?
    /// The last `identification.pathway` outcome recorded; absent before any.
    public var pathway: Pathway?
    public var ownerOrganisation: OrganisationID
    /// HTCDS cas_CaseOwner: the caseworker who manages the case.
    public var assignedWorker: UserID?
    public var person: PersonID
    /// The case's date: the date the law is applied at.
    public var opened: CalendarDate
    public var closed: CalendarDate?
    /// HTCDS cas_ReasonForCaseClosure. Keep it to the reason; the narrative belongs elsewhere.
    public var closureReason: String?

    public init(id: CaseID = CaseID(), jurisdiction: JurisdictionID, status: CaseStatus = .active,
                traffickingStatus: TraffickingStatus = .notDetermined,
                statusDetermination: StatusDetermination? = nil, pathway: Pathway? = nil,
                ownerOrganisation: OrganisationID, assignedWorker: UserID? = nil, person: PersonID,
                opened: CalendarDate, closed: CalendarDate? = nil, closureReason: String? = nil) {
        self.id = id
        self.jurisdiction = jurisdiction
        self.status = status
        self.traffickingStatus = traffickingStatus
        self.statusDetermination = statusDetermination
        self.pathway = pathway
        self.ownerOrganisation = ownerOrganisation
        self.assignedWorker = assignedWorker
        self.person = person
        self.opened = opened
        self.closed = closed
        self.closureReason = closureReason
    }

    enum CodingKeys: String, CodingKey {
        case id, jurisdiction, status, pathway, person, opened, closed
        case traffickingStatus = "trafficking_status"
        case statusDetermination = "status_determination"
        case ownerOrganisation = "owner_organisation"
        case assignedWorker = "assigned_worker"
        case closureReason = "closure_reason"
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("case")
        c.jurisdiction(jurisdiction, "jurisdiction")
        c.notBefore1900(opened, "opened")
        c.order(opened, "opened", closed, "closed")
        c.optionalText(closureReason, "closure_reason")
        let isClosed = status == .closed || status == .closedReferred
        if isClosed && closed == nil { c.fail("closed", "is required when the case is closed: give the closing date") }
        if !isClosed && closed != nil { c.fail("closed", "must be left out while the case is open") }
        if let statusDetermination {
            c.merge(statusDetermination.validationErrors(at: c.path("status_determination")))
        } else if traffickingStatus != .notDetermined {
            c.fail("status_determination", "is required once a trafficking status is set: say who decided it and how")
        }
        return c.errors
    }
}
