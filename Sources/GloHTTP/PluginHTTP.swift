public import Foundation
import GloJSON
public import GloKit
public import GloRules
public import HTTPTypes
import Hummingbird
public import HummingbirdCore

/// The HTTP side of a workflow plugin: its API routes and their OpenAPI paths, its pages and forms,
/// its section of the case page and its part of the dashboard, with their labels in each language.
/// The server composes the enabled plugins' parts and names none of them: a disabled plugin leaves no
/// route, page, section or documented path behind.
public protocol PluginHTTP: Sendable {
    /// The id of the plugin it belongs to (`Plugin.id`).
    var id: String { get }
    /// Its API routes, paths as its `openapi.yaml` writes them.
    var routes: [APIRoute] { get }
    /// Its pages and forms in the web UI.
    var pages: [PageRoute] { get }
    /// Its entries in the menu, each shown only to a role that may open it.
    var menu: [MenuItem] { get }
    /// Its OpenAPI paths, templates and labels (`Resources/` of its HTTP target).
    var resources: PluginResources { get }
    /// Its section of the case page, when it has one for this case. The case's access was checked and
    /// its read audited before.
    func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page?
    /// Its part of the dashboard for one of the caller's jurisdictions, when it has one.
    func dashboard(_ jurisdiction: JurisdictionID, _ page: PageRequest) async throws -> Page?
}

extension PluginHTTP {
    public var routes: [APIRoute] { [] }
    public var pages: [PageRoute] { [] }
    public var menu: [MenuItem] { [] }
    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? { nil }
    public func dashboard(_ jurisdiction: JurisdictionID, _ page: PageRequest) async throws -> Page? { nil }
}

/// An entry of the web UI's menu: where it goes, its label key, and what a role needs to open it.
public struct MenuItem: Sendable {
    public var path: String
    public var label: String
    public var permission: Permission

    public init(_ path: String, label: String, permission: Permission) {
        self.path = path
        self.label = label
        self.permission = permission
    }
}

/// What the web UI shows: a template (of the core or of a plugin) filled with a typed view model.
/// Templates read the model's properties by name, and `labels.KEY` in the caller's language.
public struct Page: Sendable {
    public var template: String
    /// The page's title, as a label key.
    public var title: String
    public var model: any Sendable
    /// The status the page answers with (a refusal's page is 403, a bad form's 422).
    public var status: HTTPResponse.Status

    public init(_ template: String, title: String, model: any Sendable, status: HTTPResponse.Status = .ok) {
        self.template = template
        self.title = title
        self.model = model
        self.status = status
    }
}

/// What a page route answers: a page, or where to go next (after a form).
public enum PageAnswer: Sendable {
    case page(Page)
    case redirect(String)
}

/// A signed-in browser's request of a page: who asks, in which language, the session's CSRF token
/// for the forms, and the submitted form of a POST (checked against that token before the handler).
public struct PageRequest: Sendable {
    public let caller: Caller
    public let language: String
    public let csrf: String
    public let form: FormFields
    /// The labels of the caller's language, English where a label is missing.
    public let labels: [String: String]
    public let services: APIServices

    public init(caller: Caller, language: String, csrf: String, form: FormFields, labels: [String: String], services: APIServices) {
        self.caller = caller
        self.language = language
        self.csrf = csrf
        self.form = form
        self.labels = labels
        self.services = services
    }

    /// The host's fact vocabulary, for labels of facts and their values.
    public var vocabulary: Vocabulary { services.host.engine.vocabulary }

    /// How a page names a person: their names, or "erased" and nothing else for an erased person.
    public func name(of person: Person?) -> String {
        guard let person else { return "" }
        if person.erasedAt != nil { return label("erased") }
        return [person.personal.givenNames, person.personal.familyName].compactMap { $0 }.joined(separator: " ")
    }

    /// The label of `key`; without one, the key itself, less its kind (`pathway.victim` reads
    /// `victim`): a value is never hidden for want of a label.
    public func label(_ key: String) -> String {
        if let label = labels[key] { return label }
        guard let dot = key.firstIndex(of: ".") else { return key }
        return String(key[key.index(after: dot)...])
    }
}

/// One page or form of the web UI: like an API route, it goes through the same access checks,
/// metrics and plugin gating; it answers a page or a redirect, and its errors become pages.
public struct PageRoute: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    public var handler: @Sendable (Request, APIContext, APIServices, PageRequest) async throws -> PageAnswer

    public init(_ method: HTTPRequest.Method, _ path: String,
                _ handler: @escaping @Sendable (Request, APIContext, APIServices, PageRequest) async throws -> PageAnswer) {
        self.method = method
        self.path = path
        self.handler = handler
    }

    public var name: String { "\(method.rawValue) \(path)" }
}

/// What an HTTP target ships beside its code (`Resources/`): `openapi.yaml` (a `paths:` mapping the
/// server merges into its document), `Templates/*.mustache`, and `Labels/<language>.json` (one file
/// per language, the one place a translator edits).
public struct PluginResources: Sendable {
    public var openAPIPaths: String
    public var templates: [String: String]
    /// Language -> key -> label.
    public var labels: [String: [String: String]]

    public init(openAPIPaths: String = "", templates: [String: String] = [:], labels: [String: [String: String]] = [:]) {
        self.openAPIPaths = openAPIPaths
        self.templates = templates
        self.labels = labels
    }

    /// Reads a `Resources` folder; a missing folder or file is simply empty.
    public static func load(_ folder: URL?) -> PluginResources {
        guard let folder else { return PluginResources() }
        let fm = FileManager.default
        var resources = PluginResources()
        resources.openAPIPaths = (try? String(contentsOf: folder.appendingPathComponent("openapi.yaml"), encoding: .utf8)) ?? ""
        let templates = folder.appendingPathComponent("Templates")
        for file in (try? fm.contentsOfDirectory(atPath: templates.path)) ?? [] where file.hasSuffix(".mustache") {
            resources.templates[String(file.dropLast(".mustache".count))] =
                try? String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
        }
        let labels = folder.appendingPathComponent("Labels")
        for file in (try? fm.contentsOfDirectory(atPath: labels.path)) ?? [] where file.hasSuffix(".json") {
            guard let data = fm.contents(atPath: labels.appendingPathComponent(file).path),
                  case .object(let members)? = try? JSONParser.parse([UInt8](data)) else { continue }
            resources.labels[String(file.dropLast(".json".count))] = members.compactMapValues(\.stringValue)
        }
        return resources
    }
}

/// A plugin's latest decision as a section shows it: its outcome by its label, date and reasons.
public struct LatestDecision: Sendable {
    public var outcome: String
    public var date: String
    public var reasons: [String]

    public init(_ d: DecisionRecord, _ page: PageRequest) {
        outcome = page.vocabulary.label(outcome: d.outcome, of: d.decision, in: page.language)
        date = d.decidedAt.day.description
        reasons = d.reasons
    }
}
