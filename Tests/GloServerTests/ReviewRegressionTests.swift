import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import Testing

/// Holes a security review found, each shown closed.
@Suite("Access holes closed")
struct ReviewRegressionTests {
    @Test("a case cannot be opened on a person of another jurisdiction, and duplicates reveal no one unseen")
    func personsOfOthers() async throws {
        let api = try await API()
        try await api.test { client in
            let la = try await client.openCase("LA", name: "Vanh")
            let steal = try await client.call(.post, "/api/v1/cases", as: "caseworker-TH",
                                              body: ["person": .string(la.person), "jurisdiction": "TH", "opened": "2026-03-03"])
            #expect(steal.status == 404)
            #expect(try await client.call(.get, "/api/v1/persons/\(la.person)", as: "caseworker-TH").status == 404)
            let again = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", body: [
                "given_names": "Vanh", "family_name": "Test", "other_names": [], "date_of_birth": "1998-05-01",
                "date_of_birth_estimated": false, "citizenship": ["LA"], "languages": [], "identity_documents": [],
            ])
            #expect(again.status == 201 && again.body["likely_duplicates"] == .array([]))
        }
    }

    @Test("an override is the caller's own: a caseworker cannot claim a supervisor's role")
    func overrideIsTheCallers() async throws {
        let api = try await API()
        try await api.test { client in
            let (_, caseID) = try await client.openCase()
            let forged = try await client.call(.post, "/api/v1/cases/\(caseID)/referrals", as: "caseworker-TH", body: [
                "to": .string(OrganisationID().description), "service": "shelter",
                "consent_override": ["user": .string(UUID().uuidString.lowercased()), "role": "supervisor", "reason": "x",
                                     "at": "2000-01-01T00:00:00Z"],
            ])
            #expect(forged.status == 403)
            let real = try await client.call(.post, "/api/v1/cases/\(caseID)/referrals", as: "supervisor-TH", body: [
                "to": .string(OrganisationID().description), "service": "shelter", "consent_override": ["reason": "the person is unconscious"],
            ])
            #expect(real.status == 201)
            #expect(real.body["consent_override"]?["role"] == .string("supervisor"))
            #expect(real.body["consent_override"]?["user"] == .string(api.users["supervisor-TH"]!.id.description))
        }
    }
}
