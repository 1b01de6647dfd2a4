import ArgumentParser
import Foundation
import GloJSON
import GloKit
import GloPlugins

/// Every plugin compiled into this binary: the catalog's (Sources/GloPlugins/Catalog.swift).
let compiledPlugins = PluginCatalog.registry

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The plugins compiled into glo-host.",
        subcommands: [List.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each plugin: version, description, events handled and emitted, decisions needed, dependencies."
        )

        @Flag(name: .customLong("json"), help: "One JSON object per plugin, one per line.")
        var json = false

        func run() throws {
            for plugin in compiledPlugins.all {
                if json {
                    let o: JSONValue = .object([
                        "id": .string(plugin.id), "version": .string(plugin.version), "description": .string(plugin.summary),
                        "handles": .array(plugin.handles.map { .string($0.text) }),
                        "emits": .array(plugin.emits.map { .object(["type": .string($0.type), "summary": .string($0.summary),
                                                                   "data": .array($0.data.map(JSONValue.string))]) }),
                        "reads": .array(plugin.reads.map(JSONValue.string)),
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
                      emits:            \(names(plugin.emits.map(\.type)))
                      reads:            \(names(plugin.reads))
                      decisions needed: \(names(plugin.decisionsNeeded))
                      depends on:       \(names(plugin.dependencies))
                    """)
                for event in plugin.emits {
                    print("      \(event.type): \(event.summary)\(event.data.isEmpty ? "" : " (data: \(event.data.joined(separator: ", ")))")")
                }
            }
        }
    }
}
