/// Something wrong in a rules directory, named the way an editor jumps to it: `file:line`, and the
/// field of a manifest or test when there is one.
public struct RuleProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Path of the file, relative to the rules directory (`TH/pack.yaml`).
    public var file: String
    public var line: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `TH/pack.yaml:3: field 'version': ...`
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let field { text += "field '\(field)': " }
        return text + message
    }

    /// The same problem with the rules directory in front of the file, as the CLI prints it.
    public func under(_ directory: String) -> RuleProblem {
        var copy = self
        copy.file = Self.path(file, under: directory)
        return copy
    }

    /// `file` (relative to the rules directory) as every tool prints it: after the directory as given.
    /// A path that already starts with it, or is absolute, is left alone.
    public static func path(_ file: String, under directory: String) -> String {
        if file.hasPrefix("/") || file.hasPrefix(directory + "/") { return file }
        return directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }
}

/// A rules directory that cannot be used: every problem found, not just the first.
public struct RuleLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [RuleProblem]

    public init(problems: [RuleProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
