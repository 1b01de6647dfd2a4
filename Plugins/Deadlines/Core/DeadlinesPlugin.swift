import GloJSON
public import GloKit
import Logging
import Synchronization

/// Deadlines: keeps each case's deadlines as its jurisdiction's pack gives them (`deadlines.due`), asked
/// again whenever the case's facts or status change, and flags a deadline that is near or missed, once.
/// Which deadlines apply and when they fall is law, so it is the pack's alone; this plugin only keeps,
/// lists and watches them.
public final class DeadlinesPlugin: Plugin {
    public let id = "deadlines"
    public let version = "1.0.0"
    public let summary = "The deadlines of each case from its dated facts, kept current, with near and missed ones flagged once"
    /// Every pack gives it: the international baseline answers `none` where a national pack lists no deadline.
    public let decisionsNeeded = [Deadlines.decision]
    /// What changes a case's facts or status. A new subscriber gets the log from its start, so a host that
    /// enables the plugin later finds the deadlines of the cases it already has.
    public let handles: [EventPattern] = [EventPattern(CoreEvents.caseOpened), EventPattern(CoreEvents.screeningRecorded),
                                          EventPattern(CoreEvents.factsUpdated), "identification.*"]
    public let emits = [Deadlines.changed, Deadlines.near, Deadlines.missed]
    /// How often deadlines are checked against the day: hourly, so that a new day is seen within the hour.
    /// The first check comes one interval after start, so that starting a host writes nothing.
    let sweepInterval: Duration
    private let sweeper = Mutex<Task<Void, Never>?>(nil)

    public init(sweepInterval: Duration = .seconds(3600)) {
        self.sweepInterval = sweepInterval
    }

    public func handle(_ event: Event, _ context: PluginContext) async throws {
        guard let text = event.data["case_id"]?.stringValue, let caseID = CaseID(text) else { return }
        try await Deadlines(context).refresh(caseID)
    }

    public func start(_ context: PluginContext) async throws {
        let deadlines = Deadlines(context)
        let interval = sweepInterval
        let log = context.logger
        sweeper.withLock { task in
            task = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if Task.isCancelled { break }
                    do { try await deadlines.sweep(today: .today()) } catch {
                        log.error("deadline sweep failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }

    public func stop() async {
        let task = sweeper.withLock { t in defer { t = nil }; return t }
        task?.cancel()
        await task?.value
    }
}
