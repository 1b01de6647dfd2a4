import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether the HTTP port can be bound, checked before anything starts: a port in use is one clear
/// line and exit 2, not an error from deep in the server after the host has started.
enum PortCheck {
    /// Nil when `port` on `address` is free (or 0: any free port); else why not.
    static func problem(address: String, port: Int) -> String? {
        guard port != 0 else { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address, String(port), &hints, &found) == 0, let first = found else {
            return "the address \(address) cannot be resolved: set http.address (or GLO_HOST_HTTP_ADDRESS) to an address of this machine"
        }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // As the server binds: with SO_REUSEADDR, so that only a listening socket counts as in use.
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let reason = errno == EADDRINUSE ? "is in use (another glo-host, or another program)"
                : errno == EACCES ? "needs privileges (ports below 1024)" : "cannot be bound (\(String(cString: strerror(errno))))"
            let other = port == 65535 ? 8081 : port + 1
            return "the port \(port) on \(address) \(reason): choose another with --port \(other), GLO_HOST_HTTP_PORT=\(other) or http.port in the settings (make run PORT=\(other))"
        }
        return nil
    }
}
