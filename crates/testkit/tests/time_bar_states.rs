//! The stored time-bar state of each case and claim (issue 18): kept true by the writes that move
//! it, read by the nightly run instead of re-deriving the history, derived and stored by the night
//! for a case that has none. On the engine under test.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use recouvre_domain::authority::Role;
use recouvre_domain::reference::ReferenceData;
use recouvre_store::batch::{self, RunOptions, Silent};
use recouvre_store::time_bar_states::{self, StateCheck};
use recouvre_store::{sql, Store};
use recouvre_testkit::{today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

/// Three debtors: case 1 (a consumer loan and a second contract of the same debtor), case 2 (a
/// consumer loan), case 3 (a mortgage).
async fn app_with_cases() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 3).await;
    let due = today() - Duration::days(300);
    let file = format!(
        "{HEADER}\nC1;Bernard;Luc;2 rue;69003;Lyon;personal_loan;TS-1;12000.00;{due};2100.00\n\
         C1;Bernard;Luc;2 rue;69003;Lyon;overdraft;TS-4;900.00;{};2100.00\n\
         C2;Morel;Ines;4 rue;69003;Lyon;personal_loan;TS-2;8000.00;{due};2100.00\n\
         C3;Petit;Ana;6 rue;69003;Lyon;mortgage;TS-3;90000.00;{due};2100.00\n",
        due - Duration::days(40)
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let token = app.db.token(officer).await;
    (app, token)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// `body` with the case's current version, as a client that just read the case sends it.
async fn current(app: &TestApp, case_id: i64, mut body: Value) -> Value {
    body["version"] = json!(recouvre_store::cases::detail(&app.db.store, case_id).await.unwrap().version);
    body
}

async fn pay(app: &TestApp, token: &str, case_id: i64, on: NaiveDate, reference: &str) {
    let body = current(app, case_id, json!({"amount": "100.00", "received_on": on, "reference": reference})).await;
    let (status, body) = post(app, token, &format!("/api/v1/cases/{case_id}/payments"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn step(app: &TestApp, token: &str, case_id: i64, kind: &str, step: &str, on: NaiveDate) {
    let input = json!({"amount": "10.00", "scheduled_on": today() + Duration::days(30)});
    let body = current(app, case_id, json!({"kind": kind, "step": step, "on": on, "input": input})).await;
    let (status, body) = post(app, token, &format!("/api/v1/cases/{case_id}/procedures"), body).await;
    assert_eq!(status, StatusCode::OK, "case {case_id}, {kind}:{step}: {body}");
}

/// Every stored state compared with a fresh derivation of its case's history.
async fn check(store: &Store) -> StateCheck {
    time_bar_states::check(store, 1, i64::MAX, today()).await.unwrap()
}

/// The stored limitation date of a case (the case as the strategy and the night see it).
async fn stored_limitation(store: &Store, case_id: i64) -> Option<NaiveDate> {
    sql::query_scalar("SELECT limitation_date FROM case_time_bars WHERE case_id = $1")
        .bind(case_id)
        .fetch_one(store)
        .await
        .unwrap()
}

async fn run_night(store: &Store, as_of: NaiveDate) -> batch::RunTotals {
    let options = RunOptions { chunk_cases: 2, ..RunOptions::new(as_of) };
    batch::run(store, &options, Arc::new(ReferenceData::embedded()), Arc::new(Silent)).await.unwrap().0
}

/// After each action over the API — payments, a payment order to its title, a seizure, an
/// over-indebtedness file declared admissible then a plan, a payment plan — every case's and
/// every claim's stored state equals a fresh derivation of its history: the writes that move the
/// time bars update them in their own transaction.
#[tokio::test]
async fn the_stored_state_follows_every_action_over_the_api() {
    let (app, token) = app_with_cases().await;
    let claims: i64 = sql::query_scalar("SELECT COUNT(*) FROM claims").fetch_one(&app.db.store).await.unwrap();
    let stored: i64 = sql::query_scalar("SELECT COUNT(*) FROM claim_time_bars").fetch_one(&app.db.store).await.unwrap();
    assert_eq!(stored, claims, "intake stores every claim's state");
    let fresh = check(&app.db.store).await;
    assert!(fresh.cases >= 3 && fresh.claims == u64::try_from(claims).unwrap(), "{fresh:?}");
    assert_eq!(fresh.mismatches, vec![], "after intake");

    let case_of = |contract: &'static str| {
        let store = app.db.store.clone();
        async move {
            sql::query_scalar::<i64>("SELECT case_id FROM claims WHERE contract_ref = $1")
                .bind(contract)
                .fetch_one(&store)
                .await
                .unwrap()
        }
    };
    let (payer, titled, suspended) = (case_of("TS-1").await, case_of("TS-2").await, case_of("TS-3").await);

    // Payments by hand: each one starts two new years (C. civ. 2240, C. consom. L218-2).
    let before = stored_limitation(&app.db.store, payer).await;
    pay(&app, &token, payer, today() - Duration::days(60), "VIR-1").await;
    pay(&app, &token, payer, today() - Duration::days(30), "VIR-2").await;
    let after = stored_limitation(&app.db.store, payer).await;
    assert_ne!(after, before, "the payments moved the stored date");
    assert_eq!(after, Some(recouvre_domain::calendar::add_months_clamped(today() - Duration::days(30), 24)));
    assert_eq!(check(&app.db.store).await.mismatches, vec![], "after the payments");

    // A payment order: filed (pending, no date), granted, served, enforceable (ten years), then
    // a bank seizure under the title (ten new years, C. civ. 2244).
    let on = |days: i64| today() - Duration::days(days);
    step(&app, &token, titled, "payment_order", "prepare_request", on(200)).await;
    step(&app, &token, titled, "payment_order", "file_request", on(199)).await;
    assert_eq!(stored_limitation(&app.db.store, titled).await, None, "pending court claim (2242)");
    assert_eq!(check(&app.db.store).await.mismatches, vec![], "after the request");
    step(&app, &token, titled, "payment_order", "record_order_granted", on(170)).await;
    step(&app, &token, titled, "payment_order", "serve_order", on(150)).await;
    step(&app, &token, titled, "payment_order", "record_enforceable", on(100)).await;
    assert_eq!(check(&app.db.store).await.mismatches, vec![], "after the title");
    step(&app, &token, titled, "enforcement_bank", "serve_bank_seizure", on(20)).await;
    assert_eq!(
        stored_limitation(&app.db.store, titled).await,
        Some(recouvre_domain::calendar::add_months_clamped(on(20), 120)),
        "ten years from the seizure"
    );
    assert_eq!(check(&app.db.store).await.mismatches, vec![], "after the seizure");

    // Over-indebtedness: admissible (suspended: no date), then the conventional plan.
    step(&app, &token, suspended, "over_indebtedness", "record_file_lodged", on(90)).await;
    step(&app, &token, suspended, "over_indebtedness", "record_admissible", on(80)).await;
    assert_eq!(stored_limitation(&app.db.store, suspended).await, None, "suspended (2234)");
    assert_eq!(check(&app.db.store).await.mismatches, vec![], "during the suspension");
    step(&app, &token, suspended, "over_indebtedness", "record_conventional_plan", on(10)).await;
    assert!(stored_limitation(&app.db.store, suspended).await.is_some(), "the plan ends the suspension");
    assert_eq!(check(&app.db.store).await.mismatches, vec![], "after the plan");

    // A payment plan agreed with the first debtor.
    let first = today() + Duration::days(5);
    let instalments: Vec<Value> = (0..6)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "500.00"}))
        .collect();
    let body = current(&app, payer, json!({"instalments": instalments})).await;
    let (status, body) = post(&app, &token, &format!("/api/v1/cases/{payer}/plans"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let last = check(&app.db.store).await;
    assert_eq!(last.mismatches, vec![], "after the plan");
    assert_eq!(last.claims, u64::try_from(claims).unwrap());
}

/// The night reads the stored state, not the history: a stored limitation date put twenty days
/// ahead by hand (the history says almost two years) is announced by the night at its threshold,
/// with that date. A case whose state was removed is derived from its history and stored again
/// by the night (a database older than the table).
#[tokio::test]
async fn the_night_reads_the_stored_state_and_stores_the_missing_ones() {
    let (app, _) = app_with_cases().await;
    let as_of = today();
    let fresh = check(&app.db.store).await;
    assert_eq!(fresh.mismatches, vec![]);
    let tampered = as_of + Duration::days(20);
    app.db
        .dba_execute(&[
            &format!("UPDATE case_time_bars SET limitation_date = '{tampered}' WHERE case_id = 1"),
            "DELETE FROM claim_time_bars WHERE case_id = 2",
            "DELETE FROM case_time_bars WHERE case_id = 2",
        ])
        .await;
    let totals = run_night(&app.db.store, as_of).await;
    assert!(totals.finished, "{totals:?}");

    let events = recouvre_store::journal::events(&app.db.store, 1).await.unwrap();
    let warnings: Vec<&str> =
        events.iter().filter(|event| event.kind == "limitation_warning").map(|event| event.payload.as_str()).collect();
    assert_eq!(warnings.len(), 1, "the stored date is announced: {warnings:?}");
    assert!(warnings[0].contains(&format!("\"date\":\"{tampered}\"")), "{}", warnings[0]);
    let agenda: Vec<(String, NaiveDate)> = sql::query_as(
        "SELECT code, due_on FROM agenda_items WHERE case_id = 1 AND kind = 'deadline' AND status = 'open'",
    )
    .fetch_all(&app.db.store)
    .await
    .unwrap();
    assert!(agenda.contains(&("limitation".to_string(), tampered)), "{agenda:?}");

    // Case 2 had no state: the night derived it and stored it, with its claims'.
    let stored: i64 = sql::query_scalar("SELECT COUNT(*) FROM case_time_bars WHERE case_id = 2")
        .fetch_one(&app.db.store)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let after = check(&app.db.store).await;
    let mismatched: Vec<(i64, Option<i64>)> =
        after.mismatches.iter().map(|mismatch| (mismatch.case_id, mismatch.claim_id)).collect();
    assert_eq!(mismatched, vec![(1, None)], "only the tampered case differs: {after:?}");
    assert!(events_of(&app.db.store, 2, "limitation_warning").await.is_empty(), "case 2's date is far");
}

async fn events_of(store: &Store, case_id: i64, kind: &str) -> Vec<String> {
    let events = recouvre_store::journal::events(store, case_id).await.unwrap();
    events.into_iter().filter(|event| event.kind == kind).map(|event| event.payload).collect()
}
