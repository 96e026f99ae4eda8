//! A consumer credit's foreclosure from its schedule (issue 18, item 1; C. consom. R312-35,
//! C. civ. 1342-10): the instalments outstanding at intake (from core banking's first
//! unregularised incident to the acceleration, then the accelerated capital), payments applied to
//! the oldest first, a payment plan agreed resetting the start to the plan's first unpaid
//! instalment. Over HTTP, on the engine under test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, Months, NaiveDate, Utc};
use recouvre_domain::authority::Role;
use recouvre_store::{sql, Store};
use recouvre_testkit::{today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";

async fn post(app: &TestApp, token: &str, path: &str, mut body: Value) -> (StatusCode, Value) {
    body["version"] = json!(recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version);
    let response = reqwest::Client::new().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The stored foreclosure date of claim 1 and of case 1.
async fn foreclosure(store: &Store) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let claim = sql::query_scalar("SELECT foreclosure_date FROM claim_time_bars WHERE claim_id = 1")
        .fetch_one(store)
        .await
        .unwrap();
    let case = sql::query_scalar("SELECT foreclosure_date FROM case_time_bars WHERE case_id = 1")
        .fetch_one(store)
        .await
        .unwrap();
    (claim, case)
}

fn two_years_after(day: NaiveDate) -> NaiveDate {
    day.checked_add_months(Months::new(24)).unwrap()
}

#[tokio::test]
async fn payments_cover_the_oldest_instalments_and_a_plan_resets_the_foreclosure() {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 3).await;
    let token = app.db.token(officer).await;
    // A loan of twelve monthly instalments of 100 € on the 5th, the first fourteen months ago; the
    // first two were paid (core banking's first incident is the third), the term was forfeited
    // on the seventh's due date with 2 000 € of capital owed.
    let this_month = NaiveDate::from_ymd_opt(today().year(), today().month(), 5).unwrap();
    let due =
        |i: u32| this_month.checked_sub_months(Months::new(14)).unwrap().checked_add_months(Months::new(i)).unwrap();
    let accounts = format!(
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income;first_incident_on\n\
         C1;Bernard;Luc;2 rue;69003;Lyon;personal_loan;PL-1;2000.00;{};2100.00;{}\n",
        due(6),
        due(2)
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &accounts, "system:test", Utc::now())
        .await
        .unwrap();
    let mut parties = String::from(
        "record;contract_ref;role;customer_number;last_name;first_name;address;postcode;city;kind;description;amount;guarantor_body;account_number;balance;due_on\n",
    );
    for i in 0..12 {
        parties.push_str(&format!("schedule;PL-1;;;;;;;;;;100,00;;;;{}\n", due(i).format("%d/%m/%Y")));
    }
    recouvre_store::imports::import_parties_csv(&app.db.store, "p.csv", &parties, "system:test", Utc::now())
        .await
        .unwrap();
    // Outstanding at intake: the 3rd to 6th instalments, then 1 600 € on the forfeiture.
    assert_eq!(foreclosure(&app.db.store).await, (Some(two_years_after(due(2))), Some(two_years_after(due(2)))));

    // 150 € yesterday: the 3rd instalment paid, the 4th half paid: the first unregularised incident
    // is now the 4th (C. civ. 1342-10).
    let yesterday = today().pred_opt().unwrap();
    let payment = json!({"amount": "150.00", "received_on": yesterday, "reference": "Chèque 1"});
    let (status, body) = post(&app, &token, "/api/v1/cases/1/payments", payment).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(foreclosure(&app.db.store).await, (Some(two_years_after(due(3))), Some(two_years_after(due(3)))));

    // A payment plan agreed today: the foreclosure runs from its first unpaid instalment (R312-35),
    // the payments before the plan no longer count.
    let first_due = today() + chrono::Duration::days(20);
    let instalments: Vec<Value> = (0..4)
        .map(|i| json!({"due_on": first_due.checked_add_months(Months::new(i)).unwrap(), "amount": "100.00"}))
        .collect();
    let (status, body) = post(&app, &token, "/api/v1/cases/1/plans", json!({"instalments": instalments})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(foreclosure(&app.db.store).await, (Some(two_years_after(first_due)), Some(two_years_after(first_due))));

    // What is stored is what a fresh derivation of the history gives.
    let check = recouvre_store::time_bar_states::check(&app.db.store, 1, i64::MAX, today()).await.unwrap();
    assert!(check.mismatches.is_empty(), "{check:?}");
}
