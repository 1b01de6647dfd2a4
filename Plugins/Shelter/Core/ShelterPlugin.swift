import Foundation
public import GloBase
import GloJSON
public import GloKit
import GloRules
import Logging
import Synchronization

/// Shelter: decide `shelter.placement`, refer with consent (per purpose and recipient, or an
/// override by a permitted role with its reason), place people with dates, and track the temporary
/// identification stay: the pack says how many days are left, and a sweep flags a stay due to end.
public final class ShelterPlugin: Plugin {
    public let id = "shelter"
    public let version = "1.0.0"
    public let summary = "Shelter placement, referrals with consent, and the identification stay"
    public let dependencies = ["identification"]
    public let decisionsNeeded = [Shelter.decision]
    public let emits = [Shelter.consentRecorded, Shelter.consentWithdrawn, Shelter.referralMade]
        + ReferralStatus.allCases.filter { $0 != .inProgress }.map(Shelter.referralMoved(to:))
        + [Shelter.placed, Shelter.ended, Shelter.stayDue]
    /// How often the identification stays are checked.
    let sweepInterval: Duration
    private let sweeper = Mutex<Task<Void, Never>?>(nil)

    public init(sweepInterval: Duration = .seconds(3600)) {
        self.sweepInterval = sweepInterval
    }

    public func start(_ context: PluginContext) async throws {
        let shelter = Shelter(context)
        let interval = sweepInterval
        let log = context.logger
        sweeper.withLock { task in
            task = Task {
                while !Task.isCancelled {
                    do { try await shelter.sweep(today: .today()) } catch {
                        log.error("identification-stay sweep failed", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    public func stop() async {
        let task = sweeper.withLock { t in defer { t = nil }; return t }
        task?.cancel()
        await task?.value
    }
}

/// The shelter workflow.
public struct Shelter: Sendable {
    public static let decision = "shelter.placement"
    static let stayFlag = "identification_stay_due"
    static let referralData = ["case_id", "referral_id"]
    public static let consentRecorded = EventType("consent.recorded", "the person's consent (or an override of it) was recorded",
                                                  data: ["case_id", "consent_id", "purpose", "override"])
    public static let consentWithdrawn = EventType("consent.withdrawn", "a consent was withdrawn", data: ["case_id", "consent_id"])
    public static let referralMade = EventType("referral.made", "the case was referred to an organisation",
                                               data: ["case_id", "referral_id", "to", "service", "consent_override_role"])
    /// The event of a referral's move to `status` (`referral.accepted`, `referral.revoked`...).
    public static func referralMoved(to status: ReferralStatus) -> EventType {
        EventType("referral.\(status.rawValue)", "a referral moved to \(status.rawValue.replacingOccurrences(of: "_", with: " "))",
                  data: referralData)
    }
    public static let placed = EventType("shelter.placed", "the person was placed in a shelter",
                                         data: ["case_id", "placement_id", "kind", "decision_id", "identification_stay_end"])
    public static let ended = EventType("shelter.ended", "a stay in a shelter ended", data: ["case_id", "placement_id"])
    public static let stayDue = EventType("shelter.identification_stay_due",
                                          "the temporary stay before the identification interview ends by tomorrow",
                                          data: ["case_id", "placement_id", "identification_stay_end"])
    let records: Records
    let decisions: DecisionService
    let cases: CaseService
    let actor: Agent

    public init(_ context: PluginContext) {
        records = context.records
        decisions = context.decisions
        cases = context.cases
        actor = context.actor
    }

    /// Decides where the person may be placed, on the case's facts now, and stores the decision.
    @discardableResult
    public func decide(_ caseID: CaseID, actor: Agent) async throws -> DecisionRecord {
        try await decisions.decide(Self.decision, for: caseID, facts: try await cases.facts(for: caseID), actor: actor)
    }

    // MARK: Consent

    /// Records a consent given by the person of the case (or an override of it).
    @discardableResult
    public func record(_ consent: Consent, actor: Agent) async throws -> Consent {
        guard let caseID = consent.caseID else { throw GloKitError.refused("a consent for shelter work must name its case") }
        let theCase = try await records.require(Case.self, caseID.description).value
        guard theCase.person == consent.person else {
            throw GloKitError.refused("the consent's person is not the person of case \(caseID)")
        }
        try await records.commit { change in
            try change.insert(consent)
            change.emit(Self.consentRecorded, jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor,
                        data: .object(["case_id": .string(caseID.description), "consent_id": .string(consent.id.description),
                                       "purpose": .string(consent.purpose.rawValue),
                                       "override": .bool(consent.override != nil)]))
        }
        return consent
    }

    /// Withdraws a consent; referrals that relied on it and are not final are revoked with it.
    @discardableResult
    public func withdraw(_ consentID: ConsentID, at time: Timestamp = .now, actor: Agent) async throws -> Consent {
        let found = try await records.require(Consent.self, consentID.description)
        guard found.value.withdrawnAt == nil else { return found.value }
        var consent = found.value
        consent.withdrawnAt = time
        guard let caseID = consent.caseID else { throw GloKitError.refused("consent \(consentID) has no case") }
        let theCase = try await records.require(Case.self, caseID.description).value
        let referrals = try await records.list(Referral.self, key: .caseID(caseID))
            .filter { $0.value.consent == consentID && !$0.value.status.isFinal }
        let withdrawn = consent
        // Whatever its status, a referral to a recipient of this consent shares no more: services and
        // disclosure are both needed for a share.
        var shares: [Versioned<CaseShare>] = []
        if consent.purpose == .services || consent.purpose == .disclosure {
            for referral in try await records.list(Referral.self, key: .caseID(caseID)) where consent.recipients.contains(referral.value.to) {
                shares += try await records.shares(grantedBy: "referral:\(referral.value.id)")
            }
        }
        try await records.commit { change in
            try change.update(withdrawn, from: found.version)
            for share in shares {
                var revoked = share.value
                revoked.revokedAt = time
                try change.update(revoked, from: share.version)
            }
            change.emit(Self.consentWithdrawn, jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor,
                        data: .object(["case_id": .string(caseID.description), "consent_id": .string(consentID.description)]))
            for referral in referrals {
                var revoked = try referral.value.moving(to: .revoked, at: time)
                revoked.note = "consent withdrawn"
                try change.update(revoked, from: referral.version)
                change.emit(Self.referralMoved(to: .revoked), jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor,
                            data: .object(["case_id": .string(caseID.description), "referral_id": .string(revoked.id.description)]))
            }
        }
        return withdrawn
    }

    // MARK: Referrals

    /// Refers the case to another organisation. It needs the person's consent to services and to
    /// disclosure, both naming the receiving organisation, or an override by a permitted role with
    /// its reason (recorded on the referral).
    @discardableResult
    public func refer(_ referral: Referral, actor: Agent) async throws -> Referral {
        let theCase = try await records.require(Case.self, referral.caseID.description).value
        var referral = referral
        if referral.consentOverride == nil {
            let consents = try await records.list(Consent.self, key: .caseID(referral.caseID)).map(\.value)
            let now = Timestamp.now
            let missing = [ConsentPurpose.services, .disclosure].filter { purpose in
                !consents.contains { $0.covers(purpose, for: referral.to, at: now) }
            }
            if !missing.isEmpty {
                throw GloKitError.refused("no consent to \(missing.map(\.rawValue).joined(separator: " and ")) for organisation \(referral.to) is recorded for case \(referral.caseID): record the person's consent, or an override by a supervisor, admin or legal officer with the reason")
            }
            referral.consent = consents.first { $0.covers(.services, for: referral.to, at: now) }?.id
        }
        let made = referral
        // The receiving organisation may read the case and the person, even from another jurisdiction.
        let share = CaseShare(caseID: made.caseID, organisation: made.to, sections: [.caseSummary, .person],
                              grantedBy: "referral:\(made.id)")
        try await records.commit { change in
            try change.insert(made)
            try change.insert(share)
            var data: [String: JSONValue] = [
                "case_id": .string(made.caseID.description), "referral_id": .string(made.id.description),
                "to": .string(made.to.description), "service": .string(made.service.rawValue),
            ]
            if let o = made.consentOverride { data["consent_override_role"] = .string(o.role.rawValue) }
            change.emit(Self.referralMade, jurisdiction: theCase.jurisdiction, subject: "case:\(made.caseID)", actor: actor,
                        data: .object(data))
        }
        return made
    }

    /// Moves a referral (in_progress -> accepted / rejected / revoked, accepted -> done / revoked).
    @discardableResult
    public func move(_ referralID: ReferralID, to status: ReferralStatus, note: String? = nil, actor: Agent) async throws -> Referral {
        let found = try await records.require(Referral.self, referralID.description)
        var moved = try found.value.moving(to: status)
        if let note { moved.note = note }
        let theCase = try await records.require(Case.self, moved.caseID.description).value
        let result = moved
        let ending = status == .revoked || status == .rejected ? try await records.shares(grantedBy: "referral:\(referralID)") : []
        try await records.commit { change in
            try change.update(result, from: found.version)
            for share in ending {
                var revoked = share.value
                revoked.revokedAt = .now
                try change.update(revoked, from: share.version)
            }
            change.emit(Self.referralMoved(to: status), jurisdiction: theCase.jurisdiction, subject: "case:\(result.caseID)",
                        actor: actor, data: .object(["case_id": .string(result.caseID.description),
                                                     "referral_id": .string(result.id.description)]))
        }
        return result
    }

    /// The referral form's way: records the consents the person gave for the receiving organisation
    /// (`purposes`), then refers. Without consent to both services and disclosure, the referral is
    /// refused (the consents given stay recorded: the person gave them).
    @discardableResult
    public func refer(_ referral: Referral, consentingTo purposes: [ConsentPurpose], recordedBy user: UserID,
                      actor: Agent) async throws -> Referral {
        let theCase = try await records.require(Case.self, referral.caseID.description).value
        for purpose in purposes {
            try await record(Consent(person: theCase.person, caseID: theCase.id, purpose: purpose, recipients: [referral.to],
                                     recordedBy: user, givenAt: .now), actor: actor)
        }
        return try await refer(referral, actor: actor)
    }

    // MARK: Placements

    /// Places the person as the latest placement decision allows (its kind, or one of its
    /// `alternatives`). When the pack gives `identification_stay_days_left`, the stay before the
    /// identification interview ends that many days after `from`.
    @discardableResult
    public func place(_ caseID: CaseID, in shelter: OrganisationID, from: CalendarDate, actor: Agent,
                      kind: ShelterPlacement.Kind? = nil) async throws -> ShelterPlacement {
        let theCase = try await records.require(Case.self, caseID.description).value
        // Decided and stored with the placement, so that a refused placement leaves nothing behind.
        let decision = try decisions.evaluate(Self.decision, for: theCase, facts: try await cases.facts(for: caseID))
        let allowed = [decision.outcome] + (decision.result["alternatives"]?.stringArray ?? [])
        guard let chosen = (kind ?? ShelterPlacement.Kind(rawValue: decision.outcome)), allowed.contains(chosen.rawValue) else {
            throw GloKitError.refused("the \(theCase.jurisdiction) pack decides \(decision.outcome) for case \(caseID)\(kind.map { ", not \($0.rawValue)" } ?? ""): \(decision.reasons.first ?? "no placement")")
        }
        var placement = ShelterPlacement(caseID: caseID, shelter: shelter, kind: chosen, from: from)
        if let days = decision.result["identification_stay_days_left"]?.intValue {
            placement.identificationStayEnd = from.adding(days: Int(days))
        }
        let placed = placement
        try await records.commit { change in
            try change.record(decision, actor: actor)
            try change.insert(placed)
            var data: [String: JSONValue] = [
                "case_id": .string(caseID.description), "placement_id": .string(placed.id.description),
                "kind": .string(placed.kind.rawValue), "decision_id": .string(decision.id.description),
            ]
            if let end = placed.identificationStayEnd { data["identification_stay_end"] = .string(end.description) }
            change.emit(Self.placed, jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor,
                        data: .object(data))
        }
        return placed
    }

    /// Ends a stay.
    @discardableResult
    public func end(_ placementID: ShelterPlacementID, on day: CalendarDate, actor: Agent) async throws -> ShelterPlacement {
        let found = try await records.require(ShelterPlacement.self, placementID.description)
        guard found.value.to == nil else { throw GloKitError.refused("placement \(placementID) has ended already") }
        var placement = found.value
        placement.to = day
        let theCase = try await records.require(Case.self, placement.caseID.description).value
        let ended = placement
        try await records.commit { change in
            try change.update(ended, from: found.version)
            change.emit(Self.ended, jurisdiction: theCase.jurisdiction, subject: "case:\(ended.caseID)", actor: actor,
                        data: .object(["case_id": .string(ended.caseID.description), "placement_id": .string(placementID.description)]))
        }
        return ended
    }

    /// Flags every running placement whose identification stay ends by tomorrow and whose person is
    /// not identified yet (`shelter.identification_stay_due`, once per placement). Returns those
    /// flagged now.
    @discardableResult
    public func sweep(today: CalendarDate) async throws -> [ShelterPlacementID] {
        var flagged: [ShelterPlacementID] = []
        var after: String? = nil
        while true {
            let page = try await records.scan(ShelterPlacement.self, after: after, limit: 500)
            guard let last = page.last else { break }
            after = last.recordID
            for placement in page {
                guard placement.to == nil, let end = placement.identificationStayEnd, end <= today.adding(days: 1),
                      let theCase = try await records.get(Case.self, placement.caseID.description)?.value,
                      theCase.traffickingStatus != .actual, theCase.traffickingStatus != .notVictim else { continue }
                let raised = try await cases.raise(CaseFlag(
                    caseID: theCase.id, jurisdiction: theCase.jurisdiction, code: Self.stayFlag, subject: placement.id.description,
                    message: "the temporary stay before the identification interview ends on \(end): hold the interview",
                    raisedBy: actor))
                if raised {
                    try await records.commit { change in
                        change.emit(Self.stayDue, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)",
                                    actor: actor, data: .object(["case_id": .string(theCase.id.description),
                                                                 "placement_id": .string(placement.id.description),
                                                                 "identification_stay_end": .string(end.description)]))
                    }
                    flagged.append(placement.id)
                }
            }
        }
        return flagged
    }
}
