import Foundation
public import GloHTTP
public import GloKit
public import GloRules
public import Hummingbird
public import Logging

/// The HTTP API and the web UI over a running host: an adapter over GloKit and the enabled plugins'
/// HTTP parts, with no rule of law and no plugin named.
///
/// Every request goes through the same middleware: it is named by the route it matched and measured
/// (`RequestMetrics`); an API error becomes RFC 9457 problem details (`ProblemResponses`); a signed-in
/// route needs a bearer token or the session cookie with its CSRF token for a change
/// (`Authentication`); a POST with an `Idempotency-Key` is answered once (`Idempotency`). Pages go
/// through `PageSession` (the cookie, the CSRF token of a form) and their errors become pages.
/// Handlers check the caller's role and jurisdictions and write the audit log (`APIServices`).
public struct GloServer: Sendable {
    public let services: APIServices
    /// The HTTP parts of the enabled plugins, in the catalog's order.
    public let plugins: [any PluginHTTP]
    let ui: WebUI

    public init(host: GloHost, plugins: [any PluginHTTP], candidate: RuleEngine? = nil,
                logger: Logger = Logger(label: "glo-host.http")) throws {
        let enabled = Set(host.plugins.map(\.id))
        self.plugins = plugins.filter { enabled.contains($0.id) }
        services = APIServices(host: host, candidate: candidate, logger: logger)
        ui = try WebUI(plugins: self.plugins)
    }

    public var host: GloHost { services.host }
    public var users: Users { services.users }
    public var audit: AuditLog { services.audit }
    public var metrics: ServerMetrics { services.metrics }

    /// The API's routes: the core's and the enabled plugins'.
    public var routes: [APIRoute] {
        let server = self
        let document = APIRoute(.get, "/api/v1/openapi.yaml", access: .anyone) { _, _, _ in
            .text(try server.openAPIDocument(), contentType: "application/yaml")
        }
        return [document] + HealthAPI.routes + SessionAPI.routes + PersonsAPI.routes + CasesAPI.routes + AdminAPI.routes + RulesAPI.routes
            + AuditAPI.routes + FederationAPI.routes + plugins.flatMap(\.routes)
    }

    /// The web UI's pages for signed-in users: the core's and the enabled plugins'.
    public var pages: [PageRoute] { CorePages(plugins: plugins, ui: ui).routes + plugins.flatMap(\.pages) }

    /// The OpenAPI document served: the core's paths and those of the enabled plugins, with the fact
    /// schemas made from the vocabulary in force.
    public func openAPIDocument() throws -> String {
        try OpenAPIDocument.assemble(plugins: plugins.map(\.resources.openAPIPaths), vocabulary: host.engine.vocabulary)
    }

    public func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: RequestMetrics(metrics: metrics))
        let api = router.group().add(middleware: ProblemResponses(logger: services.logger))
        let signedIn = api.group().add(middleware: Authentication(services: services)).add(middleware: Idempotency(services: services))
        for route in routes {
            let group = route.access == .anyone ? api : signedIn
            group.on(RouterPath(route.path), method: route.method) { request, context in
                try await route.handler(request, context, services).response
            }
        }
        LoginPages(services: services, ui: ui).add(to: router)
        let pages = router.group().add(middleware: PageSession(services: services, ui: ui))
        for page in self.pages {
            pages.on(RouterPath(page.path), method: page.method) { request, context in
                await ui.answer(page, request, context, services)
            }
        }
        return router
    }

    /// The HTTP application, to run in the host's service group.
    public func application(address: String, port: Int) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(address, port: port), serverName: "glo-host"),
                    logger: services.logger)
    }
}
