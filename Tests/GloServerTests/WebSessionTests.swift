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

@Suite("Web sign-in: session cookie and CSRF")
struct WebSessionTests {
    @Test("sign in with a password; the cookie is HttpOnly and SameSite; changes need the CSRF token; sign out ends it")
    func session() async throws {
        let api = try await API()
        let noy = api.users["caseworker-TH"]!
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: noy.id, cost: .fast)
        #expect(throws: ValidationFailure.self) { _ = try PasswordHasher.hash("short") }
        try await api.test { client in
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            let wrong = try await client.call(.post, "/login", raw: "name=noy&password=wrong+password+here", headers: form)
            #expect(wrong.status == 401)
            let unknown = try await client.call(.post, "/login", raw: "name=nobody&password=correct+horse+battery", headers: form)
            #expect(unknown.status == 401 && unknown.body["detail"] == wrong.body["detail"])

            let signedIn = try await client.client.execute(uri: "/login", method: .post,
                                                           headers: [.contentType: "application/x-www-form-urlencoded"],
                                                           body: .init(string: "name=NOY&password=correct+horse+battery")) { $0 }
            #expect(signedIn.status == .seeOther)
            let cookie = try #require(signedIn.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.hasPrefix("glo_session="))
            let secret = String(cookie.dropFirst("glo_session=".count).prefix { $0 != ";" })
            let csrf = try #require(try JSONParser.parse(String(buffer: signedIn.body))["csrf_token"]?.stringValue)
            let session = ["Cookie": "glo_session=\(secret)"]

            let me = try await client.call(.get, "/session", headers: session)
            #expect(me.body["role"] == .string("caseworker") && me.body["csrf_token"] == .string(csrf))
            #expect(try await client.call(.get, "/api/v1/cases?jurisdiction=TH", headers: session).status == 200)
            let person: JSONValue = ["given_names": "Dao", "other_names": [], "date_of_birth_estimated": false, "citizenship": [],
                                     "languages": [], "identity_documents": []]
            let forged = try await client.call(.post, "/api/v1/persons", body: person, headers: session)
            #expect(forged.status == 403 && forged.body["type"]?.stringValue?.hasSuffix("/csrf") == true)
            let withToken = try await client.call(.post, "/api/v1/persons", body: person,
                                                  headers: session.merging(["X-CSRF-Token": csrf]) { $1 })
            #expect(withToken.status == 201)

            #expect(try await client.call(.post, "/logout", headers: session).status == 403)
            let out = try await client.call(.post, "/logout", raw: "csrf=\(csrf)", headers: session.merging(form) { $1 })
            #expect(out.status == 303)
            #expect(try await client.call(.get, "/session", headers: session).status == 401)
        }
        #expect(try await api.server.audit.entries(action: .login).count == 1)
        #expect(try await api.server.audit.entries(action: .loginFailed).count == 2)
    }

    @Test("after 5 failed sign-ins a name is locked (429, even with the right password, audited); other names are not")
    func lockout() async throws {
        let api = try await API()
        let noy = api.users["caseworker-TH"]!
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: noy.id, cost: .fast)
        try await api.test { client in
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            // A success before the limit resets the count.
            for _ in 0..<4 { #expect(try await client.call(.post, "/login", raw: "name=noy&password=guess", headers: form).status == 401) }
            #expect(try await client.call(.post, "/login", raw: "name=noy&password=correct+horse+battery", headers: form).status == 303)
            for _ in 0..<5 { #expect(try await client.call(.post, "/login", raw: "name=Noy&password=guess", headers: form).status == 401) }
            let locked = try await client.call(.post, "/login", raw: "name=noy&password=correct+horse+battery", headers: form)
            #expect(locked.status == 429)
            #expect(locked.body["retry_after_seconds"]?.intValue.map { $0 > 800 && $0 <= 900 } == true)
            // The web form says so too; an unknown name is locked the same way, telling nothing.
            let page = try await client.call(.post, "/ui/login", raw: "name=noy&password=correct+horse+battery", headers: form)
            #expect(page.status == 429 && page.text.contains("too many failed sign-ins"))
            for _ in 0..<5 { _ = try await client.call(.post, "/login", raw: "name=nobody&password=guess", headers: form) }
            #expect(try await client.call(.post, "/login", raw: "name=nobody&password=guess", headers: form).status == 429)
        }
        let failed = try await api.server.audit.entries(action: .loginFailed)
        #expect(failed.filter { $0.detail?.contains("locked") == true }.count == 3)
    }
}
