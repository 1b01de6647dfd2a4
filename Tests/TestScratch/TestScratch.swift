public import Foundation

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

extension TestScratch {
    /// The repository's `Config/`, where the shipped vocabulary and its labels are.
    public static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config")

    /// Copies the shipped fact vocabulary (`facts.schema.json`, `decisions.yaml` and `labels/`) into a rules folder
    /// the test made, unless it has its own: a rules folder reads the vocabulary beside its packs.
    public static func addVocabulary(to rules: String) throws {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: (rules as NSString).appendingPathComponent("facts.schema.json")) else { return }
        for item in ["facts.schema.json", "decisions.yaml", "labels"] {
            try fm.copyItem(atPath: config.appendingPathComponent(item).path, toPath: (rules as NSString).appendingPathComponent(item))
        }
    }
}
