import Foundation

/// Where the test suites put their databases, rules and settings: one folder per test process,
/// removed when the process exits. (Each test makes a fresh store; left behind, a run of the suites
/// left about 55 MB in the temporary folder, and runs piled up.)
public enum TestScratch {
    static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("glo-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
        return root
    }()

    /// A new, empty folder named `prefix-` and a UUID, in this process's folder.
    public static func folder(_ prefix: String) -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
