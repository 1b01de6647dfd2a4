import Foundation
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
        #expect(r.status == .seeOther && r.headers[.location] == "/ui/cases")
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
            #expect(page.contains("identification.pathway: victim"))
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
            #expect(page.contains("Chanthavy S") && page.contains("identification.pathway: victim"))
            let org = OrganisationID().description
            let refused = try await post("\(location)/referrals", "to=\(org)&service=shelter")
            #expect(refused.0 == .conflict && refused.1.contains("no consent to services and disclosure"))
            let made = try await post("\(location)/referrals", "to=\(org)&service=shelter&consent_services=yes&consent_disclosure=yes")
            #expect(made.0 == .seeOther)
            let (_, after, _) = try await get(client, location, cookie)
            #expect(after.contains("shelter → \(org): in_progress"))
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
}
