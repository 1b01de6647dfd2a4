import GloJSON

/// A case made readable to an organisation outside its jurisdiction, by a consented referral: that
/// organisation's users may read the sections shared, and nothing else (never write). It ends when
/// the referral is revoked or the consent withdrawn.
public struct CaseShare: StoredEntity, Equatable {
    public static let collection = RecordCollection("case_share")

    /// What can be shared: the case's own fields (status, pathway, dates) and the person's identity.
    /// Screenings, decisions, facts and flags are never shared this way.
    public enum Section: String, Sendable, Codable, CaseIterable {
        case caseSummary = "case"
        case person
    }

    public var id: String
    public var caseID: CaseID
    public var organisation: OrganisationID
    public var sections: [Section]
    /// What granted it, such as `referral:<id>`.
    public var grantedBy: String
    public var grantedAt: Timestamp
    public var revokedAt: Timestamp?

    public init(caseID: CaseID, organisation: OrganisationID, sections: [Section], grantedBy: String, grantedAt: Timestamp = .now) {
        self.id = CaseShare.id(caseID, organisation, grantedBy)
        self.caseID = caseID
        self.organisation = organisation
        self.sections = sections
        self.grantedBy = grantedBy
        self.grantedAt = grantedAt
    }

    public static func id(_ caseID: CaseID, _ organisation: OrganisationID, _ grantedBy: String) -> String {
        "\(caseID)|\(organisation)|\(grantedBy)"
    }

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [.caseID(caseID), IndexKey("granted_by", grantedBy)] }
    public func validationErrors() -> [FieldError] { [] }

    enum CodingKeys: String, CodingKey {
        case id, organisation, sections
        case caseID = "case_id"
        case grantedBy = "granted_by"
        case grantedAt = "granted_at"
        case revokedAt = "revoked_at"
    }
}

extension Records {
    /// The sections of a case shared with an organisation now.
    public func sharedSections(_ caseID: CaseID, with organisation: OrganisationID) async throws -> Set<CaseShare.Section> {
        let shares = try await list(CaseShare.self, key: .caseID(caseID)).map(\.value)
        return Set(shares.filter { $0.organisation == organisation && $0.revokedAt == nil }.flatMap(\.sections))
    }

    /// The open shares granted by something (a referral), to revoke with it.
    public func shares(grantedBy: String) async throws -> [Versioned<CaseShare>] {
        try await list(CaseShare.self, key: IndexKey("granted_by", grantedBy)).filter { $0.value.revokedAt == nil }
    }
}
