import GloJSON
public import GloKit

/// What immigration tells the other side of the border when that side runs its own host: the official
/// notice of a deportation goes to the country of origin (the alternative to a push back), and people
/// found pushed back are reported to the side that pushed them, for it to follow up. Neither carries
/// personal data: dates, places, counts, the authority notified and the case ids.
extension Immigration {
    public static let pushBackReported = EventType("immigration.push_back_reported",
                                                   "another host reported people pushed back from this side", data: ["push_back_id", "from", "to", "on", "people"])

    /// The notice of a deportation, for the host that serves its destination.
    static func notice(_ d: Deportation) -> JSONValue {
        var o: [String: JSONValue] = ["deportation_id": .string(d.id), "from": .string(d.from.rawValue), "to": .string(d.to.rawValue),
                                      "on": .string(d.on.description), "authority": .string(d.notification.authority),
                                      "notified_on": .string(d.notification.on.description), "people": .int(1)]
        if let reference = d.notification.reference { o["reference"] = .string(reference) }
        if let custody = d.custody { o["custody"] = .string(custody) }
        return .object(o)
    }

    static func report(_ p: PushBack) -> JSONValue {
        var o: [String: JSONValue] = ["push_back_id": .string(p.id), "from": .string(p.from.rawValue), "to": .string(p.to.rawValue),
                                      "on": .string(p.on.description), "people": .int(Int64(p.people))]
        if let place = p.place { o["place"] = .string(place) }
        return .object(o)
    }

    /// A notice or a report from another host: a deportation notice is flagged for reception
    /// screening where the person arrives; a push-back report is recorded as a push back from this
    /// side and flagged for follow-up. Once each, however often it is delivered.
    func handle(_ event: Event) async throws {
        guard let id = event.data["message_id"]?.stringValue.flatMap(MessageID.init),
              let message = try await federation.received(id)?.value else { return }
        let body = message.payload.body
        guard let from = body["from"]?.stringValue.map({ JurisdictionID($0) }), let to = body["to"]?.stringValue.map({ JurisdictionID($0) }),
              let on = body["on"]?.stringValue.flatMap(CalendarDate.init) else { return }
        let people = Int(body["people"]?.intValue ?? 1)
        switch message.kind {
        case .deportationNotice:
            try await cases.raise(CaseFlag(
                caseID: nil, jurisdiction: to, code: "deportation_notified", subject: id.description,
                message: "\(people) person(s) to be deported from \(from) on \(on), notified by \(body["authority"]?.stringValue ?? "?") (host \(message.sender)): screen for trafficking at reception",
                raisedBy: .plugin("immigration")))
        case .pushBackReport:
            guard let peer = try await federation.peer(message.sender)?.value else { return }
            var pushBack = PushBack(from: from, to: to, on: on, place: body["place"]?.stringValue, people: max(1, people),
                                    reportedBy: peer.identity.organisation.id)
            // Keyed by the message, so a redelivery finds it recorded.
            pushBack.id = id.description
            guard try await records.get(PushBack.self, pushBack.id) == nil else { return }
            let recorded = pushBack
            try await records.commit { change in
                try change.insert(recorded)
                change.emit(Self.pushBackReported, jurisdiction: from, subject: "push_back:\(recorded.id)", actor: .plugin("immigration"),
                            data: Self.report(recorded))
            }
            try await cases.raise(CaseFlag(
                caseID: nil, jurisdiction: from, code: "push_back_reported", subject: recorded.id,
                message: "\(recorded.people) person(s) pushed back from \(from) to \(to) on \(on) without official notice, reported by host \(message.sender): follow up",
                raisedBy: .plugin("immigration")))
        default: return
        }
    }
}
