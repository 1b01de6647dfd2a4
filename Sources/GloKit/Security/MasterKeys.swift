// SymmetricKey is an immutable value (copy-on-write bytes) that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
public import Foundation
import Synchronization

/// A master key: 32 random bytes, kept base64 in a file (mode 0600) or in the environment variable
/// `GLO_HOST_KEY`. It wraps the data keys (`WrappedDataKey`); it seals no personal data itself.
public struct VaultKey: Sendable, Hashable {
    public let bytes: [UInt8]

    public static let environmentVariable = "GLO_HOST_KEY"

    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw VaultError.badKey("the personal-data key must be 32 bytes (base64: 44 characters)") }
        self.bytes = bytes
    }

    public init(base64 text: String, from source: String) throws {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw VaultError.badKey("\(source) does not hold a personal-data key: expected 32 bytes in base64 (44 characters)")
        }
        self.bytes = Array(data)
    }

    public static func random() -> VaultKey {
        let key = SymmetricKey(size: .bits256)
        return try! VaultKey(bytes: key.withUnsafeBytes { Array($0) })
    }

    /// Names the key without revealing it: the first 8 bytes of a hash of it, in hex. Stored beside
    /// every data key it wraps, and shown by `glo-host keys status`.
    public var id: String {
        Array(SHA256.hash(data: Array("glo-host master key id|".utf8) + bytes)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    var symmetric: SymmetricKey { SymmetricKey(data: bytes) }

    /// How a key was found, so the host can warn when it made a new one.
    public enum Origin: Sendable, Equatable {
        case environment
        case file(String)
        /// Generated now and written to this file: it must be backed up, or the data is lost with it.
        case generated(String)
    }

    /// The current key from `GLO_HOST_KEY` if set, else from `path`, else a new key written to `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (VaultKey, Origin) {
        let (keys, origin) = try loadAll(path: path, environment: environment)
        return (keys[0], origin)
    }

    /// Every key of the file or the variable, the current one first: during a rotation the file holds
    /// the new key and then the old one (one base64 key per line; the variable separates them by commas).
    public static func loadAll(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ([VaultKey], Origin) {
        if let text = environment[environmentVariable], !text.isEmpty {
            let keys = try text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map {
                try VaultKey(base64: String($0), from: "the environment variable \(environmentVariable)")
            }
            guard !keys.isEmpty else { throw VaultError.badKey("the environment variable \(environmentVariable) holds no key") }
            return (keys, .environment)
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            return (try read(path), .file(path))
        }
        let key = VaultKey.random()
        try write([key], to: path)
        return ([key], .generated(path))
    }

    /// The keys of a key file, the current one first.
    public static func read(_ path: String) throws -> [VaultKey] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let keys = try text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }.map {
            try VaultKey(base64: $0, from: "the key file \(path)")
        }
        guard !keys.isEmpty else { throw VaultError.badKey("the key file \(path) holds no key") }
        return keys
    }

    /// Writes a key file (mode 0600) in one step: a new file beside it, then renamed over it, so a
    /// crash leaves the old file or the new one, never half of one.
    public static func write(_ keys: [VaultKey], to path: String) throws {
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let text = keys.map { Data($0.bytes).base64EncodedString() }.joined(separator: "\n") + "\n"
        let temporary = path + ".new"
        try? fm.removeItem(atPath: temporary)
        guard fm.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw VaultError.badKey("cannot write a personal-data key to \(temporary)")
        }
        let handle = FileHandle(forWritingAtPath: temporary)
        try handle?.synchronize()
        try handle?.close()
        guard rename(temporary, path) == 0 else { throw VaultError.badKey("cannot replace the key file \(path)") }
    }
}

/// The master keys a host holds: the current one (which wraps new data keys) and, during a rotation,
/// the one it replaces (which still opens the keys not yet re-wrapped). Shared by every copy of a
/// vault; when a data key names a master key the host does not hold, the key file is read again (at
/// most once a second), so the hosts of a store pick up a rotation's new key without a restart.
public final class MasterKeys: Sendable {
    private struct State {
        var keys: [VaultKey]
        var lastRead: ContinuousClock.Instant?
        var lastChecked: ContinuousClock.Instant?
        var modified: Date?
    }
    private let state: Mutex<State>
    /// The key file to read again; nil for keys given in the environment or by a test.
    public let file: String?

    public init(_ keys: [VaultKey], file: String? = nil) {
        precondition(!keys.isEmpty, "a vault needs a master key")
        state = Mutex(State(keys: keys))
        self.file = file
    }

    /// The key that wraps new data keys. The key file is looked at again every few seconds, so that a
    /// host wraps with the new key once a rotation has written it (`glo-host keys rotate`).
    public var current: VaultKey {
        if let file {
            let now = ContinuousClock.now
            let due = state.withLock { s -> Bool in
                if let last = s.lastChecked, now - last < .seconds(5) { return false }
                s.lastChecked = now
                return true
            }
            if due, let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date,
               state.withLock({ $0.modified != modified }), let read = try? VaultKey.read(file) {
                state.withLock { s in
                    s.modified = modified
                    s.keys = read + s.keys.filter { !read.contains($0) }
                }
            }
        }
        return state.withLock { $0.keys[0] }
    }
    public var all: [VaultKey] { state.withLock { $0.keys } }

    /// The key with this id, reading the key file again if none has it.
    func key(id: String) -> VaultKey? {
        if let found = state.withLock({ $0.keys.first { $0.id == id } }) { return found }
        guard let file else { return nil }
        let now = ContinuousClock.now
        let due = state.withLock { s -> Bool in
            if let last = s.lastRead, now - last < .seconds(1) { return false }
            s.lastRead = now
            return true
        }
        guard due, let read = try? VaultKey.read(file) else { return nil }
        return state.withLock { s in
            s.keys = read + s.keys.filter { !read.contains($0) }
            return s.keys.first { $0.id == id }
        }
    }
}
