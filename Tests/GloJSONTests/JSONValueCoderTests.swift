import Foundation
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

    /// Wraps a value through a single-value container, as a property wrapper or an id type does.
    struct Wrapped<T: Codable & Equatable>: Codable, Equatable {
        var inner: T
        init(_ inner: T) { self.inner = inner }
        init(from decoder: any Decoder) throws { inner = try decoder.singleValueContainer().decode(T.self) }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(inner)
        }
    }

    /// Records the coding path it is encoded at.
    struct PathProbe: Encodable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(encoder.codingPath.map(\.stringValue).joined(separator: "/"))
        }
    }

    @Test("values wrapped in single-value containers, nested lists, and the coding path an encoder sees")
    func wrappersAndPaths() throws {
        let wrapped = Wrapped(sample)
        let value = try JSONValueCoder.encode(wrapped)
        #expect(value == (try JSONValueCoder.encode(sample)))
        #expect(try JSONValueCoder.decode(Wrapped<CoderOuter>.self, from: value) == wrapped)
        #expect(try JSONValueCoder.encode(Wrapped("x")) == .string("x"))
        #expect(try JSONValueCoder.encode([Wrapped(1), Wrapped(2)]) == .array([.int(1), .int(2)]))
        let nested: [[String: [Int]]] = [["a": [1, 2]], [:]]
        #expect(try JSONValueCoder.encode(nested) == .array([.object(["a": .array([.int(1), .int(2)])]), .object([:])]))
        #expect(try JSONValueCoder.decode([[String: [Int]]].self, from: try JSONValueCoder.encode(nested)) == nested)
        #expect(try JSONValueCoder.encode(["k": [PathProbe(), PathProbe()]]) == .object(["k": .array([.string("k/0"), .string("k/1")])]))
    }

    /// An entity-like type with facts as a `JSONValue` member and a list of strings.
    struct WithFacts: Codable, Equatable {
        var facts: JSONValue
        var reasons: [String]
    }

    @Test("a JSONValue member is carried as it is, here and through Foundation's coders; a list of strings names a wrong item")
    func jsonValueMembers() throws {
        let facts: JSONValue = ["age": 17, "ratio": 0.5, "acts": ["recruitment"], "known": true, "note": nil]
        let sample = WithFacts(facts: facts, reasons: ["r1", "r2"])
        let value = try JSONValueCoder.encode(sample)
        #expect(value == .object(["facts": facts, "reasons": .array([.string("r1"), .string("r2")])]))
        #expect(try JSONValueCoder.decode(WithFacts.self, from: value) == sample)
        // Foundation keeps 17 an integer too, so the value comes back equal.
        let text = try JSONEncoder().encode(sample)
        #expect(try JSONDecoder().decode(WithFacts.self, from: text) == sample)
        #expect(try JSONParser.parse(Array(text)) == value)
        #expect {
            _ = try JSONValueCoder.decode(WithFacts.self, from: ["facts": facts, "reasons": ["r1", 2]])
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["reasons", "1"]
        }
    }
}
