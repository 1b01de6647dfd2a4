import GloHTTP
import GloKit
import Hummingbird

/// The web UI's pages: a browser without a live session is sent to the sign-in page; a form (any
/// POST) must carry the session's CSRF token, and is read into `context.form` for its page.
struct PageSession: RouterMiddleware {
    typealias Context = APIContext
    let services: APIServices
    let ui: WebUI

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let secret = SessionCookie.secret(request), let (session, user) = try await services.users.session(secret),
              let caller = try RoleChoice.caller(user, request: request.headers, session: session.role) else {
            return WebUI.redirect("/ui/login")
        }
        var context = context
        context.caller = caller
        context.csrfToken = session.csrfToken
        var request = request
        if request.method == .post {
            let body = try await request.jsonBody()
            let form = FormFields(body)
            guard SessionCookie.same(request.headers[SessionCookie.csrfHeader] ?? form["csrf"], session.csrfToken) else {
                return ui.render(Page("error", title: "error", model: ErrorView(title: ui.labels(ui.language(user.language))["form_out_of_date"] ?? "Form out of date"),
                                      status: .forbidden),
                                 language: ui.language(user.language), caller: caller, csrf: session.csrfToken,
                                 error: ui.labels(ui.language(user.language))["open_again"] ?? "This form is out of date: open the page again.")
            }
            context.form = form
            request = Request(head: request.head, body: .init(buffer: ByteBuffer(bytes: body)))
        }
        return try await next(request, context)
    }
}
