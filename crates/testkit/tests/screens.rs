//! What every screen shows, read over HTTP on the demo's data (`recouvre_testkit::demo_app`):
//! French words and French dates only (issue 16), and menus built from the role.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_app::demo::DEMO_PASSWORD;
use recouvre_domain::vocabulary;
use recouvre_testkit::TestApp;

/// The visible text of an HTML page, one line per element boundary: tags (with their attributes,
/// so input values and links), comments, scripts and styles are dropped; the few entities the
/// templates produce are decoded.
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let after = &rest[start..];
        let end_of = |closing: &str| after.find(closing).map_or(after.len(), |at| at + closing.len());
        let skip = if after.starts_with("<!--") {
            end_of("-->")
        } else if after.starts_with("<script") {
            end_of("</script>")
        } else if after.starts_with("<style") {
            end_of("</style>")
        } else if after.starts_with("<code") {
            // Text marked as code is machine text on purpose (a fingerprint, a template field,
            // the API code an operating procedure names for developers).
            end_of("</code>")
        } else {
            end_of(">")
        };
        text.push('\n');
        rest = &after[skip..];
    }
    text.push_str(rest);
    text.replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
}

/// The ISO dates (`2026-12-04`) in a text.
fn iso_dates(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-dd";
    let mut found = Vec::new();
    for start in 0..bytes.len().saturating_sub(shape.len() - 1) {
        let window = &bytes[start..start + shape.len()];
        let matches = window.iter().zip(shape).all(|(byte, want)| match want {
            b'd' => byte.is_ascii_digit(),
            other => byte == other,
        });
        let bounded = |at: Option<&u8>| at.is_none_or(|byte| !byte.is_ascii_digit());
        // A command to type (« recouvre batch --as-of 2026-11-30 ») takes the machine's form.
        let in_command = bytes[..start].ends_with(b"--as-of ");
        if matches
            && !in_command
            && bounded(start.checked_sub(1).and_then(|at| bytes.get(at)))
            && bounded(bytes.get(start + 10))
        {
            found.push(String::from_utf8_lossy(window).into_owned());
        }
    }
    found
}

/// Codes that are also French words (« une somme due », « une action », « le délai court »): they
/// are looked for as a whole cell or line only, not inside sentences.
const FRENCH_WORDS: [&str; 6] = ["due", "action", "court", "active", "sent", "agences"];

/// The vocabulary's codes a page shows as text: a code of letters and underscores standing as a
/// word of its own (not inside an e-mail address or a longer identifier), or a French-looking
/// code alone on its line.
fn raw_codes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let codes = vocabulary::all_codes();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        for code in &codes {
            if FRENCH_WORDS.contains(code) {
                let bare = line.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
                if bare == *code {
                    found.push(format!("« {code} » in « {line} »"));
                }
                continue;
            }
            let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '@' || c == '.' || c == '-';
            let mut from = 0;
            while let Some(at) = line[from..].find(code) {
                let start = from + at;
                let end = start + code.len();
                let before = line[..start].chars().next_back();
                let after = line[end..].chars().next();
                if !before.is_some_and(is_word) && !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    found.push(format!("« {code} » in « {line} »"));
                    break;
                }
                from = end;
            }
        }
    }
    found
}

/// The addresses of a page's links that lead to another screen of the application (not the API,
/// files, anchors or downloads).
fn screen_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for piece in html.split("href=\"").skip(1) {
        let Some(href) = piece.split('"').next() else { continue };
        let href = href.replace("&amp;", "&");
        let is_screen = href.starts_with('/')
            && !href.starts_with("/api")
            && !href.starts_with("/static")
            && !href.starts_with("/documents/")
            && !href.contains(".pdf")
            && !href.contains(".csv")
            && !href.contains(".xlsx")
            && !href.contains("/courriers/apercu");
        if is_screen && !links.contains(&href) {
            links.push(href.split('#').next().unwrap_or_default().to_string());
        }
    }
    links
}

/// Reads `path` as `client`, expecting 200, and returns its HTML.
async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.unwrap_or_else(|error| panic!("GET {path}: {error}"));
    let status = response.status();
    let html = response.text().await.expect("the page");
    assert_eq!(status, 200, "GET {path}: {html}");
    html
}

/// Issue 16: an officer's and a team lead's screens on the demo's data — the lists, the first
/// cases, the agenda, the directory and a third party, the department requests, the team, the
/// approvals, the steering pages — show no ISO date outside an input and none of the vocabulary's
/// codes as text.
#[tokio::test]
async fn screens_show_no_raw_code_nor_iso_date() {
    let app = recouvre_testkit::demo_app(60).await;
    // Two plans, so that statuses show: one within the officer's delegation (in force, with its
    // instalments), one of 30 months above it (waiting for the team lead's approval).
    let officer = app.login("camille", DEMO_PASSWORD).await;
    let today = recouvre_testkit::today().to_string();
    for (case_id, monthly, months) in [(1, "200.00", "12"), (2, "650.00", "30")] {
        let html = page(&app, &officer, &format!("/dossiers/{case_id}")).await;
        let hidden = |name| recouvre_testkit::hidden_value(&html, name).expect("a hidden field");
        let form = [
            ("csrf", hidden("csrf")),
            ("version", hidden("version")),
            ("monthly", monthly.to_string()),
            ("first_due", today.clone()),
            ("months", months.to_string()),
        ];
        let response =
            officer.post(app.url(&format!("/dossiers/{case_id}/echeancier"))).form(&form).send().await.expect("post");
        let status = response.status();
        assert_eq!(status, 303, "plan on case {case_id}: {}", response.text().await.unwrap_or_default());
    }
    let mut problems = Vec::new();
    let officer_pages = [
        "/dossiers",
        "/dossiers?officer=me",
        "/dossiers/1",
        "/dossiers/2",
        "/dossiers/3",
        "/dossiers/4",
        "/dossiers/5",
        "/agenda",
        "/instance",
        "/tiers",
        "/tiers/1",
        "/services",
        "/procedures",
        "/procedures/amicable",
        "/calculettes",
    ];
    let lead_pages = ["/equipe", "/approbations", "/pilotage", "/cockpit", "/comites", "/controles"];
    for (login, paths) in [("camille", &officer_pages[..]), ("sophie", &lead_pages[..])] {
        let client = app.login(login, DEMO_PASSWORD).await;
        for path in paths {
            let text = visible_text(&page(&app, &client, path).await);
            for line in text.lines().map(str::trim) {
                for date in iso_dates(line) {
                    problems.push(format!("{login} {path}: ISO date {date} in « {line} »"));
                }
            }
            for code in raw_codes(&text) {
                problems.push(format!("{login} {path}: raw code {code}"));
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));

    // Cases by their reference, people by their name, procedure steps by name and date.
    let lead = app.login("sophie", DEMO_PASSWORD).await;
    let approvals = visible_text(&page(&app, &lead, "/approbations").await);
    assert!(approvals.contains("CTX-0000002") && !approvals.contains("Dossier n°"), "{approvals}");
    assert!(approvals.contains("Camille Martin"), "the requester by name: {approvals}");
    let case = visible_text(&page(&app, &officer, "/dossiers/1").await);
    assert!(case.contains("par Camille Martin") && !case.contains("par camille"), "{case}");
    assert!(case.contains("Recouvre (traitement automatique)"), "the seed's events: {case}");
    assert!(case.contains("Envoyer la mise en demeure, le "), "the step's name and date: {case}");
    assert!(case.contains("Échéancier") && case.contains("en cours") && case.contains("à payer"), "{case}");
}

#[test]
fn the_page_checks_find_what_they_look_for() {
    let html = r#"<td>2026-12-04</td><input type="date" value="2026-12-04"><td>due</td>
        <p>Échéancier active, somme due au 04/12/2026 (agency) procedure_step — a.agency@x.fr</p>"#;
    let text = visible_text(html);
    assert_eq!(iso_dates(&text), vec!["2026-12-04".to_string()], "the input's value is not text");
    let codes = raw_codes(&text);
    assert_eq!(codes.len(), 3, "{codes:?}");
    assert!(codes.iter().any(|code| code.starts_with("« due »")));
    assert!(codes.iter().any(|code| code.starts_with("« agency »")));
    assert!(codes.iter().any(|code| code.starts_with("« procedure_step »")));
    assert_eq!(
        screen_links(r#"<a href="/dossiers?a=1&amp;b=2">x</a><a href="/api/docs/">y</a>"#),
        ["/dossiers?a=1&b=2"]
    );
}

/// The store validates codes against its own lists; the screens label them from the vocabulary.
/// Both must know the same codes, with the same words.
#[test]
fn the_vocabulary_labels_every_code_the_store_accepts() {
    use recouvre_domain::vocabulary::{lookup, Family};
    use recouvre_store::team::{DEPARTMENTS, REQUEST_KINDS, THIRD_PARTY_KINDS};
    for (family, list) in [
        (Family::Department, &DEPARTMENTS[..]),
        (Family::RequestKind, &REQUEST_KINDS[..]),
        (Family::ThirdPartyKind, &THIRD_PARTY_KINDS[..]),
    ] {
        for (code, label) in list {
            assert_eq!(lookup(family, code), Some(*label), "{family:?} {code}");
        }
    }
}

/// The links of a page's main menu.
fn menu_links(html: &str) -> Vec<String> {
    let menu = html
        .split("aria-label=\"Navigation principale\"")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .expect("the page has its main menu");
    menu.split("href=\"")
        .skip(1)
        .filter_map(|piece| piece.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

/// Issue 16: menus from the role. For each of the demo's roles, every link of the menu opens
/// (200), and so does a link of each kind on those pages: no link to a page the role cannot
/// open. And each role's menu leads to its work.
#[tokio::test]
async fn every_menu_link_opens_for_every_role() {
    let app = recouvre_testkit::demo_app(40).await;
    let mut refused = Vec::new();
    for (login, _, role, _) in recouvre_app::demo::DEMO_USERS {
        let client = app.login(login, DEMO_PASSWORD).await;
        let home = client.get(app.url("/")).send().await.expect("GET /");
        let landing = home.headers().get("location").and_then(|value| value.to_str().ok()).unwrap_or("/").to_string();
        let links = menu_links(&page(&app, &client, &landing).await);
        assert!(!links.is_empty(), "{login} has a menu");
        // Every menu page, then one link of each shape on it (`/dossiers/N`, `/tiers/N`…).
        let mut shapes = Vec::new();
        for link in &links {
            let response = client.get(app.url(link)).send().await.expect("follow the link");
            let status = response.status();
            if status != 200 {
                refused.push(format!("{login} ({}) → {link}: {status}", role.code()));
                continue;
            }
            let html = response.text().await.expect("the page");
            let body = html.split("<main").nth(1).unwrap_or_default();
            for inner in screen_links(body) {
                let shape: String =
                    inner.split('?').next().unwrap_or_default().replace(|c: char| c.is_ascii_digit(), "N");
                if shapes.contains(&shape) {
                    continue;
                }
                shapes.push(shape);
                let status = client.get(app.url(&inner)).send().await.expect("follow the link").status();
                if status != 200 {
                    refused.push(format!("{login} ({}) → {link} → {inner}: {status}", role.code()));
                }
            }
        }
        let expected: &[&str] = match role {
            recouvre_domain::authority::Role::Officer => &["/dossiers", "/agenda", "/approbations"],
            recouvre_domain::authority::Role::TeamLead => &["/equipe", "/cockpit", "/approbations"],
            recouvre_domain::authority::Role::Compliance => &["/conformite", "/dossiers"],
            recouvre_domain::authority::Role::AccountingControl => &["/controles", "/pilotage"],
            recouvre_domain::authority::Role::CommitteeViewer => &["/comites"],
            recouvre_domain::authority::Role::Administrator => &["/admin/reference"],
        };
        for path in expected {
            assert!(links.iter().any(|link| link == path), "{login}'s menu leads to {path}: {links:?}");
        }
    }
    assert!(refused.is_empty(), "links a role cannot open:\n{}", refused.join("\n"));
}

/// The `id="…"` values of a page.
fn ids(html: &str) -> Vec<String> {
    html.split(" id=\"").skip(1).filter_map(|piece| piece.split('"').next()).map(str::to_string).collect()
}

/// The part of a page between `start` (included) and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("`{start}` on the page"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The kind labels (« Étape de procédure », « Note »…) of a page's timeline, newest first.
fn timeline_labels(html: &str) -> Vec<String> {
    between(html, "id=\"timeline\"", "</ol>")
        .split("<span class=\"what\">")
        .skip(1)
        .filter_map(|piece| piece.split('<').next())
        .map(|label| label.replace("&#39;", "'"))
        .collect()
}

/// Issue 16, the case page as a workspace: its header says who (linked to the debtor's file), how
/// much, the status, the next deadline and the recommended action; the sections' bar leads to
/// panels present on the page; the timeline's filters keep one family of events, the active one
/// marked, without JavaScript.
#[tokio::test]
async fn the_case_page_header_sections_and_timeline_filters() {
    use recouvre_domain::journal::EventKind;
    let app = recouvre_testkit::demo_app(40).await;
    let officer = app.login("camille", DEMO_PASSWORD).await;
    let html = page(&app, &officer, "/dossiers/1").await;
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.expect("the case");

    // The header: who, how much, status, next deadline, next action.
    let header = between(&html, "id=\"case-header\"", "</section>");
    assert!(
        header.contains(&format!("href=\"/debiteurs/{}\" id=\"debtor-name\"", case.debtor.customer_number)),
        "the debtor's name links to their file: {header}"
    );
    let balance = between(header, "id=\"header-balance\"", "</dd>");
    assert!(balance.ends_with(&case.breakdown.total().to_french()), "the balance in French: {balance}");
    assert!(header.contains(case.status.label()), "the status in French: {header}");
    let deadline = visible_text(between(header, "id=\"header-deadline\"", "</dd>"));
    assert!(deadline.contains('/') && deadline.contains(" — "), "a French date and its label: {deadline}");
    let action = visible_text(between(header, "id=\"header-action\"", "</dd>"));
    assert!(action.trim().len() > 3, "a recommended action: {action}");
    assert!(iso_dates(&visible_text(header)).is_empty(), "{header}");

    // The sections' bar: every link goes to an element of the page; every form is still there.
    let nav = between(&html, "aria-label=\"Sections du dossier\"", "</nav>");
    let page_ids = ids(&html);
    let targets: Vec<&str> = nav.split("href=\"#").skip(1).filter_map(|piece| piece.split('"').next()).collect();
    assert_eq!(targets.len(), 10, "ten sections: {nav}");
    for target in &targets {
        assert!(page_ids.iter().any(|id| id == target), "#{target} is on the page");
    }
    for id in ["plan-monthly", "plan-months", "step-form", "note-body", "courrier-modele", "courrier-valider"] {
        assert!(page_ids.iter().any(|found| found == id), "#{id} is still on the page");
    }
    for id in ["contact-form", "piece-form", "debtor-file-link", "timeline", "payment-form", "write-off-form"] {
        assert!(page_ids.iter().any(|found| found == id), "#{id} is still on the page");
    }

    // A note (a contact-family event), then the filters.
    let hidden = |name| recouvre_testkit::hidden_value(&html, name).expect("a hidden field");
    let form = [("csrf", hidden("csrf")), ("version", hidden("version")), ("body", "Appel du débiteur".to_string())];
    let response = officer.post(app.url("/dossiers/1/notes")).form(&form).send().await.expect("post the note");
    assert_eq!(response.status(), 303);
    let all = timeline_labels(&page(&app, &officer, "/dossiers/1").await);
    let step = EventKind::ProcedureStep.label();
    let note = EventKind::NoteAdded.label();
    let opened = EventKind::CaseOpened.label();
    assert!(all.iter().any(|label| label == step) && all.iter().any(|label| label == note), "{all:?}");
    assert!(all.iter().any(|label| label == opened), "{all:?}");

    let procedures = page(&app, &officer, "/dossiers/1?historique=procedures").await;
    let kept = timeline_labels(&procedures);
    assert!(kept.iter().any(|label| label == step), "{kept:?}");
    assert!(!kept.iter().any(|label| label == note || label == opened), "only procedures: {kept:?}");
    assert!(kept.len() < all.len());
    let filters = between(&procedures, "id=\"timeline-filters\"", "</nav>");
    assert!(
        filters.contains("href=\"/dossiers/1?historique=procedures#journal\" aria-current=\"true\">Procédures<"),
        "the active filter is marked: {filters}"
    );
    assert_eq!(filters.matches("aria-current").count(), 1, "{filters}");

    let contacts = timeline_labels(&page(&app, &officer, "/dossiers/1?historique=contacts").await);
    assert_eq!(contacts.first().map(String::as_str), Some(note), "{contacts:?}");
    assert!(!contacts.iter().any(|label| label == step || label == opened), "only contacts: {contacts:?}");
    let money = timeline_labels(&page(&app, &officer, "/dossiers/1?historique=argent").await);
    assert!(!money.iter().any(|label| label == step || label == note || label == opened), "{money:?}");
    // An unknown family shows everything, like « Tout ».
    let unknown = timeline_labels(&page(&app, &officer, "/dossiers/1?historique=autre").await);
    assert_eq!(unknown, all);
}
