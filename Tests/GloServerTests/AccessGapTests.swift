import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloServer
import HTTPTypes
import GloRules
import Logging
import LuaVM
import Synchronization
import Testing

/// The access gaps issue 20 closed, each as a caller sees it.
@Suite("Access gaps closed")
struct AccessGapTests {
    @Test("a replayed idempotent answer is given only while the caller still has access; otherwise the request is refused as a fresh one")
    func replayRechecksAccess() async throws {
        let api = try await API()
        try await api.test { client in
            let (_, caseID) = try await client.openCase()
            let post = { try await client.call(.post, "/api/v1/cases/\(caseID)/screenings", as: "caseworker-TH", body: forcedLabourScreening,
                                               headers: ["Idempotency-Key": "screening-1"]) }
            let first = try await post()
            #expect(first.status == 201, "\(first.text)")
            let replay = try await post()
            #expect(replay.status == 201 && replay.body == first.body)
            // The caseworker is moved to LA: the same request again is refused, not answered from the store.
            let records = api.server.host.records
            let user = try await records.require(User.self, api.users["caseworker-TH"]!.id.description)
            var moved = user.value
            moved.jurisdictions = ["LA"]
            let saved = moved
            try await records.commit { try $0.update(saved, from: user.version) }
            let refused = try await post()
            #expect(refused.status == 404 || refused.status == 403, "\(refused.status) \(refused.text)")
            #expect(refused.body["id"] == nil && refused.body != first.body)
        }
    }

    @Test("a user with several roles acts in the one the request or the session chose, and the audit says which; a role not held is refused")
    func rolePerRequest() async throws {
        let api = try await API()
        let both = User(displayName: "both", roles: [.caseworker, .auditor], organisation: api.thOrg, jurisdictions: ["TH"])
        try await api.server.users.add(both)
        let token = try await api.server.users.issueToken(for: both.id)
        try await api.test { client in
            // In the first role, the caseworker: the audit log is not theirs.
            #expect(try await client.call(.get, "/api/v1/audit", token: token).status == 403)
            let asAuditor = try await client.call(.get, "/api/v1/audit?limit=5000", token: token, headers: ["X-Glo-Role": "auditor"])
            #expect(asAuditor.status == 200, "\(asAuditor.text)")
            let refused = try await client.call(.get, "/api/v1/audit", token: token, headers: ["X-Glo-Role": "admin"])
            #expect(refused.status == 403 && refused.text.contains("you do not hold the role admin; yours: caseworker, auditor"), "\(refused.text)")
            let bad = try await client.call(.get, "/api/v1/audit", token: token, headers: ["X-Glo-Role": "king"])
            #expect(bad.status == 400 && bad.text.contains("X-Glo-Role must be one of"))
            // The audit entries name the role each request acted in: here two refusals, one in each role.
            #expect(try await client.call(.get, "/api/v1/cases", token: token, headers: ["X-Glo-Role": "auditor"]).status == 403)
            let entries = try await api.server.host.records.list(AuditEntry.self, key: IndexKey("user", both.id.description))
                .map(\.value)
            #expect(entries.contains { $0.role == .caseworker && $0.action == .denied && $0.subject == "audit" }, "\(entries)")
            #expect(entries.contains { $0.role == .auditor && $0.action == .denied && $0.subject.hasPrefix("cases") },
                    "\(entries.map { "\($0.role.map(\.rawValue) ?? "-") \($0.action) \($0.subject)" })")
        }
    }

    @Test("read access never comes from the audit log: an entry claiming someone registered a person grants them nothing")
    func readAccessFromTheRecords() async throws {
        let api = try await API()
        try await api.test { client in
            let person = try await client.call(.post, "/api/v1/persons", as: "caseworker-TH", body: [
                "given_names": "Noy", "family_name": "Test", "other_names": [], "date_of_birth_estimated": false, "citizenship": ["LA"],
                "languages": ["lo"], "identity_documents": [],
            ])
            let id = try #require(person.body["id"]?.stringValue)
            // Registered, no case yet: the registrant reads them, another caseworker of TH does not.
            #expect(try await client.call(.get, "/api/v1/persons/\(id)", as: "caseworker-TH").status == 200)
            #expect(try await client.call(.get, "/api/v1/persons/\(id)", as: "supervisor-TH").status == 404)
            // A forged entry in the audit log (as anyone with the database could write) changes nothing.
            let supervisor = api.users["supervisor-TH"]!.id
            try await api.server.host.records.commit { change in
                try change.insert(AuditEntry(user: supervisor, role: .supervisor, action: .create, subject: "person:\(id)",
                                             jurisdiction: nil, request: "forged"))
            }
            #expect(try await client.call(.get, "/api/v1/persons/\(id)", as: "supervisor-TH").status == 404)
        }
    }

    @Test("a jurisdiction or decision no rules answer is the caller's mistake: named in the answer, nothing logged")
    func callersMistakeIsNotARuleFailure() {
        let logged = LogRecorder()
        let logger = Logger(label: "test") { _ in logged }
        let problem = Problem.logged(RuleEvaluationError.unknownJurisdiction("", known: ["LA", "TH"]), route: "POST /api/v1/rules/evaluate", logger: logger)
        #expect(problem.status == .unprocessableContent && problem.json["error_id"] == nil)
        #expect(JSONWriter.string(problem.json).contains("no rule pack for jurisdiction"))
        #expect(logged.lines.isEmpty)
    }

    @Test("a rule's error reaches the caller as a problem with an id; its message and location are in the log only, under that id")
    func ruleErrorAsAnId() {
        let error = RuleEvaluationError.rule(LuaError(
            kind: .runtime, message: "attempt to compare number with nil (facts.name = 'Khamla')", location: "TH/identification.lua:12",
            traceback: []))
        let logged = LogRecorder()
        let logger = Logger(label: "test") { _ in logged }
        let problem = Problem.logged(error, route: "POST /api/v1/cases/{id}/decisions", logger: logger)
        let text = JSONWriter.string(problem.json)
        let id = try? #require(problem.json["error_id"]?.stringValue)
        #expect(id != nil && text.contains(id!))
        #expect(!text.contains("Khamla") && !text.contains("attempt to compare") && !text.contains("identification.lua"))
        let lines = logged.lines
        #expect(lines.count == 1 && lines[0].contains(id ?? "-") && lines[0].contains("attempt to compare")
                && lines[0].contains("TH/identification.lua:12"), "\(lines)")
    }
}

/// Keeps what is logged, message and metadata, one line each.
final class LogRecorder: LogHandler, Sendable {
    private let kept = Mutex<[String]>([])
    var lines: [String] { kept.withLock { $0 } }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let meta = (metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        kept.withLock { $0.append("\(message) \(meta)") }
    }
}
