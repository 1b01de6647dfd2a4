// Curve25519 keys and HPKE contexts are values that swift-crypto 3 does not mark Sendable.
@preconcurrency import Crypto
import Foundation
public import GloJSON

/// A message as it travels, over HTTP or on removable media: a header in the clear (id, sender,
/// recipient, times), the payload sealed to the recipient with HPKE (X25519, HKDF-SHA256,
/// ChaCha20-Poly1305) with the header as associated data, and the sender's Ed25519 signature over the
/// canonical encoding of both. The receiver checks the signature against its peer registry before it
/// does anything else; only then does it open the payload.
///
/// The canonical encoding is the envelope's JSON object without `signature`, keys sorted, no spaces
/// (every member is a string, so there is one way to write it).
public struct Envelope: Sendable, Hashable {
    public static let format = "glo-federation/1"
    static let suite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly
    static let info = Data("glo-federation/1 payload".utf8)

    public var id: MessageID
    public var sender: String
    public var recipient: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    /// HPKE's encapsulated key and the sealed payload, in base64.
    public var encapsulatedKey: String
    public var ciphertext: String
    public var signature: String

    var header: JSONValue {
        .object(["format": .string(Self.format), "id": .string(id.description), "sender": .string(sender),
                 "recipient": .string(recipient), "created_at": .string(createdAt.description),
                 "expires_at": .string(expiresAt.description)])
    }

    /// What the signature covers.
    public var signedBytes: [UInt8] {
        guard case .object(var o) = header else { return [] }
        o["enc"] = .string(encapsulatedKey)
        o["ciphertext"] = .string(ciphertext)
        return JSONWriter.bytes(.object(o))
    }

    /// The envelope as sent.
    public var bytes: [UInt8] {
        guard case .object(var o) = header else { return [] }
        o["enc"] = .string(encapsulatedKey)
        o["ciphertext"] = .string(ciphertext)
        o["signature"] = .string(signature)
        return JSONWriter.bytes(.object(o))
    }

    /// What a receipt names: SHA-256 of the signed bytes, in hex.
    public var digest: String { Array(SHA256.hash(data: signedBytes)).hexText }

    /// Seals `payload` to `recipient` and signs it as `sender`.
    public static func seal(_ payload: FederationMessage.Payload, id: MessageID = MessageID(), from sender: String, keys: HostKeys,
                            to recipient: HostIdentity, at now: Timestamp = .now, lifetime: Duration) throws -> Envelope {
        let seconds = lifetime.components.seconds
        var envelope = Envelope(id: id, sender: sender, recipient: recipient.hostID, createdAt: now,
                                expiresAt: Timestamp(millisecondsSince1970: now.millisecondsSince1970 + seconds * 1000),
                                encapsulatedKey: "", ciphertext: "", signature: "")
        var context = try HPKE.Sender(recipientKey: try recipient.keys.encryptionKey(), ciphersuite: suite, info: info)
        let sealed = try context.seal(try GloKitCoding.encode(payload), authenticating: JSONWriter.bytes(envelope.header))
        envelope.encapsulatedKey = context.encapsulatedKey.base64EncodedString()
        envelope.ciphertext = sealed.base64EncodedString()
        envelope.signature = try keys.sign(envelope.signedBytes)
        return envelope
    }

    /// Reads an envelope's JSON; nil when it is not one (the receiver refuses it as malformed).
    public static func parse(_ bytes: [UInt8]) -> Envelope? {
        guard let value = try? JSONParser.parse(bytes), case .object(let o) = value, o["format"]?.stringValue == format,
              let id = o["id"]?.stringValue.flatMap(MessageID.init), let sender = o["sender"]?.stringValue,
              let recipient = o["recipient"]?.stringValue,
              let created = o["created_at"]?.stringValue.flatMap(Timestamp.init),
              let expires = o["expires_at"]?.stringValue.flatMap(Timestamp.init),
              let enc = o["enc"]?.stringValue, let ciphertext = o["ciphertext"]?.stringValue,
              let signature = o["signature"]?.stringValue, o.count == 9 else { return nil }
        let envelope = Envelope(id: id, sender: sender, recipient: recipient, createdAt: created, expiresAt: expires,
                                encapsulatedKey: enc, ciphertext: ciphertext, signature: signature)
        // Times written otherwise than this host writes them would sign other bytes than those read.
        guard envelope.header["created_at"] == o["created_at"], envelope.header["expires_at"] == o["expires_at"],
              envelope.header["id"] == o["id"] else { return nil }
        return envelope
    }

    /// Whether the signature is `peer`'s over this envelope.
    public func isSigned(by peer: PublicHostKeys) -> Bool { peer.verifies(signature, over: signedBytes) }

    /// Opens the payload with this host's keys; nil when it cannot be opened (sealed to another key,
    /// or altered).
    public func open(with keys: HostKeys) -> FederationMessage.Payload? {
        guard let enc = Data(base64Encoded: encapsulatedKey), let sealed = Data(base64Encoded: ciphertext),
              var context = try? HPKE.Recipient(privateKey: keys.agreement, ciphersuite: Self.suite, info: Self.info, encapsulatedKey: enc),
              let clear = try? context.open(sealed, authenticating: JSONWriter.bytes(header)) else { return nil }
        return try? GloKitCoding.decode(FederationMessage.Payload.self, from: Array(clear))
    }
}

/// The receiver's signed word that it stored a message: which message (by id and digest), who
/// received it from whom, and when. The sender keeps it as evidence of delivery.
public struct Receipt: Sendable, Hashable {
    public static let format = "glo-federation-receipt/1"
    public var messageID: MessageID
    public var digest: String
    public var sender: String
    public var receiver: String
    public var receivedAt: Timestamp
    public var signature: String

    var unsigned: JSONValue {
        .object(["format": .string(Self.format), "message_id": .string(messageID.description), "digest": .string(digest),
                 "sender": .string(sender), "receiver": .string(receiver), "received_at": .string(receivedAt.description)])
    }

    public var json: JSONValue {
        guard case .object(var o) = unsigned else { return unsigned }
        o["signature"] = .string(signature)
        return .object(o)
    }

    public var text: String { JSONWriter.string(json) }

    /// The receipt for `envelope`, signed by the receiver.
    static func sign(_ envelope: Envelope, receiver: String, keys: HostKeys, at now: Timestamp = .now) throws -> Receipt {
        var receipt = Receipt(messageID: envelope.id, digest: envelope.digest, sender: envelope.sender, receiver: receiver,
                              receivedAt: now, signature: "")
        receipt.signature = try keys.sign(JSONWriter.bytes(receipt.unsigned))
        return receipt
    }

    public static func parse(_ value: JSONValue?) -> Receipt? {
        guard let o = value?.objectValue, o["format"]?.stringValue == format,
              let id = o["message_id"]?.stringValue.flatMap(MessageID.init), let digest = o["digest"]?.stringValue,
              let sender = o["sender"]?.stringValue, let receiver = o["receiver"]?.stringValue,
              let at = o["received_at"]?.stringValue.flatMap(Timestamp.init), let signature = o["signature"]?.stringValue else { return nil }
        return Receipt(messageID: id, digest: digest, sender: sender, receiver: receiver, receivedAt: at, signature: signature)
    }

    /// Whether this is `peer`'s signed receipt for exactly `envelope`.
    public func proves(delivery envelope: Envelope, to peer: HostIdentity) -> Bool {
        messageID == envelope.id && digest == envelope.digest && receiver == peer.hostID && sender == envelope.sender
            && peer.keys.verifies(signature, over: JSONWriter.bytes(unsigned))
    }
}
