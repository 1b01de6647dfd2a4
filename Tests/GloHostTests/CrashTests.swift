import Foundation
import GloJSON
import Testing

/// Kills a real process with SIGKILL while it writes through GloKit, round after round.
@Suite("Reliability: SIGKILL while writing", .serialized)
struct CrashTests {
    static let rounds = 24

    var writer: String {
        let next = Bundle.main.bundleURL.appendingPathComponent("glo-crash-writer").path
        return FileManager.default.fileExists(atPath: next) ? next : packageRoot.appendingPathComponent(".build/debug/glo-crash-writer").path
    }

    /// Runs the writer until it has acknowledged `acks` cases (or `limit` passed), kills it, and
    /// returns the acknowledged case ids.
    func writeAndKill(db: String, acks: Int, limit: TimeInterval = 20) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writer)
        process.arguments = ["write", db, shippedRules]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(limit)
        while text.components(separatedBy: "\n").filter({ $0.hasPrefix("ack ") }).count < acks, Date() < deadline,
              process.isRunning {
            let chunk = out.fileHandleForReading.availableData
            text += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the writer stopped on its own: \(process.terminationStatus)")
        // What was written to the pipe before the kill was acknowledged too.
        text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").filter { $0.hasPrefix("ack ") && $0.count == 40 }.map { String($0.dropFirst(4)) }
    }

    func drain(db: String) throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writer)
        process.arguments = ["drain", db, shippedRules]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return try JSONParser.parse(line)
    }

    @Test("every acknowledged write survives; the log has no gap; the subscriber resumes and skips nothing")
    func killLoop() throws {
        let db = temporaryFolder("glo-crash") + "/glo.sqlite"
        var acknowledged: [String] = []
        for round in 1...Self.rounds {
            // Kill at different points: after 1 to 12 acknowledged cases.
            acknowledged += try writeAndKill(db: db, acks: 1 + (round * 7) % 12)
        }
        #expect(acknowledged.count >= Self.rounds)
        let report = try drain(db: db)
        let stored = Set(report["cases"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but lost: \(lost)")

        let last = report["last_sequence"]?.intValue ?? -1
        let sequences = report["sequences"]?.arrayValue?.compactMap(\.intValue) ?? []
        #expect(last > 0)
        #expect(sequences == Array(1...last), "the event log has a gap")
        // The tally subscriber was killed mid-stream in most rounds: after the drain it has counted
        // each decision exactly once (delivery at least once, the view skips redeliveries).
        #expect(report["checkpoint"]?.intValue == last)
        #expect(report["tally_counted"] == report["decisions"])
        #expect((report["decisions"]?.intValue ?? 0) >= Int64(acknowledged.count))
    }
}
