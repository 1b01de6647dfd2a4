import Foundation
import GloHTTP
import GloJSON
import GloKit
import GloRules
import GloServer
import GloStoreSQLite
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import GloPlugins
import Testing
import TestScratch

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let shippedEngine: RuleEngine = try! RuleEngine(directory: packageRoot.appendingPathComponent("Config/jurisdictions").path,
                                                statesPerPack: 2)
/// Every workflow plugin of the catalog (Tally aside).
let allPlugins: [any Plugin] = PluginCatalog.entries.map(\.plugin).filter { $0.id != "tally" }

/// A host serving TH and LA, its API, and a user with a token for each role (caseworkers on each side).
struct API {
    let server: GloServer
    let thOrg = OrganisationID(), laOrg = OrganisationID()
    var tokens: [String: String] = [:]
    var users: [String: User] = [:]

    static let people = ["caseworker-TH", "caseworker-LA", "legal_officer-TH", "supervisor-TH", "rule_author", "admin", "auditor"]

    init(plugins: [any Plugin] = allPlugins, engine: RuleEngine = shippedEngine, candidate: RuleEngine? = nil) async throws {
        let path = TestScratch.folder("glo-api").appendingPathComponent("glo.sqlite").path
        let host = try GloHost(store: try SQLiteStore(path: path), vault: PersonVault(key: .random()), engine: engine,
                               plugins: plugins, jurisdictions: ["TH", "LA"], pollInterval: .milliseconds(20))
        try await host.start()
        server = try GloServer(host: host, plugins: PluginCatalog.http(for: plugins), candidate: candidate)
        for name in Self.people {
            let parts = name.split(separator: "-").map(String.init)
            let role = Role(rawValue: parts[0])!
            let jurisdictions: [JurisdictionID] = parts.count > 1 ? [JurisdictionID(parts[1])] : ["TH", "LA"]
            let user = User(displayName: name, roles: [role], organisation: parts.last == "LA" ? laOrg : thOrg,
                            jurisdictions: jurisdictions)
            try await server.users.add(user)
            users[name] = user
            tokens[name] = try await server.users.issueToken(for: user.id)
        }
    }

    /// Runs `body` with a client of the router (no network).
    func test<T: Sendable>(_ body: @Sendable (Client) async throws -> T) async throws -> T {
        let app = server.application(address: "127.0.0.1", port: 0)
        return try await app.test(.router) { client in try await body(Client(client: client, tokens: tokens)) }
    }
}

struct Reply: Sendable {
    var status: Int
    var contentType: String?
    var body: JSONValue
    var text: String
}

struct Client: Sendable {
    let client: any TestClientProtocol
    let tokens: [String: String]

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, as who: String? = nil, token: String? = nil, body: JSONValue? = nil,
              raw: String? = nil, headers extra: [String: String] = [:]) async throws -> Reply {
        var headers = HTTPFields()
        if let token = token ?? who.flatMap({ tokens[$0] }) { headers[.authorization] = "Bearer \(token)" }
        if body != nil || raw != nil { headers[.contentType] = "application/json" }
        for (k, v) in extra { headers[HTTPField.Name(k)!] = v }
        let bytes = raw.map { Array($0.utf8) } ?? body.map { JSONWriter.bytes($0) }
        return try await client.execute(uri: uri, method: method, headers: headers, body: bytes.map { ByteBuffer(bytes: $0) }) { r in
            let text = String(buffer: r.body)
            return Reply(status: Int(r.status.code), contentType: r.headers[.contentType], body: (try? JSONParser.parse(text)) ?? .null,
                         text: text)
        }
    }

    /// A person and a case in `jurisdiction`, created by that side's caseworker; returns the case id.
    func openCase(_ jurisdiction: String = "TH", name: String = "Khamla", born: String = "1998-05-01",
                  opened: String = "2026-03-02") async throws -> (person: String, case: String) {
        let who = "caseworker-\(jurisdiction)"
        let person = try await call(.post, "/api/v1/persons", as: who, body: [
            "given_names": .string(name), "family_name": "Test", "other_names": [], "date_of_birth": .string(born),
            "date_of_birth_estimated": false, "citizenship": ["LA"], "languages": ["lo"], "identity_documents": [],
        ])
        #expect(person.status == 201, "\(person.text)")
        let personID = try #require(person.body["id"]?.stringValue)
        let c = try await call(.post, "/api/v1/cases", as: who, body: ["person": .string(personID), "jurisdiction": .string(jurisdiction),
                                                                      "opened": .string(opened)])
        #expect(c.status == 201, "\(c.text)")
        return (personID, try #require(c.body["id"]?.stringValue))
    }
}

let forcedLabourScreening: JSONValue = [
    "date": "2026-03-02", "acts": ["recruitment"], "means": ["deception"], "exploitation": ["forced_labour"],
    "ilo_indicators": ["deception", "withholding_of_wages"],
    "migration": ["entry": "irregular", "country": "TH", "origin": "LA"], "identified_by": "mdt",
]

/// An adult who paid a smuggler and consented, with no element of trafficking (the TH pack deports).
func smuggledMigrantScreening(identifiedBy: String = "mdt") -> JSONValue {
    [
        "date": "2026-03-02", "acts": [], "means": [], "exploitation": [], "ilo_indicators": [],
        "migration": ["entry": "irregular", "smuggler_paid": true, "consented": true, "country": "TH", "origin": "LA"],
        "identified_by": .string(identifiedBy),
    ]
}
