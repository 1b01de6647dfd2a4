import GloJSON

/// What `rules diff` reads of an input line itself (the rules read the rest).
enum FactsLine {
    /// The line's top-level `case_ref`, when it is a string. Every changed line written as csv or jsonl
    /// needs it: the line's keys are scanned and their values skipped, since parsing the whole line
    /// again for one member made a 100,000-line jsonl diff about a tenth slower.
    static func caseRef(in line: UnsafeRawBufferPointer) -> String? {
        let key = "\"case_ref\"".utf8
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        /// The index of the quote that ends the string opened at `start`.
        func endOfString(from start: Int) -> Int {
            var i = start + 1
            while i < line.count && line[i] != quote { i += line[i] == backslash ? 2 : 1 }
            return i
        }
        func skipSpace(_ i: inout Int) {
            while i < line.count, [0x20, 0x09, 0x0A, 0x0D].contains(line[i]) { i += 1 }
        }
        var depth = 0
        var atKey = false
        var i = 0
        while i < line.count {
            switch line[i] {
            case quote:
                let end = endOfString(from: i)
                if depth == 1 && atKey && end - i + 1 == key.count && line[i...end].elementsEqual(key) {
                    var value = end + 1
                    skipSpace(&value)
                    guard value < line.count, line[value] == UInt8(ascii: ":") else { return nil }
                    value += 1
                    skipSpace(&value)
                    guard value < line.count, line[value] == quote else { return nil }
                    let valueEnd = endOfString(from: value)
                    guard valueEnd < line.count else { return nil }
                    // The string alone goes through the parser, for its escapes.
                    let token = UnsafeRawBufferPointer(rebasing: line[value...valueEnd])
                    return (try? JSONParser.parse(token.assumingMemoryBound(to: UInt8.self)))?.stringValue
                }
                atKey = false
                i = end
            case UInt8(ascii: "{"):
                depth += 1
                atKey = depth == 1
            case UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                atKey = depth == 1
            default:
                break
            }
            i += 1
        }
        return nil
    }
}
