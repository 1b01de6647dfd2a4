import Dispatch
import Foundation
import Synchronization

/// Files and folders a command makes for itself and must not leave behind (the corpus `rules diff
/// --from-store` writes holds personal data): removed when the command ends, and on Ctrl-C or SIGTERM
/// too, and when a reader goes away (`rules diff ... | head`): each would otherwise end the process
/// before any `defer` runs.
enum ScratchPaths {
    private static let paths = Mutex<[String]>([])
    private static let signalSources = Mutex<[any DispatchSourceSignal]>([])

    /// Remembers `path` for removal; the first call sets up the signal handlers.
    static func add(_ path: String) {
        paths.withLock { $0.append(path) }
        signalSources.withLock { sources in
            guard sources.isEmpty else { return }
            for (number, code) in [(SIGINT, 130), (SIGTERM, 143), (SIGPIPE, 141)] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    removeAll()
                    // Straight out: other threads may be deciding, and exit's handlers would race them.
                    _exit(Int32(code))
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Removes `path` now (a symbolic link is removed, never what it points to).
    static func remove(_ path: String) {
        paths.withLock { $0.removeAll { $0 == path } }
        try? FileManager.default.removeItem(atPath: path)
    }

    static func removeAll() {
        for path in paths.withLock({ paths in defer { paths.removeAll() }; return paths }) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
