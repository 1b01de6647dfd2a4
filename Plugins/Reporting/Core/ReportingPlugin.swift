public import GloBase
public import GloJSON
public import GloKit
import PluginIdentification
import PluginImmigration
import PluginLegalAid
import PluginReturn

/// Reporting: figures per jurisdiction and period, exported k-anonymised (k = 11, the Counter
/// Trafficking Data Collaborative's standard), and an HTCDS-shaped export of one case.
public struct ReportingPlugin: Plugin {
    public let id = "reporting"
    public let version = "1.0.0"
    public let summary = "Figures per jurisdiction and period, k-anonymised (k = 11); HTCDS export of a case"
    /// The figures count what these plugins announced; a plugin not enabled simply counts none.
    public let reads = [Immigration.pushedBack, Immigration.deported, Identification.decided, Identification.confirmed,
                        Identification.overridden, Returns.handedOver].map(\.type)

    public init() {}
}

/// Aggregate figures: groups of cells, each a count of cases (or events) with one value.
///
/// A cell of 1 to k - 1 is suppressed (no count given). No totals are published, so a suppressed
/// cell cannot be worked out from the others.
public struct Report: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public var value: String
        /// Nil when suppressed.
        public var count: Int?
        public var suppressed: Bool { count == nil }
    }

    public struct Group: Sendable, Equatable {
        public var name: String
        public var cells: [Cell]
    }

    public var jurisdiction: JurisdictionID
    public var from: CalendarDate
    public var to: CalendarDate
    public var k: Int
    public var groups: [Group]
    /// Days from identification to return: the median when at least k returns are counted.
    public var medianDaysIdentificationToReturn: Int?
    public var returnsTimed: Int?

    public func group(_ name: String) -> Group? { groups.first { $0.name == name } }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "jurisdiction": .string(jurisdiction.rawValue), "from": .string(from.description), "to": .string(to.description),
            "k": .int(Int64(k)),
            "groups": .object(Dictionary(uniqueKeysWithValues: groups.map { g in
                (g.name, JSONValue.object(Dictionary(uniqueKeysWithValues: g.cells.map { c in
                    (c.value, c.count.map { JSONValue.int(Int64($0)) } ?? .string("<\(k)"))
                })))
            })),
        ]
        o["median_days_identification_to_return"] = medianDaysIdentificationToReturn.map { .int(Int64($0)) } ?? .string("<\(k) returns")
        return .object(o)
    }

    /// `group,value,count` with a header; a suppressed count reads `<k`.
    public var csv: String {
        var lines = ["group,value,count"]
        for g in groups {
            for c in g.cells { lines.append("\(g.name),\(c.value),\(c.count.map(String.init) ?? "<\(k)")") }
        }
        lines.append("time,median_days_identification_to_return,\(medianDaysIdentificationToReturn.map(String.init) ?? "<\(k)")")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The reporting workflow.
public struct Reporting: Sendable {
    /// The smallest count published.
    public static let k = 11
    let records: Records
    let events: EventLog

    public init(_ context: PluginContext) {
        records = context.records
        events = context.eventLog
    }

    /// Figures of the cases of `jurisdiction` opened from `from` to `to` (inclusive), and of its
    /// push backs in that period.
    public func figures(_ jurisdiction: JurisdictionID, from: CalendarDate, to: CalendarDate, k: Int = Reporting.k) async throws -> Report {
        let cases = try await records.list(Case.self, key: .jurisdiction(jurisdiction), limit: Int.max).map(\.value)
            .filter { $0.opened >= from && $0.opened <= to }
        var counts: [String: [String: Int]] = [:]
        func count(_ group: String, _ value: String, _ n: Int = 1) { counts[group, default: [:]][value, default: 0] += n }
        let ids = Set(cases.map(\.id))
        for c in cases {
            count("cases_by_pathway", c.pathway?.rawValue ?? "none")
            let screenings = try await records.list(Screening.self, key: .caseID(c.id)).map(\.value)
            if let latest = screenings.max(by: { ($0.date, $0.id) < ($1.date, $1.id) }) {
                for e in Set(latest.exploitation) { count("cases_by_exploitation", e) }
            }
            for r in try await records.list(Referral.self, key: .caseID(c.id)) { count("referrals_by_status", r.value.status.rawValue) }
            for a in try await records.list(LegalAssistance.self, key: .caseID(c.id)) { count("legal_assistance_by_kind", a.value.kind.rawValue) }
            for r in try await records.list(Return.self, key: .caseID(c.id)) where r.value.from == jurisdiction {
                count("returns_by_route", r.value.route.rawValue)
            }
        }
        // From the event log: push backs, deportations, and the times from identification to return.
        var identified: [CaseID: Timestamp] = [:]
        var returned: [CaseID: Timestamp] = [:]
        var position: Int64 = 0
        while true {
            let page = try await events.events(after: position, limit: 2_000)
            guard let last = page.last else { break }
            position = last.sequence
            for e in page where e.jurisdiction == jurisdiction {
                let caseID = e.data["case_id"]?.stringValue.flatMap(CaseID.init)
                switch e.type {
                case Immigration.pushedBack.type:
                    if let on = e.data["on"]?.stringValue.flatMap(CalendarDate.init), on >= from, on <= to {
                        count("push_backs", "people", Int(e.data["people"]?.intValue ?? 1))
                    }
                case Immigration.deported.type:
                    if let caseID, ids.contains(caseID) {
                        count("returns_by_route", "deportation")
                        returned[caseID] = returned[caseID] ?? e.at
                    }
                case Identification.decided.type, Identification.confirmed.type, Identification.overridden.type:
                    let status = e.data["trafficking_status"]?.stringValue
                    if let caseID, ids.contains(caseID), status == "possible" || status == "actual", identified[caseID] == nil {
                        identified[caseID] = e.at
                    }
                case Returns.handedOver.type:
                    if let caseID, ids.contains(caseID) { returned[caseID] = returned[caseID] ?? e.at }
                default: break
                }
            }
        }
        let days = returned.compactMap { caseID, back -> Int? in
            guard let start = identified[caseID] else { return nil }
            return back.day.daysSince1970 - start.day.daysSince1970
        }.sorted()
        let groupOrder = ["cases_by_pathway", "cases_by_exploitation", "referrals_by_status", "legal_assistance_by_kind",
                          "returns_by_route", "push_backs"]
        let groups = groupOrder.compactMap { name -> Report.Group? in
            guard let cells = counts[name] else { return nil }
            return Report.Group(name: name, cells: cells.sorted { $0.key < $1.key }.map { value, n in
                Report.Cell(value: value, count: n >= k ? n : nil)
            })
        }
        return Report(jurisdiction: jurisdiction, from: from, to: to, k: k, groups: groups,
                      medianDaysIdentificationToReturn: days.count >= k ? days[days.count / 2] : nil,
                      returnsTimed: days.count >= k ? days.count : nil)
    }

    /// One case in the shape of the Human Trafficking Case Data Standard v2.0 (field names with
    /// their prefixes, picklist values as HTCDS names them), for partner systems. It holds the
    /// person's identifying fields: an export to log and to send only where consent allows.
    public func htcds(_ caseID: CaseID) async throws -> JSONValue {
        let theCase = try await records.require(Case.self, caseID.description).value
        let person = try await records.requirePerson(theCase.person).value.personal
        var o: [String: JSONValue] = [:]
        o["prs_FirstName"] = .string(person.givenNames)
        if let family = person.familyName { o["prs_SecondName"] = .string(family) }
        if let dob = person.dateOfBirth { o["prs_Birthdate"] = .string(dob.description) }
        if let gender = person.gender { o["prs_Gender"] = .string(Self.htcdsGender[gender] ?? "NonSpecifiedUnknown") }
        if !person.citizenship.isEmpty { o["prs_Citizenship"] = .string(person.citizenship.joined(separator: ";")) }
        if let first = person.languages.first { o["prs_PrimaryLanguage"] = .string(first) }
        if person.languages.count > 1 { o["prs_SecondaryLanguage"] = .string(person.languages[1]) }
        if let document = person.identityDocuments.first { o["prs_IdentityNumber"] = .string(document.number) }
        if let status = Self.htcdsStatus[theCase.traffickingStatus] { o["vic_TraffickingStatus"] = .string(status) }
        if let by = theCase.statusDetermination?.identifiedBy {
            o["vic_TraffickingStatusDecisionMakingOrg"] = .string(Self.htcdsDecidedBy[by] ?? "Other")
        }
        let screenings = try await records.list(Screening.self, key: .caseID(caseID)).map(\.value)
        if let latest = screenings.max(by: { ($0.date, $0.id) < ($1.date, $1.id) }), !latest.exploitation.isEmpty {
            o["vic_TypeOfExploitation"] = .string(latest.exploitation.map { Self.htcdsExploitation[$0] ?? "Other" }.joined(separator: ";"))
        }
        o["cas_Status"] = .string(Self.htcdsCaseStatus[theCase.status] ?? "Active")
        if let reason = theCase.closureReason { o["cas_ReasonForCaseClosure"] = .string(reason) }
        if let worker = theCase.assignedWorker { o["cas_CaseOwner"] = .string(worker.description) }
        let referrals = try await records.list(Referral.self, key: .caseID(caseID)).map(\.value).sorted { $0.createdAt < $1.createdAt }
        if let last = referrals.last {
            o["cas_ReferredOrganisation"] = .string(last.to.description)
            o["cas_OutgoingReferralDate"] = .string(last.createdAt.day.description)
        }
        let consents = try await records.list(Consent.self, key: .caseID(caseID)).map(\.value)
        o["con_Consent"] = .bool(consents.contains { $0.givenAt != nil && $0.withdrawnAt == nil })
        return .object(o)
    }

    static let htcdsGender: [Gender: String] = [
        .feminine: "Feminine", .masculine: "Masculine", .transgenderFeminine: "TransgenderFeminine",
        .transgenderMasculine: "TransgenderMasculine", .nonConforming: "NonConforming", .nonSpecifiedUnknown: "NonSpecifiedUnknown",
    ]
    static let htcdsStatus: [TraffickingStatus: String] = [
        .possible: "PossibleVictimOfTrafficking", .actual: "ActualVictimOfTrafficking", .notVictim: "NotAVictimOfTrafficking",
    ]
    /// HTCDS has no multidisciplinary team: an MDT's decision is `Other`.
    static let htcdsDecidedBy: [IdentifiedBy: String] = [
        .police: "Police", .ngo: "NGO", .court: "CourtOrProsecution", .mdt: "Other", .other: "Other",
    ]
    /// HTCDS TypeOfExploitation for each value of the vocabulary's `exploitation`; a value a country
    /// team adds is `Other` in an HTCDS export until it is mapped here.
    static let htcdsExploitation: [String: String] = [
        "forced_labour": "ForcedLabour", "sexual_exploitation": "SexualExploitation", "child_labour": "ChildLabour",
        "forced_marriage": "ForcedMarriage", "servitude": "Servitude", "forced_military": "ForcedMilitaryByNonStateActors",
        "organ_removal": "OrganRemoval", "forced_begging": "ForcedBegging", "forced_adoption": "ForcedAdoption",
        "surrogacy": "Surrogacy", "other": "Other",
    ]
    static let htcdsCaseStatus: [CaseStatus: String] = [
        .active: "Active", .followUp: "FollowUp", .closed: "Closed", .closedReferred: "ClosedReferred",
    ]
}
