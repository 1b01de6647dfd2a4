import Foundation
import GloHTTP
import GloKit
import HTTPTypes
import Hummingbird

/// Who is asking, for the routes that need a signed-in caller: a bearer token (partner systems,
/// `glo-host users token`), or the browser's session cookie, with the session's CSRF token
/// (`X-CSRF-Token`) on anything but a read. A failed token is audited.
struct Authentication: RouterMiddleware {
    typealias Context = APIContext
    let services: APIServices

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var context = context
        if request.headers[.authorization] == nil, let secret = SessionCookie.secret(request) {
            guard let (session, user) = try await services.users.session(secret),
                  let caller = try RoleChoice.caller(user, request: request.headers, session: session.role) else {
                throw Problem.unauthorized("the session has ended: sign in again")
            }
            if request.method != .get && request.method != .head {
                guard SessionCookie.same(request.headers[SessionCookie.csrfHeader], session.csrfToken) else { throw SessionCookie.csrfProblem }
            }
            context.caller = caller
            context.csrfToken = session.csrfToken
        } else {
            context.caller = try await bearer(request, context)
        }
        return try await next(request, context)
    }

    func bearer(_ request: Request, _ context: APIContext) async throws -> Caller {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Problem.unauthorized("sign in: send Authorization: Bearer <token>, or sign in at POST /login")
        }
        let user = try await services.users.user(forToken: String(header.dropFirst(7)))
        guard let user, let caller = try RoleChoice.caller(user, request: request.headers, session: nil) else {
            try await services.audit.append(AuditEntry(user: nil, role: nil, action: .loginFailed, subject: "token", jurisdiction: nil,
                                                       request: context.requestName, detail: "unknown, revoked or disabled token"))
            throw Problem.unauthorized("the token is unknown, revoked, or its user is disabled")
        }
        return caller
    }
}

/// The browser's session cookie and the CSRF token that goes with it.
enum SessionCookie {
    static let name = "glo_session"
    static let seconds: Int64 = 8 * 3600
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    static func setting(_ secret: String) -> String {
        "\(name)=\(secret); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(seconds)"
    }

    static let clearing = "\(name)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"

    static func secret(_ request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let kv = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0] == name, !kv[1].isEmpty { return String(kv[1]) }
            }
        }
        return nil
    }

    /// Compares without stopping at the first difference.
    static func same(_ a: String?, _ b: String) -> Bool {
        guard let a else { return false }
        let x = Array(a.utf8), y = Array(b.utf8)
        return x.count == y.count && zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static let csrfProblem = Problem(.forbidden, "csrf", "Missing or wrong CSRF token",
                                     "a change from a signed-in browser must carry the session's CSRF token")
}
