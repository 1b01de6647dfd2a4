import Foundation
import GloKit
import PostgresNIO

/// Where a PostgreSQL store lives: `postgres://user:password@host:port/database[?sslmode=...]`
/// (or `postgresql://`). The password is kept for connecting only; `description` never shows it.
struct PostgresURL: Sendable, CustomStringConvertible {
    enum TLSMode: String, Sendable {
        /// Plain TCP. Fine on loopback or a private link; not across a network you do not trust.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS or no connection.
        case require
    }

    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var tls: TLSMode

    /// `host:port/database`, for messages and logs (never the user's password).
    var description: String { "\(host):\(port)/\(database)" }

    init(_ text: String) throws {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw StoreError.unusable("the PostgreSQL URL must look like postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.unusable("the PostgreSQL URL has no host (postgres://user:password@host:port/database)")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 5432
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.unusable("the PostgreSQL URL for \(self.host):\(port) names no user (postgres://user@host:port/database)")
        }
        self.user = user
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else {
            throw StoreError.unusable("the PostgreSQL URL for \(self.host):\(port) names no database (postgres://user@host:port/database)")
        }
        database = path
        tls = .prefer
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            switch item.value ?? "" {
            case "disable": tls = .disable
            case "allow", "prefer": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            default:
                throw StoreError.unusable("sslmode must be disable, prefer or require (PostgreSQL at \(self.host):\(port)/\(path))")
            }
        }
    }

    /// The same server, another database (tests make one per store).
    func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var config = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                      database: database, tls: try connectionTLS())
        config.options.connectTimeout = .seconds(10)
        return config
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var config = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                  database: database, tls: tls)
        config.options.connectTimeout = .seconds(10)
        config.options.maximumConnections = 8
        config.options.connectionIdleTimeout = .seconds(30)
        // Durable before acknowledged, whatever the server's default: COMMIT returns once the WAL is flushed.
        config.options.additionalStartupParameters = [("synchronous_commit", "on")]
        return config
    }

    private func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        if tls == .disable { return .disable }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: .makeClientConfiguration()) } catch {
            throw StoreError.unusable("cannot set up TLS for PostgreSQL at \(self); use sslmode=disable on a trusted link")
        }
        return tls == .require ? .require(context) : .prefer(context)
    }
}
