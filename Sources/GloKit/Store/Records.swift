import Foundation
import GloJSON

/// The typed way to read and write the store: entities in, entities out, personal data sealed on the
/// way in and opened on the way out. Plugins and the host reach the store only through this.
public struct Records: Sendable {
    public let store: any Store
    public let vault: PersonVault

    /// The event bus hears of every commit from the store itself (`Store.observeCommits`).
    public init(store: any Store, vault: PersonVault) {
        self.store = store
        self.vault = vault
    }

    // MARK: Reading

    public func get<E: StoredEntity>(_ type: E.Type, _ id: String) async throws -> Versioned<E>? {
        guard let record = try await store.record(E.collection, id: id) else { return nil }
        return Versioned(try decode(E.self, record), version: record.version)
    }

    /// The entity, or `GloKitError.notFound` naming what is missing.
    public func require<E: StoredEntity>(_ type: E.Type, _ id: String) async throws -> Versioned<E> {
        guard let found = try await get(type, id) else { throw GloKitError.notFound(E.collection.rawValue, id) }
        return found
    }

    public func list<E: StoredEntity>(_ type: E.Type, key: IndexKey, limit: Int = 10_000,
                                      newestFirst: Bool = false) async throws -> [Versioned<E>] {
        try await store.records(E.collection, key: key, limit: limit, newestFirst: newestFirst).map {
            Versioned(try decode(E.self, $0), version: $0.version)
        }
    }

    /// Every record of a collection, a page at a time in id order: the records after `afterID`
    /// (nil: from the first). A sweep reads a whole collection this way.
    public func scan<E: StoredEntity>(_ type: E.Type, after afterID: String?, limit: Int = 500) async throws -> [E] {
        try await store.records(E.collection, after: afterID, limit: limit).map { try decode(E.self, $0) }
    }

    public func person(_ id: PersonID) async throws -> Versioned<Person>? {
        guard let record = try await store.record(SealedPerson.collection, id: id.description) else { return nil }
        return Versioned(try openPerson(record), version: record.version)
    }

    public func requirePerson(_ id: PersonID) async throws -> Versioned<Person> {
        guard let found = try await person(id) else { throw GloKitError.notFound("person", id.description) }
        return found
    }

    /// People whose names contain every part of `name` (case and diacritics ignored), at most `limit`.
    public func findPersons(named name: String, limit: Int = 50) async throws -> [Person] {
        let keys = vault.searchKeys(name)
        guard let first = keys.first else { return [] }
        var candidates = try await store.records(SealedPerson.collection, key: first, limit: 10_000, newestFirst: false)
        for key in keys.dropFirst() { candidates.removeAll { !$0.keys.contains(key) } }
        return try candidates.prefix(limit).map(openPerson)
    }

    /// People already registered who may be the same person: they share name parts (ranked by how
    /// many, and first those with the same date of birth). Shown before registering someone anew.
    public func likelyDuplicates(of personal: PersonalData, limit: Int = 10) async throws -> [DuplicateCandidate] {
        var shared: [String: (record: StoredRecord, parts: Int)] = [:]
        for key in vault.nameKeys(personal) {
            for record in try await store.records(SealedPerson.collection, key: key, limit: 1_000, newestFirst: false) {
                shared[record.id, default: (record, 0)].parts += 1
            }
        }
        var found: [DuplicateCandidate] = []
        for (_, entry) in shared {
            let person = try openPerson(entry.record)
            let sameBirth = personal.dateOfBirth != nil && personal.dateOfBirth == person.personal.dateOfBirth
            found.append(DuplicateCandidate(person: person, sharedNameParts: entry.parts, sameDateOfBirth: sameBirth))
        }
        found.sort {
            ($0.sameDateOfBirth ? 1 : 0, $0.sharedNameParts, $1.person.id) > ($1.sameDateOfBirth ? 1 : 0, $1.sharedNameParts, $0.person.id)
        }
        return Array(found.prefix(limit))
    }

    func decode<E: StoredEntity>(_ type: E.Type, _ record: StoredRecord) throws -> E {
        let entity: E
        do { entity = try GloKitCoding.decode(E.self, from: record.body) } catch {
            throw StoreError.failed("\(E.collection) \(record.id) cannot be read back (stored by another version?)")
        }
        return try entity.opened(by: vault)
    }

    func openPerson(_ record: StoredRecord) throws -> Person {
        let sealed: SealedPerson
        do { sealed = try GloKitCoding.decode(SealedPerson.self, from: record.body) } catch {
            throw StoreError.failed("person \(record.id) cannot be read back")
        }
        guard let bytes = Data(base64Encoded: sealed.sealed) else { throw VaultError.cannotOpen(sealed.id) }
        return Person(id: sealed.id, createdAt: sealed.createdAt, personal: try vault.open(Array(bytes), of: sealed.id))
    }

    // MARK: Writing

    /// Runs a read-modify-write again when its commit meets a conflict (someone changed a record it
    /// read), up to `attempts` times; other errors, and the last conflict, go to the caller.
    public func retryingConflicts<T>(attempts: Int = 5, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do { return try await body() } catch let error as StoreError {
                guard case .conflict = error, attempt < attempts else { throw error }
                attempt += 1
            }
        }
    }

    /// Builds one change with `body`, then commits it: the records and events together, durably.
    @discardableResult
    public func commit(_ body: (inout ChangeBuilder) throws -> Void) async throws -> CommitReceipt {
        var builder = ChangeBuilder(vault: vault)
        try body(&builder)
        // The audit entries of the request this commit serves, if any, are written with it; if the
        // commit fails they wait for the next one (a retry) or for the flush.
        var audit: [AuditEntry] = []
        if let pending = AuditScope.pending, !builder.change.writes.isEmpty || !builder.change.events.isEmpty {
            audit = pending.take()
            for entry in audit { try builder.insert(entry) }
        }
        let receipt: CommitReceipt
        do { receipt = try await store.commit(builder.change) } catch {
            AuditScope.pending?.add(audit)
            throw error
        }
        return receipt
    }
}

public struct DuplicateCandidate: Sendable {
    public var person: Person
    public var sharedNameParts: Int
    public var sameDateOfBirth: Bool
}

/// One change being put together: every entity is validated before it is added, so an invalid
/// entity stops the whole change before anything reaches the store.
public struct ChangeBuilder: Sendable {
    let vault: PersonVault
    public private(set) var change = Change()

    init(vault: PersonVault) { self.vault = vault }

    public mutating func insert<E: StoredEntity>(_ entity: E) throws {
        try put(entity, expect: .new)
    }

    /// Updates an entity read at `version`; fails with a conflict if it changed since.
    public mutating func update<E: StoredEntity>(_ entity: E, from version: Int64) throws {
        try put(entity, expect: .version(version))
    }

    private mutating func put<E: StoredEntity>(_ entity: E, expect: RecordWrite.Expectation) throws {
        let valid = try entity.validated()
        let body = try GloKitCoding.encode(try valid.sealed(by: vault))
        change.writes.append(RecordWrite(collection: E.collection, id: entity.recordID, expect: expect, body: body,
                                         keys: valid.indexKeys))
    }

    /// Adds a person, or updates one read at `version`: the personal fields are sealed here.
    public mutating func put(_ person: Person, from version: Int64? = nil) throws {
        let valid = try person.validated()
        let sealed = try vault.seal(valid.personal, of: valid.id)
        let body = try GloKitCoding.encode(
            SealedPerson(id: valid.id, createdAt: valid.createdAt, sealed: Data(sealed).base64EncodedString()))
        change.writes.append(RecordWrite(collection: SealedPerson.collection, id: valid.id.description,
                                         expect: version.map { .version($0) } ?? .new, body: body,
                                         keys: vault.nameKeys(valid.personal)))
    }

    /// Announces the change. Put ids and outcomes in `data`, never a person's identifying fields.
    public mutating func emit(_ type: String, jurisdiction: JurisdictionID?, subject: String, actor: Agent,
                              data: JSONValue = .object([:])) {
        change.events.append(NewEvent(type: type, jurisdiction: jurisdiction, subject: subject, actor: actor, data: data))
    }
}

/// What GloKit's operations fail with, worded for the caseworker or admin who sees it. Messages name
/// kinds, ids, fields and rules; never a person's data.
public enum GloKitError: Error, Sendable, CustomStringConvertible {
    case notFound(String, String)
    /// The request is well formed but not allowed now: a wrong state transition, a missing consent.
    case refused(String)

    public var description: String {
        switch self {
        case .notFound(let kind, let id): return "there is no \(kind.replacingOccurrences(of: "_", with: " ")) with id \(id)"
        case .refused(let why): return why
        }
    }
}
