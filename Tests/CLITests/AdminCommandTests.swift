import Foundation
import GloJSON
import Testing
import TestScratch

@Suite("glo-host for a new administrator: users, the port", .serialized)
struct AdminCommandTests {
    @Test("users add refuses every bad input at once and stores nothing; users unlock and password")
    func usersAdd() throws {
        let dir = try hostFolder()
        let config = ["--config", dir + "/glo-host.yaml"]
        // A host that has started once: its store and its key exist; its first admin is the one user.
        let serve = try Background(builtProducts.appendingPathComponent("glo-host").path,
                                   ["serve"] + config + ["--jurisdictions", "TH,LA", "--port", "0"], directory: dir)
        #expect(serve.wait(for: "host started"))
        serve.signal(SIGTERM)
        #expect(serve.exitStatus() == 0)
        func keyed(_ arguments: [String], stdin: String = "") throws -> Run { try glohost(arguments, stdin: stdin) }
        func add(_ extra: [String], password: String) throws -> Run {
            try keyed(["users", "add"] + config + ["--name", "Noy", "--roles", "caseworker"] + extra, stdin: password)
        }
        let bad = try add(["--jurisdictions", "TH,XX", "--login", "noy", "--organisation", UUID().uuidString], password: "")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--organisation: no user belongs to organisation"), "\(bad.stderr)")
        #expect(bad.stderr.contains("--jurisdictions: XX has no pack here"), "\(bad.stderr)")
        #expect(bad.stderr.contains("password (stdin): must be at least 12 characters"), "\(bad.stderr)")
        #expect(bad.stderr.contains("nothing was stored"))
        #expect(try keyed(["users", "list"] + config).lines.count == 1, "only the first admin")

        let good = try add(["--jurisdictions", "TH", "--login", "noy"], password: "correct horse battery\n")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("token glo_"))
        let taken = try add(["--jurisdictions", "TH", "--login", "NOY"], password: "correct horse battery\n")
        #expect(taken.status == 2 && taken.stderr.contains("--login: noy is taken"), "\(taken.stderr)")
        #expect(try keyed(["users", "list"] + config).lines.count == 2)

        let unlocked = try keyed(["users", "unlock"] + config + ["noy"])
        #expect(unlocked.status == 0 && unlocked.stdout.contains("may sign in again"))
        #expect(try keyed(["users", "unlock"] + config + ["nobody"]).status == 2)
        #expect(try keyed(["users", "password"] + config + ["noy"], stdin: "short\n").status == 2)
        let set = try keyed(["users", "password"] + config + ["noy"], stdin: "another long password\n")
        #expect(set.status == 0, "\(set.stderr)")
    }

    @Test("users add before the first start says to start the host once; a store whose key is missing says to restore it")
    func beforeTheFirstStart() throws {
        let dir = try hostFolder()
        let config = ["--config", dir + "/glo-host.yaml"]
        let early = try glohost(["users", "add"] + config + ["--name", "Noy", "--roles", "caseworker", "--jurisdictions", "TH"])
        #expect(early.status == 2)
        #expect(early.stderr.contains("no host has started here yet") && early.stderr.contains("start it once with `glo-host serve`"),
                "\(early.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/glo.sqlite"), "nothing was created")

        let serve = try Background(builtProducts.appendingPathComponent("glo-host").path,
                                   ["serve"] + config + ["--jurisdictions", "TH", "--port", "0"], directory: dir)
        #expect(serve.wait(for: "host started"))
        serve.signal(SIGTERM)
        #expect(serve.exitStatus() == 0)
        try FileManager.default.removeItem(atPath: dir + "/data/glo.sqlite.key")
        let lost = try glohost(["users", "list"] + config)
        #expect(lost.status == 2)
        #expect(lost.stderr.contains("restore the key this store's personal data was sealed with"), "\(lost.stderr)")
    }

    @Test("serve on a port in use says which and how to choose another, before anything starts, exit 2")
    func portInUse() throws {
        let dir = try hostFolder()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound && listen(listener, 1) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let run = try glohost(["serve", "--config", dir + "/glo-host.yaml", "--port", String(port)])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--port: the port \(port) on 127.0.0.1 is in use"), "\(run.stderr)")
        #expect(run.stderr.contains("GLO_HOST_HTTP_PORT=\(port + 1)"))
        #expect(!run.stderr.contains("host started"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/glo.sqlite"), "nothing started: no database")
    }
}
