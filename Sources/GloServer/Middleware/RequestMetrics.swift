import GloHTTP
import Hummingbird

/// Names each request by the route it matched (`POST /api/v1/cases/{id}/screenings`), for the audit
/// log and the metrics, and counts it with its status and latency. The first middleware: it sees
/// every answer, a refusal's and an error's too.
struct RequestMetrics: RouterMiddleware {
    typealias Context = APIContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var context = context
        context.requestName = "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
        let started = ContinuousClock.now
        let status: Int
        defer {
            let elapsed = ContinuousClock.now - started
            metrics.request(context.requestName, status: status,
                            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            status = Int(error.status.code)
            throw error
        } catch {
            status = 500
            throw error
        }
    }
}
