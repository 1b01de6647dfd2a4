import Foundation
import GloJSON
import GloKit

/// The crash writer's modes for the data-protection tests: a store sealed the old way, many people,
/// and a check that every person opens.
enum DataProtectionModes {
    /// A person as stores kept them before envelope encryption.
    struct LegacyPerson: Codable {
        var id: PersonID
        var createdAt: Timestamp
        var sealed: String
        enum CodingKeys: String, CodingKey {
            case id, sealed
            case createdAt = "created_at"
        }
    }

    static func run(_ mode: String, store: any Store, vault: PersonVault, count: Int) async throws {
        let records = Records(store: store, vault: vault)
        switch mode {
        case "legacy":
            for start in stride(from: 0, to: count, by: 200) {
                var writes: [RecordWrite] = []
                for n in start..<min(count, start + 200) {
                    let personal = PersonalData(givenNames: "Legacy \(n)", familyName: "Person", citizenship: ["LA"])
                    let id = PersonID()
                    let body = try GloKitCoding.encode(LegacyPerson(id: id, createdAt: .now, sealed: try vault.legacySealForTesting(personal, of: id)))
                    writes.append(RecordWrite(collection: RecordCollection("person"), id: id.description, expect: .new, body: body,
                                              keys: vault.legacyNameKeysForTesting(personal)))
                    let theCase = Case(jurisdiction: "TH", ownerOrganisation: OrganisationID(), person: id,
                                       opened: CalendarDate(year: 2026, month: 1, day: 10)!)
                    writes.append(RecordWrite(collection: Case.collection, id: theCase.id.description, expect: .new,
                                              body: try GloKitCoding.encode(theCase), keys: theCase.indexKeys))
                    var facts = CaseFacts(caseID: theCase.id)
                    facts.facts = ["$sealed": .string(try vault.legacySealForTesting(text: #"{"age":17}"#, boundTo: theCase.id.description))]
                    writes.append(RecordWrite(collection: CaseFacts.collection, id: theCase.id.description, expect: .new,
                                              body: try GloKitCoding.encode(facts), keys: []))
                }
                try await store.commit(Change(writes: writes))
            }
            say("wrote \(count)")
        case "people":
            for start in stride(from: 0, to: count, by: 500) {
                try await records.commit { change in
                    for n in start..<min(count, start + 500) {
                        try change.put(Person(personal: PersonalData(givenNames: "Person \(n)", familyName: "Rotated", citizenship: ["LA"])))
                    }
                }
            }
            say("wrote \(count)")
        default:
            var (persons, opened, erased, failed, facts) = (0, 0, 0, 0, 0)
            var after: String?
            while true {
                let page = try await store.records(RecordCollection("person"), after: after, limit: 1_000)
                guard let last = page.last else { break }
                after = last.id
                for record in page {
                    persons += 1
                    guard let id = PersonID(record.id) else { failed += 1; continue }
                    do {
                        let person = try await records.requirePerson(id)
                        if person.value.erasedAt != nil { erased += 1 } else { opened += 1 }
                    } catch { failed += 1 }
                }
            }
            for fact in try await store.records(CaseFacts.collection, after: nil, limit: Int.max) {
                if let opened = try? await records.get(CaseFacts.self, fact.id), opened.value.facts["age"] != nil { facts += 1 }
            }
            say(JSONWriter.string(.object(["persons": .int(Int64(persons)), "opened": .int(Int64(opened)), "erased": .int(Int64(erased)),
                                           "failed": .int(Int64(failed)), "facts_opened": .int(Int64(facts))]), sortKeys: true))
        }
    }
}
