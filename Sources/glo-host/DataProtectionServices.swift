import Foundation
import GloKit
import Logging
import ServiceLifecycle

/// Signs the audit chain's head at intervals, and once more at shutdown (`AuditSigningKey`).
struct AuditHeadSigner: ServiceLifecycle.Service {
    let key: AuditSigningKey
    let store: any Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await signNow()
            }
        }
        // Before the store closes (HostService waits for the shutdown too): the last entries signed.
        await signNow()
    }

    private func signNow() async {
        do {
            if let head = try await key.signHead(of: store) {
                logger.debug("audit head signed", metadata: ["position": "\(head.position)"])
            }
        } catch {
            logger.warning("the audit head could not be signed", metadata: ["error": "\(error)"])
        }
    }
}

/// The daily retention sweep (`RetentionSweep`); of several hosts on one store, the one holding the
/// sweep's lease runs it.
struct RetentionService: ServiceLifecycle.Service {
    let records: Records
    let days: [JurisdictionID: Int]
    let holder: String
    let logger: Logger

    static let lease = "glo.retention-sweep"

    func run() async throws {
        // No retention period set: nothing to sweep, but a service that returns early stops the host.
        guard !days.isEmpty else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: .seconds(24 * 3600))
            }
        }
    }

    private func sweep() async {
        do {
            guard try await records.store.claim(Self.lease, holder: holder, for: .seconds(3600)) else { return }
            let report = try await RetentionSweep(records: records, days: days).run(on: .today(), dryRun: false)
            logger.notice("retention sweep", metadata: ["due": "\(report.due.count)", "erased": "\(report.erased.count)",
                                                        "failed": "\(report.failed.count)"])
            for (person, why) in report.failed {
                logger.error("retention sweep could not erase a person", metadata: ["person": "\(person)", "error": "\(why)"])
            }
        } catch {
            logger.error("retention sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
