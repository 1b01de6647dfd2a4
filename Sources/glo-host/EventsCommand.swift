import ArgumentParser
import Foundation
import GloJSON
import GloKit
import GloStoreSQLite

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the event log, replay it to a subscriber, and handle dead letters.",
        discussion: "These work on the store directly, also while `glo-host serve` runs on it.",
        subcommands: [Tail.self, Replay.self, DeadLetters.self]
    )

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print events as JSON lines, oldest first.",
            discussion: "Events carry ids and outcomes, never a person's identifying fields."
        )

        @OptionGroup var store: StoreOptions

        @Option(name: .customLong("from"), help: "The first sequence number (default: the last --lines events).")
        var from: Int64?

        @Option(name: [.customShort("n"), .customLong("lines")], help: "How many of the latest events when --from is not given.")
        var lines: Int = 20

        @Option(name: .customLong("type"), help: "Only events matching this pattern, e.g. decision.made or referral.*")
        var type: String = "*"

        @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing new events until interrupted.")
        var follow = false

        func validate() throws {
            if let problem = EventPattern(type).problem { throw ValidationError("--type: \(problem)") }
            if lines < 0 { throw ValidationError("--lines must be 0 or more") }
            if let from, from < 1 { throw ValidationError("--from must be a sequence number, 1 or more") }
        }

        func run() async throws {
            let (db, _) = try await openStore(try await store.settings())
            let pattern = EventPattern(type)
            var position: Int64
            if let from { position = from - 1 } else { position = max(0, try await db.lastSequence() - Int64(lines)) }
            while true {
                let batch = try await db.events(after: position, limit: 1_000)
                for event in batch where pattern.matches(event.type) {
                    // Unbuffered, so that --follow shows each event as it comes.
                    FileHandle.standardOutput.write(Data((JSONWriter.string(event.json, sortKeys: true) + "\n").utf8))
                }
                position = batch.last?.sequence ?? position
                if batch.isEmpty {
                    guard follow else { break }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            try await db.close()
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver the log again to a subscriber, from a sequence number.",
            discussion: """
                Rewinds the subscriber's checkpoint so that its next event is --from. A running host picks the rewind
                up within its poll interval; a stopped one on its next start. Handlers must be idempotent.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(name: .customLong("subscriber"), help: "The subscriber (a plugin id).")
        var subscriber: String

        @Option(name: .customLong("from"), help: "The first sequence number to deliver again (1 = everything).")
        var from: Int64

        func validate() throws {
            if from < 1 { throw ValidationError("--from must be a sequence number, 1 or more") }
        }

        func run() async throws {
            let (db, _) = try await openStore(try await store.settings())
            let known = try await db.checkpoints()
            guard known[subscriber] != nil || compiledPlugins.plugin(subscriber) != nil else {
                warn("--subscriber: no subscriber '\(subscriber)' (known: \(Set(known.keys).union(compiledPlugins.ids).sorted().joined(separator: ", ")))")
                throw ExitCode(2)
            }
            let last = try await db.lastSequence()
            let checkpoint = try await db.rewind(subscriber, to: from - 1)
            print("\(subscriber) rewound: events \(from)...\(last) will be delivered again (generation \(checkpoint.generation))")
            try await db.close()
        }
    }

    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters",
            abstract: "List dead letters, or ask for them to be tried again.",
            discussion: """
                glo-host events dead-letters                  list parked letters
                glo-host events dead-letters --state all      list every letter, resolved ones too
                glo-host events dead-letters retry ID...      ask the running host to try these again
                glo-host events dead-letters retry --all      ... every parked letter
                """,
            subcommands: [List.self, Retry.self],
            defaultSubcommand: List.self
        )

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List dead letters as JSON lines.")

            @OptionGroup var store: StoreOptions

            @Option(name: .customLong("state"), help: "parked, retry_requested, resolved or all.")
            var state: String = "parked"

            func validate() throws {
                if state != "all" && DeadLetter.State(rawValue: state) == nil {
                    throw ValidationError("--state must be parked, retry_requested, resolved or all")
                }
            }

            func run() async throws {
                let (db, _) = try await openStore(try await store.settings())
                for letter in try await db.deadLetters(state: DeadLetter.State(rawValue: state)) {
                    print(JSONWriter.string(.object([
                        "id": .string(letter.id), "subscriber": .string(letter.subscriber), "sequence": .int(letter.sequence),
                        "type": .string(letter.eventType), "error": .string(letter.error),
                        "attempts": .int(Int64(letter.attempts)), "parked_at": .string(letter.parkedAt.description),
                        "state": .string(letter.state.rawValue),
                    ]), sortKeys: true))
                }
                try await db.close()
            }
        }

        struct Retry: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Ask the host to try dead letters again.")

            @OptionGroup var store: StoreOptions

            @Argument(help: "Dead-letter ids, as listed (subscriber@sequence).")
            var ids: [String] = []

            @Flag(name: .customLong("all"), help: "Every parked letter.")
            var all = false

            func validate() throws {
                if ids.isEmpty == !all { throw ValidationError("give dead-letter ids, or --all (not both)") }
            }

            func run() async throws {
                let (db, _) = try await openStore(try await store.settings())
                let targets = all ? try await db.deadLetters(state: .parked).map(\.id) : ids
                var missing: [String] = []
                for id in targets {
                    if try await db.setDeadLetter(id, state: .retryRequested, error: nil, attempts: nil) == false {
                        missing.append(id)
                    }
                }
                print("\(targets.count - missing.count) dead letter(s) queued for retry")
                try await db.close()
                if !missing.isEmpty {
                    warn("ids: no dead letter \(missing.joined(separator: ", "))")
                    throw ExitCode(1)
                }
            }
        }
    }
}
