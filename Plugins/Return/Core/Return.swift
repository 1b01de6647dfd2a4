public import GloBase
public import GloJSON
public import GloKit
/// The outcomes of `return.route`. A push back is never a route: it is recorded and flagged elsewhere.
public enum ReturnRoute: String, Sendable, Hashable, Codable, CaseIterable {
    case repatriationAsVictim = "repatriation_as_victim"
    case voluntaryReturn = "voluntary_return"
    case deportation
    /// No return yet: identification, reflection, a best-interests determination, a guardian or a
    /// safety plan pending (the result's `hold_reasons`).
    case hold
    /// The person stays, by their own wish or on a stated legal basis.
    case stay
}

/// One step of the return procedure (SOP), as `return.steps` gives it.
public struct ReturnStep: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case pending, done
    }

    /// The pack's step id, such as `handover_at_border`.
    public var id: String
    public var label: String
    /// Who carries it out, as the pack names it (`MSDHS`, `Immigration Bureau`...).
    public var actor: String
    public var basis: [String]
    public var status: Status
    public var doneOn: CalendarDate?
    /// What the case's facts must hold before the step can be marked done, as the pack states it
    /// (`{"guardian_appointed": [true]}`: each fact one of its values); nil for a step with no such rule.
    public var doneWhen: [String: [JSONValue]]?

    public init(id: String, label: String, actor: String, basis: [String] = [], status: Status = .pending,
                doneOn: CalendarDate? = nil, doneWhen: [String: [JSONValue]]? = nil) {
        self.id = id
        self.label = label
        self.actor = actor
        self.basis = basis
        self.status = status
        self.doneOn = doneOn
        self.doneWhen = doneWhen
    }

    enum CodingKeys: String, CodingKey {
        case id, label, actor, basis, status
        case doneOn = "done_on"
        case doneWhen = "done_when"
    }
}

/// A person's return from the jurisdiction handling the case to another: the route, the steps of the
/// procedure and the handover packet (a minimal packet crosses the border, not the narrative).
///
/// `from` is where the return leaves from (the facts' `country`), `to` where the person goes (the
/// facts' `origin`), as in the `return.steps` result.
public struct Return: Sendable, Hashable, Codable, Validatable {
    public var id: ReturnID
    public var caseID: CaseID
    public var from: JurisdictionID
    public var to: JurisdictionID
    public var route: ReturnRoute
    public var steps: [ReturnStep]
    /// Where the handover packet is kept (a document reference); absent until it is prepared.
    public var handoverPacket: String?
    /// What the receiving host answered about a packet sent across the border, in order.
    public var answers: [ReturnAnswer]?

    public init(id: ReturnID = ReturnID(), caseID: CaseID, from: JurisdictionID, to: JurisdictionID, route: ReturnRoute,
                steps: [ReturnStep] = [], handoverPacket: String? = nil) {
        self.id = id
        self.caseID = caseID
        self.from = from
        self.to = to
        self.route = route
        self.steps = steps
        self.handoverPacket = handoverPacket
    }

    enum CodingKeys: String, CodingKey {
        case id, from, to, route, steps
        case caseID = "case_id"
        case handoverPacket = "handover_packet"
        case answers
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("return")
        c.jurisdiction(from, "from")
        c.jurisdiction(to, "to")
        if from == to, from.isWellFormed { c.fail("to", "must be another jurisdiction than the one the return leaves from") }
        if from == .international { c.fail("from", "must be a country, not intl") }
        if to == .international { c.fail("to", "must be a country, not intl") }
        c.optionalText(handoverPacket, "handover_packet")
        var seen = Set<String>()
        for (i, step) in steps.enumerated() {
            let p = "steps[\(i)]"
            c.text(step.id, "\(p).id")
            if !seen.insert(step.id).inserted { c.fail("\(p).id", "must not repeat another step's id") }
            c.text(step.label, "\(p).label")
            c.text(step.actor, "\(p).actor")
            switch step.status {
            case .done where step.doneOn == nil: c.fail("\(p).done_on", "is required when the step is done")
            case .pending where step.doneOn != nil: c.fail("\(p).done_on", "must be left out while the step is pending")
            default: break
            }
            c.notBefore1900(step.doneOn, "\(p).done_on")
        }
        return c.errors
    }
}

public typealias ReturnID = EntityID<Return>

/// The receiving host's answer to a handover sent across the border: it accepted the handover (and
/// opened its case), received the person on a date, or refused, with why.
public struct ReturnAnswer: Sendable, Hashable, Codable {
    public var kind: FederationMessage.Kind
    public var at: Timestamp
    /// The day the person was received, for `received`.
    public var on: CalendarDate?
    public var reason: String?
    public var message: MessageID

    public init(kind: FederationMessage.Kind, at: Timestamp, on: CalendarDate? = nil, reason: String? = nil, message: MessageID) {
        self.kind = kind
        self.at = at
        self.on = on
        self.reason = reason
        self.message = message
    }
}

extension Return: StoredEntity {
    public static let collection = RecordCollection("return")
    public var recordID: String { id.description }
    public var indexKeys: [IndexKey] { [.caseID(caseID)] }
}
