// swift-tools-version: 6.1
import PackageDescription

// Layers (docs/architecture.md): imports point downward only.
//   glo-host -> GloRules -> LuaVM -> CLuaSandbox -> CLua
//                  \            \-> GloJSON
//                   \-> Yams (pack manifests and tests), Crypto (content hashes)
//   glo-host -> GloStoreSQLite, GloStorePostgres -> GloKit (the host core: entities, Store protocol, event bus, plugins,
//               decision service; no HTTP, SQL or Lua C API) -> GloRules, GloJSON
//   glo-host -> GloServer -> GloHTTP -> GloKit; glo-host -> GloPlugins (the catalog) -> every Plugin<Name> and Plugin<Name>HTTP
//   Plugins/<Name>/Core -> GloKit (and the plugins it declares in pluginUses); Plugins/<Name>/HTTP -> its core, GloHTTP
let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The plugins compiled into glo-host. Each is one folder, Plugins/<Name>/, in the same shape:
///   Core/   its workflow, the entities it owns and the events it emits (target Plugin<Name>; GloKit only),
///   HTTP/   its routes, pages, case-page section and dashboard part, with Resources/ holding its OpenAPI
///           paths, templates and labels in each language (target Plugin<Name>HTTP),
///   Tests/  its tests (target Plugin<Name>Tests).
/// Adding a plugin is its folder, its name here, and one line in Sources/GloPlugins/Catalog.swift.
let pluginNames = ["Tally", "Identification", "LegalAid", "Shelter", "LegalProcess", "Return", "Immigration", "Reporting", "Deadlines"]

/// The plugins whose types a plugin's core uses (Reporting counts returns and what others announced).
let pluginUses: [String: [String]] = ["Reporting": ["Identification", "Immigration", "LegalAid", "Return"]]

/// Every plugin's core target, and with its HTTP target.
let pluginCores: [Target.Dependency] = pluginNames.map { .target(name: "Plugin\($0)") }
let pluginParts: [Target.Dependency] = pluginNames.flatMap { [.target(name: "Plugin\($0)"), .target(name: "Plugin\($0)HTTP")] }

func pluginTargets(_ name: String) -> [Target] {
    [
        .target(name: "Plugin\(name)", dependencies: ["GloKit", "GloJSON", .product(name: "Logging", package: "swift-log")]
                    + (pluginUses[name] ?? []).map { .target(name: "Plugin\($0)") },
                path: "Plugins/\(name)/Core", swiftSettings: strictSwift),
        .target(name: "Plugin\(name)HTTP", dependencies: [.target(name: "Plugin\(name)"), "GloHTTP", "GloKit", "GloJSON",
                                                          .product(name: "Hummingbird", package: "hummingbird")],
                path: "Plugins/\(name)/HTTP", resources: [.copy("Resources")], swiftSettings: strictSwift),
        .testTarget(name: "Plugin\(name)Tests", dependencies: ["PluginTestSupport", "GloKit", "GloRules", "GloJSON", "TestScratch"] + pluginCores,
                    path: "Plugins/\(name)/Tests", swiftSettings: strictSwift),
    ]
}

let package = Package(
    name: "glo-host",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "glo-host", targets: ["glo-host"]),
        .library(name: "LuaVM", targets: ["LuaVM"]),
        .library(name: "GloJSON", targets: ["GloJSON"]),
        // For the Benchmarks package.
        .library(name: "GloRules", targets: ["GloRules"]),
        .library(name: "GloKit", targets: ["GloKit"]),
        .library(name: "GloStoreSQLite", targets: ["GloStoreSQLite"]),
        .library(name: "GloStorePostgres", targets: ["GloStorePostgres"]),
        .library(name: "PluginTally", targets: ["PluginTally"]),
        .library(name: "PluginIdentification", targets: ["PluginIdentification"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // liblua5.4 from Debian, found through pkg-config; shim.h wraps Lua's C macros.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // Everything that can longjmp (allocator, hooks, library functions, marshaling) lives here,
        // so a Lua error never unwinds across a Swift frame.
        .target(
            name: "CLuaSandbox",
            dependencies: ["CLua"],
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .target(name: "GloJSON", swiftSettings: strictSwift),
        // What every layer shares and no layer owns: the calendar date the law is applied at.
        .target(name: "GloBase", swiftSettings: strictSwift),
        .target(
            name: "LuaVM",
            dependencies: ["CLuaSandbox", "CLua", "GloJSON"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "GloRules",
            dependencies: [
                "GloBase", "LuaVM", "GloJSON",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "GloKit",
            dependencies: [
                "GloBase", "GloRules", "GloJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // One process-wide SQLite setting that Swift cannot make itself (sqlite3_config is variadic).
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "GloStoreSQLite",
            dependencies: ["GloKit", "GloJSON", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        // The PostgreSQL store, for several hosts on one database.
        .target(
            name: "GloStorePostgres",
            dependencies: [
                "GloKit", "GloJSON",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/GloStorePostgres",
            swiftSettings: strictSwift
        ),
        // What the server and the plugins' HTTP parts share: the request context, routes, pages, problems,
        // the access checks with the audit log, and the plugin's HTTP contract (`PluginHTTP`).
        .target(
            name: "GloHTTP",
            dependencies: [
                "GloKit", "GloJSON", "GloRules",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // The HTTP API (Hummingbird): an adapter over GloKit, no domain logic.
        // The server names no plugin: glo-host hands it the enabled plugins' HTTP parts from the catalog.
        .target(
            name: "GloServer",
            dependencies: [
                "GloHTTP", "GloKit", "GloJSON", "GloRules",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strictSwift
        ),
        // The one catalog of the compiled plugins, read by glo-host and the tests.
        .target(name: "GloPlugins", dependencies: ["GloKit", "GloHTTP"] + pluginParts,
                swiftSettings: strictSwift),
        // The host with every plugin, for the plugins' tests and the end-to-end scenarios.
        .target(name: "PluginTestSupport", dependencies: ["GloKit", "GloStoreSQLite", "GloRules", "GloJSON", "TestScratch", "GloPlugins"]
                    + pluginCores,
                path: "Tests/PluginTestSupport", swiftSettings: strictSwift),
        .executableTarget(
            name: "glo-host",
            dependencies: [
                "GloRules", "LuaVM", "GloJSON", "GloKit", "GloStoreSQLite", "GloStorePostgres", "GloServer", "GloPlugins",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                // The outbox's sender posts to other hosts' inboxes (docs/federation.md).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        // Writes through GloKit and prints each acknowledged write; the reliability test kills it.
        .executableTarget(
            name: "glo-crash-writer",
            dependencies: ["GloKit", "GloStoreSQLite", "GloStorePostgres", "PluginTally", "GloJSON"],
            path: "Tests/Tools/glo-crash-writer",
            swiftSettings: strictSwift
        ),
        // The test suites' scratch folder: one per test process, removed when it exits.
        .target(name: "TestScratch", path: "Tests/TestScratch", swiftSettings: strictSwift),
        .testTarget(name: "GloJSONTests", dependencies: ["GloJSON"], swiftSettings: strictSwift),
        .testTarget(name: "LuaVMTests", dependencies: ["LuaVM", "GloJSON"], swiftSettings: strictSwift),
        .testTarget(name: "GloKitTests", dependencies: ["GloKit", "GloRules", "GloJSON"], swiftSettings: strictSwift),
        .testTarget(
            name: "GloHostTests",
            dependencies: [
                "GloKit", "GloStoreSQLite", "GloStorePostgres", "PluginTally", "GloRules", "GloJSON", "glo-crash-writer", "TestScratch",
                // Support.swift makes a fresh PostgreSQL database per store.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // The end-to-end scenarios through every plugin (each plugin's own tests are in its folder).
        .testTarget(
            name: "WorkflowTests",
            dependencies: ["GloKit", "GloStoreSQLite", "GloRules", "GloJSON", "TestScratch", "PluginTestSupport"] + pluginCores,
            swiftSettings: strictSwift
        ),
        // The API through the router (HummingbirdTesting), and the OpenAPI document against the routes.
        .testTarget(
            name: "GloServerTests",
            dependencies: [
                "GloServer", "GloKit", "GloStoreSQLite", "GloRules", "GloJSON", "TestScratch",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                "GloPlugins", "GloHTTP",
            ] + pluginCores,
            swiftSettings: strictSwift
        ),
        .testTarget(name: "GloRulesTests", dependencies: ["GloRules", "LuaVM", "GloJSON", "TestScratch"], swiftSettings: strictSwift),
        // Runs the built `glo-host` binary, as admins and testers do.
        .testTarget(name: "CLITests", dependencies: ["glo-host", "glo-crash-writer", "GloJSON", "TestScratch"], swiftSettings: strictSwift),
    ] + pluginNames.flatMap(pluginTargets),
    swiftLanguageModes: [.v6]
)
