// SymmetricKey is an immutable value (copy-on-write bytes) that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
import Foundation
import GloJSON

/// Seals a person's identifying fields before they reach any store, and makes the keys that let
/// caseworkers find a person by name without the name being stored in the clear.
///
/// - `PersonalData` is encrypted as one block with AES-256-GCM; the person's id is the associated
///   data, so a sealed block copied onto another person's record fails to open.
/// - Each name part (given names, family name, other names) is normalised (case and diacritics
///   folded, spaces collapsed) and hashed with HMAC-SHA-256 under a second key. Equal names give
///   equal keys, so a store can index them; without the key, the hashes reveal no name, though they
///   do reveal that two records share one. That is what finding a person and warning of a likely
///   duplicate need.
/// - Both keys are derived (HKDF-SHA-256) from one 32-byte master key (`VaultKey`).
public struct PersonVault: Sendable {
    private let sealingKey: SymmetricKey
    private let nameKey: SymmetricKey

    public init(key: VaultKey) {
        let master = SymmetricKey(data: key.bytes)
        sealingKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("glo-host personal data v1".utf8),
                                            outputByteCount: 32)
        nameKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("glo-host name index v1".utf8),
                                         outputByteCount: 32)
    }

    public func seal(_ personal: PersonalData, of person: PersonID) throws -> [UInt8] {
        let clear = Data(try GloKitCoding.encode(personal))
        let box = try AES.GCM.seal(clear, using: sealingKey, authenticating: Data(person.description.utf8))
        guard let combined = box.combined else { throw VaultError.cannotOpen(person) }
        return Array(combined)
    }

    public func open(_ sealed: [UInt8], of person: PersonID) throws -> PersonalData {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let clear = try AES.GCM.open(box, using: sealingKey, authenticating: Data(person.description.utf8))
            return try GloKitCoding.decode(PersonalData.self, from: Array(clear))
        } catch {
            throw VaultError.cannotOpen(person)
        }
    }

    /// Seals any other text that copies personal data (a decision's facts), bound to `owner`.
    public func seal(text: String, boundTo owner: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(Data(text.utf8), using: sealingKey, authenticating: Data(owner.utf8))
        guard let combined = box.combined else { throw VaultError.badKey("cannot seal") }
        return Array(combined)
    }

    public func open(text sealed: [UInt8], boundTo owner: String) throws -> String {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
              let clear = try? AES.GCM.open(box, using: sealingKey, authenticating: Data(owner.utf8)) else {
            throw VaultError.cannotOpenRecord(owner)
        }
        return String(decoding: clear, as: UTF8.self)
    }

    /// Text as stored when it copies personal data: `sealed:` and the sealed bytes in base64, bound to
    /// `owner`. The one form every record that seals a field uses.
    public func sealedText(_ text: String, boundTo owner: String) throws -> String {
        PersonVault.sealedPrefix + Data(try seal(text: text, boundTo: owner)).base64EncodedString()
    }

    /// The text `sealedText` sealed; text without the prefix is returned as it is (never sealed).
    public func openedText(_ stored: String, boundTo owner: String) throws -> String {
        guard stored.hasPrefix(PersonVault.sealedPrefix) else { return stored }
        guard let bytes = Data(base64Encoded: String(stored.dropFirst(PersonVault.sealedPrefix.count))) else {
            throw VaultError.cannotOpenRecord(owner)
        }
        return try open(text: Array(bytes), boundTo: owner)
    }

    static let sealedPrefix = "sealed:"

    /// The index keys of every name part of `personal`.
    public func nameKeys(_ personal: PersonalData) -> [IndexKey] {
        var names = [personal.givenNames] + personal.otherNames
        if let family = personal.familyName { names.append(family) }
        var seen = Set<String>()
        var keys: [IndexKey] = []
        for part in names.flatMap(PersonVault.nameParts) where seen.insert(part).inserted {
            keys.append(nameKey(normalisedPart: part))
        }
        return keys
    }

    /// The index keys to look up for a name typed by a caseworker: one per part.
    public func searchKeys(_ name: String) -> [IndexKey] {
        Array(Set(PersonVault.nameParts(name))).sorted().map { nameKey(normalisedPart: $0) }
    }

    private func nameKey(normalisedPart part: String) -> IndexKey {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: nameKey)
        return IndexKey("name", mac.hexText)
    }

    /// Lower case, diacritics and width folded, split on spaces, hyphens and dots; titles left out.
    static func nameParts(_ name: String) -> [String] {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        return folded.split(whereSeparator: { $0.isWhitespace || $0 == "-" || $0 == "." || $0 == "," })
            .map { part in
                // "นางสาวสมหญิง": the Thai title for an unmarried woman is often written joined to the name.
                part.count > Self.joinedTitle.count && part.hasPrefix(Self.joinedTitle) ? String(part.dropFirst(Self.joinedTitle.count)) : String(part)
            }
            .filter { !Self.titles.contains($0) }
    }

    /// Titles and honorifics, written as a part of their own: every Lao woman is ນາງ, every Thai man
    /// นาย, so counting them as name parts made any two "likely duplicates". (Thai, Lao, English;
    /// `น.ส.` splits into น and ส at its dots.)
    static let titles: Set<String> = [
        "นาย", "นาง", "นางสาว", "น", "ส", "ด", "ช", "ญ", "เด็กชาย", "เด็กหญิง",
        "ທ້າວ", "ນາງ", "ທ່ານ", "ເດັກຊາຍ", "ເດັກຍິງ", "ທ", "ນ",
        "mr", "mrs", "ms", "miss", "mx", "dr",
    ]
    static let joinedTitle = "นางสาว"
}

public enum VaultError: Error, Sendable, CustomStringConvertible {
    /// Wrong key, or the record was tampered with. Says which person, never what is inside.
    case cannotOpen(PersonID)
    case cannotOpenRecord(String)
    case badKey(String)

    public var description: String {
        switch self {
        case .cannotOpen(let id):
            return "the personal data of person \(id) cannot be opened: the key is not the one it was sealed with, or the record was altered"
        case .cannotOpenRecord(let id):
            return "the sealed part of record \(id) cannot be opened: wrong key, or the record was altered"
        case .badKey(let why): return why
        }
    }
}

/// The master key for personal data: 32 random bytes, kept base64 in a file (mode 0600) or in the
/// environment variable `GLO_HOST_KEY`.
public struct VaultKey: Sendable {
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

    /// How a key was found, so the host can warn when it made a new one.
    public enum Origin: Sendable, Equatable {
        case environment
        case file(String)
        /// Generated now and written to this file: it must be backed up, or the data is lost with it.
        case generated(String)
    }

    /// The key from `GLO_HOST_KEY` if set, else from `path`, else a new key written to `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (VaultKey, Origin) {
        if let text = environment[environmentVariable], !text.isEmpty {
            return (try VaultKey(base64: text, from: "the environment variable \(environmentVariable)"), .environment)
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return (try VaultKey(base64: text, from: "the key file \(path)"), .file(path))
        }
        let key = VaultKey.random()
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard fm.createFile(atPath: path, contents: Data((Data(key.bytes).base64EncodedString() + "\n").utf8),
                            attributes: [.posixPermissions: 0o600]) else {
            throw VaultError.badKey("cannot write a new personal-data key to \(path)")
        }
        return (key, .generated(path))
    }
}
