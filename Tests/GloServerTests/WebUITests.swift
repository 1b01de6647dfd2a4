import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Web UI through the router")
struct WebUITests {
    /// Signs in through the sign-in form; returns the session cookie.
    func signIn(_ client: Client, _ name: String) async throws -> String {
        let r = try await client.client.execute(uri: "/ui/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "name=\(name)&password=correct+horse+battery")) { $0 }
        #expect(r.status == .seeOther && r.headers[.location] == "/ui")
        let cookie = try #require(r.headers[.setCookie])
        return String(cookie.prefix { $0 != ";" })
    }

    func get(_ client: Client, _ uri: String, _ cookie: String) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        try await client.client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { ($0.status, String(buffer: $0.body), $0.headers) }
    }

    @Test("sign in, see the case list and a case with its decision and legal basis, switch to Lao and Thai; another side is refused")
    func pages() async throws {
        let api = try await API()
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: api.users["caseworker-TH"]!.id, cost: .fast)
        try await api.server.users.setLogin("keo", password: "correct horse battery", for: api.users["caseworker-LA"]!.id, cost: .fast)
        try await api.test { client in
            let (_, caseID) = try await client.openCase(name: "Chanthavy")
            try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: forcedLabourScreening)

            let anonymous = try await client.client.execute(uri: "/ui/cases", method: .get) { $0 }
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/ui/login")
            let wrong = try await client.client.execute(uri: "/ui/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                        body: ByteBuffer(string: "name=noy&password=nope")) { $0 }
            #expect(wrong.status == .unauthorized && String(buffer: wrong.body).contains("The name or the password is wrong."))

            let cookie = try await signIn(client, "noy")
            let (status, list, headers) = try await get(client, "/ui/cases", cookie)
            #expect(status == .ok && list.contains("Chanthavy") && list.contains("<th>Trafficking status</th>"))
            #expect(headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(!list.contains("<script"))
            let (_, page, _) = try await get(client, "/ui/cases/\(caseID)", cookie)
            #expect(page.contains("Identification: Victim of trafficking"))
            #expect(page.contains("TH Anti-Trafficking in Persons Act"))
            #expect(page.contains("Legal basis"))

            // Switch to Lao, then Thai: the labels follow the user.
            let (_, session, _) = try await get(client, "/session", cookie)
            let csrf = try #require(try JSONParser.parse(session)["csrf_token"]?.stringValue)
            for (lang, label) in [("lo", "ຄະດີ"), ("th", "คดี")] {
                let switched = try await client.client.execute(uri: "/ui/language", method: .post,
                                                               headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                                               body: ByteBuffer(string: "lang=\(lang)&csrf=\(csrf)")) { $0 }
                #expect(switched.status == .seeOther)
                let (_, translated, _) = try await get(client, "/ui/cases", cookie)
                #expect(translated.contains("<html lang=\"\(lang)\">") && translated.contains(label))
            }
            let forged = try await client.client.execute(uri: "/ui/language", method: .post,
                                                         headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                                         body: ByteBuffer(string: "lang=en")) { $0 }
            #expect(forged.status == .forbidden)

            // The Lao caseworker is refused the Thai case.
            let keo = try await signIn(client, "keo")
            let (refused, refusedPage, _) = try await get(client, "/ui/cases/\(caseID)", keo)
            #expect(refused == .notFound && !refusedPage.contains("Chanthavy"))
        }
        #expect(try await api.server.audit.entries(action: .read).contains { $0.request == "GET /ui/cases/{id}" && $0.subject.hasPrefix("person:") })
    }

    @Test("a new case with a screening through the form, then a referral: refused without consent, made with it")
    func forms() async throws {
        let api = try await API()
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: api.users["caseworker-TH"]!.id, cost: .fast)
        try await api.test { client in
            let cookie = try await signIn(client, "noy")
            let (status, form, _) = try await get(client, "/ui/cases/new", cookie)
            #expect(status == .ok && form.contains("name=\"acts\" value=\"recruitment\""))
            let (_, session, _) = try await get(client, "/session", cookie)
            let csrf = try #require(try JSONParser.parse(session)["csrf_token"]?.stringValue)
            func post(_ uri: String, _ body: String) async throws -> (HTTPResponse.Status, String, String?) {
                try await client.client.execute(uri: uri, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: body + "&csrf=\(csrf)")) { ($0.status, String(buffer: $0.body), $0.headers[.location]) }
            }
            let created = try await post("/ui/cases/new", "given_names=Chanthavy&family_name=S&date_of_birth=1999-08-14&citizenship=LA&date=2026-03-02"
                                         + "&acts=recruitment&means=deception&exploitation=forced_labour&ilo_indicators=deception&entry=irregular&identified_by=mdt")
            #expect(created.0 == .seeOther)
            let location = try #require(created.2)
            let (_, page, _) = try await get(client, location, cookie)
            #expect(page.contains("Chanthavy S") && page.contains("Identification: Victim of trafficking"))
            let org = OrganisationID().description
            let refused = try await post("\(location)/referrals", "to=\(org)&service=shelter")
            #expect(refused.0 == .conflict && refused.1.contains("no consent to services and disclosure"))
            let made = try await post("\(location)/referrals", "to=\(org)&service=shelter&consent_services=yes&consent_disclosure=yes")
            #expect(made.0 == .seeOther)
            let (_, after, _) = try await get(client, location, cookie)
            #expect(after.contains("shelter → \(org): in progress"))
        }
    }

    @Test("in Lao, a decision's reasons are the pack's Lao texts where it gives them, the others in English and marked so")
    func reasonsInLao() async throws {
        let api = try await API()
        try await api.server.users.setLogin("keo", password: "correct horse battery", for: api.users["caseworker-LA"]!.id, cost: .fast)
        try await api.test { client in
            let cookie = try await signIn(client, "keo")
            let (_, session, _) = try await get(client, "/session", cookie)
            let csrf = try #require(try JSONParser.parse(session)["csrf_token"]?.stringValue)
            func post(_ uri: String, _ body: String) async throws -> (HTTPResponse.Status, String, String?) {
                try await client.client.execute(uri: uri, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: body + "&csrf=\(csrf)")) { ($0.status, String(buffer: $0.body), $0.headers[.location]) }
            }
            #expect(try await post("/ui/language", "lang=lo").0 == .seeOther)
            // A girl of 15, recruited by deception for forced labour: the LA pack places her as a child.
            let created = try await post("/ui/cases/new", "given_names=Dao&family_name=K&date_of_birth=2011-02-01&citizenship=VN&date=2026-06-01"
                                         + "&acts=recruitment&means=deception&exploitation=forced_labour&entry=regular")
            #expect(created.0 == .seeOther, "\(created.1)")
            let location = try #require(created.2)
            // Placing her decides shelter.placement with the LA pack.
            let caseID = String(location.split(separator: "/").last!)
            let placed = try await client.call(.post, "/api/v1/cases/\(caseID)/placements", as: "caseworker-LA",
                                               body: ["shelter": .string(OrganisationID().description), "from": "2026-06-02"])
            #expect(placed.status == 201)
            let page = try await get(client, location, cookie).1
            #expect(page.contains("<li lang=\"lo\">ເດັກ: ບ່ອນພັກເຊົາສຳລັບເດັກ"), "the LA pack's Lao reason")
            #expect(!page.contains("a child: a place for children"), "not its English text beside it")
            // The identification's reasons come from the intl pack, in English only: shown, and marked as English.
            #expect(page.contains("<li lang=\"en\">") && page.contains("<small class=\"fallback\">(ເປັນພາສາອັງກິດ)</small>"))
        }
    }

    @Test("the forms collect the vocabulary's facts with their labels: a child at the acts on the new-case form, the case's facts, errors named")
    func factsOnTheForms() async throws {
        let api = try await API()
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: api.users["caseworker-TH"]!.id, cost: .fast)
        try await api.test { client in
            let cookie = try await signIn(client, "noy")
            let (_, form, _) = try await get(client, "/ui/cases/new", cookie)
            #expect(form.contains("When the acts began") && form.contains("name=\"acts_began\" type=\"date\""))
            #expect(form.contains("name=\"acts\" value=\"sale\"> Sale of a person"), "values from the vocabulary, by their labels")
            #expect(form.contains("name=\"appears_under_18\"") && form.contains("name=\"stateless\""))
            let (_, session, _) = try await get(client, "/session", cookie)
            let csrf = try #require(try JSONParser.parse(session)["csrf_token"]?.stringValue)
            func post(_ uri: String, _ body: String) async throws -> (HTTPResponse.Status, String, String?) {
                try await client.client.execute(uri: uri, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: body + "&csrf=\(csrf)")) { ($0.status, String(buffer: $0.body), $0.headers[.location]) }
            }
            // 18 today, 17 when recruited: a victim, with the child element's basis.
            let person = "given_names=Noy&family_name=S&date_of_birth=2008-03-01&citizenship=LA&date=2026-06-01"
            let screening = "&acts=recruitment&acts=harbouring&exploitation=sexual_exploitation&entry=irregular&identified_by=ngo&stateless="
            let before = try await api.server.host.eventLog.lastSequence()
            let wrong = try await post("/ui/cases/new", person + screening + "&acts_began=2027-01-01")
            #expect(wrong.0 == .unprocessableContent && wrong.1.contains("When the acts began: is after the date the law is applied"), "\(wrong.1)")
            #expect(try await api.server.host.eventLog.lastSequence() == before, "a refused form stores no person and no case")
            let created = try await post("/ui/cases/new", person + screening + "&acts_began=2025-09-01")
            #expect(created.0 == .seeOther, "\(created.1)")
            let location = try #require(created.2)
            let (_, page, _) = try await get(client, location, cookie)
            #expect(page.contains("Identification: Victim of trafficking") && page.contains("s.6(2)"))

            // The case's facts: recorded on the case page, shown back, and a wrong number named by its label.
            let (_, factsForm, _) = try await get(client, location, cookie)
            #expect(factsForm.contains("action=\"\(location)/facts\"") && factsForm.contains("Guardian appointed"))
            // The facts recorded at the screening are on the case page too, to be seen and corrected.
            #expect(section(factsForm, from: "<h2 id=\"facts\">").contains("name=\"acts_began\" type=\"date\" value=\"2025-09-01\""))
            #expect(section(factsForm, from: "<h2 id=\"facts\">").contains("name=\"stateless\""))
            let bad = try await post("\(location)/facts", "days_since_referral=three")
            #expect(bad.0 == .unprocessableContent && bad.1.contains("Days since referral for identification: is not a whole number"), "\(bad.1)")
            // As a browser sends the form: the screening's facts as shown, the case's as chosen.
            let recorded = try await post("\(location)/facts", "acts_began=2025-09-01&charges=illegal_exit&compelled_offence=true&guardian_appointed=false&return_risk=high")
            #expect(recorded.0 == .seeOther, "\(recorded.1)")
            let facts = try await api.server.host.cases.recordedFacts(CaseID(String(location.split(separator: "/").last!))!)
            #expect(facts["charges"] == ["illegal_exit"] && facts["compelled_offence"] == true && facts["guardian_appointed"] == false)
            #expect(facts["acts_began"] == "2025-09-01", "the screening's fact, sent back as shown, is kept")
            let (_, shown, _) = try await get(client, location, cookie)
            #expect(shown.contains("<option value=\"high\" selected>High</option>"))
            #expect(shown.contains("value=\"illegal_exit\" checked> Leaving the country without permission"))
            // A charge outside s.41 that the traffickers forced: put to the prosecutor, on the case page.
            let caseID = String(location.split(separator: "/").last!)
            #expect(try await client.call(.post, "/api/v1/cases/\(caseID)/charges", as: "caseworker-TH", body: ["charge": "other"]).status == 201)
            let legal = section(try await get(client, location, cookie).1, from: "<h2 id=\"legal-process\">", to: "<h2")
            #expect(legal.contains("Charges for the prosecutor to consider not pursuing") && legal.contains("Other offence"), "\(legal)")
            #expect(legal.contains("Charges that may not be prosecuted") && legal.contains("Leaving the country without permission"), "\(legal)")
        }
    }

    @Test("a deportation shows its custody on the case page, by its labels")
    func deportationCustody() async throws {
        let api = try await API()
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: api.users["caseworker-TH"]!.id, cost: .fast)
        try await api.test { client in
            // An adult who paid a smuggler, with no element of trafficking: the TH pack deports, naming custody.
            let (_, caseID) = try await client.openCase()
            #expect(try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH",
                                          body: smuggledMigrantScreening()).status == 201)
            let deported = try await client.call(.post, "/api/v1/cases/\(caseID)/deportations", as: "caseworker-TH", body: [
                "to": "LA", "on": "2026-03-10", "notification": ["authority": "Lao PDR Immigration Department", "on": "2026-03-08"],
            ])
            #expect(deported.status == 201, "\(deported.text)")
            let page = try await get(client, "/ui/cases/\(caseID)", try await signIn(client, "noy")).1
            let decisions = section(page, from: "<h2>Decisions</h2>", to: "<h2 id=\"facts\">")
            #expect(decisions.contains("Return route: Deportation"), "\(decisions)")
            #expect(decisions.contains("<th>Custody while the deportation is arranged</th><td>Detention</td>")
                    || decisions.contains("<th>Custody while the deportation is arranged</th><td>Reporting to the authorities</td>"), "\(decisions)")
        }
    }

    @Test("packs with their tests and a reload button, plugins, dead letters and reports, each for its roles only")
    func adminPages() async throws {
        let api = try await API()
        for (login, who) in [("ad", "admin"), ("sup", "supervisor-TH"), ("noy", "caseworker-TH")] {
            try await api.server.users.setLogin(login, password: "correct horse battery", for: api.users[who]!.id, cost: .fast)
        }
        try await api.test { client in
            let admin = try await signIn(client, "ad")
            let (status, packs, _) = try await get(client, "/ui/packs", admin)
            #expect(status == .ok && packs.contains("<td>TH</td>") && packs.contains("tests passed / failed"))
            let (_, session, _) = try await get(client, "/session", admin)
            let csrf = try #require(try JSONParser.parse(session)["csrf_token"]?.stringValue)
            let reloaded = try await client.client.execute(uri: "/ui/packs/reload", method: .post,
                                                           headers: [.cookie: admin, .contentType: "application/x-www-form-urlencoded"],
                                                           body: ByteBuffer(string: "csrf=\(csrf)")) { String(buffer: $0.body) }
            #expect(reloaded.contains("Reloaded"))
            #expect(try await get(client, "/ui/plugins", admin).1.contains("<td>identification</td>"))
            #expect(try await get(client, "/ui/dead-letters", admin).0 == .ok)

            let caseworker = try await signIn(client, "noy")
            #expect(try await get(client, "/ui/packs", caseworker).0 == .forbidden)
            #expect(try await get(client, "/ui/reports", caseworker).0 == .forbidden)
            let supervisor = try await signIn(client, "sup")
            let (reportStatus, report, _) = try await get(client, "/ui/reports", supervisor)
            #expect(reportStatus == .ok && report.contains("k = 11"))
        }
    }

    /// The part of a page from `start` up to `end` (or the end).
    func section(_ page: String, from start: String, to end: String? = nil) -> String {
        guard let a = page.range(of: start) else { return "" }
        let rest = page[a.lowerBound...]
        guard let end, let b = rest.range(of: end, range: rest.index(after: rest.startIndex)..<rest.endIndex) else { return String(rest) }
        return String(rest[..<b.lowerBound])
    }

    @Test("the dashboard: the signed-in user's jurisdiction's open cases, flags and recent decisions, nothing of another")
    func dashboard() async throws {
        let api = try await API()
        for (login, who) in [("noy", "caseworker-TH"), ("keo", "caseworker-LA"), ("ad", "admin")] {
            try await api.server.users.setLogin(login, password: "correct horse battery", for: api.users[who]!.id, cost: .fast)
        }
        let flagged = try await api.test { client in
            let (_, flagged) = try await client.openCase(name: "Chanthavy")
            _ = try await client.openCase(name: "Bounmy")
            let (_, laCase) = try await client.openCase("LA", name: "Somchai")
            let th = "/api/v1/cases/\(flagged)"
            #expect(try await client.call(.post, "\(th)/screenings", as: "caseworker-TH", body: forcedLabourScreening).status == 201)
            #expect(try await client.call(.post, "\(th)/proceedings", as: "caseworker-TH", body: ["on": "2026-03-05", "victim_role": "complainant"]).status == 201)
            #expect(try await client.call(.post, "\(th)/charges", as: "caseworker-TH", body: ["charge": "illegal_entry"]).status == 201)
            #expect(try await client.call(.post, "/api/v1/cases/\(laCase)/screenings", as: "caseworker-LA", body: forcedLabourScreening).status == 201)

            let noy = try await signIn(client, "noy")
            let (status, page, _) = try await get(client, "/ui", noy)
            #expect(status == .ok && page.contains("<h2>Jurisdiction TH</h2>") && !page.contains("Jurisdiction LA"))
            #expect(page.contains("<strong>2</strong><br>open cases"), "two open Thai cases")
            #expect(page.contains("<strong>1</strong><br>Needs attention") && page.contains("charge_barred"))
            #expect(page.contains("/ui/cases/\(flagged)") && page.contains("<td>Identification</td>"))
            #expect(!page.contains(laCase) && !page.contains("Chanthavy") && !page.contains("Bounmy"), "no other side, no person's name")
            #expect(page.contains("href=\"/ui/cases/new\"") && !page.contains("href=\"/ui/packs\">Rule packs</a> "))
            #expect(try await get(client, "/ui/dashboard", noy).1 == page)

            let keo = try await signIn(client, "keo")
            let (_, laos, _) = try await get(client, "/ui", keo)
            #expect(laos.contains("<h2>Jurisdiction LA</h2>") && laos.contains("<strong>1</strong><br>open cases"))
            #expect(laos.contains("<strong>0</strong><br>Needs attention") && !laos.contains("charge_barred"))
            #expect(laos.contains(laCase) && !laos.contains(flagged) && !laos.contains("Jurisdiction TH"))

            // A role that does not work on cases sees its links, and no case.
            let admin = try await signIn(client, "ad")
            let (_, adminPage, _) = try await get(client, "/ui", admin)
            #expect(adminPage.contains("href=\"/ui/dead-letters\">Dead letters</a>") && !adminPage.contains("open cases") && !adminPage.contains(flagged))
            let root = try await client.client.execute(uri: "/", method: .get) { $0.headers[.location] }
            #expect(root == "/ui")
            return flagged
        }
        #expect(try await api.server.audit.entries(action: .read).contains { $0.request == "GET /ui/dashboard" && $0.subject == "case:\(flagged)" })
    }

    @Test("the case page: screening, legal aid, legal process, shelter, return steps and the event timeline in order; the packet preview, audited and refused to others")
    func workflowSections() async throws {
        let api = try await API()
        let lawyers = OrganisationID(), shelter = OrganisationID(), lwu = OrganisationID()
        for (login, who) in [("noy", "caseworker-TH"), ("keo", "caseworker-LA"), ("ad", "admin")] {
            try await api.server.users.setLogin(login, password: "correct horse battery", for: api.users[who]!.id, cost: .fast)
        }
        let caseID = try await api.test { client in
            let who = "caseworker-TH"
            let (_, caseID) = try await client.openCase(name: "Chanthavy")
            let noy = try await signIn(client, "noy")
            // Nothing recorded yet: each section says so.
            let (_, empty, _) = try await get(client, "/ui/cases/\(caseID)", noy)
            #expect(section(empty, from: "<h2 id=\"shelter\">", to: "<h2").contains("None yet."))
            #expect(section(empty, from: "<h2 id=\"returns\">", to: "<h2").contains("None yet."))
            #expect(section(empty, from: "<h2 id=\"timeline\">").contains("<td>case.opened</td>"))

            let base = "/api/v1/cases/\(caseID)"
            #expect(try await client.call(.post, "\(base)/screenings", as: who, body: forcedLabourScreening).status == 201)
            #expect(try await client.call(.post, "\(base)/placements", as: who, body: ["shelter": .string(shelter.description), "from": "2026-03-03"]).status == 201)
            #expect(try await client.call(.post, "\(base)/rights-information", as: who, body: ["informed": true]).body["outcome"] == "eligible")
            #expect(try await client.call(.post, "\(base)/legal-assistance", as: who, body: [
                "kind": "representation", "provider": .string(lawyers.description), "opened": "2026-03-04", "court_case_reference": "Black 123/2569",
            ]).status == 201)
            #expect(try await client.call(.post, "\(base)/proceedings", as: who, body: ["on": "2026-03-05", "victim_role": "complainant"]).status == 201)
            #expect(try await client.call(.post, "\(base)/confirmation", as: "supervisor-TH", body: ["identified_by": "mdt"]).status == 200)
            #expect(try await client.call(.post, "\(base)/facts", as: who, body: ["wishes_to_return": true, "return_risk": "low"]).status == 200)
            let planned = try await client.call(.post, "\(base)/returns", as: who, body: ["to": "LA"])
            #expect(planned.status == 201, "\(planned.text)")
            let returnID = try #require(planned.body["id"]?.stringValue)
            let firstStep = try #require(planned.body["steps"]?.arrayValue?.first)
            let stepID = try #require(firstStep["id"]?.stringValue), stepLabel = try #require(firstStep["label"]?.stringValue)
            #expect(stepID == "consent", "no data leaves before the person consents")
            #expect(try await client.call(.post, "\(base)/consents", as: who,
                                          body: ["purpose": "return_handover", "recipients": [.string(OrganisationID().description)]]).status == 201)
            #expect(try await client.call(.post, "/api/v1/returns/\(returnID)/steps", as: who, body: ["step": .string(stepID), "on": "2026-06-01"]).status == 200)

            let (status, page, _) = try await get(client, "/ui/cases/\(caseID)", noy)
            #expect(status == .ok)
            let screenings = section(page, from: "<h2 id=\"screenings\">", to: "<h2")
            // Values by their labels, not their codes.
            #expect(screenings.contains("<td>Forced labour</td>") && screenings.contains("<td>Deception, Withholding of wages</td>")
                    && screenings.contains("<td>Irregular</td>"), "\(screenings)")
            let aid = section(page, from: "<h2 id=\"legal-aid\">", to: "<h2")
            #expect(aid.contains("Legal-aid eligibility: <strong>Eligible</strong>") && aid.contains("<td>Representation in court</td>")
                    && aid.contains(lawyers.description) && aid.contains("Black 123/2569"), "\(aid)")
            let legal = section(page, from: "<h2 id=\"legal-process\">", to: "<h2")
            #expect(legal.contains("<td>complaint</td><td>complainant</td><td>not filed</td>"), "\(legal)")
            let placements = section(page, from: "<h2 id=\"shelter\">", to: "<h2")
            #expect(placements.contains("<td>Welfare centre</td><td>\(shelter)</td><td>2026-03-03</td>") && !placements.contains("None yet."), "\(placements)")
            let returns = section(page, from: "<h2 id=\"returns\">", to: "<h2")
            let shownLabel = stepLabel.replacingOccurrences(of: "'", with: "&#39;")  // as the page escapes it
            #expect(returns.contains("Repatriation as a victim: TH → LA") && returns.contains("✓ \(shownLabel)") && returns.contains("2026-06-01")
                    && returns.contains("○ ") && returns.contains("The handover packet has not been sent."), "\(returns)")
            #expect(returns.contains("action=\"/ui/returns/\(returnID)/packet\""))

            // The timeline: the case's events in the log's order, their type, time and who; never the person.
            let timeline = section(page, from: "<h2 id=\"timeline\">")
            let expected = try await api.server.host.eventLog.events(after: 0, limit: 10_000).filter { $0.subject == "case:\(caseID)" }
            #expect(expected.count >= 8)
            var cursor = timeline.startIndex
            for event in expected {
                let row = "<td>\(event.sequence)</td><td>\(event.type)</td><td>\(event.at)</td>"
                let found = timeline.range(of: row, range: cursor..<timeline.endIndex)
                #expect(found != nil, "\(row) in order")
                cursor = found?.upperBound ?? cursor
            }
            for type in ["case.opened", "screening.recorded", "shelter.placed", "legal_aid.opened", "return.planned", "return.step_done"] {
                #expect(timeline.contains("<td>\(type)</td>"), "\(type)")
            }
            #expect(timeline.contains("<td>caseworker-TH</td>") && timeline.contains("<td>supervisor-TH</td>"))
            #expect(!timeline.contains("Chanthavy") && !timeline.contains("1998-05-01") && !timeline.contains("Test"))

            // The handover packet preview, as the return plugin builds it: the identity only with consent.
            #expect(try await client.call(.post, "\(base)/consents", as: who,
                                          body: ["purpose": "return_handover", "recipients": [.string(lwu.description)]]).status == 201)
            let packetURI = "/ui/returns/\(returnID)/packet?to=\(lwu)"
            let (packetStatus, packet, headers) = try await get(client, packetURI, noy)
            #expect(packetStatus == .ok && headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'none'") == true)
            #expect(packet.contains("<td>Chanthavy Test</td>") && packet.contains("<td>1998-05-01</td>") && packet.contains("<td>narrative</td>"), "\(packet)")
            #expect(packet.contains("<td>identity, logistics, needs_and_risks, consent_reference</td>") && packet.contains("<td>low</td>"))
            #expect(packet.contains("<td>TH → LA</td>") && packet.contains(lwu.description))
            // Without consent to that organisation, no identity is shown.
            let (_, withheld, _) = try await get(client, "/ui/returns/\(returnID)/packet?to=\(OrganisationID())", noy)
            #expect(!withheld.contains("Chanthavy") && withheld.contains("Nothing about the person may be sent"))
            #expect(try await get(client, "/ui/returns/\(returnID)/packet", noy).0 == .unprocessableContent)

            // Refused to a caseworker of the other side (as not found) and to a role that does not work on cases.
            let keo = try await signIn(client, "keo")
            let (refused, refusedPage, _) = try await get(client, packetURI, keo)
            #expect(refused == .notFound && !refusedPage.contains("Chanthavy"))
            let admin = try await signIn(client, "ad")
            let (forbidden, forbiddenPage, _) = try await get(client, packetURI, admin)
            #expect(forbidden == .forbidden && !forbiddenPage.contains("Chanthavy"))
            #expect(try await get(client, "/ui/returns/\(OrganisationID())/packet?to=\(lwu)", noy).0 == .notFound)
            return caseID
        }
        let entries = try await api.server.audit.entries(limit: 5_000).filter { $0.request == "GET /ui/returns/{id}/packet" }
        let noyID = api.users["caseworker-TH"]!.id
        #expect(entries.filter { $0.action == .read && $0.subject.hasPrefix("person:") && $0.user == noyID }.count == 2)
        #expect(entries.contains { $0.action == .update && $0.subject == "case:\(caseID)" && $0.user == noyID })
        #expect(entries.contains { $0.action == .denied && $0.user == api.users["caseworker-LA"]!.id })
        #expect(entries.contains { $0.action == .denied && $0.user == api.users["admin"]!.id })
        #expect(!entries.contains { $0.action == .read && $0.user != noyID })
    }
}
