import Foundation
import GloHTTP
import GloKit
import Hummingbird

/// The pages a browser sees before signing in: `/` (to the dashboard, or the sign-in form) and the
/// sign-in form itself, in the language asked for (`?lang=`, else the browser's).
struct LoginPages {
    let services: APIServices
    let ui: WebUI

    struct LoginView: Sendable {
        var lang: String
        /// The roles to choose one from, for a user who holds several.
        var roles: [String] = Role.allCases.map(\.rawValue)
    }

    func add(to router: Router<APIContext>) {
        router.get("/") { _, _ in WebUI.redirect("/ui") }
        router.get("/ui/login") { request, _ in
            let language = language(request)
            return ui.render(Page("login", title: "sign_in", model: LoginView(lang: language)), language: language, caller: nil, csrf: nil)
        }
        router.post("/ui/login") { request, context in
            var request = request
            let form = FormFields((try? await request.jsonBody()) ?? [])
            let language = ui.language(form["lang"] ?? language(request))
            func refused(_ message: String, _ status: HTTPResponse.Status) -> Response {
                ui.render(Page("login", title: "sign_in", model: LoginView(lang: language), status: status), language: language,
                          caller: nil, csrf: nil, error: message)
            }
            let wrong = ui.labels(language)["wrong_sign_in"] ?? "The name or the password is wrong."
            guard let name = form["name"], let password = form["password"] else { return refused(wrong, .unauthorized) }
            do {
                guard let (_, secret, _) = try await SessionAPI.open(name: name, password: password, role: form["role"], context, services) else {
                    return refused(wrong, .unauthorized)
                }
                return WebUI.redirect("/ui", cookie: SessionCookie.setting(secret))
            } catch {
                let problem = Problem.from(error)
                return refused(problem.detail, problem.status)
            }
        }
    }

    /// `?lang=`, else the first of the browser's languages the UI has, else English.
    func language(_ request: Request) -> String {
        if let asked = request.uri.queryParameters.get("lang") { return ui.language(String(asked)) }
        let accepted = (request.headers[.acceptLanguage] ?? "").split(separator: ",")
            .map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).prefix(2).lowercased() }
        return accepted.first { ui.labels[$0] != nil } ?? "en"
    }
}
