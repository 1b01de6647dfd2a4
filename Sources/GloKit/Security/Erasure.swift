import GloJSON

/// Erasing a person: their data key is destroyed, so everything sealed under it (their fields, the
/// facts of their decisions and cases, a handover's identity, an idempotent answer) can no longer be
/// opened: in the store, and in every backup and export, which never hold the key ring. What stays is
/// a tombstone (the id and the dates), the cases that name it, the decisions' outcomes, the event log
/// and the audit log, so statistics and the trail remain whole.
///
/// The key goes first and the record second: an erasure cut short leaves a person whose key is gone
/// (read as erased) and a second run finishes it.
public struct Erasure: Sendable {
    let records: Records

    public init(records: Records) { self.records = records }

    /// Why a person is erased. A code, not free text: the reason is kept in the audit log, which must
    /// hold no personal data.
    public enum Reason: String, Sendable, CaseIterable, Codable {
        /// The person asked (Thai PDPA s.33; IOM Data Protection Manual, principle of access).
        case dataSubjectRequest = "data_subject_request"
        /// The retention period after the case closed has run out (`RetentionSweep`).
        case retentionExpired = "retention_expired"
        /// Consent to keep the data was withdrawn and nothing else allows keeping it.
        case consentWithdrawn = "consent_withdrawn"
        /// The data was collected or kept unlawfully.
        case unlawful
    }

    public enum Outcome: Sendable, Equatable {
        case erased
        /// Erased before: nothing more to do.
        case alreadyErased
    }

    /// Erases the person; `reference` (a ticket or decision number, no personal data) goes into the
    /// audit entry with the reason. `caller` is who asked, in which role.
    @discardableResult
    public func erase(_ id: PersonID, reason: Reason, reference: String? = nil, by user: UserID?, role: Role?,
                      request: String) async throws -> Outcome {
        if let reference, !Self.validReference(reference) {
            throw ValidationFailure(errors: [FieldError(field: "reference", message: "must be 1 to 64 letters, digits, '-', '_', '/' or '.'")])
        }
        guard let record = try await records.store.record(SealedPerson.collection, id: id.description) else {
            throw GloKitError.notFound("person", id.description)
        }
        let sealed: SealedPerson
        do { sealed = try GloKitCoding.decode(SealedPerson.self, from: record.body) } catch {
            throw StoreError.failed("person \(id) cannot be read back")
        }
        let keyID = DataKeyID.person(id)
        let key = try await records.store.dataKey(keyID)
        if sealed.erasedAt != nil, key?.isErased ?? true { return .alreadyErased }
        if sealed.erasedAt == nil && (key == nil || !sealed.sealed.hasPrefix(PersonVault.currentPrefix)) {
            throw GloKitError.refused("person \(id) is still sealed as before envelope encryption: run `glo-host keys migrate` first")
        }
        // Nothing of theirs leaves this host from now on: the handovers waiting in the outbox are
        // withdrawn before the key goes (an erasure cut short after this is finished by a second run).
        let cases = try await records.list(Case.self, key: .person(id)).map(\.value.id)
        let withdrawn = try await Federation.withdrawals(about: cases, records: records)
        if !withdrawn.isEmpty {
            try await records.commit { change in for m in withdrawn { try change.update(m.value, from: m.version) } }
        }
        let now = Timestamp.now
        _ = try await records.store.eraseDataKey(keyID, at: now)
        records.forgetErased(keyID)
        var detail = "reason: \(reason.rawValue)"
        if let reference { detail += "; reference: \(reference)" }
        let entry = AuditEntry(user: user, role: role, action: .erase, subject: "person:\(id)", jurisdiction: nil,
                               request: request, detail: detail, at: now)
        if sealed.erasedAt == nil {
            try await records.commit { change in
                try change.putTombstone(id, createdAt: sealed.createdAt, erasedAt: now, registeredBy: sealed.registeredBy, from: record.version)
                try change.insert(entry)
                change.emit(CoreEvents.personErased, jurisdiction: nil, subject: "person:\(id)", actor: user.map { .user($0) } ?? .system,
                            data: .object(["person_id": .string(id.description), "reason": .string(reason.rawValue)]))
            }
        } else {
            try await records.commit { change in try change.insert(entry) }
        }
        return .erased
    }

    public static func validReference(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_/.".unicodeScalars.contains($0)
        }
    }
}
