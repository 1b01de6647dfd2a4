import Foundation
public import GloHTTP

/// Tally has nothing to show over HTTP: its counts are read by the tests and the benchmarks. It has
/// the same shape as every plugin all the same.
public struct TallyHTTP: PluginHTTP {
    public let id = "tally"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))
}
