import Crypto
import Foundation

/// One version of one jurisdiction's rules, as read from its folder.
public struct RulePack: Sendable {
    public let manifest: PackManifest
    /// The folder under the rules directory (`TH`, `TH-2019`).
    public let folder: String
    /// Module stem (`identification`) -> Lua source.
    public let modules: [String: String]
    /// Test file path relative to the rules directory -> YAML text.
    public let testFiles: [String: String]
    /// SHA-256 of `pack.yaml` and the modules (not the tests: they decide nothing).
    public let contentHash: String

    public var id: String { manifest.id }
    public var version: String { manifest.version }

    /// The chunk name Lua reports in errors: `TH-2019/identification.lua`.
    public func chunkName(of module: String) -> String { "\(folder)/\(module).lua" }

    static func read(folder: String, in directory: URL, hostLimits: LuaLimits) throws(RuleLoadError) -> RulePack {
        let url = directory.appendingPathComponent(folder)
        let manifestFile = "\(folder)/pack.yaml"
        let manifestText: String
        do {
            manifestText = try String(contentsOf: url.appendingPathComponent("pack.yaml"), encoding: .utf8)
        } catch {
            throw RuleLoadError(problems: [RuleProblem(file: manifestFile, message: "cannot read: \(error.localizedDescription)")])
        }
        var problems: [RuleProblem] = []
        var manifest: PackManifest?
        do {
            manifest = try PackManifest.parse(manifestText, file: manifestFile, hostLimits: hostLimits)
        } catch {
            problems += error.problems
        }
        var hasher = SHA256()
        func feed(_ name: String, _ text: String) {
            hasher.update(data: Data(name.utf8) + [0] + Data(text.utf8) + [0])
        }
        feed("pack.yaml", manifestText)
        var modules: [String: String] = [:]
        for file in sortedEntries(of: url) where file.hasSuffix(".lua") {
            let stem = String(file.dropLast(4))
            guard isModuleName(stem) else {
                problems.append(RuleProblem(file: "\(folder)/\(file)", message:
                    "'\(stem)' is not a valid module name: use letters, digits and '_', starting with a letter"))
                continue
            }
            do {
                let text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
                modules[stem] = text
                feed(file, text)
            } catch {
                problems.append(RuleProblem(file: "\(folder)/\(file)", message: "cannot read: \(error.localizedDescription)"))
            }
        }
        var tests: [String: String] = [:]
        let testsURL = url.appendingPathComponent("tests")
        for file in sortedEntries(of: testsURL) where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            let path = "\(folder)/tests/\(file)"
            do {
                tests[path] = try String(contentsOf: testsURL.appendingPathComponent(file), encoding: .utf8)
            } catch {
                problems.append(RuleProblem(file: path, message: "cannot read: \(error.localizedDescription)"))
            }
        }
        guard let manifest, problems.isEmpty else { throw RuleLoadError(problems: problems) }
        let hash = hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return RulePack(manifest: manifest, folder: folder, modules: modules, testFiles: tests, contentHash: hash)
    }

    /// The `id:` a broken pack's manifest states, when a line says it: a broken pack is still named by
    /// its id, so that the jurisdictions needing it fail with its problems.
    static func declaredID(folder: String, in directory: URL) -> String? {
        guard let text = try? String(contentsOf: directory.appendingPathComponent(folder).appendingPathComponent("pack.yaml"), encoding: .utf8)
        else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("id:") {
            let value = line.dropFirst(3).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Whether `s` may name a module (its file, `s.lua`): ASCII letters, digits and `_`, from a letter.
    public static func isModuleName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    static func sortedEntries(of url: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }
}

import LuaVM

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// A digest of several hashes, in order: the identity of a pack together with its parents.
func combinedHash(_ hashes: [String]) -> String {
    var hasher = SHA256()
    for hash in hashes { hasher.update(data: Data(hash.utf8) + [0]) }
    return hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
}
