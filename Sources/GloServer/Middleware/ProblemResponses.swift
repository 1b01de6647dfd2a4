import GloHTTP
import Hummingbird
import Logging

/// Turns what an API handler throws into problem details (`Problem.logged`). An internal error is
/// logged by its route and type only: never its content, which may hold a person's data. A rule's
/// error reaches the caller as an id; its message is in the log under that id.
struct ProblemResponses: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Problem.logged(error, route: context.requestName, logger: logger).response
        }
    }
}
