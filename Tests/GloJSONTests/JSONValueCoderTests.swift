import GloJSON
import Testing

struct CoderInner: Codable, Equatable {
    var flag: Bool
    var ratio: Double
    var tags: [String]
}

struct CoderOuter: Codable, Equatable {
    enum Kind: String, Codable { case a, b }
    var name: String
    var count: Int
    var big: Int64
    var kind: Kind
    var inner: CoderInner
    var list: [CoderInner]
    var optional: String?
    var map: [String: Int]

    enum CodingKeys: String, CodingKey {
        case name, count, big, kind, inner, list, optional, map
    }
}

@Suite("JSONValueCoder: Codable to and from JSONValue")
struct JSONValueCoderTests {
    let sample = CoderOuter(name: "ສະບາຍດີ", count: 3, big: Int64.max, kind: .b,
                       inner: CoderInner(flag: true, ratio: 0.5, tags: ["x"]),
                       list: [CoderInner(flag: false, ratio: 2, tags: [])], optional: nil, map: ["k": 1])

    @Test("round trip keeps integers as integers and leaves absent optionals out")
    func roundTrip() throws {
        let value = try JSONValueCoder.encode(sample)
        #expect(value["count"] == .int(3))
        #expect(value["big"] == .int(Int64.max))
        #expect(value["inner"]?["ratio"] == .double(0.5))
        #expect(value["list"]?.arrayValue?.first?["ratio"] == .double(2))
        #expect(value["optional"] == nil)
        #expect(value["kind"] == .string("b"))
        #expect(try JSONValueCoder.decode(CoderOuter.self, from: value) == sample)
        // Through the bytes, as the store keeps them.
        let text = JSONWriter.string(value)
        #expect(try JSONValueCoder.decode(CoderOuter.self, from: try JSONParser.parse(text)) == sample)
    }

    @Test("errors name the path of the field")
    func errorPaths() throws {
        var value = try JSONValueCoder.encode(sample)
        guard case .object(var members) = value, case .array(var items) = members["list"]!,
              case .object(var first) = items[0] else { Issue.record("shape"); return }
        first["flag"] = .string("yes")
        items[0] = .object(first)
        members["list"] = .array(items)
        value = .object(members)
        #expect {
            _ = try JSONValueCoder.decode(CoderOuter.self, from: value)
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["list", "0", "flag"]
        }
        members["name"] = nil
        #expect {
            _ = try JSONValueCoder.decode(CoderOuter.self, from: .object(members))
        } throws: { error in
            if case DecodingError.keyNotFound(let key, _) = error { return key.stringValue == "name" }
            return false
        }
        #expect(throws: DecodingError.self) { _ = try JSONValueCoder.decode(Int8.self, from: .int(300)) }
    }
}
