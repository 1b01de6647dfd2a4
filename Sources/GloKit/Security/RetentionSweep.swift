/// Ends the life of records whose retention period has run out (IOM Data Protection Manual: retention;
/// Thai PDPA s.37(3): erase what is no longer needed for the purpose): a person is erased once every
/// case of theirs is closed and, for each, its jurisdiction's period has passed since it closed. A
/// person with an open case, or with a case in a jurisdiction that sets no period, is kept.
///
/// `serve` runs it daily (one host of several, by lease); `glo-host retention sweep --dry-run` lists
/// what would go without erasing anything.
public struct RetentionSweep: Sendable {
    let records: Records
    /// Days kept after closure, per jurisdiction.
    let days: [JurisdictionID: Int]

    public init(records: Records, days: [JurisdictionID: Int]) {
        self.records = records
        self.days = days
    }

    /// A person whose period ran out: when their last case closed, and when the period ended.
    public struct Due: Sendable, Hashable {
        public var person: PersonID
        public var lastClosed: CalendarDate
        public var expired: CalendarDate
        public var cases: Int
    }

    /// The people due for erasure on `date`, oldest expiry first. Reads every case once, a page at a time.
    public func due(on date: CalendarDate) async throws -> [Due] {
        struct Seen { var open = false; var lastClosed = CalendarDate.distantPast; var expires = CalendarDate.distantPast; var cases = 0 }
        var people: [PersonID: Seen] = [:]
        var after: String?
        while true {
            let page = try await records.store.records(Case.collection, after: after, limit: 500)
            guard let last = page.last else { break }
            after = last.id
            for record in page {
                guard let theCase = try? GloKitCoding.decode(Case.self, from: record.body) else { continue }
                var seen = people[theCase.person] ?? Seen()
                seen.cases += 1
                if let closed = theCase.closed, theCase.status == .closed || theCase.status == .closedReferred,
                   let keep = days[theCase.jurisdiction] {
                    seen.lastClosed = max(seen.lastClosed, closed)
                    seen.expires = max(seen.expires, closed.adding(days: keep))
                } else {
                    seen.open = true
                }
                people[theCase.person] = seen
            }
        }
        var due: [Due] = []
        for (person, seen) in people where !seen.open && seen.expires <= date {
            guard let record = try await records.store.record(SealedPerson.collection, id: person.description),
                  let sealed = try? GloKitCoding.decode(SealedPerson.self, from: record.body), sealed.erasedAt == nil else { continue }
            due.append(Due(person: person, lastClosed: seen.lastClosed, expired: seen.expires, cases: seen.cases))
        }
        return due.sorted { ($0.expired, $0.person.description) < ($1.expired, $1.person.description) }
    }

    public struct Report: Sendable {
        public var due: [Due]
        public var erased: [PersonID]
        /// People who could not be erased, with why (ids and reasons, no data).
        public var failed: [(PersonID, String)]
    }

    /// Erases everyone due on `date` (unless `dryRun`), each audited with the reason `retention_expired`.
    public func run(on date: CalendarDate, dryRun: Bool) async throws -> Report {
        let due = try await due(on: date)
        var report = Report(due: due, erased: [], failed: [])
        if dryRun { return report }
        let erasure = Erasure(records: records)
        for item in due {
            do {
                try await erasure.erase(item.person, reason: .retentionExpired, reference: "retention-\(date)", by: nil, role: nil,
                                        request: "retention sweep")
                report.erased.append(item.person)
            } catch {
                report.failed.append((item.person, "\(error)"))
            }
        }
        return report
    }
}
