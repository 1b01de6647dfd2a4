import Foundation
import GloJSON

/// Who this host is to the others: its id, the jurisdictions it serves, the organisation that
/// receives what is handed over to it, the URL of its inbox, and its public keys. `glo-host
/// federation identity` prints it as a signed document to hand to the other side out of band; the
/// other side registers it as a peer (`FederationPeer`) after reading the fingerprint aloud.
public struct HostIdentity: Sendable, Hashable, Codable {
    public struct Organisation: Sendable, Hashable, Codable {
        public var id: OrganisationID
        public var name: String

        public init(id: OrganisationID, name: String) {
            self.id = id
            self.name = name
        }
    }

    public static let format = "glo-federation-identity/1"

    /// Lower case letters, digits, dots and hyphens (`th-msdhs`): it names the host in every message.
    public var hostID: String
    public var jurisdictions: [JurisdictionID]
    public var organisation: Organisation
    /// Where the host's inbox answers: the base URL, `/federation/v1/inbox` is added.
    public var endpoint: String
    public var keys: PublicHostKeys

    public init(hostID: String, jurisdictions: [JurisdictionID], organisation: Organisation, endpoint: String, keys: PublicHostKeys) {
        self.hostID = hostID
        self.jurisdictions = jurisdictions
        self.organisation = organisation
        self.endpoint = endpoint
        self.keys = keys
    }

    enum CodingKeys: String, CodingKey {
        case jurisdictions, organisation, endpoint, keys
        case hostID = "host_id"
    }

    /// Why a host id is unusable, or nil.
    public static func problem(hostID: String) -> String? {
        let ok = (1...64).contains(hostID.count) && hostID.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
        }
        return ok ? nil : "'\(hostID)' is not a host id: use 1 to 64 lower case letters, digits, dots and hyphens (th-msdhs)"
    }

    /// Why an endpoint is unusable, or nil.
    public static func problem(endpoint: String) -> String? {
        guard let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.query == nil else {
            return "'\(endpoint)' is not an endpoint: give the host's base URL, such as https://glo.example.la or http://127.0.0.1:8081"
        }
        return nil
    }

    /// The URL messages are posted to.
    public var inboxURL: String {
        (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/federation/v1/inbox"
    }

    var unsigned: JSONValue {
        .object([
            "format": .string(Self.format), "host_id": .string(hostID),
            "jurisdictions": .array(jurisdictions.map { .string($0.rawValue) }),
            "organisation": .object(["id": .string(organisation.id.description), "name": .string(organisation.name)]),
            "endpoint": .string(endpoint), "signing_key": .string(keys.signing), "encryption_key": .string(keys.encryption),
            "fingerprint": .string(keys.fingerprint),
        ])
    }

    /// The document to hand over: the identity, signed by the host's signing key (so that a copy
    /// altered on the way fails, and the holder of the keys is the one who made it).
    public func document(signedBy keys: HostKeys) throws -> String {
        guard case .object(var o) = unsigned else { return "" }
        o["signature"] = .string(try keys.sign(JSONWriter.bytes(unsigned)))
        return JSONWriter.string(.object(o)) + "\n"
    }

    /// Reads a document `document(signedBy:)` made, checking its signature and its fingerprint.
    public static func read(document: String) throws(FederationError) -> HostIdentity {
        guard let value = try? JSONParser.parse(Array(document.utf8)), case .object(var o) = value else {
            throw .identity("not an identity document: expected the JSON that `glo-host federation identity` prints")
        }
        guard o["format"]?.stringValue == format else { throw .identity("not an identity document of this version (format \(format))") }
        func text(_ key: String) throws(FederationError) -> String {
            guard let s = o[key]?.stringValue, !s.isEmpty else { throw .identity("the identity document lacks \(key)") }
            return s
        }
        let signature = try text("signature")
        o["signature"] = nil
        guard let orgID = o["organisation"]?["id"]?.stringValue.flatMap(OrganisationID.init),
              let orgName = o["organisation"]?["name"]?.stringValue,
              let jurisdictions = o["jurisdictions"]?.arrayValue?.compactMap({ $0.stringValue }).map({ JurisdictionID($0) }), !jurisdictions.isEmpty else {
            throw .identity("the identity document lacks its organisation (id and name) or its jurisdictions")
        }
        let identity = HostIdentity(hostID: try text("host_id"), jurisdictions: jurisdictions,
                                    organisation: .init(id: orgID, name: orgName), endpoint: try text("endpoint"),
                                    keys: PublicHostKeys(signing: try text("signing_key"), encryption: try text("encryption_key")))
        if let problem = problem(hostID: identity.hostID) { throw .identity("host_id: \(problem)") }
        if let problem = problem(endpoint: identity.endpoint) { throw .identity("endpoint: \(problem)") }
        _ = try identity.keys.signingKey()
        _ = try identity.keys.encryptionKey()
        guard try text("fingerprint") == identity.keys.fingerprint else {
            throw .identity("the document's fingerprint is not that of its keys: it was altered")
        }
        guard identity.keys.verifies(signature, over: JSONWriter.bytes(.object(o))),
              JSONWriter.bytes(.object(o)) == JSONWriter.bytes(identity.unsigned) else {
            throw .identity("the document's signature does not verify: it was altered after it was signed")
        }
        return identity
    }
}

/// Another host this one exchanges messages with, registered by an admin from its identity document
/// (`glo-host federation peers add`). Kept in the store, so every host of a deployment knows it; each
/// change is audited. A disabled peer's messages are refused, and nothing more is sent to it.
public struct FederationPeer: StoredEntity, Equatable {
    public static let collection = RecordCollection("federation_peer")

    public enum State: String, Sendable, Codable, CaseIterable {
        case enabled, disabled
    }

    public var identity: HostIdentity
    public var state: State
    public var addedAt: Timestamp
    public var changedAt: Timestamp

    public init(identity: HostIdentity, state: State = .enabled, at: Timestamp = .now) {
        self.identity = identity
        self.state = state
        self.addedAt = at
        self.changedAt = at
    }

    public var hostID: String { identity.hostID }
    public var recordID: String { identity.hostID }
    /// Every peer under one key (peers are few), and each by the jurisdictions it serves.
    public var indexKeys: [IndexKey] { [IndexKey("federation_peer", "all")] + identity.jurisdictions.map { .jurisdiction($0) } }

    enum CodingKeys: String, CodingKey {
        case identity, state
        case addedAt = "added_at"
        case changedAt = "changed_at"
    }

    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if let p = HostIdentity.problem(hostID: identity.hostID) { errors.append(FieldError(field: "peer.host_id", message: p)) }
        if let p = HostIdentity.problem(endpoint: identity.endpoint) { errors.append(FieldError(field: "peer.endpoint", message: p)) }
        return errors
    }
}
