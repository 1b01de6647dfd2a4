/// Text put into the HTML the commands write. Everything that comes from a pack, the vocabulary or the
/// declared decisions is untrusted (a country team's text, or anyone's who can edit a pack), so it
/// goes through `escape` and nowhere else; markup is only ever the command's own.
enum HTMLText {
    /// Safe in element content and in a double- or single-quoted attribute value.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A name made safe for a file name and a fragment id: letters, digits, `.`, `_` and `-` kept, every
    /// other character replaced by `_`.
    static func slug(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "_" })
    }
}
