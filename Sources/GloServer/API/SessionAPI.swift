import GloHTTP
import GloJSON
import GloKit
import Hummingbird

/// The browser's way in: `POST /login` with a sign-in name and password sets an HttpOnly, SameSite
/// session cookie; a request that changes anything with that cookie must carry the session's CSRF
/// token (header `X-CSRF-Token`, or the form field `csrf`). Bearer tokens stay for partner systems.
enum SessionAPI {
    static let routes: [APIRoute] = [
        APIRoute(.post, "/login", access: .anyone) { request, context, s in
            var request = request
            let form = FormFields(try await request.jsonBody())
            guard let name = form["name"], let password = form["password"] else {
                throw Problem.badRequest("name and password are required (a form: name=...&password=...)")
            }
            guard let (user, secret, session) = try await open(name: name, password: password, role: form["role"], context, s) else {
                throw Problem.unauthorized("the name or the password is wrong")
            }
            var answer = APIResponse.json(["user": .string(user.id.description), "csrf_token": .string(session.csrfToken)], .seeOther)
            answer.headers[.setCookie] = SessionCookie.setting(secret)
            answer.headers[.location] = "/"
            return answer
        },
        APIRoute(.post, "/logout", access: .anyone) { request, _, s in
            guard let secret = SessionCookie.secret(request), let (session, _) = try await s.users.session(secret) else {
                throw Problem.unauthorized("not signed in")
            }
            var request = request
            let body = try await request.jsonBody()
            guard SessionCookie.same(request.headers[SessionCookie.csrfHeader] ?? FormFields(body)["csrf"], session.csrfToken) else {
                throw SessionCookie.csrfProblem
            }
            try await s.users.endSession(secret)
            var answer = APIResponse.json(["signed_out": true], .seeOther)
            answer.headers[.setCookie] = SessionCookie.clearing
            answer.headers[.location] = "/"
            return answer
        },
        APIRoute(.get, "/session") { _, context, _ in
            let caller = try context.requireCaller()
            return .json(["user": .string(caller.user.id.description), "name": .string(caller.user.displayName),
                          "role": .string(caller.role.rawValue), "csrf_token": .string(context.csrfToken ?? "")])
        },
    ]

    /// Signs in and opens a session, auditing the sign-in or the failure; nil for a wrong name or
    /// password, or a disabled user. The one way in for the API's `/login` and the UI's form. A user
    /// with several roles may choose the session's (`role`); each request may still choose another.
    static func open(name: String, password: String, role: String?, _ context: APIContext, _ s: APIServices) async throws -> (User, String, WebSession)? {
        let chosen = role.flatMap { $0.isEmpty ? nil : $0 }
        if let chosen, Role(rawValue: chosen) == nil {
            throw Problem.badRequest("role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let signedIn: User?
        do { signedIn = try await s.users.signIn(name, password: password) } catch let locked as SignInLocked {
            try await s.audit.append(AuditEntry(user: nil, role: nil, action: .loginFailed, subject: "login", jurisdiction: nil,
                                                request: context.requestName, detail: "too many failed sign-ins for this name; locked"))
            let seconds = max(1, (locked.until.millisecondsSince1970 - Timestamp.now.millisecondsSince1970 + 999) / 1000)
            throw Problem(.tooManyRequests, "sign-in-locked", "Too many failed sign-ins",
                          "too many failed sign-ins for this name: try again in \((seconds + 59) / 60) minute(s), or ask an administrator",
                          extra: ["retry_after_seconds": .int(seconds)])
        }
        guard let user = signedIn, let caller = chosen.flatMap({ Role(rawValue: $0) }).map({ Caller(user, as: $0) }) ?? Caller(user) else {
            try await s.audit.append(AuditEntry(user: nil, role: nil, action: .loginFailed, subject: "login", jurisdiction: nil,
                                                request: context.requestName, detail: "wrong name or password, or user disabled"))
            return nil
        }
        let (secret, session) = try await s.users.openSession(for: user, role: chosen == nil ? nil : caller.role, lasting: SessionCookie.seconds)
        try await s.audit.append(AuditEntry(user: user.id, role: caller.role, action: .login, subject: "user:\(user.id)",
                                            jurisdiction: nil, request: context.requestName))
        return (user, secret, session)
    }
}
