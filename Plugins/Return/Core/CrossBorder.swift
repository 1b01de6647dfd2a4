import GloJSON
public import GloKit

/// A handover across the border, between two hosts that each keep their own records: the packet
/// goes to the peer that serves the destination as a sealed `handover` message, written in the same
/// commit as the packet; the peer opens its own case from it (owned by its receiving organisation),
/// plans its own `return.steps`, and answers `accepted` (with its case's id), then `received` when
/// its reception step is done, or `refused` with why. The answers are recorded on the return here,
/// `received` completing its `reception` step.
extension Returns {
    /// What a handover did: the case opened here (one host serving both sides), or the message that
    /// carries the packet to the peer that serves the destination.
    public struct Handover: Sendable {
        public var packet: HandoverPacket
        public var destinationCase: Case?
        public var peer: String?
        public var message: MessageID?
    }

    /// Sends the packet the caseworker saw to where the person goes: to the peer that serves the
    /// destination when this host does not, else on this host (`send`).
    public func handOver(_ seen: HandoverPacket, actor: Agent) async throws -> Handover {
        let ret = try await records.require(Return.self, seen.returnID.description).value
        guard let peer = try await federation.peer(serving: ret.to) else {
            let (packet, destination) = try await send(seen, actor: actor)
            return Handover(packet: packet, destinationCase: destination)
        }
        guard seen.receivingOrganisation == peer.identity.organisation.id else {
            throw GloKitError.refused("\(ret.to) is served by the host \(peer.hostID), whose receiving organisation is \(peer.identity.organisation.name) (\(peer.identity.organisation.id)): prepare the packet for it")
        }
        let (now, found, origin, identity) = try await prepare(seen, actor: actor)
        var consent: Consent?
        if let reference = now.consentReference { consent = try await records.require(Consent.self, reference.description).value }
        var body: [String: JSONValue] = [
            "return_id": .string(found.value.id.description), "packet_id": .string(now.id), "route": .string(found.value.route.rawValue),
            "from": .string(found.value.from.rawValue), "to": .string(found.value.to.rawValue),
            "fields": .array(now.fields.map(JSONValue.string)), "withheld": .array(now.withheld.map(JSONValue.string)),
        ]
        if let logistics = now.logistics { body["logistics"] = try GloKitCoding.jsonValue(logistics) }
        if let needs = now.needsAndRisks { body["needs_and_risks"] = try GloKitCoding.jsonValue(needs) }
        let payload = FederationMessage.Payload(kind: .handover, jurisdiction: found.value.to, senderCase: origin.id, body: .object(body),
                                                personal: try GloKitCoding.jsonValue(identity),
                                                consent: consent.map(FederationMessage.ConsentReference.init))
        var sent = now
        sent.sentAt = .now
        sent.peer = peer.hostID
        var ret2 = found.value
        ret2.handoverPacket = sent.id
        let updated = ret2
        var messageID: MessageID?
        try await records.commit { change in
            messageID = try federation.send(payload, to: peer, caseID: origin.id, jurisdiction: origin.jurisdiction, actor: actor, in: &change)
            sent.message = messageID
            try change.insert(sent)
            try change.update(updated, from: found.version)
            change.emit(Self.handedOver, jurisdiction: origin.jurisdiction, subject: "case:\(origin.id)", actor: actor,
                        data: .object(["case_id": .string(origin.id.description), "return_id": .string(updated.id.description),
                                       "packet_id": .string(sent.id), "to": .string(updated.to.rawValue), "peer": .string(peer.hostID),
                                       "message_id": .string(messageID?.description ?? ""),
                                       "fields": .array(sent.fields.map(JSONValue.string))]))
        }
        return Handover(packet: sent, peer: peer.hostID, message: messageID)
    }

    /// A message from another host: a handover opens a case here; an answer is recorded on the return
    /// it answers. Redelivered, it changes nothing (the message is linked to its case once).
    func handle(_ event: Event, actor: Agent) async throws {
        guard let id = event.data["message_id"]?.stringValue.flatMap(MessageID.init),
              let message = try await federation.received(id) else { return }
        switch message.value.kind {
        case .handover: try await open(message, actor: actor)
        case .accepted, .received, .refused: try await record(answer: message.value, actor: actor)
        default: return
        }
    }

    /// Opens this host's case from a handover: the person from the identity fields, the case owned by
    /// this host's receiving organisation, the packet as received, and the return planned with this
    /// jurisdiction's `return.steps`; answers `accepted` with the new case's id, all in one commit. A
    /// handover that cannot be taken in is answered `refused`, with why.
    func open(_ message: Versioned<InboxMessage>, actor: Agent) async throws {
        let m = message.value
        guard m.caseID == nil, let me = federation.identity, let peer = try await federation.peer(m.sender)?.value else { return }
        let body = m.payload.body
        let identity = m.payload.personal.flatMap { try? JSONValueCoder.decode(HandoverPacket.Identity.self, from: $0) }
        let logistics = body["logistics"].flatMap { try? JSONValueCoder.decode(HandoverPacket.Logistics.self, from: $0) }
        guard let identity, let route = body["route"]?.stringValue.flatMap(ReturnRoute.init(rawValue:)),
              let from = body["from"]?.stringValue.map({ JurisdictionID($0) }), let returnID = body["return_id"]?.stringValue.flatMap(ReturnID.init),
              let originCase = m.payload.senderCase.flatMap(CaseID.init) else {
            return try await refuse(message, peer: peer, "the packet carries no identity, or no route, origin and return: no case can be opened from it", actor: actor)
        }
        let person = Person(personal: PersonalData(givenNames: identity.givenNames, familyName: identity.familyName,
                                                   dateOfBirth: identity.dateOfBirth, sex: identity.sex,
                                                   citizenship: identity.citizenship, identityDocuments: identity.identityDocuments))
        let theCase = Case(jurisdiction: m.payload.jurisdiction, ownerOrganisation: me.organisation.id, person: person.id,
                           opened: logistics?.handoverDate ?? Timestamp.now.day)
        let facts: JSONValue = .object(["route": .string(route.rawValue), "country": .string(from.rawValue),
                                        "origin": .string(m.payload.jurisdiction.rawValue)])
        let steps = try decisions.evaluate(Self.stepsDecision, for: theCase, facts: facts)
        let packetID = body["packet_id"]?.stringValue ?? "\(returnID)|\(me.organisation.id)"
        let packet = HandoverPacket(
            id: packetID, returnID: returnID, originCase: originCase, receivingOrganisation: me.organisation.id,
            fields: body["fields"]?.stringArray ?? [], withheld: body["withheld"]?.stringArray ?? [], identity: identity,
            logistics: logistics,
            needsAndRisks: body["needs_and_risks"].flatMap { try? JSONValueCoder.decode(HandoverPacket.NeedsAndRisks.self, from: $0) },
            consentReference: m.payload.consent?.id, decision: steps.id, destinationCase: theCase.id, sentAt: m.receivedAt,
            peer: m.sender, message: m.id)
        let reception = Return(caseID: theCase.id, from: from, to: m.payload.jurisdiction, route: route, steps: Self.steps(from: steps),
                               handoverPacket: packetID)
        let accepted = FederationMessage.Payload(
            kind: .accepted, jurisdiction: from, senderCase: theCase.id, recipientCase: originCase.description, inReplyTo: m.id,
            body: .object(["return_id": .string(returnID.description), "case_id": .string(theCase.id.description),
                           "receiving_agency": .string(steps.result["receiving_agency"]?.stringValue ?? me.organisation.name)]))
        try await records.commit { change in
            try federation.link(message, to: theCase.id, in: &change)
            try change.put(person)
            try change.insert(theCase)
            try change.insert(packet)
            try change.record(steps, actor: actor)
            try change.insert(reception)
            change.emit(CoreEvents.caseOpened, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "person_id": .string(person.id.description),
                                       "from_packet": .string(packetID)]))
            change.emit(Self.packetReceived, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "packet_id": .string(packetID), "from": .string(from.rawValue)]))
            change.emit(Self.planned, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "return_id": .string(reception.id.description),
                                       "route": .string(route.rawValue), "to": .string(reception.to.rawValue),
                                       "steps": .array(reception.steps.map { .string($0.id) })]))
            try federation.send(accepted, to: peer, caseID: theCase.id, jurisdiction: theCase.jurisdiction, actor: actor, in: &change)
        }
    }

    private func refuse(_ message: Versioned<InboxMessage>, peer: FederationPeer, _ why: String, actor: Agent) async throws {
        let payload = FederationMessage.Payload(kind: .refused, jurisdiction: message.value.payload.body["from"]?.stringValue.map({ JurisdictionID($0) }) ?? "intl",
                                                senderCase: nil, recipientCase: message.value.payload.senderCase, inReplyTo: message.value.id,
                                                body: .object(["return_id": message.value.payload.body["return_id"] ?? .null, "reason": .string(why)]))
        try await records.commit { change in
            try federation.send(payload, to: peer, caseID: nil, jurisdiction: nil, actor: actor, in: &change)
        }
    }

    /// Records the receiving host's answer on the return it answers; `received` completes the
    /// `reception` step on the day the person was received.
    func record(answer message: InboxMessage, actor: Agent) async throws {
        guard let returnID = message.payload.body["return_id"]?.stringValue.flatMap(ReturnID.init),
              let found = try await records.get(Return.self, returnID.description) else { return }
        var ret = found.value
        guard !(ret.answers ?? []).contains(where: { $0.message == message.id }) else { return }
        let on = message.payload.body["on"]?.stringValue.flatMap(CalendarDate.init)
        ret.answers = (ret.answers ?? []) + [ReturnAnswer(kind: message.kind, at: message.receivedAt, on: on,
                                                          reason: message.payload.body["reason"]?.stringValue, message: message.id)]
        if message.kind == .received, let i = ret.steps.firstIndex(where: { $0.id == "reception" && $0.status == .pending }) {
            ret.steps[i].status = .done
            ret.steps[i].doneOn = on ?? message.receivedAt.day
        }
        var packet: Versioned<HandoverPacket>?
        if let packetID = ret.handoverPacket { packet = try await records.get(HandoverPacket.self, packetID) }
        if message.kind == .accepted, var p = packet?.value {
            p.remoteCase = message.payload.senderCase
            packet?.value = p
        }
        let (updated, updatedPacket) = (ret, packet)
        let theCase = try await records.require(Case.self, ret.caseID.description).value
        try await records.commit { change in
            try change.update(updated, from: found.version)
            if message.kind == .accepted, let p = updatedPacket { try change.update(p.value, from: p.version) }
            change.emit(Self.answered, jurisdiction: theCase.jurisdiction, subject: "case:\(theCase.id)", actor: actor,
                        data: .object(["case_id": .string(theCase.id.description), "return_id": .string(updated.id.description),
                                       "answer": .string(message.kind.rawValue), "message_id": .string(message.id.description)]))
        }
    }

    /// The `received` answer, when the step done is the first of a reception whose packet came from
    /// another host: sent in the commit that marks the step done.
    func receptionAnswer(_ ret: Return, step index: Int, on day: CalendarDate) async throws -> (FederationPeer, FederationMessage.Payload)? {
        guard index == 0, let packetID = ret.handoverPacket, let packet = try await records.get(HandoverPacket.self, packetID)?.value,
              let sender = packet.peer, packet.destinationCase == ret.caseID,
              let peer = try await federation.peer(sender)?.value, peer.state == .enabled else { return nil }
        return (peer, FederationMessage.Payload(
            kind: .received, jurisdiction: ret.from, senderCase: ret.caseID, recipientCase: packet.originCase.description,
            inReplyTo: packet.message, body: .object(["return_id": .string(packet.returnID.description), "on": .string(day.description),
                                                      "step": .string(ret.steps[0].id)])))
    }
}
