import ArgumentParser
import Foundation
import GloJSON
import GloKit
import PluginIdentification
import PluginImmigration
import PluginLegalAid
import PluginLegalProcess
import PluginReporting
import PluginReturn
import PluginShelter
import PluginTally

/// Every plugin compiled into this binary. Add a plugin here (and to Package.swift) to ship it.
let compiledPlugins = PluginRegistry([
    IdentificationPlugin(), LegalAidPlugin(), ShelterPlugin(), LegalProcessPlugin(), ReturnPlugin(), ImmigrationPlugin(),
    ReportingPlugin(), TallyPlugin(),
])

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The plugins compiled into glo-host.",
        subcommands: [List.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each plugin: version, description, events handled, decisions needed, dependencies."
        )

        @Flag(name: .customLong("json"), help: "One JSON object per plugin, one per line.")
        var json = false

        func run() throws {
            for plugin in compiledPlugins.all {
                if json {
                    let o: JSONValue = .object([
                        "id": .string(plugin.id), "version": .string(plugin.version), "description": .string(plugin.summary),
                        "handles": .array(plugin.handles.map { .string($0.text) }),
                        "decisions_needed": .array(plugin.decisionsNeeded.map(JSONValue.string)),
                        "dependencies": .array(plugin.dependencies.map(JSONValue.string)),
                    ])
                    print(JSONWriter.string(o, sortKeys: true))
                    continue
                }
                func names(_ list: [String]) -> String { list.isEmpty ? "-" : list.joined(separator: ", ") }
                print("""
                    \(plugin.id) \(plugin.version)
                      \(plugin.summary)
                      handles:          \(names(plugin.handles.map(\.text)))
                      decisions needed: \(names(plugin.decisionsNeeded))
                      depends on:       \(names(plugin.dependencies))
                    """)
            }
        }
    }
}
