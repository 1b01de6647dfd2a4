import Crypto
import Foundation
import GloJSON

/// Moving a whole store to another (SQLite <-> PostgreSQL): the way from one machine to many.
///
/// An export is JSON Lines: a header, every record (its body as stored, so personal data stays
/// sealed: the file is as sensitive as the database, and as unreadable without the key), every
/// event with its sequence number, the subscribers' checkpoints and the dead letters, and last a
/// digest. An import checks the file against its digest, refuses a store that is not empty, writes
/// everything, and then computes the digest of the store it wrote to: the counts and the hash must
/// match the source's, or the import says so.
public enum StoreTransfer {
    public static let format = "glo-host-store"
    public static let formatVersion = 1
    /// Records and events per read and per `restore` call.
    public static let batchSize = 500

    /// Counts and a SHA-256 over the content that matters: every record (collection, id, version,
    /// body, keys) in collection and id order, then every event in sequence order.
    public struct Digest: Sendable, Equatable, CustomStringConvertible {
        public var records: [String: Int]
        public var events: Int
        public var sha256: String

        public var description: String {
            let counts = records.keys.sorted().map { "\($0) \(records[$0]!)" }.joined(separator: ", ")
            return "\(records.values.reduce(0, +)) records (\(counts.isEmpty ? "none" : counts)), \(events) events, sha256 \(sha256)"
        }

        var json: JSONValue {
            .object(["records": .object(records.mapValues { .int(Int64($0)) }), "events": .int(Int64(events)),
                     "sha256": .string(sha256)])
        }

        init(records: [String: Int], events: Int, sha256: String) {
            self.records = records
            self.events = events
            self.sha256 = sha256
        }

        init?(_ json: JSONValue) {
            guard let counts = json["records"]?.objectValue, let events = json["events"]?.intValue,
                  let sha = json["sha256"]?.stringValue else { return nil }
            var records: [String: Int] = [:]
            for (k, v) in counts {
                guard let n = v.intValue else { return nil }
                records[k] = Int(n)
            }
            self.init(records: records, events: Int(events), sha256: sha)
        }
    }

    /// Accumulates a digest as records and then events go by, in order.
    struct Hasher {
        private var sha = SHA256()
        private var records: [String: Int] = [:]
        private var events = 0

        mutating func add(_ r: StoredRecord) {
            records[r.collection.rawValue, default: 0] += 1
            let keys = r.keys.map { [$0.name, $0.value] }.sorted { $0.lexicographicallyPrecedes($1) }
            field("record")
            field(r.collection.rawValue)
            field(r.id)
            field(String(r.version))
            field(r.body)
            for key in keys { field(key[0]); field(key[1]) }
        }

        mutating func add(_ e: Event) {
            events += 1
            field("event")
            for text in [String(e.sequence), e.id.description, e.type, e.jurisdiction?.rawValue ?? "", e.subject,
                         e.actor, String(e.at.millisecondsSince1970), JSONWriter.string(e.data, sortKeys: true)] {
                field(text)
            }
        }

        /// Length-prefixed, so that no two different contents hash alike by shifting bytes.
        private mutating func field(_ text: String) { field(Array(text.utf8)) }
        private mutating func field(_ bytes: [UInt8]) {
            var n = UInt64(bytes.count).bigEndian
            withUnsafeBytes(of: &n) { sha.update(bufferPointer: $0) }
            sha.update(data: bytes)
        }

        func finish() -> Digest {
            Digest(records: records, events: events, sha256: sha.finalize().hexText)
        }
    }

    /// The digest of what a store holds.
    public static func digest(of store: any Store) async throws -> Digest {
        var hasher = Hasher()
        try await walk(store, record: { hasher.add($0) }, event: { hasher.add($0) })
        return hasher.finish()
    }

    private static func walk(_ store: any Store, record: (StoredRecord) throws -> Void,
                             event: (Event) throws -> Void) async throws {
        for collection in try await store.collections().sorted(by: { $0.rawValue < $1.rawValue }) {
            var after: String?
            while true {
                let page = try await store.records(collection, after: after, limit: batchSize)
                for r in page { try record(r) }
                guard let last = page.last, page.count == batchSize else { break }
                after = last.id
            }
        }
        var position: Int64 = 0
        while true {
            let page = try await store.events(after: position, limit: batchSize)
            for e in page { try event(e) }
            guard let last = page.last else { break }
            position = last.sequence
        }
    }

    /// Writes the whole store to `write`, one JSON line per call; returns the digest written last.
    @discardableResult
    public static func export(_ store: any Store, to write: (String) throws -> Void) async throws -> Digest {
        try write(JSONWriter.string(["format": .string(format), "version": .int(Int64(formatVersion))], sortKeys: true))
        var hasher = Hasher()
        try await walk(store, record: { r in
            hasher.add(r)
            try write(JSONWriter.string(["record": recordJSON(r)], sortKeys: true))
        }, event: { e in
            hasher.add(e)
            try write(JSONWriter.string(["event": eventJSON(e)], sortKeys: true))
        })
        for (subscriber, checkpoint) in try await store.checkpoints().sorted(by: { $0.key < $1.key }) {
            try write(JSONWriter.string(["checkpoint": ["subscriber": .string(subscriber), "position": .int(checkpoint.position)]],
                                        sortKeys: true))
        }
        for letter in try await store.deadLetters(state: nil) {
            try write(JSONWriter.string(["dead_letter": deadLetterJSON(letter)], sortKeys: true))
        }
        let digest = hasher.finish()
        try write(JSONWriter.string(["digest": digest.json], sortKeys: true))
        return digest
    }

    /// Reads an export line by line into an empty store; returns the digest of the store afterwards,
    /// which equals the file's. Errors name the line.
    @discardableResult
    public static func `import`(into store: any Store, lines: some Sequence<String>,
                                progress: (Int) -> Void = { _ in }) async throws -> Digest {
        guard try await store.lastSequence() == 0, try await store.collections().isEmpty else {
            throw GloKitError.refused("the target store is not empty: import into a new database")
        }
        var hasher = Hasher()
        var records: [StoredRecord] = []
        var events: [Event] = []
        var checkpoints: [(String, Int64)] = []
        var letters: [DeadLetter] = []
        var declared: Digest?
        var sawHeader = false
        var written = 0

        func flush() async throws {
            guard !records.isEmpty || !events.isEmpty else { return }
            try await store.restore(records: records, events: events)
            written += records.count + events.count
            progress(written)
            records = []
            events = []
        }

        var number = 0
        for line in lines {
            number += 1
            if line.isEmpty { continue }
            func bad(_ why: String) -> GloKitError { GloKitError.refused("line \(number): \(why)") }
            let json: JSONValue
            do { json = try JSONParser.parse(line) } catch { throw bad("not JSON") }
            if !sawHeader {
                guard json["format"]?.stringValue == format else { throw bad("not a glo-host store export") }
                guard json["version"]?.intValue == Int64(formatVersion) else {
                    throw bad("export format version \(json["version"]?.intValue ?? 0); this glo-host reads version \(formatVersion)")
                }
                sawHeader = true
                continue
            }
            if declared != nil { throw bad("content after the digest") }
            if let r = json["record"] {
                guard let record = record(r) else { throw bad("a record without collection, id, version, body or keys") }
                hasher.add(record)
                records.append(record)
            } else if let e = json["event"] {
                guard let event = event(e) else { throw bad("an event without sequence, id, type, subject, actor, at_ms or data") }
                hasher.add(event)
                events.append(event)
            } else if let c = json["checkpoint"] {
                guard let s = c["subscriber"]?.stringValue, let p = c["position"]?.intValue else { throw bad("a bad checkpoint") }
                checkpoints.append((s, p))
            } else if let d = json["dead_letter"] {
                guard let letter = deadLetter(d) else { throw bad("a bad dead letter") }
                letters.append(letter)
            } else if let d = json["digest"] {
                guard let digest = Digest(d) else { throw bad("a bad digest") }
                declared = digest
            } else {
                throw bad("an unknown kind of line")
            }
            if records.count + events.count >= batchSize { try await flush() }
        }
        guard sawHeader else { throw GloKitError.refused("the export is empty") }
        guard let declared else { throw GloKitError.refused("the export has no digest at its end: it was cut short") }
        let read = hasher.finish()
        guard read == declared else {
            throw GloKitError.refused("the export does not match its own digest (read: \(read); declared: \(declared)); it was changed or damaged")
        }
        try await flush()
        for (subscriber, position) in checkpoints { _ = try await store.rewind(subscriber, to: position) }
        for letter in letters { try await store.park(letter) }
        let stored = try await digest(of: store)
        guard stored == declared else {
            throw GloKitError.refused("after the import the store's digest differs from the export's (store: \(stored); export: \(declared))")
        }
        return stored
    }

    // MARK: Lines

    static func recordJSON(_ r: StoredRecord) -> JSONValue {
        ["collection": .string(r.collection.rawValue), "id": .string(r.id), "version": .int(r.version),
         "body": .string(Data(r.body).base64EncodedString()),
         "keys": .array(r.keys.map { .array([.string($0.name), .string($0.value)]) })]
    }

    static func record(_ j: JSONValue) -> StoredRecord? {
        guard let collection = j["collection"]?.stringValue, let id = j["id"]?.stringValue,
              let version = j["version"]?.intValue, let body = j["body"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
              let pairs = j["keys"]?.arrayValue else { return nil }
        var keys: [IndexKey] = []
        for pair in pairs {
            guard let p = pair.arrayValue, p.count == 2, let n = p[0].stringValue, let v = p[1].stringValue else { return nil }
            keys.append(IndexKey(n, v))
        }
        return StoredRecord(collection: RecordCollection(collection), id: id, version: version, body: Array(body), keys: keys)
    }

    static func eventJSON(_ e: Event) -> JSONValue {
        var o: [String: JSONValue] = [
            "sequence": .int(e.sequence), "id": .string(e.id.description), "type": .string(e.type),
            "subject": .string(e.subject), "actor": .string(e.actor), "at_ms": .int(e.at.millisecondsSince1970), "data": e.data,
        ]
        if let j = e.jurisdiction { o["jurisdiction"] = .string(j.rawValue) }
        return .object(o)
    }

    static func event(_ j: JSONValue) -> Event? {
        guard let sequence = j["sequence"]?.intValue, let id = j["id"]?.stringValue.flatMap({ EventID($0) }),
              let type = j["type"]?.stringValue, let subject = j["subject"]?.stringValue,
              let actor = j["actor"]?.stringValue, let at = j["at_ms"]?.intValue, let data = j["data"] else { return nil }
        return Event(sequence: sequence, id: id, type: type, jurisdiction: j["jurisdiction"]?.stringValue.map { JurisdictionID($0) },
                     subject: subject, actor: actor, at: Timestamp(millisecondsSince1970: at), data: data)
    }

    static func deadLetterJSON(_ d: DeadLetter) -> JSONValue {
        ["id": .string(d.id), "subscriber": .string(d.subscriber), "sequence": .int(d.sequence),
         "event_type": .string(d.eventType), "error": .string(d.error), "attempts": .int(Int64(d.attempts)),
         "parked_at_ms": .int(d.parkedAt.millisecondsSince1970), "state": .string(d.state.rawValue)]
    }

    static func deadLetter(_ j: JSONValue) -> DeadLetter? {
        guard let id = j["id"]?.stringValue, let subscriber = j["subscriber"]?.stringValue,
              let sequence = j["sequence"]?.intValue, let type = j["event_type"]?.stringValue,
              let error = j["error"]?.stringValue, let attempts = j["attempts"]?.intValue,
              let at = j["parked_at_ms"]?.intValue,
              let state = j["state"]?.stringValue.flatMap({ DeadLetter.State(rawValue: $0) }) else { return nil }
        return DeadLetter(id: id, subscriber: subscriber, sequence: sequence, eventType: type, error: error,
                          attempts: Int(attempts), parkedAt: Timestamp(millisecondsSince1970: at), state: state)
    }
}
