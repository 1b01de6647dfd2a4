import Foundation
public import GloBase
import GloJSON
public import GloKit
import GloRules

/// Return: decide `return.route` where the person is, follow the steps of the procedure that the
/// packs give (`return.steps`, so the SOP changes without recompiling), and hand over a minimal
/// packet (`return.packet`) from which the destination jurisdiction opens its case.
///
/// Two steps are gated by their pack ids: `consent` needs the person's consent to the handover
/// (purpose `return_handover`), and `handover_at_border` needs the packet sent. A step the pack gives
/// a `done_when` needs those facts recorded on the case (a guardian appointed, a safety plan...).
///
/// A `hold` whose every step can be completed that way (a child's best-interests determination and
/// guardian, a safety plan) is planned too, as those steps; when the last is done the route is decided
/// again and, if it is now a return, its steps follow (`return.replanned`).
public struct ReturnPlugin: Plugin {
    public let id = "return"
    public var sealedEntities: [any StoredEntity.Type] { [HandoverPacket.self] }
    public let version = "1.0.0"
    public let summary = "Return routes, the SOP steps from the packs, and the handover packet"
    public let dependencies = ["identification"]
    /// `return.route` is asked only where a return leaves from (LA's pack, for one, decides no route).
    public let decisionsNeeded = [Returns.stepsDecision, Returns.packetDecision]
    public let emits = [Returns.planned, Returns.stepDone, Returns.replanned, Returns.handedOver, CoreEvents.caseOpened,
                        Returns.packetReceived, Returns.received, Returns.answered]
    /// Handovers from other hosts, and their answers to ours.
    public let handles = [EventPattern(FederationEvents.received)]

    public init() {}

    public func handle(_ event: Event, _ context: PluginContext) async throws {
        try await Returns(context).handle(event, actor: context.actor)
    }
}

/// The return workflow.
public struct Returns: Sendable {
    public static let routeDecision = "return.route"
    public static let stepsDecision = "return.steps"
    public static let packetDecision = "return.packet"
    public static let planned = EventType("return.planned", "a return was planned on the route decided, with the pack's steps",
                                          data: ["case_id", "return_id", "route", "to", "steps"])
    public static let stepDone = EventType("return.step_done", "a step of a return was done", data: ["case_id", "return_id", "step"])
    public static let replanned = EventType("return.replanned", "a hold's last step was done and the return now follows its route",
                                            data: ["case_id", "return_id", "route", "steps"])
    public static let handedOver = EventType("return.handed_over", "the handover packet was sent to the destination",
                                             data: ["case_id", "return_id", "packet_id", "to", "destination_case_id", "fields"])
    public static let packetReceived = EventType("return.packet_received", "a handover packet opened a case at the destination",
                                                 data: ["case_id", "packet_id", "from"])
    public static let received = EventType("return.received", "the destination received the person",
                                           data: ["case_id", "return_id", "receiving_agency", "received_by", "origin_return_id"])
    public static let answered = EventType("return.answered", "the receiving host answered a handover sent across the border",
                                           data: ["case_id", "return_id", "answer", "message_id"])
    let records: Records
    let decisions: DecisionService
    let cases: CaseService
    let federation: Federation

    public init(_ context: PluginContext) {
        records = context.records
        decisions = context.decisions
        cases = context.cases
        federation = context.federation
    }

    /// Decides the route on the case's facts now (never a push back).
    @discardableResult
    public func decideRoute(_ caseID: CaseID, actor: Agent) async throws -> DecisionRecord {
        try await decisions.decide(Self.routeDecision, for: caseID, facts: try await cases.facts(for: caseID), actor: actor)
    }

    /// Plans the return to `destination` on the route decided now, with the steps the case's pack
    /// gives for it (`return.planned`). A route that is no return (stay, or a hold a caseworker cannot
    /// complete by recording facts, such as identification) is refused with why.
    @discardableResult
    public func plan(_ caseID: CaseID, to destination: JurisdictionID, actor: Agent) async throws -> Return {
        let theCase = try await records.require(Case.self, caseID.description).value
        // Both decisions are stored with the plan, so that a refused plan leaves nothing behind.
        let (route, chosen, steps) = try await decideSteps(theCase, to: destination)
        guard [.repatriationAsVictim, .voluntaryReturn, .deportation, .hold].contains(chosen) else {
            throw GloKitError.refused("no return for case \(caseID): the \(theCase.jurisdiction) pack decides \(route.outcome) (\(route.reasons.joined(separator: "; ")))")
        }
        if chosen == .deportation {
            throw GloKitError.refused("the route for case \(caseID) is deportation: the immigration workflow records it, with the official notice")
        }
        let planned = Return(caseID: caseID, from: theCase.jurisdiction, to: destination, route: chosen,
                             steps: Self.steps(from: steps))
        if chosen == .hold, planned.steps.isEmpty || planned.steps.contains(where: { $0.doneWhen == nil }) {
            throw GloKitError.refused("no return for case \(caseID) yet: the \(theCase.jurisdiction) pack holds it for \((route.result["hold_reasons"]?.stringArray ?? []).joined(separator: ", ")) (\(route.reasons.joined(separator: "; ")))")
        }
        try await records.commit { change in
            try change.record(route, actor: actor)
            try change.record(steps, actor: actor)
            try change.insert(planned)
            change.emit(Self.planned, jurisdiction: theCase.jurisdiction, subject: "case:\(caseID)", actor: actor,
                        data: .object(["case_id": .string(caseID.description), "return_id": .string(planned.id.description),
                                       "route": .string(chosen.rawValue), "to": .string(destination.rawValue),
                                       "steps": .array(planned.steps.map { .string($0.id) })]))
        }
        return planned
    }

    /// `return.route` decided now, and `return.steps` for that route to `destination`.
    func decideSteps(_ theCase: Case, to destination: JurisdictionID) async throws
        -> (route: DecisionRecord, chosen: ReturnRoute, steps: DecisionRecord) {
        var facts = try await cases.facts(for: theCase.id).objectValue ?? [:]
        let route = try decisions.evaluate(Self.routeDecision, for: theCase, facts: .object(facts))
        guard let chosen = ReturnRoute(rawValue: route.outcome) else {
            throw GloKitError.refused("no return for case \(theCase.id): the \(theCase.jurisdiction) pack decides \(route.outcome) (\(route.reasons.joined(separator: "; ")))")
        }
        facts["route"] = .string(chosen.rawValue)
        facts["origin"] = .string(destination.rawValue)
        return (route, chosen, try decisions.evaluate(Self.stepsDecision, for: theCase, facts: .object(facts)))
    }

    static func steps(from decision: DecisionRecord) -> [ReturnStep] {
        (decision.result["steps"]?.arrayValue ?? []).compactMap { s in
            guard let id = s["id"]?.stringValue, let label = s["label"]?.stringValue, let actor = s["actor"]?.stringValue else { return nil }
            let doneWhen = s["done_when"]?.objectValue?.compactMapValues { $0.arrayValue }
            return ReturnStep(id: id, label: label, actor: actor, basis: s["basis"]?.stringArray ?? [], doneWhen: doneWhen)
        }
    }

    /// Marks the next pending step done; steps are done in the pack's order.
    @discardableResult
    public func complete(_ returnID: ReturnID, step stepID: String, on day: CalendarDate, actor: Agent) async throws -> Return {
        let found = try await records.require(Return.self, returnID.description)
        var ret = found.value
        guard let index = ret.steps.firstIndex(where: { $0.id == stepID }) else {
            throw GloKitError.refused("return \(returnID) has no step '\(stepID)' (its steps: \(ret.steps.map(\.id).joined(separator: ", ")))")
        }
        if let pending = ret.steps.firstIndex(where: { $0.status == .pending }), pending < index {
            throw GloKitError.refused("step '\(stepID)' comes after '\(ret.steps[pending].id)', which is not done yet")
        }
        guard ret.steps[index].status == .pending else { throw GloKitError.refused("step '\(stepID)' is done already") }
        switch stepID {
        case "consent":
            guard try await handoverConsent(ret.caseID, for: nil) != nil else {
                throw GloKitError.refused("no consent to return and to share data is recorded for case \(ret.caseID): record the person's consent (purpose return_handover) first")
            }
        case "handover_at_border":
            guard ret.handoverPacket != nil else {
                throw GloKitError.refused("the handover packet of return \(returnID) has not been sent: preview and send it first")
            }
        default: break
        }
        if let needed = ret.steps[index].doneWhen {
            let recorded = try await cases.recordedFacts(ret.caseID)
            let lacking = needed.keys.sorted().filter { fact in !(needed[fact] ?? []).contains(recorded[fact] ?? .null) }
            if !lacking.isEmpty {
                throw GloKitError.refused("step '\(stepID)' needs " + lacking.map { "\($0) recorded as \(JSONValue.array(needed[$0] ?? []))" }
                    .joined(separator: " and ") + " on case \(ret.caseID) first")
            }
        }
        ret.steps[index].status = .done
        ret.steps[index].doneOn = day
        let theCase = try await records.require(Case.self, ret.caseID.description).value
        // The last step of a hold done: decide the route again; a return now gets its steps after these.
        var replanned: (route: DecisionRecord, steps: DecisionRecord)?
        if ret.route == .hold, !ret.steps.contains(where: { $0.status == .pending }) {
            let (route, chosen, steps) = try await decideSteps(theCase, to: ret.to)
            if chosen == .repatriationAsVictim || chosen == .voluntaryReturn {
                let done = Set(ret.steps.map(\.id))
                ret.route = chosen
                ret.steps += Self.steps(from: steps).filter { !done.contains($0.id) }
                replanned = (route, steps)
            }
        }
        let updated = ret
        // The first reception step of a packet that came from another host: that host hears of it.
        let answer = try await receptionAnswer(updated, step: index, on: day)
        try await records.commit { change in
            try change.update(updated, from: found.version)
            if let (peer, payload) = answer {
                try federation.send(payload, to: peer, caseID: theCase.id, jurisdiction: theCase.jurisdiction, actor: actor, in: &change)
            }
            change.emit(Self.stepDone, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "return_id": .string(returnID.description),
                                       "step": .string(stepID)]))
            if let replanned {
                try change.record(replanned.route, actor: actor)
                try change.record(replanned.steps, actor: actor)
                change.emit(Self.replanned, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                            data: .object(["case_id": .string(theCase.id.description), "return_id": .string(returnID.description),
                                           "route": .string(updated.route.rawValue), "steps": .array(updated.steps.map { .string($0.id) })]))
            }
        }
        return updated
    }

    /// The person's consent to the handover (to `recipient`, when given), in force now.
    func handoverConsent(_ caseID: CaseID, for recipient: OrganisationID?) async throws -> Consent? {
        let now = Timestamp.now
        return try await records.list(Consent.self, key: .caseID(caseID)).map(\.value).first { c in
            c.purpose == .returnHandover && (recipient.map { c.covers(.returnHandover, for: $0, at: now) }
                ?? (c.withdrawnAt.map { $0 > now } ?? true))
        }
    }

    /// The packet as it would be sent to `receiving`: the `return.packet` decision (on whether the
    /// person consented to share data with them) chooses the fields; only those are filled.
    public func packet(_ returnID: ReturnID, for receiving: OrganisationID, logistics: HandoverPacket.Logistics? = nil,
                       needs: [String] = [], actor: Agent) async throws -> HandoverPacket {
        let ret = try await records.require(Return.self, returnID.description).value
        let theCase = try await records.require(Case.self, ret.caseID.description).value
        let person = try await records.requirePerson(theCase.person).value
        let consent = try await handoverConsent(ret.caseID, for: receiving)
        var facts = try await cases.facts(for: ret.caseID).objectValue ?? [:]
        facts["consent_to_share_data"] = .bool(consent != nil)
        let decision = try decisions.evaluate(Self.packetDecision, for: theCase, facts: .object(facts))
        guard decision.outcome == "packet" else {
            throw GloKitError.refused("the \(theCase.jurisdiction) pack decides \(decision.outcome) for the packet: \(decision.reasons.joined(separator: "; "))")
        }
        let fields = decision.result["fields"]?.stringArray ?? []
        let p = person.personal
        var packet = HandoverPacket(
            id: "\(returnID)|\(receiving)", returnID: returnID, originCase: theCase.id, receivingOrganisation: receiving,
            fields: fields, withheld: decision.result["withheld"]?.stringArray ?? [], identity: nil, logistics: nil,
            needsAndRisks: nil, consentReference: nil, decision: decision.id)
        if fields.contains("identity") {
            packet.identity = .init(givenNames: p.givenNames, familyName: p.familyName, dateOfBirth: p.dateOfBirth, sex: p.sex,
                                    citizenship: p.citizenship, identityDocuments: p.identityDocuments)
        }
        if fields.contains("logistics") {
            packet.logistics = logistics ?? .init(route: ret.route.rawValue, from: ret.from, to: ret.to)
        }
        if fields.contains("needs_and_risks") {
            packet.needsAndRisks = .init(returnRisk: facts["return_risk"]?.stringValue, needs: needs)
        }
        if fields.contains("consent_reference") { packet.consentReference = consent?.id }
        return packet
    }

    /// Sends the packet the caseworker saw: it must be what `packet` gives now, with the person's
    /// consent to share data with the receiving organisation. The destination's case is opened from
    /// it (a new person from the identity fields, owned by the receiving organisation), in the same
    /// commit as the packet and the events on both sides.
    @discardableResult
    public func send(_ seen: HandoverPacket, actor: Agent) async throws -> (packet: HandoverPacket, destinationCase: Case) {
        let (now, found, origin, identity) = try await prepare(seen, actor: actor)
        let person = Person(personal: PersonalData(givenNames: identity.givenNames, familyName: identity.familyName,
                                                   dateOfBirth: identity.dateOfBirth, sex: identity.sex,
                                                   citizenship: identity.citizenship, identityDocuments: identity.identityDocuments))
        let destination = Case(jurisdiction: found.value.to, ownerOrganisation: seen.receivingOrganisation, person: person.id,
                               opened: now.logistics?.handoverDate ?? Timestamp.now.day)
        var sent = now
        sent.destinationCase = destination.id
        sent.sentAt = .now
        var ret = found.value
        ret.handoverPacket = sent.id
        let (packetToStore, updatedReturn) = (sent, ret)
        try await records.commit { change in
            try change.insert(packetToStore)
            try change.update(updatedReturn, from: found.version)
            try change.put(person)
            try change.insert(destination)
            change.emit(Self.handedOver, jurisdiction: origin.jurisdiction, subject: "case:\(origin.id)", actor: actor,
                        data: .object(["case_id": .string(origin.id.description), "return_id": .string(updatedReturn.id.description),
                                       "packet_id": .string(packetToStore.id), "to": .string(destination.jurisdiction.rawValue),
                                       "destination_case_id": .string(destination.id.description),
                                       "fields": .array(packetToStore.fields.map(JSONValue.string))]))
            change.emit(CoreEvents.caseOpened, jurisdiction: destination.jurisdiction, subject: "case:\(destination.id)", actor: actor,
                        data: .object(["case_id": .string(destination.id.description), "person_id": .string(person.id.description),
                                       "from_packet": .string(packetToStore.id)]))
            change.emit(Self.packetReceived, jurisdiction: destination.jurisdiction, subject: "case:\(destination.id)",
                        actor: actor, data: .object(["case_id": .string(destination.id.description),
                                                     "packet_id": .string(packetToStore.id),
                                                     "from": .string(origin.jurisdiction.rawValue)]))
        }
        return (sent, destination)
    }

    /// The packet the caseworker saw, as it is now: it must be what `packet` gives now, with the
    /// person's consent to share data with the receiving organisation, and not sent before.
    func prepare(_ seen: HandoverPacket, actor: Agent) async throws
        -> (packet: HandoverPacket, ret: Versioned<Return>, origin: Case, identity: HandoverPacket.Identity) {
        let now = try await packet(seen.returnID, for: seen.receivingOrganisation, logistics: seen.logistics,
                                   needs: seen.needsAndRisks?.needs ?? [], actor: actor)
        guard now.content == seen.content else {
            throw GloKitError.refused("the packet changed since it was shown (consent or facts changed): show it again before sending")
        }
        guard let identity = now.identity, now.consentReference != nil || !now.fields.contains("consent_reference") else {
            throw GloKitError.refused("no consent to share data with organisation \(seen.receivingOrganisation) is recorded: nothing may cross the border")
        }
        let found = try await records.require(Return.self, seen.returnID.description)
        guard found.value.handoverPacket == nil else { throw GloKitError.refused("the packet of return \(seen.returnID) was sent already") }
        let origin = try await records.require(Case.self, found.value.caseID.description).value
        return (now, found, origin, identity)
    }

    /// The destination receives the person: its pack's reception steps (`return.steps` of the
    /// destination) are planned on its case with the first done, and the origin's `reception` step
    /// is done too.
    @discardableResult
    public func receive(_ packetID: String, by agency: OrganisationID, on day: CalendarDate, actor: Agent) async throws -> Return {
        let packet = try await records.require(HandoverPacket.self, packetID).value
        guard let destinationID = packet.destinationCase else { throw GloKitError.refused("packet \(packetID) has not been sent") }
        if packet.peer != nil {
            // It came from another host, and its reception was planned when it came: its first step is the reception.
            guard let planned = try await records.list(Return.self, key: .caseID(destinationID)).map(\.value)
                    .first(where: { $0.handoverPacket == packetID }), let first = planned.steps.first else {
                throw GloKitError.refused("case \(destinationID) has no reception planned")
            }
            guard first.status == .pending else { throw GloKitError.refused("the person of case \(destinationID) has been received already") }
            return try await complete(planned.id, step: first.id, on: day, actor: actor)
        }
        if try await records.list(Return.self, key: .caseID(destinationID)).contains(where: { $0.value.handoverPacket == packetID }) {
            throw GloKitError.refused("the person of case \(destinationID) has been received already")
        }
        let destination = try await records.require(Case.self, destinationID.description).value
        let origin = try await records.require(Return.self, packet.returnID.description)
        let facts: JSONValue = .object(["route": .string(origin.value.route.rawValue), "country": .string(origin.value.from.rawValue),
                                        "origin": .string(origin.value.to.rawValue)])
        let steps = try await decisions.decide(Self.stepsDecision, for: destinationID, facts: facts, actor: actor)
        var reception = Return(caseID: destinationID, from: origin.value.from, to: origin.value.to, route: origin.value.route,
                               steps: Self.steps(from: steps), handoverPacket: packetID)
        if !reception.steps.isEmpty {
            reception.steps[0].status = .done
            reception.steps[0].doneOn = day
        }
        var originReturn = origin.value
        if let i = originReturn.steps.firstIndex(where: { $0.id == "reception" && $0.status == .pending }) {
            originReturn.steps[i].status = .done
            originReturn.steps[i].doneOn = day
        }
        let (received, updatedOrigin) = (reception, originReturn)
        try await records.commit { change in
            try change.insert(received)
            try change.update(updatedOrigin, from: origin.version)
            change.emit(Self.received, jurisdiction: destination.jurisdiction, subject: "case:\(destinationID)", actor: actor,
                        data: .object(["case_id": .string(destinationID.description), "return_id": .string(received.id.description),
                                       "receiving_agency": .string(steps.result["receiving_agency"]?.stringValue ?? ""),
                                       "received_by": .string(agency.description), "origin_return_id": .string(updatedOrigin.id.description)]))
        }
        return received
    }

    /// The packet that opened `caseID` at the destination, when it was opened by one.
    public func packet(received caseID: CaseID) async throws -> HandoverPacket? {
        try await records.list(HandoverPacket.self, key: .caseID(caseID)).map(\.value).first { $0.destinationCase == caseID }
    }

    /// The reception, recorded on the case the packet opened at the destination.
    @discardableResult
    public func receive(case caseID: CaseID, by agency: OrganisationID, on day: CalendarDate, actor: Agent) async throws -> Return {
        guard let packet = try await packet(received: caseID) else {
            throw GloKitError.refused("case \(caseID) was not opened by a handover packet: there is no return to receive")
        }
        return try await receive(packet.id, by: agency, on: day, actor: actor)
    }
}
