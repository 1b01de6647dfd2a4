#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Complete lines read from a file descriptor, a few MiB at a time, so that a corpus of any size
/// streams through in bounded memory.
public struct LineBatch {
    public var bytes: [UInt8] = []
    /// Each line's bytes, without its newline (or `\r\n`).
    public var lines: [Range<Int>] = []
    /// The 1-based number of the first line.
    public var firstLineNumber = 1
}

public final class LineReader {
    private let fd: Int32
    private let chunkSize: Int
    private var carry: [UInt8] = []
    private var finished = false
    private var nextLineNumber = 1

    public init(fileDescriptor: Int32, chunkSize: Int = 4 << 20) {
        self.fd = fileDescriptor
        self.chunkSize = chunkSize
    }

    /// The next batch of lines, or nil at the end of the input. Throws the errno of a failed read.
    public func next() throws -> LineBatch? {
        var batch = LineBatch()
        batch.bytes = carry
        carry = []
        while true {
            if finished {
                if let last = batch.bytes.last, last != UInt8(ascii: "\n") { batch.bytes.append(UInt8(ascii: "\n")) }
                break
            }
            let before = batch.bytes.count
            batch.bytes.append(contentsOf: repeatElement(0, count: chunkSize))
            let got = batch.bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + before, chunkSize) }
            batch.bytes.removeLast(chunkSize - max(got, 0))
            if got < 0 {
                if errno == EINTR { continue }
                throw LineReaderError(errno: errno)
            }
            if got == 0 { finished = true; continue }
            if let newline = batch.bytes[before...].lastIndex(of: UInt8(ascii: "\n")) {
                carry = Array(batch.bytes[(newline + 1)...])
                batch.bytes.removeSubrange((newline + 1)...)
                break
            }
        }
        batch.bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            for i in 0..<buffer.count where buffer[i] == UInt8(ascii: "\n") {
                var stop = i
                if stop > start && buffer[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
                batch.lines.append(start..<stop)
                start = i + 1
            }
        }
        guard !batch.lines.isEmpty else { return nil }
        batch.firstLineNumber = nextLineNumber
        nextLineNumber += batch.lines.count
        return batch
    }
}

public struct LineReaderError: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "cannot read the input: \(String(cString: strerror(errno)))" }
}
