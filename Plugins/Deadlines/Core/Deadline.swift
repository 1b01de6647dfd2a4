public import GloBase
public import GloKit

/// One deadline of a case as its jurisdiction's pack gives it (`deadlines.due`): what must be done, or
/// what protected period ends, by when, counted from which date, on what legal basis, and what happens
/// when it is missed. The law is the pack's: this holds only what the pack said, kept one per case and
/// pack deadline id, current while the pack still gives it on the case's facts.
public struct Deadline: Sendable, Hashable, Codable, Validatable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Something must be done by the due date.
        case actBy = "act_by"
        /// A protected period ends on the due date; nothing is missed then.
        case periodEnds = "period_ends"
    }

    /// Where a deadline stands on a given day.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// The pack cannot date it yet: `needs` says which dated facts to record.
        case undated
        /// Due later than the near window.
        case upcoming
        /// Due today or within `Deadline.nearDays` days.
        case near
        /// An `act_by` deadline whose day has passed.
        case missed
        /// A `period_ends` deadline whose period is over.
        case ended
    }

    /// How many days ahead a deadline counts as near.
    public static let nearDays = 3

    public var caseID: CaseID
    public var jurisdiction: JurisdictionID
    /// The pack's id for it, such as `mdt_interview`.
    public var key: String
    public var label: String
    public var kind: Kind
    /// The date it is counted from; absent while undated.
    public var from: CalendarDate?
    /// Absent while the pack cannot date it.
    public var due: CalendarDate?
    /// The dated facts to record so that the pack can date it.
    public var needs: [String]
    public var basis: [String]
    public var whenMissed: String
    /// The decision that gave it as it stands.
    public var decision: DecisionID
    /// The pack gives it on the case's facts now; false once it no longer applies (done, the facts
    /// changed, the case closed). Kept, not deleted: what was due stays on record.
    public var current: Bool
    /// The states the sweep flagged for this due date (`near`, `missed`), each once.
    public var flagged: [State]

    public init(caseID: CaseID, jurisdiction: JurisdictionID, key: String, label: String, kind: Kind, from: CalendarDate? = nil,
                due: CalendarDate? = nil, needs: [String] = [], basis: [String], whenMissed: String, decision: DecisionID,
                current: Bool = true, flagged: [State] = []) {
        self.caseID = caseID
        self.jurisdiction = jurisdiction
        self.key = key
        self.label = label
        self.kind = kind
        self.from = from
        self.due = due
        self.needs = needs
        self.basis = basis
        self.whenMissed = whenMissed
        self.decision = decision
        self.current = current
        self.flagged = flagged
    }

    /// One record per case and pack deadline id (ids and codes only, no personal data).
    public static func recordID(_ caseID: CaseID, _ key: String) -> String { "\(caseID)|\(key)" }

    /// Where it stands on `today`.
    public func state(on today: CalendarDate) -> State {
        guard let due else { return .undated }
        if due < today { return kind == .actBy ? .missed : .ended }
        return due <= today.adding(days: Self.nearDays) ? .near : .upcoming
    }

    /// Days from `today` to the due date, negative once past; nil while undated.
    public func daysLeft(on today: CalendarDate) -> Int? { due.map { $0.daysSince1970 - today.daysSince1970 } }

    /// The same deadline as the pack gives it, flags and currency aside.
    func sameTerms(as other: Deadline) -> Bool {
        key == other.key && label == other.label && kind == other.kind && from == other.from && due == other.due
            && needs == other.needs && basis == other.basis && whenMissed == other.whenMissed
    }

    enum CodingKeys: String, CodingKey {
        case jurisdiction, key, label, kind, from, due, needs, basis, decision, current, flagged
        case caseID = "case_id"
        case whenMissed = "when_missed"
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("deadline")
        c.jurisdiction(jurisdiction, "jurisdiction")
        c.text(key, "key")
        c.text(label, "label")
        c.text(whenMissed, "when_missed")
        c.order(from, "from", due, "due")
        if due == nil && needs.isEmpty { c.fail("needs", "is required while the deadline has no due date: name the dated facts it needs") }
        return c.errors
    }
}

extension Deadline: StoredEntity {
    public static let collection = RecordCollection("deadline")
    public var recordID: String { Self.recordID(caseID, key) }
    public var indexKeys: [IndexKey] { [.caseID(caseID), .jurisdiction(jurisdiction)] }
}
