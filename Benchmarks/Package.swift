// swift-tools-version: 6.1
// Benchmarks of the Lua runtime and of the host core, a package of its own so that `swift build` and `swift test` of
// glo-host do not build ordo-one/benchmark (package-benchmark). Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "glo-host-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "glo-host", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The baseline of the host benchmarks: a plain GRDB insert loop.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The floor: the same decision called straight on the Lua C API, the facts table built per call.
        .target(
            name: "CLuaFloor",
            cSettings: [.unsafeFlags(["-O2", "-I/usr/include/lua5.4"])],
            linkerSettings: [.linkedLibrary("lua5.4")]
        ),
        .executableTarget(
            name: "LuaVMBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LuaVM", package: "glo-host"),
                .product(name: "GloJSON", package: "glo-host"),
                "CLuaFloor",
            ],
            path: "Benchmarks/LuaVMBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The whole path's host and its cases, shared by the host benchmarks and the probe.
        .target(
            name: "PathFixture",
            dependencies: [
                .product(name: "GloKit", package: "glo-host"),
                .product(name: "GloRules", package: "glo-host"),
                .product(name: "GloStoreSQLite", package: "glo-host"),
                .product(name: "GloJSON", package: "glo-host"),
            ]
        ),
        // The whole path by its CPU time per screening (scripts/path-cpu.sh).
        .executableTarget(name: "PathProbe", dependencies: ["PathFixture"]),
        .executableTarget(
            name: "HostBenchmarks",
            dependencies: [
                "PathFixture",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GloKit", package: "glo-host"),
                .product(name: "GloRules", package: "glo-host"),
                .product(name: "GloStoreSQLite", package: "glo-host"),
                .product(name: "PluginTally", package: "glo-host"),
                .product(name: "GloJSON", package: "glo-host"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/HostBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
