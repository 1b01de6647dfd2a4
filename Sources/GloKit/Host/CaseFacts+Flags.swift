public import GloJSON
import GloRules

extension CaseService {
    /// Records facts of a case (merged into those already recorded; a JSON `null` removes one) and
    /// announces which keys changed (`facts.updated`, keys only). Keys outside the vocabulary, values
    /// of the wrong type or not allowed, and dates out of order (a birthdate after `acts_began`, a date
    /// after the case was opened) are refused with a field error each, and nothing is stored.
    @discardableResult
    public func setFacts(_ caseID: CaseID, _ facts: [String: JSONValue], actor: Agent) async throws -> CaseFacts {
        try await records.retryingConflicts { try await setFactsOnce(caseID, facts, actor: actor) }
    }

    private func setFactsOnce(_ caseID: CaseID, _ facts: [String: JSONValue], actor: Agent) async throws -> CaseFacts {
        let theCase = try await records.require(Case.self, caseID.description).value
        let found = try await records.get(CaseFacts.self, caseID.description)
        try await check(facts, recorded: found?.value.facts ?? [:], for: theCase)
        var updated = found?.value ?? CaseFacts(caseID: caseID)
        let changed = updated.merge(facts)
        guard !changed.isEmpty else { return updated }
        let result = updated
        try await records.commit { change in
            try change.store(result, found: found, changed: changed, jurisdiction: theCase.jurisdiction, actor: actor)
        }
        return result
    }

    /// Refuses `facts` when they break the vocabulary, alone or beside what the case and its person
    /// already hold (a new `acts_began` before the person's birthdate). Problems are named by the
    /// facts given.
    public func check(_ facts: [String: JSONValue], recorded: [String: JSONValue], for theCase: Case) async throws {
        let problems = try await problems(facts, recorded: recorded, for: theCase)
        if !problems.isEmpty { throw ValidationFailure(errors: problems) }
    }

    /// What `check` refuses, as field errors.
    public func problems(_ facts: [String: JSONValue], recorded: [String: JSONValue], for theCase: Case) async throws -> [FieldError] {
        var merged = recorded.merging(facts) { $1 }.filter { $0.value != .null }
        if merged["birthdate"] == nil, let born = try await records.person(theCase.person)?.value.personal.dateOfBirth {
            merged["birthdate"] = .string(born.description)
        }
        let given = Set(facts.keys)
        let problems = vocabulary.problems(facts, at: "facts", dateApplied: theCase.opened)
            + vocabulary.problems(merged, at: "facts", dateApplied: theCase.opened).filter { problem in
                // Orders between a date given and one already held (those between two given are above).
                let involved = [problem.fact] + problem.related
                return !problem.related.isEmpty && involved.contains(where: given.contains) && !involved.allSatisfy(given.contains)
            }
        return problems.map { FieldError(field: $0.field, message: $0.message) }
    }

    /// The facts recorded for a case outside its screenings.
    public func recordedFacts(_ caseID: CaseID) async throws -> [String: JSONValue] {
        try await records.get(CaseFacts.self, caseID.description)?.value.facts ?? [:]
    }

    /// Raises a flag (`case.flagged`), unless the same flag is already open; true when it was raised
    /// now.
    @discardableResult
    public func raise(_ flag: CaseFlag) async throws -> Bool {
        try await records.retryingConflicts { try await raiseOnce(flag) }
    }

    private func raiseOnce(_ flag: CaseFlag) async throws -> Bool {
        let actor = flag.raisedByAgent
        let found = try await records.get(CaseFlag.self, flag.id)
        if let open = found?.value, open.resolvedAt == nil { return false }
        try await records.commit { change in
            if let found { try change.update(flag, from: found.version) } else { try change.insert(flag) }
            var data: [String: JSONValue] = ["flag_id": .string(flag.id), "code": .string(flag.code), "subject": .string(flag.subject)]
            if let caseID = flag.caseID { data["case_id"] = .string(caseID.description) }
            change.emit(CoreEvents.caseFlagged, jurisdiction: flag.jurisdiction,
                        subject: flag.caseID.map { "case:\($0)" } ?? "jurisdiction:\(flag.jurisdiction)",
                        actor: actor, data: .object(data))
        }
        return true
    }

    /// Resolves an open flag (`case.flag_resolved`).
    public func resolve(flag id: String, actor: Agent) async throws {
        let found = try await records.require(CaseFlag.self, id)
        guard found.value.resolvedAt == nil else { return }
        var flag = found.value
        flag.resolvedAt = .now
        let resolved = flag
        try await records.commit { change in
            try change.update(resolved, from: found.version)
            change.emit(CoreEvents.flagResolved, jurisdiction: resolved.jurisdiction,
                        subject: resolved.caseID.map { "case:\($0)" } ?? "jurisdiction:\(resolved.jurisdiction)",
                        actor: actor, data: .object(["flag_id": .string(resolved.id), "code": .string(resolved.code)]))
        }
    }

    /// The open flags of a case, oldest first.
    public func flags(of caseID: CaseID) async throws -> [CaseFlag] {
        try await records.list(CaseFlag.self, key: .caseID(caseID)).map(\.value).filter { $0.resolvedAt == nil }
            .sorted { $0.raisedAt < $1.raisedAt }
    }
}

extension CaseFacts {
    /// Merges `given` in (a JSON `null` removes a fact); returns the keys that changed, sorted.
    public mutating func merge(_ given: [String: JSONValue]) -> [String] {
        var changed: [String] = []
        for (key, value) in given.sorted(by: { $0.key < $1.key }) where facts[key] != (value == .null ? nil : value) {
            facts[key] = value == .null ? nil : value
            changed.append(key)
        }
        if !changed.isEmpty { updatedAt = .now }
        return changed
    }
}

extension ChangeBuilder {
    /// Stores a case's facts after `merge` and announces the keys that changed (`facts.updated`, keys
    /// only: the values may be personal data).
    public mutating func store(_ facts: CaseFacts, found: Versioned<CaseFacts>?, changed: [String],
                               jurisdiction: JurisdictionID, actor: Agent) throws {
        if let found { try update(facts, from: found.version) } else { try insert(facts) }
        emit(CoreEvents.factsUpdated, jurisdiction: jurisdiction, subject: "case:\(facts.caseID)", actor: actor,
             data: .object(["case_id": .string(facts.caseID.description), "keys": .array(changed.map(JSONValue.string))]))
    }
}
