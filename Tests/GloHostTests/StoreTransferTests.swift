import Foundation
import GloJSON
import GloKit
import Testing

@Suite("Moving a whole store: export, import, digests")
struct StoreTransferTests {
    /// A store with people, cases, decisions, their events, a checkpoint and a dead letter.
    func populated(_ backend: StoreBackend) async throws -> any Store {
        let store = try await backend.make().store
        let host = try GloHost(store: store, vault: testVault, engine: shippedEngine, plugins: [])
        for i in 0..<3 { _ = try await openScreenedCase(host, name: "Transfer\(i)") }
        _ = try await store.rewind("tally", to: 2)
        try await store.park(DeadLetter(id: "tally@2", subscriber: "tally", sequence: 2, eventType: "case.opened",
                                        error: "boom", attempts: 5, parkedAt: .now))
        return store
    }

    @Test("every backend to every backend: the same digest, checkpoints and dead letters", arguments: StoreBackend.all, StoreBackend.all)
    func roundTrip(_ from: StoreBackend, _ to: StoreBackend) async throws {
        let source = try await populated(from)
        var lines: [String] = []
        let exported = try await StoreTransfer.export(source) { lines.append($0) }
        #expect(exported == (try await StoreTransfer.digest(of: source)))
        #expect(exported.records["person"] == 3 && exported.events > 0)
        #expect(!lines.joined().contains("Transfer0"), "personal data stays sealed in the export")

        let target = try await to.make().store
        let imported = try await StoreTransfer.import(into: target, lines: lines)
        #expect(imported == exported)
        #expect(try await target.checkpoint("tally").position == 2)
        #expect(try await target.deadLetters(state: .parked).map(\.id) == ["tally@2"])
        // An export holds no key ring: the people open on the new store once the live store's ring is copied.
        let records = Records(store: target, vault: testVault)
        let first = try #require(PersonID(try await target.records(RecordCollection("person"), after: nil, limit: 1)[0].id))
        await #expect { _ = try await records.requirePerson(first) } throws: { "\($0)".contains("glo-host keys copy --from") }
        _ = try await source.copyKeyRing(to: target)
        var names: Set<String> = []
        for stored in try await target.records(RecordCollection("person"), after: nil, limit: 10) {
            let id = try #require(PersonID(stored.id))
            names.insert(try await records.requirePerson(id).value.personal.givenNames)
        }
        #expect(names == ["Transfer0", "Transfer1", "Transfer2"])
        await #expect(throws: GloKitError.self) { try await StoreTransfer.import(into: target, lines: lines) }
    }

    @Test("a cut-short, changed or foreign export is refused, naming why")
    func refusals() async throws {
        let source = try await populated(.sqlite)
        var lines: [String] = []
        try await StoreTransfer.export(source) { lines.append($0) }
        func refusal(_ lines: [String]) async -> String {
            do {
                try await StoreTransfer.import(into: try await StoreBackend.sqlite.make().store, lines: lines)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(await refusal(Array(lines.dropLast())).contains("cut short"))
        var changed = lines
        changed[1] = changed[1].replacingOccurrences(of: "\"version\":", with: "\"version\":9")
        #expect(await refusal(changed).contains("does not match its own digest"))
        #expect(await refusal(["{\"format\":\"something else\"}"] + lines.dropFirst()).contains("line 1: not a glo-host store export"))
        #expect(await refusal(Array(lines.prefix(2)) + ["not json"] + lines.dropFirst(2)).contains("line 3: not JSON"))
    }
}
