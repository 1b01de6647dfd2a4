import Foundation
import Testing
import TestScratch

@Suite("glo-host rules annotations: the editor's definitions")
struct RulesAnnotationsTests {
    @Test func annotationsGiveEveryFactAndOutcomeItsLiteralType() throws {
        let run = try glohost(["rules", "annotations", "--rules", shippedRules])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#"---@field entry "regular"|"irregular"|"unknown"|nil"#))
        #expect(run.stdout.contains(#"---@field acts ("recruitment"|"transportation"|"transfer"|"harbouring"|"receipt"|"sale"|"purchase")[]|nil"#))
        #expect(run.stdout.contains("---@field age integer|nil"))
        #expect(run.stdout.contains("---@class Ctx"))
        #expect(run.stdout.contains("---@class IdentificationPathwayResult"))
        #expect(run.stdout.contains(#"---@field outcome "victim"|"smuggled_migrant"|"irregular_migrant"|"vulnerable_migrant"|"not_applicable"|"undetermined""#))
        #expect(run.stdout.contains(#"---@field status "possible"|"actual"|nil"#))
        #expect(run.stdout.contains("function require(name) end"))
    }

    @Test func theCommittedAnnotationsAreCurrent() throws {
        let run = try glohost(["rules", "annotations", "--rules", shippedRules])
        let committed = read(shippedRules + "/.luals/glo-host.lua")
        #expect(run.stdout == committed,
                "Config/jurisdictions/.luals/glo-host.lua is not what the vocabulary and decisions.yaml give now: run `glo-host rules annotations --rules Config/jurisdictions --to Config/jurisdictions/.luals/glo-host.lua` and commit it")
    }

    @Test func annotationsFollowAVocabularyChange() throws {
        let rules = try temporaryRules(hostileWorld)
        let out = TestScratch.folder("glo-luals").path + "/defs/glo-host.lua"
        let run = try glohost(["rules", "annotations", "--rules", rules, "--to", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(read(out).contains(#"---@field mode "loop"|"bomb"|"escape"|"error"|nil"#))
    }
}
