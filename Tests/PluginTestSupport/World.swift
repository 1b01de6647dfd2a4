public import Foundation
public import GloBase
import GloJSON
public import GloKit
import GloPlugins
public import GloRules
import GloStoreSQLite
public import PluginIdentification
public import PluginImmigration
public import PluginLegalAid
public import PluginLegalProcess
public import PluginReporting
public import PluginReturn
public import PluginShelter
import TestScratch
public import Testing

public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
public let shippedEngine: RuleEngine = try! RuleEngine(directory: packageRoot.appendingPathComponent("Config/jurisdictions").path,
                                                statesPerPack: 2)

public func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

/// A host serving TH and LA with every workflow plugin, on a fresh SQLite store.
public struct World {
    public let host: GloHost
    public let context: PluginContext
    // Organisations and people who act.
    public let mdtTH = OrganisationID(), ngoTH = OrganisationID(), shelterTH = OrganisationID(), lawyersTH = OrganisationID()
    public let lwu = OrganisationID()
    public let caseworker = UserID(), supervisor = UserID()
    public var actor: Agent { .user(caseworker) }

    /// Every workflow plugin of the catalog (Tally aside: it counts, for the benchmarks).
    public static let plugins: [any Plugin] = PluginCatalog.entries.map(\.plugin).filter { $0.id != "tally" }

    public init(plugins: [any Plugin] = World.plugins) async throws {
        let path = TestScratch.folder("glo-wf").appendingPathComponent("glo.sqlite").path
        host = try GloHost(store: try SQLiteStore(path: path), vault: PersonVault(key: .random()), engine: shippedEngine,
                           plugins: plugins, jurisdictions: ["TH", "LA"],
                           retry: RetryPolicy(attempts: 2, firstDelay: .milliseconds(1)), pollInterval: .milliseconds(20))
        try await host.start()
        context = host.context(for: plugins[0])
    }

    public var identification: Identification { Identification(context) }
    public var legalAid: LegalAid { LegalAid(context) }
    public var shelter: Shelter { Shelter(context) }
    public var legalProcess: LegalProcess { LegalProcess(context) }
    public var returns: Returns { Returns(context) }
    public var immigration: Immigration { Immigration(context) }
    public var reporting: Reporting { Reporting(context) }
    public var records: Records { host.records }

    /// A person and an open case in `jurisdiction`.
    public func openCase(_ jurisdiction: JurisdictionID = "TH", name: String = "Khamla", citizenship: [String] = ["LA"],
                  opened: String = "2026-03-02", birth: String? = "1998-05-01") async throws -> Case {
        let person = Person(personal: PersonalData(givenNames: name, familyName: "Test", dateOfBirth: birth.map(day),
                                                   sex: .female, citizenship: citizenship))
        try await host.cases.register(person, actor: actor)
        return try await host.cases.open(Case(jurisdiction: jurisdiction, ownerOrganisation: ngoTH, person: person.id,
                                              opened: day(opened)), actor: actor)
    }

    /// A screening of forced labour after deception by a recruiter.
    public func forcedLabour(_ c: Case, on date: String = "2026-03-02") -> Screening {
        Screening(caseID: c.id, interviewer: caseworker, date: day(date), acts: ["recruitment", "transportation"],
                  means: ["deception"], exploitation: ["forced_labour"],
                  iloIndicators: ["deception", "withholding_of_wages", "retention_of_identity_documents"],
                  migration: MigrationFacts(entry: "irregular", smugglerPaid: false, country: "TH", origin: "LA"))
    }

    /// A screening with no trafficking indicator: an irregular crossing.
    public func irregularCrossing(_ c: Case, on date: String = "2026-03-02") -> Screening {
        Screening(caseID: c.id, interviewer: caseworker, date: day(date), acts: [], means: [], exploitation: [],
                  iloIndicators: [], migration: MigrationFacts(entry: "irregular", smugglerPaid: true, consented: true,
                                                                country: "TH", origin: "LA"))
    }

    public func events(_ type: String? = nil) async throws -> [Event] {
        try await host.eventLog.events(after: 0, limit: 100_000).filter { type == nil || $0.type == type }
    }

    public func lastSequence() async throws -> Int64 { try await host.eventLog.lastSequence() }

    /// Waits until every subscriber has handled everything in the log.
    public func settle() async throws {
        var last: Int64 = -1
        while true {
            let now = try await lastSequence()
            if now == last { return }
            last = now
            try await host.bus.drain(through: now)
        }
    }

    public func stop() async { await host.stop() }
}

/// Runs `body` and checks that it failed with an error whose text contains `text`, and that nothing
/// was stored meanwhile (no event appended).
public func expectRefusal(_ world: World, containing text: String, sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () async throws -> Void) async throws {
    try await world.settle()
    let before = try await world.lastSequence()
    do {
        try await body()
        Issue.record("expected a refusal containing '\(text)'", sourceLocation: sourceLocation)
    } catch {
        #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
    }
    try await world.settle()
    #expect(try await world.lastSequence() == before, "something was stored", sourceLocation: sourceLocation)
}
