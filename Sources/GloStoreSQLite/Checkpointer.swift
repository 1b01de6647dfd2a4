import Dispatch
import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file in the background, off the commit path.
///
/// By default SQLite checkpoints inside the commit that takes the log past 1,000 pages, so every
/// caller of that group waits while pages are copied (it showed as 5% of the whole path's time, all
/// of it on the one writer thread, and as the slow tail of the API's latency). Here a connection of
/// its own runs a PASSIVE checkpoint every `interval`: it never blocks the writer or the readers,
/// and copying less often also copies a page rewritten by many commits once. The writer keeps
/// SQLite's own checkpoint as a backstop, at `SQLiteStore.backstopPages`, for a log this falls
/// behind on.
final class Checkpointer: Sendable {
    private let queue = DispatchQueue(label: "glo-host.sqlite.checkpoint", qos: .utility)
    private let connection: DatabaseQueue
    private let interval: DispatchTimeInterval
    private let stopped = Atomic<Bool>(false)

    init(path: String, configuration: Configuration, interval: DispatchTimeInterval = .milliseconds(250)) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
        schedule()
    }

    private func schedule() {
        queue.asyncAfter(deadline: .now() + interval) { [weak self] in
            guard let self, !self.stopped.load(ordering: .acquiring) else { return }
            // A failed checkpoint (the disk is full, say) is tried again at the next tick; the
            // commits themselves are durable in the log meanwhile.
            _ = try? self.connection.inDatabase { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            self.schedule()
        }
    }

    /// Stops the ticks and waits for one in progress.
    func stop() {
        stopped.store(true, ordering: .releasing)
        queue.sync {}
        try? connection.close()
    }
}
