//! Amendments of SEPA mandates (issue 21, item 2), over HTTP and the export on the engine under
//! test: a new IBAN at the same bank or a new RUM is reported on the next collection with the
//! original values; a new IBAN at another bank says `SMNDA`; each pain.008 stays schema-valid;
//! the history shows the amendments and which file reported them; bad input names the field.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use recouvre_app::Actor;
use recouvre_domain::authority::Role;
use recouvre_domain::bank_account::{french_iban, rib_key};
use recouvre_domain::calendar;
use recouvre_iso20022::{Message, Pain008Version};
use recouvre_store::{sql, Store};
use recouvre_testkit::{app_on, today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const FIRST_IBAN: &str = "FR7630006000011234567890189";

/// The XML without its indentation, to look for nested elements.
fn flat(xml: &str) -> String {
    xml.lines().map(str::trim).collect()
}

async fn version(store: &Store, case_id: i64) -> i64 {
    recouvre_store::cases::detail(store, case_id).await.unwrap().version
}

#[tokio::test]
async fn an_amended_mandate_is_reported_on_its_next_collection() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, "correct-horse-battery").await;
    let token = app.db.token(officer).await;
    app.db.seed(20, &["camille"]).await;
    let store = &app.db.store;
    let client = reqwest::Client::new();
    let send = |path: String, body: Value| {
        let request = client.post(app.url(&path)).bearer_auth(&token).json(&body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let ids: Vec<i64> =
        sql::query_scalar("SELECT id FROM cases WHERE status <> 'closed' AND total_cents > 100000 ORDER BY id LIMIT 2")
            .fetch_all(store)
            .await
            .unwrap();
    let (case_id, other_case) = (ids[0], ids[1]);
    let amend = |body: Value| send(format!("/api/v1/cases/{case_id}/mandates/amendment"), body);

    // No mandate yet: nothing to amend.
    let (status, body) = amend(json!({"iban": FIRST_IBAN, "version": version(store, case_id).await})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("no_active_mandate")), "{body}");

    let (status, created) = send(
        format!("/api/v1/cases/{case_id}/mandates"),
        json!({"rum": "RUM-AM-1", "iban": FIRST_IBAN, "bic": "AGRIFRPP882", "signed_on": today(), "sequence": "recurrent", "version": version(store, case_id).await}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mandate_id = created["id"].as_i64().unwrap();
    // Pre-notified by the plan's schedule today: 14 days ahead (issue 21).
    let due = calendar::target2_business_day_on_or_after(today() + Duration::days(14));
    let dates = [due, due + Duration::days(31), due + Duration::days(62)];
    let (status, body) = send(
        format!("/api/v1/cases/{case_id}/plans"),
        json!({"version": version(store, case_id).await, "mandate_id": mandate_id,
               "instalments": dates.iter().map(|d| json!({"due_on": d, "amount": "40.00"})).collect::<Vec<_>>()}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let app_layer = app_on(store).await;
    let export = |date, version| {
        let app_layer = &app_layer;
        async move {
            recouvre_app::direct_debits::export(app_layer, &Actor::system("camille"), date, version)
                .await
                .unwrap()
                .file
                .expect("an instalment is due")
                .0
        }
    };
    let first = export(dates[0], Pain008Version::V02).await;
    assert!(first.contains("<SeqTp>FRST</SeqTp>") && !first.contains("AmdmntInd"), "{first}");

    // Refusals name the field; an amendment that changes nothing is refused.
    let v = version(store, case_id).await;
    for (body, status, code, field) in [
        (json!({"iban": "NOT-AN-IBAN", "version": v}), StatusCode::BAD_REQUEST, "invalid_iban", Some("iban")),
        (json!({"bic": "AGRI", "version": v}), StatusCode::BAD_REQUEST, "invalid_bic", Some("bic")),
        (json!({"rum": "RUM AM 2", "version": v}), StatusCode::BAD_REQUEST, "invalid_mandate", Some("rum")),
        (json!({"version": v}), StatusCode::BAD_REQUEST, "nothing_to_amend", None),
        (json!({"iban": FIRST_IBAN, "version": v}), StatusCode::CONFLICT, "nothing_to_amend", None),
    ] {
        let (got, error) = amend(body.clone()).await;
        assert_eq!(
            (got, error["code"].as_str(), error["field"].as_str()),
            (status, Some(code), field),
            "{body}: {error}"
        );
    }
    // Another account at the same bank (30006), then a new reference.
    let key = format!("{:02}", rib_key("30006", "00001", "98765432101"));
    let same_bank = french_iban("30006", "00001", "98765432101", &key);
    let (status, body) = amend(json!({"iban": same_bank, "version": version(store, case_id).await})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = amend(json!({"rum": "RUM-AM-2", "version": version(store, case_id).await})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A reference another mandate has is refused.
    let (status, body) = send(
        format!("/api/v1/cases/{other_case}/mandates"),
        json!({"rum": "RUM-AM-OTHER", "iban": FIRST_IBAN, "signed_on": today(), "sequence": "recurrent", "version": version(store, other_case).await}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = amend(json!({"rum": "rum-am-other", "version": version(store, case_id).await})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("mandate_reference_taken")), "{body}");

    let second_date = calendar::next_target2_business_day(dates[1]);
    let second = flat(&export(second_date, Pain008Version::V08).await);
    recouvre_iso20022::validate(Message::Pain008V08, second.as_bytes()).unwrap();
    assert!(second.contains("<MndtId>RUM-AM-2</MndtId>") && second.contains("<AmdmntInd>true</AmdmntInd>"), "{second}");
    assert!(second.contains("<OrgnlMndtId>RUM-AM-1</OrgnlMndtId>"), "{second}");
    assert!(second.contains(&format!("<OrgnlDbtrAcct><Id><IBAN>{FIRST_IBAN}</IBAN></Id></OrgnlDbtrAcct>")), "{second}");
    assert!(second.contains(&format!("<DbtrAcct><Id><IBAN>{same_bank}</IBAN>")), "{second}");
    assert!(!second.contains("SMNDA"), "same bank: {second}");

    // The history: both amendments, reported by that file.
    let history: Value = client
        .get(app.url(&format!("/api/v1/cases/{case_id}/mandates/amendments")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!((&history[0]["original_iban"], &history[0]["iban"]), (&json!(FIRST_IBAN), &json!(same_bank)));
    assert_eq!((&history[1]["original_rum"], &history[1]["rum"]), (&json!("RUM-AM-1"), &json!("RUM-AM-2")));
    assert!(history.iter().all(|a| a["reported_in"].as_str().is_some_and(|m| m.starts_with("RCV-DD-"))), "{history:?}");

    // Another bank: SMNDA, without the original account; once reported, no longer repeated.
    let (status, body) =
        amend(json!({"iban": "DE89 3704 0044 0532 0130 00", "bic": "", "version": version(store, case_id).await}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let third = flat(&export(calendar::next_target2_business_day(dates[2]), Pain008Version::V02).await);
    recouvre_iso20022::validate(Message::Pain008V02, third.as_bytes()).unwrap();
    assert!(third.contains("<AmdmntInd>true</AmdmntInd>") && third.contains("<Id>SMNDA</Id>"), "{third}");
    // The plan's last instalment, but the first at the new bank: FRST, not FNAL (issue 21).
    assert!(third.contains("<SeqTp>FRST</SeqTp>") && !third.contains("FNAL"), "{third}");
    assert!(!third.contains("OrgnlDbtrAcct") && !third.contains("OrgnlMndtId"), "{third}");
    assert!(third.contains("<IBAN>DE89370400440532013000</IBAN>"), "{third}");
    let timeline: i64 =
        sql::query_scalar("SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'mandate_amended'")
            .bind(case_id)
            .fetch_one(store)
            .await
            .unwrap();
    assert_eq!(timeline, 3);
}

/// The mandate page linked from the case page: record a mandate, amend it, see the history; a
/// bad IBAN is refused naming it.
#[tokio::test]
async fn the_case_mandate_page_records_and_amends_a_mandate() {
    use recouvre_testkit::hidden_value;
    let app = TestApp::spawn().await;
    app.db.user("camille", Role::Officer, "correct-horse-battery").await;
    app.db.seed(6, &["camille"]).await;
    let store = &app.db.store;
    let case_id: i64 = sql::query_scalar("SELECT id FROM cases WHERE status <> 'closed' ORDER BY id LIMIT 1")
        .fetch_one(store)
        .await
        .unwrap();
    let browser = app.login("camille", "correct-horse-battery").await;
    let page_url = app.url(&format!("/dossiers/{case_id}/mandat"));
    let case_page = browser.get(app.url(&format!("/dossiers/{case_id}"))).send().await.unwrap().text().await.unwrap();
    assert!(case_page.contains(&format!("href=\"/dossiers/{case_id}/mandat\"")), "the case page links to it");
    let page = browser.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"no-mandate\"") && !page.contains("id=\"amendment-form\""), "{page}");
    let csrf = hidden_value(&page, "csrf").unwrap();
    let post = |url: String, fields: Vec<(&'static str, String)>| {
        let request = browser.post(url).form(&fields);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let record = |iban: &str, version: i64| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.to_string()),
            ("rum", "RUM-PAGE-1".to_string()),
            ("iban", iban.to_string()),
            ("bic", String::new()),
            ("signed_on", today().to_string()),
            ("sequence", "recurrent".to_string()),
        ]
    };
    let (status, body) = post(page_url.clone(), record("NOT-AN-IBAN", version(store, case_id).await)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("IBAN du débiteur") && body.contains("NOT-AN-IBAN"), "{body}");
    let (status, _) =
        post(page_url.clone(), record("FR76 3000 6000 0112 3456 7890 189", version(store, case_id).await)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let amendment = vec![
        ("csrf", csrf.clone()),
        ("version", version(store, case_id).await.to_string()),
        ("rum", String::new()),
        ("iban", "DE89370400440532013000".to_string()),
        ("bic", String::new()),
    ];
    let (status, _) = post(format!("{page_url}/modification"), amendment).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = browser.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("RUM-PAGE-1") && page.contains("id=\"amendment-list\""), "{page}");
    assert!(page.contains("Autre banque (SMNDA)") && page.contains("au prochain prélèvement"), "{page}");
    assert!(page.contains("DE89 3704 0044 0532 0130 00"), "IBANs in groups of four: {page}");
}
