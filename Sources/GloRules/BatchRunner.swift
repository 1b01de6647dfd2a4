import Dispatch

/// How many lines a batch run saw, decided and failed.
public struct BatchCounts: Sendable, Equatable {
    public var lines = 0
    public var decided = 0
    public var failed = 0

    public init() {}
}

/// Streams lines through per-thread workers and emits their output in input order.
///
/// Each batch of lines (a few MiB) is cut into one contiguous slice per worker; the workers run at
/// once, each on its own sandbox, and the slices' outputs are emitted in order. Memory stays
/// bounded by a batch, whatever the corpus size.
public enum BatchRunner {
    /// `work` decides one line (bytes, 1-based number) and appends its output; it returns whether
    /// the line was decided.
    public static func run<Worker>(
        reader: LineReader, workers: inout [Worker],
        emit: ([UInt8]) throws -> Void,
        progress: ((BatchCounts) -> Void)? = nil,
        work: @escaping (inout Worker, UnsafeRawBufferPointer, Int, inout [UInt8]) -> Bool
    ) throws -> BatchCounts {
        var counts = BatchCounts()
        let jobs = workers.count
        var outputs = [[UInt8]](repeating: [], count: jobs)
        var decided = [Int](repeating: 0, count: jobs)
        while let batch = try reader.next() {
            let slice = (batch.lines.count + jobs - 1) / jobs
            batch.bytes.withUnsafeBytes { bytes in
                func runSlice(_ index: Int, _ worker: inout Worker, _ out: inout [UInt8]) -> Int {
                    out.removeAll(keepingCapacity: true)
                    var ok = 0
                    let lower = min(index * slice, batch.lines.count)
                    let upper = min(lower + slice, batch.lines.count)
                    for n in lower..<upper {
                        let range = batch.lines[n]
                        let line = UnsafeRawBufferPointer(rebasing: bytes[range])
                        if work(&worker, line, batch.firstLineNumber + n, &out) { ok += 1 }
                    }
                    return ok
                }
                if jobs == 1 {
                    decided[0] = runSlice(0, &workers[0], &outputs[0])
                } else {
                    workers.withUnsafeMutableBufferPointer { workerSlots in
                        outputs.withUnsafeMutableBufferPointer { outputSlots in
                            decided.withUnsafeMutableBufferPointer { decidedSlots in
                                // Each index is touched by exactly one thread.
                                nonisolated(unsafe) let w = workerSlots, o = outputSlots, d = decidedSlots
                                nonisolated(unsafe) let job: (Int) -> Void = { i in d[i] = runSlice(i, &w[i], &o[i]) }
                                DispatchQueue.concurrentPerform(iterations: jobs) { i in job(i) }
                            }
                        }
                    }
                }
            }
            for i in 0..<jobs {
                if !outputs[i].isEmpty { try emit(outputs[i]) }
                counts.decided += decided[i]
            }
            counts.lines += batch.lines.count
            counts.failed = counts.lines - counts.decided
            progress?(counts)
        }
        return counts
    }
}

extension BoundDecision {
    /// Runs `body` with `count` evaluators, each on its own sandbox. `count` may not exceed the
    /// pool's capacity (the engine's `statesPerPack`): more would wait for each other forever.
    public func withEvaluators<R>(count: Int, _ body: ([DecisionEvaluator]) throws -> R) throws -> R {
        precondition(count <= pool.capacity, "asked for \(count) evaluators from a pool of \(pool.capacity) states")
        var sandboxes: [LuaSandbox] = []
        defer { sandboxes.forEach(pool.release) }
        var evaluators: [DecisionEvaluator] = []
        for _ in 0..<count {
            let sandbox = try pool.acquire()
            sandboxes.append(sandbox)
            evaluators.append(try makeEvaluator(on: sandbox))
        }
        return try body(evaluators)
    }
}

import LuaVM
