import GloJSON
public import GloKit

/// The smallest plugin that exercises the whole mechanism: it needs a decision from every served
/// pack (`identification.pathway`), handles `decision.made`, and keeps its own view in the store,
/// the count of decisions by jurisdiction, decision and outcome.
///
/// Delivery is at least once, so the view remembers the last sequence it counted and skips a
/// redelivery: the counts are exact however often the host is killed.
public struct TallyPlugin: Plugin {
    public let id = "tally"
    public let version = "1.0.0"
    public let summary = "Counts decisions by jurisdiction, decision and outcome (proves the plugin mechanism)"
    public let handles: [EventPattern] = ["decision.made"]
    public let decisionsNeeded = ["identification.pathway"]

    public init() {}

    public func handle(_ event: Event, _ context: PluginContext) async throws {
        guard let jurisdiction = event.jurisdiction,
              let decision = event.data["decision"]?.stringValue,
              let outcome = event.data["outcome"]?.stringValue else {
            throw GloKitError.refused("event \(event.sequence) is a decision.made without jurisdiction, decision or outcome")
        }
        let found = try await context.records.get(Tally.self, jurisdiction.rawValue)
        var tally = found?.value ?? Tally(jurisdiction: jurisdiction)
        guard event.sequence > tally.lastSequence else { return }
        tally.counts["\(decision) \(outcome)", default: 0] += 1
        tally.lastSequence = event.sequence
        try await context.records.commit { change in
            if let found { try change.update(tally, from: found.version) } else { try change.insert(tally) }
        }
    }
}

/// The tally of one jurisdiction.
public struct Tally: StoredEntity, Equatable {
    public static let collection = RecordCollection("tally")
    public var jurisdiction: JurisdictionID
    /// "decision outcome" -> how many.
    public var counts: [String: Int] = [:]
    /// The last event counted.
    public var lastSequence: Int64 = 0

    public var recordID: String { jurisdiction.rawValue }
    public var indexKeys: [IndexKey] { [] }
    public func validationErrors() -> [FieldError] { [] }

    enum CodingKeys: String, CodingKey {
        case jurisdiction, counts
        case lastSequence = "last_sequence"
    }
}
