import ArgumentParser
import AsyncHTTPClient
import Foundation
import GloJSON
import GloKit
import NIOCore
import NIOHTTP1

/// `glo-host federation bench`: what the exchange costs, against a plain HTTP POST of the same size to the
/// same server, in one run (scripts/bench-federation.sh starts two throwaway hosts for it). It writes
/// real messages to the peer: use it between test hosts only.
struct FederationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure messages per second to a peer and the CPU cost of one message, against plain POSTs (test hosts only).")
    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("peer"), help: "The peer's host id (a throwaway test host: the messages are stored there).") var peer: String
    @Option(name: .customLong("count"), help: "Messages (and plain POSTs) in each measure.") var count = 1000
    @Option(name: .customLong("concurrency"), help: "Posts in flight at once.") var concurrency = 8
    @Option(name: .customLong("server-pid"), help: "The peer's process id, to read its CPU time from /proc.") var serverPID: Int32?

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let opened = try await FederationCommand.Opened.open(store)
        let f = opened.federation
        guard let hostID = f.setup.hostID, let keys = f.setup.keys, let target = try await f.peer(peer)?.value else {
            warn("--peer \(peer): this host is not set up, or has no such peer")
            throw ExitCode(2)
        }
        try await opened.close()
        // A follow-up of a realistic size; the same number of bytes goes in the plain POST.
        let payload = FederationMessage.Payload(kind: .followUp, jurisdiction: target.identity.jurisdictions.first ?? "intl", senderCase: CaseID(),
                                                body: ["topic": "trial_date", "on": "2026-09-14", "court_case_reference": "Criminal Court 1234/2569"])
        let sample = try Envelope.seal(payload, from: hostID, keys: keys, to: target.identity, lifetime: .seconds(3600))
        let plainBody = [UInt8](repeating: UInt8(ascii: "x"), count: sample.bytes.count)
        let plainURL = target.identity.endpoint.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/bench/plain-post"

        // 1. CPU of the crypto alone, in this process: seal + sign; check + open (with a local key pair).
        let local = HostKeys.generate()
        let me = HostIdentity(hostID: "bench", jurisdictions: ["TH"], organisation: target.identity.organisation, endpoint: "http://127.0.0.1",
                              keys: local.publicKeys)
        var sealed: [Envelope] = []
        let sealCPU = try cpuSeconds {
            for _ in 0..<count { sealed.append(try Envelope.seal(payload, from: hostID, keys: keys, to: me, lifetime: .seconds(3600))) }
        }
        let openCPU = try cpuSeconds {
            for e in sealed where !(e.isSigned(by: keys.publicKeys) && e.open(with: local) != nil) { throw ExitCode(1) }
        }

        // 2. Plain POSTs of the same size to the same server, then the messages, each at the same concurrency.
        let client = HTTPClient.shared
        let plain = try await measure(serverPID) {
            try await post(count, concurrency) { _ in
                let (status, _) = try await send(client, plainBody, to: plainURL)
                return status > 0
            }
        }
        let exchange = try await measure(serverPID) {
            try await post(count, concurrency) { _ in
                let envelope = try Envelope.seal(payload, from: hostID, keys: keys, to: target.identity, lifetime: .seconds(3600))
                let (status, body) = try await send(client, envelope.bytes, to: target.identity.inboxURL)
                return status == 200 && Receipt.parse(try? JSONParser.parse(body))?.proves(delivery: envelope, to: target.identity) == true
            }
        }
        func us(_ seconds: Double) -> String { String(format: "%.1f µs", seconds / Double(count) * 1e6) }
        func ratio(_ a: Double, _ b: Double) -> String { b > 0 ? String(format: "%.2f×", a / b) : "n/a" }
        print("message size: \(sample.bytes.count) bytes (the plain POST carries as many)")
        print("crypto CPU per message: seal+sign \(us(sealCPU)), check+open \(us(openCPU)), together \(us(sealCPU + openCPU))")
        print("plain POST, client CPU per request: \(us(plain.clientCPU))" + (plain.serverCPU.map { "; server CPU \(us($0))" } ?? ""))
        print("crypto vs plain POST (client CPU): \(ratio(sealCPU + openCPU, plain.clientCPU))")
        print(String(format: "plain POSTs: %.0f per second (%d ok)", Double(count) / plain.wall, plain.ok))
        print(String(format: "messages (sealed, posted, checked, stored, receipt checked): %.0f per second (%d delivered)", Double(count) / exchange.wall, exchange.ok))
        print("throughput, messages vs plain POSTs: \(ratio(Double(count) / exchange.wall, Double(count) / plain.wall))")
        print("client CPU per message: \(us(exchange.clientCPU)) = \(ratio(exchange.clientCPU, plain.clientCPU)) a plain POST's")
        if let s = exchange.serverCPU, let p = plain.serverCPU {
            print("server CPU per message: \(us(s)) = \(ratio(s, p)) a plain POST's (check, open, store in SQLite, sign the receipt)")
        }
        if exchange.ok != count { throw ExitCode(1) }
    }

    struct Measure { var wall: Double; var clientCPU: Double; var serverCPU: Double?; var ok: Int }

    func measure(_ pid: Int32?, _ body: () async throws -> Int) async throws -> Measure {
        let (c0, s0, t0) = (processCPU(), pid.flatMap(serverCPU), Date())
        let ok = try await body()
        let (c1, s1, t1) = (processCPU(), pid.flatMap(serverCPU), Date())
        return Measure(wall: t1.timeIntervalSince(t0), clientCPU: c1 - c0, serverCPU: s0.flatMap { a in s1.map { $0 - a } }, ok: ok)
    }

    /// Runs `count` posts, `concurrency` at a time; how many succeeded.
    func post(_ count: Int, _ concurrency: Int, _ one: @escaping @Sendable (Int) async throws -> Bool) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var ok = 0
                    for i in stride(from: lane, to: count, by: concurrency) where try await one(i) { ok += 1 }
                    return ok
                }
            }
            return try await group.reduce(0, +)
        }
    }

    func send(_ client: HTTPClient, _ body: [UInt8], to url: String) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), Array(try await response.body.collect(upTo: 1 << 20).readableBytesView))
    }

    func cpuSeconds(_ body: () throws -> Void) throws -> Double {
        let start = processCPU()
        try body()
        return processCPU() - start
    }

    func processCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// utime + stime of another process, from /proc (Linux).
    func serverCPU(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
