import Foundation
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The deadlines plugin from outside: facts recorded through the API, the deadlines the TH pack gives
/// read back through its routes, on the case page and on the dashboard.
@Suite("HTTP API: the deadlines plugin")
struct DeadlinesRouteTests {
    /// Reads `uri` until `ready` holds: the plugin handles the facts' event after the request returns.
    func eventually(_ client: Client, _ uri: String, as who: String, _ ready: (Reply) -> Bool) async throws -> Reply {
        var reply = try await client.call(.get, uri, as: who)
        for _ in 0..<200 where !ready(reply) {
            try await Task.sleep(for: .milliseconds(20))
            reply = try await client.call(.get, uri, as: who)
        }
        return reply
    }

    @Test("a referral and a custody give their deadlines in the API, the case page and the dashboard; bad input and another side are refused")
    func deadlinesThroughTheAPI() async throws {
        let api = try await API()
        try await api.server.users.setLogin("noy", password: "correct horse battery", for: api.users["caseworker-TH"]!.id, cost: .fast)
        let today = CalendarDate.today()
        let who = "caseworker-TH"
        try await api.test { client in
            // Referred 12 days ago: the MDT interview is due in 3 days (NRM, 15 days).
            let (_, referred) = try await client.openCase(name: "Noy")
            let referredOn = today.adding(days: -12)
            #expect(try await client.call(.post, "/api/v1/cases/\(referred)/facts", as: who,
                                          body: ["referred_on": .string(referredOn.description)]).status == 200)
            let mine = try await eventually(client, "/api/v1/cases/\(referred)/deadlines", as: who) { $0.body["items"]?.arrayValue?.isEmpty == false }
            #expect(mine.status == 200, "\(mine.text)")
            let interview = try #require(mine.body["items"]?.arrayValue?.first)
            #expect(interview["id"] == "mdt_interview" && interview["kind"] == "act_by" && interview["state"] == "near")
            #expect(interview["from"] == .string(referredOn.description) && interview["due"] == .string(today.adding(days: 3).description))
            #expect(interview["days_left"] == 3)
            #expect(interview["basis"]?.arrayValue?.contains("TH National Referral Mechanism (approved March 2022)") == true)

            // In custody since 5 days ago: the 24 hours are over, the deadline is missed.
            let (_, custody) = try await client.openCase(name: "Dao")
            #expect(try await client.call(.post, "/api/v1/cases/\(custody)/facts", as: who,
                                          body: ["custody_began_on": .string(today.adding(days: -5).description)]).status == 200)
            let held = try await eventually(client, "/api/v1/cases/\(custody)/deadlines", as: who) { $0.body["items"]?.arrayValue?.isEmpty == false }
            #expect(held.body["items"]?.arrayValue?.first?["state"] == "missed", "\(held.text)")

            // The jurisdiction's coming week: the missed one first, by day.
            let week = try await client.call(.get, "/api/v1/deadlines?jurisdiction=TH&within=7", as: who)
            #expect(week.status == 200, "\(week.text)")
            #expect(week.body["items"]?.arrayValue?.map { $0["id"] } == ["identification_custody", "mdt_interview"])
            #expect(try await client.call(.get, "/api/v1/deadlines?within=2", as: who).body["items"]?.arrayValue?.map { $0["id"] } == ["identification_custody"])

            // Bad input is answered with what is wrong; another side sees nothing.
            for bad in ["abc", "-1", "367"] {
                let refused = try await client.call(.get, "/api/v1/deadlines?within=\(bad)", as: who)
                #expect(refused.status == 400 && refused.body["detail"]?.stringValue?.contains("within must be a whole number of days from 0 to 366") == true,
                        "\(refused.text)")
            }
            #expect(try await client.call(.get, "/api/v1/cases/\(referred)/deadlines", as: "caseworker-LA").status == 404)
            #expect(try await client.call(.get, "/api/v1/deadlines?jurisdiction=TH", as: "caseworker-LA").status == 403)
            #expect(try await client.call(.get, "/api/v1/cases/\(referred)/deadlines").status == 401)

            // The case page's section and the dashboard's two lists.
            let signIn = try await client.client.execute(uri: "/ui/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                         body: ByteBuffer(string: "name=noy&password=correct+horse+battery")) { $0 }
            let cookie = String(try #require(signIn.headers[.setCookie]).prefix { $0 != ";" })
            let page = try await client.client.execute(uri: "/ui/cases/\(referred)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(page.contains("<h2 id=\"deadlines\">Deadlines</h2>") && page.contains("<td>MDT identification interview</td>")
                    && page.contains("<td>\(today.adding(days: 3))</td>") && page.contains("<td>near</td>"), "\(page)")
            let dashboard = try await client.client.execute(uri: "/ui", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            let overdue = try #require(dashboard.range(of: "<h3>Overdue</h3>")), thisWeek = try #require(dashboard.range(of: "<h3>Due this week</h3>"))
            #expect(dashboard[overdue.upperBound..<thisWeek.lowerBound].contains("End of custody for identification</a>"))
            #expect(dashboard[thisWeek.upperBound...].contains("MDT identification interview</a>: \(today.adding(days: 3)) (near)"))
            #expect(!dashboard.contains("Noy") && !dashboard.contains("Dao"), "no person's name on the dashboard")
        }
    }
}
