import Foundation
public import GloJSON
import GloKit
import GloRules
public import HTTPTypes
public import Hummingbird
public import HummingbirdCore
public import Logging

/// An error as RFC 9457 problem details (`application/problem+json`): a stable `type`, a `title`,
/// the `status`, a `detail` worded for the user, and for invalid input the field `errors`. No
/// detail ever repeats a person's data: the messages name fields, ids, roles and rules. It renders
/// itself (`HTTPResponseError`); `Problem.from` turns any error a handler throws into one.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var type: String
    public var title: String
    public var detail: String
    public var extra: [String: JSONValue] = [:]

    public init(_ status: HTTPResponse.Status, _ type: String, _ title: String, _ detail: String, extra: [String: JSONValue] = [:]) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.extra = extra
    }

    public var json: JSONValue {
        var o = extra
        o["type"] = .string("https://glo-host.example/problems/\(type)")
        o["title"] = .string(title)
        o["status"] = .int(Int64(status.code))
        o["detail"] = .string(detail)
        return .object(o)
    }

    public var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(json))))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response }

    public static func unauthorized(_ detail: String) -> Problem { Problem(.unauthorized, "unauthorized", "Not signed in", detail) }
    public static func notFound(_ detail: String) -> Problem { Problem(.notFound, "not-found", "Not found", detail) }
    public static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "bad-request", "Bad request", detail) }

    /// The problem for any error a handler throws.
    public static func from(_ error: any Error) -> Problem {
        switch error {
        case let p as Problem: return p
        case let v as ValidationFailure:
            return Problem(.unprocessableContent, "invalid", "Invalid input", "\(v.errors.count) field(s) need attention",
                           extra: ["errors": .array(v.errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })])
        case let d as DecodingError:
            return Problem(.badRequest, "bad-request", "Bad request", Self.describe(d))
        case let b as BodyErrors:
            let first = b.errors.first.map { "\($0.field) \($0.message)" } ?? "the body is not valid"
            return Problem(.badRequest, "bad-request", "Bad request",
                           b.errors.count == 1 ? first : "\(b.errors.count) fields are wrong; the first: \(first)",
                           extra: ["errors": .array(b.errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })])
        case let a as AccessDenied:
            return Problem(.forbidden, "forbidden", "Not allowed", a.reason)
        case let g as GloKitError:
            switch g {
            case .notFound: return Problem(.notFound, "not-found", "Not found", g.description)
            case .refused: return Problem(.conflict, "refused", "Refused", g.description)
            }
        case RuleEvaluationError.factProblems(let problems):
            return from(ValidationFailure(errors: problems.map { FieldError(field: $0.field, message: $0.message) }))
        case let r as RuleEvaluationError where r.isCallersMistake:
            // A jurisdiction, decision or date the caller named that has no rules, or facts that are not an
            // object: the caller's own input, answered with what is wrong; nothing failed, nothing is logged.
            return Problem(.unprocessableContent, "rules-unavailable", "No rules for this request", r.message,
                           extra: ["code": .string(r.code)])
        case let r as RuleEvaluationError:
            // The rule's own message can quote the facts it was given: it goes to the log only
            // (`logged`), under an id the caller can quote to the rule authors.
            let id = UUID().uuidString.lowercased()
            return Problem(.unprocessableContent, "rule-failed", "The rule could not decide",
                           "the rule pack failed on this request; give the rule authors the error id \(id)",
                           extra: ["code": .string(r.code), "error_id": .string(id)])
        case let s as StoreError:
            if case .conflict = s { return Problem(.conflict, "conflict", "Changed meanwhile", s.description) }
            return Problem(.serviceUnavailable, "store", "Store unavailable", "the store could not complete the request; try again")
        case let t as TransitionProblem:
            return Problem(.conflict, "refused", "Refused", t.description)
        case let f as FederationError:
            return Problem(.conflict, "refused", "Refused", f.description)
        default:
            return Problem(.internalServerError, "internal", "Internal error", "the request failed; it was logged without its content")
        }
    }

    /// The problem for `error`, with what only the log may hold written there: a rule's message and
    /// location under the problem's error id, and the type of an internal error (never its content).
    public static func logged(_ error: any Error, route: String, logger: Logger) -> Problem {
        let problem = from(error)
        if problem.status == .internalServerError {
            logger.error("request failed", metadata: ["route": .string(route), "error_type": "\(Swift.type(of: error))"])
        } else if let rule = error as? RuleEvaluationError, let id = problem.extra["error_id"]?.stringValue {
            logger.error("rule failed", metadata: ["route": .string(route), "error_id": .string(id), "code": .string(rule.code),
                                                   "location": .string(rule.location ?? "-"), "message": .string(rule.message)])
        }
        return problem
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String {
            c.isEmpty ? "the body" : c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let c): return "\(path(c.codingPath + [key])) is required"
        case .typeMismatch(_, let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)) is required"
        case .dataCorrupted(let c):
            // Swift's own message for an enum quotes the value sent, which may be anything: not repeated.
            if c.debugDescription.contains("invalid String value") { return "\(path(c.codingPath)) is not one of the allowed values" }
            return "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "the body is not valid"
        }
    }
}

/// A referral's wrong move, as the API reports it.
typealias TransitionProblem = ReferralTransitionError
