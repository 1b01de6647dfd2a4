import Foundation
import GloHTTP
import GloJSON
import GloRules
import HTTPTypes

/// The OpenAPI 3.1 document of the API served at `/api/v1/openapi.yaml`: the core's
/// (`Resources/openapi.yaml`) with the paths of each enabled plugin (its `Resources/openapi.yaml`)
/// added under `paths:`, the last key of the core's document, and their `schemas:` under
/// `components.schemas`. A test checks that it and the routes
/// agree both ways, with any set of plugins.
///
/// The schemas of facts (`Facts`, `FactValues`) are not written in it: they are made from the fact
/// vocabulary in force when the document is served, so the API's document and its checks are one.
enum OpenAPIDocument {
    static func assemble(plugins: [String], vocabulary: Vocabulary) throws -> String {
        var text = CoreResources.loaded.openAPIPaths
        guard text.hasSuffix("\n"), text.components(separatedBy: "\npaths:\n").count == 2 else {
            throw Problem(.internalServerError, "internal", "Internal error", "the core's OpenAPI document must end with its paths")
        }
        var schemas = ""
        for fragment in plugins {
            text += section("paths", of: fragment)
            schemas += section("schemas", of: fragment).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
                + (section("schemas", of: fragment).isEmpty ? "" : "\n")
        }
        // A plugin's schemas go under components.schemas, beside the core's.
        text = text.replacingOccurrences(of: "\n  schemas:\n", with: "\n  schemas:\n" + schemas)
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

    /// The indented lines under a fragment's top-level `key:` (`paths:`, `schemas:`).
    static func section(_ key: String, of fragment: String) -> String {
        var lines: [Substring] = []
        var inside = false
        for line in fragment.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(key + ":") { inside = true; continue }
            if inside, line.hasPrefix(" ") { lines.append(line) } else if inside, !line.isEmpty, !line.hasPrefix("#") { inside = false }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}

/// The core's templates, labels and OpenAPI document (`Sources/GloServer/Resources`).
enum CoreResources {
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))
}
