import Foundation
public import GloBase
import GloJSON
public import GloKit

/// News of a case left behind, for the host that received the person home: the Thai case goes on
/// after she has returned, and the Lao side supports her through it (a trial date, a request to
/// testify by video or early, compensation awarded and paid). A follow-up carries no personal data:
/// topics, dates, a court reference and amounts.
public struct FollowUp: Sendable, Hashable, Codable {
    public enum Topic: String, Sendable, Hashable, Codable, CaseIterable {
        case trialDate = "trial_date"
        case testimonyRequest = "testimony_request"
        case compensationAwarded = "compensation_awarded"
        case compensationPaid = "compensation_paid"
    }

    /// How a requested testimony may be given from home.
    public enum Testimony: String, Sendable, Hashable, Codable, CaseIterable {
        case video, early
    }

    public var topic: Topic
    public var on: CalendarDate
    public var testimony: Testimony?
    public var courtCaseReference: String?
    public var amount: Int?
    public var currency: String?

    public init(topic: Topic, on: CalendarDate, testimony: Testimony? = nil, courtCaseReference: String? = nil, amount: Int? = nil,
                currency: String? = nil) {
        self.topic = topic
        self.on = on
        self.testimony = testimony
        self.courtCaseReference = courtCaseReference
        self.amount = amount
        self.currency = currency
    }

    enum CodingKeys: String, CodingKey {
        case topic, on, testimony, amount, currency
        case courtCaseReference = "court_case_reference"
    }

    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if testimony != nil && topic != .testimonyRequest {
            errors.append(FieldError(field: "follow_up.testimony", message: "is only for a testimony_request"))
        }
        if let amount, amount < 0 { errors.append(FieldError(field: "follow_up.amount", message: "must not be negative")) }
        if amount != nil && ![.compensationAwarded, .compensationPaid].contains(topic) {
            errors.append(FieldError(field: "follow_up.amount", message: "is only for compensation awarded or paid"))
        }
        if let currency, currency.count != 3 || !currency.allSatisfy(\.isUppercase) {
            errors.append(FieldError(field: "follow_up.currency", message: "must be an ISO 4217 code such as THB"))
        }
        return errors
    }

    /// One line for a caseworker, without personal data.
    public var summary: String {
        var parts = ["\(topic.rawValue.replacingOccurrences(of: "_", with: " ")) \(on)"]
        if let testimony { parts.append("(\(testimony.rawValue))") }
        if let amount { parts.append("\(amount) \(currency ?? "")".trimmingCharacters(in: .whitespaces)) }
        if let courtCaseReference { parts.append("· \(courtCaseReference)") }
        return parts.joined(separator: " ")
    }
}

extension LegalProcess {
    /// Sends a follow-up about `caseID` to the host that holds the returned person's case there.
    @discardableResult
    public func sendFollowUp(_ caseID: CaseID, _ followUp: FollowUp, actor: Agent) async throws -> MessageID {
        let errors = followUp.validationErrors()
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
        let theCase = try await records.require(Case.self, caseID.description).value
        guard let (peer, remote) = try await federation.counterpart(of: caseID) else {
            throw GloKitError.refused("case \(caseID) has no case on another host to follow up: a follow-up goes to the host that received the person, once it has answered the handover")
        }
        let payload = FederationMessage.Payload(kind: .followUp, jurisdiction: peer.identity.jurisdictions.first ?? theCase.jurisdiction,
                                                senderCase: caseID, recipientCase: remote, body: try GloKitCoding.jsonValue(followUp))
        var id: MessageID?
        try await records.commit { change in
            id = try federation.send(payload, to: peer, caseID: caseID, jurisdiction: theCase.jurisdiction, actor: actor, in: &change)
        }
        guard let id else { throw FederationError.notSetUp }
        return id
    }

    /// The follow-ups received about a case of this host, oldest first, with when and from which host.
    public func followUpsReceived(_ caseID: CaseID) async throws -> [(followUp: FollowUp, at: Timestamp, from: String)] {
        try await federation.exchange(of: caseID).received.filter { $0.kind == .followUp }.compactMap { m in
            (try? JSONValueCoder.decode(FollowUp.self, from: m.payload.body)).map { ($0, m.receivedAt, m.sender) }
        }
    }

    /// A follow-up that reached a case here is raised as a flag on it, once, so that its caseworker acts.
    func handle(_ event: Event) async throws {
        guard event.data["kind"]?.stringValue == FederationMessage.Kind.followUp.rawValue,
              let id = event.data["message_id"]?.stringValue.flatMap(MessageID.init),
              let message = try await federation.received(id)?.value, let caseID = message.caseID,
              let followUp = try? JSONValueCoder.decode(FollowUp.self, from: message.payload.body) else { return }
        let theCase = try await records.require(Case.self, caseID.description).value
        try await cases.raise(CaseFlag(caseID: caseID, jurisdiction: theCase.jurisdiction, code: "follow_up", subject: id.description,
                                       message: "the case left behind at \(message.sender): \(followUp.summary)", raisedBy: .plugin("legal-process")))
    }
}
