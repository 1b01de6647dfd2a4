import ArgumentParser
import Foundation
import GloRules

/// The candidate rules of `rules diff`, laid over the base as a reform is laid over its base system
/// (OpenFisca): a candidate folder need hold only the pack folders it changes (`my-edit/TH/`), and
/// every other pack comes from the base.
///
/// The rules loader reads one directory, so the overlay is made as a temporary directory of symbolic
/// links: each pack folder of the base, replaced by the candidate's folder of the same name (whole: a
/// candidate's `TH/` is the entire TH pack), plus the candidate's other pack folders; and the fact
/// vocabulary (`facts.schema.json`, `decisions.yaml`, `labels/`), each the candidate's own when it has
/// one (in its folder or the one above, where the loader looks), else the base's. The loader finds
/// the vocabulary inside the directory, so it is linked there too. Messages name the user's paths
/// (`paths`), never the temporary one; `remove()` takes the links away, never what they point to.
struct CandidateOverlay {
    /// The directory to load: the links.
    let directory: String
    /// The candidate's pack folders in it, by name.
    let candidatePacks: [String]
    /// The vocabulary files taken from the candidate.
    let candidateVocabulary: [String]
    let base: String
    let candidate: String
    /// Each entry of `directory` -> the path the user knows it by.
    private let origins: [String: String]

    static let vocabularyFiles = ["facts.schema.json", "decisions.yaml", "labels"]

    init(base: String, candidate: String) throws {
        let fm = FileManager.default
        func isDirectory(_ path: String) -> Bool {
            var flag: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
        }
        for (option, path) in [("--base", base), ("--candidate", candidate)] where !isDirectory(path) {
            throw ValidationError("\(option) '\(path)' is not a directory: name a rules directory (such as Config/jurisdictions)")
        }
        func packFolders(_ directory: String) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted()
                .filter { fm.fileExists(atPath: joined(joined(directory, $0), "pack.yaml")) }
        }
        var origins: [String: String] = [:]
        for folder in packFolders(base) { origins[folder] = joined(base, folder) }
        let candidatePacks = packFolders(candidate)
        for folder in candidatePacks { origins[folder] = joined(candidate, folder) }

        // Where the loader would look for each: the folder itself, then the one above.
        func vocabularyFolders(_ directory: String) -> [String] {
            var trimmed = directory
            while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
            return [trimmed, parentFolder(of: trimmed)]
        }
        let baseVocabulary = Vocabulary.locate(rulesDirectory: base).map { parentFolder(of: $0) }
        var candidateVocabulary: [String] = []
        for name in Self.vocabularyFiles {
            if let own = vocabularyFolders(candidate).map({ joined($0, name) }).first(where: { fm.fileExists(atPath: $0) }) {
                origins[name] = own
                candidateVocabulary.append(name)
            } else if let folder = baseVocabulary {
                let file = folder.isEmpty ? name : joined(folder, name)
                if fm.fileExists(atPath: file) { origins[name] = file }
            }
        }
        guard !candidatePacks.isEmpty || !candidateVocabulary.isEmpty else {
            throw ValidationError("--candidate '\(candidate)' holds no pack folder (a folder with a pack.yaml) and no vocabulary file: nothing to compare")
        }

        let directory = fm.temporaryDirectory.appendingPathComponent("glo-candidate-\(UUID().uuidString)").path
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            ScratchPaths.add(directory)
            for (name, origin) in origins {
                let target = URL(fileURLWithPath: origin).standardizedFileURL.path
                try fm.createSymbolicLink(atPath: joined(directory, name), withDestinationPath: target)
            }
        } catch {
            ScratchPaths.remove(directory)
            throw ValidationError("--candidate: cannot lay '\(candidate)' over '\(base)' in \(fm.temporaryDirectory.path): \(error.localizedDescription)")
        }
        self.directory = directory
        self.candidatePacks = candidatePacks
        self.candidateVocabulary = candidateVocabulary
        self.base = base
        self.candidate = candidate
        self.origins = origins
    }

    /// The candidate as the user knows it: `my-edit/ (its TH over Config/jurisdictions)`, or just its
    /// name when none of the base's packs shows through.
    var description: String {
        let fromBase = origins.keys.filter { !candidatePacks.contains($0) && !Self.vocabularyFiles.contains($0) }
        if fromBase.isEmpty { return candidate }
        return "\(candidate) (its \((candidatePacks + candidateVocabulary).joined(separator: ", ")) over \(base))"
    }

    /// Paths in the overlay as the user knows them: `TH/legal_aid.lua` -> `my-edit/TH/legal_aid.lua`,
    /// `intl/identification.lua` -> `Config/jurisdictions/intl/identification.lua`.
    var paths: RulesPaths {
        RulesPaths(shown: candidate, loaded: directory) { [directory, candidate, origins] path in
            var relative = path
            if path == directory { return candidate }
            if path.hasPrefix(directory + "/") {
                relative = String(path.dropFirst(directory.count + 1))
            } else if path.hasPrefix("/") {
                return path
            }
            let parts = relative.split(separator: "/", maxSplits: 1).map(String.init)
            guard let first = parts.first, let origin = origins[first] else { return joined(candidate, relative) }
            return parts.count > 1 ? joined(origin, parts[1]) : origin
        }
    }

    func remove() {
        ScratchPaths.remove(directory)
    }
}
