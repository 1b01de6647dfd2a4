import Foundation
import GloRules
import GloJSON
import GloKit
import Testing

func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
func time(_ text: String) -> Timestamp { Timestamp(text)! }

/// Encodes with GloKitCoding, decodes back, and returns the decoded value and the JSON as a JSONValue.
func roundTrip<T: Codable & Equatable>(_ value: T) throws -> (decoded: T, json: JSONValue, text: String) {
    let data = try GloKitCoding.encode(value)
    let decoded = try GloKitCoding.decode(T.self, from: Array(data))
    let text = String(decoding: data, as: UTF8.self)
    return (decoded, try JSONParser.parse(text), text)
}

/// Every object key anywhere in `json`, except inside the members named in `opaque` (free JSON).
func allKeys(_ json: JSONValue, skipping opaque: Set<String> = []) -> Set<String> {
    switch json {
    case .object(let members):
        var keys = Set(members.keys)
        for (k, v) in members where !opaque.contains(k) { keys.formUnion(allKeys(v, skipping: opaque)) }
        return keys
    case .array(let items): return items.reduce(into: Set<String>()) { $0.formUnion(allKeys($1, skipping: opaque)) }
    default: return []
    }
}

/// snake_case: lowercase ASCII letters, digits and underscores.
func isSnakeCase(_ key: String) -> Bool {
    !key.isEmpty && key.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
}

enum Fixture {
    static let thaiNGO = Organisation(name: "Labour Rights Promotion Network", kind: .ngo, jurisdiction: "TH")
    static let msdhs = Organisation(name: "MSDHS", kind: .government, jurisdiction: "TH")
    static let worker = User(displayName: "Caseworker One", roles: [.caseworker], organisation: thaiNGO.id, jurisdictions: ["TH"])

    static func person() -> Person {
        Person(createdAt: time("2025-03-01T10:15:30.123Z"), personal: PersonalData(
            givenNames: "Test", familyName: "Person", otherNames: ["Alias"], dateOfBirth: date("2008-05-20"),
            sex: .female, gender: .feminine, citizenship: ["LA"], languages: ["lao"],
            contact: ContactDetails(phones: ["+8562055512345"], email: "someone@example.org"),
            address: Address(city: "Vientiane", postalCode: "01000", country: "LA"),
            identityDocuments: [IdentityDocument(kind: .passport, number: "P0000000", issuingCountry: "LA",
                                                 expires: date("2030-01-01"), heldByPerson: false)]))
    }

    static func kase(person: PersonID = PersonID()) -> Case {
        Case(jurisdiction: "TH", ownerOrganisation: thaiNGO.id, assignedWorker: worker.id, person: person,
             opened: date("2025-03-01"))
    }
}
