import Foundation
public import GloJSON

/// The typed way to read and write the store: entities in, entities out, personal data sealed on the
/// way in and opened on the way out. Plugins and the host reach the store only through this.
public struct Records: Sendable {
    public let store: any Store
    public let vault: PersonVault

    /// The event bus hears of every commit from the store itself (`Store.observeCommits`).
    /// The data keys this object opens are cached for it alone (one store's keys, not another's).
    public init(store: any Store, vault: PersonVault) {
        self.store = store
        self.vault = PersonVault(masters: vault.masters, cache: DataKeyCache())
    }

    // MARK: Reading

    public func get<E: StoredEntity>(_ type: E.Type, _ id: String) async throws -> Versioned<E>? {
        guard let record = try await store.record(E.collection, id: id) else { return nil }
        return Versioned(try await decode(E.self, record), version: record.version)
    }

    /// The entity, or `GloKitError.notFound` naming what is missing.
    public func require<E: StoredEntity>(_ type: E.Type, _ id: String) async throws -> Versioned<E> {
        guard let found = try await get(type, id) else { throw GloKitError.notFound(E.collection.rawValue, id) }
        return found
    }

    public func list<E: StoredEntity>(_ type: E.Type, key: IndexKey, limit: Int = 10_000,
                                      newestFirst: Bool = false) async throws -> [Versioned<E>] {
        var found: [Versioned<E>] = []
        for record in try await store.records(E.collection, key: key, limit: limit, newestFirst: newestFirst) {
            found.append(Versioned(try await decode(E.self, record), version: record.version))
        }
        return found
    }

    /// The entities carrying the key, a page at a time in id order after `afterID` (through the key's index).
    public func page<E: StoredEntity>(_ type: E.Type, key: IndexKey, after afterID: String?, limit: Int) async throws -> [E] {
        var found: [E] = []
        for record in try await store.records(E.collection, key: key, after: afterID, limit: limit) {
            found.append(try await decode(E.self, record))
        }
        return found
    }

    /// Every record of a collection, a page at a time in id order: the records after `afterID`
    /// (nil: from the first). A sweep reads a whole collection this way.
    public func scan<E: StoredEntity>(_ type: E.Type, after afterID: String?, limit: Int = 500) async throws -> [E] {
        var found: [E] = []
        for record in try await store.records(E.collection, after: afterID, limit: limit) { found.append(try await decode(E.self, record)) }
        return found
    }

    public func person(_ id: PersonID) async throws -> Versioned<Person>? {
        guard let record = try await store.record(SealedPerson.collection, id: id.description) else { return nil }
        return Versioned(try await openPerson(record), version: record.version)
    }

    public func requirePerson(_ id: PersonID) async throws -> Versioned<Person> {
        guard let found = try await person(id) else { throw GloKitError.notFound("person", id.description) }
        return found
    }

    /// People whose names contain every part of `name` (case and diacritics ignored), at most `limit`.
    public func findPersons(named name: String, limit: Int = 50) async throws -> [Person] {
        let keys = try await withKeys { try $0.searchKeys(name) }
        guard let first = keys.first else { return [] }
        var candidates = try await store.records(SealedPerson.collection, key: first, limit: 10_000, newestFirst: false)
        for key in keys.dropFirst() { candidates.removeAll { !$0.keys.contains(key) } }
        var found: [Person] = []
        for record in candidates.prefix(limit) { found.append(try await openPerson(record)) }
        return found
    }

    /// People already registered who may be the same person: they share name parts (ranked by how
    /// many, and first those with the same date of birth). Shown before registering someone anew.
    public func likelyDuplicates(of personal: PersonalData, limit: Int = 10) async throws -> [DuplicateCandidate] {
        var shared: [String: (record: StoredRecord, parts: Int)] = [:]
        for key in try await withKeys({ try $0.nameKeys(personal) }) {
            for record in try await store.records(SealedPerson.collection, key: key, limit: 1_000, newestFirst: false) {
                shared[record.id, default: (record, 0)].parts += 1
            }
        }
        var found: [DuplicateCandidate] = []
        for (_, entry) in shared {
            let person = try await openPerson(entry.record)
            if person.erasedAt != nil { continue }
            let sameBirth = personal.dateOfBirth != nil && personal.dateOfBirth == person.personal.dateOfBirth
            found.append(DuplicateCandidate(person: person, sharedNameParts: entry.parts, sameDateOfBirth: sameBirth))
        }
        found.sort {
            ($0.sameDateOfBirth ? 1 : 0, $0.sharedNameParts, $1.person.id) > ($1.sameDateOfBirth ? 1 : 0, $1.sharedNameParts, $0.person.id)
        }
        return Array(found.prefix(limit))
    }

    func decode<E: StoredEntity>(_ type: E.Type, _ record: StoredRecord) async throws -> E {
        let entity: E
        do { entity = try GloKitCoding.decode(E.self, from: record.body) } catch {
            throw StoreError.failed("\(E.collection) \(record.id) cannot be read back (stored by another version?)")
        }
        return try await withKeys { try entity.opened(by: $0) }
    }

    func openPerson(_ record: StoredRecord) async throws -> Person {
        let sealed: SealedPerson
        do { sealed = try GloKitCoding.decode(SealedPerson.self, from: record.body) } catch {
            throw StoreError.failed("person \(record.id) cannot be read back")
        }
        var person: Person
        if let erasedAt = sealed.erasedAt {
            person = Person.erased(sealed.id, createdAt: sealed.createdAt, at: erasedAt)
        } else {
            do {
                let personal = try await withKeys { try $0.open(sealed.sealed, of: sealed.id) }
                person = Person(id: sealed.id, createdAt: sealed.createdAt, personal: personal)
            } catch VaultError.erased {
                // The key is gone but the record not yet a tombstone (an erasure cut short): erased all the same.
                person = Person.erased(sealed.id, createdAt: sealed.createdAt, at: .now)
            }
        }
        person.registeredBy = sealed.registeredBy
        return person
    }

    /// Who registered the person (nil: unknown, or no such person), read without opening anything.
    public func registrant(of id: PersonID) async throws -> UserID? {
        guard let record = try await store.record(SealedPerson.collection, id: id.description) else { return nil }
        return (try? GloKitCoding.decode(SealedPerson.self, from: record.body))?.registeredBy
    }

    // MARK: Keys

    /// Runs `body` with the vault, fetching (or making) each key it turns out to need and running it
    /// again: sealing and opening are synchronous and repeatable, key look-ups are not.
    func withKeys<T>(_ body: (PersonVault) throws -> T) async throws -> T {
        var fetched = Set<KeyNeeded>()
        while true {
            do { return try body(vault) } catch let need as KeyNeeded {
                // A key needed again once fetched: the cache is not keeping it (it started over meanwhile).
                guard fetched.insert(need).inserted else { throw StoreError.failed("the data keys could not be held in memory") }
                try await fetch(need)
            }
        }
    }

    /// Fetches (or makes) the data keys of `people` not in the cache yet, before a change that seals
    /// for all of them (a page of the migration, a batch of registrations): one look-up each, rather
    /// than sealing the whole change again for every key it meets.
    func prefetchKeys(of people: [PersonID]) async throws {
        for id in people {
            let keyID = DataKeyID.person(id)
            if vault.cache.key(keyID) == nil { try await fetch(.key(keyID, create: true)) }
        }
    }

    private func fetch(_ need: KeyNeeded) async throws {
        switch need {
        case .caseOwner(let id):
            guard let record = try await store.record(Case.collection, id: id.description) else {
                throw GloKitError.notFound("case", id.description)
            }
            let theCase: Case
            do { theCase = try GloKitCoding.decode(Case.self, from: record.body) } catch {
                throw StoreError.failed("case \(id) cannot be read back")
            }
            vault.cache.setOwner(theCase.person, of: id)
        case .key(let id, let create):
            if let stored = try await store.dataKey(id) {
                vault.cache.put(id, stored.isErased ? .erased : .live(try unwrap(stored)))
                return
            }
            let isHostKey = id == DataKeyID.index || id == DataKeyID.host
            guard create || isHostKey else { throw VaultError.missingKey(id) }
            var bytes = VaultKey.random().bytes
            // A store from before envelope encryption keeps the name index key it had, so that its
            // name hashes stay valid.
            if id == DataKeyID.index, try await store.count(SealedPerson.collection) > 0 {
                bytes = PersonVault.legacyNameKey(vault.masters.current)
            }
            try await store.addDataKeys([try vault.wrap(bytes, id: id)])
            // Another host may have made it first: the ring's is the one.
            guard let stored = try await store.dataKey(id) else { throw StoreError.failed("the data key \(id) was not kept") }
            vault.cache.put(id, stored.isErased ? .erased : .live(try unwrap(stored)))
        }
    }

    private func unwrap(_ stored: WrappedDataKey) throws -> [UInt8] { try vault.unwrap(stored) }

    /// Marks a data key erased in this object's cache (after erasing it in the ring).
    func forgetErased(_ id: String) { vault.cache.put(id, .erased) }

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
    /// Personal data is sealed here, after `body`, once the data keys it needs are at hand.
    @discardableResult
    public func commit(_ body: (inout ChangeBuilder) throws -> Void) async throws -> CommitReceipt {
        var builder = ChangeBuilder()
        try body(&builder)
        // The audit entries of the request this commit serves, if any, are written with it; if the
        // commit fails they wait for the next one (a retry) or for the flush.
        var audit: [AuditEntry] = []
        if let pending = AuditScope.pending, !builder.isEmpty {
            audit = pending.take()
            for entry in audit { try builder.insert(entry) }
        }
        let receipt: CommitReceipt
        do {
            let built = builder
            for (caseID, person) in built.caseOwners { vault.cache.setOwner(person, of: caseID) }
            if built.people.count > 1 { try await prefetchKeys(of: built.people) }
            let change = try await withKeys { try built.change(sealedBy: $0) }
            receipt = try await store.commit(change)
        } catch {
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
/// entity stops the whole change before anything reaches the store. What it seals is sealed when
/// the change is committed (`Records.commit`), where the data keys can be fetched.
public struct ChangeBuilder: Sendable {
    private var writes: [@Sendable (PersonVault) throws -> RecordWrite] = []
    private var events: [NewEvent] = []
    /// The person of each case this change writes (whose data key seals the case's data).
    private(set) var caseOwners: [CaseID: PersonID] = [:]
    /// The people this change puts (whose data keys seal their fields).
    private(set) var people: [PersonID] = []

    init() {}

    var isEmpty: Bool { writes.isEmpty && events.isEmpty }

    public mutating func insert<E: StoredEntity>(_ entity: E) throws {
        try put(entity, expect: .new)
    }

    /// Updates an entity read at `version`; fails with a conflict if it changed since.
    public mutating func update<E: StoredEntity>(_ entity: E, from version: Int64) throws {
        try put(entity, expect: .version(version))
    }

    private mutating func put<E: StoredEntity>(_ entity: E, expect: RecordWrite.Expectation) throws {
        let valid = try entity.validated()
        // A case written in this change seals what is recorded about it in the same change.
        if let c = valid as? Case { caseOwners[c.id] = c.person }
        writes.append { vault in
            RecordWrite(collection: E.collection, id: valid.recordID, expect: expect,
                        body: try GloKitCoding.encode(try valid.sealed(by: vault)), keys: valid.indexKeys)
        }
    }

    /// Adds a person, or updates one read at `version`: the personal fields are sealed under the
    /// person's own data key (made now for a new person).
    public mutating func put(_ person: Person, from version: Int64? = nil) throws {
        let valid = try person.validated()
        people.append(valid.id)
        writes.append { vault in
            let sealed = try vault.seal(valid.personal, of: valid.id)
            return RecordWrite(collection: SealedPerson.collection, id: valid.id.description,
                               expect: version.map { .version($0) } ?? .new,
                               body: try GloKitCoding.encode(SealedPerson(id: valid.id, createdAt: valid.createdAt, sealed: sealed,
                                                                          registeredBy: valid.registeredBy)),
                               keys: try vault.nameKeys(valid.personal))
        }
    }

    /// Replaces a person read at `version` with a tombstone: the id and the dates only, no sealed
    /// data, no name keys (a name search no longer finds them).
    mutating func putTombstone(_ id: PersonID, createdAt: Timestamp, erasedAt: Timestamp, registeredBy: UserID?,
                               from version: Int64) throws {
        let body = try GloKitCoding.encode(SealedPerson(id: id, createdAt: createdAt, sealed: "", erasedAt: erasedAt,
                                                        registeredBy: registeredBy))
        writes.append { _ in
            RecordWrite(collection: SealedPerson.collection, id: id.description, expect: .version(version), body: body, keys: [])
        }
    }

    /// Announces the change. Put ids and outcomes in `data`, never a person's identifying fields.
    public mutating func emit(_ type: String, jurisdiction: JurisdictionID?, subject: String, actor: Agent,
                              data: JSONValue = .object([:])) {
        events.append(NewEvent(type: type, jurisdiction: jurisdiction, subject: subject, actor: actor, data: data))
    }

    /// The change with everything sealed.
    func change(sealedBy vault: PersonVault) throws -> Change {
        Change(writes: try writes.map { try $0(vault) }, events: events)
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
