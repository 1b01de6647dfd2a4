import Foundation
import GloRules
import Testing

/// The shipped labels (Config/labels/): a caseworker reads every fact, value, decision, outcome, result
/// field and status in her language, and nothing is labelled that does not exist.
@Suite("The shipped labels are complete in every language")
struct ShippedLabelsTests {
    static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/jurisdictions").path

    @Test("every decision, outcome, result field, declared value and status has a label in en, lo and th; none is unknown")
    func decisionsAndStatuses() throws {
        let set = try RuleEngine(directory: Self.rules, statesPerPack: 1).ruleSet
        let catalog = set.decisions
        // A pack may add outcomes to a decision (its pack.yaml): those need labels too.
        var outcomes: [String: Set<String>] = [:]
        for decision in catalog.decisions { outcomes[decision.name] = Set(decision.outcomes.map(\.name)) }
        for pack in set.packs { for (decision, more) in pack.manifest.outcomes { outcomes[decision, default: []].formUnion(more) } }
        let statuses: [String: Set<String>] = [
            "case_status": ["active", "follow_up", "closed", "closed_referred"],
            "trafficking_status": ["not_determined", "possible", "actual", "not_victim"],
        ]
        let languages = set.vocabulary.languages
        #expect(Set(languages.map(\.language)) == ["en", "lo", "th"])
        for labels in languages {
            let lang = labels.language
            for decision in catalog.decisions {
                let given = labels.decisions[decision.name]
                #expect(given?.label != nil, "\(lang): no label for the decision \(decision.name)")
                let outcomeLabels = Set(given.map { Array($0.outcomes.keys) } ?? [])
                let declared = outcomes[decision.name] ?? []
                #expect(declared.subtracting(outcomeLabels).isEmpty,
                        "\(lang): \(decision.name) outcomes without a label: \(declared.subtracting(outcomeLabels).sorted())")
                #expect(outcomeLabels.subtracting(declared).isEmpty, "\(lang): \(decision.name): labels of undeclared outcomes")
                let fields = Set(decision.fields.map(\.name))
                let fieldLabels = Set(given.map { Array($0.fields.keys) } ?? [])
                #expect(fields.subtracting(fieldLabels).isEmpty,
                        "\(lang): \(decision.name) fields without a label: \(fields.subtracting(fieldLabels).sorted())")
                #expect(fieldLabels.subtracting(fields).isEmpty, "\(lang): \(decision.name): labels of undeclared fields")
                for field in decision.fields {
                    let values = Set(field.values ?? [])
                    let labelled = Set(given?.values[field.name].map { Array($0.keys) } ?? [])
                    #expect(values.subtracting(labelled).isEmpty,
                            "\(lang): \(decision.name).\(field.name) values without a label: \(values.subtracting(labelled).sorted())")
                    #expect(labelled.subtracting(values).isEmpty, "\(lang): \(decision.name).\(field.name): labels of undeclared values")
                }
            }
            let unknown = Set(labels.decisions.keys).subtracting(catalog.decisions.map(\.name))
            #expect(unknown.isEmpty, "\(lang): labels of decisions that are not declared: \(unknown.sorted())")
            for (kind, values) in statuses {
                #expect(Set(labels.statuses[kind].map { Array($0.keys) } ?? []) == values, "\(lang): the \(kind) labels")
            }
            // The facts and their values too.
            for fact in set.vocabulary.facts {
                #expect(labels.facts[fact.name] != nil, "\(lang): no label for the fact \(fact.name)")
                for value in fact.values ?? [] {
                    #expect(labels.values[fact.name]?[value] != nil, "\(lang): no label for \(fact.name) = \(value)")
                }
            }
        }
    }
}
