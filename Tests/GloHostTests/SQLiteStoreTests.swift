import Foundation
import GloJSON
import GloKit
import GloRules
import GloStoreSQLite
import Testing

@Suite("SQLite store: files that are not ours, and personal data at rest")
struct SQLiteStoreTests {
    @Test("a damaged or foreign file gets a clear error at start, not a crash")
    func unusableFiles() throws {
        let dir = temporaryFolder()
        let garbage = dir + "/garbage.sqlite"
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: garbage))
        #expect {
            _ = try SQLiteStore(path: garbage)
        } throws: { error in
            "\(error)".contains("is not a SQLite database")
        }

        let foreign = dir + "/foreign.sqlite"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table x(a)'); c.commit()", foreign]
        try p.run()
        p.waitUntilExit()
        #expect {
            _ = try SQLiteStore(path: foreign)
        } throws: { error in
            "\(error)".contains("not a glo-host one")
        }

        // A glo-host database whose pages were overwritten in the middle.
        let damaged = dir + "/damaged.sqlite"
        do { _ = try SQLiteStore(path: damaged) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        bytes.replaceSubrange(0..<100, with: Data(repeating: 0xFF, count: 100))
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect(throws: StoreError.self) { _ = try SQLiteStore(path: damaged) }
    }

    @Test("every commit is synced to disk before it is acknowledged: the writer runs with synchronous = FULL, new file or old")
    func commitsAreSynced() async throws {
        let path = temporaryFolder() + "/glo.sqlite"
        for _ in 0..<2 {  // created, then reopened
            let store = try SQLiteStore(path: path)
            #expect(try store.writerSynchronous() == "FULL")
            try await store.close()
        }
    }

    @Test("SQLite keeps no memory statistics (each would take a process-wide lock), once a store is open and has written")
    func noMemoryStatistics() async throws {
        let store = try SQLiteStore(path: temporaryFolder() + "/glo.sqlite")
        _ = try await store.commit(Change(events: [NewEvent(type: "test.noted", jurisdiction: nil, subject: "test", actor: .system)]))
        #expect(!SQLiteStore.keepsMemoryStatistics)
        try await store.close()
    }

    @Test("names, birthdates and facts are not in the database file in the clear")
    func sealedAtRest() async throws {
        let path = temporaryFolder() + "/glo.sqlite"
        let store = try SQLiteStore(path: path)
        let host = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [], jurisdictions: ["TH"])
        let person = Person(personal: PersonalData(givenNames: "Khamphoui", familyName: "Vongsavath",
                                                   dateOfBirth: day("1999-04-17"), citizenship: ["LA"]))
        try await host.cases.register(person, actor: .system)
        let theCase = try await host.cases.open(Case(jurisdiction: "TH", ownerOrganisation: OrganisationID(),
                                                     person: person.id, opened: day("2026-01-10")), actor: .system)
        try await host.decisions.decide("identification.pathway", for: theCase.id,
                                        facts: .object(["birthdate": .string("1999-04-17"), "acts": .array([])]),
                                        actor: .system)
        try await store.close()
        var everything = Data()
        for suffix in ["", "-wal", "-shm"] {
            everything.append((try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data())
        }
        for secret in ["Khamphoui", "khamphoui", "Vongsavath", "1999-04-17"] {
            #expect(everything.range(of: Data(secret.utf8)) == nil, "\(secret) is in the database in the clear")
        }
        // And it all opens again with the key.
        let again = Records(store: try SQLiteStore(path: path), vault: testVault)
        #expect(try await again.person(person.id)?.value == person)
        let decision = try #require(try await again.list(DecisionRecord.self, key: .caseID(theCase.id)).first)
        #expect(decision.value.facts?["birthdate"] == .string("1999-04-17"))
    }

    @Test("another master key cannot open the personal data; the error names the master key the host lacks, no personal data")
    func wrongKey() async throws {
        let path = temporaryFolder() + "/glo.sqlite"
        let person = Person(personal: PersonalData(givenNames: "Noy"))
        try await CaseService(records: Records(store: try SQLiteStore(path: path), vault: testVault), engine: shippedEngine).register(person, actor: .system)
        let other = Records(store: try SQLiteStore(path: path), vault: PersonVault(key: VaultKey.random()))
        await #expect {
            _ = try await other.person(person.id)
        } throws: { error in
            "\(error)".contains("master key \(testVault.masters.current.id), which this host does not hold") && !"\(error)".contains("Noy")
        }
    }

    @Test("the key comes from the environment, else the file, else is made once and kept")
    func keyLoading() throws {
        let dir = temporaryFolder()
        let (made, origin) = try VaultKey.load(path: dir + "/keys/personal.key", environment: [:])
        #expect(origin == .generated(dir + "/keys/personal.key"))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/keys/personal.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let (again, againOrigin) = try VaultKey.load(path: dir + "/keys/personal.key", environment: [:])
        #expect(again.bytes == made.bytes)
        #expect(againOrigin == .file(dir + "/keys/personal.key"))
        let fromEnv = VaultKey.random()
        let env = [VaultKey.environmentVariable: Data(fromEnv.bytes).base64EncodedString()]
        #expect(try VaultKey.load(path: dir + "/keys/personal.key", environment: env).0.bytes == fromEnv.bytes)
        #expect(throws: VaultError.self) {
            _ = try VaultKey.load(path: dir + "/x.key", environment: [VaultKey.environmentVariable: "too short"])
        }
    }
}

@Suite("Finding people by name without names in the clear")
struct PersonSearchTests {
    @Test("find by any name part, ignoring case and diacritics; likely duplicates ranked")
    func findAndDuplicates() async throws {
        let records = Records(store: try SQLiteStore(path: temporaryFolder() + "/glo.sqlite"), vault: testVault)
        let cases = CaseService(records: records, engine: shippedEngine)
        let a = Person(personal: PersonalData(givenNames: "Nguyễn Thị", familyName: "Lan", dateOfBirth: day("2001-02-03")))
        let b = Person(personal: PersonalData(givenNames: "Lan", familyName: "Phommachanh"))
        let c = Person(personal: PersonalData(givenNames: "สมหญิง", familyName: "ใจดี"))
        for p in [a, b, c] { try await cases.register(p, actor: .system) }

        #expect(Set(try await records.findPersons(named: "LAN").map(\.id)) == [a.id, b.id])
        #expect(try await records.findPersons(named: "nguyen lan").map(\.id) == [a.id])
        #expect(try await records.findPersons(named: "สมหญิง").map(\.id) == [c.id])
        #expect(try await records.findPersons(named: "Somebody").isEmpty)

        let newcomer = PersonalData(givenNames: "Nguyen Thi", familyName: "LAN", dateOfBirth: day("2001-02-03"))
        let candidates = try await records.likelyDuplicates(of: newcomer)
        #expect(candidates.map(\.person.id) == [a.id, b.id])
        #expect(candidates.first?.sameDateOfBirth == true)
        #expect(candidates.first?.sharedNameParts == 3)
    }

    @Test("titles are no name parts: two Lao women are not likely duplicates, and a title joined to a Thai name is left out")
    func titlesAreNotNames() async throws {
        let records = Records(store: try SQLiteStore(path: temporaryFolder() + "/glo.sqlite"), vault: testVault)
        let cases = CaseService(records: records, engine: shippedEngine)
        let khamla = Person(personal: PersonalData(givenNames: "ນາງ ຄຳລາ", familyName: "ພົມມະຈັນ"))
        let somying = Person(personal: PersonalData(givenNames: "นางสาวสมหญิง", familyName: "ใจดี"))
        for p in [khamla, somying] { try await cases.register(p, actor: .system) }
        #expect(try await records.likelyDuplicates(of: PersonalData(givenNames: "ນາງ ນ້ອຍ", familyName: "ສີສຸວັນ")).isEmpty)
        #expect(try await records.likelyDuplicates(of: PersonalData(givenNames: "Ms Noy", familyName: "Mrs")).isEmpty)
        #expect(try await records.findPersons(named: "สมหญิง").map(\.id) == [somying.id])
        #expect(try await records.findPersons(named: "ຄຳລາ").map(\.id) == [khamla.id])
        #expect(try await records.findPersons(named: "ນາງ").isEmpty, "a title alone finds no one")
    }
}
