import GloJSON
import Logging

/// The host's own subscriber to `decision.made`: a decision whose outcome no declaration allows
/// (`decisions.yaml`, a pack's pack.yaml) raises a flag on its case and an error in the log, so that
/// an outcome a pack invented never leaves a victim's case silently unchanged. The plugins treat such
/// an outcome as one they do not know: they change nothing by it.
struct OutcomeGuard: Sendable {
    static let name = "outcome-guard"
    static let flagCode = "undeclared_outcome"
    let records: Records
    let cases: CaseService
    let logger: Logger

    func handle(_ event: Event) async throws {
        guard event.data["undeclared_outcome"] == .bool(true), let jurisdiction = event.jurisdiction,
              let id = event.data["decision_id"]?.stringValue else { return }
        let decision = try await records.get(DecisionRecord.self, id)?.value
        let name = event.data["decision"]?.stringValue ?? "?", outcome = event.data["outcome"]?.stringValue ?? "?"
        logger.error("a pack answered an outcome no declaration allows; the case is flagged", metadata: [
            "decision": .string(name), "outcome": .string(outcome), "pack": .string(event.data["pack"]?.stringValue ?? "?"),
            "decision_id": .string(id), "why": .string(decision?.undeclared ?? ""),
        ])
        try await cases.raise(CaseFlag(
            caseID: decision?.caseID, jurisdiction: jurisdiction, code: Self.flagCode, subject: "decision:\(id)",
            message: "The \(event.data["pack"]?.stringValue ?? "") pack answered '\(outcome)' for \(name), an outcome no declaration allows: nothing was changed by it. Review the case, and the pack (glo-host rules check).",
            raisedBy: .system))
    }
}
