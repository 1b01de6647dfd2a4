import GloKit
import Testing

@Suite("Users: added whole or not at all; a lockout lifted; a password set")
struct UserAdministrationTests {
    func users() throws -> Users {
        Users(records: Records(store: try freshSQLiteStore(), vault: PersonVault(key: .random())))
    }

    func caseworker(_ jurisdictions: [JurisdictionID] = ["TH"]) -> User {
        User(displayName: "Noy", roles: [.caseworker], organisation: OrganisationID(), jurisdictions: jurisdictions)
    }

    @Test("every refused input stores nothing: a short password, a taken name, a jurisdiction with no pack, no role")
    func refusalsStoreNothing() async throws {
        let users = try users()
        let short = try? await users.add(caseworker(), login: .init(name: "noy", password: "short"), served: ["TH", "LA"], cost: .fast)
        #expect(short == nil)
        #expect(try await users.all().isEmpty, "a refused add leaves no user behind")
        do {
            _ = try await users.add(caseworker(["TH", "XX"]), login: .init(name: "noy", password: ""), served: ["TH", "LA"], cost: .fast)
            Issue.record("expected a refusal")
        } catch let failure as ValidationFailure {
            // Every problem at once.
            #expect(Set(failure.errors.map(\.field)) == ["jurisdictions", "password"])
            #expect(failure.errors.contains { $0.message == "XX has no pack here (served: LA, TH)" })
        }
        var noRole = caseworker()
        noRole.roles = []
        await #expect(throws: ValidationFailure.self) { try await users.add(noRole, login: nil, cost: .fast) }
        #expect(try await users.all().isEmpty)

        let token = try await users.add(caseworker(), login: .init(name: "Noy", password: "correct horse battery"), served: ["TH"], cost: .fast)
        #expect(try await users.user(forToken: token)?.displayName == "Noy")
        do {
            _ = try await users.add(caseworker(), login: .init(name: "noy", password: "correct horse battery"), cost: .fast)
            Issue.record("expected a refusal")
        } catch let failure as ValidationFailure {
            #expect(failure.errors.map(\.message) == ["noy is taken: choose another sign-in name"])
        }
        #expect(try await users.all().count == 1, "a retry with a taken name does not make a second user")
    }

    @Test("an administrator lifts a lockout, and sets a new password that ends the open sessions")
    func unlockAndPassword() async throws {
        let users = try users()
        _ = try await users.add(caseworker(), login: .init(name: "noy", password: "correct horse battery"), cost: .fast)
        for _ in 0..<SignInFailures.limit { #expect(try await users.signIn("noy", password: "wrong password!!") == nil) }
        await #expect(throws: SignInLocked.self) { try await users.signIn("noy", password: "correct horse battery") }
        try await users.unlock("NOY")
        let user = try #require(try await users.signIn("noy", password: "correct horse battery"))
        let (secret, _) = try await users.openSession(for: user)
        #expect(try await users.session(secret) != nil)

        try await users.resetPassword("noy", to: "another long password", cost: .fast)
        #expect(try await users.session(secret) == nil, "the sessions opened with the old password have ended")
        #expect(try await users.signIn("noy", password: "correct horse battery") == nil)
        #expect(try await users.signIn("noy", password: "another long password") != nil)
        await #expect(throws: GloKitError.self) { try await users.unlock("nobody") }
        await #expect(throws: ValidationFailure.self) { try await users.resetPassword("noy", to: "short") }
    }
}
