import Crypto
import Foundation
import GloJSON
import GloKit
import GloRules
import HTTPTypes
import Hummingbird
import Logging
import PluginIdentification

/// The HTTP API over a running host: an adapter over GloKit and the plugins, with no rule of law.
///
/// Every /api route needs a bearer token (`glo-host users token`), checks the caller's role and
/// jurisdictions (`AccessPolicy`), and writes the audit log: each read and change of a person or a
/// case, each refusal, each failed sign-in. Errors are RFC 9457 problem details. A POST with an
/// `Idempotency-Key` header is answered once: a retry gets the first answer, and creates nothing.
public struct GloServer: Sendable {
    public let host: GloHost
    public let users: Users
    public let audit: AuditLog
    public let metrics: ServerMetrics
    /// A candidate rule set a rule author keeps beside the packs in force (`rules_candidate`), for
    /// `POST /api/v1/rules/evaluate` to compare with; nil when none is configured.
    public let candidate: RuleEngine?
    let logger: Logger

    public init(host: GloHost, candidate: RuleEngine? = nil, logger: Logger = Logger(label: "glo-host.http")) {
        self.host = host
        self.candidate = candidate
        users = Users(records: host.records)
        audit = AuditLog(records: host.records)
        metrics = ServerMetrics()
        self.logger = logger
    }

    /// The routes of the core and of the enabled plugins: a disabled plugin's routes do not exist.
    public var routes: [APIRoute] {
        let enabled = Set(host.plugins.map(\.id))
        return Self.allRoutes.filter { $0.plugin.map(enabled.contains) ?? true }
    }

    public func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        for route in routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                await self.respond(route, request, context)
            }
        }
        addPages(to: router)
        return router
    }

    /// The HTTP application, to run in the host's service group.
    public func application(address: String, port: Int) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(address, port: port), serverName: "glo-host"),
                    logger: logger)
    }

    // MARK: Answering

    func respond(_ route: APIRoute, _ request: Request, _ context: APIContext) async -> Response {
        let started = ContinuousClock.now
        var context = context
        let answer: Response
        do {
            if route.authenticated {
                if request.headers[.authorization] == nil, let secret = Self.cookie(request) {
                    (context.caller, context.csrfToken) = try await sessionCaller(request, secret: secret, route: route)
                } else {
                    context.caller = try await authenticate(request, route)
                }
            }
            answer = try await idempotent(route, request, context).response
        } catch {
            let problem = Problem.from(error)
            if problem.status == .internalServerError {
                logger.error("request failed", metadata: ["route": .string(route.name), "error_type": "\(type(of: error))"])
            }
            answer = problem.response
        }
        let elapsed = ContinuousClock.now - started
        metrics.request(route.name, status: answer.status.code,
                        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return answer
    }

    func authenticate(_ request: Request, _ route: APIRoute) async throws -> Caller {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem.unauthorized("sign in: send Authorization: Bearer <token>, or sign in at POST /login")
        }
        guard let user = try await users.user(forToken: String(header.dropFirst(7))), let caller = Caller(user) else {
            try await audit.append(AuditEntry(user: nil, role: nil, action: .loginFailed, subject: "token", jurisdiction: nil,
                                              request: route.name, detail: "unknown, revoked or disabled token"))
            throw Problem.unauthorized("the token is unknown, revoked, or its user is disabled")
        }
        return caller
    }

    /// A POST with an Idempotency-Key is answered once per caller and key.
    func idempotent(_ route: APIRoute, _ request: Request, _ context: APIContext) async throws -> APIResponse {
        guard route.method == .post, let key = request.headers[HTTPField.Name("Idempotency-Key")!], let caller = context.caller else {
            return try await route.handler(request, context, self)
        }
        guard (1...200).contains(key.count) else { throw Problem.badRequest("Idempotency-Key must be 1 to 200 characters") }
        var request = request
        let body = try await request.jsonBody()
        let id = Self.digest("\(caller.user.id)|\(route.name)|\(key)")
        let requestHash = Self.digest(String(decoding: body, as: UTF8.self) + "|" + request.uri.description)
        if let seen = try await host.records.get(IdempotentAnswer.self, id)?.value {
            guard seen.requestHash == requestHash else {
                throw Problem(.unprocessableContent, "idempotency-key-reused", "Idempotency key reused",
                              "this Idempotency-Key was used for a different request; use a new key")
            }
            return APIResponse(status: HTTPResponse.Status(code: seen.status), body: Array(seen.body.utf8), contentType: seen.contentType)
        }
        let replay = Request(head: request.head, body: .init(buffer: ByteBuffer(bytes: body)))
        let answer = try await route.handler(replay, context, self)
        if (200..<300).contains(answer.status.code) {
            let stored = IdempotentAnswer(id: id, requestHash: requestHash, status: answer.status.code,
                                          contentType: answer.contentType, body: String(decoding: answer.body, as: UTF8.self))
            // Two retries at once may both run; only the first answer is kept.
            _ = try? await host.records.commit { change in try change.insert(stored) }
        }
        return answer
    }

    static func digest(_ text: String) -> String { Users.hash(text) }

    // MARK: Access, with the audit log

    /// Checks the caller may do `permission` in `jurisdiction`; a refusal is audited and thrown.
    func authorize(_ context: APIContext, _ permission: Permission, _ jurisdiction: JurisdictionID?, subject: String,
                   request: String) async throws -> Caller {
        let caller = try context.requireCaller()
        do {
            try AccessPolicy.check(caller, permission, in: jurisdiction)
        } catch {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: subject,
                                              jurisdiction: jurisdiction, request: request, detail: error.reason))
            throw error
        }
        return caller
    }

    /// Runs a change with its audit entries written in the change's own commit (or after it, when it
    /// wrote nothing).
    @discardableResult
    func withAudit<T>(_ caller: Caller, _ action: AuditEntry.Action, _ subjects: [String], _ jurisdiction: JurisdictionID?,
                      request: String, _ body: () async throws -> T) async throws -> T {
        let pending = PendingAudit(subjects.map {
            AuditEntry(user: caller.user.id, role: caller.role, action: action, subject: $0, jurisdiction: jurisdiction, request: request)
        })
        let result = try await AuditScope.$pending.withValue(pending) { try await body() }
        try await audit.flush(pending)
        return result
    }

    func audited(_ caller: Caller, _ action: AuditEntry.Action, _ subjects: [String], _ jurisdiction: JurisdictionID?,
                 request: String) async throws {
        try await audit.append(subjects.map {
            AuditEntry(user: caller.user.id, role: caller.role, action: action, subject: $0, jurisdiction: jurisdiction, request: request)
        })
    }

    /// The case, after checking the caller may `permission` it; a read is audited. Outside the
    /// caller's jurisdictions, a read is allowed only of a `section` shared with their organisation.
    func authorizedCase(_ context: APIContext, _ permission: Permission, route: APIRoute,
                        section: CaseShare.Section? = nil) async throws -> (Caller, Versioned<Case>) {
        let id: CaseID = try context.id("id")
        guard let found = try await host.records.get(Case.self, id.description) else {
            let caller = try context.requireCaller()
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .denied, subject: "case:\(id)",
                                              jurisdiction: nil, request: route.name, detail: "no such case"))
            throw GloKitError.notFound("case", id.description)
        }
        let caller = try context.requireCaller()
        if permission == .readCase, let section, AccessPolicy.allows(caller.role, permission),
           !caller.user.jurisdictions.contains(found.value.jurisdiction),
           try await host.records.sharedSections(id, with: caller.user.organisation).contains(section) {
            try await audit.append(AuditEntry(user: caller.user.id, role: caller.role, action: .read, subject: "case:\(id)",
                                              jurisdiction: found.value.jurisdiction, request: route.name, detail: "shared by referral"))
            return (caller, found)
        }
        try await authorizeOrHide(context, permission, found.value.jurisdiction, subject: "case:\(id)", request: route.name,
                                  notFound: GloKitError.notFound("case", id.description))
        if permission == .readCase { try await audited(caller, .read, ["case:\(id)"], found.value.jurisdiction, request: route.name) }
        return (caller, found)
    }

    /// Like `authorize`, but a record of a jurisdiction the caller is not in is answered as not found
    /// (the refusal is audited all the same): its existence is not told.
    func authorizeOrHide(_ context: APIContext, _ permission: Permission, _ jurisdiction: JurisdictionID, subject: String,
                         request: String, notFound: GloKitError) async throws {
        do {
            _ = try await authorize(context, permission, jurisdiction, subject: subject, request: request)
        } catch let denied as AccessDenied {
            if let caller = context.caller, AccessPolicy.allows(caller.role, permission) { throw notFound }
            throw denied
        }
    }
}

/// A POST's first answer, kept under its idempotency key.
struct IdempotentAnswer: StoredEntity {
    static let collection = RecordCollection("idempotency")
    var id: String
    var requestHash: String
    var status: Int
    var contentType: String
    var body: String

    var recordID: String { id }
    var indexKeys: [IndexKey] { [] }
    func validationErrors() -> [FieldError] { [] }

    /// The answer may hold what a screening recorded: sealed at rest like personal data.
    func sealed(by vault: PersonVault) throws -> IdempotentAnswer {
        var copy = self
        copy.body = try vault.sealedText(body, boundTo: id)
        return copy
    }

    func opened(by vault: PersonVault) throws -> IdempotentAnswer {
        var copy = self
        copy.body = try vault.openedText(body, boundTo: id)
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case id, status, body
        case requestHash = "request_hash"
        case contentType = "content_type"
    }
}
