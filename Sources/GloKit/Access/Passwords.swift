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

/// A signed-in browser: the cookie carries a secret; the store keeps its SHA-256 as the id, the user,
/// the CSRF token the forms must echo, and when it expires.
public struct WebSession: StoredEntity, Equatable {
    public static let collection = RecordCollection("web_session")
    public var id: String
    public var user: UserID
    public var csrfToken: String
    public var expires: Timestamp
    public var endedAt: Timestamp?

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [IndexKey("user", user.description)] }
    public func validationErrors() -> [FieldError] { [] }

    enum CodingKeys: String, CodingKey {
        case id, user, expires
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
    /// whether the name exists.
    public func signIn(_ name: String, password: String) async throws -> User? {
        let login = try await records.get(Login.self, name.lowercased())?.value
        let hash = login?.passwordHash ?? Users.decoyHash
        guard PasswordHasher.verify(password, against: hash), let login,
              let user = try await records.get(User.self, login.user.description)?.value, !user.disabled else { return nil }
        return user
    }

    /// Opens a session for a signed-in user; returns the cookie's secret (shown once) and the session.
    public func openSession(for user: User, lasting seconds: Int64 = 8 * 3600) async throws -> (secret: String, session: WebSession) {
        let secret = Users.randomToken(), csrf = Users.randomToken()
        let session = WebSession(id: Users.hash(secret), user: user.id, csrfToken: csrf,
                                 expires: Timestamp(millisecondsSince1970: Timestamp.now.millisecondsSince1970 + seconds * 1000))
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
