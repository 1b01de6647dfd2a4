import AsyncHTTPClient
import GloKit
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Posts sealed messages to peers' inboxes over HTTP or HTTPS (async-http-client; HTTPS with the
/// system's trusted certificates). The message is signed and sealed end to end, so TLS guards the
/// link's metadata, not the content.
struct HTTPTransport: FederationTransport {
    let client: HTTPClient
    let timeout: TimeAmount

    /// The client's pool keeps trying to connect to a host that is down until the request's deadline,
    /// so the deadline is what a try costs when the peer is away: short, the outbox's waits do the rest.
    init(client: HTTPClient = .shared, timeout: TimeAmount = .seconds(5)) {
        self.client = client
        self.timeout = timeout
    }

    func post(_ body: [UInt8], to url: String) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: timeout)
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Array(answer.readableBytesView))
    }
}

/// Runs the outbox's sender beside the host in `serve`, until a graceful shutdown.
struct FederationService: ServiceLifecycle.Service {
    let sender: FederationSender

    func run() async throws {
        await cancelWhenGracefulShutdown { await sender.run() }
    }
}
