// SymmetricKey and the digests are immutable values that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
import Foundation
import GloJSON

/// A bearer token's stored form: only the SHA-256 of its secret is kept, so the store never holds a
/// usable token. The token itself (`glo_<id>_<secret>`) is shown once, when it is issued.
public struct Credential: StoredEntity, Equatable {
    public static let collection = RecordCollection("credential")
    public var id: String
    public var user: UserID
    public var secretHash: String
    public var createdAt: Timestamp
    public var revokedAt: Timestamp?

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [IndexKey("user", user.description)] }
    public func validationErrors() -> [FieldError] { [] }

    enum CodingKeys: String, CodingKey {
        case id, user
        case secretHash = "secret_hash"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

/// Users and their tokens: add, disable, issue a token, and tell who a token belongs to.
public struct Users: Sendable {
    let records: Records

    public init(records: Records) { self.records = records }

    @discardableResult
    public func add(_ user: User) async throws -> User {
        try await records.commit { change in
            try change.insert(user)
            change.emit(CoreEvents.userAdded, jurisdiction: nil, subject: "user:\(user.id)", actor: .system,
                        data: .object(["user_id": .string(user.id.description),
                                       "roles": .array(user.roles.map { .string($0.rawValue) })]))
        }
        return user
    }

    public func all() async throws -> [User] {
        try await records.store.records(User.collection, after: nil, limit: Int.max).map { try GloKitCoding.decode(User.self, from: $0.body) }
    }

    /// Sets the language a user's pages are shown in.
    public func setLanguage(_ id: UserID, _ language: String) async throws {
        try await records.retryingConflicts {
            let found = try await records.require(User.self, id.description)
            var user = found.value
            user.language = language
            let updated = user
            try await records.commit { change in try change.update(updated, from: found.version) }
        }
    }

    /// Disables a user and revokes their tokens.
    public func disable(_ id: UserID) async throws {
        let found = try await records.require(User.self, id.description)
        var user = found.value
        user.disabled = true
        let credentials = try await records.list(Credential.self, key: IndexKey("user", id.description))
        let disabled = user
        try await records.commit { change in
            try change.update(disabled, from: found.version)
            for c in credentials where c.value.revokedAt == nil {
                var revoked = c.value
                revoked.revokedAt = .now
                try change.update(revoked, from: c.version)
            }
            change.emit(CoreEvents.userDisabled, jurisdiction: nil, subject: "user:\(id)", actor: .system,
                        data: .object(["user_id": .string(id.description)]))
        }
    }

    /// Issues a new token for an enabled user; returns it (shown once).
    public func issueToken(for id: UserID) async throws -> String {
        let user = try await records.require(User.self, id.description).value
        guard !user.disabled else { throw GloKitError.refused("user \(id) is disabled") }
        let (token, credential) = Self.newCredential(for: id)
        try await records.commit { change in
            try change.insert(credential)
            change.emit(CoreEvents.tokenIssued, jurisdiction: nil, subject: "user:\(id)", actor: .system,
                        data: .object(["user_id": .string(id.description), "credential_id": .string(credential.id)]))
        }
        return token
    }

    /// The enabled user a token belongs to, or nil (unknown, revoked, malformed, or user disabled).
    public func user(forToken token: String) async throws -> User? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "glo", parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit),
              let credential = try await records.get(Credential.self, String(parts[1]))?.value,
              credential.revokedAt == nil else { return nil }
        let presented = Array(Self.hash(String(parts[2])).utf8), stored = Array(credential.secretHash.utf8)
        // Constant time: the comparison does not stop at the first difference.
        guard presented.count == stored.count, zip(presented, stored).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        guard let user = try await records.get(User.self, credential.user.description)?.value, !user.disabled else { return nil }
        return user
    }

    /// SHA-256 in lower-case hex: how secrets and keys are stored.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexText
    }
}
