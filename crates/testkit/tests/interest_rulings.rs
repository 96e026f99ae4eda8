#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What a judgment decides about interest (issue 18, part 2), over HTTP: the enforceability
//! recorded after months were booked corrects them (CMF L313-3 al. 1), the judge's exemption or
//! reduction of the increase (al. 2) credits back or reduces what was booked and what follows,
//! and capitalisation (C. civ. 1343-2) is refused for consumer and real-estate credit
//! (C. consom. L312-38) unless the bank's policy allows the claim's nature, when each full
//! year's interest becomes capital and bears interest. Every expected amount comes from an
//! independent computation of the rule in this file, not from the product's functions.

use chrono::{Datelike, NaiveDate, Utc};
use recouvre_domain::authority::Role;
use recouvre_domain::Money;
use recouvre_store::sql;
use recouvre_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Two overdraft cases of 12 000 € (no contractual rate: the statutory rate from the formal
/// notice), opened on 1 September 2025.
async fn app_with_two_cases() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 1).await;
    let opened_on = date("2025-09-01");
    let file = format!(
        "{HEADER}\nC1;Bernard;Luc;2 rue;69003;Lyon;overdraft;TB-1;12000.00;{opened_on};2100.00\n\
         C2;Morel;Ines;4 rue;69003;Lyon;overdraft;TB-2;12000.00;{opened_on};2100.00\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    sql::query("UPDATE cases SET opened_on = $1").bind(opened_on).execute(&app.db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1")
        .bind(opened_on)
        .execute(&app.db.dba().await)
        .await
        .unwrap();
    let officer = app.db.token(officer).await;
    (app, officer)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn version_of(app: &TestApp, case_id: i64) -> i64 {
    recouvre_store::cases::detail(&app.db.store, case_id).await.unwrap().version
}

async fn step(app: &TestApp, token: &str, case_id: i64, kind: &str, step: &str, on: &str) {
    let body = json!({"kind": kind, "step": step, "on": date(on), "version": version_of(app, case_id).await,
        "input": {"amount": "10.00"}});
    let (status, body) = post(app, token, &format!("/api/v1/cases/{case_id}/procedures"), body).await;
    assert_eq!(status, StatusCode::OK, "case {case_id}, {kind}:{step}: {body}");
}

/// Formal notice on 1 October 2025, then a payment order granted and served on 5 January 2026:
/// the opposition month ends on 5 February, so the order is enforceable from 6 February
/// (CPC 1416, 1422) once the step records it.
async fn up_to_service(app: &TestApp, token: &str, case_id: i64) {
    step(app, token, case_id, "amicable", "send_formal_notice", "2025-10-01").await;
    step(app, token, case_id, "payment_order", "prepare_request", "2025-11-03").await;
    step(app, token, case_id, "payment_order", "file_request", "2025-11-04").await;
    step(app, token, case_id, "payment_order", "record_order_granted", "2025-12-01").await;
    step(app, token, case_id, "payment_order", "serve_order", "2026-01-05").await;
}

async fn night(app: &TestApp, as_of: &str) {
    let options = recouvre_store::batch::RunOptions::new(date(as_of));
    let reference = std::sync::Arc::new(recouvre_domain::reference::ReferenceData::embedded());
    recouvre_store::batch::run(&app.db.store, &options, reference, std::sync::Arc::new(recouvre_store::batch::Silent))
        .await
        .unwrap();
}

async fn booked(app: &TestApp, token: &str, case_id: i64, account: &str) -> Money {
    let body = get(app, token, &format!("/api/v1/cases/{case_id}")).await;
    body["breakdown"][account].as_str().unwrap().parse().unwrap()
}

async fn ruling(app: &TestApp, token: &str, case_id: i64, fields: Value) -> (StatusCode, Value) {
    let mut body = json!({"decided_on": "2026-05-06", "court": "JEX du tribunal judiciaire de Lyon",
        "reference": "RG 26/01234", "increase_points": "5", "version": version_of(app, case_id).await});
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    post(app, token, &format!("/api/v1/cases/{case_id}/interest-rulings"), body).await
}

async fn events(app: &TestApp, case_id: i64, kind: &str) -> Vec<Value> {
    let rows: Vec<(String,)> =
        sql::query_as("SELECT payload FROM case_events WHERE case_id = $1 AND kind = $2 ORDER BY sequence")
            .bind(case_id)
            .bind(kind)
            .fetch_all(&app.db.store)
            .await
            .unwrap();
    rows.into_iter().map(|(payload,)| serde_json::from_str(&payload).unwrap()).collect()
}

/// The reference: each month's statutory interest from `from` to `to` (included) as the law
/// states it, in integers. A day after the formal notice (1 October 2025) bears capital cents ×
/// (the semester's rate for "other" creditors + the increase points of the day, in hundredths of
/// a percent) ÷ (100 × 100 × days of the year); a month is rounded once, half-up. The rates are
/// read from the embedded table of the published rates; the second half of 2026, not published
/// when the table was made, is the one the capitalisation test enters (2.50 %).
fn months(capital_cents: i64, from: &str, to: &str, points: impl Fn(NaiveDate) -> i128) -> Vec<i64> {
    let table = recouvre_domain::reference::ReferenceData::embedded();
    let (mut day, to) = (date(from), date(to));
    let mut result = Vec::new();
    while day <= to {
        let month = day.month();
        let days_in_year: i128 = if NaiveDate::from_ymd_opt(day.year(), 2, 29).is_some() { 366 } else { 365 };
        let mut numerator: i128 = 0;
        while day <= to && day.month() == month {
            if day > date("2025-10-01") {
                let semester = recouvre_domain::reference::Semester::of(day);
                let base = table.statutory_rate(semester).map_or(rust_decimal::Decimal::new(250, 2), |rate| rate.other);
                let base: i128 = (base * rust_decimal::Decimal::from(100)).try_into().unwrap();
                numerator += i128::from(capital_cents) * (base + points(day));
            }
            day = day.succ_opt().unwrap();
        }
        let denominator = 100 * 100 * days_in_year;
        result.push(i64::try_from((2 * numerator + denominator) / (2 * denominator)).unwrap());
    }
    result
}

fn cents(months: &[i64]) -> Money {
    Money::from_cents(months.iter().sum())
}

/// Enforceable from 6 February 2026: two months later is 6 April, the increase runs from 7 April.
fn increase_from_7_april(day: NaiveDate) -> i128 {
    if day >= date("2026-04-07") {
        500
    } else {
        0
    }
}

/// CMF L313-3: the enforceability recorded after April was booked books the five points missed
/// from 7 April; the judge's exemption recorded after credits them back and stops the increase
/// (recorded twice, it books nothing more); a reduced increase (two points) applies from its day.
#[tokio::test]
async fn late_enforceability_and_the_judges_ruling_correct_the_booked_months() {
    let (app, officer) = app_with_two_cases().await;
    let capital = 1_200_000;
    // Case 2: enforceable recorded in time; the judge reduces the increase to two points from
    // 1 May before anything is booked.
    up_to_service(&app, &officer, 2).await;
    step(&app, &officer, 2, "payment_order", "record_enforceable", "2026-02-10").await;
    let (status, body) =
        ruling(&app, &officer, 2, json!({"increase_points": "2", "increase_from": "2026-05-01"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["corrected"], "0.00", "nothing was booked yet: {body}");
    up_to_service(&app, &officer, 1).await;
    // No enforceable decision yet: nothing to exempt from.
    let (status, body) = ruling(&app, &officer, 1, json!({"increase_points": "0"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "no_enforceable_decision", "{body}");

    // October to April booked while the enforceability was not known: no increase.
    night(&app, "2026-04-30").await;
    let without = months(capital, "2025-10-01", "2026-04-30", |_| 0);
    assert_eq!(booked(&app, &officer, 1, "statutory_interest").await, cents(&without));

    // Recorded on 5 May: enforceable since 6 February, the increase ran from 7 April. April is
    // recomputed and the difference booked, with its event.
    step(&app, &officer, 1, "payment_order", "record_enforceable", "2026-05-05").await;
    let with = months(capital, "2025-10-01", "2026-04-30", increase_from_7_april);
    assert!(with[6] > without[6], "April gains the increase");
    assert_eq!(booked(&app, &officer, 1, "statutory_interest").await, cents(&with));
    let corrected = events(&app, 1, "interest_corrected").await;
    assert_eq!(corrected.len(), 1, "{corrected:?}");
    let missed = Money::from_cents(with[6] - without[6]);
    assert_eq!(corrected[0]["difference"], json!(missed.to_string()), "{corrected:?}");
    assert_eq!(corrected[0]["periods"][0]["from"], "2026-04-01");
    assert_eq!(corrected[0]["periods"][0]["to"], "2026-04-30");

    // Bad input names the field.
    let (status, body) = ruling(&app, &officer, 1, json!({"increase_points": "7"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "increase_points", "{body}");
    // Capitalisation is refused: an overdraft is consumer credit (C. consom. L312-38).
    let (status, body) = ruling(&app, &officer, 1, json!({"capitalisation_from": "2025-10-02"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "capitalisation_forbidden", "{body}");
    assert!(body.to_string().contains("L312-38"), "{body}");

    // The judge exempts the debtor: the five points booked are credited back.
    let (status, body) = ruling(&app, &officer, 1, json!({"increase_points": "0"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["corrected"], json!((-missed).to_string()), "{body}");
    assert_eq!(booked(&app, &officer, 1, "statutory_interest").await, cents(&without));
    // The same ruling again books nothing.
    let (status, body) = ruling(&app, &officer, 1, json!({"increase_points": "0"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["corrected"], "0.00", "{body}");
    assert_eq!(events(&app, 1, "interest_corrected").await.len(), 2);
    assert_eq!(events(&app, 1, "interest_increase_ruling").await.len(), 2);
    // The case shows it, and May is booked without the increase.
    let case = get(&app, &officer, "/api/v1/cases/1").await;
    assert_eq!(case["accrued_interest"]["ruling"]["increase_points"], "0", "{case}");
    assert_eq!(case["accrued_interest"]["ruling"]["reference"], "RG 26/01234", "{case}");
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("exonéré de la majoration"), "the case page shows the ruling");
    assert!(page.contains("id=\"ruling-form\""), "the case page offers the form");
    // The form: a bad value is shown again beside its field (400), a good one redirects.
    let csrf = recouvre_testkit::hidden_value(&page, "csrf").unwrap();
    let version = version_of(&app, 1).await.to_string();
    let form = |points: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("decided_on", "2026-05-07".to_string()),
            ("court", "JEX de Lyon".to_string()),
            ("reference", "RG 26/09999".to_string()),
            ("increase_points", points.to_string()),
        ]
    };
    let refused = browser.post(app.url("/dossiers/1/decision-interets")).form(&form("9")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let text = refused.text().await.unwrap();
    assert!(text.contains("id=\"ruling-increase_points-error\""), "the error beside its field");
    assert!(text.contains("RG 26/09999"), "what was typed is shown again");
    let recorded = browser.post(app.url("/dossiers/1/decision-interets")).form(&form("0")).send().await.unwrap();
    assert!(recorded.status().is_redirection(), "{}", recorded.status());
    let location = recorded.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/dossiers/1#interest-ruling");
    assert_eq!(events(&app, 1, "interest_increase_ruling").await.len(), 3);

    night(&app, "2026-05-31").await;
    let exempted = months(capital, "2025-10-01", "2026-05-31", |_| 0);
    assert_eq!(booked(&app, &officer, 1, "statutory_interest").await, cents(&exempted));
    let reduced = months(capital, "2025-10-01", "2026-05-31", |day| match day {
        day if day >= date("2026-05-01") => 200,
        day => increase_from_7_april(day),
    });
    assert_eq!(booked(&app, &officer, 2, "statutory_interest").await, cents(&reduced));
}

/// C. civ. 1343-2 with the policy allowing overdrafts: the interest of the year from
/// 2 October 2025 becomes capital on 2 October 2026 and bears interest from that day.
#[tokio::test]
async fn with_the_policy_on_a_year_of_interest_becomes_capital() {
    let (app, officer) = app_with_two_cases().await;
    let policy = include_str!("../../domain/data/procedure_policy.toml")
        .replace("capitalisation_natures = []", "capitalisation_natures = [\"overdraft\"]");
    assert!(policy.contains("[\"overdraft\"]"));
    recouvre_store::reference::add(&app.db.store, "procedure_policy", &policy, "admin", Utc::now()).await.unwrap();
    let rate = json!({"semester": "2026-2", "individual": "6.50", "other": "2.50", "source": "Arrêté de test"});
    recouvre_store::reference::add(&app.db.store, "statutory_rate", &rate.to_string(), "admin", Utc::now())
        .await
        .unwrap();
    up_to_service(&app, &officer, 1).await;
    step(&app, &officer, 1, "payment_order", "record_enforceable", "2026-02-10").await;
    let (status, body) = ruling(&app, &officer, 1, json!({"capitalisation_from": "2025-10-02"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    night(&app, "2026-10-31").await;

    let capital = 1_200_000;
    // The year: 2 October 2025 to 1 October 2026, booked month by month (the last month cut on
    // 1 October).
    let year = cents(&months(capital, "2025-10-01", "2026-10-01", increase_from_7_april));
    let capitalised = events(&app, 1, "interest_capitalised").await;
    assert_eq!(capitalised.len(), 1, "{capitalised:?}");
    assert_eq!(capitalised[0]["amount"], json!(year.to_string()), "{capitalised:?}");
    assert_eq!(capitalised[0]["on"], "2026-10-02");
    assert_eq!(booked(&app, &officer, 1, "principal").await, Money::from_cents(capital) + year);
    // From 2 October the capital is 12 000 € plus the year's interest.
    let after = cents(&months(capital + year.cents(), "2026-10-02", "2026-10-31", increase_from_7_april));
    assert_eq!(booked(&app, &officer, 1, "statutory_interest").await, after);
    // Case 2 (no ruling) bears no capitalisation.
    assert!(events(&app, 2, "interest_capitalised").await.is_empty());
}

/// C. civ. 1231-6: a formal notice recorded after the months it starts the statutory interest of
/// were passed over by the nights (nothing to book then) books those months, each rounded once,
/// in the step's transaction.
#[tokio::test]
async fn a_formal_notice_recorded_late_books_the_months_passed_over() {
    let (app, officer) = app_with_two_cases().await;
    let capital = 1_200_000;
    night(&app, "2025-11-30").await;
    assert_eq!(booked(&app, &officer, 1, "statutory_interest").await, Money::ZERO, "no formal notice yet");
    // Sent on 1 October, recorded in December.
    step(&app, &officer, 1, "amicable", "send_formal_notice", "2025-10-01").await;
    let due = months(capital, "2025-10-01", "2025-11-30", |_| 0);
    assert_eq!(due.len(), 2);
    assert!(due.iter().all(|cents| *cents > 0), "{due:?}");
    assert_eq!(booked(&app, &officer, 1, "statutory_interest").await, cents(&due));
    let corrected = events(&app, 1, "interest_corrected").await;
    assert_eq!(corrected.len(), 1, "{corrected:?}");
    assert_eq!(corrected[0]["because"], "formal_notice", "{corrected:?}");
    // The other case, without a formal notice, has nothing booked.
    assert_eq!(booked(&app, &officer, 2, "statutory_interest").await, Money::ZERO);
}
