import Foundation
public import GloJSON
import GloRules

/// Facts recorded for a case outside its screenings, in the facts vocabulary: whether the person was
/// informed of their rights, the means test, the proceedings, the charges, their wishes on return...
/// Workflows record them here (`CaseService.setFacts`); a decision's facts are the latest screening's,
/// the person's, and these.
public struct CaseFacts: StoredEntity, Equatable {
    public static let collection = RecordCollection("case_facts")
    public var caseID: CaseID
    public var facts: [String: JSONValue]
    public var updatedAt: Timestamp

    public init(caseID: CaseID, facts: [String: JSONValue] = [:], updatedAt: Timestamp = .now) {
        self.caseID = caseID
        self.facts = facts
        self.updatedAt = updatedAt
    }

    public var recordID: String { caseID.description }
    public var indexKeys: [IndexKey] { [] }

    enum CodingKeys: String, CodingKey {
        case facts
        case caseID = "case_id"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        caseID = try c.decode(CaseID.self, forKey: .caseID)
        facts = try c.decode(JSONValue.self, forKey: .facts).objectValue ?? [:]
        updatedAt = try c.decode(Timestamp.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(caseID, forKey: .caseID)
        try c.encode(JSONValue.object(facts), forKey: .facts)
        try c.encode(updatedAt, forKey: .updatedAt)
    }

    /// The facts are checked against the vocabulary in force where they are recorded
    /// (`CaseService.check`): the vocabulary is data, loaded with the rules, which an entity cannot see.
    public func validationErrors() -> [FieldError] { [] }

    /// The facts hold personal data (a birthdate, the charges): sealed like a person's fields.
    public func sealed(by vault: PersonVault) throws -> CaseFacts {
        var copy = self
        let text = JSONWriter.string(.object(facts), sortKeys: true)
        copy.facts = [CaseFacts.sealedKey: .string(try vault.sealedText(text, boundTo: caseID.description, for: .caseOf(caseID)))]
        return copy
    }

    public func opened(by vault: PersonVault) throws -> CaseFacts {
        guard let sealed = facts[CaseFacts.sealedKey]?.stringValue else { return self }
        var copy = self
        do {
            copy.facts = try JSONParser.parse(try vault.openedText(sealed, boundTo: caseID.description)).objectValue ?? [:]
        } catch VaultError.erased {
            copy.facts = [:]   // the person was erased
        }
        return copy
    }

    static let sealedKey = "$sealed"
}

/// Something about a case that needs a person's attention: a victim not informed of their rights, a
/// charge the pack says is barred, an identification stay about to end, a push back to follow up.
/// A flag is raised once per `code` and `subject` while it is open, and stays until resolved.
public struct CaseFlag: StoredEntity, Equatable {
    public static let collection = RecordCollection("case_flag")
    public var id: String
    public var caseID: CaseID?
    /// The jurisdiction that must act on it (for a push back: the side it was pushed to).
    public var jurisdiction: JurisdictionID
    /// Such as `rights_not_informed`, `charge_barred`, `identification_stay_due`, `push_back_follow_up`.
    public var code: String
    /// What it is about, such as a charge or a placement id; with `code`, what makes it one flag.
    public var subject: String
    /// Worded for the caseworker; never a person's data.
    public var message: String
    public var basis: [String]
    public var raisedAt: Timestamp
    public var raisedBy: String
    public var resolvedAt: Timestamp?
    /// Who raised it, for the event; not stored (`raisedBy` is).
    var raisedByAgent: Agent = .system

    public init(caseID: CaseID?, jurisdiction: JurisdictionID, code: String, subject: String, message: String,
                basis: [String] = [], raisedBy: Agent, raisedAt: Timestamp = .now) {
        self.caseID = caseID
        self.jurisdiction = jurisdiction
        self.code = code
        self.subject = subject
        self.id = CaseFlag.id(caseID: caseID, jurisdiction: jurisdiction, code: code, subject: subject)
        self.message = message
        self.basis = basis
        self.raisedAt = raisedAt
        self.raisedBy = raisedBy.description
        self.raisedByAgent = raisedBy
        self.resolvedAt = nil
    }

    /// Flags are keyed by what they are about, so raising one twice finds the first.
    public static func id(caseID: CaseID?, jurisdiction: JurisdictionID, code: String, subject: String) -> String {
        "\(caseID?.description ?? jurisdiction.rawValue)|\(code)|\(subject)"
    }

    public var recordID: String { id }
    public var indexKeys: [IndexKey] {
        var keys: [IndexKey] = [.jurisdiction(jurisdiction), IndexKey("code", code)]
        if let caseID { keys.append(.caseID(caseID)) }
        return keys
    }

    enum CodingKeys: String, CodingKey {
        case id, jurisdiction, code, subject, message, basis
        case caseID = "case_id"
        case raisedAt = "raised_at"
        case raisedBy = "raised_by"
        case resolvedAt = "resolved_at"
    }

    public func validationErrors() -> [FieldError] {
        var c = FieldChecks("flag")
        c.jurisdiction(jurisdiction, "jurisdiction")
        c.text(code, "code")
        c.text(message, "message")
        return c.errors
    }
}
