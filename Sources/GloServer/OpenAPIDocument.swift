import Foundation
import GloJSON
import GloRules
import HTTPTypes

/// The OpenAPI 3.1 document of the API, kept in the repository (`Sources/GloServer/openapi.yaml`)
/// and served at `/api/v1/openapi.yaml`. A test checks that it and the routes agree.
///
/// The schemas of facts (`Facts`, `FactValues`) are not written in it: they are made from the fact
/// vocabulary in force when the document is served, so the API's document and its checks are one.
public enum OpenAPIDocument {
    public static func text(vocabulary: Vocabulary) throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw Problem(.internalServerError, "internal", "Internal error", "the OpenAPI document is missing from this build")
        }
        var text = try String(contentsOf: url, encoding: .utf8)
        for (name, nullable) in [("Facts", true), ("FactValues", false)] {
            let marker = "    \(name): { x-generated: vocabulary }"
            guard text.contains(marker) else {
                throw Problem(.internalServerError, "internal", "Internal error", "the OpenAPI document has no place for \(name)")
            }
            // JSON is YAML: the schema goes in as one flow line.
            text = text.replacingOccurrences(of: marker, with: "    \(name): " + JSONWriter.string(vocabulary.jsonSchema(nullable: nullable), sortKeys: true))
        }
        return text
    }
}
