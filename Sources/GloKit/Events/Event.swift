public import GloJSON

public typealias EventID = EntityID<Event>

/// An event as the log keeps it (docs/architecture.md, "Plugins"; the README's "Design choices"). `data` carries ids and outcomes, never a
/// person's identifying fields: events are delivered to every subscribed plugin and shown by
/// `glo-host events tail`.
public struct Event: Sendable, Hashable {
    /// Gap-free per store, in commit order.
    public var sequence: Int64
    public var id: EventID
    /// Such as `case.opened` or `decision.made`.
    public var type: String
    public var jurisdiction: JurisdictionID?
    /// What the event is about, such as `case:0190...`.
    public var subject: String
    /// Who caused it: `user:<id>`, `plugin:<id>` or `system`.
    public var actor: String
    public var at: Timestamp
    public var data: JSONValue

    public init(sequence: Int64, id: EventID, type: String, jurisdiction: JurisdictionID?, subject: String,
                actor: String, at: Timestamp, data: JSONValue) {
        self.sequence = sequence
        self.id = id
        self.type = type
        self.jurisdiction = jurisdiction
        self.subject = subject
        self.actor = actor
        self.at = at
        self.data = data
    }

    /// The event as one JSON object (for `events tail` and exports).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "sequence": .int(sequence), "id": .string(id.description), "type": .string(type),
            "subject": .string(subject), "actor": .string(actor), "at": .string(at.description), "data": data,
        ]
        if let jurisdiction { o["jurisdiction"] = .string(jurisdiction.rawValue) }
        return .object(o)
    }
}

/// An event before the store gives it its sequence number.
public struct NewEvent: Sendable, Hashable {
    public var id: EventID
    public var type: String
    public var jurisdiction: JurisdictionID?
    public var subject: String
    public var actor: String
    public var at: Timestamp
    public var data: JSONValue

    public init(id: EventID = EventID(), type: String, jurisdiction: JurisdictionID?, subject: String,
                actor: Agent, at: Timestamp = .now, data: JSONValue = .object([:])) {
        self.id = id
        self.type = type
        self.jurisdiction = jurisdiction
        self.subject = subject
        self.actor = actor.description
        self.at = at
        self.data = data
    }

    public func stored(as sequence: Int64) -> Event {
        Event(sequence: sequence, id: id, type: type, jurisdiction: jurisdiction, subject: subject, actor: actor,
              at: at, data: data)
    }
}

/// Who caused a change: a user, a plugin, or the host itself. (Not named `Actor`: that would hide
/// Swift's own `Actor` in every module that imports GloKit.)
public enum Agent: Sendable, Hashable, CustomStringConvertible {
    case user(UserID)
    case plugin(String)
    case system

    public var description: String {
        switch self {
        case .user(let id): return "user:\(id)"
        case .plugin(let id): return "plugin:\(id)"
        case .system: return "system"
        }
    }
}

/// Which event types a subscriber wants: `*` (all), an exact type (`decision.made`), or a prefix
/// ending in `.*` (`referral.*` matches `referral.accepted`, not `referrals.x`).
public struct EventPattern: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let text: String

    public init(_ text: String) { self.text = text }
    public init(stringLiteral value: String) { self.text = value }

    public func matches(_ type: String) -> Bool {
        if text == "*" { return true }
        if text.hasSuffix(".*") { return type.hasPrefix(text.dropLast()) }
        return type == text
    }

    public var description: String { text }

    /// Why the pattern is unusable, or nil.
    public var problem: String? {
        let body = text.hasSuffix(".*") ? String(text.dropLast(2)) : text
        if text == "*" { return nil }
        let ok = !body.isEmpty && body.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
        return ok ? nil : "'\(text)' is not an event pattern: use '*', a type such as 'decision.made', or a prefix such as 'referral.*'"
    }
}
