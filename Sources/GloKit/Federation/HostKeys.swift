// The private keys of Curve25519 are immutable values that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
public import Foundation
import GloJSON

/// The host's own keys for the exchange with other hosts: Ed25519 to sign what it sends (and the
/// receipts it gives), X25519 to open what is sealed to it (HPKE). Kept like the personal-data key:
/// a file of mode 0600 (`federation.key_file`) or the environment variable `GLO_HOST_FEDERATION_KEY`.
/// Every host of one deployment (several hosts on one PostgreSQL) uses the same keys: to its peers
/// the deployment is one host.
public struct HostKeys: Sendable {
    let signing: Curve25519.Signing.PrivateKey
    let agreement: Curve25519.KeyAgreement.PrivateKey

    public static let environmentVariable = "GLO_HOST_FEDERATION_KEY"

    public static func generate() -> HostKeys {
        HostKeys(signing: .init(), agreement: .init())
    }

    init(signing: Curve25519.Signing.PrivateKey, agreement: Curve25519.KeyAgreement.PrivateKey) {
        self.signing = signing
        self.agreement = agreement
    }

    /// The keys as kept: one line of JSON, `{"signing": base64, "encryption": base64}`.
    public var text: String {
        JSONWriter.string(.object([
            "format": "glo-federation-key/1",
            "signing": .string(signing.rawRepresentation.base64EncodedString()),
            "encryption": .string(agreement.rawRepresentation.base64EncodedString()),
        ])) + "\n"
    }

    public init(text: String, from source: String) throws(FederationError) {
        guard let value = try? JSONParser.parse(Array(text.utf8)), value["format"]?.stringValue == "glo-federation-key/1",
              let s = value["signing"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
              let e = value["encryption"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
              let signing = try? Curve25519.Signing.PrivateKey(rawRepresentation: s),
              let agreement = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: e) else {
            throw .keys("\(source) does not hold this host's federation keys (made by `glo-host federation init`)")
        }
        self.init(signing: signing, agreement: agreement)
    }

    public var publicKeys: PublicHostKeys {
        PublicHostKeys(signing: signing.publicKey.rawRepresentation.base64EncodedString(),
                       encryption: agreement.publicKey.rawRepresentation.base64EncodedString())
    }

    public func sign(_ bytes: [UInt8]) throws -> String {
        try signing.signature(for: bytes).base64EncodedString()
    }

    /// The keys from `GLO_HOST_FEDERATION_KEY` if set, else from `path`; nil when neither has any
    /// (the host takes no part in the exchange until `glo-host federation init`).
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(FederationError) -> HostKeys? {
        if let text = environment[environmentVariable], !text.isEmpty {
            return try HostKeys(text: text, from: "the environment variable \(environmentVariable)")
        }
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .keys("cannot read the key file \(path)") }
        return try HostKeys(text: text, from: "the key file \(path)")
    }

    /// New keys written to `path` (mode 0600); refused when the file exists, so that keys peers
    /// trust are never replaced by mistake.
    public static func create(path: String) throws(FederationError) -> HostKeys {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) else {
            throw .keys("\(path) exists already: this host has its federation keys (`glo-host federation identity` shows them)")
        }
        let keys = generate()
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard fm.createFile(atPath: path, contents: Data(keys.text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw .keys("cannot write the federation keys to \(path)")
        }
        return keys
    }
}

/// A host's public keys, as its identity document and the peer registry hold them (raw keys in base64).
public struct PublicHostKeys: Sendable, Hashable, Codable {
    public var signing: String
    public var encryption: String

    public init(signing: String, encryption: String) {
        self.signing = signing
        self.encryption = encryption
    }

    /// What the two sides read to each other out of band before trusting a peer: the first 20 bytes
    /// of SHA-256 over both keys, in groups of four hex digits.
    public var fingerprint: String {
        var hash = SHA256()
        hash.update(data: Data("glo-federation-keys/1".utf8))
        hash.update(data: Data(base64Encoded: signing) ?? Data())
        hash.update(data: Data(base64Encoded: encryption) ?? Data())
        let hex = Array(hash.finalize().prefix(20)).hexText
        return stride(from: 0, to: hex.count, by: 4).map { i in
            String(hex.dropFirst(i).prefix(4))
        }.joined(separator: " ")
    }

    func signingKey() throws(FederationError) -> Curve25519.Signing.PublicKey {
        guard let raw = Data(base64Encoded: signing), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw .keys("a signing key is not an Ed25519 public key in base64")
        }
        return key
    }

    func encryptionKey() throws(FederationError) -> Curve25519.KeyAgreement.PublicKey {
        guard let raw = Data(base64Encoded: encryption), let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw) else {
            throw .keys("an encryption key is not an X25519 public key in base64")
        }
        return key
    }

    /// Whether `signature` (base64) is this host's over `bytes`.
    func verifies(_ signature: String, over bytes: [UInt8]) -> Bool {
        guard let key = try? signingKey(), let raw = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(raw, for: bytes)
    }
}

/// What the exchange fails with, worded for the admin or caseworker who sees it; never a person's data.
public enum FederationError: Error, Sendable, CustomStringConvertible, Equatable {
    case keys(String)
    case identity(String)
    case notSetUp
    case refused(String)

    public var description: String {
        switch self {
        case .keys(let why), .identity(let why), .refused(let why): return why
        case .notSetUp:
            return "this host takes no part in the exchange between hosts yet: set federation.host_id and federation.endpoint, then run `glo-host federation init`"
        }
    }
}
