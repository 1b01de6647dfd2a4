public import GloBase
import GloJSON
public import GloKit
import Logging

/// The deadlines workflow: asks the pack for a case's deadlines, keeps them, lists them, and flags the
/// near and missed ones.
public struct Deadlines: Sendable {
    public static let decision = "deadlines.due"
    public static let changed = EventType("deadlines.changed", "the deadlines of a case changed with its facts or status",
                                          data: ["case_id", "decision_id", "current"])
    public static let near = EventType("deadline.near", "a deadline of a case is due within days (flagged once)",
                                       data: ["case_id", "deadline", "due"])
    public static let missed = EventType("deadline.missed", "a deadline of a case has passed undone (flagged once)",
                                         data: ["case_id", "deadline", "due"])
    /// The codes of the flags raised on a case, by the state that raises them.
    static let flagCodes: [Deadline.State: String] = [.near: "deadline_near", .missed: "deadline_missed"]

    let records: Records
    let decisions: DecisionService
    let cases: CaseService
    let actor: Agent
    let logger: Logger

    public init(_ context: PluginContext) {
        records = context.records
        decisions = context.decisions
        cases = context.cases
        actor = context.actor
        logger = context.logger
    }

    // MARK: Keeping them current

    /// Asks the pack for the case's deadlines on its facts now and stores what changed, with the decision
    /// that gave them and `deadlines.changed`, in one commit; nothing when nothing changed, so an event
    /// delivered again changes nothing. Deadlines the pack no longer gives (or all, once the case is
    /// closed) stop being current, and their open flags are resolved, as are those of a deadline whose
    /// day moved. Returns the case's current deadlines; none for an unknown case.
    @discardableResult
    public func refresh(_ caseID: CaseID) async throws -> [Deadline] {
        try await records.retryingConflicts { try await refreshOnce(caseID) }
    }

    private func refreshOnce(_ caseID: CaseID) async throws -> [Deadline] {
        guard let theCase = try await records.get(Case.self, caseID.description)?.value else { return [] }
        let stored = try await records.list(Deadline.self, key: .caseID(caseID))
        var decision: DecisionRecord?
        var given: [Deadline] = []
        if theCase.status != .closed && theCase.status != .closedReferred {
            let decided = try decisions.evaluate(Self.decision, for: theCase, facts: try await cases.facts(for: caseID))
            given = deadlines(in: decided, of: theCase)
            decision = decided
        }
        let plan = Plan(stored: stored, given: given)
        guard !plan.isEmpty else { return plan.current }
        try await records.commit { change in
            if let decision { try change.record(decision, actor: actor) }
            for deadline in plan.inserts { try change.insert(deadline) }
            for (deadline, version) in plan.updates { try change.update(deadline, from: version) }
            var data: [String: JSONValue] = ["case_id": .string(caseID.description),
                                             "current": .array(plan.current.map { .string($0.key) })]
            if let decision { data["decision_id"] = .string(decision.id.description) }
            change.emit(Self.changed, jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor, data: .object(data))
        }
        try await resolveFlags(of: caseID, for: plan.unflag)
        return plan.current
    }

    /// The deadlines a `deadlines.due` decision gives, dated and undated. An entry the plugin cannot read
    /// is left out with an error in the log (the pack's tests should have caught it).
    func deadlines(in decision: DecisionRecord, of theCase: Case) -> [Deadline] {
        let entries = (decision.result["deadlines"]?.arrayValue ?? []) + (decision.result["undated"]?.arrayValue ?? [])
        return entries.compactMap { entry in
            do {
                let given = try JSONValueCoder.decode(GivenDeadline.self, from: entry)
                return try Deadline(caseID: theCase.id, jurisdiction: theCase.jurisdiction, key: given.id, label: given.label,
                                    kind: given.kind, from: given.from, due: given.due, needs: given.needs ?? [], basis: given.basis,
                                    whenMissed: given.whenMissed, decision: decision.id).validated()
            } catch {
                logger.error("a deadline of deadlines.due cannot be read", metadata: [
                    "pack": .string(decision.packID), "version": .string(decision.packVersion), "case_id": .string(theCase.id.description),
                    "deadline": .string(entry["id"]?.stringValue ?? "?"), "error": .string("\(error)"),
                ])
                return nil
            }
        }
    }

    /// A deadline as the pack writes it in its result.
    struct GivenDeadline: Decodable {
        var id, label: String
        var kind: Deadline.Kind
        var from, due: CalendarDate?
        var needs: [String]?
        var basis: [String]
        var whenMissed: String
        enum CodingKeys: String, CodingKey {
            case id, label, kind, from, due, needs, basis
            case whenMissed = "when_missed"
        }
    }

    /// What a refresh writes: the deadlines new to the case, those changed (or no longer current), and the
    /// pack ids whose flags no longer hold.
    struct Plan {
        var inserts: [Deadline] = []
        var updates: [(Deadline, Int64)] = []
        var unflag: Set<String> = []
        var current: [Deadline] = []

        init(stored: [Versioned<Deadline>], given: [Deadline]) {
            var byKey = Dictionary(stored.map { ($0.value.key, $0) }, uniquingKeysWith: { a, _ in a })
            for var deadline in given {
                if let found = byKey.removeValue(forKey: deadline.key) {
                    let old = found.value
                    // Flags stay with their day: a deadline whose day moved may be flagged again.
                    if old.due == deadline.due { deadline.flagged = old.flagged } else { unflag.insert(deadline.key) }
                    if !(old.current && old.sameTerms(as: deadline)) { updates.append((deadline, found.version)) } else { deadline = old }
                } else {
                    inserts.append(deadline)
                }
                current.append(deadline)
            }
            for (key, found) in byKey where found.value.current {
                var gone = found.value
                gone.current = false
                updates.append((gone, found.version))
                unflag.insert(key)
            }
            current.sort(by: Deadline.byDay)
        }

        var isEmpty: Bool { inserts.isEmpty && updates.isEmpty }
    }

    /// Resolves the open near and missed flags of `keys` on the case.
    private func resolveFlags(of caseID: CaseID, for keys: Set<String>) async throws {
        guard !keys.isEmpty else { return }
        let codes = Set(Self.flagCodes.values)
        for flag in try await cases.flags(of: caseID) where codes.contains(flag.code) && keys.contains(flag.subject) {
            try await cases.resolve(flag: flag.id, actor: actor)
        }
    }

    // MARK: Reading

    /// The current deadlines of a case: dated ones by day, then the undated.
    public func current(of caseID: CaseID) async throws -> [Deadline] {
        try await records.list(Deadline.self, key: .caseID(caseID)).map(\.value).filter(\.current).sorted(by: Deadline.byDay)
    }

    /// The current dated deadlines of a jurisdiction's open cases that fall on or before `through`, the
    /// missed ones among them (a period that has ended is left out: nothing is owed), by day.
    public func due(in jurisdiction: JurisdictionID, through: CalendarDate, today: CalendarDate) async throws -> [Deadline] {
        let found = try await records.list(Deadline.self, key: .jurisdiction(jurisdiction), limit: Int.max).map(\.value)
            .filter { $0.current && $0.due.map { $0 <= through } == true && $0.state(on: today) != .ended }
        var open: [CaseID: Bool] = [:]
        var listed: [Deadline] = []
        for deadline in found.sorted(by: Deadline.byDay) {
            if open[deadline.caseID] == nil { open[deadline.caseID] = try await isOpen(deadline.caseID) }
            if open[deadline.caseID] == true { listed.append(deadline) }
        }
        return listed
    }

    private func isOpen(_ caseID: CaseID) async throws -> Bool {
        guard let theCase = try await records.get(Case.self, caseID.description)?.value else { return false }
        return theCase.status != .closed && theCase.status != .closedReferred
    }

    // MARK: The sweep

    /// Flags each current deadline of an open case that is near (due within `Deadline.nearDays` days) or
    /// missed (an `act_by` deadline past its day), once each per due date: the flag on the case
    /// (`deadline_near`, `deadline_missed`) and the event (`deadline.near`, `deadline.missed`). Returns the
    /// deadlines flagged now, as flagged.
    @discardableResult
    public func sweep(today: CalendarDate) async throws -> [Deadline] {
        var flagged: [Deadline] = []
        var after: String?
        while true {
            let page = try await records.scan(Deadline.self, after: after, limit: 500)
            guard let last = page.last else { break }
            after = last.recordID
            for deadline in page where deadline.current {
                let state = deadline.state(on: today)
                guard Self.flagCodes[state] != nil, !deadline.flagged.contains(state) else { continue }
                if let done = try await flag(deadline.recordID, state, today: today) { flagged.append(done) }
            }
        }
        return flagged
    }

    /// Flags one deadline in `state`, read afresh: a refresh may have changed it since the page was read.
    private func flag(_ recordID: String, _ state: Deadline.State, today: CalendarDate) async throws -> Deadline? {
        try await records.retryingConflicts {
            guard let found = try await records.get(Deadline.self, recordID), found.value.current,
                  found.value.state(on: today) == state, !found.value.flagged.contains(state), let due = found.value.due,
                  let code = Self.flagCodes[state], let theCase = try await records.get(Case.self, found.value.caseID.description)?.value,
                  theCase.status != .closed && theCase.status != .closedReferred else { return nil }
            var deadline = found.value
            let message = state == .near
                ? "\(deadline.label): due on \(due)"
                : "\(deadline.label): was due on \(due); \(deadline.whenMissed)"
            try await cases.raise(CaseFlag(caseID: deadline.caseID, jurisdiction: deadline.jurisdiction, code: code,
                                           subject: deadline.key, message: message, basis: deadline.basis, raisedBy: actor))
            deadline.flagged.append(state)
            let marked = deadline
            try await records.commit { change in
                try change.update(marked, from: found.version)
                change.emit(state == .near ? Self.near : Self.missed, jurisdiction: marked.jurisdiction, subject: "case:\(marked.caseID)",
                            actor: actor, data: .object(["case_id": .string(marked.caseID.description), "deadline": .string(marked.key),
                                                         "due": .string(due.description)]))
            }
            return marked
        }
    }
}

extension Deadline {
    /// Dated ones first, by day, then by pack id; undated ones after, by pack id.
    static func byDay(_ a: Deadline, _ b: Deadline) -> Bool {
        switch (a.due, b.due) {
        case let (x?, y?): return x != y ? x < y : a.key < b.key
        case (.some, .none): return true
        case (.none, .some): return false
        case (.none, .none): return a.key < b.key
        }
    }
}
