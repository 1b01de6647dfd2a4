import GloHTTP
import GloJSON
import GloKit
import Hummingbird

/// For administrators: the plugins enabled (with the events they emit and handle), and the dead
/// letters with a retry.
enum AdminAPI {
    static let routes: [APIRoute] = [
        APIRoute(.get, "/api/v1/admin/plugins") { _, context, s in
            try await s.authorize(context, .administer, nil, subject: "plugins")
            return .json(["items": .array(s.host.plugins.map(pluginJSON))])
        },
        APIRoute(.get, "/api/v1/admin/dead-letters") { request, context, s in
            try await s.authorize(context, .administer, nil, subject: "dead-letters")
            let state = request.query("state").flatMap(DeadLetter.State.init(rawValue:))
            return .json(["items": .array(try await s.host.deadLetters(state: state).map { l in
                .object(["id": .string(l.id), "subscriber": .string(l.subscriber), "sequence": .int(l.sequence),
                         "type": .string(l.eventType), "error": .string(l.error), "attempts": .int(Int64(l.attempts)),
                         "parked_at": .string(l.parkedAt.description), "state": .string(l.state.rawValue)])
            })])
        },
        APIRoute(.post, "/api/v1/admin/dead-letters/{id}/retry") { _, context, s in
            try await s.authorize(context, .administer, nil, subject: "dead-letters")
            guard let id = context.parameters.get("id"), try await s.host.retry(deadLetter: id) else {
                throw GloKitError.notFound("dead letter", context.parameters.get("id") ?? "")
            }
            return .json(["id": .string(id), "state": "retry_requested"], .accepted)
        },
    ]

    /// A plugin as `glo-host plugins list --json` and the admin API show it.
    static func pluginJSON(_ p: any Plugin) -> JSONValue {
        .object(["id": .string(p.id), "version": .string(p.version), "description": .string(p.summary),
                 "handles": .array(p.handles.map { .string($0.text) }),
                 "emits": .array(p.emits.map { .string($0.type) }),
                 "decisions_needed": .array(p.decisionsNeeded.map(JSONValue.string)),
                 "dependencies": .array(p.dependencies.map(JSONValue.string))])
    }
}
