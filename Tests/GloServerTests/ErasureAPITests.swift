import Foundation
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import Testing

/// `POST /api/v1/persons/{id}/erasure` as a data-protection officer uses it, with a plain token.
@Suite("Erasure through the API")
struct ErasureAPITests {
    @Test("a data-protection officer's token erases a person, with a reason; others are refused; bad input is named; the person reads as erased only")
    func erasure() async throws {
        let api = try await API()
        let officer = User(displayName: "dpo", roles: [.dataProtectionOfficer], organisation: api.thOrg, jurisdictions: ["TH"])
        try await api.server.users.add(officer)
        let token = try await api.server.users.issueToken(for: officer.id)
        let person = try await api.test { client in
            let (person, _) = try await client.openCase(name: "Khamla")
            let erase = { (body: JSONValue, who: String?, token: String?) in
                try await client.call(.post, "/api/v1/persons/\(person)/erasure", as: who, token: token, body: body)
            }
            let refused = try await erase(["reason": "data_subject_request"], "caseworker-TH", nil)
            #expect(refused.status == 403 && refused.text.contains("may not erase"), "\(refused.text)")
            let bad = try await erase(["reason": "because"], nil, token)
            #expect(bad.status == 400 && bad.text.contains("reason"), "\(bad.text)")
            let missing = try await client.call(.post, "/api/v1/persons/\(PersonID())/erasure", token: token, body: ["reason": "data_subject_request"])
            #expect(missing.status == 404, "\(missing.text)")

            let erased = try await erase(["reason": "data_subject_request", "reference": "DSR-2026/7"], nil, token)
            #expect(erased.status == 200 && erased.body["erased"] == true && erased.body["already_erased"] == false, "\(erased.text)")
            let again = try await erase(["reason": "data_subject_request"], nil, token)
            #expect(again.status == 200 && again.body["already_erased"] == true, "\(again.text)")

            let read = try await client.call(.get, "/api/v1/persons/\(person)", as: "caseworker-TH")
            #expect(read.status == 200 && read.body["erased"] == true && read.body["personal"] == nil && !read.text.contains("Khamla"),
                    "\(read.text)")
            let found = try await client.call(.get, "/api/v1/persons?name=khamla", as: "caseworker-TH")
            #expect(found.body["items"] == [], "\(found.text)")
            return person
        }
        // Audited with who, in which role, and why; the name is in no entry.
        let entries = try await api.server.host.records.list(AuditEntry.self, key: IndexKey("user", officer.id.description)).map(\.value)
        let erasure = try #require(entries.first { $0.action == .erase && $0.subject == "person:\(person)" }, "\(entries)")
        #expect(erasure.role == Role.dataProtectionOfficer)
        #expect(erasure.detail?.contains("data_subject_request") == true && erasure.detail?.contains("DSR-2026/7") == true, "\(erasure)")
        #expect(!entries.contains { ($0.detail ?? "").contains("Khamla") })
    }
}
