// SymmetricKey is an immutable value that swift-crypto 3 does not mark Sendable.
@preconcurrency import _CryptoExtras
@preconcurrency import Crypto
import Foundation
import GloJSON

/// Passwords for the web sign-in, hashed with scrypt (memory-hard): `scrypt$N$r$p$salt$hash`, base64.
/// The cost is stored with the hash, so it can be raised later without breaking old ones.
public enum PasswordHasher {
    public struct Cost: Sendable {
        public var n: Int, r: Int, p: Int
        /// N = 2^15, r = 8, p = 1: 32 MiB and about a tenth of a second here.
        public static let standard = Cost(n: 1 << 15, r: 8, p: 1)
        /// For tests only.
        public static let fast = Cost(n: 1 << 10, r: 8, p: 1)
    }

    public static let minimumLength = 12

    public static func hash(_ password: String, cost: Cost = .standard) throws -> String {
        guard password.count >= minimumLength else {
            throw ValidationFailure(errors: [FieldError(field: "password", message: "must be at least \(minimumLength) characters")])
        }
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let key = try KDF.Scrypt.deriveKey(from: Data(password.utf8), salt: salt, outputByteCount: 32, rounds: cost.n,
                                           blockSize: cost.r, parallelism: cost.p)
        let derived = key.withUnsafeBytes { Data($0) }
        return "scrypt$\(cost.n)$\(cost.r)$\(cost.p)$\(salt.base64EncodedString())$\(derived.base64EncodedString())"
    }

    public static func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
              let key = try? KDF.Scrypt.deriveKey(from: Data(password.utf8), salt: salt, outputByteCount: expected.count,
                                                  rounds: n, blockSize: r, parallelism: p) else { return false }
        let derived = key.withUnsafeBytes { Data($0) }
        return derived.count == expected.count && zip(derived, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A user's sign-in name and password hash.
public struct Login: StoredEntity, Equatable {
    public static let collection = RecordCollection("login")
    /// The sign-in name, lower case.
    public var name: String
    public var user: UserID
    public var passwordHash: String

    public var recordID: String { name }
    public var indexKeys: [IndexKey] { [IndexKey("user", user.description)] }
    public func validationErrors() -> [FieldError] {
        let ok = !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isLetter || $0.isNumber || "._-@".contains($0) }
        return ok ? [] : [FieldError(field: "login", message: "must be 1 to 64 letters, digits, dots, dashes, underscores or @")]
    }

    enum CodingKeys: String, CodingKey {
        case name, user
        case passwordHash = "password_hash"
    }
}

/// Failed sign-ins of one sign-in name (whether or not it exists, so the lock tells nothing about
/// which names do): after `limit` failures within `window`, the name is locked for `lockout`, and
/// even the right password is refused until then. Kept in the store, so it holds across hosts.
public struct SignInFailures: StoredEntity, Equatable {
    public static let collection = RecordCollection("sign_in_failures")
    public static let limit = 5
    public static let window: Int64 = 15 * 60 * 1000
    public static let lockout: Int64 = 15 * 60 * 1000

    /// The sign-in name, lower case.
    public var name: String
    public var failures: Int
    public var since: Timestamp
    public var lockedUntil: Timestamp?

    public var recordID: String { name }
    public var indexKeys: [IndexKey] { [] }
    public func validationErrors() -> [FieldError] { [] }

    /// This record after one more failure at `now`.
    func failed(at now: Timestamp) -> SignInFailures {
        var next = self
        if now.millisecondsSince1970 - since.millisecondsSince1970 > Self.window || lockedUntil.map({ $0 <= now }) == true {
            next = SignInFailures(name: name, failures: 0, since: now, lockedUntil: nil)
        }
        next.failures += 1
        if next.failures >= Self.limit {
            next.lockedUntil = Timestamp(millisecondsSince1970: now.millisecondsSince1970 + Self.lockout)
        }
        return next
    }

    enum CodingKeys: String, CodingKey {
        case name, failures, since
        case lockedUntil = "locked_until"
    }
}

/// A sign-in refused because the name had too many failures; try again at `until`.
public struct SignInLocked: Error, Sendable {
    public var until: Timestamp
}

/// A signed-in browser: the cookie carries a secret; the store keeps its SHA-256 as the id, the user,
/// the CSRF token the forms must echo, and when it expires.
public struct WebSession: StoredEntity, Equatable {
    public static let collection = RecordCollection("web_session")
    public var id: String
    public var user: UserID
    public var csrfToken: String
    public var expires: Timestamp
    public var endedAt: Timestamp?
    /// The role chosen at sign-in, for a user with several; nil: the one that allows the most.
    public var role: Role?

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [IndexKey("user", user.description)] }
    public func validationErrors() -> [FieldError] { [] }

    enum CodingKeys: String, CodingKey {
        case id, user, expires, role
        case csrfToken = "csrf_token"
        case endedAt = "ended_at"
    }
}

extension Users {
    /// Gives a user a sign-in name and password (replacing any earlier password for that name).
    public func setLogin(_ name: String, password: String, for id: UserID, cost: PasswordHasher.Cost = .standard) async throws {
        _ = try await records.require(User.self, id.description)
        let login = Login(name: name.lowercased(), user: id, passwordHash: try PasswordHasher.hash(password, cost: cost))
        let found = try await records.get(Login.self, login.name)
        if let found, found.value.user != id { throw GloKitError.refused("the sign-in name \(login.name) belongs to another user") }
        try await records.commit { change in
            if let found { try change.update(login, from: found.version) } else { try change.insert(login) }
        }
    }

    /// The enabled user with this sign-in name and password, or nil. The time taken does not tell
    /// whether the name exists. A name with too many recent failures throws `SignInLocked`
    /// (`SignInFailures`), without looking at the password.
    public func signIn(_ name: String, password: String) async throws -> User? {
        let key = name.lowercased()
        let failures = try await records.get(SignInFailures.self, key)
        if let until = failures?.value.lockedUntil, until > .now { throw SignInLocked(until: until) }
        let login = try await records.get(Login.self, key)?.value
        let hash = login?.passwordHash ?? Users.decoyHash
        guard PasswordHasher.verify(password, against: hash), let login,
              let user = try await records.get(User.self, login.user.description)?.value, !user.disabled else {
            try await recordFailure(key)
            return nil
        }
        if let failures, failures.value.failures > 0 {
            try? await records.commit { change in
                try change.update(SignInFailures(name: key, failures: 0, since: .now), from: failures.version)
            }
        }
        return user
    }

    private func recordFailure(_ key: String) async throws {
        guard key.count <= 200 else { return }
        try await records.retryingConflicts {
            let found = try await records.get(SignInFailures.self, key)
            let next = (found?.value ?? SignInFailures(name: key, failures: 0, since: .now)).failed(at: .now)
            try await records.commit { change in
                if let found { try change.update(next, from: found.version) } else { try change.insert(next) }
            }
        }
    }

    /// Opens a session for a signed-in user; returns the cookie's secret (shown once) and the session.
    public func openSession(for user: User, role: Role? = nil, lasting seconds: Int64 = 8 * 3600) async throws -> (secret: String, session: WebSession) {
        let secret = Users.randomToken(), csrf = Users.randomToken()
        var session = WebSession(id: Users.hash(secret), user: user.id, csrfToken: csrf,
                                 expires: Timestamp(millisecondsSince1970: Timestamp.now.millisecondsSince1970 + seconds * 1000))
        session.role = role
        try await records.commit { change in try change.insert(session) }
        return (secret, session)
    }

    /// The live session and its enabled user for a cookie's secret, or nil.
    public func session(_ secret: String) async throws -> (WebSession, User)? {
        guard secret.count >= 20, let session = try await records.get(WebSession.self, Users.hash(secret))?.value,
              session.endedAt == nil, session.expires > .now,
              let user = try await records.get(User.self, session.user.description)?.value, !user.disabled else { return nil }
        return (session, user)
    }

    public func endSession(_ secret: String) async throws {
        guard let found = try await records.get(WebSession.self, Users.hash(secret)), found.value.endedAt == nil else { return }
        var ended = found.value
        ended.endedAt = .now
        try await records.commit { change in try change.update(ended, from: found.version) }
    }

    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A hash of a password nobody has, verified when the name is unknown (same work either way).
    static let decoyHash = (try? PasswordHasher.hash("decoy-password-for-unknown-names")) ?? ""
}
