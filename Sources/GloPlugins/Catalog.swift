public import GloHTTP
public import GloKit
import PluginDeadlines
import PluginDeadlinesHTTP
import PluginIdentification
import PluginIdentificationHTTP
import PluginImmigration
import PluginImmigrationHTTP
import PluginLegalAid
import PluginLegalAidHTTP
import PluginLegalProcess
import PluginLegalProcessHTTP
import PluginReporting
import PluginReportingHTTP
import PluginReturn
import PluginReturnHTTP
import PluginShelter
import PluginShelterHTTP
import PluginTally
import PluginTallyHTTP

/// The plugins compiled into this glo-host, each with its HTTP part: the one list glo-host, the
/// server's composition and the tests read. Adding a plugin is its folder under Plugins/, its name in
/// Package.swift's `pluginNames`, and one line here.
public enum PluginCatalog {
    /// A plugin and its HTTP part.
    public struct Entry: Sendable {
        public let plugin: any Plugin
        public let http: any PluginHTTP
    }

    public static let entries: [Entry] = [
        Entry(plugin: TallyPlugin(), http: TallyHTTP()),
        Entry(plugin: IdentificationPlugin(), http: IdentificationHTTP()),
        Entry(plugin: LegalAidPlugin(), http: LegalAidHTTP()),
        Entry(plugin: ShelterPlugin(), http: ShelterHTTP()),
        Entry(plugin: LegalProcessPlugin(), http: LegalProcessHTTP()),
        Entry(plugin: ReturnPlugin(), http: ReturnHTTP()),
        Entry(plugin: ImmigrationPlugin(), http: ImmigrationHTTP()),
        Entry(plugin: ReportingPlugin(), http: ReportingHTTP()),
        Entry(plugin: DeadlinesPlugin(), http: DeadlinesHTTP()),
    ]

    /// Every compiled plugin, to select the enabled ones from (`--plugins`).
    public static var registry: PluginRegistry { PluginRegistry(entries.map(\.plugin)) }

    /// The HTTP parts of the enabled plugins, in their order.
    public static func http(for enabled: [any Plugin]) -> [any PluginHTTP] {
        enabled.compactMap { plugin in entries.first { $0.plugin.id == plugin.id }?.http }
    }
}
