import GloHTTP
import GloJSON
import GloKit
import Hummingbird

/// For auditors: the audit log, oldest first, paged by cursor. No route changes it.
enum AuditAPI {
    static let routes: [APIRoute] = [
        APIRoute(.get, "/api/v1/audit") { request, context, s in
            try await s.authorize(context, .audit, nil, subject: "audit")
            let user = request.query("user").flatMap { UserID($0) }
            let action = request.query("action").flatMap(AuditEntry.Action.init(rawValue:))
            let limit = min(5_000, max(1, Int(request.query("limit") ?? "500") ?? 500))
            // One more than asked, to tell whether there is a next page.
            let entries = try await s.audit.entries(subject: request.query("subject"), user: user, action: action,
                                                    after: request.query("cursor"), limit: limit + 1)
            let page = entries.prefix(limit)
            var body: [String: JSONValue] = ["items": .array(try page.map { try json($0) })]
            if entries.count > limit, let last = page.last { body["next_cursor"] = .string(last.id.description) }
            return .json(.object(body))
        },
    ]
}
