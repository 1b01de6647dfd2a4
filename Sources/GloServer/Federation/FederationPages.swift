import GloHTTP
import GloKit

/// For administrators: this host's identity, its peers, the outbox and inbox, and the refusals of the
/// inbox (each an audit entry). No message content is shown: the queues show kinds, hosts and states.
extension CorePages {
    struct FederationView: Sendable {
        struct Table: Sendable {
            var title: String
            var columns: [String]
            var rows: [[String]]
            var empty: Bool
        }
        var identity: String
        var tables: [Table]
    }

    func federationPage(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> Page {
        try await s.authorize(context, .administer, nil, subject: "federation")
        let f = s.host.federation
        let identity = f.identity.map { "\($0.hostID) · \($0.jurisdictions.map(\.rawValue).joined(separator: ", ")) · \($0.organisation.name) · \($0.inboxURL) · \($0.keys.fingerprint)" }
            ?? page.label("federation_not_set_up")
        func table(_ title: String, _ columns: [String], _ rows: [[String]]) -> FederationView.Table {
            .init(title: page.label(title), columns: columns.map { page.label("column." + $0) }, rows: rows, empty: rows.isEmpty)
        }
        let peers = try await f.peers().map { [$0.hostID, $0.state.rawValue, $0.identity.jurisdictions.map(\.rawValue).joined(separator: ", "),
                                               $0.identity.organisation.name, $0.identity.endpoint, $0.identity.keys.fingerprint] }
        let outbox = try await f.outbox(state: nil).reversed().map { m in
            [m.id.description, m.peer, m.kind.rawValue, m.caseID?.description ?? "—", m.state.rawValue, "\(m.attempts)",
             m.deliveredAt?.description ?? "—", m.lastError ?? ""]
        }
        let inbox = try await f.inbox().reversed().map { m in
            [m.id.description, m.sender, m.kind.rawValue, m.caseID?.description ?? "—", m.receivedAt.description]
        }
        let refusals = try await f.refusals().reversed().map { [$0.at.description, $0.subject, $0.detail ?? ""] }
        return Page("federation", title: "federation", model: FederationView(identity: identity, tables: [
            table("peers", ["host", "state", "jurisdictions", "organisation", "endpoint", "fingerprint"], peers),
            table("outbox", ["id", "peer", "kind", "case", "state", "attempts", "delivered", "error"], Array(outbox)),
            table("inbox", ["id", "peer", "kind", "case", "received"], Array(inbox)),
            table("refusals", ["time", "subject", "error"], Array(refusals)),
        ]))
    }

    /// The messages sent and received about a case, for its page: kind, host, state, receipt.
    func exchange(of caseID: CaseID, _ s: APIServices, _ page: PageRequest) async throws -> [CaseView.Message] {
        let (sent, received) = try await s.host.federation.exchange(of: caseID)
        let out = sent.map { m in
            CaseView.Message(direction: page.label("sent"), kind: page.label("message." + m.kind.rawValue), peer: m.peer,
                             state: page.label("message_state." + m.state.rawValue), at: (m.deliveredAt ?? m.createdAt).description,
                             receipt: m.receipt != nil ? page.label("yes") : "—")
        }
        let inbound = received.map { m in
            CaseView.Message(direction: page.label("received"), kind: page.label("message." + m.kind.rawValue), peer: m.sender,
                             state: page.label("message_state.received"), at: m.receivedAt.description, receipt: page.label("yes"))
        }
        return (out + inbound).sorted { $0.at < $1.at }
    }
}
