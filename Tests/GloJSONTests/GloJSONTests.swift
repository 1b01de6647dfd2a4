import GloJSON
import Testing

@Suite("JSON text on the Swift side")
struct GloJSONTests {
    @Test(arguments: [
        #"{"a":[1,2.5,"x",true,null,{}],"b":{"c":[]}}"#,
        #""ພາສາລາວ ภาษาไทย 🧭 \"q\" \\ \n""#,
        "9223372036854775807", "-9223372036854775808", "0.1", "1.0", "1e+300",
    ])
    func writesBackWhatItRead(_ text: String) throws {
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.string(value)) == value)
    }

    @Test func integersAndFloatsStayApart() throws {
        #expect(try JSONParser.parse("18") == .int(18))
        #expect(try JSONParser.parse("18.0") == .double(18))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(JSONWriter.string(.double(18)) == "18.0")
    }

    @Test func surrogatePairsAndLoneSurrogates() throws {
        #expect(try JSONParser.parse(#""\ud83e\udded""#) == "🧭")
        #expect(try JSONParser.parse(#""\ud83e x""#) == "\u{FFFD} x")
    }

    @Test func keysAreSortedSoTheTextIsStable() {
        #expect(JSONWriter.string(["b": 1, "a": ["z": 1, "y": 2]]) == #"{"a":{"y":2,"z":1},"b":1}"#)
        // By UTF-8 bytes: capitals before small letters, a prefix first, and "é" written decomposed
        // (e + U+0301) before "z", where Swift's `<` on strings (which normalises) puts it after.
        let keys = ["ab", "a", "B", "e\u{301}", "ສ", "z"]
        let written = JSONWriter.string(.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.int(1)) })))
        #expect(written == "{\"B\":1,\"a\":1,\"ab\":1,\"e\u{301}\":1,\"z\":1,\"ສ\":1}")
    }

    @Test(arguments: [
        ("{\"a\": }", 6), ("[1, 2", 5), ("01", 1), ("\"x", 2), ("tru", 0), ("{} x", 3), ("\"\u{01}\"", 1), ("[1,]", 3),
    ])
    func malformedTextNamesTheByte(_ text: String, _ offset: Int) {
        #expect(throws: JSONError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        #expect(throws: JSONError.self) { try JSONParser.parse(String(repeating: "[", count: 100_000)) }
    }
}
