/// The folder above `path`, written so a message can show it as the user would: `Config` for
/// `Config/jurisdictions`, `.` for `TH`, `..` for `.`, `/` for `/rules`. Foundation's
/// `deletingLastPathComponent` traps on `.` on Linux, and a country team runs `rules check .` from
/// inside its rules folder.
public func parentFolder(of path: String) -> String {
    var trimmed = path
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
    if trimmed == "." { return ".." }
    let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
    if parts.last == "." || parts.last == ".." { return trimmed + "/.." }
    let above = parts.dropLast().joined(separator: "/")
    if above.isEmpty { return trimmed.hasPrefix("/") ? "/" : "." }
    return above
}
