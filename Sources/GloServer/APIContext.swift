import GloKit
import Hummingbird

/// The request context: Hummingbird's core storage plus who is asking, once authenticated.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `Authentication` for /api routes; nil for health, readiness and metrics.
    public var caller: Caller?
    /// The session's CSRF token, when the caller came with the session cookie.
    public var csrfToken: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
        csrfToken = nil
    }

    /// Request bodies are JSON documents, never large.
    public var maxUploadSize: Int { 1 << 20 }
}
