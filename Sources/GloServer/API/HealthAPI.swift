import GloHTTP
import GloJSON
import GloKit
import GloRules
import HTTPTypes

/// What anyone may ask: liveness, readiness (the store answers; which packs serve), the metrics, the
/// API's document, and the API's entry points.
enum HealthAPI {
    static let routes: [APIRoute] = [
        APIRoute(.get, "/healthz", access: .anyone) { _, _, _ in .json(["status": "ok"]) },
        APIRoute(.get, "/readyz", access: .anyone) { _, _, s in try await ready(s) },
        APIRoute(.get, "/metrics", access: .anyone) { _, _, s in
            let lag = try await s.host.bus.lag().mapValues(\.behind)
            let parked = try await s.host.deadLetters(state: .parked).count
            return .text(s.metrics.text(lag: lag, deadLetters: parked), contentType: "text/plain; version=0.0.4")
        },
        APIRoute(.get, "/api/v1/", access: .anyone) { _, _, _ in
            .json(["openapi": "/api/v1/openapi.yaml", "health": "/healthz", "ready": "/readyz", "sign_in": "/login",
                   "cases": "/api/v1/cases", "persons": "/api/v1/persons", "rules": "/api/v1/rules/packs", "ui": "/ui"])
        },
    ]

    static func ready(_ s: APIServices) async throws -> APIResponse {
        do {
            // The database answers (a read), and which kind it is; its address stays out of reach of
            // unauthenticated callers.
            let last = try await s.host.eventLog.lastSequence()
            var body: [String: JSONValue] = ["status": "ready", "store": "ok", "database": .string(s.host.storeKind),
                                             "last_sequence": .int(last), "holder": .string(s.host.bus.holder),
                                             "plugins": .array(s.host.plugins.map { .string($0.id) })]
            // Whether the packs on disk are the ones serving: a refused reload keeps the old ones.
            if let reload = s.host.engine.lastReload {
                body["rules_reload"] = .object(["applied": .bool(reload.applied), "at": .string(Timestamp(reload.at).description),
                                                "problems": .int(Int64(reload.refusals(under: s.host.engine.directory).count))])
            }
            return .json(.object(body))
        } catch {
            throw Problem(.serviceUnavailable, "not-ready", "Not ready", "the store does not answer")
        }
    }
}
