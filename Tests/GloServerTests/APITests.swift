import Foundation
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import Testing
import Yams

@Suite("HTTP API")
struct APITests {
    @Test("the OpenAPI document and the routes agree, both ways; every route answers")
    func openAPIMatchesRoutes() async throws {
        let api = try await API()
        let doc = try #require(try Yams.load(yaml: try OpenAPIDocument.text()) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, methods) in paths {
            for method in methods.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let served = Set(api.server.routes.map(\.name))
        #expect(served.subtracting(documented).isEmpty, "routes missing from the document: \(served.subtracting(documented))")
        #expect(documented.subtracting(served).isEmpty, "documented routes that do not exist: \(documented.subtracting(served))")
        try await api.test { client in
            for route in api.server.routes {
                let uri = route.path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                let reply = try await client.call(route.method, uri, as: "admin")
                // A route that exists answers itself: a success, or a problem of its own; never the router's 404.
                #expect(reply.status != 404 || reply.contentType == "application/problem+json", "\(route.name): \(reply.status)")
                #expect(reply.status < 500, "\(route.name): \(reply.text)")
            }
            let served = try await client.call(.get, "/api/v1/openapi.yaml")
            #expect(served.status == 200 && served.text.hasPrefix("openapi: 3.1"))
        }
    }

    @Test("a caseworker registers a person, opens a case, records a screening, and sees the decision with its legal basis")
    func screeningFlow() async throws {
        let api = try await API()
        try await api.test { client in
            let (personID, caseID) = try await client.openCase()
            let screened = try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: forcedLabourScreening)
            #expect(screened.status == 201, "\(screened.text)")
            #expect(screened.body["decision"]?["outcome"] == .string("victim"))
            #expect(screened.body["decision"]?["rule"]?["pack"] == .string("TH"))
            #expect(screened.body["case"]?["trafficking_status"] == .string("possible"))
            let decisions = try await client.call(.get, "/api/v1/cases/\(caseID)/decisions", as: "caseworker-TH")
            let first = try #require(decisions.body["items"]?.arrayValue?.first)
            #expect(first["basis"]?.stringArray.contains { $0.hasPrefix("TH Anti-Trafficking in Persons Act") } == true)
            #expect(first["facts_read"]?.arrayValue?.isEmpty == false)
            // The screening's answer (written as text) shows the decision as the list does (a tree).
            #expect(screened.body["decision"] == first)
            #expect(screened.body["screening"]?["case_id"] == .string(caseID) && screened.body["missing"] == .array([]))
            let person = try await client.call(.get, "/api/v1/persons/\(personID)", as: "caseworker-TH")
            #expect(person.body["personal"]?["given_names"] == .string("Khamla"))
            let found = try await client.call(.get, "/api/v1/persons?name=khamla", as: "caseworker-TH")
            #expect(found.body["items"]?.arrayValue?.count == 1)
            let list = try await client.call(.get, "/api/v1/cases?jurisdiction=TH&limit=1", as: "caseworker-TH")
            #expect(list.body["items"]?.arrayValue?.count == 1)
        }
        // The reads of the person and the case are in the audit log, with who and in which role.
        let reads = try await api.server.audit.entries(action: .read)
        #expect(reads.contains { $0.subject.hasPrefix("person:") && $0.user == api.users["caseworker-TH"]!.id && $0.role == .caseworker })
        #expect(reads.contains { $0.subject.hasPrefix("case:") })
    }

    @Test("errors are problem details: no token, a bad token (audited), invalid fields, malformed JSON, an unknown case")
    func problems() async throws {
        let api = try await API()
        try await api.test { client in
            let none = try await client.call(.get, "/api/v1/cases")
            #expect(none.status == 401 && none.contentType == "application/problem+json")
            #expect(none.body["type"]?.stringValue?.hasSuffix("/unauthorized") == true)
            let bad = try await client.call(.get, "/api/v1/cases", token: "glo_00000000000000000000000000000000_nope")
            #expect(bad.status == 401)
            let invalid = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", body: [
                "given_names": " ", "other_names": [], "date_of_birth_estimated": false, "citizenship": ["Laos"], "languages": [],
                "identity_documents": [],
            ])
            #expect(invalid.status == 422)
            let fields = invalid.body["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(fields.contains("person.personal.given_names") && fields.contains("person.personal.citizenship[0]"))
            let malformed = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", raw: "{\"given_names\": ")
            #expect(malformed.status == 400 && malformed.contentType == "application/problem+json")
            let missing = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", body: ["given_names": "A"])
            #expect(missing.status == 400 && missing.body["detail"]?.stringValue?.contains("is required") == true)
            let unknown = try await client.call(.get, "/api/v1/cases/\(UUID().uuidString.lowercased())", as: "caseworker-TH")
            #expect(unknown.status == 404 && unknown.contentType == "application/problem+json")
            let notAnID = try await client.call(.get, "/api/v1/cases/Somchai", as: "caseworker-TH")
            #expect(notAnID.status == 404 && !notAnID.text.contains("Somchai"))
        }
        #expect(try await api.server.audit.entries(action: .loginFailed).count == 1)
    }

    @Test("a POST with an Idempotency-Key creates once; the key with another body is refused")
    func idempotency() async throws {
        let api = try await API()
        try await api.test { client in
            let body: JSONValue = ["given_names": "Noy", "other_names": [], "date_of_birth_estimated": false, "citizenship": [],
                                   "languages": [], "identity_documents": []]
            let first = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", body: body, headers: ["Idempotency-Key": "k-1"])
            let again = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", body: body, headers: ["Idempotency-Key": "k-1"])
            #expect(first.status == 201 && again.status == 201)
            #expect(first.body["id"] == again.body["id"])
            #expect(try await api.server.host.records.findPersons(named: "Noy").count == 1)
            var other = body
            if case .object(var o) = other { o["given_names"] = "Dao"; other = .object(o) }
            let reused = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", body: other, headers: ["Idempotency-Key": "k-1"])
            #expect(reused.status == 422 && reused.body["type"]?.stringValue?.hasSuffix("/idempotency-key-reused") == true)
        }
    }

    @Test("a disabled plugin's routes do not exist")
    func disabledPluginRoutes() async throws {
        let api = try await API(plugins: [])
        #expect(!api.server.routes.contains { $0.path == "/api/v1/cases/{id}/screenings" })
        try await api.test { client in
            let (_, caseID) = try await client.openCase()
            let reply = try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: forcedLabourScreening)
            #expect(reply.status == 404 && reply.contentType != "application/problem+json")
        }
    }

    @Test("health, readiness and metrics")
    func operations() async throws {
        let api = try await API()
        try await api.test { client in
            #expect(try await client.call(.get, "/healthz").body["status"] == .string("ok"))
            let ready = try await client.call(.get, "/readyz")
            #expect(ready.status == 200 && ready.body["store"] == .string("ok"))
            let (_, caseID) = try await client.openCase()
            try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: forcedLabourScreening)
            let metrics = try await client.call(.get, "/metrics")
            #expect(metrics.text.contains("glo_http_requests_total{route=\"POST /api/v1/cases/{id}/screenings\",status=\"201\"} 1"))
            #expect(metrics.text.contains("glo_decisions_total{decision=\"identification.pathway\",outcome=\"victim\"} 1"))
            #expect(metrics.text.contains("glo_dead_letters 0"))
            #expect(metrics.text.contains("glo_event_lag{subscriber=\"legal-aid\"}"))
        }
    }

    @Test("the audit log pages oldest first with next_cursor, the pages neither overlap nor skip")
    func auditPages() async throws {
        let api = try await API()
        try await api.test { client in
            // Some refusals and reads to audit.
            for _ in 0..<3 { _ = try await client.call(.get, "/api/v1/audit", as: "caseworker-TH") }
            _ = try await client.call(.get, "/api/v1/cases?jurisdiction=TH", as: "caseworker-TH")
            let all = try await client.call(.get, "/api/v1/audit?limit=5000", as: "auditor")
            let everything = try #require(all.body["items"]?.arrayValue).compactMap { $0["id"]?.stringValue }
            #expect(everything.count >= 3 && all.body["next_cursor"] == nil, "\(everything.count)")
            var paged: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/api/v1/audit?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: "auditor")
                paged += try #require(page.body["items"]?.arrayValue).compactMap { $0["id"]?.stringValue }
                cursor = page.body["next_cursor"]?.stringValue
            } while cursor != nil
            // The auditor's own reads of the log come after; the entries before them are the same.
            #expect(Array(paged.prefix(everything.count)) == everything)
            #expect(Set(paged).count == paged.count)
        }
    }
}
