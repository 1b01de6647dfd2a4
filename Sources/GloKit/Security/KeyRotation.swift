/// Replaces the master key: every data key wrapped by the old key is unwrapped and wrapped again by
/// the new one. Only the key ring changes; no sealed value is touched, so a rotation of 100,000
/// people is 100,000 small rows rewritten, online.
///
/// While it runs, a host holding both keys opens every data key (the file lists the new key, then the
/// old). Each page is one statement that re-wraps only keys still wrapped by the old key, so a run
/// cut short is finished by running it again. At the end the old key is retired in the store: a host
/// started with it is refused, saying so.
public struct KeyRotation: Sendable {
    let store: any Store
    let vault: PersonVault

    public init(store: any Store, masters: MasterKeys) {
        self.store = store
        vault = PersonVault(masters: masters)
    }

    public struct Report: Sendable {
        public var rewrapped: Int
        public var retired: String
    }

    static let pageSize = 1_000

    /// Re-wraps every data key wrapped by `old` with `new`, then retires `old`.
    public func run(from old: VaultKey, to new: VaultKey, progress: (Int) -> Void = { _ in }) async throws -> Report {
        guard old.id != new.id else { throw VaultError.badKey("the new master key is the old one") }
        var rewrapped = 0
        var after: String?
        while true {
            let page = try await store.dataKeys(after: after, limit: Self.pageSize)
            guard let last = page.last else { break }
            after = last.id
            var batch: [WrappedDataKey] = []
            for stored in page where stored.master == old.id && !stored.isErased {
                let bytes = try vault.unwrap(stored)
                batch.append(try vault.wrap(bytes, id: stored.id, with: new, createdAt: stored.createdAt))
            }
            if !batch.isEmpty {
                rewrapped += try await store.rewrapDataKeys(batch, from: old.id)
                progress(rewrapped)
            }
        }
        // A key made by a host that still wrapped with the old key after the scan passed it: go again.
        if let left = try await store.dataKeyCounts()[old.id], left > 0 {
            let more = try await run(from: old, to: new, progress: progress)
            return Report(rewrapped: rewrapped + more.rewrapped, retired: old.id)
        }
        try await store.retireMasterKey(old.id, at: .now)
        return Report(rewrapped: rewrapped, retired: old.id)
    }
}
