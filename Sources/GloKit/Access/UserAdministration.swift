@preconcurrency import Crypto
import Foundation
import GloJSON

/// What an administrator does to users from the command line: add one whole (or nothing), lift a
/// lockout, set a new password. Each is written to the audit log as the administrator's act.
extension Users {
    /// A sign-in name with its password, for the web UI.
    public struct NewLogin: Sendable {
        public var name: String
        public var password: String

        public init(name: String, password: String) {
            self.name = name
            self.password = password
        }
    }

    /// Adds a user, with a sign-in name and password when given, and issues their first token, in one
    /// commit: every input is checked first (the user's fields, the name free, the password's rules,
    /// the jurisdictions among `served` when given, and with `knownOrganisation`, the organisation one
    /// that a user already belongs to), so a refused one stores nothing and a retry does not make a
    /// second user. Returns the token (shown once).
    public func add(_ user: User, login: NewLogin?, served: Set<JurisdictionID>? = nil, knownOrganisation: Bool = false,
                    cost: PasswordHasher.Cost = .standard) async throws -> String {
        var errors = user.validationErrors()
        if knownOrganisation, !(try await all()).contains(where: { $0.organisation == user.organisation }) {
            errors.append(FieldError(field: "organisation", message: "no user belongs to organisation \(user.organisation): give an existing user's organisation (glo-host users list), or leave it out for a new one"))
        }
        if user.roles.isEmpty { errors.append(FieldError(field: "roles", message: "must name at least one role")) }
        if let served {
            for j in user.jurisdictions where !served.contains(j) {
                errors.append(FieldError(field: "jurisdictions", message: "\(j) has no pack here (served: \(served.map(\.rawValue).sorted().joined(separator: ", ")))"))
            }
        }
        var stored: Login?
        if let login {
            let candidate = Login(name: login.name.lowercased(), user: user.id, passwordHash: "")
            errors += candidate.validationErrors()
            if candidate.validationErrors().isEmpty, try await records.get(Login.self, candidate.name) != nil {
                errors.append(FieldError(field: "login", message: "\(candidate.name) is taken: choose another sign-in name"))
            }
            if login.password.count < PasswordHasher.minimumLength {
                errors.append(FieldError(field: "password", message: "must be at least \(PasswordHasher.minimumLength) characters"))
            }
            if errors.isEmpty { stored = Login(name: candidate.name, user: user.id, passwordHash: try PasswordHasher.hash(login.password, cost: cost)) }
        }
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
        let (token, credential) = Self.newCredential(for: user.id)
        let login = stored
        try await records.commit { change in
            try change.insert(user)
            change.emit(CoreEvents.userAdded, jurisdiction: nil, subject: "user:\(user.id)", actor: .system,
                        data: .object(["user_id": .string(user.id.description), "roles": .array(user.roles.map { .string($0.rawValue) })]))
            if let login { try change.insert(login) }
            try change.insert(credential)
            change.emit(CoreEvents.tokenIssued, jurisdiction: nil, subject: "user:\(user.id)", actor: .system,
                        data: .object(["user_id": .string(user.id.description), "credential_id": .string(credential.id)]))
        }
        return token
    }

    /// Lifts the lockout of a sign-in name after too many failed sign-ins. Returns its user.
    @discardableResult
    public func unlock(_ name: String) async throws -> UserID {
        let key = name.lowercased()
        guard let login = try await records.get(Login.self, key)?.value else { throw GloKitError.notFound("sign-in name", key) }
        try await records.retryingConflicts {
            guard let found = try await records.get(SignInFailures.self, key) else { return }
            try await records.commit { change in
                try change.update(SignInFailures(name: key, failures: 0, since: .now), from: found.version)
            }
        }
        return login.user
    }

    /// Sets a new password for a sign-in name, lifts its lockout and ends its open sessions. Returns
    /// its user.
    @discardableResult
    public func resetPassword(_ name: String, to password: String, cost: PasswordHasher.Cost = .standard) async throws -> UserID {
        let key = name.lowercased()
        guard let found = try await records.get(Login.self, key) else { throw GloKitError.notFound("sign-in name", key) }
        var login = found.value
        login.passwordHash = try PasswordHasher.hash(password, cost: cost)
        let sessions = try await records.list(WebSession.self, key: IndexKey("user", login.user.description))
            .filter { $0.value.endedAt == nil }
        let updated = login
        try await records.commit { change in
            try change.update(updated, from: found.version)
            for session in sessions {
                var ended = session.value
                ended.endedAt = .now
                try change.update(ended, from: session.version)
            }
        }
        try await unlock(key)
        return login.user
    }

    /// A new token and the credential that keeps its hash.
    static func newCredential(for id: UserID) -> (token: String, credential: Credential) {
        let credentialID = EntityID<Credential>().uuid.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let secretText = secret.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return ("glo_\(credentialID)_\(secretText)", Credential(id: credentialID, user: id, secretHash: hash(secretText), createdAt: .now))
    }
}
