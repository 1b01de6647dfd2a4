public import GloJSON

/// A result's reasons in a reader's language. A rule may give a reason in several languages
/// (`{ en = "...", lo = "..." }`, the languages its pack declares in pack.yaml); the host keeps the
/// English texts in `reasons`, which every tool compares, and the others in `reasons_by_language`,
/// aligned with them. A reason with no text in the reader's language is shown in English, and says so.
public enum ReasonLanguages {
    public struct Reason: Sendable, Equatable {
        public var text: String
        /// The language of `text`: the reader's, or "en" when it fell back to English.
        public var language: String
        public var isFallback: Bool
    }

    /// The reasons of `result` in `language`, each in English where it has no text in that language.
    public static func reasons(of result: JSONValue, in language: String) -> [Reason] {
        let english = result["reasons"]?.stringArray ?? []
        let translated = language == "en" ? nil : result["reasons_by_language"]?[language]?.stringArray
        return english.enumerated().map { index, text in
            if let translated, index < translated.count, !translated[index].isEmpty {
                return Reason(text: translated[index], language: language, isFallback: false)
            }
            return Reason(text: text, language: "en", isFallback: language != "en")
        }
    }

    /// The languages `result` gives reasons in beside English.
    public static func languages(of result: JSONValue) -> [String] {
        guard case .object(let members)? = result["reasons_by_language"] else { return [] }
        return members.keys.sorted()
    }
}
