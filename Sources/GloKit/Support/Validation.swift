import GloRules
/// One problem with one field, as a user sees it next to the field.
///
/// `field` is the path of the field in the entity's JSON, such as `person.personal.citizenship[0]`.
/// `message` says what to do; it never repeats the value (which may be personal data).
public struct FieldError: Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// A value that did not pass validation, with every problem found (not only the first).
public struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [FieldError]

    public init(errors: [FieldError]) { self.errors = errors }

    /// The paths of the fields in error, in order.
    public var fields: [String] { errors.map(\.field) }

    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// An entity that can check its own fields. Validation is not done while decoding, so that an API
/// can answer with every field in error at once rather than a decoding error.
public protocol Validatable {
    /// Every problem found, each naming the field's path; empty when the value is valid.
    func validationErrors() -> [FieldError]
}

extension Validatable {
    /// The value itself when valid.
    public func validated() throws(ValidationFailure) -> Self {
        let errors = validationErrors()
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
        return self
    }
}

/// Collects field errors under a path prefix. The messages are the only wording of each rule; the
/// plugins' entities validate with it too.
public struct FieldChecks {
    public private(set) var errors: [FieldError] = []
    let prefix: String

    public init(_ prefix: String) { self.prefix = prefix }

    public func path(_ field: String) -> String { prefix.isEmpty ? field : "\(prefix).\(field)" }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: path(field), message: message))
    }

    public mutating func merge(_ other: [FieldError]) { errors += other }

    /// A required text: present and not only spaces.
    public mutating func text(_ value: String?, _ field: String) {
        if (value ?? "").allSatisfy(\.isWhitespace) { fail(field, "is required: enter a text") }
    }

    /// An optional text: absent, or not only spaces.
    public mutating func optionalText(_ value: String?, _ field: String) {
        if let value, value.allSatisfy(\.isWhitespace) {
            fail(field, "must not be empty: enter a text or leave the field out")
        }
    }

    public mutating func country(_ value: String?, _ field: String) {
        if let value, !Validators.isCountryCode(value) {
            fail(field, "must be two capital letters (ISO 3166 alpha-2), such as TH or LA")
        }
    }

    public mutating func countries(_ values: [String], _ field: String) {
        for (i, v) in values.enumerated() { country(v, "\(field)[\(i)]") }
        if Set(values).count != values.count { fail(field, "must not list the same country twice") }
    }

    public mutating func jurisdiction(_ value: JurisdictionID, _ field: String) {
        if !value.isWellFormed {
            fail(field, "must be intl or two capital letters (ISO 3166 alpha-2), such as TH")
        }
    }

    public mutating func notBefore1900(_ value: CalendarDate?, _ field: String) {
        if let value, value.year < 1900 { fail(field, "must be on or after 1900-01-01") }
    }

    public mutating func order<T: Comparable>(_ first: T?, _ firstField: String, _ then: T?, _ thenField: String) {
        if let first, let then, then < first {
            fail(thenField, "must be on or after \(path(firstField))")
        }
    }
}

enum Validators {
    static func isCountryCode(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count == 2 && u.allSatisfy { (0x41...0x5A).contains($0) }
    }
}
