// SymmetricKey is an immutable value (copy-on-write bytes) that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
import Foundation
import GloJSON

/// A backup file's seal: the database copy encrypted and authenticated (AES-256-GCM) in chunks of
/// 1 MiB under a key derived from the master key, after a header that says which master key and how
/// many chunks. A chunk changed, dropped, moved or cut off fails the check on restore, which then
/// writes nothing.
///
/// The copy holds no data keys (the key ring stays with the live store): a restore takes the ring
/// from the live store, so a person erased since the backup stays erased in the restored copy.
public enum BackupSeal {
    public static let magic = "glo-host backup 1"
    static let chunkSize = 1 << 20

    public struct Header: Sendable, Equatable {
        public var createdAt: Timestamp
        public var master: String
        public var chunks: Int
        /// Random bytes (hex) that make each backup's key its own.
        public var salt: String
    }

    static func key(_ master: VaultKey, salt: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master.symmetric, info: Data("glo-host backup v1|\(salt)".utf8), outputByteCount: 32)
    }

    /// Seals `plain` (read in chunks by `read`, which returns an empty array at the end) and hands each
    /// piece of the sealed file to `write`.
    public static func seal(with master: VaultKey, size: Int, read: (Int) throws -> [UInt8], write: ([UInt8]) throws -> Void) throws -> Header {
        let salt = VaultKey.random().bytes.prefix(16).map { String(format: "%02x", $0) }.joined()
        let chunks = max(1, (size + chunkSize - 1) / chunkSize)
        let header = Header(createdAt: .now, master: master.id, chunks: chunks, salt: salt)
        let headerText = JSONWriter.string(.object([
            "format": .string(magic), "created_at": .int(header.createdAt.millisecondsSince1970), "master": .string(header.master),
            "chunks": .int(Int64(chunks)), "salt": .string(salt),
        ]), sortKeys: true)
        try write(Array((headerText + "\n").utf8))
        let key = key(master, salt: salt)
        for index in 0..<chunks {
            let plain = try read(chunkSize)
            let box = try AES.GCM.seal(plain, using: key, authenticating: aad(index, of: chunks, header: headerText))
            guard let combined = box.combined else { throw VaultError.badKey("cannot seal the backup") }
            var length = UInt32(combined.count).bigEndian
            try write(withUnsafeBytes(of: &length) { Array($0) } + Array(combined))
        }
        return header
    }

    /// The header of a sealed file's first line.
    public static func header(_ line: String) throws -> Header {
        guard let json = try? JSONParser.parse(line), json["format"]?.stringValue == magic,
              let at = json["created_at"]?.intValue, let master = json["master"]?.stringValue,
              let chunks = json["chunks"]?.intValue, chunks > 0, let salt = json["salt"]?.stringValue else {
            throw BackupError("it is not a glo-host backup (no backup header)")
        }
        return Header(createdAt: Timestamp(millisecondsSince1970: at), master: master, chunks: Int(chunks), salt: salt)
    }

    /// Opens a sealed file (`bytes` after the header line `headerLine`), chunk by chunk into `write`.
    public static func open(_ bytes: [UInt8], headerLine: String, masters: [VaultKey], write: ([UInt8]) throws -> Void) throws -> Header {
        let header = try header(headerLine)
        guard let master = masters.first(where: { $0.id == header.master }) else {
            throw BackupError("it was sealed with master key \(header.master), which the key file does not hold: give the key file of that time (--key-file)")
        }
        let key = key(master, salt: header.salt)
        var offset = 0
        for index in 0..<header.chunks {
            guard offset + 4 <= bytes.count else { throw BackupError("it is cut short: chunk \(index + 1) of \(header.chunks) is missing") }
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            offset += 4
            guard offset + length <= bytes.count, let box = try? AES.GCM.SealedBox(combined: bytes[offset..<(offset + length)]),
                  let plain = try? AES.GCM.open(box, using: key, authenticating: aad(index, of: header.chunks, header: headerLine)) else {
                throw BackupError("chunk \(index + 1) of \(header.chunks) does not open: the file was altered or damaged")
            }
            try write(Array(plain))
            offset += length
        }
        guard offset == bytes.count else { throw BackupError("it has bytes after its last chunk: the file was altered") }
        return header
    }

    private static func aad(_ index: Int, of chunks: Int, header: String) -> [UInt8] {
        Array("\(header)|\(index)|\(chunks)".utf8)
    }
}

/// A backup that cannot be restored, and why (never its content).
public struct BackupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
