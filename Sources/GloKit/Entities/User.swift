/// What a user may do. Roles are scoped by the user's organisation and jurisdictions
/// (`AccessPolicy`; docs/architecture.md, "The server").
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case caseworker
    case legalOfficer = "legal_officer"
    case supervisor
    case ruleAuthor = "rule_author"
    case admin
    case auditor
    /// Decides on and carries out erasures (a data subject's request); sees nothing of the cases.
    case dataProtectionOfficer = "data_protection_officer"
}

/// A person who uses glo-host (a caseworker, a rule author...). Not a person in the records.
public struct User: Sendable, Hashable, Codable, Validatable {
    public var id: UserID
    public var displayName: String
    public var roles: [Role]
    public var organisation: OrganisationID
    public var jurisdictions: [JurisdictionID]
    public var disabled: Bool
    /// The language of the web UI's labels: `en`, `lo` or `th` (English when absent).
    public var language: String?

    public init(id: UserID = UserID(), displayName: String, roles: [Role], organisation: OrganisationID,
                jurisdictions: [JurisdictionID], disabled: Bool = false, language: String? = nil) {
        self.id = id
        self.displayName = displayName
        self.roles = roles
        self.organisation = organisation
        self.jurisdictions = jurisdictions
        self.disabled = disabled
        self.language = language
    }

    enum CodingKeys: String, CodingKey {
        case id, roles, organisation, jurisdictions, disabled, language
        case displayName = "display_name"
    }

    public func has(_ role: Role) -> Bool { !disabled && roles.contains(role) }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("user")
        c.text(displayName, "display_name")
        if roles.isEmpty { c.fail("roles", "must hold at least one role") }
        if Set(roles).count != roles.count { c.fail("roles", "must not list the same role twice") }
        if jurisdictions.isEmpty { c.fail("jurisdictions", "must hold at least one jurisdiction") }
        for (i, j) in jurisdictions.enumerated() { c.jurisdiction(j, "jurisdictions[\(i)]") }
        return c.errors
    }
}

/// A human decision that sets aside what the normal path requires (consent, or a rule's outcome),
/// recorded with who made it, in which role, when and why (Primero: an override by a permitted role
/// is recorded with its reason).
public struct Override: Sendable, Hashable, Codable, Validatable {
    /// The roles allowed to override.
    public static let permittedRoles: Set<Role> = [.supervisor, .admin, .legalOfficer]

    public var user: UserID
    public var role: Role
    public var reason: String
    public var at: Timestamp

    public init(user: UserID, role: Role, reason: String, at: Timestamp = .now) {
        self.user = user
        self.role = role
        self.reason = reason
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case user, role, reason, at }

    public func validationErrors() -> [FieldError] { validationErrors(at: "override") }

    func validationErrors(at prefix: String) -> [FieldError] {
        var c = FieldChecks(prefix)
        if reason.allSatisfy(\.isWhitespace) { c.fail("reason", "is required for an override: say why") }
        if !Override.permittedRoles.contains(role) {
            c.fail("role", "must be supervisor, admin or legal_officer to override")
        }
        return c.errors
    }
}
