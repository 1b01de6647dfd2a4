import Foundation
import Testing
import TestScratch

/// What a command leaves at the path a user names for its output (`rules eval --output`, `store export
/// --to`): a regular file is replaced only when complete, and nothing else is ever replaced.
@Suite("Files the user names for output", .serialized)
struct OutputFileTests {
    static let facts = "{\"age\": 30}\n{\"age\": 12, \"acts\": [\"recruitment\"]}\n"

    func eval(to path: String) throws -> Run {
        try glohost(["rules", "eval", "--rules", shippedRules, "--jurisdiction", "TH", "--decision", "identification.pathway",
                     "--at", "2026-01-01", "--output", path], stdin: Self.facts)
    }

    func kind(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The folder's entries other than `keep`: no temporary file is left behind.
    func leftovers(_ dir: String, keep: Set<String>) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !keep.contains($0) }
    }

    @Test func aNewFileGetsEveryResult() throws {
        let dir = TestScratch.folder("out").path
        let run = try eval(to: dir + "/results.jsonl")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(kind(dir + "/results.jsonl") == S_IFREG)
        #expect(text(dir + "/results.jsonl").split(separator: "\n").count == 2)
        #expect(leftovers(dir, keep: ["results.jsonl"]).isEmpty)
    }

    @Test func aRegularFileIsReplacedWhole() throws {
        let dir = TestScratch.folder("out").path
        try "old contents that are longer than the new ones will be, to show nothing of them stays behind\n"
            .write(toFile: dir + "/results.jsonl", atomically: true, encoding: .utf8)
        let run = try eval(to: dir + "/results.jsonl")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = text(dir + "/results.jsonl").split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix("{") })
    }

    @Test func aCharacterDeviceStaysADevice() throws {
        let dir = TestScratch.folder("out").path
        let device = dir + "/fakenull"
        // The same device as /dev/null (1, 3), made in a scratch folder: never the real one.
        guard mknod(device, S_IFCHR | 0o666, nullDevice) == 0 else {
            Issue.record("mknod needs root (CI runs as root): \(String(cString: strerror(errno)))")
            return
        }
        let run = try eval(to: device)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(kind(device) == S_IFCHR)
        #expect(leftovers(dir, keep: ["fakenull"]).isEmpty)
    }

    @Test func aFIFOIsWrittenInPlace() throws {
        let dir = TestScratch.folder("out").path
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader on the other end, as `mkfifo p; glo-host ... --output p & cat p` would have.
        let received = Box()
        let reader = Thread { received.value = readAll(open(fifo, O_RDONLY)) }
        reader.start()
        let run = try eval(to: fifo)
        #expect(run.status == 0, "\(run.stderr)")
        while !received.done { usleep(10_000) }
        #expect(received.value.split(separator: "\n").count == 2)
        #expect(kind(fifo) == S_IFIFO)
    }

    @Test func aSocketIsWrittenInPlace() throws {
        let dir = TestScratch.folder("out").path
        let path = dir + "/s"
        let listener = try UnixListener(path)
        let received = Box()
        let reader = Thread { received.value = listener.acceptAndReadAll() }
        reader.start()
        let run = try eval(to: path)
        #expect(run.status == 0, "\(run.stderr)")
        while !received.done { usleep(10_000) }
        #expect(received.value.split(separator: "\n").count == 2)
        #expect(kind(path) == S_IFSOCK)
    }

    @Test func aSymbolicLinkIsFollowedAndStaysALink() throws {
        let dir = TestScratch.folder("out").path
        try "old\n".write(toFile: dir + "/target.jsonl", atomically: true, encoding: .utf8)
        #expect(symlink("target.jsonl", dir + "/link") == 0)
        #expect(symlink("absent.jsonl", dir + "/dangling") == 0)
        #expect(try eval(to: dir + "/link").status == 0)
        #expect(kind(dir + "/link") == S_IFLNK)
        #expect(text(dir + "/target.jsonl").split(separator: "\n").count == 2)
        // A link to nothing yet: the file is made where it points.
        #expect(try eval(to: dir + "/dangling").status == 0)
        #expect(kind(dir + "/dangling") == S_IFLNK)
        #expect(text(dir + "/absent.jsonl").split(separator: "\n").count == 2)
        #expect(leftovers(dir, keep: ["target.jsonl", "link", "dangling", "absent.jsonl"]).isEmpty)
    }

    @Test func aDirectoryIsAnErrorNamingIt() throws {
        let dir = TestScratch.folder("out").path
        let run = try eval(to: dir)
        #expect(run.status == 2)
        #expect(run.stderr.contains("--output '\(dir)' is a directory"), "\(run.stderr)")
        #expect(leftovers(dir, keep: []).isEmpty)
    }

    @Test func storeExportRefusesAnExistingFileAndWritesToADevice() throws {
        let dir = try hostFolder()
        let migrate = try glohost(["migrate", "--config", dir + "/glo-host.yaml"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        try "keep me\n".write(toFile: dir + "/store.jsonl", atomically: true, encoding: .utf8)
        let refused = try glohost(["store", "export", "--config", dir + "/glo-host.yaml", "--to", dir + "/store.jsonl"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--to '\(dir)/store.jsonl' already exists"), "\(refused.stderr)")
        #expect(text(dir + "/store.jsonl") == "keep me\n")

        let exported = try glohost(["store", "export", "--config", dir + "/glo-host.yaml", "--to", dir + "/new.jsonl"])
        #expect(exported.status == 0, "\(exported.stderr)")
        var info = stat()
        #expect(stat(dir + "/new.jsonl", &info) == 0 && info.st_mode & 0o777 == 0o600)

        let device = dir + "/fakenull"
        guard mknod(device, S_IFCHR | 0o666, nullDevice) == 0 else {
            Issue.record("mknod needs root (CI runs as root)")
            return
        }
        let toDevice = try glohost(["store", "export", "--config", dir + "/glo-host.yaml", "--to", device])
        #expect(toDevice.status == 0, "\(toDevice.stderr)")
        #expect(kind(device) == S_IFCHR)
    }
}

/// The device number of /dev/null (major 1, minor 3), as glibc's makedev() encodes it.
let nullDevice: dev_t = (1 << 8) | 3

/// A value a reader thread fills in.
final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    private var finished = false
    var value: String {
        get { lock.withLock { text } }
        set { lock.withLock { text = newValue; finished = true } }
    }
    var done: Bool { lock.withLock { finished } }
}

/// A listening Unix stream socket that reads one connection to its end.
final class UnixListener: @unchecked Sendable {
    let fd: Int32

    init(_ path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func acceptAndReadAll() -> String {
        defer { close(fd) }
        return readAll(accept(fd, nil, nil))
    }
}

/// Everything readable from `fd` until its end, which is then closed.
func readAll(_ fd: Int32) -> String {
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &buffer, buffer.count)
        if n <= 0 { break }
        bytes += buffer[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
