// The signing keys are immutable values that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
import Foundation

/// The host's audit signing key (Ed25519): it signs the audit chain's head at intervals, so that a
/// chain rewritten end to end by someone holding the database still fails `glo-host audit verify`.
/// Kept base64 in its own file (mode 0600), apart from the database; its public half is printed by
/// `glo-host audit verify` and may be given to an auditor to check against (`--public-key`).
public struct AuditSigningKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init(rawRepresentation bytes: [UInt8]) throws {
        key = try Curve25519.Signing.PrivateKey(rawRepresentation: bytes)
    }

    public var publicKey: [UInt8] { Array(key.publicKey.rawRepresentation) }

    /// The key in `path`, or a new one written there.
    public static func load(path: String) throws -> AuditSigningKey {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw VaultError.badKey("the audit signing key file \(path) does not hold a key: expected 32 bytes in base64")
            }
            return try AuditSigningKey(rawRepresentation: Array(bytes))
        }
        let key = Curve25519.Signing.PrivateKey()
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard fm.createFile(atPath: path, contents: Data((key.rawRepresentation.base64EncodedString() + "\n").utf8),
                            attributes: [.posixPermissions: 0o600]) else {
            throw VaultError.badKey("cannot write a new audit signing key to \(path)")
        }
        return try AuditSigningKey(rawRepresentation: Array(key.rawRepresentation))
    }

    /// Signs the chain's current head, unless it was signed at this position already; the head signed.
    @discardableResult
    public func signHead(of store: any Store, at time: Timestamp = .now) async throws -> AuditHead? {
        guard let last = try await store.lastAuditLink() else { return nil }
        if let signed = try await store.auditHeads().last, signed.position >= last.position { return nil }
        var head = AuditHead(position: last.position, hash: last.hash, signedAt: time, publicKey: publicKey, signature: [])
        head.signature = Array(try key.signature(for: head.signedBytes))
        try await store.addAuditHead(head)
        return head
    }
}

/// Checks the audit log against its hash chain and signed heads, and names what was changed,
/// removed, reordered or added behind the host's back (`glo-host audit verify`).
public struct AuditChainCheck: Sendable {
    let store: any Store

    public init(store: any Store) { self.store = store }

    public enum Finding: Sendable, Equatable, CustomStringConvertible {
        /// The entry's content is not what was chained.
        case changed(position: Int64, entryID: String)
        /// The entry is gone from the log.
        case removed(position: Int64, entryID: String)
        /// Links are missing from the chain itself.
        case linksRemoved(from: Int64, to: Int64)
        /// The entry at `position` holds what was chained at `holds` (entries swapped or moved), or the
        /// link itself was moved.
        case reordered(position: Int64, entryID: String, holds: Int64?)
        /// A link whose own hash does not add up (the chain table was edited).
        case linkAltered(position: Int64)
        /// An entry in the log that no link chains: written around the host.
        case added(entryID: String)
        /// A signed head disagrees with the chain: the chain was rewritten up to `position` after it was signed.
        case headMismatch(position: Int64, signedAt: Timestamp)
        case badSignature(position: Int64)
        /// Signed by a key other than the one the verifier trusts.
        case untrustedKey(position: Int64)

        public var description: String {
            switch self {
            case .changed(let p, let id): return "entry \(p) (\(id)) was changed"
            case .removed(let p, let id): return "entry \(p) (\(id)) was removed"
            case .linksRemoved(let from, let to):
                return from == to ? "entry \(from) was removed with its link" : "entries \(from) to \(to) were removed with their links"
            case .reordered(let p, let id, let holds):
                return "entry \(p) (\(id)) was reordered" + (holds.map { ": it holds what was entry \($0)" } ?? "")
            case .linkAltered(let p): return "the chain's link \(p) was altered"
            case .added(let id): return "entry \(id) was added outside the chain"
            case .headMismatch(let p, let at):
                return "the chain up to entry \(p) differs from the head signed at \(at): it was rewritten"
            case .badSignature(let p): return "the head signed at entry \(p) has a bad signature"
            case .untrustedKey(let p): return "the head at entry \(p) was signed by another key than the one given"
            }
        }
    }

    public struct Report: Sendable {
        public var entries: Int64
        public var heads: Int
        /// Entries after the last signed head (a rewrite of those is caught only by the next head).
        public var unsigned: Int64
        public var findings: [Finding]
        public var publicKeys: [[UInt8]]
    }

    static let pageSize = 1_000

    public func verify(trusting trusted: [UInt8]? = nil) async throws -> Report {
        var findings: [Finding] = []
        // Every link first (ids and hashes only), so that an entry found in another's place can be named.
        var links: [AuditLink] = []
        var after: Int64 = 0
        while true {
            let page = try await store.auditLinks(after: after, limit: Self.pageSize)
            guard let last = page.last else { break }
            links += page
            after = last.position
        }
        var positionOfHash: [[UInt8]: Int64] = [:]
        for link in links { positionOfHash[link.entryHash] = link.position }
        var chained = Set<String>()
        var expected: Int64 = 1
        var running = AuditLink.genesis
        var hashAt: [Int64: [UInt8]] = [:]
        for link in links {
            chained.insert(link.entryID)
            if link.position != expected {
                findings.append(.linksRemoved(from: expected, to: link.position - 1))
            } else if link.previous != running {
                findings.append(.reordered(position: link.position, entryID: link.entryID, holds: nil))
            }
            if AuditLink.chainHash(position: link.position, previous: link.previous, entryHash: link.entryHash) != link.hash {
                findings.append(.linkAltered(position: link.position))
            }
            if let record = try await store.record(AuditEntry.collection, id: link.entryID) {
                let hash = Array(SHA256.hash(data: record.body))
                if hash != link.entryHash {
                    if let other = positionOfHash[hash], other != link.position {
                        findings.append(.reordered(position: link.position, entryID: link.entryID, holds: other))
                    } else {
                        findings.append(.changed(position: link.position, entryID: link.entryID))
                    }
                }
            } else {
                findings.append(.removed(position: link.position, entryID: link.entryID))
            }
            running = link.hash
            hashAt[link.position] = link.hash
            expected = link.position + 1
        }
        var afterID: String?
        while true {
            let page = try await store.records(AuditEntry.collection, after: afterID, limit: Self.pageSize)
            guard let last = page.last else { break }
            afterID = last.id
            for record in page where !chained.contains(record.id) { findings.append(.added(entryID: record.id)) }
        }
        let heads = try await store.auditHeads()
        var keys: [[UInt8]] = []
        for head in heads {
            if !keys.contains(head.publicKey) { keys.append(head.publicKey) }
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: head.publicKey),
                  key.isValidSignature(head.signature, for: head.signedBytes) else {
                findings.append(.badSignature(position: head.position))
                continue
            }
            if let trusted, trusted != head.publicKey { findings.append(.untrustedKey(position: head.position)) }
            if hashAt[head.position] != head.hash { findings.append(.headMismatch(position: head.position, signedAt: head.signedAt)) }
        }
        let total = links.last?.position ?? 0
        return Report(entries: total, heads: heads.count, unsigned: total - (heads.last?.position ?? 0), findings: findings,
                      publicKeys: keys)
    }
}
