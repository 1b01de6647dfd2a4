import ArgumentParser
import Foundation
import GloRules

/// The input of a batch command: a file or stdin.
struct InputFile {
    let fd: Int32

    init(path: String?) throws {
        guard let path, path != "-" else { fd = 0; return }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ValidationError("--input '\(path)': \(String(cString: strerror(errno)))") }
        self.fd = fd
    }

    /// How many lines remain from where the input stands, when it is a regular file (stdin redirected
    /// from a file too); nil for a pipe or a terminal, whose length is unknown until read. Read with
    /// `pread`, so the batch still starts where the input stood.
    func lineCount() -> Int? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var offset = lseek(fd, 0, SEEK_CUR)
        guard offset >= 0 else { return nil }
        var lines = 0
        var last: UInt8 = UInt8(ascii: "\n")
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            buffer.withUnsafeBufferPointer { bytes in
                for byte in bytes[..<got] where byte == UInt8(ascii: "\n") { lines += 1 }
            }
            last = buffer[got - 1]
            offset += off_t(got)
        }
        // A last line without its newline is still a line (the reader counts it too).
        return last == UInt8(ascii: "\n") ? lines : lines + 1
    }
}

/// Lines done on stderr while a batch runs, when stderr is a terminal: of how many, the percentage,
/// the rate and the time left. Redrawn at most four times a second, from the batch loop between
/// batches, so it costs nothing next to deciding; nothing at all when stderr is not a terminal.
final class Progress: @unchecked Sendable {
    private let label: String
    private let enabled = isatty(2) == 1
    /// The lines in the input, when known before reading it (a regular file).
    private let total: Int?
    private let start = Date()
    private var last = Date.distantPast

    /// `total` is only worked out when the progress is shown.
    init(label: String, total: @autoclosure () -> Int?) {
        self.label = label
        self.total = enabled ? total() : nil
    }

    func update(_ counts: BatchCounts) {
        guard enabled, Date().timeIntervalSince(last) > 0.25 else { return }
        last = Date()
        FileHandle.standardError.write(Data(("\r" + Progress.line(counts, label: label, total: total,
                                                                  seconds: Date().timeIntervalSince(start)) + "\u{1B}[K").utf8))
    }

    func finish(_ counts: BatchCounts) {
        guard enabled else { return }
        last = .distantPast
        update(counts)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// `12,000 of 100,000 lines (12%), 3 failed, 20,000/s, 4 s left`.
    static func line(_ counts: BatchCounts, label: String, total: Int?, seconds: Double) -> String {
        let rate = Double(counts.lines) / max(seconds, 0.001)
        var text = counts.lines.grouped
        if let total, total >= counts.lines {
            text += " of \(total.grouped) \(label) (\(total == 0 ? 100 : counts.lines * 100 / total)%)"
        } else {
            text += " \(label)"
        }
        if counts.failed > 0 { text += ", \(counts.failed.grouped) failed" }
        text += ", \(Int(rate).grouped)/s"
        if let total, total > counts.lines, rate > 0 { text += ", \(duration(Double(total - counts.lines) / rate)) left" }
        return text
    }

    /// `45 s`, `3 min 20 s`, `2 h 5 min`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }
}

extension Int {
    /// `1,234,567`: a count a person reads at a glance.
    var grouped: String {
        let digits = String(magnitude)
        var text = self < 0 ? "-" : ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { text += "," }
            text.append(digit)
        }
        return text
    }
}
