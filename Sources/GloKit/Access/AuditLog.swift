import GloJSON
import Synchronization

/// One entry of the append-only audit log: every read and change of a person or a case, every
/// export, login and failed login, and every refusal. It names who, in which role, what (ids), and
/// the outcome; never a person's data.
public struct AuditEntry: StoredEntity, Equatable {
    public static let collection = RecordCollection("audit")

    public enum Action: String, Sendable, Codable, CaseIterable {
        case read, create, update, export, login
        case loginFailed = "login_failed"
        case denied
        /// A person's data was destroyed (`Erasure`); `detail` gives the reason.
        case erase
    }

    public var id: String
    public var at: Timestamp
    /// The user, or nil for a failed login of an unknown user.
    public var user: UserID?
    public var role: Role?
    public var action: Action
    /// What was touched: `case:<id>`, `person:<id>`, `report:<jurisdiction>`...
    public var subject: String
    public var jurisdiction: JurisdictionID?
    /// The request, as method and route pattern (`GET /api/v1/cases/{id}`).
    public var request: String
    /// Why it was denied or failed.
    public var detail: String?

    public init(user: UserID?, role: Role?, action: Action, subject: String, jurisdiction: JurisdictionID?,
                request: String, detail: String? = nil, at: Timestamp = .now) {
        self.id = EntityID<AuditEntry>().description
        self.at = at
        self.user = user
        self.role = role
        self.action = action
        self.subject = subject
        self.jurisdiction = jurisdiction
        self.request = request
        self.detail = detail
    }

    public var recordID: String { id }
    public var indexKeys: [IndexKey] {
        var keys = [IndexKey("subject", subject), IndexKey("action", action.rawValue)]
        if let user { keys.append(IndexKey("user", user.description)) }
        return keys
    }

    enum CodingKeys: String, CodingKey {
        case id, at, user, role, action, subject, jurisdiction, request, detail
    }

    public func validationErrors() -> [FieldError] { [] }
}

/// Writes and queries the audit log. There is no way to change or delete an entry.
public struct AuditLog: Sendable {
    let records: Records

    public init(records: Records) { self.records = records }

    /// Appends entries durably (one commit).
    public func append(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await records.commit { change in
            for entry in entries { try change.insert(entry) }
        }
    }

    public func append(_ entry: AuditEntry) async throws { try await append([entry]) }

    /// Entries about a subject, or by a user, or of an action; oldest first.
    /// Entries oldest first, after the entry `after` (a cursor: the last id of the previous page).
    public func entries(subject: String? = nil, user: UserID? = nil, action: AuditEntry.Action? = nil,
                        after: String? = nil, limit: Int = 1_000) async throws -> [AuditEntry] {
        let key: IndexKey? = subject.map { IndexKey("subject", $0) } ?? user.map { IndexKey("user", $0.description) }
            ?? action.map { IndexKey("action", $0.rawValue) }
        // A page at a time through the first filter's index, the others applied to each page, until
        // `limit` entries are found: never the whole log in memory.
        var found: [AuditEntry] = []
        var cursor = after
        let page = min(max(limit, 100), 5_000)
        while found.count < limit {
            let records = if let key {
                try await self.records.store.records(AuditEntry.collection, key: key, after: cursor, limit: page)
            } else {
                try await self.records.store.records(AuditEntry.collection, after: cursor, limit: page)
            }
            guard let last = records.last else { break }
            cursor = last.id
            for record in records {
                let entry = try GloKitCoding.decode(AuditEntry.self, from: record.body)
                if let user, entry.user != user { continue }
                if let action, entry.action != action { continue }
                found.append(entry)
                if found.count == limit { break }
            }
            if records.count < page { break }
        }
        return found
    }
}

/// Audit entries that go with the next commit of the current task: a request's change and its audit
/// entry are then durable together (one transaction), and an entry is never written for a change that
/// did not happen. Set with `AuditScope.$pending.withValue(...)`; what no commit took is appended by
/// whoever set it (`AuditLog.flush`).
public enum AuditScope {
    @TaskLocal public static var pending: PendingAudit?
}

public final class PendingAudit: Sendable {
    private let entries = Mutex<[AuditEntry]>([])

    public init(_ entries: [AuditEntry] = []) { self.entries.withLock { $0 = entries } }

    public func add(_ more: [AuditEntry]) { entries.withLock { $0 += more } }

    /// The entries not yet written, removed.
    public func take() -> [AuditEntry] { entries.withLock { e in defer { e = [] }; return e } }
}

extension AuditLog {
    /// Writes what no commit took.
    public func flush(_ pending: PendingAudit) async throws { try await append(pending.take()) }
}
