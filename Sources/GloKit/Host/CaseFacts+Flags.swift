import GloJSON

extension CaseService {
    /// Records facts of a case (merged into those already recorded; a JSON `null` removes one) and
    /// announces which keys changed (`facts.updated`, keys only). Keys outside the vocabulary and
    /// values of the wrong type are refused with a field error each, and nothing is stored.
    @discardableResult
    public func setFacts(_ caseID: CaseID, _ facts: [String: JSONValue], actor: Actor) async throws -> CaseFacts {
        try await records.retryingConflicts { try await setFactsOnce(caseID, facts, actor: actor) }
    }

    private func setFactsOnce(_ caseID: CaseID, _ facts: [String: JSONValue], actor: Actor) async throws -> CaseFacts {
        let theCase = try await records.require(Case.self, caseID.description).value
        let problems = FactsVocabulary.problems(facts, at: "facts")
        if !problems.isEmpty { throw ValidationFailure(errors: problems) }
        let found = try await records.get(CaseFacts.self, caseID.description)
        var updated = found?.value ?? CaseFacts(caseID: caseID)
        var changed: [String] = []
        for (key, value) in facts.sorted(by: { $0.key < $1.key }) where updated.facts[key] != (value == .null ? nil : value) {
            updated.facts[key] = value == .null ? nil : value
            changed.append(key)
        }
        guard !changed.isEmpty else { return updated }
        updated.updatedAt = .now
        let result = updated
        try await records.commit { change in
            if let found { try change.update(result, from: found.version) } else { try change.insert(result) }
            change.emit("facts.updated", jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor,
                        data: .object(["case_id": .string(caseID.description), "keys": .array(changed.map(JSONValue.string))]))
        }
        return result
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
        let actor = flag.raisedByActor
        let found = try await records.get(CaseFlag.self, flag.id)
        if let open = found?.value, open.resolvedAt == nil { return false }
        try await records.commit { change in
            if let found { try change.update(flag, from: found.version) } else { try change.insert(flag) }
            var data: [String: JSONValue] = ["flag_id": .string(flag.id), "code": .string(flag.code), "subject": .string(flag.subject)]
            if let caseID = flag.caseID { data["case_id"] = .string(caseID.description) }
            change.emit("case.flagged", jurisdiction: flag.jurisdiction,
                        subject: flag.caseID.map { "case:\($0)" } ?? "jurisdiction:\(flag.jurisdiction)",
                        actor: actor, data: .object(data))
        }
        return true
    }

    /// Resolves an open flag (`case.flag_resolved`).
    public func resolve(flag id: String, actor: Actor) async throws {
        let found = try await records.require(CaseFlag.self, id)
        guard found.value.resolvedAt == nil else { return }
        var flag = found.value
        flag.resolvedAt = .now
        let resolved = flag
        try await records.commit { change in
            try change.update(resolved, from: found.version)
            change.emit("case.flag_resolved", jurisdiction: resolved.jurisdiction,
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
