import Foundation

/// The files one command changes in a rules directory, with what each held before, so that a change
/// that does not load or does not pass its tests is put back whole: a country team never finds a pack
/// half edited by a command.
final class FileEdits {
    /// In the order first touched; nil data for a file that did not exist.
    private var originals: [(path: String, data: Data?)] = []
    private var madeFolders: [String] = []

    /// Writes `text` to `path` (through `OutputFile`, so a reader never sees half a file), making its
    /// folder when needed.
    func write(_ text: String, to path: String) throws {
        if !originals.contains(where: { $0.path == path }) {
            originals.append((path, FileManager.default.contents(atPath: path)))
        }
        try makeFolder((path as NSString).deletingLastPathComponent)
        let file = try OutputFile(path: path, option: path)
        try file.producing { try file.write(Array(text.utf8)) }
        try file.close()
    }

    /// The files written, in the order first written.
    var paths: [String] { originals.map(\.path) }

    /// Puts every file back as it was, and removes the folders this made.
    func rollback() {
        for (path, data) in originals.reversed() {
            if let data {
                FileManager.default.createFile(atPath: path, contents: data)
            } else {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        for folder in madeFolders.reversed() { try? FileManager.default.removeItem(atPath: folder) }
        originals = []
        madeFolders = []
    }

    private func makeFolder(_ folder: String) throws {
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        try makeFolder((folder as NSString).deletingLastPathComponent)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        madeFolders.append(folder)
    }
}
