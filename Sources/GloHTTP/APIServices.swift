import GloJSON
public import GloKit
public import GloRules
import Hummingbird
public import HummingbirdCore
public import Logging

/// What a route's handler works with, the core's and the plugins' alike: the host, the users, the
/// audit log and the metrics, and the access checks every handler makes, each refusal and each read
/// of a case or a person written to the audit log. The request is named by `APIContext.requestName`.
public struct APIServices: Sendable {
    public let host: GloHost
    public let users: Users
    public let audit: AuditLog
    public let metrics: ServerMetrics
    /// A candidate rule set a rule author keeps beside the packs in force, for what-ifs; nil when none.
    public let candidate: RuleEngine?
    public let logger: Logger

    public init(host: GloHost, candidate: RuleEngine? = nil, logger: Logger) {
        self.host = host
        users = Users(records: host.records)
        audit = AuditLog(records: host.records)
        metrics = ServerMetrics()
        self.candidate = candidate
        self.logger = logger
    }

    // MARK: Access, with the audit log

    /// Checks the caller may do `permission` in `jurisdiction`; a refusal is audited and thrown.
    @discardableResult
    public func authorize(_ context: APIContext, _ permission: Permission, _ jurisdiction: JurisdictionID?,
                          subject: String) async throws -> Caller {
        let caller = try context.requireCaller()
        do {
            try AccessPolicy.check(caller, permission, in: jurisdiction)
            RequestAccess.grant(permission, in: jurisdiction)
        } catch {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: subject,
                                              jurisdiction: jurisdiction, request: context.requestName, detail: error.reason))
            throw error
        }
        return caller
    }

    /// Runs a change with its audit entries written in the change's own commit (or after it, when it
    /// wrote nothing).
    @discardableResult
    public func withAudit<T>(_ caller: Caller, _ action: AuditEntry.Action, _ subjects: [String], _ jurisdiction: JurisdictionID?,
                             _ context: APIContext, _ body: () async throws -> T) async throws -> T {
        let pending = PendingAudit(subjects.map {
            AuditEntry(user: caller.user.id, role: caller.role, action: action, subject: $0, jurisdiction: jurisdiction,
                       request: context.requestName)
        })
        let result = try await AuditScope.$pending.withValue(pending) { try await body() }
        try await audit.flush(pending)
        return result
    }

    /// Writes that the caller did `action` on each subject.
    public func audited(_ caller: Caller, _ action: AuditEntry.Action, _ subjects: [String], _ jurisdiction: JurisdictionID?,
                        _ context: APIContext) async throws {
        try await audit.append(subjects.map {
            AuditEntry(user: caller.user.id, role: caller.role, action: action, subject: $0, jurisdiction: jurisdiction,
                       request: context.requestName)
        })
    }

    /// The case named by the path's `id`, after checking the caller may `permission` it; a read is
    /// audited. Outside the caller's jurisdictions, a read is allowed only of a `section` shared with
    /// their organisation.
    public func authorizedCase(_ context: APIContext, _ permission: Permission,
                               section: CaseShare.Section? = nil) async throws -> (Caller, Versioned<Case>) {
        let id: CaseID = try context.id("id")
        let caller = try context.requireCaller()
        guard let found = try await host.records.get(Case.self, id.description) else {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: "case:\(id)",
                                              jurisdiction: nil, request: context.requestName, detail: "no such case"))
            throw GloKitError.notFound("case", id.description)
        }
        if permission == .readCase, let section, AccessPolicy.allows(caller.role, permission),
           !caller.user.jurisdictions.contains(found.value.jurisdiction),
           try await host.records.sharedSections(id, with: caller.user.organisation).contains(section) {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .read, subject: "case:\(id)",
                                              jurisdiction: found.value.jurisdiction, request: context.requestName,
                                              detail: "shared by referral"))
            RequestAccess.shared(id, section)
            RequestAccess.concerns(found.value.person)
            return (caller, found)
        }
        try await authorizeOrHide(context, permission, found.value.jurisdiction, subject: "case:\(id)",
                                  notFound: GloKitError.notFound("case", id.description))
        if permission == .readCase { try await audited(caller, .read, ["case:\(id)"], found.value.jurisdiction, context) }
        RequestAccess.concerns(found.value.person)
        return (caller, found)
    }

    /// Like `authorize`, but a record of a jurisdiction the caller is not in is answered as not found
    /// (the refusal is audited all the same): its existence is not told.
    public func authorizeOrHide(_ context: APIContext, _ permission: Permission, _ jurisdiction: JurisdictionID, subject: String,
                                notFound: GloKitError) async throws {
        do {
            try await authorize(context, permission, jurisdiction, subject: subject)
        } catch let denied as AccessDenied {
            if let caller = context.caller, AccessPolicy.allows(caller.role, permission) { throw notFound }
            throw denied
        }
    }

    /// A change on the case of the path: checks access, decodes the body, runs `body`, and audits the
    /// change in its own commit.
    public func onCase<Input: Decodable>(_ request: Request, _ context: APIContext, _ permission: Permission, _ type: Input.Type,
                                         _ body: (Caller, Case, Input) async throws -> APIResponse) async throws -> APIResponse {
        var request = request
        let (caller, found) = try await authorizedCase(context, permission)
        let input = try decode(type, try await request.jsonBody())
        return try await withAudit(caller, .update, ["case:\(found.value.id)"], found.value.jurisdiction, context) {
            try await body(caller, found.value, input)
        }
    }

    /// The record named by the path's `id` with its case, after checking the caller may `permission`
    /// that case; a read is audited. A record of a case outside the caller's jurisdictions is not found.
    public func authorizedRecord<E: StoredEntity>(_ context: APIContext, _ type: E.Type, caseOf: (E) -> CaseID?,
                                                  _ permission: Permission) async throws -> (Caller, Case, E) {
        let caller = try context.requireCaller()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await host.records.get(E.self, id)?.value, let caseID = caseOf(record),
              let theCase = try await host.records.get(Case.self, caseID.description)?.value else {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: "\(E.collection):\(id)",
                                              jurisdiction: nil, request: context.requestName, detail: "no such record"))
            throw GloKitError.notFound(E.collection.rawValue, id)
        }
        try await authorizeOrHide(context, permission, theCase.jurisdiction, subject: "case:\(theCase.id)",
                                  notFound: GloKitError.notFound(E.collection.rawValue, id))
        if permission == .readCase { try await audited(caller, .read, ["case:\(theCase.id)"], theCase.jurisdiction, context) }
        RequestAccess.concerns(theCase.person)
        return (caller, theCase, record)
    }

    /// A change to a record found by the path's id, after checking access on its case; audited with it.
    public func onRecord<E: StoredEntity, T>(_ context: APIContext, _ type: E.Type, caseOf: (E) -> CaseID?, _ permission: Permission,
                                             _ body: (Caller, Case, E) async throws -> T) async throws -> T {
        let (caller, theCase, record) = try await authorizedRecord(context, type, caseOf: caseOf, permission)
        return try await withAudit(caller, .update, ["case:\(theCase.id)"], theCase.jurisdiction, context) {
            try await body(caller, theCase, record)
        }
    }

    /// Whether the caller may see the person: through a case in their jurisdictions, a case shared with
    /// their organisation, or because they registered the person and no case is open yet. Decided from
    /// the records alone (who registered the person is kept with them), never from the audit log.
    public func mayRead(_ caller: Caller, person id: PersonID) async throws -> Bool {
        let may = try await mayReadUnnoted(caller, person: id)
        if may { RequestAccess.readPerson(id) }
        return may
    }

    func mayReadUnnoted(_ caller: Caller, person id: PersonID) async throws -> Bool {
        let cases = try await host.records.list(Case.self, key: .person(id)).map(\.value)
        if cases.contains(where: { caller.user.jurisdictions.contains($0.jurisdiction) }) { return true }
        for c in cases where try await host.records.sharedSections(c.id, with: caller.user.organisation).contains(.person) {
            return true
        }
        if cases.isEmpty { return try await host.records.registrant(of: id) == caller.user.id }
        return false
    }

    // MARK: Plugins

    /// The context of an enabled plugin, for its workflow.
    public func pluginContext(_ id: String) throws -> PluginContext {
        guard let plugin = host.plugins.first(where: { $0.id == id }) else { throw Problem.notFound("plugin \(id) is not enabled") }
        return host.context(for: plugin)
    }

    /// The caller's override with the reason given, when their role may override.
    public func override(_ requested: OverrideReason?, by caller: Caller) throws -> Override? {
        guard let requested else { return nil }
        guard AccessPolicy.allows(caller.role, .override) else {
            throw AccessDenied(reason: "the role \(caller.role.rawValue) may not override a consent")
        }
        return Override(user: caller.user.id, role: caller.role, reason: requested.reason)
    }
}

/// An override as a request states it: only the reason. Who and in which role is the caller.
public struct OverrideReason: Decodable, Sendable {
    public var reason: String
}
