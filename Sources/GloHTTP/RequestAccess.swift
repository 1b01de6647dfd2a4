public import GloKit
public import HTTPTypes
import Synchronization

/// What a request was let see, noted as its access checks pass: the grants (permission and
/// jurisdiction, or a case shared with the caller's organisation) and the people whose data its
/// answer may hold. The idempotency middleware keeps both with an answer it stores: the answer is
/// sealed under those people's keys (so erasing one of them makes it unreadable), and before it is
/// replayed each grant is checked again against the caller as they are now.
public final class RequestAccess: Sendable {
    @TaskLocal public static var current: RequestAccess?

    /// One access check that passed.
    public struct Grant: Sendable, Hashable, Codable {
        public var permission: String
        public var jurisdiction: String?
        /// Set when access came from a case shared with the caller's organisation: the case and section.
        public var sharedCase: String?
        public var section: String?
        /// Set when access to a person was decided by `APIServices.mayRead`: decided again the same way.
        public var person: String?

        public init(permission: String, jurisdiction: String? = nil, sharedCase: String? = nil, section: String? = nil,
                    person: String? = nil) {
            self.permission = permission
            self.jurisdiction = jurisdiction
            self.sharedCase = sharedCase
            self.section = section
            self.person = person
        }
    }

    private struct Noted {
        var grants: Set<Grant> = []
        var persons: Set<PersonID> = []
    }
    private let noted = Mutex(Noted())

    public init() {}

    public var grants: [Grant] { noted.withLock { Array($0.grants) } }
    public var persons: [PersonID] { noted.withLock { Array($0.persons) } }

    static func grant(_ permission: Permission, in jurisdiction: JurisdictionID?) {
        current?.noted.withLock { _ = $0.grants.insert(Grant(permission: permission.rawValue, jurisdiction: jurisdiction?.rawValue)) }
    }

    static func shared(_ id: CaseID, _ section: CaseShare.Section) {
        current?.noted.withLock {
            _ = $0.grants.insert(Grant(permission: Permission.readCase.rawValue, jurisdiction: nil, sharedCase: id.description,
                                       section: section.rawValue))
        }
    }

    static func readPerson(_ id: PersonID) {
        current?.noted.withLock {
            _ = $0.grants.insert(Grant(permission: Permission.readCase.rawValue, jurisdiction: nil, person: id.description))
            _ = $0.persons.insert(id)
        }
    }

    /// The answer may hold this person's data.
    public static func concerns(_ person: PersonID) { current?.noted.withLock { _ = $0.persons.insert(person) } }
}

extension APIServices {
    /// Whether `caller`, as they are now, still holds every grant (for replaying a stored answer).
    public func stillHolds(_ grants: [RequestAccess.Grant], _ caller: Caller) async throws -> Bool {
        for grant in grants {
            guard let permission = Permission(rawValue: grant.permission) else { return false }
            if let person = grant.person {
                guard let id = PersonID(person), try await mayReadUnnoted(caller, person: id) else { return false }
            } else if let shared = grant.sharedCase {
                guard AccessPolicy.allows(caller.role, permission), let id = CaseID(shared),
                      let section = grant.section.flatMap(CaseShare.Section.init(rawValue:)),
                      try await host.records.sharedSections(id, with: caller.user.organisation).contains(section) else { return false }
            } else {
                do { try AccessPolicy.check(caller, permission, in: grant.jurisdiction.map { JurisdictionID($0) }) } catch { return false }
            }
        }
        return true
    }
}

/// How a user with several roles acts in one: the role chosen for the session at sign-in, or for one
/// request with the header `X-Glo-Role`; without a choice, the role that allows the most (`Caller`).
/// The audit log records the role each request was made in.
public enum RoleChoice {
    public static let header = HTTPField.Name("X-Glo-Role")!

    /// The caller for `user` in the role the request (or else the session) chose; a role the user
    /// does not hold is refused, naming the roles they do hold.
    public static func caller(_ user: User, request: HTTPFields, session: Role?) throws -> Caller? {
        let asked = request[header]
        guard let name = asked ?? session?.rawValue else { return Caller(user) }
        guard let role = Role(rawValue: name) else {
            throw Problem.badRequest("\(header.rawName) must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let caller = Caller(user, as: role) else {
            if user.disabled { return nil }
            throw Problem(.forbidden, "role-not-held", "Role not held",
                          "you do not hold the role \(role.rawValue); yours: \(user.roles.map(\.rawValue).joined(separator: ", "))")
        }
        return caller
    }
}
