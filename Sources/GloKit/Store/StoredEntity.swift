import Foundation
import GloJSON

/// An entity kept as a record: its collection, its id, and the keys it can be found by.
/// Its body is its JSON (`GloKitCoding`). `Person` is not one: it is kept as a `SealedPerson`.
public protocol StoredEntity: Codable, Sendable, Validatable {
    static var collection: RecordCollection { get }
    var recordID: String { get }
    /// The keys the store indexes, such as the case it belongs to.
    var indexKeys: [IndexKey] { get }
    /// The entity as stored: any copy of personal data in it sealed (by default, itself).
    func sealed(by vault: PersonVault) throws -> Self
    /// The entity as read back: what `sealed` sealed, opened.
    func opened(by vault: PersonVault) throws -> Self
}

extension StoredEntity {
    public func sealed(by vault: PersonVault) throws -> Self { self }
    public func opened(by vault: PersonVault) throws -> Self { self }
}

/// An entity with the version it was read at; update it with that version.
public struct Versioned<Value: Sendable>: Sendable {
    public var value: Value
    public var version: Int64

    public init(_ value: Value, version: Int64) {
        self.value = value
        self.version = version
    }
}

extension IndexKey {
    public static func caseID(_ id: CaseID) -> IndexKey { IndexKey("case", id.description) }
    public static func jurisdiction(_ id: JurisdictionID) -> IndexKey { IndexKey("jurisdiction", id.rawValue) }
    public static func person(_ id: PersonID) -> IndexKey { IndexKey("person", id.description) }
    /// Decisions of one jurisdiction and decision name, for `rules diff --from-store`.
    public static func decision(_ jurisdiction: JurisdictionID, _ name: String) -> IndexKey {
        IndexKey("decision", "\(jurisdiction.rawValue)|\(name)")
    }
}

extension Case: StoredEntity {
    public static let collection = RecordCollection("case")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] {
        [.jurisdiction(jurisdiction), .person(person), IndexKey("organisation", ownerOrganisation.description)]
    }
}

extension Screening: StoredEntity {
    public static let collection = RecordCollection("screening")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { [.caseID(caseID)] }
}

extension DecisionRecord: StoredEntity {
    public static let collection = RecordCollection("decision")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] {
        var keys: [IndexKey] = [.decision(jurisdiction, decision), .jurisdiction(jurisdiction)]
        if let caseID { keys.append(.caseID(caseID)) }
        return keys
    }

    /// The facts snapshot may hold a birthdate or citizenship: it is sealed like a person's fields,
    /// bound to the decision's id, under the key of the case's person (the host's for a what-if).
    public func sealed(by vault: PersonVault) throws -> DecisionRecord {
        var copy = self
        copy.factsSnapshot = try vault.sealedText(factsSnapshot, boundTo: id.description, for: caseID.map { .caseOf($0) } ?? .host)
        return copy
    }

    /// An erased person's decision keeps its outcome, reasons and basis (statistics stay whole);
    /// its facts read `{"erased": true}`.
    public func opened(by vault: PersonVault) throws -> DecisionRecord {
        var copy = self
        do { copy.factsSnapshot = try vault.openedText(factsSnapshot, boundTo: id.description) } catch VaultError.erased {
            copy.factsSnapshot = #"{"erased":true}"#
        }
        return copy
    }
}

extension Consent: StoredEntity {
    public static let collection = RecordCollection("consent")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { caseID.map { [.caseID($0)] } ?? [] }
}

extension Referral: StoredEntity {
    public static let collection = RecordCollection("referral")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { [.caseID(caseID)] }
}

extension Organisation: StoredEntity {
    public static let collection = RecordCollection("organisation")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { [.jurisdiction(jurisdiction)] }
}

extension User: StoredEntity {
    public static let collection = RecordCollection("user")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { [IndexKey("organisation", organisation.description)] }
}

/// A person as stored: the opaque id in the clear, the identifying fields sealed (`PersonVault`),
/// and the keyed hashes of the name parts as index keys.
/// An erased person is a tombstone: the id and the dates, nothing sealed, no name keys.
struct SealedPerson: Codable, Sendable {
    static let collection = RecordCollection("person")
    var id: PersonID
    var createdAt: Timestamp
    var sealed: String
    var erasedAt: Timestamp?
    var registeredBy: UserID?

    init(id: PersonID, createdAt: Timestamp, sealed: String, erasedAt: Timestamp? = nil, registeredBy: UserID? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.sealed = sealed
        self.erasedAt = erasedAt
        self.registeredBy = registeredBy
    }

    enum CodingKeys: String, CodingKey {
        case id, sealed
        case createdAt = "created_at"
        case erasedAt = "erased_at"
        case registeredBy = "registered_by"
    }
}
