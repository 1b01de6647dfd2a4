import GloKit
import Testing

private func referral(_ status: ReferralStatus) -> Referral {
    Referral(caseID: CaseID(), from: Fixture.thaiNGO.id, to: Fixture.msdhs.id, service: .shelter, consent: ConsentID(),
             status: status, createdAt: time("2025-03-01T00:00:00Z"))
}

@Test func referralMovesAlongTheTransitionTable() throws {
    let sent = referral(.inProgress)
    let accepted = try sent.moving(to: .accepted, at: time("2025-03-02T00:00:00Z"))
    #expect(accepted.status == .accepted)
    #expect(accepted.statusChangedAt == time("2025-03-02T00:00:00Z"))
    #expect(sent.status == .inProgress, "the original value is unchanged")
    #expect(try accepted.moving(to: .done).status == .done)
    #expect(try accepted.moving(to: .revoked).status == .revoked)
    #expect(try sent.moving(to: .rejected).status == .rejected)
    #expect(try sent.moving(to: .revoked).status == .revoked)
}

@Test func everyMoveOutsideTheTableIsRefused() {
    let allowed: Set<[ReferralStatus]> = [[.inProgress, .accepted], [.inProgress, .rejected], [.inProgress, .revoked],
                                          [.accepted, .done], [.accepted, .revoked]]
    for from in ReferralStatus.allCases {
        for to in ReferralStatus.allCases {
            let moved = try? referral(from).moving(to: to)
            #expect((moved != nil) == allowed.contains([from, to]), "\(from.rawValue) -> \(to.rawValue)")
        }
    }
}

@Test func aRefusedMoveNamesBothStatusesAndWhatIsAllowed() {
    #expect(throws: ReferralTransitionError(from: .done, to: .inProgress)) {
        try referral(.done).moving(to: .inProgress)
    }
    #expect(ReferralTransitionError(from: .done, to: .inProgress).description
        == "a referral cannot move from done to in_progress: done is final")
    #expect(ReferralTransitionError(from: .accepted, to: .rejected).description
        == "a referral cannot move from accepted to rejected: from accepted it can move to done or revoked")
    #expect(ReferralTransitionError(from: .inProgress, to: .done).description
        == "a referral cannot move from in_progress to done: from in_progress it can move to accepted, rejected or revoked")
}

@Test func consentCoversItsPurposeAndRecipientsUntilWithdrawn() {
    let org = OrganisationID()
    let consent = Consent(person: PersonID(), purpose: .services, recipients: [org], recordedBy: UserID(),
                          givenAt: time("2025-03-01T00:00:00Z"), withdrawnAt: time("2025-03-10T00:00:00Z"))
    #expect(consent.covers(.services, for: org, at: time("2025-03-05T00:00:00Z")))
    #expect(!consent.covers(.disclosure, for: org, at: time("2025-03-05T00:00:00Z")))
    #expect(!consent.covers(.services, for: OrganisationID(), at: time("2025-03-05T00:00:00Z")))
    #expect(!consent.covers(.services, for: org, at: time("2025-02-28T00:00:00Z")))
    #expect(!consent.covers(.services, for: org, at: time("2025-03-10T00:00:00Z")))
}
