import ArgumentParser
import Foundation

/// A file the user names for a command to write (`rules eval --output`, `store export --to`, and any
/// later one): every such command writes through this, and nothing else.
///
/// A regular file, or a name that does not exist yet, is written under a temporary name beside it and
/// renamed over it at the end, so a reader never sees half a file. Anything else is written in place:
/// renaming over a character device, a FIFO or a socket would replace it with a regular file (run as
/// root, `--output /dev/null` deleted the device, and every other user's `> /dev/null` failed after).
/// A symbolic link is followed to its target, which is then treated the same way; the link stays a
/// link. A directory is an error naming it.
final class OutputFile {
    /// What may stand at the path already.
    enum Existing {
        /// A regular file there is replaced (atomically).
        case replace
        /// A regular file there is an error: the command never overwrites one (an export).
        case refuse
    }

    private let fd: Int32
    /// The option that named the file, for messages (`--output`).
    private let option: String
    /// Where the finished file goes, and the temporary name it is written under; nil when written in place.
    private let target: String?
    private let temporary: String?
    private let existing: Existing

    /// The standard output.
    init() {
        fd = 1
        option = "stdout"
        target = nil
        temporary = nil
        existing = .replace
    }

    /// Opens `path` for writing, as `option` named it. `permissions` apply to a file this creates.
    init(path: String, option: String, permissions: mode_t = 0o644, existing: Existing = .replace) throws {
        self.option = option
        self.existing = existing
        let resolved = try Self.resolve(path, option: option)
        switch resolved.kind {
        case .directory:
            throw ValidationError("\(option) '\(path)' is a directory: name a file in it")
        case .regular where existing == .refuse:
            throw ValidationError("\(option) '\(path)' already exists: name a file that does not exist yet")
        case .absent, .regular:
            let directory = (resolved.path as NSString).deletingLastPathComponent
            let name = (resolved.path as NSString).lastPathComponent
            let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).partial-\(getpid())"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
            guard fd >= 0 else { throw Self.failure(option, path, "cannot create \(temporary)") }
            self.fd = fd
            self.target = resolved.path
            self.temporary = temporary
        case .stream:
            // A device or a FIFO: written as it is, never truncated or replaced.
            let fd = open(resolved.path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard fd >= 0 else { throw Self.failure(option, path, "cannot open") }
            self.fd = fd
            target = nil
            temporary = nil
        case .socket:
            self.fd = try Self.connect(resolved.path, option: option, named: path)
            target = nil
            temporary = nil
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    warn("cannot write \(option): \(String(cString: strerror(errno)))")
                    discard()
                    throw ExitCode(2)
                }
                offset += n
            }
        }
    }

    /// Runs `body`, which writes the file; when it throws, the temporary file is removed and the
    /// target is left as it was.
    func producing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            discard()
            throw error
        }
    }

    /// Finishes the file: a regular file is made durable and moved to its name.
    func close() throws {
        guard fd != 1 else { return }
        guard let target, let temporary else {
            Foundation.close(fd)
            return
        }
        fsync(fd)
        Foundation.close(fd)
        let moved: Bool
        switch existing {
        case .replace:
            moved = rename(temporary, target) == 0
        case .refuse:
            // link() fails when a file appeared at the name meanwhile: never overwrite one.
            moved = link(temporary, target) == 0
            unlink(temporary)
        }
        guard moved else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            warn("\(option): cannot move the finished file to \(target): \(reason)")
            throw ExitCode(2)
        }
    }

    /// Gives up: the temporary file is removed and the target left as it was.
    func discard() {
        guard fd != 1 else { return }
        Foundation.close(fd)
        if let temporary { unlink(temporary) }
    }

    // MARK: What stands at the path

    enum Kind: Equatable { case absent, regular, directory, stream, socket }

    /// The path a write lands on, with symbolic links followed, and what is there.
    static func resolve(_ path: String, option: String) throws -> (path: String, kind: Kind) {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            if lstat(current, &info) != 0 {
                guard errno == ENOENT else { throw failure(option, path, "cannot read") }
                return (current, .absent)
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(current, &buffer, buffer.count - 1)
                guard n >= 0 else { throw failure(option, path, "cannot read the link") }
                let destination = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                current = destination.hasPrefix("/")
                    ? destination
                    : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
            case S_IFREG: return (current, .regular)
            case S_IFDIR: return (current, .directory)
            case S_IFSOCK: return (current, .socket)
            default: return (current, .stream)
            }
        }
        errno = ELOOP
        throw failure(option, path, "cannot follow the links")
    }

    /// A connection to a listening Unix socket, written as a stream.
    private static func connect(_ path: String, option: String, named: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure(option, named, "cannot make a socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            Foundation.close(fd)
            throw ValidationError("\(option) '\(named)': the socket's path is too long (\(bytes.count) bytes; at most \(capacity - 1))")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let error = failure(option, named, "cannot connect to the socket")
            Foundation.close(fd)
            throw error
        }
        return fd
    }

    private static func failure(_ option: String, _ path: String, _ what: String) -> ValidationError {
        ValidationError("\(option) '\(path)': \(what): \(String(cString: strerror(errno)))")
    }
}
