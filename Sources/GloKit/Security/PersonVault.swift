// SymmetricKey is an immutable value (copy-on-write bytes) that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
import Foundation
import GloJSON

/// Seals personal data before it reaches any store (envelope encryption), and makes the keys that
/// let caseworkers find a person by name without the name being stored in the clear.
///
/// - Each person has a data key of their own: 32 random bytes, kept in the store's key ring wrapped
///   by the master key (`WrappedDataKey`). It seals their `PersonalData` and every other copy of their
///   data (a decision's facts, a case's facts, a handover's identity, an idempotent answer). Erasing
///   a person destroys that one key; rotating the master key re-wraps the data keys and touches no
///   sealed value.
/// - A sealed value is text, `sealed:2:<key id>:<base64 of AES-256-GCM>`, bound to its owner (the
///   record's id) as associated data: copied onto another record it fails to open. The key id says
///   which data key opens it; values from before envelope encryption (`sealed:` with no key id, and a
///   person's bare base64) are opened with the key derived from the master key, until the migration
///   (`EnvelopeMigration`) has re-sealed them all.
/// - Each name part is normalised (case and diacritics folded, spaces collapsed) and hashed with
///   HMAC-SHA-256 under the ring's `index` key: equal names give equal keys, so a store can index
///   them; without the key, the hashes reveal no name, though they do reveal that two records share one.
///
/// The vault never waits: when it needs a key that is not in its cache it throws `KeyNeeded`, and
/// `Records` (which can wait) fetches or makes the key and runs the sealing or opening again.
public struct PersonVault: Sendable {
    public let masters: MasterKeys
    let cache: DataKeyCache

    public init(key: VaultKey) { self.init(masters: MasterKeys([key])) }

    public init(masters: MasterKeys) {
        self.masters = masters
        cache = DataKeyCache()
    }

    init(masters: MasterKeys, cache: DataKeyCache) {
        self.masters = masters
        self.cache = cache
    }

    // MARK: Sealing and opening

    /// Whose data key seals a value.
    public enum Owner: Sendable, Hashable {
        case person(PersonID)
        /// The person of a case (looked up once, then remembered: a case's person never changes).
        case caseOf(CaseID)
        /// Several people: the value opens only while every one of their keys exists.
        case persons([PersonID])
        /// No one: the host's own key (what a request answered about no person).
        case host
    }

    public func seal(_ personal: PersonalData, of person: PersonID) throws -> String {
        try sealedText(String(decoding: try GloKitCoding.encode(personal), as: UTF8.self), boundTo: person.description, for: .person(person))
    }

    public func open(_ sealed: String, of person: PersonID) throws -> PersonalData {
        let clear: String
        if sealed.hasPrefix(Self.sealedPrefix) {
            clear = try openedText(sealed, boundTo: person.description)
        } else {
            // Sealed before envelope encryption: bare base64, under the derived key.
            guard let bytes = Data(base64Encoded: sealed), let text = legacyOpen(Array(bytes), boundTo: person.description) else {
                throw VaultError.cannotOpen(person)
            }
            clear = text
        }
        do { return try GloKitCoding.decode(PersonalData.self, from: Array(clear.utf8)) } catch { throw VaultError.cannotOpen(person) }
    }

    /// Text that copies personal data, sealed under `owner`'s data key and bound to the record `boundTo`.
    public func sealedText(_ text: String, boundTo record: String, for owner: Owner) throws -> String {
        let ids = try keyIDs(owner)
        let key = try sealingKey(ids)
        let keyID = ids.joined(separator: "+")
        let box = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Data("\(record)|\(keyID)".utf8))
        guard let combined = box.combined else { throw VaultError.badKey("cannot seal") }
        return Self.currentPrefix + keyID + ":" + combined.base64EncodedString()
    }

    /// The text `sealedText` sealed; text that was never sealed is returned as it is. Throws
    /// `VaultError.erased` when a key that sealed it was erased.
    public func openedText(_ stored: String, boundTo record: String) throws -> String {
        guard stored.hasPrefix(Self.sealedPrefix) else { return stored }
        guard stored.hasPrefix(Self.currentPrefix) else {
            guard let bytes = Data(base64Encoded: String(stored.dropFirst(Self.sealedPrefix.count))),
                  let text = legacyOpen(Array(bytes), boundTo: record) else { throw VaultError.cannotOpenRecord(record) }
            return text
        }
        // By bytes, not Characters: walking the base64 text and splitting the key ids by grapheme
        // clusters cost about 5% of a screening request's CPU (every screening opens its person).
        let utf8 = stored.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: Self.currentPrefix.utf8.count)
        guard let colon = utf8[start...].lastIndex(of: UInt8(ascii: ":")),
              let bytes = Data(base64Encoded: Data(utf8[utf8.index(after: colon)...])) else {
            throw VaultError.cannotOpenRecord(record)
        }
        let keyIDBytes = utf8[start..<colon]
        let keyID = String(decoding: keyIDBytes, as: UTF8.self)
        let key = try openingKey(keyIDBytes.split(separator: UInt8(ascii: "+")).map { String(decoding: $0, as: UTF8.self) })
        guard let box = try? AES.GCM.SealedBox(combined: bytes),
              let clear = try? AES.GCM.open(box, using: key, authenticating: Data("\(record)|\(keyID)".utf8)) else {
            throw VaultError.cannotOpenRecord(record)
        }
        return String(decoding: clear, as: UTF8.self)
    }

    /// Whether a stored value was sealed before envelope encryption (the migration re-seals it).
    public static func isLegacy(_ stored: String) -> Bool {
        stored.hasPrefix(sealedPrefix) && !stored.hasPrefix(currentPrefix)
    }

    static let sealedPrefix = "sealed:"
    static let currentPrefix = "sealed:2:"

    private func keyIDs(_ owner: Owner) throws -> [String] {
        switch owner {
        case .person(let id): return [DataKeyID.person(id)]
        case .persons(let ids): return ids.isEmpty ? [DataKeyID.host] : Array(Set(ids)).sorted().map(DataKeyID.person)
        case .host: return [DataKeyID.host]
        case .caseOf(let id):
            guard let person = cache.owner(of: id) else { throw KeyNeeded.caseOwner(id) }
            return [DataKeyID.person(person)]
        }
    }

    private func sealingKey(_ ids: [String]) throws -> SymmetricKey {
        try combined(ids.map { id in
            do { return try dataKey(id, create: true) } catch VaultError.erased {
                throw GloKitError.refused("\(DataKeyID.describe(id)) was erased: nothing more can be recorded about them")
            }
        }, ids)
    }

    private func openingKey(_ ids: [String]) throws -> SymmetricKey {
        try combined(ids.map { try dataKey($0, create: false) }, ids)
    }

    /// One key, or for several people one derived from all of theirs (so that erasing any of them
    /// makes the value unreadable).
    private func combined(_ keys: [SymmetricKey], _ ids: [String]) throws -> SymmetricKey {
        if keys.count == 1 { return keys[0] }
        var material: [UInt8] = []
        for key in keys { key.withUnsafeBytes { material += $0 } }
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: material),
                                      info: Data("glo-host joint key|\(ids.joined(separator: "+"))".utf8), outputByteCount: 32)
    }

    /// A data key from the cache; `KeyNeeded` when it is not there, `VaultError.erased` when it is gone.
    func dataKey(_ id: String, create: Bool) throws -> SymmetricKey {
        switch cache.key(id) {
        case .live(let bytes): return SymmetricKey(data: bytes)
        case .erased: throw VaultError.erased(id)
        case nil: throw KeyNeeded.key(id, create: create)
        }
    }

    // MARK: Wrapping data keys

    func wrap(_ key: [UInt8], id: String, now: Timestamp = .now) throws -> WrappedDataKey {
        try wrap(key, id: id, with: masters.current, createdAt: now)
    }

    func wrap(_ key: [UInt8], id: String, with master: VaultKey, createdAt: Timestamp) throws -> WrappedDataKey {
        let box = try AES.GCM.seal(key, using: master.symmetric, authenticating: Data("glo-host data key|\(id)".utf8))
        guard let combined = box.combined else { throw VaultError.badKey("cannot wrap a data key") }
        return WrappedDataKey(id: id, master: master.id, wrapped: Array(combined), createdAt: createdAt)
    }

    /// The data key's bytes; a key wrapped by a master key this host does not hold is refused with
    /// what to do.
    func unwrap(_ stored: WrappedDataKey, retired: [String: Timestamp] = [:]) throws -> [UInt8] {
        guard let wrapped = stored.wrapped else { throw VaultError.erased(stored.id) }
        guard let master = masters.key(id: stored.master) else { throw VaultError.unknownMaster(stored.master) }
        guard let box = try? AES.GCM.SealedBox(combined: wrapped),
              let key = try? AES.GCM.open(box, using: master.symmetric, authenticating: Data("glo-host data key|\(stored.id)".utf8)) else {
            throw VaultError.badKey("the data key \(stored.id) does not open with master key \(stored.master): the key ring was altered")
        }
        return Array(key)
    }

    // MARK: Before envelope encryption

    /// What sealed personal data before envelope encryption: a key derived from each master key held.
    private func legacyOpen(_ sealed: [UInt8], boundTo owner: String) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return nil }
        for master in masters.all {
            if let clear = try? AES.GCM.open(box, using: Self.legacyKey(master, "glo-host personal data v1"), authenticating: Data(owner.utf8)) {
                return String(decoding: clear, as: UTF8.self)
            }
        }
        return nil
    }

    /// The name index key stores made before envelope encryption used: kept as the ring's `index`
    /// key when such a store is migrated, so its name hashes stay valid.
    static func legacyKey(_ master: VaultKey, _ info: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master.symmetric, info: Data(info.utf8), outputByteCount: 32)
    }

    static func legacyNameKey(_ master: VaultKey) -> [UInt8] {
        legacyKey(master, "glo-host name index v1").withUnsafeBytes { Array($0) }
    }

    /// Seals as glo-host did before envelope encryption: for tests of the migration only.
    public func legacySealForTesting(_ personal: PersonalData, of person: PersonID) throws -> String {
        let clear = Data(try GloKitCoding.encode(personal))
        let box = try AES.GCM.seal(clear, using: Self.legacyKey(masters.current, "glo-host personal data v1"),
                                   authenticating: Data(person.description.utf8))
        return box.combined!.base64EncodedString()
    }

    public func legacySealForTesting(text: String, boundTo owner: String) throws -> String {
        let box = try AES.GCM.seal(Data(text.utf8), using: Self.legacyKey(masters.current, "glo-host personal data v1"),
                                   authenticating: Data(owner.utf8))
        return Self.sealedPrefix + box.combined!.base64EncodedString()
    }

    /// The name keys as glo-host made them before envelope encryption: for tests of the migration only.
    public func legacyNameKeysForTesting(_ personal: PersonalData) -> [IndexKey] {
        let key = SymmetricKey(data: Self.legacyNameKey(masters.current))
        var names = [personal.givenNames] + personal.otherNames
        if let family = personal.familyName { names.append(family) }
        var seen = Set<String>()
        return names.flatMap(PersonVault.nameParts).filter { seen.insert($0).inserted }.map { nameKey(normalisedPart: $0, key) }
    }

    // MARK: Name index

    /// The index keys of every name part of `personal`.
    public func nameKeys(_ personal: PersonalData) throws -> [IndexKey] {
        let key = try dataKey(DataKeyID.index, create: true)
        var names = [personal.givenNames] + personal.otherNames
        if let family = personal.familyName { names.append(family) }
        var seen = Set<String>()
        var keys: [IndexKey] = []
        for part in names.flatMap(PersonVault.nameParts) where seen.insert(part).inserted {
            keys.append(nameKey(normalisedPart: part, key))
        }
        return keys
    }

    /// The index keys to look up for a name typed by a caseworker: one per part.
    public func searchKeys(_ name: String) throws -> [IndexKey] {
        let key = try dataKey(DataKeyID.index, create: true)
        return Array(Set(PersonVault.nameParts(name))).sorted().map { nameKey(normalisedPart: $0, key) }
    }

    private func nameKey(normalisedPart part: String, _ key: SymmetricKey) -> IndexKey {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)
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
    /// The data key with this id was erased: what it sealed can never be opened again.
    case erased(String)
    /// A data key is wrapped by a master key this host does not hold.
    case unknownMaster(String)
    /// The store's key ring has no such data key (a store restored or imported without the live ring).
    case missingKey(String)

    public var description: String {
        switch self {
        case .cannotOpen(let id):
            return "the personal data of person \(id) cannot be opened: the key is not the one it was sealed with, or the record was altered"
        case .cannotOpenRecord(let id):
            return "the sealed part of record \(id) cannot be opened: wrong key, or the record was altered"
        case .badKey(let why): return why
        case .erased(let id): return "\(DataKeyID.describe(id)) was erased"
        case .unknownMaster(let id):
            return "the data keys are wrapped by master key \(id), which this host does not hold: copy the current key file from the host that ran `glo-host keys rotate` (README, Data protection)"
        case .missingKey(let id):
            return "the key ring of this store has no data key for \(DataKeyID.describe(id)): backups and exports never hold the key ring; copy it from the live store (`glo-host keys copy --from`)"
        }
    }
}

/// The ids of the key ring's keys.
public enum DataKeyID {
    public static let index = "index"
    public static let host = "host"
    public static func person(_ id: PersonID) -> String { "person:\(id)" }

    /// A key id as a message names it (no more than the id).
    static func describe(_ id: String) -> String {
        id.hasPrefix("person:") ? "person \(id.dropFirst("person:".count))" : "the \(id) key"
    }
}
