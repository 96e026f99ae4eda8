//! The team around the cases (issue 4, items 7 to 10), on the engine under test: distribution
//! of incoming cases (round robin, balanced, specialties), absence cover, requests to other
//! departments, the third-party directory and the operating procedures.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use recouvre_domain::authority::Role;
use recouvre_store::sql;
use recouvre_testkit::{hidden_value, today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

/// Imports `count` unassigned cases (debtors C1…, 1 000 € each); returns nothing: case ids are 1…count.
async fn import_cases(app: &TestApp, count: usize) {
    let due = today() - Duration::days(60);
    let mut file = HEADER.to_string();
    for n in 1..=count {
        file.push_str(&format!(
            "\nC{n};Durand{n};Marie;{n} rue Neuve;69003;Lyon;personal_loan;PP-{n};1000.00;{due};1500\n"
        ));
    }
    recouvre_store::imports::import_accounts_csv(&app.db.store, "team.csv", &file, "system:test", Utc::now())
        .await
        .expect("import");
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn officer_of(app: &TestApp, case_id: i64) -> Option<String> {
    sql::query_scalar::<Option<String>>(
        "SELECT u.login FROM cases c LEFT JOIN users u ON u.id = c.officer_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(&app.db.store)
    .await
    .unwrap()
}

async fn version_of(app: &TestApp, case_id: i64) -> i64 {
    recouvre_store::cases::detail(&app.db.store, case_id).await.unwrap().version
}

/// An error body of the contract: (status, code, field).
fn refusal(status: StatusCode, body: &Value) -> (StatusCode, &str, Option<&str>) {
    (status, body["code"].as_str().unwrap_or("?"), body["field"].as_str())
}

async fn event_kinds(app: &TestApp, case_id: i64) -> Vec<(String, Value)> {
    recouvre_store::journal::events(&app.db.store, case_id)
        .await
        .unwrap()
        .into_iter()
        .map(|event| (event.kind.clone(), event.full_payload()))
        .collect()
}

#[tokio::test]
async fn round_robin_shares_the_queue_in_turn_and_journals_each_assignment() {
    let app = TestApp::spawn().await;
    let lead = app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    let officer = app.db.user("alice", Role::Officer, PASSWORD).await;
    app.db.user("bruno", Role::Officer, PASSWORD).await;
    app.db.user("chloe", Role::Officer, PASSWORD).await;
    let (lead_token, officer_token) = (app.db.token(lead).await, app.db.token(officer).await);
    import_cases(&app, 6).await;

    let (status, queue) = send(client().get(app.url("/api/v1/team/unassigned")).bearer_auth(&lead_token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue.as_array().unwrap().len(), 6, "{queue}");

    // Officers do not distribute.
    let (status, _) = send(
        client()
            .post(app.url("/api/v1/team/distribute"))
            .bearer_auth(&officer_token)
            .json(&json!({"method": "round_robin"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(
        client().post(app.url("/api/v1/team/distribute")).bearer_auth(&lead_token).json(&json!({"method": "random"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, run) = send(
        client()
            .post(app.url("/api/v1/team/distribute"))
            .bearer_auth(&lead_token)
            .json(&json!({"method": "round_robin"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["assigned"].as_array().unwrap().len(), 6, "{run}");
    assert_eq!(run["remaining"], 0);
    let mut officers = Vec::new();
    for case_id in 1..=6 {
        officers.push(officer_of(&app, case_id).await.expect("assigned"));
    }
    assert_eq!(officers, ["alice", "bruno", "chloe", "alice", "bruno", "chloe"]);
    let events = event_kinds(&app, 2).await;
    let (kind, payload) = events.last().unwrap();
    assert_eq!(kind, "case_assigned");
    assert_eq!(payload["officer"], "bruno");
    assert_eq!(payload["method"], "round_robin");
    assert!(payload["reason"].as_str().unwrap().contains("tour de rôle"), "{payload}");
    assert!(recouvre_store::journal::verify_all(&app.db.store).await.unwrap().first_break.is_none());

    // The turn goes on after the last officer served.
    import_cases_more(&app, 7).await;
    let (status, _) = send(
        client()
            .post(app.url("/api/v1/team/distribute"))
            .bearer_auth(&lead_token)
            .json(&json!({"method": "round_robin"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(officer_of(&app, 7).await.as_deref(), Some("alice"));

    // The team view counts the backlog.
    let (status, overview) = send(client().get(app.url("/api/v1/team/overview")).bearer_auth(&lead_token)).await;
    assert_eq!(status, StatusCode::OK);
    let alice = overview["officers"].as_array().unwrap().iter().find(|o| o["login"] == "alice").unwrap();
    assert_eq!(alice["open_cases"], 3);
    assert_eq!(alice["open_amount"], "3000.00");
    assert_eq!(overview["unassigned"], 0);
}

/// One more case with debtor `C{n}`, imported in its own file.
async fn import_cases_more(app: &TestApp, n: usize) {
    let due = today() - Duration::days(60);
    let file =
        format!("{HEADER}\nC{n};Durand{n};Marie;{n} rue Neuve;69003;Lyon;personal_loan;PP-{n};1000.00;{due};1500\n");
    recouvre_store::imports::import_accounts_csv(
        &app.db.store,
        &format!("more-{n}.csv"),
        &file,
        "system:test",
        Utc::now(),
    )
    .await
    .expect("import");
}

#[tokio::test]
async fn balanced_distribution_feeds_the_lightest_officer_and_specialties_come_first() {
    let app = TestApp::spawn().await;
    let lead = app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    let alice = app.db.user("alice", Role::Officer, PASSWORD).await;
    app.db.user("bruno", Role::Officer, PASSWORD).await;
    app.db.user("chloe", Role::Officer, PASSWORD).await;
    let lead_token = app.db.token(lead).await;
    import_cases(&app, 8).await;
    // Alice already has three open cases; Chloé handles estates, with two open cases.
    {
        sql::query("UPDATE cases SET officer_id = $1 WHERE id IN (1, 2, 3)")
            .bind(alice)
            .execute(&app.db.store)
            .await
            .unwrap();
        sql::query("UPDATE cases SET officer_id = (SELECT id FROM users WHERE login = 'chloe') WHERE id IN (4, 5)")
            .execute(&app.db.store)
            .await
            .unwrap();
        sql::query("UPDATE persons SET deceased_on = $1 WHERE customer_number = 'C8'")
            .bind(today() - Duration::days(30))
            .execute(&app.db.store)
            .await
            .unwrap();
    };
    let (status, body) = send(
        client()
            .put(app.url("/api/v1/team/officers/chloe/specialties"))
            .bearer_auth(&lead_token)
            .json(&json!({"specialties": ["estates"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = send(
        client()
            .put(app.url("/api/v1/team/officers/chloe/specialties"))
            .bearer_auth(&lead_token)
            .json(&json!({"specialties": ["astrology"]})),
    )
    .await;
    // An unknown specialty is bad input, not a refusal by the state of things.
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "unknown_code", Some("specialties")));

    let (status, run) = send(
        client().post(app.url("/api/v1/team/distribute")).bearer_auth(&lead_token).json(&json!({"method": "balanced"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["assigned"].as_array().unwrap().len(), 3, "{run}");
    // Cases 6 and 7 go to Bruno (0 then 1 open case), the deceased debtor's case 8 to Chloé.
    assert_eq!(officer_of(&app, 6).await.as_deref(), Some("bruno"));
    assert_eq!(officer_of(&app, 7).await.as_deref(), Some("bruno"));
    assert_eq!(officer_of(&app, 8).await.as_deref(), Some("chloe"));
    let (_, payload) = event_kinds(&app, 8).await.pop().unwrap();
    assert_eq!(payload["method"], "balanced");
    assert!(payload["reason"].as_str().unwrap().contains("décédé"), "{payload}");
}

#[tokio::test]
async fn absence_cover_hands_the_agenda_to_a_colleague() {
    let app = TestApp::spawn().await;
    let lead = app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    let alice = app.db.user("alice", Role::Officer, PASSWORD).await;
    app.db.user("bruno", Role::Officer, PASSWORD).await;
    let lead_token = app.db.token(lead).await;
    let officer_token = app.db.token(alice).await;
    let (start, end) = (today(), today() + Duration::days(3));
    let absence = |officer: &str, cover: &str, starts_on, ends_on| {
        client()
            .post(app.url("/api/v1/team/absences"))
            .bearer_auth(&lead_token)
            .json(&json!({"officer": officer, "cover": cover, "starts_on": starts_on, "ends_on": ends_on}))
    };
    // Bad input is a 400 naming the field at fault.
    let (status, body) = send(absence("alice", "alice", start, end)).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "same_officer", Some("cover")));
    assert!(body["error"].as_str().unwrap().contains("lui-même"), "{body}");
    let (status, body) = send(absence("alice", "bruno", end, start)).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "invalid_period", Some("ends_on")));
    let (status, body) = send(absence("alice", "nobody", start, end)).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "unknown_officer", Some("cover")));
    let (status, body) = send(absence("nobody", "bruno", start, end)).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "unknown_officer", Some("officer")));
    let (status, body) = send(absence("alice", "bruno", start, start + Duration::days(365 * 50))).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "date_out_of_range", Some("ends_on")));
    let (status, _) = send(
        client()
            .post(app.url("/api/v1/team/absences"))
            .bearer_auth(&officer_token)
            .json(&json!({"officer": "alice", "cover": "bruno", "starts_on": start, "ends_on": end})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = send(absence("alice", "bruno", start, end)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let store = &app.db.store;
    assert_eq!(recouvre_store::team::covered_officers(store, "bruno", today()).await.unwrap(), vec![alice]);
    assert_eq!(recouvre_store::team::covered_officers(store, "bruno", end).await.unwrap(), vec![alice]);
    assert!(recouvre_store::team::covered_officers(store, "bruno", end + Duration::days(1)).await.unwrap().is_empty());
    assert!(recouvre_store::team::covered_officers(store, "alice", today()).await.unwrap().is_empty());
    // Bruno, covering, cannot be absent and covered by Alice over the same days: refused by
    // the state of the team (409), not by the input.
    let (status, body) = send(absence("bruno", "alice", start, start)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // An absent officer receives no new case.
    import_cases(&app, 2).await;
    let (status, run) = send(
        client().post(app.url("/api/v1/team/distribute")).bearer_auth(&lead_token).json(&json!({"method": "balanced"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(officer_of(&app, 1).await.as_deref(), Some("bruno"));
    assert_eq!(officer_of(&app, 2).await.as_deref(), Some("bruno"));
    let (_, overview) = send(client().get(app.url("/api/v1/team/overview")).bearer_auth(&lead_token)).await;
    let alice_line = overview["officers"].as_array().unwrap().iter().find(|o| o["login"] == "alice").unwrap();
    assert_eq!(alice_line["covered_by"], "bruno");

    // The team page shows it; officers may not see it.
    let lead_browser = app.login("sophie", PASSWORD).await;
    let page = lead_browser.get(app.url("/equipe")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("remplacé par bruno"), "{html}");
    let officer_browser = app.login("alice", PASSWORD).await;
    assert_eq!(officer_browser.get(app.url("/equipe")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_request_to_another_department_is_sent_acknowledged_and_answered_on_the_timeline() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("alice", Role::Officer, PASSWORD).await;
    let colleague = app.db.user("bruno", Role::Officer, PASSWORD).await;
    let viewer = app.db.user("helene", Role::CommitteeViewer, PASSWORD).await;
    let (officer_token, colleague_token, viewer_token) =
        (app.db.token(officer).await, app.db.token(colleague).await, app.db.token(viewer).await);
    import_cases(&app, 2).await;
    let version = version_of(&app, 1).await;
    let send_request = |token: &str, body: Value| {
        client().post(app.url("/api/v1/cases/1/department-requests")).bearer_auth(token).json(&body)
    };

    // An unknown department is bad input (400), not a refusal by the case's state.
    let (status, body) = send(send_request(
        &officer_token,
        json!({"version": version, "department": "bourse", "kind": "watch_account", "body": "x"}),
    ))
    .await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "unknown_code", Some("department")));
    let (status, sent) = send(send_request(
        &officer_token,
        json!({
            "version": version,
            "department": "epargne",
            "kind": "authorise_debit_from_savings",
            "body": "Autoriser un prélèvement mensuel de 150 € sur le Livret A"
        }),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["version"], version + 1);
    let id = sent["id"].as_i64().unwrap();
    let (status, _) = send(send_request(
        &viewer_token,
        json!({"version": version + 1, "department": "epargne", "kind": "other", "body": "x"}),
    ))
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, queue) =
        send(client().get(app.url("/api/v1/department-requests?department=epargne")).bearer_auth(&colleague_token))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["case_reference"], "CTX-0000001");
    assert_eq!(queue[0]["case_version"], version + 1, "the queue gives the version to quote");
    let (_, other) =
        send(client().get(app.url("/api/v1/department-requests?department=credits")).bearer_auth(&colleague_token))
            .await;
    assert!(other.as_array().unwrap().is_empty());

    let acknowledge = |version: Value| {
        client()
            .post(app.url(&format!("/api/v1/department-requests/{id}/acknowledge")))
            .bearer_auth(&colleague_token)
            .json(&json!({ "version": version }))
    };
    let (status, acknowledged) = send(acknowledge(queue[0]["case_version"].clone())).await;
    assert_eq!(status, StatusCode::OK, "{acknowledged}");
    assert_eq!(acknowledged["status"], "acknowledged");
    assert_eq!(acknowledged["case_version"], version + 2);
    let (status, again) = send(acknowledge(acknowledged["case_version"].clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert!(again["error"].as_str().unwrap().contains("déjà"), "{again}");
    let answer = |version: Value, text: &str| {
        client()
            .post(app.url(&format!("/api/v1/department-requests/{id}/answer")))
            .bearer_auth(&colleague_token)
            .json(&json!({"version": version, "answer": text}))
    };
    let (status, body) = send(answer(acknowledged["case_version"].clone(), "  ")).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "required", Some("answer")));
    let (status, answered) =
        send(answer(acknowledged["case_version"].clone(), "Prélèvement autorisé à partir du 5 du mois prochain")).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["handled_by"], "bruno");
    let (status, _) = send(answer(answered["case_version"].clone(), "encore")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, open) = send(client().get(app.url("/api/v1/department-requests")).bearer_auth(&colleague_token)).await;
    assert!(open.as_array().unwrap().is_empty(), "{open}");

    let events = event_kinds(&app, 1).await;
    let kinds: Vec<&str> = events.iter().map(|(kind, _)| kind.as_str()).collect();
    let tail = &kinds[kinds.len() - 3..];
    assert_eq!(tail, ["department_request_sent", "department_request_acknowledged", "department_request_answered"]);
    let (_, answer) = events.last().unwrap();
    assert_eq!(answer["department"], "epargne");
    assert!(answer["answer"].as_str().unwrap().contains("Prélèvement autorisé"));

    // The case page's form, with a session: it quotes the case's version; back to the timeline.
    let browser = app.login("alice", PASSWORD).await;
    let page = browser.get(app.url("/services")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Aucune demande en attente"), "{page}");
    let case_page = browser.get(app.url("/dossiers/2")).send().await.unwrap().text().await.unwrap();
    let form_start = case_page.find("/dossiers/2/demandes-services").expect("the department form");
    let csrf = hidden_value(&case_page, "csrf").unwrap();
    let version_2 = hidden_value(&case_page[form_start..], "version").unwrap();
    assert_eq!(version_2, version_of(&app, 2).await.to_string());
    let response = browser
        .post(app.url("/dossiers/2/demandes-services"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version_2.as_str()),
            ("department", "agences"),
            ("kind", "watch_account"),
            ("body", "Surveiller le CCP"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/dossiers/2#journal");
    let page = browser.get(app.url("/services?department=agences")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Surveiller le CCP") && page.contains("CTX-0000002"), "{page}");
    let response = browser
        .post(app.url("/dossiers/2/demandes-services"))
        .form(&[
            ("csrf", "forged"),
            ("version", version_2.as_str()),
            ("department", "agences"),
            ("kind", "watch_account"),
            ("body", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The department's queue: its forms quote the case's version too.
    let services = app.login("bruno", PASSWORD).await;
    let page = services.get(app.url("/services?department=agences")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&page, "csrf").unwrap();
    let request_id = page.split("id=\"request-").nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_string();
    let version_in_queue = hidden_value(&page, "version").unwrap();
    assert_eq!(version_in_queue, version_of(&app, 2).await.to_string());
    let response = services
        .post(app.url(&format!("/services/{request_id}/prise-en-compte")))
        .form(&[("csrf", csrf.as_str()), ("version", version_in_queue.as_str()), ("department", "agences")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/services?department=agences");
    // Answering on the version seen before the acknowledgement is refused: reload first.
    let response = services
        .post(app.url(&format!("/services/{request_id}/reponse")))
        .form(&[("csrf", csrf.as_str()), ("version", version_in_queue.as_str()), ("answer", "Compte surveillé")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = services.get(app.url("/services?department=agences")).send().await.unwrap().text().await.unwrap();
    let reloaded = hidden_value(&page, "version").unwrap();
    assert_eq!(reloaded, version_of(&app, 2).await.to_string());
    let response = services
        .post(app.url(&format!("/services/{request_id}/reponse")))
        .form(&[("csrf", csrf.as_str()), ("version", reloaded.as_str()), ("answer", "Compte surveillé")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (kind, payload) = event_kinds(&app, 2).await.pop().unwrap();
    assert_eq!((kind.as_str(), payload["answer"].as_str()), ("department_request_answered", Some("Compte surveillé")));
}

/// Every step of a request to another department quotes the case version its author saw
/// (docs/api.md): without it the request is refused (400); on a version somebody changed
/// meanwhile, 409 listing the changes, and nothing is written.
#[tokio::test]
async fn department_requests_quote_the_case_version_and_a_stale_one_is_refused_with_the_changes() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("alice", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    import_cases(&app, 1).await;
    let seen = version_of(&app, 1).await;
    let body = |version: Option<i64>| {
        let mut body = json!({"department": "epargne", "kind": "watch_account", "body": "Surveiller le Livret A"});
        if let Some(version) = version {
            body["version"] = json!(version);
        }
        client().post(app.url("/api/v1/cases/1/department-requests")).bearer_auth(&token).json(&body)
    };
    // No version: refused as bad input, nothing sent.
    let (status, refused) = send(body(None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused["error"].as_str().unwrap().contains("version"), "{refused}");
    // Somebody adds a note meanwhile.
    let (status, _) = send(
        client()
            .post(app.url("/api/v1/cases/1/notes"))
            .bearer_auth(&token)
            .json(&json!({"version": seen, "body": "Appel du débiteur"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, stale) = send(body(Some(seen))).await;
    assert_eq!(refusal(status, &stale), (StatusCode::CONFLICT, "stale_version", None));
    assert_eq!(stale["changes"][0]["kind"], "note_added", "{stale}");
    assert_eq!(stale["changes"][0]["version"], seen + 1);
    let (_, queue) = send(client().get(app.url("/api/v1/department-requests")).bearer_auth(&token)).await;
    assert!(queue.as_array().unwrap().is_empty(), "nothing was sent: {queue}");
    // Limits: a control character is refused, naming the field.
    let (status, refused) =
        send(client().post(app.url("/api/v1/cases/1/department-requests")).bearer_auth(&token).json(&json!({
            "version": seen + 1, "department": "epargne", "kind": "watch_account", "body": "abc\u{202E}def"
        })))
        .await;
    assert_eq!(refusal(status, &refused), (StatusCode::BAD_REQUEST, "control_character", Some("body")));
    let (status, sent) = send(body(Some(seen + 1))).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let id = sent["id"].as_i64().unwrap();

    // The department acknowledges and answers on the version it saw, in the same way.
    let handle = |verb: &str, body: Value| {
        client().post(app.url(&format!("/api/v1/department-requests/{id}/{verb}"))).bearer_auth(&token).json(&body)
    };
    let (status, _) = send(handle("acknowledge", json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, stale) = send(handle("acknowledge", json!({"version": seen + 1}))).await;
    assert_eq!(refusal(status, &stale), (StatusCode::CONFLICT, "stale_version", None));
    assert_eq!(stale["changes"][0]["kind"], "department_request_sent", "{stale}");
    let (_, queue) = send(client().get(app.url("/api/v1/department-requests")).bearer_auth(&token)).await;
    assert_eq!(queue[0]["status"], "sent", "a stale acknowledgement writes nothing: {queue}");
    let (status, acknowledged) = send(handle("acknowledge", json!({"version": seen + 2}))).await;
    assert_eq!(status, StatusCode::OK, "{acknowledged}");
    let (status, stale) = send(handle("answer", json!({"version": seen + 2, "answer": "Fait"}))).await;
    assert_eq!(refusal(status, &stale), (StatusCode::CONFLICT, "stale_version", None));
    assert_eq!(stale["changes"][0]["kind"], "department_request_acknowledged", "{stale}");
    let (status, answered) = send(handle("answer", json!({"version": seen + 3, "answer": "Fait"}))).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["case_version"], seen + 4);
    assert_eq!(version_of(&app, 1).await, seen + 4);
}

#[tokio::test]
async fn the_third_party_directory_lists_creates_and_shows_results() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("alice", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let (officer_token, compliance_token) = (app.db.token(officer).await, app.db.token(compliance).await);
    import_cases(&app, 1).await;

    assert_eq!(recouvre_store::team::seed_directory(&app.db.store, Utc::now()).await.unwrap(), 8);
    assert_eq!(recouvre_store::team::seed_directory(&app.db.store, Utc::now()).await.unwrap(), 0);

    let new_party = json!({
        "kind": "commissaire_de_justice",
        "name": "Étude Martin-Vidal",
        "address": "2 rue Childebert, 69002 Lyon",
        "email": "etude@martin-vidal.example",
        "jurisdiction": "Rhône",
        "fee_terms": "Tarif réglementé"
    });
    let (status, _) =
        send(client().post(app.url("/api/v1/third-parties")).bearer_auth(&compliance_token).json(&new_party)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = send(
        client()
            .post(app.url("/api/v1/third-parties"))
            .bearer_auth(&officer_token)
            .json(&json!({"kind": "astrologer", "name": "X", "address": "Y"})),
    )
    .await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, "unknown_code", Some("kind")));
    for (bad, code, field) in [
        (json!({"kind": "lawyer", "name": " ", "address": "Y"}), "required", "name"),
        (json!({"kind": "lawyer", "name": "X", "address": "Y", "email": "etude.example"}), "invalid_email", "email"),
        (json!({"kind": "lawyer", "name": "X\u{7}", "address": "Y"}), "control_character", "name"),
        (json!({"kind": "lawyer", "name": "X".repeat(201), "address": "Y"}), "too_long", "name"),
    ] {
        let (status, body) =
            send(client().post(app.url("/api/v1/third-parties")).bearer_auth(&officer_token).json(&bad)).await;
        assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, code, Some(field)), "{bad}");
    }
    let (status, created) =
        send(client().post(app.url("/api/v1/third-parties")).bearer_auth(&officer_token).json(&new_party)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();

    let (status, list) =
        send(client().get(app.url("/api/v1/third-parties?kind=commissaire_de_justice")).bearer_auth(&officer_token))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    let (_, all) = send(client().get(app.url("/api/v1/third-parties")).bearer_auth(&officer_token)).await;
    assert_eq!(all.as_array().unwrap().len(), 9);

    // The bailiff is named on two procedures of case 1.
    {
        for (state, recovered, costs) in [("report_received", 45_000_i64, 12_000_i64), ("served", 0, 8_000)] {
            sql::query(
                "INSERT INTO procedures (case_id, kind, state, started_on, updated_on, third_party_id, costs_cents, \
                 recovered_cents, closed, created_by, created_at) VALUES (1, 'enforcement_bank', $1, $2, $2, $3, $4, $5, $6, 'alice', $7)",
            )
            .bind(state)
            .bind(today())
            .bind(id)
            .bind(costs)
            .bind(recovered)
            .bind(false)
            .bind(Utc::now())
            .execute(&app.db.store)
            .await
            .unwrap();
        }
    };
    let (status, detail) =
        send(client().get(app.url(&format!("/api/v1/third-parties/{id}"))).bearer_auth(&officer_token)).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["third_party"]["name"], "Étude Martin-Vidal");
    assert_eq!(detail["procedures"], 2);
    assert_eq!(detail["cases"], 1);
    assert_eq!(detail["recovered"], "450.00");
    assert_eq!(detail["costs"], "200.00");
    assert_eq!(detail["by_state"].as_array().unwrap().len(), 2);
    assert_eq!(detail["involvements"][0]["case_reference"], "CTX-0000001");
    let (status, _) = send(client().get(app.url("/api/v1/third-parties/999")).bearer_auth(&officer_token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The pages: list, form, detail.
    let browser = app.login("alice", PASSWORD).await;
    let list_page = browser.get(app.url("/tiers")).send().await.unwrap().text().await.unwrap();
    assert!(list_page.contains("UDAF du Rhône") && list_page.contains("Tribunal judiciaire de Lyon"));
    let csrf = hidden_value(&list_page, "csrf").unwrap();
    let response = browser
        .post(app.url("/tiers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "lawyer"),
            ("name", "Maître Claire Fontaine"),
            ("address", "9 rue de Brest, 69002 Lyon"),
            ("email", ""),
            ("phone", "04 78 00 00 01"),
            ("jurisdiction", "Barreau de Lyon"),
            ("fee_terms", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let page = browser.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Maître Claire Fontaine"), "{page}");
    let page = browser.get(app.url(&format!("/tiers/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("CTX-0000001") && page.contains("450,00"), "{page}");
}

#[tokio::test]
async fn operating_procedures_are_rendered_from_markdown() {
    let app = TestApp::spawn().await;
    app.db.user("alice", Role::Officer, PASSWORD).await;
    let browser = app.login("alice", PASSWORD).await;
    let index = browser.get(app.url("/procedures")).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    let index = index.text().await.unwrap();
    assert!(index.contains("/procedures/payment_order"), "{index}");
    let page = browser.get(app.url("/procedures/amicable")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Mode opératoire — Phase amiable"), "{html}");
    assert!(html.contains("<h2>"), "{html}");
    assert_eq!(browser.get(app.url("/procedures/astrology")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // Logged-in users only.
    assert_eq!(client().get(app.url("/procedures/amicable")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
}
