// swift-tools-version: 6.1
import PackageDescription

// Layers (DESIGN.md): imports point downward only.
//   glo-host -> GloRules -> LuaVM -> CLuaSandbox -> CLua
//                  \            \-> GloJSON
//                   \-> Yams (pack manifests and tests), Crypto (content hashes)
//   GloKit (the host core; so far entities and validation) -> GloRules, GloJSON
let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "glo-host",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "glo-host", targets: ["glo-host"]),
        .library(name: "LuaVM", targets: ["LuaVM"]),
        .library(name: "GloJSON", targets: ["GloJSON"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        .target(
            name: "LuaVM",
            dependencies: ["CLuaSandbox", "CLua", "GloJSON"],
            swiftSettings: strictSwift
        ),
        .target(
            name: "GloRules",
            dependencies: [
                "LuaVM", "GloJSON",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .target(name: "GloKit", dependencies: ["GloRules", "GloJSON"], swiftSettings: strictSwift),
        .executableTarget(
            name: "glo-host",
            dependencies: [
                "GloRules", "LuaVM", "GloJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "GloJSONTests", dependencies: ["GloJSON"], swiftSettings: strictSwift),
        .testTarget(name: "LuaVMTests", dependencies: ["LuaVM", "GloJSON"], swiftSettings: strictSwift),
        .testTarget(name: "GloKitTests", dependencies: ["GloKit", "GloRules", "GloJSON"], swiftSettings: strictSwift),
        .testTarget(name: "GloRulesTests", dependencies: ["GloRules", "LuaVM", "GloJSON"], swiftSettings: strictSwift),
        // Runs the built `glo-host` binary, as admins and testers do.
        .testTarget(name: "CLITests", dependencies: ["glo-host", "GloJSON"], swiftSettings: strictSwift),
    ],
    swiftLanguageModes: [.v6]
)
