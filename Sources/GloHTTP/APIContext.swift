public import GloKit
import HTTPTypes
public import Hummingbird

/// The request context: Hummingbird's core storage, the route the router matched, and who is asking
/// once the authentication middleware has run.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `Authentication`; nil for the routes anyone may call (health, readiness, metrics).
    public var caller: Caller?
    /// The session's CSRF token, when the caller came with the session cookie.
    public var csrfToken: String?
    /// `METHOD /path` of the route the router matched (`POST /api/v1/cases/{id}/screenings`): how
    /// metrics and the audit log name a request. Set by the first middleware.
    public var requestName = ""
    /// A page's submitted form (read and checked against the CSRF token by the page session); empty
    /// for a GET and for the API.
    public var form = FormFields(pairs: [])

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
        csrfToken = nil
    }

    /// Request bodies are JSON documents or forms, never large.
    public var maxUploadSize: Int { 1 << 20 }
}
