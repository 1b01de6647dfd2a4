import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloRules
import GloServer
import HTTPTypes
import Testing
import TestScratch
import Yams

@Suite("HTTP API")
struct APITests {
    @Test("the OpenAPI document and the routes agree, both ways; every route answers")
    func openAPIMatchesRoutes() async throws {
        let api = try await API()
        let doc = try #require(try Yams.load(yaml: try api.server.openAPIDocument()) as? [String: Any])
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
            // The facts' schemas are the vocabulary's: its allowed values, as the API checks them.
            let servedDoc = try #require(try Yams.load(yaml: served.text) as? [String: Any])
            let schemas = try #require((servedDoc["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let values = try #require((schemas["FactValues"] as? [String: Any])?["properties"] as? [String: Any])
            let acts = try #require(((values["acts"] as? [String: Any])?["items"] as? [String: Any])?["enum"] as? [String])
            #expect(acts == shippedEngine.vocabulary.fact("acts")?.values)
            #expect(acts.contains("sale"))
            let facts = try #require((schemas["Facts"] as? [String: Any])?["properties"] as? [String: Any])
            #expect(Set(facts.keys) == Set(shippedEngine.vocabulary.names))
        }
    }

    @Test("a girl recruited at 17 and screened at 18 is a victim once the screening says when the acts began; without it, undetermined")
    func childAtTheTimeOfTheActs() async throws {
        let api = try await API()
        try await api.test { client in
            // Born 2008-03-01: 18 on the day the case is opened, 17 when she was recruited.
            let (_, caseID) = try await client.openCase(name: "Noy", born: "2008-03-01", opened: "2026-06-01")
            var screening: [String: JSONValue] = [
                "date": "2026-06-01", "acts": ["recruitment", "harbouring"], "means": [], "exploitation": ["sexual_exploitation"],
                "ilo_indicators": [], "migration": ["entry": "irregular", "smuggler_paid": false, "country": "TH", "origin": "LA"],
                "identified_by": "ngo",
            ]
            let unknown = try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: .object(screening))
            #expect(unknown.status == 201, "\(unknown.text)")
            #expect(unknown.body["decision"]?["outcome"] == "undetermined", "never a migrant pathway while her age at the acts is unknown")
            #expect(unknown.body["missing"]?.stringArray.contains("acts_began") == true, "\(unknown.text)")
            screening["facts"] = ["acts_began": "2025-09-01"]
            let known = try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: .object(screening))
            #expect(known.status == 201, "\(known.text)")
            #expect(known.body["decision"]?["outcome"] == "victim" && known.body["case"]?["trafficking_status"] == "possible")
            #expect(known.body["decision"]?["result"]?["child_element"] == "age_at_acts")
            // The fact learnt in the interview is the case's now.
            let decisions = try await client.call(.get, "/api/v1/cases/\(caseID)/decisions", as: "caseworker-TH")
            #expect(decisions.text.contains("s.6(2)"), "the child element's Thai basis")
        }
    }

    @Test("facts of the wrong type, unknown values and dates out of order are refused, each named; nothing is stored")
    func badFactsAreNamed() async throws {
        let api = try await API()
        try await api.test { client in
            let (_, caseID) = try await client.openCase(born: "1998-05-01", opened: "2026-03-02")
            var screening = forcedLabourScreening.objectValue!
            screening["acts"] = ["recruitmnt"]
            screening["facts"] = ["acts_began": "1990-01-01", "stateless": "yes", "favourite_colour": "blue"]
            let refused = try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: .object(screening))
            #expect(refused.status == 422, "\(refused.text)")
            let errors = Dictionary((refused.body["errors"]?.arrayValue ?? []).compactMap { e in
                e["field"]?.stringValue.map { ($0, e["message"]?.stringValue ?? "") }
            }, uniquingKeysWith: { a, _ in a })
            #expect(errors["acts[0]"]?.contains("did you mean 'recruitment'?") == true, "\(errors)")
            #expect(errors["facts.stateless"]?.contains("expected true or false") == true, "\(errors)")
            #expect(errors["facts.favourite_colour"]?.contains("is not a fact of the vocabulary") == true, "\(errors)")
            #expect(errors["facts.birthdate"]?.contains("acts_began") == true, "the birthdate and when the acts began, both named: \(errors)")
            #expect(!refused.text.contains("1990-01-01") && !refused.text.contains("1998-05-01"), "no value is repeated")
            let future = try await client.call(.post, "/api/v1/cases/\(caseID)/facts", as: "caseworker-TH", body: ["acts_began": "2026-12-31"])
            #expect(future.status == 422 && future.text.contains("facts.acts_began"), "\(future.text)")
            let decisions = try await client.call(.get, "/api/v1/cases/\(caseID)/decisions", as: "caseworker-TH")
            #expect(decisions.body["items"]?.arrayValue?.isEmpty == true, "nothing was decided or stored")
        }
    }

    @Test("a fact a country team adds to the vocabulary file is accepted by the running host after a reload, and offered on the form")
    func aFactAddedToTheVocabularyIsAcceptedAfterAReload() async throws {
        // A copy of the shipped rules with the vocabulary of their own (the rules directory's copy wins).
        let root = TestScratch.folder("glo-vocab").path
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Config/jurisdictions").path, toPath: root + "/rules")
        try TestScratch.addVocabulary(to: root + "/rules")
        let engine = try RuleEngine(directory: root + "/rules", statesPerPack: 1)
        let api = try await API(engine: engine)
        try await api.test { client in
            let (_, caseID) = try await client.openCase()
            let before = try await client.call(.post, "/api/v1/cases/\(caseID)/facts", as: "caseworker-TH", body: ["debt_amount": 300])
            #expect(before.status == 422 && before.text.contains("facts.debt_amount"), "\(before.text)")
            // The team adds a fact, as data: no build.
            let file = root + "/rules/facts.schema.json"
            var schema = try JSONParser.parse(try String(contentsOfFile: file, encoding: .utf8))
            if case .object(var top) = schema, case .object(var properties)? = top["properties"] {
                properties["debt_amount"] = ["type": "integer", "minimum": 0, "x-form": "case",
                                             "description": "What the person is told they owe, in the local currency."]
                top["properties"] = .object(properties)
                schema = .object(top)
            }
            try JSONWriter.string(schema, sortKeys: true).write(toFile: file, atomically: true, encoding: .utf8)
            let reload = try await client.call(.post, "/api/v1/rules/reload", as: "rule_author")
            #expect(reload.status == 200, "\(reload.text)")
            let after = try await client.call(.post, "/api/v1/cases/\(caseID)/facts", as: "caseworker-TH", body: ["debt_amount": 300])
            #expect(after.status == 200, "\(after.text)")
            let typed = try await client.call(.post, "/api/v1/cases/\(caseID)/facts", as: "caseworker-TH", body: ["debt_amount": "much"])
            #expect(typed.status == 422 && typed.text.contains("expected a whole number of at least 0"))
            let document = try await client.call(.get, "/api/v1/openapi.yaml")
            #expect(document.text.contains("debt_amount"), "the served document follows the vocabulary")
        }
        #expect(api.server.host.engine.vocabulary.fact("debt_amount")?.form == "case", "the case form offers it")
    }

    @Test("a what-if decides facts without storing anything, names bad facts, and compares with a candidate rule set")
    func whatIf() async throws {
        // A candidate where a TH victim gets only advice.
        let root = TestScratch.folder("glo-candidate").path
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("Config/jurisdictions").path, toPath: root + "/rules")
        try TestScratch.addVocabulary(to: root + "/rules")
        let aid = root + "/rules/TH/legal_aid.lua"
        try (try String(contentsOfFile: aid, encoding: .utf8))
            .replacingOccurrences(of: "kinds = { \"advice\", \"representation\", \"compensation_claim\" }", with: "kinds = { \"advice\" }")
            .write(toFile: aid, atomically: true, encoding: .utf8)
        let api = try await API(candidate: try RuleEngine(directory: root + "/rules", statesPerPack: 1))
        try await api.test { client in
            let before = try await api.server.host.eventLog.lastSequence()
            let facts: JSONValue = ["age": 24, "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"],
                                    "citizenship": ["LA"], "country": "TH"]
            let plain = try await client.call(.post, "/api/v1/rules/evaluate", as: "caseworker-TH",
                                              body: ["jurisdiction": "TH", "decision": "identification.pathway", "facts": facts, "at": "2026-06-01"])
            #expect(plain.status == 200, "\(plain.text)")
            #expect(plain.body["result"]?["outcome"] == "victim" && plain.body["result"]?["rule"]?["pack"] == "TH")
            #expect(plain.body["result"]?["explanation"]?["facts_read"]?.stringArray.contains("means") == true)
            let compared = try await client.call(.post, "/api/v1/rules/evaluate", as: "rule_author",
                                                 body: ["jurisdiction": "TH", "decision": "legal_aid.eligibility", "facts": facts, "compare": true])
            #expect(compared.status == 200, "\(compared.text)")
            let changed = compared.body["changes"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(changed.contains("kinds"), "\(compared.text)")
            #expect(compared.body["candidate"]?["kinds"] == ["advice"])
            let bad = try await client.call(.post, "/api/v1/rules/evaluate", as: "caseworker-TH",
                                            body: ["jurisdiction": "TH", "decision": "identification.pathway", "facts": ["age": "thirty"]])
            #expect(bad.status == 422 && bad.text.contains("facts.age"), "\(bad.text)")
            #expect(try await client.call(.post, "/api/v1/rules/evaluate", as: "auditor",
                                          body: ["jurisdiction": "TH", "decision": "identification.pathway", "facts": [:]]).status == 403)
            #expect(try await api.server.host.eventLog.lastSequence() == before, "a what-if stores nothing")
        }
        // Without a candidate, a comparison is refused with how to set one.
        let plain = try await API()
        try await plain.test { client in
            let refused = try await client.call(.post, "/api/v1/rules/evaluate", as: "rule_author",
                                                body: ["jurisdiction": "TH", "decision": "identification.pathway", "facts": [:], "compare": true])
            #expect(refused.status == 422 && refused.text.contains("rules_candidate"))
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
            // Every wrong field of a body at once, in JSON's terms.
            let (_, caseID) = try await client.openCase()
            let wrong = try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: [
                "date": "2026-03-02", "acts": "recruitment", "means": 3, "exploitation": ["forced_labour"], "ilo_indicators": [],
                "migration": ["entry": ["irregular"]], "identified_by": true,
            ])
            #expect(wrong.status == 400 && wrong.contentType == "application/problem+json")
            let errors = Dictionary(uniqueKeysWithValues: (wrong.body["errors"]?.arrayValue ?? []).compactMap { e in
                e["field"]?.stringValue.flatMap { f in e["message"]?.stringValue.map { (f, $0) } }
            })
            #expect(errors == ["acts": "must be an array", "means": "must be an array", "migration.entry": "must be a string",
                               "identified_by": "must be a string"], "\(wrong.text)")
            #expect(!wrong.text.contains("Array<") && !wrong.text.contains("Swift"), "\(wrong.text)")
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
