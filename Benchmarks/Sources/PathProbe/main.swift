// The whole path measured by the process's own CPU time (getrusage), which varies less on these
// noisy machines than the wall clock does: opens COUNT cases (not measured), then screens each
// (decide, store, deliver), 32 at a time unless told, and prints the CPU time per screening and the rate.
// scripts/path-cpu.sh runs two builds of it alternately and compares them.
//   PathProbe COUNT [AT_ONCE]
import Foundation
import PathFixture

let arguments = CommandLine.arguments
guard (2...3).contains(arguments.count), let count = Int(arguments[1]), count > 0,
      let width = arguments.count == 3 ? Int(arguments[2]) : 32, width > 0 else {
    FileHandle.standardError.write(Data("usage: PathProbe COUNT [AT_ONCE] (screenings, such as 2000; how many at a time, 32 if not given)\n".utf8))
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
/// CLOCK_MONOTONIC in seconds, printed on stderr around the measured part, so that a recording made
/// with `perf record -k CLOCK_MONOTONIC` can be cut to it.
func monotonic() -> String {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return String(format: "%d.%09d", t.tv_sec, t.tv_nsec)
}
FileHandle.standardError.write(Data("measured from \(monotonic())\n".utf8))
let start = (cpu(), ContinuousClock.now)
await fixture.screenAll(ids, atOnce: width)
let (end, wall) = (cpu(), ContinuousClock.now - start.1)
FileHandle.standardError.write(Data("measured to \(monotonic())\n".utf8))
await fixture.host.stop()
let n = Double(count)
let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
print(String(format: "cpu_us_per_screening %.1f user %.1f system %.1f per_second %.0f",
             (end.user - start.0.user + end.system - start.0.system) / n, (end.user - start.0.user) / n,
             (end.system - start.0.system) / n, n / seconds))
