public import GloJSON

/// A kind of event, declared once by whoever emits it (GloKit for the core's, a plugin for its own):
/// its type, what it announces, and the members of its data. `glo-host plugins list` shows each
/// plugin's; the events carry ids only, never a person's data.
public struct EventType: Sendable, Hashable, CustomStringConvertible {
    public let type: String
    public let summary: String
    /// The members of its `data`.
    public let data: [String]

    public init(_ type: String, _ summary: String, data: [String] = []) {
        self.type = type
        self.summary = summary
        self.data = data
    }

    public var description: String { type }
}

/// The events the core emits.
public enum CoreEvents {
    public static let personRegistered = EventType("person.registered", "a person was registered", data: ["person_id"])
    public static let caseOpened = EventType("case.opened", "a case was opened", data: ["case_id", "person_id", "from_packet"])
    public static let screeningRecorded = EventType("screening.recorded", "a screening was recorded", data: ["case_id", "screening_id"])
    public static let factsUpdated = EventType("facts.updated", "facts of a case were recorded (the keys, never the values)",
                                               data: ["case_id", "keys"])
    public static let decisionMade = EventType("decision.made", "a rule pack decided", data: [
        "decision_id", "decision", "outcome", "pack", "version", "hash", "case_id", "undeclared_outcome",
    ])
    public static let caseFlagged = EventType("case.flagged", "a flag that needs attention was raised", data: ["flag_id", "code", "subject", "case_id"])
    public static let flagResolved = EventType("case.flag_resolved", "a flag was resolved", data: ["flag_id", "code"])
    public static let userAdded = EventType("user.added", "a user was added", data: ["user_id"])
    public static let userDisabled = EventType("user.disabled", "a user was disabled", data: ["user_id"])
    public static let tokenIssued = EventType("user.token_issued", "a user was given a token", data: ["user_id"])
    public static let personErased = EventType("person.erased", "a person's data key was destroyed: their data can no longer be read",
                                               data: ["person_id", "reason"])

    public static let all = [personRegistered, caseOpened, screeningRecorded, factsUpdated, decisionMade, caseFlagged, flagResolved,
                             userAdded, userDisabled, tokenIssued, personErased]
}

extension ChangeBuilder {
    /// Announces `type` in this change.
    public mutating func emit(_ type: EventType, jurisdiction: JurisdictionID?, subject: String, actor: Agent, data: JSONValue) {
        emit(type.type, jurisdiction: jurisdiction, subject: subject, actor: actor, data: data)
    }
}

extension EventPattern {
    /// The pattern of exactly this event type.
    public init(_ type: EventType) { self.init(type.type) }
}
