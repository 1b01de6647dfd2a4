import Crypto

/// A data key as the store keeps it: wrapped (AES-256-GCM) by a master key, or erased.
///
/// The key ring is kept apart from the records (its own table in each store) because it is what
/// erasure destroys and what backups and exports leave out: a backup holds sealed data, and whether
/// it can still be opened is decided by the live key ring, where an erased person's key is gone.
public struct WrappedDataKey: Sendable, Hashable {
    /// `person:<id>` for a person's data key; `index` (the name index key) and `host` (what belongs
    /// to no person) for the host's own.
    public var id: String
    /// The id of the master key that wrapped it (`VaultKey.id`); empty once erased.
    public var master: String
    /// nil once erased: the key is gone, and with it every value it sealed.
    public var wrapped: [UInt8]?
    public var createdAt: Timestamp
    public var erasedAt: Timestamp?

    public init(id: String, master: String, wrapped: [UInt8]?, createdAt: Timestamp, erasedAt: Timestamp? = nil) {
        self.id = id
        self.master = master
        self.wrapped = wrapped
        self.createdAt = createdAt
        self.erasedAt = erasedAt
    }

    public var isErased: Bool { wrapped == nil }
}

/// One link of the audit log's hash chain, written by the store in the transaction that inserts the
/// entry, in commit order: `hash = SHA-256(position | previous | entryHash)` and `entryHash =
/// SHA-256(the entry as stored)`. Changing an entry breaks its `entryHash`; removing or reordering
/// entries breaks `previous`; rewriting the whole chain is caught by the signed heads (`AuditHead`).
public struct AuditLink: Sendable, Hashable {
    public var position: Int64
    public var entryID: String
    public var entryHash: [UInt8]
    public var previous: [UInt8]
    public var hash: [UInt8]

    public init(position: Int64, entryID: String, entryHash: [UInt8], previous: [UInt8], hash: [UInt8]) {
        self.position = position
        self.entryID = entryID
        self.entryHash = entryHash
        self.previous = previous
        self.hash = hash
    }

    /// The hash before the first link.
    public static let genesis = [UInt8](repeating: 0, count: 32)
}

/// The chain's head as the host signed it at one moment (like Certificate Transparency's signed
/// tree head): position, hash, time, and an Ed25519 signature by the host's audit signing key.
public struct AuditHead: Sendable, Hashable {
    public var position: Int64
    public var hash: [UInt8]
    public var signedAt: Timestamp
    /// The signing key's public half (raw, 32 bytes), so a verifier can tell which key signed.
    public var publicKey: [UInt8]
    public var signature: [UInt8]

    public init(position: Int64, hash: [UInt8], signedAt: Timestamp, publicKey: [UInt8], signature: [UInt8]) {
        self.position = position
        self.hash = hash
        self.signedAt = signedAt
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The bytes signed: a fixed label, the position, the hash and the time.
    public var signedBytes: [UInt8] {
        var bytes = Array("glo-host audit head v1|".utf8)
        bytes += Array("\(position)|".utf8) + hash + Array("|\(signedAt.millisecondsSince1970)".utf8)
        return bytes
    }
}


extension AuditLink {
    /// The link after `previous` (nil: the first) for the entry `entryID` stored as `body`.
    public static func next(after previous: AuditLink?, entryID: String, body: [UInt8]) -> AuditLink {
        let position = (previous?.position ?? 0) + 1
        let before = previous?.hash ?? genesis
        let entryHash = Array(SHA256.hash(data: body))
        return AuditLink(position: position, entryID: entryID, entryHash: entryHash, previous: before,
                         hash: chainHash(position: position, previous: before, entryHash: entryHash))
    }

    public static func chainHash(position: Int64, previous: [UInt8], entryHash: [UInt8]) -> [UInt8] {
        var sha = SHA256()
        sha.update(data: Array("\(position)|".utf8))
        sha.update(data: previous)
        sha.update(data: entryHash)
        return Array(sha.finalize())
    }
}

extension Store {
    /// Copies this store's key ring into `other` (a restored backup, an imported export): the keys
    /// it lacks are added; an erased key is copied as erased, so an erasure made here holds there.
    /// Returns how many keys were copied.
    @discardableResult
    public func copyKeyRing(to other: any Store) async throws -> Int {
        var copied = 0
        var after: String?
        while true {
            let page = try await dataKeys(after: after, limit: 1_000)
            guard let last = page.last else { break }
            after = last.id
            try await other.addDataKeys(page.filter { !$0.isErased })
            for erased in page where erased.isErased {
                try await other.addDataKeys([WrappedDataKey(id: erased.id, master: "", wrapped: [], createdAt: erased.createdAt)])
                _ = try await other.eraseDataKey(erased.id, at: erased.erasedAt ?? .now)
            }
            copied += page.count
        }
        for (id, at) in try await retiredMasterKeys() { try await other.retireMasterKey(id, at: at) }
        return copied
    }
}
