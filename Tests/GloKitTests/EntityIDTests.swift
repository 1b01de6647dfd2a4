import Foundation
import GloKit
import Testing

@Test func newIdentifiersAreUUIDv7WithVersionAndVariantBits() {
    for _ in 0..<100 {
        let id = PersonID()
        let bytes = withUnsafeBytes(of: id.uuid.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 0x7, "version nibble is 7")
        #expect(bytes[8] >> 6 == 0b10, "variant bits are 10")
        let text = id.description
        #expect(text == text.lowercased())
        #expect(Array(text)[14] == "7")
    }
}

@Test func uuidv7LayoutPutsMillisecondsInTheFirst48Bits() {
    let ms: UInt64 = 0x0190_F5C2_7A4B
    let uuid = UUIDv7.make(milliseconds: ms, counter: 0xABC, random: UInt64.max)
    #expect(uuid.uuidString.lowercased() == "0190f5c2-7a4b-7abc-bfff-ffffffffffff")
    #expect(UUIDv7.milliseconds(of: uuid) == ms)
    let zero = UUIDv7.make(milliseconds: ms, counter: 0, random: 0)
    #expect(zero.uuidString.lowercased() == "0190f5c2-7a4b-7000-8000-000000000000")
}

@Test func identifiersCarryTheCurrentTime() {
    let before = UInt64(Date().timeIntervalSince1970 * 1000)
    let id = CaseID()
    let after = UInt64(Date().timeIntervalSince1970 * 1000)
    let ms = try! #require(id.createdMilliseconds)
    #expect(ms >= before && ms <= after + 1)
}

@Test func identifiersMadeOneAfterAnotherAreOrdered() {
    let ids = (0..<2000).map { _ in CaseID() }
    #expect(ids == ids.sorted())
    #expect(Set(ids).count == ids.count)
    #expect(ids.map(\.description) == ids.map(\.description).sorted(), "the text sorts like the id")
}

@Test func identifiersStayOrderedWhenTheClockStandsStillOrStepsBack() {
    // A clock in the past (a step back; the future would move the process's clock forward for good).
    let past = Date(timeIntervalSince1970: 1_000_000_000)
    let a = UUIDv7.next(now: past), b = UUIDv7.next(now: past), c = UUIDv7.next(now: past.addingTimeInterval(-5))
    let ids = [a, b, c].map(CaseID.init(uuid:))
    #expect(ids[0] < ids[1] && ids[1] < ids[2])
}

@Test func identifierKindsAreKeptApartAndRejectNonUUIDText() throws {
    #expect(PersonID("not-a-uuid") == nil)
    #expect(PersonID("0190F5C2-7A4B-7ABC-BFFF-FFFFFFFFFFFF")?.description == "0190f5c2-7a4b-7abc-bfff-ffffffffffff")
    let good = Data(#"{"id":"0190f5c2-7a4b-7abc-bfff-ffffffffffff","created_at":"2025-03-01T10:15:30.123Z","personal":{"given_names":"x","other_names":[],"date_of_birth_estimated":false,"citizenship":[],"languages":[],"identity_documents":[]}}"#.utf8)
    #expect(try GloKitCoding.decode(Person.self, from: Array(good)).personal.givenNames == "x")
    let bad = Data(#"{"id":"Somchai","created_at":"2025-03-01T10:15:30.123Z","personal":{"given_names":"x","other_names":[],"date_of_birth_estimated":false,"citizenship":[],"languages":[],"identity_documents":[]}}"#.utf8)
    #expect(throws: DecodingError.self) { try GloKitCoding.decode(Person.self, from: Array(bad)) }
}

@Test func uuidTextAgreesWithFoundationBothWays() {
    for _ in 0..<2000 {
        let uuid = UUID()
        #expect(UUIDv7.text(uuid) == uuid.uuidString.lowercased())
        #expect(UUIDv7.parse(uuid.uuidString) == uuid)
        #expect(UUIDv7.parse(uuid.uuidString.lowercased()) == uuid)
    }
    for bad in ["", "0190f5c2-7a4b-7abc-bfff-fffffffffff", "0190f5c2-7a4b-7abc-bfff-fffffffffffff",
                "0190f5c2x7a4b-7abc-bfff-ffffffffffff", "0190f5c2-7a4b-7abc-bfff-fffffffffffg",
                "0190f5c27a4b-7abc-bfff-ffffffffffff-", "0190f5c2-7a4b-7abc-bfff-ffffffffffé"] {
        #expect(UUIDv7.parse(bad) == nil, "\(bad)")
        #expect(UUID(uuidString: bad) == nil, "Foundation agrees: \(bad)")
    }
}
