import Foundation
import GloJSON
import GloKit
import GloRules
import GloStorePostgres
import GloStoreSQLite
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import TestScratch
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let shippedRules = packageRoot.appendingPathComponent("Config/jurisdictions").path

func temporaryFolder(_ name: String = "glo-host") -> String {
    TestScratch.folder(name).path
}

/// A store backend the shared store suite runs against: SQLite always, PostgreSQL when
/// `GLO_TEST_POSTGRES_URL` names a server (`scripts/postgres-test-server.sh` starts one).
struct StoreBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// A fresh, empty store; calling `reopen` on its location gives the same data back.
    var make: @Sendable () async throws -> (store: any Store, reopen: @Sendable () async throws -> any Store)

    var testDescription: String { name }

    static let sqlite = StoreBackend(name: "SQLite") {
        let path = temporaryFolder() + "/glo.sqlite"
        return (try SQLiteStore(path: path), { try SQLiteStore(path: path) })
    }

    /// A fresh database on the server of `GLO_TEST_POSTGRES_URL` for each store.
    static let postgres = StoreBackend(name: "PostgreSQL") {
        let url = try await freshPostgresDatabase()
        return (try await PostgresStore(url: url, logger: quietLogger), { try await PostgresStore(url: url, logger: quietLogger) })
    }

    static let all: [StoreBackend] = [.sqlite] + (testPostgresURL == nil ? [] : [.postgres])
}

/// Warnings and errors only: the tests make many stores, and each logs its migrations.
let quietLogger: Logger = {
    var logger = Logger(label: "glo-host.tests.postgres")
    logger.logLevel = .warning
    return logger
}()

/// A fresh SQLite store, for the tests that need one synchronously.
func freshSQLiteStore() throws -> any Store {
    try SQLiteStore(path: temporaryFolder() + "/glo.sqlite")
}

/// The PostgreSQL server the tests may use (`GLO_TEST_POSTGRES_URL`), if any.
let testPostgresURL: String? = {
    guard let url = ProcessInfo.processInfo.environment["GLO_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
    return url
}()

/// Creates an empty database on the test server and returns its URL (same user, password and options).
func freshPostgresDatabase() async throws -> String {
    guard let base = testPostgresURL, var components = URLComponents(string: base) else {
        throw StoreError.unusable("GLO_TEST_POSTGRES_URL is not set")
    }
    let name = "glo_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    // The name is ours (letters, digits, underscores); identifiers cannot be bound.
    try await psql(base, "CREATE DATABASE \(name)")
    components.path = "/" + name
    return components.string!
}

/// Runs one SQL statement (no binds) on the database at `url`, as a test's setup.
func psql(_ url: String, _ sql: String) async throws {
    guard let components = URLComponents(string: url) else { throw StoreError.unusable("bad URL") }
    var config = PostgresConnection.Configuration(host: components.host ?? "127.0.0.1", port: components.port ?? 5432,
                                                  username: components.user ?? "glo", password: components.password,
                                                  database: String(components.path.dropFirst()), tls: .disable)
    config.options.connectTimeout = .seconds(10)
    let logger = Logger(label: "glo-host.tests.postgres")
    let connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
    do {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        try await connection.close().get()
    } catch {
        try? await connection.close().get()
        throw error
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago).
func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 1
    try await channel.close().get()
    return port
}

let testVault = PersonVault(key: VaultKey.random())

/// The shipped rules, loaded once for the whole suite.
let shippedEngine: RuleEngine = try! RuleEngine(directory: shippedRules, statesPerPack: 2)

func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

/// A person, a case in `jurisdiction` opened on `opened`, and a screening that shows trafficking.
func openScreenedCase(_ host: GloHost, jurisdiction: String = "TH", opened: String = "2026-01-10",
                      name: String = "Somchai") async throws -> Case {
    let person = Person(personal: PersonalData(givenNames: name, familyName: "Test", citizenship: ["LA"]))
    try await host.cases.register(person, actor: .system)
    let theCase = try await host.cases.open(
        Case(jurisdiction: JurisdictionID(jurisdiction), ownerOrganisation: OrganisationID(), person: person.id,
             opened: day(opened)), actor: .system)
    try await host.cases.record(Screening(caseID: theCase.id, interviewer: UserID(), date: day(opened),
                                          acts: ["recruitment"], means: ["deception"], exploitation: ["forced_labour"]),
                                actor: .system)
    return theCase
}

/// Polls `condition` until it holds, for at most `seconds`.
func eventually(_ seconds: Double = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Collects what a subscriber was given, in order.
final class Collector: Sendable {
    private let seen = Mutex<[Int64]>([])
    var sequences: [Int64] { seen.withLock { $0 } }
    func add(_ event: Event) { seen.withLock { $0.append(event.sequence) } }
}

import Synchronization
