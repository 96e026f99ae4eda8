//! Dual control of the bank's settings (issue 23, finding 6): "the bank's collection IBAN, the
//! authority matrix and the settings change in place, unvalidated (an IBAN with a bad checksum
//! and `not-an-email` were accepted), with no history and no second person". Each test below
//! reproduces a part of that finding against the real server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_testkit::{hidden_value, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
/// A valid French IBAN other than the demo bank's (RIB key and ISO 13616 check digits right).
const NEW_IBAN: &str = "FR7630006000011234567890189";

struct Admins {
    app: TestApp,
    first: String,
    second: String,
    officer: String,
}

async fn admins() -> Admins {
    let app = TestApp::spawn().await;
    let first = app.db.user("admin", Role::Administrator, PASSWORD).await;
    let second = app.db.user("admin2", Role::Administrator, PASSWORD).await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    Admins {
        first: app.db.token(first).await,
        second: app.db.token(second).await,
        officer: app.db.token(officer).await,
        app,
    }
}

async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn settings(a: &Admins) -> Value {
    let (status, bank) = call(&a.app, &a.first, reqwest::Method::GET, "/api/v1/admin/settings", None).await;
    assert_eq!(status, StatusCode::OK, "{bank}");
    bank
}

async fn propose(a: &Admins, token: &str, bank: Value) -> (StatusCode, Value) {
    call(&a.app, token, reqwest::Method::PUT, "/api/v1/admin/settings", Some(bank)).await
}

async fn decide(a: &Admins, token: &str, id: i64, decision: &str) -> (StatusCode, Value) {
    call(&a.app, token, reqwest::Method::POST, &format!("/api/v1/admin/setting-changes/{id}/{decision}"), None).await
}

async fn history(a: &Admins) -> Vec<Value> {
    let (status, changes) = call(&a.app, &a.second, reqwest::Method::GET, "/api/v1/admin/setting-changes", None).await;
    assert_eq!(status, StatusCode::OK, "{changes}");
    changes.as_array().unwrap().clone()
}

#[tokio::test]
async fn an_iban_with_a_bad_checksum_a_bad_creditor_id_and_not_an_email_are_refused_naming_the_field() {
    let a = admins().await;
    let bank = settings(&a).await;
    let cases = [
        ("collection_iban", json!("FR7630006000011234567890188")),
        ("collection_iban", json!("FR76 3000 1007 9412 3456 7890 186")),
        ("centre_email", json!("not-an-email")),
        ("sepa_creditor_id", json!("FR73ZZZ123456")),
        ("collection_bic", json!("BDF1")),
    ];
    for (field, value) in cases {
        let mut changed = bank.clone();
        changed[field] = value.clone();
        let (status, body) = propose(&a, &a.first, changed).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{value}: {body}");
    }
    // Refused before it is even a request: nothing waits for approval.
    assert!(history(&a).await.is_empty());
    assert_eq!(settings(&a).await, bank);
}

#[tokio::test]
async fn a_change_of_the_collection_iban_is_in_force_only_once_another_administrator_approves_it() {
    let a = admins().await;
    let before = settings(&a).await;
    let mut changed = before.clone();
    changed["collection_iban"] = json!("FR76 3000 6000 0112 3456 7890 189");
    changed["centre_email"] = json!("recouvrement@banque-demo.example.fr");
    // An officer cannot even propose it.
    assert_eq!(propose(&a, &a.officer, changed.clone()).await.0, StatusCode::FORBIDDEN);
    let (status, request) = propose(&a, &a.first, changed).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{request}");
    assert_eq!((request["status"].as_str(), request["proposed_by"].as_str()), (Some("pending"), Some("admin")));
    let id = request["id"].as_i64().unwrap();
    // Not in force yet: letters and direct debits still use the old IBAN.
    assert_eq!(settings(&a).await["collection_iban"], before["collection_iban"]);
    // The proposer cannot approve their own request.
    let (status, body) = decide(&a, &a.first, id, "approve").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{body}");
    assert_eq!(settings(&a).await["collection_iban"], before["collection_iban"]);
    // Nor an officer.
    assert_eq!(decide(&a, &a.officer, id, "approve").await.0, StatusCode::FORBIDDEN);
    // Another administrator does: in force at once, in its electronic form.
    let (status, approved) = decide(&a, &a.second, id, "approve").await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(settings(&a).await["collection_iban"], NEW_IBAN);
    assert_eq!(settings(&a).await["centre_email"], "recouvrement@banque-demo.example.fr");
    // Decided once.
    let (status, body) = decide(&a, &a.second, id, "approve").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("already_decided")), "{body}");
    // The history: who proposed, who approved, when, the old and the new value.
    let changes = history(&a).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    let change = &changes[0];
    assert_eq!((change["proposed_by"].as_str(), change["decided_by"].as_str()), (Some("admin"), Some("admin2")));
    assert_eq!(change["status"], "approved");
    assert!(change["decided_at"].is_string());
    let old: Value = serde_json::from_str(change["old_value"].as_str().unwrap()).unwrap();
    let new: Value = serde_json::from_str(change["new_value"].as_str().unwrap()).unwrap();
    assert_eq!(
        (old["collection_iban"].clone(), new["collection_iban"].clone()),
        (before["collection_iban"].clone(), json!(NEW_IBAN))
    );
    // Recorded for the auditors.
    let events = recouvre_store::users::security_events(&a.app.db.store, 50).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|event| event.kind.as_str()).collect();
    assert!(kinds.contains(&"setting_change_proposed") && kinds.contains(&"setting_change_approved"), "{kinds:?}");
}

#[tokio::test]
async fn a_request_made_stale_by_another_approved_one_cannot_be_approved_and_a_rejected_one_never_applies() {
    let a = admins().await;
    let before = settings(&a).await;
    let mut first = before.clone();
    first["name"] = json!("Banque A");
    let mut second = before.clone();
    second["name"] = json!("Banque B");
    let first = propose(&a, &a.first, first).await.1["id"].as_i64().unwrap();
    let second = propose(&a, &a.first, second).await.1["id"].as_i64().unwrap();
    assert_eq!(decide(&a, &a.second, first, "approve").await.0, StatusCode::OK);
    // Approving the second would silently undo the first.
    let (status, body) = decide(&a, &a.second, second, "approve").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("setting_changed")), "{body}");
    assert_eq!(decide(&a, &a.first, second, "reject").await.0, StatusCode::OK);
    assert_eq!(decide(&a, &a.second, second, "approve").await.0, StatusCode::CONFLICT);
    assert_eq!(settings(&a).await["name"], "Banque A");
}

#[tokio::test]
async fn the_authority_matrix_changes_only_once_a_second_administrator_approves() {
    let a = admins().await;
    let client = reqwest::Client::new();
    let read = || async {
        let response =
            client.get(a.app.url("/api/v1/rules/authority_matrix")).bearer_auth(&a.first).send().await.unwrap();
        response.text().await.unwrap()
    };
    let text = read().await;
    let relaxed = text.replacen("max_plan_months = 18", "max_plan_months = 24", 1);
    assert_ne!(relaxed, text, "the default file sets 18 months at level 1");
    let put = client.put(a.app.url("/api/v1/rules/authority_matrix")).bearer_auth(&a.first).body(relaxed.clone());
    let response = put.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(read().await, text, "not in force before approval");
    assert_eq!(decide(&a, &a.first, id, "approve").await.0, StatusCode::FORBIDDEN);
    assert_eq!(read().await, text);
    assert_eq!(decide(&a, &a.second, id, "approve").await.0, StatusCode::OK);
    assert_eq!(read().await, relaxed.trim());
    let change = &history(&a).await[0];
    assert_eq!((change["subject"].as_str(), change["decided_by"].as_str()), (Some("authority_matrix"), Some("admin2")));
    assert!(change["old_value"].is_null(), "the embedded default was in force: {change}");
}

#[tokio::test]
async fn the_settings_page_shows_the_request_and_offers_approval_only_to_another_administrator() {
    let a = admins().await;
    let first = a.app.login("admin", PASSWORD).await;
    let page = first.get(a.app.url("/admin/parametres")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&page, "csrf").unwrap();
    let mut form: Vec<(String, String)> = settings(&a)
        .await
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_string()))
        .collect();
    form.push(("csrf".to_string(), csrf.clone()));
    for (key, value) in form.iter_mut() {
        if key == "collection_iban" {
            *value = NEW_IBAN.to_string();
        }
    }
    let posted = first.post(a.app.url("/admin/parametres")).form(&form).send().await.unwrap();
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let page = follow(&a.app, &first, posted).await;
    assert!(page.contains("Demande n° 1 enregistrée"), "{page}");
    assert!(page.contains("À approuver par un autre administrateur") && !page.contains(">Approuver<"), "{page}");
    // The proposer's POST to the approval address is refused all the same.
    let own = first
        .post(a.app.url("/admin/parametres/demandes/1/approuver"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    let second = a.app.login("admin2", PASSWORD).await;
    let page = second.get(a.app.url("/admin/parametres")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(">Approuver<") && page.contains("IBAN d'encaissement"), "{page}");
    let csrf = hidden_value(&page, "csrf").unwrap();
    let approved = second
        .post(a.app.url("/admin/parametres/demandes/1/approuver"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    let page = follow(&a.app, &second, approved).await;
    assert!(page.contains("la modification est en vigueur") && page.contains("approuvée, en vigueur"), "{page}");
    assert_eq!(settings(&a).await["collection_iban"], NEW_IBAN);
}

/// The page a redirect leads to.
async fn follow(app: &TestApp, client: &reqwest::Client, response: reqwest::Response) -> String {
    let location = response.headers()["location"].to_str().unwrap().to_string();
    client.get(app.url(&location)).send().await.unwrap().text().await.unwrap()
}
