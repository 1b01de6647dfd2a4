import ArgumentParser
import Foundation
import GloJSON
import GloKit
import GloStoreSQLite

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add users, issue their tokens, disable them.",
        discussion: "These work on the store directly, also while `glo-host serve` runs on it. A token is shown once.",
        subcommands: [Add.self, Token.self, Disable.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user and print their first token.")
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("name"), help: "How the user is shown (not a person in the records).")
        var name: String
        @Option(name: .customLong("roles"), help: "Comma-separated: caseworker, legal_officer, supervisor, rule_author, admin, auditor, data_protection_officer.")
        var roles: String
        @Option(name: .customLong("organisation"), help: "The organisation's id (a UUID); a new one when left out.")
        var organisation: String?
        @Option(name: .customLong("jurisdictions"), help: "Comma-separated, such as TH,LA.")
        var jurisdictions: String
        @Option(name: .customLong("login"), help: "A sign-in name for the web; the password is read from stdin (at least 12 characters).")
        var login: String?

        func validate() throws {
            for role in Serve.list(roles) where Role(rawValue: role) == nil {
                throw ValidationError("--roles: '\(role)' is not a role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if Serve.list(roles).isEmpty { throw ValidationError("--roles: give at least one role") }
            if let organisation, OrganisationID(organisation) == nil { throw ValidationError("--organisation must be a UUID") }
        }

        func run() async throws {
            let (db, vault) = try await openStore(try await store.settings())
            let users = Users(records: Records(store: db, vault: vault))
            let user = User(displayName: name, roles: Serve.list(roles).compactMap(Role.init(rawValue:)),
                            organisation: organisation.flatMap { OrganisationID($0) } ?? OrganisationID(),
                            jurisdictions: Serve.list(jurisdictions).map { JurisdictionID($0) })
            do {
                try await users.add(user)
            } catch let failure as ValidationFailure {
                for e in failure.errors { warn("--\(e.field.split(separator: ".").last ?? ""): \(e.message)") }
                throw ExitCode(2)
            }
            if let login {
                let password = (readLine(strippingNewline: true) ?? "")
                do { try await users.setLogin(login, password: password, for: user.id) } catch let failure as ValidationFailure {
                    warn("password (stdin): \(failure.errors.map(\.message).joined(separator: "; "))")
                    throw ExitCode(2)
                }
            }
            let token = try await users.issueToken(for: user.id)
            print("user \(user.id)\ntoken \(token)")
            try await db.close()
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new token for a user (the old ones stay valid).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The user's id.") var user: String

        func run() async throws {
            guard let id = UserID(user) else { throw ValidationError("user must be an id (a UUID)") }
            let (db, vault) = try await openStore(try await store.settings())
            do {
                print(try await Users(records: Records(store: db, vault: vault)).issueToken(for: id))
            } catch let error as GloKitError {
                warn("user: \(error)")
                throw ExitCode(2)
            }
            try await db.close()
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user and revoke their tokens.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The user's id.") var user: String

        func run() async throws {
            guard let id = UserID(user) else { throw ValidationError("user must be an id (a UUID)") }
            let (db, vault) = try await openStore(try await store.settings())
            do {
                try await Users(records: Records(store: db, vault: vault)).disable(id)
            } catch let error as GloKitError {
                warn("user: \(error)")
                throw ExitCode(2)
            }
            print("user \(id) disabled; its tokens are revoked")
            try await db.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users as JSON lines.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (db, vault) = try await openStore(try await store.settings())
            for user in try await Users(records: Records(store: db, vault: vault)).all() {
                print(JSONWriter.string(try GloKitCoding.jsonValue(user)))
            }
            try await db.close()
        }
    }
}
