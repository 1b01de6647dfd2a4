import GloHTTP
import GloJSON
import GloKit
import HTTPTypes
import Hummingbird

/// The exchange between hosts over HTTP: the inbox another host posts its sealed messages to, and
/// for administrators the identity, peers, queues and refusals (also on the page `/ui/federation`).
///
/// The inbox needs no sign-in: a message is authenticated by its signature, checked against the peer
/// registry before anything else. It answers 200 with the signed receipt; 409 `replayed` for a
/// message stored before (with the first receipt, when it is the same message, so a sender whose
/// answer was lost gets its evidence); other refusals as problem details with their code.
enum FederationAPI {
    static let inboxPath = "/federation/v1/inbox"

    static let routes: [APIRoute] = [
        APIRoute(.post, inboxPath, access: .anyone) { request, context, s in
            var request = request
            let body = try await request.jsonBody()
            switch try await s.host.federation.accept(body, via: context.requestName) {
            case .accepted(let receipt): return .json(receipt.json)
            case .duplicate(let receipt): return .json(Problem.replayed(receipt).json, .conflict)
            case .refused(let refusal):
                if refusal.code == .replayed, let sent = Envelope.parse(body),
                   let first = try await s.host.federation.firstReceipt(of: sent.id), first.digest == sent.digest {
                    throw Problem.replayed(first)
                }
                throw Problem.refusal(refusal)
            }
        },
        APIRoute(.get, "/api/v1/admin/federation") { _, context, s in
            try await s.authorize(context, .administer, nil, subject: "federation")
            let f = s.host.federation
            var o: [String: JSONValue] = [
                "peers": .array(try await f.peers().map(peerJSON)),
                "outbox": .array(try await f.outbox(state: nil).map(outboxJSON)),
                "inbox": .array(try await f.inbox().map(inboxJSON)),
                "refusals": .array(try await f.refusals().map(refusalJSON)),
            ]
            if let identity = f.identity { o["identity"] = try json(identity) }
            return .json(.object(o))
        },
        APIRoute(.post, "/api/v1/admin/federation/outbox/{id}/retry") { _, context, s in
            try await s.authorize(context, .administer, nil, subject: "federation")
            let id: MessageID = try context.id("id")
            try await s.host.federation.retry(id, request: context.requestName)
            return .json(["id": .string(id.description), "state": "pending"], .accepted)
        },
    ]

    static func peerJSON(_ p: FederationPeer) -> JSONValue {
        .object(["host_id": .string(p.hostID), "state": .string(p.state.rawValue), "endpoint": .string(p.identity.endpoint),
                 "jurisdictions": .array(p.identity.jurisdictions.map { .string($0.rawValue) }),
                 "organisation": .string(p.identity.organisation.name), "fingerprint": .string(p.identity.keys.fingerprint)])
    }

    /// A queued message as an operator sees it: never its content (it is sealed to the peer anyway).
    static func outboxJSON(_ m: OutboxMessage) -> JSONValue {
        var o: [String: JSONValue] = ["id": .string(m.id.description), "peer": .string(m.peer), "kind": .string(m.kind.rawValue),
                                      "state": .string(m.state.rawValue), "attempts": .int(Int64(m.attempts)),
                                      "created_at": .string(m.createdAt.description), "expires_at": .string(m.expiresAt.description)]
        if let c = m.caseID { o["case_id"] = .string(c.description) }
        if let e = m.lastError { o["last_error"] = .string(e) }
        if let d = m.deliveredAt { o["delivered_at"] = .string(d.description) }
        if m.state == .pending { o["next_attempt_at"] = .string(m.nextAttemptAt.description) }
        o["receipt"] = m.receipt != nil ? true : false
        return .object(o)
    }

    /// A received message as an operator sees it: its kind and references, never its payload.
    static func inboxJSON(_ m: InboxMessage) -> JSONValue {
        var o: [String: JSONValue] = ["id": .string(m.id.description), "sender": .string(m.sender), "kind": .string(m.kind.rawValue),
                                      "received_at": .string(m.receivedAt.description), "jurisdiction": .string(m.payload.jurisdiction.rawValue)]
        if let c = m.caseID { o["case_id"] = .string(c.description) }
        if let r = m.payload.inReplyTo { o["in_reply_to"] = .string(r.description) }
        return .object(o)
    }

    static func refusalJSON(_ e: AuditEntry) -> JSONValue {
        .object(["at": .string(e.at.description), "subject": .string(e.subject), "request": .string(e.request),
                 "detail": .string(e.detail ?? "")])
    }
}

extension Problem {
    /// An inbox refusal, with its code for the sender's logs.
    static func refusal(_ r: InboxRefusal) -> Problem {
        let status: HTTPResponse.Status = switch r.code {
        case .notSetUp: .notFound
        case .malformed, .unsupported, .unreadable: .badRequest
        case .unknownPeer, .disabledPeer, .badSignature: .forbidden
        case .misaddressed: .misdirectedRequest
        case .expired: .gone
        case .replayed: .conflict
        case .consentNotCovering: .unprocessableContent
        }
        return Problem(status, "federation-\(r.code.rawValue)", "Message refused", r.message, extra: ["code": .string(r.code.rawValue)])
    }

    static func replayed(_ first: Receipt) -> Problem {
        Problem(.conflict, "federation-replayed", "Message received before", "message \(first.messageID) was received already: its receipt is given again",
                extra: ["code": "replayed", "receipt": first.json])
    }
}
