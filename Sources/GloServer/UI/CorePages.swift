import GloHTTP
import GloKit
import Hummingbird

/// The core's pages: the dashboard, the cases, a case with its decisions, facts and timeline (and the
/// enabled plugins' sections), the packs, the plugins, the dead letters, the language. Each in its
/// own file; this is their table.
struct CorePages {
    let plugins: [any PluginHTTP]
    let ui: WebUI

    var routes: [PageRoute] {
        [
            PageRoute(.get, "/ui") { _, c, s, page in .page(try await dashboard(c, s, page)) },
            PageRoute(.get, "/ui/dashboard") { _, c, s, page in .page(try await dashboard(c, s, page)) },
            PageRoute(.get, "/ui/cases") { r, c, s, page in .page(try await cases(r, c, s, page)) },
            PageRoute(.get, "/ui/cases/{id}") { _, c, s, page in .page(try await casePage(c, s, page)) },
            PageRoute(.post, "/ui/cases/{id}/facts") { _, c, s, page in try await recordFacts(c, s, page) },
            PageRoute(.get, "/ui/packs") { _, c, s, page in .page(try await packs(c, s, page, notice: nil)) },
            PageRoute(.post, "/ui/packs/reload") { _, c, s, page in try await reload(c, s, page) },
            PageRoute(.get, "/ui/plugins") { _, c, s, page in .page(try await pluginsPage(c, s, page)) },
            PageRoute(.get, "/ui/dead-letters") { _, c, s, page in .page(try await deadLetters(c, s, page)) },
            PageRoute(.get, "/ui/federation") { _, c, s, page in .page(try await federationPage(c, s, page)) },
            PageRoute(.post, "/ui/dead-letters/retry") { _, c, s, page in
                try await s.authorize(c, .administer, nil, subject: "dead-letters")
                if let id = page.form["id"] { _ = try await s.host.retry(deadLetter: id) }
                return .redirect("/ui/dead-letters")
            },
            PageRoute(.post, "/ui/language") { _, _, s, page in
                let language = ui.language(page.form["lang"])
                try await s.users.setLanguage(page.caller.user.id, language)
                return .redirect("/ui")
            },
        ]
    }
}
