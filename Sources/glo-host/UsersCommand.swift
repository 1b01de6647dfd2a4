import ArgumentParser
import Foundation
import GloJSON
import GloKit
import GloRules
import GloStoreSQLite

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add users, issue their tokens, unlock a sign-in, set a password, disable them.",
        discussion: "These work on the store directly, also while `glo-host serve` runs on it. A token is shown once. Each is in the audit log.",
        subcommands: [Add.self, Token.self, Unlock.self, Password.self, Disable.self, List.self]
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
            let settings = try await store.settings()
            let password = login == nil ? nil : (readLine(strippingNewline: true) ?? "")
            // The jurisdictions a user may be given: those with a pack in the rules this host serves.
            let served = (try? RuleEngine(directory: settings.rules, statesPerPack: 1)).map { Set($0.ruleSet.jurisdictions.map { JurisdictionID($0) }) }
            let (db, vault) = try await openStore(settings)
            let users = Users(records: Records(store: db, vault: vault))
            var problems: [String] = []
            let user = User(displayName: name, roles: Serve.list(roles).compactMap(Role.init(rawValue:)),
                            organisation: organisation.flatMap { OrganisationID($0) } ?? OrganisationID(),
                            jurisdictions: Serve.list(jurisdictions).map { JurisdictionID($0) })
            // An organisation given must be one a user already belongs to (a typo would make a new one), or
            // the one this host receives handovers for (federation.organisation_id), known from the settings.
            let ownOrganisation = settings.federation.organisationID.map { user.organisation == $0 } ?? false
            let token: String
            do {
                token = try await users.add(user, login: login.map { Users.NewLogin(name: $0, password: password ?? "") }, served: served,
                                            knownOrganisation: organisation != nil && !ownOrganisation)
            } catch let failure as ValidationFailure {
                for e in failure.errors {
                    let field = e.field.split(separator: ".").last.map(String.init) ?? e.field
                    problems.append(field == "password" ? "password (stdin): \(e.message)" : "--\(field): \(e.message)")
                }
                for problem in problems { warn(problem) }
                warn("nothing was stored")
                try await db.close()
                throw ExitCode(2)
            }
            try await AuditLog(records: Records(store: db, vault: vault)).append(AuditEntry(
                user: nil, role: nil, action: .create, subject: "user:\(user.id)", jurisdiction: nil, request: "glo-host users add",
                detail: "roles \(user.roles.map(\.rawValue).joined(separator: ","))"))
            print("user \(user.id)\norganisation \(user.organisation)\ntoken \(token)")
            try await db.close()
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift the lockout of a sign-in name after too many wrong passwords.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The sign-in name.") var login: String

        func run() async throws {
            let (db, vault) = try await openStore(try await store.settings())
            let records = Records(store: db, vault: vault)
            do {
                let id = try await Users(records: records).unlock(login)
                try await AuditLog(records: records).append(AuditEntry(user: nil, role: nil, action: .update, subject: "user:\(id)",
                                                                       jurisdiction: nil, request: "glo-host users unlock",
                                                                       detail: "sign-in lockout lifted"))
                print("the sign-in name \(login.lowercased()) may sign in again")
            } catch let error as GloKitError {
                warn("login: \(error)")
                try await db.close()
                throw ExitCode(2)
            }
            try await db.close()
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a new password for a sign-in name (read from stdin); its lockout is lifted and its sessions end.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The sign-in name.") var login: String

        func run() async throws {
            let password = readLine(strippingNewline: true) ?? ""
            let (db, vault) = try await openStore(try await store.settings())
            let records = Records(store: db, vault: vault)
            do {
                let id = try await Users(records: records).resetPassword(login, to: password)
                try await AuditLog(records: records).append(AuditEntry(user: nil, role: nil, action: .update, subject: "user:\(id)",
                                                                       jurisdiction: nil, request: "glo-host users password",
                                                                       detail: "password set; sessions ended"))
                print("the password of \(login.lowercased()) is set; its open sessions have ended")
            } catch let error as GloKitError {
                warn("login: \(error)")
                try await db.close()
                throw ExitCode(2)
            } catch let failure as ValidationFailure {
                warn("password (stdin): \(failure.errors.map(\.message).joined(separator: "; "))")
                try await db.close()
                throw ExitCode(2)
            }
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
