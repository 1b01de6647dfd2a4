public import GloBase
import GloJSON
public import GloKit

/// Immigration: record deportations of people found not to be victims, with the official notice to
/// their country, and push backs across the border (no notice) as harms to follow up on the other
/// side. Anyone about to be deported is screened first: a person whose pathway is victim, or is
/// still undetermined, is not deported. Where the pack decides `return.route`, a deportation must be
/// the route it gives (never a stateless person's, never a child held for a best-interests
/// determination), in the custody it names (a child's never detention).
public struct ImmigrationPlugin: Plugin {
    public let id = "immigration"
    public let version = "1.0.0"
    public let summary = "Deportations with official notice, screened first; push backs recorded and flagged"
    public let dependencies = ["identification"]
    public let emits = [Immigration.deported, Immigration.pushedBack, Immigration.pushBackReported]
    /// Deportation notices and push-back reports from other hosts.
    public let handles = [EventPattern(FederationEvents.received)]

    public init() {}

    public func handle(_ event: Event, _ context: PluginContext) async throws {
        try await Immigration(context).handle(event)
    }
}

/// An official return of a non-victim, with the notice to the country of origin.
public struct Deportation: StoredEntity, Equatable {
    public static let collection = RecordCollection("deportation")

    public struct Notification: Sendable, Codable, Equatable {
        /// The authority of the destination notified, as it is named.
        public var authority: String
        public var on: CalendarDate
        public var reference: String?

        public init(authority: String, on: CalendarDate, reference: String? = nil) {
            self.authority = authority
            self.on = on
            self.reference = reference
        }
    }

    public var id: String
    public var caseID: CaseID
    public var from: JurisdictionID
    public var to: JurisdictionID
    public var on: CalendarDate
    public var notification: Notification
    /// Where the person is while the deportation is arranged: `none`, `reporting` or `detention`, as
    /// the pack's `return.route` names it (or offers in `custody_alternatives`); nil where the pack
    /// decides no route.
    public var custody: String?
    /// The `return.route` decision the deportation followed.
    public var routeDecision: DecisionID?

    public init(caseID: CaseID, from: JurisdictionID, to: JurisdictionID, on: CalendarDate, notification: Notification,
                custody: String? = nil) {
        self.id = EntityID<Deportation>().description
        self.caseID = caseID
        self.from = from
        self.to = to
        self.on = on
        self.notification = notification
        self.custody = custody
    }

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [.caseID(caseID), .jurisdiction(from)] }

    enum CodingKeys: String, CodingKey {
        case id, from, to, on, notification, custody
        case caseID = "case_id"
        case routeDecision = "route_decision"
    }

    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if let custody, !Self.custodies.contains(custody) {
            errors.append(FieldError(field: "deportation.custody", message: "is \"\(custody)\", expected one of \(Self.custodies.joined(separator: ", "))"))
        }
        if notification.authority.allSatisfy(\.isWhitespace) {
            errors.append(FieldError(field: "deportation.notification.authority",
                                     message: "is required: a deportation is notified officially to the country of origin (without notice it is a push back)"))
        }
        if from == to { errors.append(FieldError(field: "deportation.to", message: "must be another country than the one deporting")) }
        if notification.on > on {
            errors.append(FieldError(field: "deportation.notification.on", message: "must be on or before the deportation"))
        }
        return errors
    }
}

extension Deportation {
    static let custodies = ["none", "reporting", "detention"]
}

/// A return across the border without official notice: recorded and flagged, never recommended.
public struct PushBack: StoredEntity, Equatable {
    public static let collection = RecordCollection("push_back")
    public var id: String
    public var caseID: CaseID?
    /// The side that pushed the person back, and the side they were pushed to.
    public var from: JurisdictionID
    public var to: JurisdictionID
    public var on: CalendarDate
    /// Where, as the report says (a crossing point); no personal data.
    public var place: String?
    /// How many people, when a group.
    public var people: Int
    public var reportedBy: OrganisationID

    public init(caseID: CaseID? = nil, from: JurisdictionID, to: JurisdictionID, on: CalendarDate, place: String? = nil,
                people: Int = 1, reportedBy: OrganisationID) {
        self.id = EntityID<PushBack>().description
        self.caseID = caseID
        self.from = from
        self.to = to
        self.on = on
        self.place = place
        self.people = people
        self.reportedBy = reportedBy
    }

    public var recordID: String { id }
    public var indexKeys: [IndexKey] { [.jurisdiction(from), .jurisdiction(to)] + (caseID.map { [.caseID($0)] } ?? []) }

    enum CodingKeys: String, CodingKey {
        case id, from, to, on, place, people
        case caseID = "case_id"
        case reportedBy = "reported_by"
    }

    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if from == to { errors.append(FieldError(field: "push_back.to", message: "must be the other side of the border")) }
        if people < 1 { errors.append(FieldError(field: "push_back.people", message: "must be at least 1")) }
        return errors
    }
}

/// The immigration workflow.
public struct Immigration: Sendable {
    public static let routeDecision = "return.route"
    public static let deported = EventType("immigration.deported", "a person was deported, with the official notice",
                                           data: ["case_id", "deportation_id", "to", "on", "notified", "custody"])
    public static let pushedBack = EventType("immigration.pushed_back", "people pushed back across the border were recorded",
                                             data: ["push_back_id", "to", "on", "people", "case_id"])
    let records: Records
    let cases: CaseService
    let decisions: DecisionService
    let federation: Federation

    public init(_ context: PluginContext) {
        records = context.records
        cases = context.cases
        decisions = context.decisions
        federation = context.federation
    }

    /// Why the person of this case may not be deported, or nil: only someone screened and found not
    /// to be a victim (a smuggled or irregular migrant, or not a victim by a person's decision) is.
    public func refusal(_ theCase: Case) -> String? {
        switch (theCase.traffickingStatus, theCase.pathway) {
        case (.possible, _), (.actual, _):
            return "the person of case \(theCase.id) is a \(theCase.traffickingStatus.rawValue) victim of trafficking: a victim returns through the victim procedure, never by deportation"
        case (_, .victim?):
            return "the pathway of case \(theCase.id) is victim: a victim returns through the victim procedure, never by deportation"
        case (.notVictim, _), (_, .smuggledMigrant?), (_, .irregularMigrant?), (_, .notApplicable?):
            return nil
        case (_, .undetermined?), (_, .vulnerableMigrant?), (_, nil):
            return "case \(theCase.id) has not been screened to a conclusion (pathway \(theCase.pathway?.rawValue ?? "none")): a smuggled or irregular migrant can also be a victim; complete the screening before any deportation"
        }
    }

    /// Records a deportation (`immigration.deported`), after the screening check and, where the pack
    /// decides `return.route`, only when that route is deportation now. Its custody is the pack's
    /// (`custody`), or one of the alternatives it offers; without one asked for, the pack's.
    @discardableResult
    public func deport(_ deportation: Deportation, actor: Agent) async throws -> Deportation {
        let theCase = try await records.require(Case.self, deportation.caseID.description).value
        if let why = refusal(theCase) { throw GloKitError.refused(why) }
        var deportation = deportation
        var route: DecisionRecord?
        if try decisions.provides(Self.routeDecision, for: theCase) {
            let decided = try decisions.evaluate(Self.routeDecision, for: theCase, facts: try await cases.facts(for: theCase.id))
            guard decided.outcome == "deportation" else {
                throw GloKitError.refused("the \(theCase.jurisdiction) pack does not give deportation for case \(theCase.id): it decides \(decided.outcome) (\(decided.reasons.joined(separator: "; ")))")
            }
            let given = decided.result["custody"]?.stringValue
            let allowed = [given].compactMap { $0 } + (decided.result["custody_alternatives"]?.stringArray ?? [])
            if let asked = deportation.custody, !allowed.contains(asked) {
                throw GloKitError.refused("custody '\(asked)' is not one the \(theCase.jurisdiction) pack allows for case \(theCase.id) (it allows: \(allowed.joined(separator: ", "))): \(decided.reasons.joined(separator: "; "))")
            }
            deportation.custody = deportation.custody ?? given
            deportation.routeDecision = decided.id
            route = decided
        }
        _ = try deportation.validated()
        let recorded = deportation
        // The country of origin runs its own host: the official notice goes to it with the record.
        let peer = try await federation.peer(serving: recorded.to)
        try await records.commit { change in
            if let route { try change.record(route, actor: actor) }
            try change.insert(recorded)
            if let peer {
                try federation.send(FederationMessage.Payload(kind: .deportationNotice, jurisdiction: recorded.to, senderCase: theCase.id,
                                                              body: Self.notice(recorded)),
                                    to: peer, caseID: theCase.id, jurisdiction: recorded.from, actor: actor, in: &change)
            }
            var data: [String: JSONValue] = [
                "case_id": .string(theCase.id.description), "deportation_id": .string(recorded.id),
                "to": .string(recorded.to.rawValue), "on": .string(recorded.on.description),
                "notified": .string(recorded.notification.authority),
            ]
            if let custody = recorded.custody { data["custody"] = .string(custody) }
            change.emit(Self.deported, jurisdiction: recorded.from, subject: "case:\(theCase.id)", actor: actor, data: .object(data))
        }
        return recorded
    }

    /// Records a push back (`immigration.pushed_back`) and flags it for follow-up by the side the
    /// person was pushed to (`case.flagged` in that jurisdiction).
    @discardableResult
    public func recordPushBack(_ pushBack: PushBack, actor: Agent) async throws -> PushBack {
        if let caseID = pushBack.caseID { _ = try await records.require(Case.self, caseID.description) }
        // The side that pushed runs its own host: the report goes to it, for it to follow up.
        let peer = try await federation.peer(serving: pushBack.from)
        try await records.commit { change in
            try change.insert(pushBack)
            if let peer {
                try federation.send(FederationMessage.Payload(kind: .pushBackReport, jurisdiction: pushBack.from, senderCase: pushBack.caseID,
                                                              body: Self.report(pushBack)),
                                    to: peer, caseID: pushBack.caseID, jurisdiction: pushBack.to, actor: actor, in: &change)
            }
            var data: [String: JSONValue] = ["push_back_id": .string(pushBack.id), "to": .string(pushBack.to.rawValue),
                                             "on": .string(pushBack.on.description), "people": .int(Int64(pushBack.people))]
            if let caseID = pushBack.caseID { data["case_id"] = .string(caseID.description) }
            change.emit(Self.pushedBack, jurisdiction: pushBack.from, subject: "push_back:\(pushBack.id)", actor: actor,
                        data: .object(data))
        }
        try await cases.raise(CaseFlag(
            caseID: nil, jurisdiction: pushBack.to, code: "push_back_follow_up", subject: pushBack.id,
            message: "\(pushBack.people) person(s) pushed back from \(pushBack.from) on \(pushBack.on) without official notice: follow up (risk of re-trafficking)",
            raisedBy: actor))
        return pushBack
    }

    /// The open push-back flags a jurisdiction must follow up.
    public func followUps(_ jurisdiction: JurisdictionID) async throws -> [CaseFlag] {
        try await records.list(CaseFlag.self, key: .jurisdiction(jurisdiction)).map(\.value)
            .filter { $0.code == "push_back_follow_up" && $0.resolvedAt == nil }
    }
}
