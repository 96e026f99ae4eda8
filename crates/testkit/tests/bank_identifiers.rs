//! IBAN, BIC and creditor identifier checked in one place wherever they enter (issue 21, item
//! 5), over HTTP on the engine under test: the bank's settings, a payment's payer, a debtor's
//! file, a mandate and the accounts intake file each refuse a bad identifier with a 400 naming
//! the `field` (or the file, line and column), and store the electronic form of a good one.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_store::sql;
use recouvre_testkit::{today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn assert_refused(status: StatusCode, body: &Value, field: &str, code: &str, value: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], field, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["error"].as_str().unwrap().contains(value), "{body}");
}

#[tokio::test]
async fn the_bank_settings_refuse_a_bad_iban_bic_or_creditor_identifier_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.db.user("alice", Role::Administrator, PASSWORD).await;
    let token = app.db.token(admin).await;
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/admin/settings");
    let (_, bank) = send(client.get(&url).bearer_auth(&token)).await;
    for (field, value, code) in [
        ("collection_iban", "NOT-AN-IBAN", "invalid_iban"),
        ("collection_iban", "FR7630001007941234567890186", "invalid_iban"),
        // A collection account outside the SEPA zone cannot carry SEPA files.
        ("collection_iban", "TR330006100519786457841326", "invalid_iban"),
        ("collection_bic", "BDFEFR", "invalid_bic"),
        ("sepa_creditor_id", "FR12ZZZ123456", "invalid_creditor_id"),
    ] {
        let mut changed = bank.clone();
        changed[field] = json!(value);
        let (status, body) = send(client.put(&url).bearer_auth(&token).json(&changed)).await;
        assert_refused(status, &body, field, code, value);
    }
    let (_, unchanged) = send(client.get(&url).bearer_auth(&token)).await;
    assert_eq!(unchanged, bank, "nothing refused was stored");
    // The paper form is accepted and stored in the electronic form.
    let mut changed = bank.clone();
    changed["collection_iban"] = json!("fr76 3000 6000 0112 3456 7890 189");
    changed["collection_bic"] = json!("agri frpp 882");
    changed["sepa_creditor_id"] = json!("fr72 zzz 123456");
    let (status, request) = send(client.put(&url).bearer_auth(&token).json(&changed)).await;
    // A change request (issue 23's dual control), in force once another administrator approves.
    assert_eq!(status, StatusCode::ACCEPTED, "{request}");
    let second = app.db.user("bruno", Role::Administrator, PASSWORD).await;
    let second = app.db.token(second).await;
    let id = request["id"].as_i64().unwrap();
    let approve = client.post(app.url(&format!("/api/v1/admin/setting-changes/{id}/approve")));
    let (status, approved) = send(approve.bearer_auth(&second)).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let (_, stored) = send(client.get(&url).bearer_auth(&token)).await;
    assert_eq!(
        (&stored["collection_iban"], &stored["collection_bic"], &stored["sepa_creditor_id"]),
        (&json!("FR7630006000011234567890189"), &json!("AGRIFRPP882"), &json!("FR72ZZZ123456"))
    );
}

#[tokio::test]
async fn a_payment_with_a_bad_payer_iban_is_refused_and_nothing_is_booked() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    app.db.seed(6, &["camille"]).await;
    let store = &app.db.store;
    let case_id: i64 = sql::query_scalar("SELECT id FROM cases WHERE status <> 'closed' ORDER BY id LIMIT 1")
        .fetch_one(store)
        .await
        .unwrap();
    let detail = recouvre_store::cases::detail(store, case_id).await.unwrap();
    let payment = |iban: &str| {
        json!({"version": detail.version, "amount": "10.00", "received_on": today(), "reference": "VIR 42",
               "payer_name": "Jean Dupont", "payer_iban": iban})
    };
    let client = reqwest::Client::new();
    let url = app.url(&format!("/api/v1/cases/{case_id}/payments"));
    for bad in ["NOT-AN-IBAN", "FR7630006000011234567890188", "DE8937040044053201300"] {
        let (status, body) = send(client.post(&url).bearer_auth(&token).json(&payment(bad))).await;
        assert_refused(status, &body, "payer_iban", "invalid_iban", bad);
    }
    assert_eq!(recouvre_store::cases::detail(store, case_id).await.unwrap().version, detail.version, "nothing booked");
    let (status, body) =
        send(client.post(&url).bearer_auth(&token).json(&payment("de89 3704 0044 0532 0130 00"))).await;
    assert!(status == StatusCode::CREATED || status == StatusCode::ACCEPTED, "{status} {body}");
    let stored: Option<String> =
        sql::query_scalar("SELECT payer_iban FROM payments_received WHERE case_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(case_id)
            .fetch_optional(store)
            .await
            .unwrap()
            .flatten();
    assert_eq!(stored.as_deref(), Some("DE89370400440532013000"));
}

#[tokio::test]
async fn a_debtor_file_and_a_mandate_refuse_a_bad_iban_naming_the_field() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    app.db.seed(6, &["camille"]).await;
    let store = &app.db.store;
    let (case_id, customer): (i64, String) = sql::query_as(
        "SELECT c.id, p.customer_number FROM cases c JOIN persons p ON p.id = c.debtor_id \
         WHERE c.status <> 'closed' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(store)
    .await
    .unwrap();
    let client = reqwest::Client::new();
    // The debtor's file: the IBAN of the RIB the debtor gave.
    let debtor_url = app.url(&format!("/api/v1/debtors/{customer}"));
    let (_, file) = send(client.get(&debtor_url).bearer_auth(&token)).await;
    let (status, body) = send(
        client
            .patch(&debtor_url)
            .bearer_auth(&token)
            .json(&json!({"version": file["version"], "reason": "RIB fourni", "iban": "NOT-AN-IBAN"})),
    )
    .await;
    assert_refused(status, &body, "iban", "invalid_iban", "NOT-AN-IBAN");
    // A mandate: IBAN outside SEPA, bad BIC.
    let version = recouvre_store::cases::detail(store, case_id).await.unwrap().version;
    let url = app.url(&format!("/api/v1/cases/{case_id}/mandates"));
    for (iban, bic, field, code, value) in [
        ("TR330006100519786457841326", "AGRIFRPP882", "iban", "invalid_iban", "TR330006100519786457841326"),
        ("FR7630006000011234567890189", "AGRI-FRPP", "bic", "invalid_bic", "AGRI-FRPP"),
    ] {
        let body = json!({"rum": "RUM-ID-1", "iban": iban, "bic": bic, "signed_on": today(), "sequence": "recurrent", "version": version});
        let (status, body) = send(client.post(&url).bearer_auth(&token).json(&body)).await;
        assert_refused(status, &body, field, code, value);
    }
}
