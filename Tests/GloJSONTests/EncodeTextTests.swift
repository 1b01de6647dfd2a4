import GloJSON
import Testing

/// Members written in an order that is not the key order, one of them twice.
private struct Unordered: Encodable {
    enum Keys: String, CodingKey { case zeta, alpha, ລາວ, ไทย, Beta }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode("first", forKey: .zeta)
        try c.encode(1, forKey: .ລາວ)
        try c.encode(2.5, forKey: .ไทย)
        try c.encodeNil(forKey: .Beta)
        try c.encode(true, forKey: .alpha)
        try c.encode("last", forKey: .zeta)  // the later value wins, as in a dictionary
    }
}

/// Nested containers used one after another, as hand-written `encode(to:)`s do.
private struct Nested: Encodable {
    enum Keys: String, CodingKey { case b, a, list, c }
    enum Inner: String, CodingKey { case y, x }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        var b = c.nestedContainer(keyedBy: Inner.self, forKey: .b)
        try b.encode(1, forKey: .y)
        try b.encode(2, forKey: .x)
        var list = c.nestedUnkeyedContainer(forKey: .list)
        try list.encode("p")
        var inList = list.nestedContainer(keyedBy: Inner.self)
        try inList.encode([Int](), forKey: .x)
        try list.encode(Unordered())
        _ = c.nestedContainer(keyedBy: Inner.self, forKey: .c)  // left empty
        try c.encode(["k2": 2, "k1": 1], forKey: .a)
    }
}

/// Goes back to a nested container after opening a sibling (allowed by Codable).
private struct Interleaved: Encodable {
    enum Keys: String, CodingKey { case one, two }
    enum Inner: String, CodingKey { case v }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        var one = c.nestedContainer(keyedBy: Inner.self, forKey: .one)
        var two = c.nestedContainer(keyedBy: Inner.self, forKey: .two)
        try two.encode(2, forKey: .v)
        try one.encode(1, forKey: .v)
    }
}

private class Base: Encodable {
    var base = 1
    enum Keys: String, CodingKey { case base, extra }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(base, forKey: .base)
    }
}

/// Uses a super-encoder, as a subclass does.
private final class Derived: Base {
    override func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode("x", forKey: .extra)
        try super.encode(to: c.superEncoder())
    }
}

/// Asks for its container twice, and encodes nothing at all.
private struct TwiceAsked: Encodable {
    enum Keys: String, CodingKey { case b, a }
    func encode(to encoder: any Encoder) throws {
        var first = encoder.container(keyedBy: Keys.self)
        try first.encode(1, forKey: .b)
        var second = encoder.container(keyedBy: Keys.self)
        try second.encode(2, forKey: .a)
    }
}

private struct Silent: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

private struct Huge: Encodable {
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(UInt64.max)
    }
}

@Suite("JSONValueCoder.encodeText: the same text as JSONWriter writes of JSONValueCoder.encode")
struct EncodeTextTests {
    func same<T: Encodable>(_ value: T, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let direct = String(decoding: try JSONValueCoder.encodeText(value), as: UTF8.self)
        let viaTree = JSONWriter.string(try JSONValueCoder.encode(value), sortKeys: true)
        #expect(direct == viaTree, comment, sourceLocation: sourceLocation)
    }

    @Test("members in key order (bytewise: Thai U+0E00 block before Lao U+0E80), the last of a repeated key, nulls and absent optionals")
    func order() throws {
        #expect(String(decoding: try JSONValueCoder.encodeText(Unordered()), as: UTF8.self)
                == #"{"Beta":null,"alpha":true,"zeta":"last","ไทย":2.5,"ລາວ":1}"#)
        try same(Unordered())
        try same(CoderOuter(name: "ສະບາຍດີ \"q\"\n", count: -3, big: Int64.min, kind: .a,
                            inner: CoderInner(flag: false, ratio: 1e-7, tags: ["", "\u{1}"]), list: [], optional: "o",
                            map: ["b": 2, "a": 1, "": 0]))
        try same(CoderOuter(name: "", count: 0, big: 0, kind: .b, inner: CoderInner(flag: true, ratio: 3, tags: []),
                            list: [CoderInner(flag: true, ratio: -0.5, tags: ["t"])], optional: nil, map: [:]))
    }

    @Test("nested containers, lists, dictionaries, wrappers, top-level leaves and JSON values")
    func shapes() throws {
        #expect(String(decoding: try JSONValueCoder.encodeText(Nested()), as: UTF8.self)
                == #"{"a":{"k1":1,"k2":2},"b":{"x":2,"y":1},"c":{},"list":["p",{"x":[]},{"Beta":null,"alpha":true,"zeta":"last","ไทย":2.5,"ລາວ":1}]}"#)
        try same(Nested())
        try same(JSONValueCoderTests.Wrapped(JSONValueCoderTests.Wrapped([1, 2])))
        try same([[String: [Int]]]([["a": [1, 2]], [:]]))
        try same([1: "one", 2: "two"])
        try same(["k": [JSONValueCoderTests.PathProbe(), JSONValueCoderTests.PathProbe()]])
        try same("top")
        try same(42)
        try same([Double.nan, 1.0, 0.1])
        try same(Optional<Int>.none)
        try same(TwiceAsked())
        try same(Silent())
        try same([Silent()])
        let value: JSONValue = ["z": [1, "two", nil, ["b": true, "a": 1.5]], "a": [:]]
        try same(value)
        try same(["v": value])
        try same(["reasons": ["b", "a"], "none": [String]()])
    }

    @Test("a container taken up again after a sibling, or a super-encoder, gives the same text")
    func fallsBack() throws {
        #expect(String(decoding: try JSONValueCoder.encodeText(Interleaved()), as: UTF8.self) == #"{"one":{"v":1},"two":{"v":2}}"#)
        try same(Interleaved())
        try same([Interleaved(), Interleaved()])
        try same(Derived())
        try same(["d": Derived()])
    }

    @Test("a value with no JSON form throws as encode does")
    func errors() throws {
        #expect(throws: EncodingError.self) { _ = try JSONValueCoder.encodeText(Huge()) }
        #expect(throws: EncodingError.self) { _ = try JSONValueCoder.encodeText(["h": Huge()]) }
    }
}
