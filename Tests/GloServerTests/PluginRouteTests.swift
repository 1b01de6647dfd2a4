import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import Testing

@Suite("HTTP API: the plugins' routes")
struct PluginRouteTests {
    @Test("a victim's case through the API: consent, referral, shelter, legal aid, proceedings, a barred charge, return and packet")
    func victimThroughTheAPI() async throws {
        let api = try await API()
        let shelter = OrganisationID(), lawyers = OrganisationID(), lwu = OrganisationID()
        try await api.test { client in
            let who = "caseworker-TH"
            let (_, caseID) = try await client.openCase()
            let base = "/api/v1/cases/\(caseID)"
            #expect(try await client.call(.post, "\(base)/screenings", as: who, body: forcedLabourScreening).status == 201)

            // A referral without consent is refused; with consent to services and disclosure it is made.
            let refused = try await client.call(.post, "\(base)/referrals", as: who, body: ["to": .string(shelter.description), "service": "shelter"])
            #expect(refused.status == 409 && refused.body["detail"]?.stringValue?.contains("no consent") == true)
            for purpose in ["services", "disclosure"] {
                let c = try await client.call(.post, "\(base)/consents", as: who,
                                              body: ["purpose": .string(purpose), "recipients": [.string(shelter.description)]])
                #expect(c.status == 201, "\(c.text)")
            }
            let referral = try await client.call(.post, "\(base)/referrals", as: who, body: ["to": .string(shelter.description), "service": "shelter"])
            #expect(referral.status == 201, "\(referral.text)")
            let referralID = try #require(referral.body["id"]?.stringValue)
            #expect(try await client.call(.post, "/api/v1/referrals/\(referralID)/status", as: who, body: ["status": "accepted"]).status == 200)
            let wrong = try await client.call(.post, "/api/v1/referrals/\(referralID)/status", as: who, body: ["status": "in_progress"])
            #expect(wrong.status == 409 && wrong.body["detail"]?.stringValue?.contains("cannot move from accepted to in_progress") == true)
            // The Lao caseworker cannot touch the Thai referral.
            #expect(try await client.call(.post, "/api/v1/referrals/\(referralID)/status", as: "caseworker-LA", body: ["status": "done"]).status == 404)

            // A consented referral to a Lao organisation shares the case and the person with it, and only those.
            let laOrg = api.laOrg.description
            #expect(try await client.call(.get, base, as: "caseworker-LA").status == 404)
            var crossBorder: [String] = []
            for purpose in ["services", "disclosure"] {
                let c = try await client.call(.post, "\(base)/consents", as: who, body: ["purpose": .string(purpose), "recipients": [.string(laOrg)]])
                crossBorder.append(try #require(c.body["id"]?.stringValue))
            }
            let toLaos = try await client.call(.post, "\(base)/referrals", as: who, body: ["to": .string(laOrg), "service": "return_and_reintegration"])
            #expect(toLaos.status == 201, "\(toLaos.text)")
            let shared = try await client.call(.get, base, as: "caseworker-LA")
            #expect(shared.status == 200 && shared.body["flags"] == nil && shared.body["status_determination"] == nil, "\(shared.text)")
            #expect(try await client.call(.get, "/api/v1/persons/\(try #require(shared.body["person"]?.stringValue))", as: "caseworker-LA").status == 200)
            #expect(try await client.call(.get, "\(base)/decisions", as: "caseworker-LA").status == 404)
            #expect(try await client.call(.post, "\(base)/facts", as: "caseworker-LA", body: ["low_income": true]).status == 404)
            // Withdrawing the consent ends the share.
            #expect(try await client.call(.post, "/api/v1/consents/\(crossBorder[0])/withdraw", as: who).status == 200)
            #expect(try await client.call(.get, base, as: "caseworker-LA").status == 404)

            let placed = try await client.call(.post, "\(base)/placements", as: who, body: ["shelter": .string(shelter.description), "from": "2026-03-03"])
            #expect(placed.status == 201 && placed.body["kind"] == .string("welfare_centre"), "\(placed.text)")
            let informed = try await client.call(.post, "\(base)/rights-information", as: who, body: ["informed": true])
            #expect(informed.body["outcome"] == .string("eligible"))
            let aid = try await client.call(.post, "\(base)/legal-assistance", as: who,
                                            body: ["kind": "representation", "provider": .string(lawyers.description), "opened": "2026-03-04"])
            #expect(aid.status == 201, "\(aid.text)")
            #expect(try await client.call(.post, "\(base)/proceedings", as: who, body: ["on": "2026-03-05", "victim_role": "complainant"]).status == 201)
            let charge = try await client.call(.post, "\(base)/charges", as: who, body: ["charge": "illegal_entry"])
            #expect(charge.body["outcome"] == .string("barred"))
            let detail = try await client.call(.get, base, as: who)
            #expect(detail.body["flags"]?.arrayValue?.compactMap { $0["code"]?.stringValue } == ["charge_barred"])

            // While identification runs there is no return; after confirmation, with her wish, a repatriation.
            let hold = try await client.call(.post, "\(base)/returns", as: who, body: ["to": "LA"])
            #expect(hold.status == 409 && hold.body["detail"]?.stringValue?.contains("holds it for identification") == true, "\(hold.text)")
            // A refused change leaves no audit entry of a change: the entry is written in the change's own commit.
            #expect(try await api.server.audit.entries(subject: "case:\(caseID)").filter { $0.request == "POST /api/v1/cases/{id}/returns" }.isEmpty)
            let confirmed = try await client.call(.post, "\(base)/confirmation", as: "supervisor-TH", body: ["identified_by": "mdt"])
            #expect(confirmed.body["trafficking_status"] == .string("actual"), "\(confirmed.text)")
            let override = try await client.call(.post, "\(base)/status-override", as: who,
                                                 body: ["status": "not_victim", "identified_by": "police", "reason": "x"])
            #expect(override.status == 403)
            let facts = try await client.call(.post, "\(base)/facts", as: who, body: ["wishes_to_return": true, "return_risk": "low"])
            let keys = facts.body["keys"]?.stringArray ?? []
            #expect(keys.contains("return_risk") && keys.contains("wishes_to_return") && !facts.text.contains("low"))
            let badFact = try await client.call(.post, "\(base)/facts", as: who, body: ["favourite_colour": "blue"])
            #expect(badFact.status == 422 && badFact.text.contains("facts.favourite_colour"))
            let planned = try await client.call(.post, "\(base)/returns", as: who, body: ["to": "LA"])
            #expect(planned.status == 201, "\(planned.text)")
            #expect(try await api.server.audit.entries(subject: "case:\(caseID)").filter { $0.request == "POST /api/v1/cases/{id}/returns" }.count == 1)
            let returnID = try #require(planned.body["id"]?.stringValue)
            // Consent comes first: no data leaves before the person agrees.
            #expect(try await client.call(.post, "/api/v1/returns/\(returnID)/steps", as: who,
                                          body: ["step": "consent", "on": "2026-06-01"]).status == 409)
            #expect(try await client.call(.post, "\(base)/consents", as: who,
                                          body: ["purpose": "return_handover", "recipients": [.string(lwu.description)]]).status == 201)
            for step in ["consent", "risk_assessment"] {
                #expect(try await client.call(.post, "/api/v1/returns/\(returnID)/steps", as: who,
                                              body: ["step": .string(step), "on": "2026-06-01"]).status == 200)
            }
            let preview = try await client.call(.post, "/api/v1/returns/\(returnID)/packet-preview", as: who,
                                                body: ["receiving_organisation": .string(lwu.description)])
            #expect(preview.body["withheld"] == ["narrative"])
            let sent = try await client.call(.post, "/api/v1/returns/\(returnID)/packet", as: who, body: preview.body)
            #expect(sent.status == 201 && sent.body["jurisdiction"] == .string("LA"), "\(sent.text)")
            // The Lao side now sees its own case; the Thai caseworker does not.
            let laCase = try #require(sent.body["destination_case"]?.stringValue)
            let laPerson = try #require(try await api.server.host.records.get(Case.self, laCase)?.value.person)
            #expect(try await api.server.audit.entries(subject: "person:\(laPerson)").contains { $0.action == .create },
                    "the person the handover made on the receiving side has an audit entry of its own")
            #expect(try await client.call(.get, "/api/v1/cases/\(laCase)", as: "caseworker-LA").status == 200)
            #expect(try await client.call(.get, "/api/v1/cases/\(laCase)", as: "caseworker-TH").status == 404)
        }
        #expect(try await api.server.audit.entries(action: .export).contains { $0.subject.hasPrefix("case:") })
    }

    @Test("immigration and reporting through the API")
    func immigrationAndReports() async throws {
        let api = try await API()
        try await api.test { client in
            let (_, caseID) = try await client.openCase()
            #expect(try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH",
                                          body: smuggledMigrantScreening(identifiedBy: "police")).status == 201)
            let deported = try await client.call(.post, "/api/v1/cases/\(caseID)/deportations", as: "caseworker-TH", body: [
                "to": "LA", "on": "2026-03-10", "notification": ["authority": "Lao PDR Immigration Department", "on": "2026-03-08"],
            ])
            #expect(deported.status == 201, "\(deported.text)")
            let push = try await client.call(.post, "/api/v1/push-backs", as: "caseworker-TH",
                                             body: ["from": "TH", "to": "LA", "on": "2026-03-11", "people": 3])
            #expect(push.status == 201, "\(push.text)")
            let csv = try await client.call(.get, "/api/v1/reports/TH?from=2026-01-01&to=2026-12-31&format=csv", as: "supervisor-TH")
            #expect(csv.status == 200 && csv.text.hasPrefix("group,value,count\n") && csv.text.contains("<11"))
            #expect(try await client.call(.get, "/api/v1/reports/TH?from=2026-01-01&to=2026-12-31", as: "caseworker-TH").status == 403)
            let htcds = try await client.call(.get, "/api/v1/cases/\(caseID)/htcds", as: "supervisor-TH")
            #expect(htcds.body["vic_TraffickingStatus"] == .string("NotAVictimOfTrafficking"))
        }
    }
}

