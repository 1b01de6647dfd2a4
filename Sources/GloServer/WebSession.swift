import Foundation
import GloJSON
import GloKit
import HTTPTypes
import Hummingbird

/// The browser's way in: `POST /login` with a sign-in name and password sets an HttpOnly, SameSite
/// session cookie; a request that changes anything with that cookie must carry the session's CSRF
/// token (header `X-CSRF-Token`, or the form field `csrf`). Bearer tokens stay for partner systems.
extension GloServer {
    static let cookieName = "glo_session"
    static let sessionSeconds: Int64 = 8 * 3600

    static let webRoutes: [APIRoute] = [
        APIRoute(.post, "/login", authenticated: false) { r, _, s in try await s.login(r) },
        APIRoute(.post, "/logout", authenticated: false) { r, _, s in try await s.logout(r) },
        APIRoute(.get, "/session") { _, c, _ in
            let caller = try c.requireCaller()
            return .json(["user": .string(caller.user.id.description), "name": .string(caller.user.displayName),
                          "role": .string(caller.role.rawValue), "csrf_token": .string(c.csrfToken ?? "")])
        },
    ]

    func login(_ request: Request) async throws -> APIResponse {
        var request = request
        let form = FormFields(try await request.jsonBody())
        guard let name = form["name"], let password = form["password"], !name.isEmpty, !password.isEmpty else {
            throw Problem.badRequest("name and password are required (a form: name=...&password=...)")
        }
        guard let (user, secret, session) = try await openSession(name: name, password: password, request: "POST /login") else {
            throw Problem.unauthorized("the name or the password is wrong")
        }
        var answer = APIResponse.json(["user": .string(user.id.description), "csrf_token": .string(session.csrfToken)], .seeOther)
        answer.headers[.setCookie] = Self.sessionCookie(secret)
        answer.headers[.location] = "/"
        return answer
    }

    /// Signs in and opens a session, auditing the sign-in or the failure; nil for a wrong name or
    /// password, or a disabled user. The one way in for the API's `/login` and the UI's form.
    func openSession(name: String, password: String, request: String) async throws -> (User, String, WebSession)? {
        let signedIn: User?
        do { signedIn = try await users.signIn(name, password: password) } catch let locked as SignInLocked {
            try await audit.append(AuditEntry(user: nil, role: nil, action: .loginFailed, subject: "login", jurisdiction: nil,
                                              request: request, detail: "too many failed sign-ins for this name; locked"))
            let seconds = max(1, (locked.until.millisecondsSince1970 - Timestamp.now.millisecondsSince1970 + 999) / 1000)
            throw Problem(.tooManyRequests, "sign-in-locked", "Too many failed sign-ins",
                          "too many failed sign-ins for this name: try again in \((seconds + 59) / 60) minute(s), or ask an administrator",
                          extra: ["retry_after_seconds": .int(seconds)])
        }
        guard let user = signedIn, let caller = Caller(user) else {
            try await audit.append(AuditEntry(user: nil, role: nil, action: .loginFailed, subject: "login", jurisdiction: nil,
                                              request: request, detail: "wrong name or password, or user disabled"))
            return nil
        }
        let (secret, session) = try await users.openSession(for: user, lasting: Self.sessionSeconds)
        try await audit.append(AuditEntry(user: user.id, role: caller.role, action: .login, subject: "user:\(user.id)",
                                          jurisdiction: nil, request: request))
        return (user, secret, session)
    }

    static func sessionCookie(_ secret: String) -> String {
        "\(cookieName)=\(secret); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(sessionSeconds)"
    }

    func logout(_ request: Request) async throws -> APIResponse {
        guard let secret = Self.cookie(request), let (session, _) = try await users.session(secret) else {
            throw Problem.unauthorized("not signed in")
        }
        var request = request
        let body = try await request.jsonBody()
        guard Self.same(Self.csrf(request, body: body), session.csrfToken) else { throw Self.csrfProblem }
        try await users.endSession(secret)
        var answer = APIResponse.json(["signed_out": true], .seeOther)
        answer.headers[.setCookie] = "\(Self.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        answer.headers[.location] = "/"
        return answer
    }

    /// The caller of a request carrying the session cookie; a change needs the CSRF token.
    func sessionCaller(_ request: Request, secret: String, route: APIRoute) async throws -> (Caller, String) {
        guard let (session, user) = try await users.session(secret), let caller = Caller(user) else {
            throw Problem.unauthorized("the session has ended: sign in again")
        }
        if request.method != .get && request.method != .head {
            guard Self.same(request.headers[HTTPField.Name("X-CSRF-Token")!], session.csrfToken) else { throw Self.csrfProblem }
        }
        return (caller, session.csrfToken)
    }

    /// Compares without stopping at the first difference.
    static func same(_ a: String?, _ b: String) -> Bool {
        guard let a else { return false }
        let x = Array(a.utf8), y = Array(b.utf8)
        return x.count == y.count && zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static let csrfProblem = Problem(.forbidden, "csrf", "Missing or wrong CSRF token",
                                     "a change from a signed-in browser must carry the session's CSRF token")

    static func cookie(_ request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let kv = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0] == cookieName, !kv[1].isEmpty { return String(kv[1]) }
            }
        }
        return nil
    }

    static func csrf(_ request: Request, body: [UInt8]) -> String? {
        request.headers[HTTPField.Name("X-CSRF-Token")!] ?? FormFields(body)["csrf"]
    }
}
