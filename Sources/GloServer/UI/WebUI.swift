import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloRules
import HTTPTypes
import Hummingbird
import Logging
import Mustache

/// The caseworkers' web UI: server-rendered pages (swift-mustache, no JavaScript), signed in with the
/// session cookie, in English, Lao or Thai per user. The templates and labels are the core's
/// (`Resources/`) and the enabled plugins'; each label file is the one place a translator edits.
/// Every page goes through the same access checks, metrics and plugin gating as the API.
///
/// The Lao and Thai labels are first drafts: have a native speaker review them.
struct WebUI: Sendable {
    let library: MustacheLibrary
    /// Language -> key -> label, English filling any gap.
    let labels: [String: [String: String]]
    /// The menu: the core's entries and the enabled plugins', each shown to the roles that may open it.
    let menu: [MenuItem]

    static let languages: [(code: String, name: String)] = [("en", "English"), ("lo", "ພາສາລາວ"), ("th", "ภาษาไทย")]

    init(plugins: [any PluginHTTP]) throws {
        let core = CoreResources.loaded
        guard !core.templates.isEmpty else {
            throw Problem(.internalServerError, "internal", "Internal error", "the UI templates are missing from this build")
        }
        var texts = core.templates
        var labels = core.labels
        for plugin in plugins {
            texts.merge(plugin.resources.templates) { core, _ in core }
            for (language, more) in plugin.resources.labels { labels[language, default: [:]].merge(more) { core, _ in core } }
        }
        let english = labels["en"] ?? [:]
        self.labels = labels.mapValues { $0.merging(english) { own, _ in own } }
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in texts {
            templates[name] = try MustacheTemplate(string: text)
            // A page's model is read inside its own section, so that `labels` is found beside it.
            templates["page:" + name] = try MustacheTemplate(string: "{{#page}}{{> \(name)}}{{/page}}")
        }
        library = MustacheLibrary(templates: templates)
        menu = Self.coreMenu + plugins.flatMap(\.menu)
    }

    static let coreMenu = [
        MenuItem("/ui/cases", label: "cases", permission: .readCase),
        MenuItem("/ui/packs", label: "packs", permission: .manageRules),
        MenuItem("/ui/plugins", label: "plugins", permission: .administer),
        MenuItem("/ui/dead-letters", label: "dead_letters", permission: .administer),
        MenuItem("/ui/federation", label: "federation", permission: .administer),
    ]

    func language(_ code: String?) -> String { code.flatMap { labels[$0] == nil ? nil : $0 } ?? "en" }

    func labels(_ language: String) -> [String: String] { labels[language] ?? labels["en"] ?? [:] }

    /// A page's template filled with its model, as HTML (for a section inside another page).
    func fragment(_ page: Page, language: String) -> String {
        library.render(["labels": labels(language), "page": page.model] as [String: Any], withTemplate: "page:" + page.template) ?? ""
    }

    /// A whole page: its template rendered into the layout, with the menu the caller's role may open.
    func render(_ page: Page, language: String, caller: Caller?, csrf: String?, error: String? = nil,
                draft: Bool = false) -> Response {
        let labels = labels(language)
        var layout: [String: Any] = ["lang": language, "page_title": labels[page.title] ?? page.title,
                                     "content": fragment(page, language: language), "labels": labels]
        if let caller, let csrf {
            layout["signed_in"] = true
            layout["csrf"] = csrf
            layout["menu"] = menu.filter { AccessPolicy.allows(caller.role, $0.permission) }
                .map { ["href": $0.path, "label": labels[$0.label] ?? $0.label] }
            layout["languages"] = Self.languages.map { ["code": $0.code, "name": $0.name, "selected": $0.code == language] }
        }
        if let error { layout["error"] = error }
        // Until a native speaker has reviewed a language's texts, its pages say they are a draft.
        if draft, let notice = labels["draft_notice"] { layout["draft_notice"] = notice }
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        // No script may run, and no page may be framed.
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        return Response(status: page.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// Answers a page for the signed-in caller `PageSession` found: the handler's page or redirect, and
    /// for an error a page that says what is wrong, each field of a form by its label.
    func answer(_ route: PageRoute, _ request: Request, _ context: APIContext, _ services: APIServices) async -> Response {
        guard let caller = context.caller, let csrf = context.csrfToken else { return Self.redirect("/ui/login") }
        let language = language(caller.user.language)
        let page = PageRequest(caller: caller, language: language, csrf: csrf, form: context.form, labels: labels(language),
                               services: services)
        do {
            switch try await route.handler(request, context, services, page) {
            case .page(let shown):
                return render(shown, language: language, caller: caller, csrf: csrf, draft: page.vocabulary.isDraft(language))
            case .redirect(let location): return Self.redirect(location)
            }
        } catch {
            let problem = Problem.logged(error, route: context.requestName, logger: services.logger)
            return render(Page("error", title: "error", model: ErrorView(title: problem.title), status: problem.status),
                          language: language, caller: caller, csrf: csrf, error: message(for: error, problem, page))
        }
    }

    /// What went wrong, for a caseworker: each invalid field by its label, with what was wrong.
    func message(for error: any Error, _ problem: Problem, _ page: PageRequest) -> String {
        guard let invalid = error as? ValidationFailure else { return problem.detail }
        return invalid.errors.map { e -> String in
            let name = e.field.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? e.field
            let label = page.vocabulary.fact(name) != nil ? page.vocabulary.label(fact: name, in: page.language) : page.label(name)
            return "\(label): \(e.message)"
        }.joined(separator: " · ")
    }
}

struct ErrorView: Sendable { var title: String }
