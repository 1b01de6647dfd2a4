import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloPlugins
import GloServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import Yams

/// The server names no plugin: what a plugin adds comes from its HTTP part, and a plugin not enabled
/// leaves nothing behind.
@Suite("Plugins composed by the server")
struct PluginCompositionTests {
    static let workflowPlugins = PluginCatalog.entries.map(\.plugin.id).filter { $0 != "tally" }

    /// The ids of the sections a plugin's templates open (`<h2 id="...">`).
    static func sectionIDs(_ http: any PluginHTTP) -> Set<String> {
        Set(http.resources.templates.filter { $0.key.hasSuffix("-section") }.values.flatMap { text in
            text.matches(of: /<h2 id="([^"]+)">/).map { String($0.output.1) }
        })
    }

    /// `METHOD /path` of every operation the served document has.
    static func documented(_ api: API) throws -> Set<String> {
        let document = try #require(try Yams.load(yaml: try api.server.openAPIDocument()) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
    }

    static func uri(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased()).replacingOccurrences(of: "{jurisdiction}", with: "TH")
    }

    /// Signs the Thai caseworker in through the form; a case of theirs, screened, and its page.
    func casePage(_ api: API, _ client: Client) async throws -> (cookie: String, page: String, dashboard: String) {
        let r = try await client.client.execute(uri: "/ui/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "name=noy&password=correct+horse+battery")) { $0 }
        let cookie = String(try #require(r.headers[.setCookie]).prefix { $0 != ";" })
        let (_, caseID) = try await client.openCase()
        let page = try await client.client.execute(uri: "/ui/cases/\(caseID)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
        let dashboard = try await client.client.execute(uri: "/ui", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
        return (cookie, page, dashboard)
    }

    @Test("with every plugin enabled, each one's routes, documented paths, case-page section and menu entries are there")
    func allEnabled() async throws {
        let api = try await API()
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: api.users["caseworker-TH"]!.id, cost: .fast)
        let documented = try Self.documented(api)
        let served = Set(api.server.routes.map(\.name))
        try await api.test { client in
            let (_, page, dashboard) = try await casePage(api, client)
            for http in api.server.plugins {
                for route in http.routes {
                    #expect(served.contains(route.name))
                    #expect(documented.contains(route.name), "\(route.name) is not documented")
                }
                // Immigration shows its section only once there is a deportation or a push back.
                if http.id != "immigration" {
                    for id in Self.sectionIDs(http) { #expect(page.contains("<h2 id=\"\(id)\">"), "\(http.id): no section \(id)") }
                }
                // The menu offers what the role may open, and only that.
                for item in http.menu {
                    #expect(dashboard.contains("href=\"\(item.path)\"") == AccessPolicy.allows(.caseworker, item.permission),
                            "\(http.id): the menu entry \(item.path) for a caseworker")
                }
            }
        }
    }

    @Test("with one plugin disabled, its routes, pages, case-page section, menu entries and documented paths are gone",
          arguments: workflowPlugins)
    func disabled(_ id: String) async throws {
        let enabled = allPlugins.filter { $0.id != id && !$0.dependencies.contains(id) }
        let api = try await API(plugins: enabled)
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: api.users["caseworker-TH"]!.id, cost: .fast)
        let http = try #require(PluginCatalog.entries.first { $0.plugin.id == id }?.http)
        #expect(!api.server.plugins.contains { $0.id == id })
        let served = Set(api.server.routes.map(\.name))
        let documented = try Self.documented(api)
        for route in http.routes {
            #expect(!served.contains(route.name), "\(route.name) is still served")
            #expect(!documented.contains(route.name), "\(route.name) is still documented")
        }
        try await api.test { client in
            // The router's own 404, not a problem from a route.
            for route in http.routes {
                let reply = try await client.call(route.method, Self.uri(route.path), as: "admin")
                #expect(reply.status == 404 && reply.contentType != "application/problem+json", "\(route.name): \(reply.status)")
            }
            let (cookie, page, dashboard) = try await casePage(api, client)
            for route in http.pages {
                let status = try await client.client.execute(uri: Self.uri(route.path), method: route.method, headers: [.cookie: cookie]) { $0.status }
                #expect(status == .notFound, "\(route.name): \(status)")
            }
            for section in Self.sectionIDs(http) { #expect(!page.contains("id=\"\(section)\""), "the section \(section) is still shown") }
            for item in http.menu { #expect(!dashboard.contains("href=\"\(item.path)\""), "the menu still offers \(item.path)") }
            #expect(page.contains("<h2 id=\"facts\">"), "the core's part of the case page is still there")
        }
    }
}
