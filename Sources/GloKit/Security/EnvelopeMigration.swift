import GloJSON

/// Moves a store sealed before envelope encryption (one key derived from the master key for every
/// person) to a data key per person, in place: each person's fields and every other sealed value are
/// opened with the old key and sealed again under the owner's data key.
///
/// Resumable: each page is one commit, and a value already sealed the new way is left alone, so a
/// run cut short (even by SIGKILL) is finished by running it again. The store remembers when it is
/// done (a checkpoint), which a key rotation requires: the old values open only with a key derived
/// from the master key they were sealed under.
public struct EnvelopeMigration: Sendable {
    let records: Records
    /// The entities that seal a value, besides persons (the core's, the plugins', the server's).
    let entities: [any StoredEntity.Type]

    public static let checkpoint = "glo.keys.envelope-migration"
    public static let coreEntities: [any StoredEntity.Type] = [DecisionRecord.self, CaseFacts.self, InboxMessage.self]

    public init(records: Records, entities: [any StoredEntity.Type]) {
        self.records = records
        self.entities = entities
    }

    public func isDone() async throws -> Bool { try await records.store.checkpoint(Self.checkpoint).position >= 1 }

    /// Re-seals what is left; `progress` hears each collection's count as it goes. Returns how many
    /// records were re-sealed.
    @discardableResult
    public func run(progress: (String, Int) -> Void = { _, _ in }) async throws -> Int {
        // The name index key first: in a store from before, it is the old derived key, so that the
        // name hashes already stored stay valid.
        _ = try await records.withKeys { try $0.searchKeys("x") }
        var total = 0
        var after: String?
        while true {
            let page = try await records.store.records(SealedPerson.collection, after: after, limit: Self.pageSize)
            guard let last = page.last else { break }
            after = last.id
            let resealed = try await resealPersons(page)
            total += resealed
            // Progress is what was re-sealed: a store already migrated, or a page of new people, says nothing.
            if resealed > 0 { progress("person", total) }
        }
        for entity in entities { total += try await reseal(entity, progress: progress) }
        _ = try await records.store.rewind(Self.checkpoint, to: 1)
        return total
    }

    public static let pageSize = 200

    private func resealPersons(_ page: [StoredRecord]) async throws -> Int {
        var people: [(Person, Int64)] = []
        for record in page {
            let sealed: SealedPerson
            do { sealed = try GloKitCoding.decode(SealedPerson.self, from: record.body) } catch {
                throw StoreError.failed("person \(record.id) cannot be read back")
            }
            guard sealed.erasedAt == nil, !sealed.sealed.hasPrefix(PersonVault.currentPrefix) else { continue }
            var person = try await records.openPerson(record)
            // Who registered the person was known then only from the audit log: kept with the person
            // now, so that access never depends on searching the log.
            if person.registeredBy == nil {
                person.registeredBy = try await AuditLog(records: records).entries(subject: "person:\(person.id)", action: .create, limit: 1).first?.user
            }
            people.append((person, record.version))
        }
        if people.isEmpty { return 0 }
        do {
            try await records.commit { change in for (person, version) in people { try change.put(person, from: version) } }
        } catch StoreError.conflict {
            // Someone changed one of them meanwhile (and so sealed it anew): one at a time.
            for (person, _) in people {
                try await records.retryingConflicts {
                    guard let found = try await records.store.record(SealedPerson.collection, id: person.id.description),
                          let sealed = try? GloKitCoding.decode(SealedPerson.self, from: found.body),
                          sealed.erasedAt == nil, !sealed.sealed.hasPrefix(PersonVault.currentPrefix) else { return }
                    let current = try await records.openPerson(found)
                    try await records.commit { change in try change.put(current, from: found.version) }
                }
            }
        }
        return people.count
    }

    private func reseal<E: StoredEntity>(_ type: E.Type, progress: (String, Int) -> Void) async throws -> Int {
        var count = 0
        var after: String?
        while true {
            let page = try await records.store.records(E.collection, after: after, limit: Self.pageSize)
            guard let last = page.last else { break }
            after = last.id
            var stale: [(E, Int64)] = []
            for record in page where Self.holdsLegacy(record.body) {
                stale.append((try await records.decode(E.self, record), record.version))
            }
            if stale.isEmpty { continue }
            do {
                try await records.commit { change in for (entity, version) in stale { try change.update(entity, from: version) } }
            } catch StoreError.conflict {
                for (entity, _) in stale {
                    try await records.retryingConflicts {
                        guard let found = try await records.store.record(E.collection, id: entity.recordID),
                              Self.holdsLegacy(found.body) else { return }
                        let current = try await records.decode(E.self, found)
                        try await records.commit { change in try change.update(current, from: found.version) }
                    }
                }
            }
            count += stale.count
            progress(E.collection.rawValue, count)
        }
        return count
    }

    /// Whether a record's JSON holds a value sealed the old way: `"sealed:` not followed by `2:`.
    static func holdsLegacy(_ body: [UInt8]) -> Bool {
        let marker = Array("\"sealed:".utf8)
        var i = 0
        while i + marker.count + 2 <= body.count {
            if body[i] == marker[0], Array(body[i..<(i + marker.count)]) == marker {
                let next = i + marker.count
                if !(body[next] == UInt8(ascii: "2") && body[next + 1] == UInt8(ascii: ":")) { return true }
                i = next
            } else {
                i += 1
            }
        }
        return false
    }
}
