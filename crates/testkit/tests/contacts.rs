//! Contacts with the debtor and promises to pay, the officer's own actions, and acts that cannot
//! be dated in the future or before the step they follow (issue 17, parts 4, 5 and 7), over HTTP,
//! on the engine under test.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDate, Utc};
use recouvre_app::batch::NightlyOptions;
use recouvre_app::Actor;
use recouvre_domain::authority::Role;
use recouvre_store::sql;
use recouvre_testkit::{app_on, today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

/// Two cases (1 and 2) of officer camille; a colleague, dominique. Tokens of both.
async fn app_with_cases() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let camille = app.db.user_with_level("camille", Role::Officer, PASSWORD, 1).await;
    let dominique = app.db.user_with_level("dominique", Role::Officer, PASSWORD, 1).await;
    let due = today() - Duration::days(120);
    let file = format!(
        "{HEADER}\nC1;Bernard;Luc;2 rue;69003;Lyon;personal_loan;PL-1;12000.00;{due};2100.00\n\
         C2;Morel;Anne;5 rue;69003;Lyon;personal_loan;PL-2;8000.00;{due};1900.00\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    sql::query("UPDATE cases SET officer_id = $1").bind(camille).execute(&app.db.store).await.unwrap();
    let (camille, dominique) = (app.db.token(camille).await, app.db.token(dominique).await);
    (app, camille, dominique)
}

async fn send(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
    let response =
        reqwest::Client::new().request(method, app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    send(app, token, reqwest::Method::POST, path, body).await
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn version_of(app: &TestApp, case_id: i64) -> i64 {
    recouvre_store::cases::detail(&app.db.store, case_id).await.unwrap().version
}

/// `body` with the case's current version.
async fn current(app: &TestApp, case_id: i64, mut body: Value) -> Value {
    body["version"] = json!(version_of(app, case_id).await);
    body
}

/// (status, code, field) of an answer.
fn refusal(status: StatusCode, body: &Value) -> (StatusCode, Option<&str>, Option<&str>) {
    (status, body["code"].as_str(), body["field"].as_str())
}

async fn journal_kinds(app: &TestApp, case_id: i64) -> Vec<String> {
    recouvre_store::journal::events(&app.db.store, case_id).await.unwrap().into_iter().map(|event| event.kind).collect()
}

/// The nightly run of `as_of`, as `recouvre batch` runs it.
async fn night(app: &TestApp, as_of: NaiveDate) -> recouvre_app::batch::NightlyOutcome {
    let application = app_on(&app.db.store).await;
    let options = NightlyOptions {
        as_of,
        chunk_cases: 100,
        workers: 1,
        lease: StdDuration::from_secs(30),
        process_name: "test:1".to_string(),
    };
    recouvre_app::batch::nightly_run(
        &application,
        &Actor::system("batch"),
        &options,
        Arc::new(recouvre_store::batch::Silent),
    )
    .await
    .unwrap()
}

/// The agenda of the token's user, up to `until`.
async fn agenda(app: &TestApp, token: &str, until: NaiveDate) -> Vec<Value> {
    get(app, token, &format!("/api/v1/agenda?until={until}")).await.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_contact_with_a_promise_is_on_the_timeline_and_bad_dates_are_refused() {
    let (app, camille, _) = app_with_cases().await;
    let due = today() + Duration::days(7);
    let body = json!({"channel": "phone", "direction": "inbound", "summary": "Le débiteur rappelle, accepte de payer",
                      "promise": {"amount": "150.00", "due_on": due}});
    let (status, answer) = post(&app, &camille, "/api/v1/cases/1/contacts", current(&app, 1, body.clone()).await).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["version"], version_of(&app, 1).await);
    assert_eq!(journal_kinds(&app, 1).await.last().map(String::as_str), Some("contact_recorded"));

    let contacts = get(&app, &camille, "/api/v1/cases/1/contacts").await;
    assert_eq!(contacts[0]["channel"], "phone", "{contacts}");
    assert_eq!(contacts[0]["on"], json!(today()), "dated today by default: {contacts}");
    assert_eq!(contacts[0]["promise"]["amount"], "150.00", "{contacts}");
    assert_eq!(contacts[0]["promise"]["status"], "open", "{contacts}");

    // On the case page: the timeline says it in French, and the list shows the promise.
    let client = app.login("camille", PASSWORD).await;
    let page = client.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Contact avec le débiteur"), "the timeline's label");
    let promise = format!("promesse de 150,00\u{a0}€ pour le {}", due.format("%d/%m/%Y"));
    assert!(page.contains(&promise), "the timeline's summary: {promise}");
    assert!(page.contains("id=\"contact-list\""), "the case's contacts are listed");

    // Acts are not dated in the future; promises not in the past; codes are checked.
    let tomorrow = today() + Duration::days(1);
    let before = version_of(&app, 1).await;
    for (change, code, field) in [
        (json!({"on": tomorrow}), "date_in_future", "on"),
        (
            json!({"promise": {"amount": "150.00", "due_on": today() - Duration::days(1)}}),
            "date_in_past",
            "promise.due_on",
        ),
        (json!({"promise": {"amount": "0.00", "due_on": due}}), "amount_not_positive", "promise.amount"),
        (json!({"channel": "pigeon"}), "unknown_code", "channel"),
        (json!({"direction": "sideways"}), "unknown_code", "direction"),
        (json!({"summary": "  "}), "required", "summary"),
    ] {
        let mut bad = current(&app, 1, body.clone()).await;
        for (key, value) in change.as_object().unwrap() {
            bad[key] = value.clone();
        }
        let (status, answer) = post(&app, &camille, "/api/v1/cases/1/contacts", bad).await;
        assert_eq!(refusal(status, &answer), (StatusCode::BAD_REQUEST, Some(code), Some(field)), "{answer}");
    }
    assert_eq!(version_of(&app, 1).await, before, "nothing written");

    // A past contact may be recorded; the form does the same as the API.
    let (status, answer) = post(
        &app,
        &camille,
        "/api/v1/cases/1/contacts",
        current(
            &app,
            1,
            json!({"channel": "letter", "direction": "inbound", "summary": "Courrier reçu",
                                "on": today() - Duration::days(3)}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let csrf = recouvre_testkit::hidden_value(&page, "csrf").unwrap();
    let form = [
        ("csrf", csrf.as_str()),
        ("version", &version_of(&app, 1).await.to_string()),
        ("channel", "visit"),
        ("direction", "outbound"),
        ("summary", "Visite au domicile"),
        ("on", &tomorrow.to_string()),
    ];
    let response = client.post(app.url("/dossiers/1/contacts")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "the form refuses a contact dated tomorrow");
    assert_eq!(get(&app, &camille, "/api/v1/cases/1/contacts").await.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_broken_promise_is_on_the_officers_agenda_once_after_the_night_and_a_kept_one_is_not() {
    let (app, camille, _) = app_with_cases().await;
    let due = today() + Duration::days(2);
    for case_id in [1, 2] {
        let body = json!({"channel": "phone", "direction": "outbound", "summary": "Appel de relance",
                          "promise": {"amount": "150.00", "due_on": due}});
        let (status, answer) =
            post(&app, &camille, &format!("/api/v1/cases/{case_id}/contacts"), current(&app, case_id, body).await)
                .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    // Case 2's debtor keeps the promise: 200.00 received today.
    let payment = json!({"amount": "200.00", "received_on": today(), "reference": "CHQ 1234567"});
    let (status, answer) = post(&app, &camille, "/api/v1/cases/2/payments", current(&app, 2, payment).await).await;
    assert!(status.is_success(), "{answer}");

    // Before the due day and its grace (the plan follow-up's 10 days), nothing is judged.
    let early = night(&app, due + Duration::days(5)).await;
    assert_eq!(early.promises.promises_seen, 0);
    let as_of = due + Duration::days(11);
    let outcome = night(&app, as_of).await;
    assert_eq!((outcome.promises.kept, outcome.promises.broken), (1, 1));

    app.set_today(as_of);
    let until = as_of + Duration::days(30);
    let broken: Vec<Value> =
        agenda(&app, &camille, until).await.into_iter().filter(|item| item["code"] == "promise_broken").collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0]["case_id"], 1, "the broken promise's case, not the kept one's");
    assert_eq!(broken[0]["kind"], "action");
    let contacts = get(&app, &camille, "/api/v1/cases/2/contacts").await;
    assert_eq!(contacts[0]["promise"]["status"], "kept", "{contacts}");
    assert_eq!(get(&app, &camille, "/api/v1/cases/1/contacts").await[0]["promise"]["status"], "broken");
    assert!(journal_kinds(&app, 2).await.iter().any(|kind| kind == "promise_kept"));

    // Rerunning the night, or the next one, doubles nothing.
    let again = night(&app, as_of).await;
    let next = night(&app, as_of + Duration::days(1)).await;
    assert_eq!((again.promises.promises_seen, next.promises.promises_seen), (0, 0));
    let broken =
        agenda(&app, &camille, until).await.into_iter().filter(|item| item["code"] == "promise_broken").count();
    assert_eq!(broken, 1);
    let events = journal_kinds(&app, 1).await.into_iter().filter(|kind| kind == "promise_broken").count();
    assert_eq!(events, 1);

    // The cockpit counts them.
    app.db.user_with_level("sophie", Role::TeamLead, PASSWORD, 3).await;
    let client = app.login("sophie", PASSWORD).await;
    let cockpit = client.get(app.url("/cockpit")).send().await.unwrap();
    let status = cockpit.status();
    let page = cockpit.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Promesses tenues") && page.contains("Promesses non tenues"), "{page}");
    let row = page.split("id=\"promises-broken\"").nth(1).unwrap_or_default();
    assert!(row.split("</tr>").next().unwrap_or_default().contains(">1<"), "{row}");
}

#[tokio::test]
async fn an_action_planned_for_a_colleague_is_on_the_colleagues_agenda_moved_then_done() {
    let (app, camille, dominique) = app_with_cases().await;
    let due = today() + Duration::days(3);
    let until = today() + Duration::days(30);
    let body = json!({"due_on": due, "label": "Rappeler le débiteur après son entretien", "assignee": "dominique"});
    let (status, answer) = post(&app, &camille, "/api/v1/cases/1/agenda", current(&app, 1, body.clone()).await).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let item_id = answer["id"].as_i64().unwrap();
    assert!(journal_kinds(&app, 1).await.iter().any(|kind| kind == "action_planned"));

    let mine = agenda(&app, &dominique, until).await;
    let item = mine.iter().find(|item| item["id"] == item_id).expect("on the colleague's agenda");
    assert_eq!((item["case_id"].as_i64(), item["assignee"].as_str()), (Some(1), Some("dominique")));
    assert!(agenda(&app, &camille, until).await.iter().all(|item| item["id"] != item_id), "not on the author's");

    // An action without assignee is the author's own.
    let own = json!({"due_on": due, "label": "Vérifier l'adresse"});
    let (status, answer) = post(&app, &camille, "/api/v1/cases/2/agenda", current(&app, 2, own).await).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert!(agenda(&app, &camille, until).await.iter().any(|item| item["id"] == answer["id"]));

    // Refused: a day past, an unknown or inactive person, an empty label.
    for (change, code, field) in [
        (json!({"due_on": today() - Duration::days(1)}), "date_in_past", "due_on"),
        (json!({"assignee": "nobody"}), "unknown_user", "assignee"),
        (json!({"label": ""}), "required", "label"),
    ] {
        let mut bad = current(&app, 1, body.clone()).await;
        for (key, value) in change.as_object().unwrap() {
            bad[key] = value.clone();
        }
        let (status, answer) = post(&app, &camille, "/api/v1/cases/1/agenda", bad).await;
        assert_eq!(refusal(status, &answer), (StatusCode::BAD_REQUEST, Some(code), Some(field)), "{answer}");
    }

    // The colleague moves it, then marks it done.
    let later = due + Duration::days(7);
    let moved = current(&app, 1, json!({"due_on": later})).await;
    let (status, answer) =
        send(&app, &dominique, reqwest::Method::PATCH, &format!("/api/v1/agenda/{item_id}"), moved).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let item = agenda(&app, &dominique, until).await.into_iter().find(|item| item["id"] == item_id).unwrap();
    assert_eq!(item["due_on"], json!(later));
    assert!(journal_kinds(&app, 1).await.iter().any(|kind| kind == "action_moved"));
    let stale = json!({"due_on": later, "version": 1});
    let (status, _) = send(&app, &dominique, reqwest::Method::PATCH, &format!("/api/v1/agenda/{item_id}"), stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version");
    let done = current(&app, 1, json!({})).await;
    let (status, answer) = post(&app, &dominique, &format!("/api/v1/agenda/{item_id}/done"), done).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(agenda(&app, &dominique, until).await.iter().all(|item| item["id"] != item_id), "done: off the agenda");
}

#[tokio::test]
async fn a_step_dated_tomorrow_or_before_the_step_it_follows_is_refused() {
    let (app, camille, _) = app_with_cases().await;
    let step = |step: &str, on: NaiveDate| json!({"kind": "payment_order", "step": step, "on": on, "input": {}});
    let path = "/api/v1/cases/1/procedures";
    let (status, answer) =
        post(&app, &camille, path, current(&app, 1, step("prepare_request", today() - Duration::days(5))).await).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let before = version_of(&app, 1).await;
    let (status, answer) =
        post(&app, &camille, path, current(&app, 1, step("file_request", today() + Duration::days(1))).await).await;
    assert_eq!(refusal(status, &answer), (StatusCode::BAD_REQUEST, Some("date_in_future"), Some("on")), "{answer}");
    let (status, answer) =
        post(&app, &camille, path, current(&app, 1, step("file_request", today() - Duration::days(10))).await).await;
    assert_eq!(refusal(status, &answer).0, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "on", "{answer}");
    assert_eq!(version_of(&app, 1).await, before, "nothing written");
    // The same day as its predecessor, or later, is accepted.
    let (status, answer) =
        post(&app, &camille, path, current(&app, 1, step("file_request", today() - Duration::days(5))).await).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn the_case_pages_forms_plan_move_and_close_an_action_for_a_colleague() {
    let (app, _, dominique) = app_with_cases().await;
    let client = app.login("camille", PASSWORD).await;
    let page = client.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"action-form\"") && page.contains("id=\"contact-form\""), "the forms are offered");
    let csrf = recouvre_testkit::hidden_value(&page, "csrf").unwrap();
    let due = today() + Duration::days(2);
    let version = version_of(&app, 1).await.to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("label", "Appeler l'employeur"),
        ("due_on", &due.to_string()),
        ("assignee", "dominique"),
    ];
    let response = client.post(app.url("/dossiers/1/actions")).form(&form).send().await.unwrap();
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    let until = today() + Duration::days(30);
    let item = agenda(&app, &dominique, until).await.into_iter().find(|item| item["label"] == "Appeler l'employeur");
    let item_id = item.expect("on dominique's agenda")["id"].as_i64().unwrap();

    // The case page lists it, for dominique, with « Reporter » and « Fait ».
    let page = client.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    let list = page.split("id=\"action-list\"").nth(1).expect("the actions are listed");
    assert!(list.contains("Appeler l&#39;employeur") || list.contains("Appeler l'employeur"), "{list}");
    assert!(list.contains(&format!("/dossiers/1/actions/{item_id}/report")), "{list}");

    let later = due + Duration::days(5);
    let version = version_of(&app, 1).await.to_string();
    let form = [("csrf", csrf.as_str()), ("version", version.as_str()), ("due_on", &later.to_string())];
    client.post(app.url(&format!("/dossiers/1/actions/{item_id}/report"))).form(&form).send().await.unwrap();
    let item = agenda(&app, &dominique, until).await.into_iter().find(|item| item["id"] == item_id).unwrap();
    assert_eq!(item["due_on"], json!(later), "moved by the form");
    // A day already past is refused by the form as by the API.
    let version = version_of(&app, 1).await.to_string();
    let yesterday = (today() - Duration::days(1)).to_string();
    let form = [("csrf", csrf.as_str()), ("version", version.as_str()), ("due_on", yesterday.as_str())];
    let response =
        client.post(app.url(&format!("/dossiers/1/actions/{item_id}/report"))).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let form = [("csrf", csrf.as_str()), ("version", version.as_str())];
    client.post(app.url(&format!("/dossiers/1/actions/{item_id}/fait"))).form(&form).send().await.unwrap();
    assert!(agenda(&app, &dominique, until).await.iter().all(|item| item["id"] != item_id), "done by the form");
    let kinds = journal_kinds(&app, 1).await;
    for kind in ["action_planned", "action_moved", "action_done"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let page = client.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Action reportée") && page.contains("Action planifiée"), "on the timeline in French");
}
