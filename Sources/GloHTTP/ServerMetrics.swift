import Foundation
import Synchronization

/// Counters for `/metrics` (Prometheus text format 0.0.4): requests by route and status with their
/// latencies, decisions by outcome. Event lag and dead letters are read from the bus and the store
/// when scraped.
public final class ServerMetrics: Sendable {
    struct Key: Hashable { var route: String; var status: Int }
    struct State {
        var requests: [Key: Int] = [:]
        var seconds: [String: (sum: Double, count: Int)] = [:]
        var decisions: [String: Int] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func request(_ route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests[Key(route: route, status: status), default: 0] += 1
            var d = s.seconds[route] ?? (0, 0)
            d.sum += seconds
            d.count += 1
            s.seconds[route] = d
        }
    }

    public func decision(_ name: String, outcome: String) {
        state.withLock { $0.decisions["decision=\"\(name)\",outcome=\"\(outcome)\"", default: 0] += 1 }
    }

    public func text(lag: [String: Int64], deadLetters: Int) -> String {
        let s = state.withLock { $0 }
        var out = "# HELP glo_http_requests_total HTTP requests by route pattern and status.\n# TYPE glo_http_requests_total counter\n"
        for (k, n) in s.requests.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
            out += "glo_http_requests_total{route=\"\(k.route)\",status=\"\(k.status)\"} \(n)\n"
        }
        out += "# HELP glo_http_request_duration_seconds Time to answer, by route pattern.\n# TYPE glo_http_request_duration_seconds summary\n"
        for (route, d) in s.seconds.sorted(by: { $0.key < $1.key }) {
            out += "glo_http_request_duration_seconds_sum{route=\"\(route)\"} \(d.sum)\n"
            out += "glo_http_request_duration_seconds_count{route=\"\(route)\"} \(d.count)\n"
        }
        out += "# HELP glo_decisions_total Decisions made through the API, by decision and outcome.\n# TYPE glo_decisions_total counter\n"
        for (labels, n) in s.decisions.sorted(by: { $0.key < $1.key }) { out += "glo_decisions_total{\(labels)} \(n)\n" }
        out += "# HELP glo_event_lag Events not yet handled, by subscriber.\n# TYPE glo_event_lag gauge\n"
        for (name, behind) in lag.sorted(by: { $0.key < $1.key }) { out += "glo_event_lag{subscriber=\"\(name)\"} \(behind)\n" }
        out += "# HELP glo_dead_letters Parked deliveries.\n# TYPE glo_dead_letters gauge\nglo_dead_letters \(deadLetters)\n"
        return out
    }
}
