import GRDB
import Synchronization

/// Read-only connections for the store's reads, taken and given back under a lock.
///
/// GRDB's `DatabasePool.unsafeRead` would do, but it goes through a dispatch barrier, a semaphore
/// and a `PRAGMA schema_version` query on every read; a read here is one cached SELECT of a row or
/// a few, and that overhead was most of its cost. The schema only changes in the migrations that
/// run before the first reader is opened, so no reader needs to look for schema changes.
final class ReaderConnections: Sendable {
    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])
    /// The most idle connections kept; more are opened when more reads run at once, and closed after.
    static let keep = 8

    init(path: String, configuration base: Configuration) {
        self.path = path
        var configuration = base
        configuration.readonly = true
        self.configuration = configuration
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
        defer {
            idle.withLock { idle in
                if idle.count < Self.keep { idle.append(connection) }
            }
        }
        return try connection.inDatabase(body)
    }

    func close() {
        let connections = idle.withLock { idle in defer { idle = [] }; return idle }
        for connection in connections { try? connection.close() }
    }
}
