import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `glo-host`: the host for counter-trafficking case work, and the tools for its rule packs.
struct GloHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glo-host",
        abstract: "Counter-trafficking case work across borders, with the law of each jurisdiction in Lua rule packs.",
        discussion: """
            Rule packs live under Config/jurisdictions/, one folder per jurisdiction; see docs/rule-packs.md.
            Settings come from Config/glo-host.yaml, overridden by GLO_HOST_* environment variables, then by flags.
            Exit codes: 0 success, 1 some input or test failed, 2 the packs, the settings or the arguments are unusable.
            """,
        subcommands: [Serve.self, Migrate.self, StoreCommand.self, KeysCommand.self, PersonsCommand.self, AuditCommand.self,
                      RetentionCommand.self, UsersCommand.self, Plugins.self, Events.self, Rules.self, FederationCommand.self]
    )
}

@main
enum Main {
    static func main() async {
        // `serve` runs its tasks on SwiftNIO's event loops (the ones Hummingbird serves on) instead of
        // Swift's default thread pool: a request then stays on its connection's thread from parse
        // to answer, without two hops between pools for each. That took 23-30% off the CPU time of
        // a screening request under load (scripts/bench-api.sh; see README). It is safe here because
        // nothing in `serve` waits for another task while holding a thread: reads, rules and JSON are
        // short synchronous work, and commits wait on the SQLite writer's own thread. It must be
        // done before any task is made, so here, first; the other commands keep the default pool.
        if CommandLine.arguments.dropFirst().first == "serve" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            var command = try GloHostCommand.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            // The CLI contract: unusable arguments exit 2 (ArgumentParser's default is 64).
            let code = GloHostCommand.exitCode(for: error)
            let message = GloHostCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Writes to stderr.
func warn(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
