import Foundation
import HTTPTypes

/// The OpenAPI 3.1 document of the API, kept in the repository (`Sources/GloServer/openapi.yaml`)
/// and served at `/api/v1/openapi.yaml`. A test checks that it and the routes agree.
public enum OpenAPIDocument {
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw Problem(.internalServerError, "internal", "Internal error", "the OpenAPI document is missing from this build")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
