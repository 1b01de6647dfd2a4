import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import Testing

/// Every role x every endpoint x own / other jurisdiction, with the expected allow or deny. Every deny
/// leaves an audit entry, and so does every allowed read of a person.
@Suite("Access matrix")
struct AccessMatrixTests {
    enum Side { case th, la, none }

    struct Endpoint {
        var method: HTTPRequest.Method
        var path: String
        var side: Side
        var permission: Permission
        var body: JSONValue?
    }

    @Test("role x endpoint x jurisdiction")
    func matrix() async throws {
        let api = try await API()
        try await api.test { client in
            let th = try await client.openCase("TH", name: "Khamla")
            let la = try await client.openCase("LA", name: "Vanh")
            func endpoints(_ c: (person: String, case: String), _ side: Side, _ code: String) -> [Endpoint] {
                [
                    Endpoint(method: .get, path: "/api/v1/cases/\(c.case)", side: side, permission: .readCase),
                    Endpoint(method: .get, path: "/api/v1/cases/\(c.case)/decisions", side: side, permission: .readCase),
                    Endpoint(method: .post, path: "/api/v1/cases/\(c.case)/screenings", side: side, permission: .writeCase,
                             body: forcedLabourScreening),
                    Endpoint(method: .get, path: "/api/v1/persons/\(c.person)", side: side, permission: .readCase),
                    Endpoint(method: .get, path: "/api/v1/cases?jurisdiction=\(code)", side: side, permission: .readCase),
                    Endpoint(method: .post, path: "/api/v1/cases", side: side, permission: .writeCase,
                             body: ["person": .string(c.person), "jurisdiction": .string(code), "opened": "2026-03-03"]),
                ]
            }
            let system: [Endpoint] = [
                Endpoint(method: .get, path: "/api/v1/admin/plugins", side: .none, permission: .administer),
                Endpoint(method: .get, path: "/api/v1/admin/dead-letters", side: .none, permission: .administer),
                Endpoint(method: .get, path: "/api/v1/rules/packs", side: .none, permission: .manageRules),
                Endpoint(method: .get, path: "/api/v1/audit", side: .none, permission: .audit),
            ]
            var checked = 0
            for who in API.people {
                let user = api.users[who]!
                let role = user.roles[0]
                for endpoint in endpoints(th, .th, "TH") + endpoints(la, .la, "LA") + system {
                    let jurisdiction: JurisdictionID? = switch endpoint.side { case .th: "TH"; case .la: "LA"; case .none: nil }
                    let expected = AccessPolicy.allows(role, endpoint.permission)
                        && (jurisdiction.map(user.jurisdictions.contains) ?? true)
                    let deniedBefore = try await api.server.audit.entries(user: user.id, action: .denied).count
                    let readsBefore = try await api.server.audit.entries(user: user.id, action: .read).count
                    let reply = try await client.call(endpoint.method, endpoint.path, as: who, body: endpoint.body)
                    let label = "\(who) \(endpoint.method.rawValue) \(endpoint.path): \(reply.status) \(reply.text.prefix(160))"
                    if expected {
                        #expect((200..<300).contains(reply.status), "\(label)")
                    } else {
                        #expect(reply.status == 403 || reply.status == 404, "\(label)")
                        #expect(try await api.server.audit.entries(user: user.id, action: .denied).count == deniedBefore + 1, "\(label)")
                    }
                    if expected && endpoint.path.contains("/persons/") {
                        #expect(try await api.server.audit.entries(user: user.id, action: .read).count == readsBefore + 1, "\(label)")
                    }
                    checked += 1
                }
            }
            #expect(checked == API.people.count * 16)
            // The Thai caseworker does not see the Lao case in a search either.
            let search = try await client.call(.get, "/api/v1/persons?name=vanh", as: "caseworker-TH")
            #expect(search.body["items"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test("nobody can change the audit log through the API")
    func auditIsAppendOnly() async throws {
        let api = try await API()
        #expect(!api.server.routes.contains { $0.path.hasPrefix("/api/v1/audit") && $0.method != .get })
        try await api.test { client in
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                let reply = try await client.call(method, "/api/v1/audit", as: "admin")
                #expect(reply.status == 404 || reply.status == 405, "\(method)")
            }
        }
    }
}
