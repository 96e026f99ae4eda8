//! Issue 16, « work faster »: the case list's count and page numbers, its saved filters and its
//! bulk actions, over HTTP on a real server (both engines: `RECOUVRE_TEST_POSTGRES`).

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_store::cases::{CaseCount, CaseFilter, OfficerFilter};
use recouvre_testkit::{hidden_value, TestApp, TestDb};

const PASSWORD: &str = "correct horse battery staple";

async fn app_with(cases: usize) -> (TestApp, i64, i64) {
    let db = TestDb::new().await;
    let agent = db.user("agent", Role::Officer, PASSWORD).await;
    let other = db.user("mlefort", Role::Officer, PASSWORD).await;
    db.user("chef", Role::TeamLead, PASSWORD).await;
    db.user("conformite", Role::Compliance, PASSWORD).await;
    db.seed(cases, &["agent"]).await;
    (TestApp::spawn_on(db).await, agent, other)
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The case links of the list's table, in order.
fn listed(html: &str) -> Vec<String> {
    let table = html.split("id=\"case-list\"").nth(1).unwrap_or_default().split("</table>").next().unwrap();
    table.split("<a href=\"/dossiers/").skip(1).map(|piece| piece.split('"').next().unwrap().to_string()).collect()
}

/// The ticked boxes' values (`id:version`) of the list's first `n` rows.
fn boxes(html: &str, n: usize) -> Vec<String> {
    html.split("name=\"case\" value=\"")
        .skip(1)
        .take(n)
        .map(|piece| piece.split('"').next().unwrap().to_string())
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&amp;", "&").replace("&#38;", "&").replace("&#x3d;", "=").replace("&#61;", "=")
}

#[tokio::test]
async fn the_case_list_counts_its_cases_and_numbers_its_pages() {
    let (app, _, _) = app_with(120).await;
    let client = app.login("agent", PASSWORD).await;

    let (status, first) = get(&app, &client, "/dossiers").await;
    assert_eq!(status, 200);
    assert!(first.contains("120 dossiers · page 1 sur 3"), "the count and the page: {first}");
    assert_eq!(listed(&first).len(), 50);
    assert!(first.contains("aria-label=\"Page 3\""), "a link to the last page");
    assert!(first.contains("aria-current=\"page\" class=\"current\">1<"), "the current page is marked");

    // Page 2 by its number (offset) and by « Page suivante » (cursor) are the same cases.
    let (_, by_number) = get(&app, &client, "/dossiers?page=2").await;
    let next = first.split("id=\"next-page\"").next().unwrap().rsplit("href=\"").next().unwrap().split('"').next();
    let next = unescape(next.unwrap());
    assert!(next.contains("after=") && next.contains("page=2"), "{next}");
    let (_, by_cursor) = get(&app, &client, &next).await;
    assert_eq!(listed(&by_number), listed(&by_cursor));
    assert!(by_cursor.contains("page 2 sur 3") && by_number.contains("page 2 sur 3"));
    let (_, last) = get(&app, &client, "/dossiers?page=3").await;
    assert_eq!(listed(&last).len(), 20);
    assert!(!last.contains("id=\"next-page\""), "no page after the last");
    let mut all: Vec<String> = [listed(&first), listed(&by_number), listed(&last)].concat();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 120, "three pages, every case once");

    // A filter counts its own matches; no match says so.
    let (_, none) = get(&app, &client, "/dossiers?q=CTX-9999999").await;
    assert!(none.contains("aucun dossier") && none.contains("id=\"no-results\""));

    // A page number that is not one, or past the pages reachable by number, names its field.
    for path in ["/dossiers?page=abc", "/dossiers?page=0", "/dossiers?page=500"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 400, "{path}");
        assert!(response.text().await.unwrap().contains("page"), "{path}");
    }

    // Sortable columns: the amount's header sorts by it, then the other way.
    let (_, by_total) = get(&app, &client, "/dossiers?sort=total_desc").await;
    assert!(by_total.contains("aria-sort=\"descending\"><a href=\"/dossiers?sort=total_asc\" id=\"sort-total\""));
    assert!(first.contains("aria-sort=\"none\"><a href=\"/dossiers?sort=total_desc\" id=\"sort-total\""));
}

#[tokio::test]
async fn the_count_stops_at_its_cap() {
    let db = TestDb::new().await;
    db.user("agent", Role::Officer, PASSWORD).await;
    db.seed(30, &["agent"]).await;
    let all = CaseFilter::default();
    let count = |filter: CaseFilter, cap| {
        let store = db.store.clone();
        async move { recouvre_store::cases::count_matching(&store, &filter, cap).await.unwrap() }
    };
    assert_eq!(count(all.clone(), 10).await, CaseCount { count: 10, more: true });
    assert_eq!(count(all.clone(), 30).await, CaseCount { count: 30, more: false });
    assert_eq!(count(all, 10_000).await, CaseCount { count: 30, more: false });
    let nobody = CaseFilter { officer: OfficerFilter::Unassigned, ..CaseFilter::default() };
    assert_eq!(count(nobody, 10).await, CaseCount { count: 0, more: false });
}

#[tokio::test]
async fn each_user_saves_names_and_deletes_their_own_filters() {
    let (app, _, _) = app_with(3).await;
    let agent = app.login("agent", PASSWORD).await;
    let (_, list) = get(&app, &agent, "/dossiers?officer=me&status=amicable").await;
    assert!(list.contains("Aucun filtre enregistré"));
    let csrf = hidden_value(&list, "csrf").unwrap();
    // The form carries the list's query; a page number or a stray parameter is not kept.
    let save = |client: reqwest::Client, name: &'static str, query: &'static str, csrf: String| {
        let url = app.url("/dossiers/filtres");
        async move {
            client.post(url).form(&[("csrf", csrf.as_str()), ("name", name), ("query", query)]).send().await.unwrap()
        }
    };
    let response =
        save(agent.clone(), "Mes relances du jour", "officer=me&status=amicable&page=2&x=1", csrf.clone()).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/dossiers?status=amicable&officer=me#mes-filtres");
    let (_, list) = get(&app, &agent, "/dossiers").await;
    let shown = unescape(&list);
    assert!(shown.contains("<a href=\"/dossiers?status=amicable&officer=me\">Mes relances du jour</a>"), "{list}");
    // The same name again: the new query replaces the old, no second entry.
    assert_eq!(save(agent.clone(), "Mes relances du jour", "officer=me", csrf.clone()).await.status(), 303);
    let (_, list) = get(&app, &agent, "/dossiers").await;
    assert_eq!(list.matches(">Mes relances du jour</a>").count(), 1);
    assert!(list.contains("<a href=\"/dossiers?officer=me\">Mes relances du jour</a>"));
    // A name is required; the token is checked.
    assert_eq!(save(agent.clone(), "  ", "officer=me", csrf.clone()).await.status(), 400);
    assert_eq!(save(agent.clone(), "x", "officer=me", "wrong".to_string()).await.status(), 403);

    let id: i64 = list.split("/dossiers/filtres/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
    // Another user sees none of them and cannot delete them.
    let other = app.login("mlefort", PASSWORD).await;
    let (_, theirs) = get(&app, &other, "/dossiers").await;
    assert!(!theirs.contains("Mes relances du jour"));
    let other_csrf = hidden_value(&theirs, "csrf").unwrap();
    let refused = other
        .post(app.url(&format!("/dossiers/filtres/{id}/supprimer")))
        .form(&[("csrf", other_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    // Its owner deletes it.
    let deleted = agent
        .post(app.url(&format!("/dossiers/filtres/{id}/supprimer")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 303);
    let (_, list) = get(&app, &agent, "/dossiers").await;
    assert!(!list.contains("Mes relances du jour</a>") && list.contains("Aucun filtre enregistré"));
}

async fn officer_of(app: &TestApp, case_id: i64) -> Option<i64> {
    recouvre_store::cases::detail(&app.db.store, case_id).await.unwrap().officer_id
}

#[tokio::test]
async fn bulk_actions_change_each_case_under_the_single_action_s_permission() {
    let (app, agent_id, other_id) = app_with(6).await;
    let lead = app.login("chef", PASSWORD).await;
    let (_, list) = get(&app, &lead, "/dossiers?sort=opened_asc").await;
    let csrf = hidden_value(&list, "csrf").unwrap();
    let ticked = boxes(&list, 3);
    assert_eq!(ticked.len(), 3, "the team lead has the boxes");
    let ids: Vec<i64> = ticked.iter().map(|value| value.split(':').next().unwrap().parse().unwrap()).collect();
    let post = |client: &reqwest::Client, fields: Vec<(&str, String)>| {
        let request = client.post(app.url("/dossiers/actions-groupees")).form(&fields);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let with_cases = |mut fields: Vec<(&'static str, String)>, values: &[String]| {
        fields.extend(values.iter().map(|value| ("case", value.clone())));
        fields
    };

    // An officer may not assign: refused as a whole, nothing changed.
    let officer = app.login("agent", PASSWORD).await;
    let (_, officer_list) = get(&app, &officer, "/dossiers").await;
    let officer_csrf = hidden_value(&officer_list, "csrf").unwrap();
    assert!(!officer_list.contains("value=\"assign\""), "the officer's bulk form offers no assignment");
    let fields = vec![("csrf", officer_csrf.clone()), ("action", "assign".into()), ("officer", other_id.to_string())];
    let (status, _) = post(&officer, with_cases(fields, &ticked)).await;
    assert_eq!(status, 403);
    for id in &ids {
        assert_eq!(officer_of(&app, *id).await, Some(agent_id), "case {id} untouched");
    }

    // The team lead assigns three cases; one of them was changed since the list was read.
    let stale_id = ids[2];
    let seen: i64 = ticked[2].split(':').nth(1).unwrap().parse().unwrap();
    recouvre_store::cases::add_note(&app.db.store, stale_id, seen, "system:test", "entre-temps", chrono::Utc::now())
        .await
        .unwrap();
    let fields = vec![("csrf", csrf.clone()), ("action", "assign".into()), ("officer", other_id.to_string())];
    let (status, page) = post(&lead, with_cases(fields, &ticked)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 dossiers traités, 1 refusé"), "{page}");
    assert!(page.contains(&format!("CTX-{stale_id:07}")), "the refused case is named");
    assert_eq!(officer_of(&app, ids[0]).await, Some(other_id));
    assert_eq!(officer_of(&app, ids[1]).await, Some(other_id));
    assert_eq!(officer_of(&app, stale_id).await, Some(agent_id), "the stale case is left as it was");
    for id in &ids[..2] {
        let events = recouvre_store::journal::events(&app.db.store, *id).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!((last.kind.as_str(), last.actor.as_str()), ("officer_assigned", "chef"), "case {id} journaled");
    }
    // An unknown officer refuses the request, not each case.
    let fields = vec![("csrf", csrf.clone()), ("action", "assign".into()), ("officer", "999999".into())];
    let (_, fresh) = get(&app, &lead, "/dossiers?sort=opened_asc").await;
    let (status, _) = post(&lead, with_cases(fields, &boxes(&fresh, 2))).await;
    assert_eq!(status, 400);

    // The officer tags cases (their permission): each gets it, journaled; a case that has it
    // already is left as it is.
    let (_, officer_list) = get(&app, &officer, "/dossiers?sort=opened_asc").await;
    let two = boxes(&officer_list, 2);
    let fields = vec![("csrf", officer_csrf.clone()), ("action", "tag".into()), ("tag", "relance J+8".into())];
    let (status, page) = post(&officer, with_cases(fields.clone(), &two)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 dossiers traités"), "{page}");
    for value in &two {
        let id: i64 = value.split(':').next().unwrap().parse().unwrap();
        let case = recouvre_store::cases::detail(&app.db.store, id).await.unwrap();
        assert!(case.tags.contains(&"relance J+8".to_string()), "case {id}: {:?}", case.tags);
        let events = recouvre_store::journal::events(&app.db.store, id).await.unwrap();
        assert_eq!(events.last().unwrap().kind.as_str(), "tags_changed");
    }
    // Nothing ticked, or no tag: a 400 naming the field.
    let (status, page) = post(&officer, fields.clone()).await;
    assert_eq!(status, 400, "{page}");
    let empty_tag = vec![("csrf", officer_csrf.clone()), ("action", "tag".into()), ("tag", " ".into())];
    let (status, _) = post(&officer, with_cases(empty_tag, &boxes(&officer_list, 1))).await;
    assert_eq!(status, 400);

    // Compliance reads cases but works none: no bulk form, and the server refuses a tag.
    let compliance = app.login("conformite", PASSWORD).await;
    let (_, compliance_list) = get(&app, &compliance, "/dossiers").await;
    assert!(!compliance_list.contains("id=\"bulk-form\""));
    let compliance_csrf = hidden_value(&compliance_list, "csrf").unwrap();
    let fields = vec![("csrf", compliance_csrf), ("action", "tag".into()), ("tag", "x".into())];
    let (status, _) = post(&compliance, with_cases(fields, &boxes(&officer_list, 1))).await;
    assert_eq!(status, 403);
}
