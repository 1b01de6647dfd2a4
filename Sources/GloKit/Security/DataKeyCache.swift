import Synchronization

/// Data keys a host opened recently, so that sealing and opening cost no read of the key ring on the
/// hot path. A live key is kept a minute: another host's erasure reaches this one within that time
/// (this host's own erasures at once). An erased key is remembered for good. The case -> person map
/// (whose key seals a case's data) never changes, so it is kept until the cache is full.
final class DataKeyCache: Sendable {
    enum Entry: Sendable {
        case live([UInt8])
        case erased
    }

    private struct Held {
        var entry: Entry
        var until: ContinuousClock.Instant?
    }

    private struct State {
        var keys: [String: Held] = [:]
        var owners: [CaseID: PersonID] = [:]
    }

    private let state = Mutex(State())
    static let liveFor: Duration = .seconds(60)
    /// Past this many entries the cache starts over (keys are 32 bytes; a sweep touches many people once).
    static let capacity = 100_000

    func key(_ id: String) -> Entry? {
        let now = ContinuousClock.now
        return state.withLock { s in
            guard let held = s.keys[id] else { return nil }
            if let until = held.until, until < now {
                s.keys[id] = nil
                return nil
            }
            return held.entry
        }
    }

    func put(_ id: String, _ entry: Entry) {
        let until: ContinuousClock.Instant?
        if case .live = entry { until = .now + Self.liveFor } else { until = nil }
        state.withLock { s in
            if s.keys.count >= Self.capacity { s.keys.removeAll(keepingCapacity: true) }
            s.keys[id] = Held(entry: entry, until: until)
        }
    }

    func owner(of id: CaseID) -> PersonID? { state.withLock { $0.owners[id] } }

    func setOwner(_ person: PersonID, of id: CaseID) {
        state.withLock { s in
            if s.owners.count >= Self.capacity { s.owners.removeAll(keepingCapacity: true) }
            s.owners[id] = person
        }
    }
}

/// What the vault needs fetched before it can go on (see `PersonVault`): thrown, caught by
/// `Records`, which fetches it and runs the work again.
enum KeyNeeded: Error, Hashable {
    /// A data key; `create`: make it if the ring has none (sealing for a person seen the first time).
    case key(String, create: Bool)
    case caseOwner(CaseID)
}
