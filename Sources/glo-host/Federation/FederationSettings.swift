import ArgumentParser
import Configuration
import Foundation
import GloKit

/// `federation:` in the settings: who this host is to the other hosts it exchanges messages with,
/// where its keys are, and how patiently it delivers. Absent, the host takes no part in the exchange.
struct FederationSettings {
    var hostID: String?
    var organisationID: OrganisationID?
    var organisationName: String?
    var endpoint: String?
    var keyFile = "data/keys/federation.key"
    var lifetime: Duration = .seconds(7 * 86_400)
    var retry = RetryPolicy(attempts: 12, firstDelay: .seconds(1), maximumDelay: .seconds(300))
    var pollInterval: Duration = .milliseconds(500)

    mutating func load(_ reader: ConfigReader, milliseconds: (ConfigKey, Int) throws -> Duration?) throws {
        if let id = reader.string(forKey: "federation.host_id"), !id.isEmpty {
            if let problem = HostIdentity.problem(hostID: id) { throw ValidationError("setting federation.host_id: \(problem)") }
            hostID = id
        }
        if let text = reader.string(forKey: "federation.organisation_id"), !text.isEmpty {
            guard let id = OrganisationID(text) else {
                throw ValidationError("setting federation.organisation_id: '\(text)' is not a UUID (the id of the organisation that receives handovers here)")
            }
            organisationID = id
        }
        if let name = reader.string(forKey: "federation.organisation_name"), !name.isEmpty { organisationName = name }
        if let url = reader.string(forKey: "federation.endpoint"), !url.isEmpty {
            if let problem = HostIdentity.problem(endpoint: url) { throw ValidationError("setting federation.endpoint: \(problem)") }
            endpoint = url
        }
        if let file = reader.string(forKey: "federation.key_file"), !file.isEmpty { keyFile = file }
        if let hours = reader.int(forKey: "federation.message_lifetime_hours") {
            guard hours >= 1 else { throw ValidationError("setting federation.message_lifetime_hours: must be at least 1") }
            lifetime = .seconds(hours * 3600)
        }
        var attempts = retry.attempts, first = retry.firstDelay, maximum = retry.maximumDelay
        if let n = reader.int(forKey: "federation.retry_attempts") {
            guard n >= 1 else { throw ValidationError("setting federation.retry_attempts: must be at least 1") }
            attempts = n
        }
        if let d = try milliseconds("federation.retry_first_delay_ms", 10) { first = d }
        if let d = try milliseconds("federation.retry_max_delay_ms", 10) { maximum = d }
        retry = RetryPolicy(attempts: attempts, firstDelay: first, maximumDelay: maximum)
        if let d = try milliseconds("federation.poll_interval_ms", 10) { pollInterval = d }
    }

    /// What GloKit needs, with the keys read (none yet: the host takes no part until `federation init`).
    func setup() throws -> FederationSetup {
        let keys: HostKeys?
        do { keys = try HostKeys.load(path: keyFile) } catch {
            warn("federation.key_file \(keyFile): \(error)")
            throw ExitCode(2)
        }
        let organisation = organisationID.map { HostIdentity.Organisation(id: $0, name: organisationName ?? hostID ?? "") }
        return FederationSetup(hostID: hostID, organisation: organisation, endpoint: endpoint, keys: keys, lifetime: lifetime, retry: retry)
    }

    /// Why the host cannot take part yet, naming each missing setting; nil when it can (keys aside).
    var missing: String? {
        var lacking: [String] = []
        if hostID == nil { lacking.append("federation.host_id") }
        if organisationID == nil { lacking.append("federation.organisation_id") }
        if endpoint == nil { lacking.append("federation.endpoint") }
        return lacking.isEmpty ? nil : "set \(lacking.joined(separator: ", ")) in the settings (see Config/thai-host.yaml)"
    }
}
