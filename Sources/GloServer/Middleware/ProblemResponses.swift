import GloHTTP
import Hummingbird
import Logging

/// Turns what an API handler throws into problem details (`Problem.from`). An internal error is
/// logged by its route and type only: never its content, which may hold a person's data.
struct ProblemResponses: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status == .internalServerError {
                logger.error("request failed", metadata: ["route": .string(context.requestName), "error_type": "\(type(of: error))"])
            }
            return problem.response
        }
    }
}
