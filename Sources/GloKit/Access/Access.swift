import Foundation
import GloJSON

/// Who is asking: a user acting in one of their roles.
public struct Caller: Sendable, Hashable {
    public let user: User
    public let role: Role

    /// The user in `role`, if they hold it and are not disabled.
    public init?(_ user: User, as role: Role) {
        guard user.has(role) else { return nil }
        self.user = user
        self.role = role
    }

    /// The user in the role that allows the most of what they may do (for a token without a role).
    /// Every role is in the order: a user whose only role was missing from it had no caller at all,
    /// and their token was refused as unknown (a data-protection officer's, until 2026-12).
    public init?(_ user: User) {
        guard let role = Self.preference.first(where: user.has) else { return nil }
        self.init(user, as: role)
    }

    static let preference: [Role] = {
        let first: [Role] = [.supervisor, .legalOfficer, .caseworker, .admin, .ruleAuthor, .auditor, .dataProtectionOfficer]
        return first + Role.allCases.filter { !first.contains($0) }
    }()

    public var actor: Agent { .user(user.id) }
}

/// What a request may ask to do.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    /// Read a case, its person and everything recorded on it.
    case readCase = "read_case"
    /// Create or change a case and what is recorded on it.
    case writeCase = "write_case"
    /// Override a consent or a determination (needs a reason too).
    case override
    /// Export figures or a case.
    case export
    /// Manage users and tokens; see plugins, events and dead letters.
    case administer
    /// See rule packs, their tests, and reload them.
    case manageRules = "manage_rules"
    /// Ask the rules what they would decide on given facts, storing nothing (a what-if, for rule
    /// authors and trainers). The law is no secret; the facts asked about are kept nowhere.
    case evaluateRules = "evaluate_rules"
    /// Query the audit log.
    case audit
    /// Erase a person's data (destroy their data key), with a reason.
    case erase
}

/// The access policy: which role may do what, and where (least privilege).
///
/// | role | read/write cases | override | export | administer | rules | what-if | audit |
/// |---|---|---|---|---|---|---|---|
/// | caseworker | own jurisdictions | | | | | yes | |
/// | legal_officer | own jurisdictions | yes | | | | yes | |
/// | supervisor | own jurisdictions | yes | yes | | | yes | |
/// | rule_author | | | | | yes | yes | |
/// | admin | | yes (Override) | | yes | yes | yes | |
/// | auditor | | | | | | | yes |
/// | data_protection_officer | | | | | | | | erase a person (with a reason) |
///
/// Case data is scoped to the user's jurisdictions; a case of another jurisdiction is readable only
/// where it was shared with the user's organisation (see `CaseShare`), and then only what was shared.
public enum AccessPolicy {
    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        switch (role, permission) {
        case (.caseworker, .readCase), (.caseworker, .writeCase): return true
        case (.legalOfficer, .readCase), (.legalOfficer, .writeCase), (.legalOfficer, .override): return true
        case (.supervisor, .readCase), (.supervisor, .writeCase), (.supervisor, .override), (.supervisor, .export): return true
        case (.ruleAuthor, .manageRules): return true
        case (.admin, .administer), (.admin, .manageRules), (.admin, .override): return true
        case (.auditor, .audit): return true
        case (.dataProtectionOfficer, .erase): return true
        case (.dataProtectionOfficer, .evaluateRules): return false
        case (.auditor, .evaluateRules): return false
        case (_, .evaluateRules): return true
        default: return false
        }
    }

    /// Whether the caller may do `permission` on something of `jurisdiction` (nil: not jurisdiction-bound).
    public static func check(_ caller: Caller, _ permission: Permission, in jurisdiction: JurisdictionID?) throws(AccessDenied) {
        guard allows(caller.role, permission) else {
            throw AccessDenied(reason: "the role \(caller.role.rawValue) may not \(permission.rawValue.replacingOccurrences(of: "_", with: " "))")
        }
        if let jurisdiction, !caller.user.jurisdictions.contains(jurisdiction) {
            throw AccessDenied(reason: "\(jurisdiction) is not among your jurisdictions (\(caller.user.jurisdictions.map(\.rawValue).joined(separator: ", ")))")
        }
    }
}

/// A request the policy refuses. The reason names roles and jurisdictions, never record content.
public struct AccessDenied: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
