import Foundation
public import GloHTTP
import GloJSON
public import GloKit
import GloRules
import Hummingbird
import PluginIdentification

/// Identification over HTTP: record a screening (the API's busiest route), confirm a possible victim,
/// override a status with a reason; the new-case form (person, case and first screening); on the case
/// page, the screenings.
public struct IdentificationHTTP: PluginHTTP {
    public let id = "identification"

    public init() {}

    public var resources: PluginResources { Self.loaded }
    static let loaded = PluginResources.load(Bundle.module.url(forResource: "Resources", withExtension: nil))

    public var menu: [MenuItem] { [MenuItem("/ui/cases/new", label: "new_case", permission: .writeCase)] }

    /// The body of `POST /api/v1/cases/{id}/screenings`: the screening's fields, the other facts learnt
    /// in the interview, and who decides. Values are checked against the fact vocabulary in force.
    struct NewScreening: Decodable {
        var date: CalendarDate
        var acts: [String]
        var means: [String]
        var exploitation: [String]
        var iloIndicators: [String]
        var migration: MigrationFacts?
        var facts: [String: JSONValue]?
        var identifiedBy: IdentifiedBy

        enum CodingKeys: String, CodingKey {
            case date, acts, means, exploitation, migration, facts
            case iloIndicators = "ilo_indicators"
            case identifiedBy = "identified_by"
        }
    }

    /// The answer to a screening.
    struct ScreeningAnswer: Encodable {
        var screening: Screening
        var decision: DecisionView
        var theCase: Case
        var missing: [String]

        enum CodingKeys: String, CodingKey {
            case screening, decision, missing
            case theCase = "case"
        }
    }

    struct Confirmation: Decodable {
        var identifiedBy: IdentifiedBy
        var reason: String?
        enum CodingKeys: String, CodingKey {
            case reason
            case identifiedBy = "identified_by"
        }
    }

    struct StatusOverride: Decodable {
        var status: TraffickingStatus
        var pathway: Pathway?
        var identifiedBy: IdentifiedBy
        var reason: String
        enum CodingKeys: String, CodingKey {
            case status, pathway, reason
            case identifiedBy = "identified_by"
        }
    }

    public var routes: [APIRoute] {
        [
            APIRoute(.post, "/api/v1/cases/{id}/screenings") { request, context, s in
                var request = request
                let (caller, found) = try await s.authorizedCase(context, .writeCase)
                let input = try decode(NewScreening.self, try await request.jsonBody())
                let screening = Screening(caseID: found.value.id, interviewer: caller.user.id, date: input.date, acts: input.acts,
                                          means: input.means, exploitation: input.exploitation, iloIndicators: input.iloIndicators,
                                          migration: input.migration ?? MigrationFacts())
                let identification = Identification(try s.pluginContext(id))
                let outcome = try await s.withAudit(caller, .update, ["case:\(found.value.id)"], found.value.jurisdiction, context) {
                    try await identification.screen(screening, facts: input.facts ?? [:], identifiedBy: input.identifiedBy,
                                                    actor: caller.actor, read: found)
                }
                s.metrics.decision(outcome.decision.decision, outcome: outcome.decision.outcome)
                // The busiest answer is written as text straight from the entities, with no JSON tree between.
                return try .encoded(ScreeningAnswer(screening: outcome.screening, decision: DecisionView(outcome.decision),
                                                    theCase: outcome.theCase, missing: outcome.missing), .created)
            },
            APIRoute(.post, "/api/v1/cases/{id}/confirmation") { r, c, s in
                try await s.onCase(r, c, .writeCase, Confirmation.self) { caller, theCase, input in
                    .json(try json(try await Identification(s.pluginContext(id)).confirm(
                        theCase.id, identifiedBy: input.identifiedBy, user: caller.user.id, role: caller.role, reason: input.reason,
                        actor: caller.actor)))
                }
            },
            APIRoute(.post, "/api/v1/cases/{id}/status-override") { r, c, s in
                try await s.onCase(r, c, .override, StatusOverride.self) { caller, theCase, input in
                    .json(try json(try await Identification(s.pluginContext(id)).override(
                        theCase.id, status: input.status, pathway: input.pathway, identifiedBy: input.identifiedBy, user: caller.user.id,
                        role: caller.role, reason: input.reason, actor: caller.actor)))
                }
            },
        ]
    }

    public var pages: [PageRoute] {
        [
            PageRoute(.get, "/ui/cases/new") { _, _, _, page in .page(newCaseForm(page)) },
            PageRoute(.post, "/ui/cases/new") { _, context, s, page in try await newCase(context, s, page) },
        ]
    }

    // MARK: The new-case form

    struct NewCaseForm: Sendable {
        struct Option: Sendable { var field, value, label: String }
        struct Group: Sendable { var title: String; var options: [Option] }
        var csrf: String
        var today: String
        var groups: [Group]
        var entries: [Option]
        var identifiedBy: [Option]
        var fields: [FactField]
    }

    /// The person, the screening's lists and choices from the vocabulary with their labels, and the
    /// other facts the screening form collects.
    func newCaseForm(_ page: PageRequest) -> Page {
        let vocabulary = page.vocabulary
        func options(_ fact: String) -> [NewCaseForm.Option] {
            (vocabulary.fact(fact)?.values ?? []).map { .init(field: fact, value: $0, label: vocabulary.label(value: $0, of: fact, in: page.language)) }
        }
        return Page("new-case", title: "new_case", model: NewCaseForm(
            csrf: page.csrf, today: Timestamp.now.day.description,
            groups: ["acts", "means", "exploitation", "ilo_indicators"].map { .init(title: vocabulary.label(fact: $0, in: page.language), options: options($0)) },
            entries: [.init(field: "entry", value: "", label: page.label("unknown"))] + options("entry"),
            identifiedBy: options("identified_by"),
            fields: FactsForm(vocabulary: vocabulary, form: "screening", language: page.language).fields([:], labels: page.labels)))
    }

    /// Registers the person, opens the case in the caller's first jurisdiction and records the screening
    /// (its decision shown on the case page).
    func newCase(_ context: APIContext, _ s: APIServices, _ page: PageRequest) async throws -> PageAnswer {
        let caller = page.caller
        guard let jurisdiction = caller.user.jurisdictions.first else { throw AccessDenied(reason: "the user has no jurisdiction") }
        try await s.authorize(context, .writeCase, jurisdiction, subject: "case:new")
        let form = page.form
        var missing: [FieldError] = []
        if form["given_names"] == nil { missing.append(FieldError(field: "given_names", message: "is required: enter a text")) }
        let date = form["date"].flatMap(CalendarDate.init)
        if date == nil { missing.append(FieldError(field: "date", message: "must be a date")) }
        let facts = try FactsForm(vocabulary: page.vocabulary, form: "screening", language: page.language).facts(from: form)
            .filter { $0.value != .null }
        guard let date, let given = form["given_names"], missing.isEmpty else { throw ValidationFailure(errors: missing) }
        let person = Person(personal: PersonalData(givenNames: given, familyName: form["family_name"],
                                                   dateOfBirth: form["date_of_birth"].flatMap(CalendarDate.init),
                                                   citizenship: form["citizenship"].map { [$0.uppercased()] } ?? []))
        let theCase = Case(jurisdiction: jurisdiction, ownerOrganisation: caller.user.organisation, assignedWorker: caller.user.id,
                           person: person.id, opened: date)
        let screening = Screening(caseID: theCase.id, interviewer: caller.user.id, date: date,
                                  acts: form.all("acts"), means: form.all("means"), exploitation: form.all("exploitation"),
                                  iloIndicators: form.all("ilo_indicators"), migration: MigrationFacts(entry: form["entry"]))
        let identifiedBy = form["identified_by"].flatMap(IdentifiedBy.init(rawValue:)) ?? .mdt
        try await s.withAudit(caller, .create, ["person:\(person.id)", "case:\(theCase.id)"], jurisdiction, context) {
            try await Identification(s.pluginContext(id)).intake(person, theCase, screening, facts: facts, identifiedBy: identifiedBy,
                                                                 actor: caller.actor)
        }
        return .redirect("/ui/cases/\(theCase.id)")
    }

    // MARK: The case page

    struct Section: Sendable {
        struct Row: Sendable { var date, acts, means, exploitation, ilo, entry: String }
        var screenings: [Row]
        var hasScreenings: Bool
    }

    public func caseSection(_ theCase: Case, _ page: PageRequest) async throws -> Page? {
        let vocabulary = page.vocabulary
        func list(_ values: [String], _ fact: String) -> String {
            values.isEmpty ? "—" : values.map { vocabulary.label(value: $0, of: fact, in: page.language) }.joined(separator: ", ")
        }
        let rows = try await page.services.pluginContext(id).records.list(Screening.self, key: .caseID(theCase.id)).map(\.value)
            .sorted { ($0.date, $0.id) > ($1.date, $1.id) }
            .map { s in
                Section.Row(date: s.date.description, acts: list(s.acts, "acts"), means: list(s.means, "means"),
                            exploitation: list(s.exploitation, "exploitation"), ilo: list(s.iloIndicators, "ilo_indicators"),
                            entry: s.migration.entry.map { vocabulary.label(value: $0, of: "entry", in: page.language) } ?? "—")
            }
        return Page("screenings-section", title: "screenings", model: Section(screenings: rows, hasScreenings: !rows.isEmpty))
    }
}
