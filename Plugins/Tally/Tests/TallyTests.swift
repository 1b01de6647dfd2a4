import GloJSON
import GloKit
import PluginTally
import PluginTestSupport
import Testing

@Suite("tally")
struct TallyTests {
    @Test("a decision delivered twice is counted once")
    func redeliveryCountedOnce() async throws {
        let w = try await World(plugins: [TallyPlugin()])
        let tally = TallyPlugin()
        let event = Event(sequence: 1, id: EventID(), type: "decision.made", jurisdiction: "TH", subject: "case:test", actor: "system",
                          at: .now, data: ["decision": "identification.pathway", "outcome": "victim"])
        try await tally.handle(event, w.host.context(for: tally))
        try await tally.handle(event, w.host.context(for: tally))
        #expect(try await w.records.require(Tally.self, "TH").value.counts == ["identification.pathway victim": 1])
        await w.stop()
    }
}
