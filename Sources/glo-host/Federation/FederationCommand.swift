import ArgumentParser
import Foundation
import GloJSON
import GloKit

/// `glo-host federation`: this host's keys and identity, its peers, its queues, and the offline file.
struct FederationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federation",
        abstract: "Exchange messages with other hosts: keys, identity, peers, outbox, inbox, offline files.",
        discussion: """
            Each country's agencies run their own host; what crosses the border travels as signed, sealed messages
            (docs/federation.md). These commands work on the store directly, also while `glo-host serve` runs on it.
            """,
        subcommands: [Init.self, Identity.self, Peers.self, Outbox.self, Inbox.self, Export.self, Import.self, FederationBench.self]
    )

    /// The settings, the store and the exchange over it; the store is closed by `close`.
    struct Opened {
        let settings: Settings
        let store: any Store
        let federation: Federation

        static func open(_ options: StoreOptions) async throws -> Opened {
            let settings = try await options.settings()
            let setup = try settings.federation.setup()
            let (store, vault) = try await openStore(settings)
            return Opened(settings: settings, store: store,
                          federation: Federation(records: Records(store: store, vault: vault), setup: setup,
                                                 jurisdictions: settings.jurisdictions.map { JurisdictionID($0) }))
        }

        func close() async throws { try await store.close() }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make this host's signing (Ed25519) and encryption (X25519) keys.",
                                                        discussion: "Written to federation.key_file (mode 0600); refused when keys exist there. Back the file up: peers trust these keys.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try await store.settings()
            let keys: HostKeys
            do { keys = try HostKeys.create(path: settings.federation.keyFile) } catch {
                warn("federation.key_file \(settings.federation.keyFile): \(error)")
                throw ExitCode(2)
            }
            print("federation keys written to \(settings.federation.keyFile)\nfingerprint \(keys.publicKeys.fingerprint)")
            if let missing = settings.federation.missing { print("next: \(missing)") }
        }
    }

    struct Identity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print this host's signed identity document, to hand to the other side out of band.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let settings = try await store.settings()
            if let missing = settings.federation.missing {
                warn("federation: \(missing)")
                throw ExitCode(2)
            }
            let setup = try settings.federation.setup()
            guard let keys = setup.keys else {
                warn("federation.key_file \(settings.federation.keyFile): there are no keys there yet: run `glo-host federation init`")
                throw ExitCode(2)
            }
            guard !settings.jurisdictions.isEmpty else {
                warn("jurisdictions: name the jurisdictions this host serves (its peers send it what is for them)")
                throw ExitCode(2)
            }
            guard let identity = setup.identity(serving: settings.jurisdictions.map { JurisdictionID($0) }) else { throw ExitCode(2) }
            FileHandle.standardOutput.write(Data(try identity.document(signedBy: keys).utf8))
        }
    }

    struct Peers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register, list and disable the hosts this one exchanges with.",
                                                        subcommands: [Add.self, List.self, Disable.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a peer from its identity document, after showing its fingerprint.",
                discussion: "Read the fingerprint to the other side (by phone, in person) before trusting it: give it with --fingerprint, or answer yes on stdin.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The peer's identity document (`glo-host federation identity` on its host).")
            var file: String
            @Option(name: .customLong("fingerprint"), help: "The fingerprint the other side read to you; the document's must be the same.")
            var fingerprint: String?
            @Flag(name: .customLong("replace-keys"), help: "Accept new keys for a peer registered with others.")
            var replaceKeys = false

            func run() async throws {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    warn("FILE \(file): cannot read it")
                    throw ExitCode(2)
                }
                let identity: HostIdentity
                do { identity = try HostIdentity.read(document: text) } catch {
                    warn("FILE \(file): \(error)")
                    throw ExitCode(2)
                }
                print("peer \(identity.hostID) (\(identity.organisation.name); \(identity.jurisdictions.map(\.rawValue).joined(separator: ", "))) at \(identity.endpoint)")
                print("fingerprint \(identity.keys.fingerprint)")
                let given = fingerprint ?? {
                    FileHandle.standardOutput.write(Data("Is this the fingerprint the other side read to you? Type yes: ".utf8))
                    return readLine(strippingNewline: true) ?? ""
                }()
                let expected = identity.keys.fingerprint.replacingOccurrences(of: " ", with: "")
                let typed = given.lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ":", with: "")
                guard typed == expected || (fingerprint == nil && typed == "yes") else {
                    warn(fingerprint == nil ? "not registered: the fingerprint was not confirmed"
                         : "--fingerprint: not the document's fingerprint (\(identity.keys.fingerprint)): not registered")
                    throw ExitCode(1)
                }
                let opened = try await Opened.open(store)
                do {
                    try await opened.federation.addPeer(identity, replacingKeys: replaceKeys, request: "glo-host federation peers add")
                } catch let error as FederationError {
                    warn("FILE \(file): \(error)")
                    try await opened.close()
                    throw ExitCode(1)
                }
                print("registered peer \(identity.hostID)")
                try await opened.close()
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The peers, with their state, jurisdictions, endpoint and fingerprint.")
            @OptionGroup var store: StoreOptions
            @Flag(name: .customLong("json"), help: "One JSON object per line.") var json = false

            func run() async throws {
                let opened = try await Opened.open(store)
                for p in try await opened.federation.peers() {
                    let fields: [(String, JSONValue)] = [
                        ("host_id", .string(p.hostID)), ("state", .string(p.state.rawValue)),
                        ("jurisdictions", .string(p.identity.jurisdictions.map(\.rawValue).joined(separator: ","))),
                        ("organisation", .string(p.identity.organisation.name)), ("endpoint", .string(p.identity.endpoint)),
                        ("fingerprint", .string(p.identity.keys.fingerprint)),
                    ]
                    emit(fields, json: json)
                }
                try await opened.close()
            }
        }

        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Disable a peer: its messages are refused, nothing more is sent to it.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The peer's host id.") var hostID: String

            func run() async throws {
                let opened = try await Opened.open(store)
                do { try await opened.federation.disablePeer(hostID, request: "glo-host federation peers disable") } catch let error as GloKitError {
                    warn("HOST_ID \(hostID): \(error)")
                    try await opened.close()
                    throw ExitCode(2)
                }
                print("disabled peer \(hostID)")
                try await opened.close()
            }
        }
    }

    struct Outbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The messages to other hosts: pending, delivered (with the receipt) or parked.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("state"), help: "pending, delivered or parked (default: all).") var state: String?
        @Option(name: .customLong("retry"), help: "Put this parked message back in the queue.") var retry: String?
        @Flag(name: .customLong("json"), help: "One JSON object per line.") var json = false

        func validate() throws {
            if let state, OutboxMessage.State(rawValue: state) == nil { throw ValidationError("--state must be pending, delivered or parked") }
            if let retry, MessageID(retry) == nil { throw ValidationError("--retry must be a message id (a UUID)") }
        }

        func run() async throws {
            let opened = try await Opened.open(store)
            if let retry = retry.flatMap(MessageID.init) {
                do { try await opened.federation.retry(retry, request: "glo-host federation outbox --retry") } catch {
                    warn("--retry \(retry): \(error)")
                    try await opened.close()
                    throw ExitCode(1)
                }
                print("message \(retry) is pending again")
            } else {
                for m in try await opened.federation.outbox(state: state.flatMap(OutboxMessage.State.init)) {
                    emit([("id", .string(m.id.description)), ("peer", .string(m.peer)), ("kind", .string(m.kind.rawValue)),
                          ("case_id", .string(m.caseID?.description ?? "")), ("state", .string(m.state.rawValue)),
                          ("attempts", .int(Int64(m.attempts))), ("delivered_at", .string(m.deliveredAt?.description ?? "")),
                          ("receipt", m.receipt.flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null),
                          ("last_error", .string(m.lastError ?? ""))], json: json)
                }
            }
            try await opened.close()
        }
    }

    struct Inbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The messages received from other hosts, or (--refused) those refused.")
        @OptionGroup var store: StoreOptions
        @Flag(name: .customLong("refused"), help: "The refusals instead: unknown or disabled peer, bad signature, misaddressed, expired, replayed...")
        var refused = false
        @Flag(name: .customLong("json"), help: "One JSON object per line.") var json = false

        func run() async throws {
            let opened = try await Opened.open(store)
            if refused {
                for e in try await opened.federation.refusals() {
                    emit([("at", .string(e.at.description)), ("subject", .string(e.subject)), ("request", .string(e.request)),
                          ("detail", .string(e.detail ?? ""))], json: json)
                }
            } else {
                for m in try await opened.federation.inbox() {
                    emit([("id", .string(m.id.description)), ("sender", .string(m.sender)), ("kind", .string(m.kind.rawValue)),
                          ("case_id", .string(m.caseID?.description ?? "")), ("received_at", .string(m.receivedAt.description))], json: json)
                }
            }
            try await opened.close()
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the sealed messages waiting for a peer to a file, for removable media.",
            discussion: "The file holds the messages exactly as they would travel: only the peer can open them. Delivery goes on too; the peer stores each message once.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("peer"), help: "The peer's host id.") var peer: String
        @Option(name: .customLong("to"), help: "The file to write.") var to: String

        func run() async throws {
            let opened = try await Opened.open(store)
            guard try await opened.federation.peer(peer) != nil else {
                warn("--peer \(peer): no such peer (`glo-host federation peers list`)")
                try await opened.close()
                throw ExitCode(2)
            }
            let envelopes = try await opened.federation.export(to: peer)
            try await opened.close()
            let header: JSONValue = .object(["format": .string(OfflineFile.format), "recipient": .string(peer),
                                             "messages": .int(Int64(envelopes.count)), "written_at": .string(Timestamp.now.description)])
            let lines = [JSONWriter.string(header)] + envelopes.map { String(decoding: $0.bytes, as: UTF8.self) }
            do { try (lines.joined(separator: "\n") + "\n").write(toFile: to, atomically: true, encoding: .utf8) } catch {
                warn("--to \(to): cannot write it (\(error.localizedDescription))")
                throw ExitCode(2)
            }
            print("\(envelopes.count) message(s) for \(peer) written to \(to)")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take in a file of sealed messages (or of receipts) brought on removable media.",
            discussion: "Each message goes through the same checks as the HTTP inbox; one received before changes nothing. Exit 1 when some were refused.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("from"), help: "The file `glo-host federation export` wrote (or a receipts file).") var from: String
        @Option(name: .customLong("receipts-to"), help: "Write the receipts of the messages taken in here, to carry back to the sender.")
        var receiptsTo: String?

        func run() async throws {
            guard let text = try? String(contentsOfFile: from, encoding: .utf8) else {
                warn("--from \(from): cannot read it")
                throw ExitCode(2)
            }
            let lines = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            guard let first = lines.first.flatMap({ try? JSONParser.parse(Array($0.utf8)) }),
                  [OfflineFile.format, OfflineFile.receiptsFormat].contains(first["format"]?.stringValue ?? "") else {
                warn("--from \(from): not a file of `glo-host federation export` (its first line names the format \(OfflineFile.format))")
                throw ExitCode(2)
            }
            let opened = try await Opened.open(store)
            var received = 0, again = 0, refused = 0, kept = 0
            var receipts: [String] = []
            for line in lines.dropFirst() {
                if first["format"]?.stringValue == OfflineFile.receiptsFormat {
                    if let receipt = Receipt.parse(try? JSONParser.parse(Array(line.utf8))), try await opened.federation.keep(receipt) { kept += 1 }
                    continue
                }
                switch try await opened.federation.accept(Array(line.utf8), via: "glo-host federation import") {
                case .accepted(let receipt):
                    received += 1
                    receipts.append(receipt.text)
                case .duplicate(let receipt):
                    again += 1
                    receipts.append(receipt.text)
                case .refused(let refusal):
                    if refusal.code == .replayed, let envelope = Envelope.parse(Array(line.utf8)),
                       let firstReceipt = try await opened.federation.firstReceipt(of: envelope.id), firstReceipt.digest == envelope.digest {
                        again += 1
                        receipts.append(firstReceipt.text)
                    } else {
                        refused += 1
                        warn("refused: \(refusal)")
                    }
                }
            }
            try await opened.close()
            if first["format"]?.stringValue == OfflineFile.receiptsFormat {
                print("\(kept) receipt(s) kept: those messages are delivered")
                return
            }
            if let receiptsTo {
                let header = JSONWriter.string(.object(["format": .string(OfflineFile.receiptsFormat), "receipts": .int(Int64(receipts.count))]))
                try ([header] + receipts).joined(separator: "\n").appending("\n").write(toFile: receiptsTo, atomically: true, encoding: .utf8)
            }
            print("\(received) received, \(again) received before, \(refused) refused")
            if refused > 0 { throw ExitCode(1) }
        }
    }
}

/// The file that carries sealed messages (or receipts) on removable media: a first line naming the
/// format, then one envelope (or receipt) per line, exactly as they travel over HTTP.
enum OfflineFile {
    static let format = "glo-federation-file/1"
    static let receiptsFormat = "glo-federation-receipts/1"
}

/// A line of output: tab-separated values, or one JSON object.
private func emit(_ fields: [(String, JSONValue)], json: Bool) {
    if json {
        print(JSONWriter.string(.object(Dictionary(fields, uniquingKeysWith: { a, _ in a }))))
    } else {
        print(fields.map { $0.1.stringValue ?? ($0.1 == .null ? "" : JSONWriter.string($0.1)) }.joined(separator: "\t"))
    }
}
