// The whole path measured by the process's own CPU time (getrusage), which varies less on these
// noisy machines than the wall clock does: opens COUNT cases (not measured), then screens each
// (decide, store, deliver), 32 at a time, and prints the CPU time per screening and the rate.
// scripts/path-cpu.sh runs two builds of it alternately and compares them.
//   PathProbe COUNT
import Foundation
import PathFixture

guard CommandLine.arguments.count == 2, let count = Int(CommandLine.arguments[1]), count > 0 else {
    FileHandle.standardError.write(Data("usage: PathProbe COUNT (the number of screenings, such as 2000)\n".utf8))
    exit(2)
}

/// This process's CPU time so far, user and system, in microseconds.
func cpu() -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func micro(_ t: timeval) -> Double { Double(t.tv_sec) * 1e6 + Double(t.tv_usec) }
    return (micro(usage.ru_utime), micro(usage.ru_stime))
}

let fixture = try await PathFixture(rounds: 1, of: count)
let ids = fixture.nextRound()
let start = (cpu(), ContinuousClock.now)
await fixture.delivered.wait(for: ids.count) {
    Task {
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<32 {
                group.addTask {
                    for c in stride(from: w, to: ids.count, by: 32) { try! await fixture.screenAndDecide(ids[c]) }
                }
            }
        }
    }
}
let (end, wall) = (cpu(), ContinuousClock.now - start.1)
await fixture.host.stop()
let n = Double(count)
let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
print(String(format: "cpu_us_per_screening %.1f user %.1f system %.1f per_second %.0f",
             (end.user - start.0.user + end.system - start.0.system) / n, (end.user - start.0.user) / n,
             (end.system - start.0.system) / n, n / seconds))
