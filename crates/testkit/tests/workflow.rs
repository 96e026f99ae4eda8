//! The recovery workflow over the API (issue 4), on the engine under test: assessment and
//! recommendation, procedures with their deadlines, over-indebtedness suspension, plans above
//! the officer's delegation and four eyes.

use chrono::{NaiveDate, Utc};
use recouvre_domain::authority::Role;
use recouvre_store::sql;
use recouvre_testkit::{today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

async fn app_with_case() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 1).await;
    let lead = app.db.user_with_level("sophie", Role::TeamLead, PASSWORD, 3).await;
    let file = format!(
        "{HEADER}\nC1;Bernard;Luc;2 rue;69003;Lyon;personal_loan;PL-1;12000.00;{};2100.00\n",
        today() - chrono::Duration::days(120)
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let (officer, lead) = (app.db.token(officer).await, app.db.token(lead).await);
    (app, officer, lead)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn step(app: &TestApp, token: &str, kind: &str, step: &str, on: NaiveDate, input: Value) -> (StatusCode, Value) {
    post(app, token, "/api/v1/cases/1/procedures", json!({"kind": kind, "step": step, "on": on, "input": input})).await
}

#[tokio::test]
async fn an_assessment_yields_an_explained_recommendation_the_officer_accepts() {
    let (app, officer, _) = app_with_case().await;
    let assessment = json!({"assessed_on": "2026-02-16", "incomes": {"wages_net_monthly": "2100.00"},
        "charges": {"rent": "650.00"}, "household": {"adults": 1, "dependants": 1}, "assets": {}});
    let (status, body) = post(&app, &officer, "/api/v1/cases/1/assessments", json!({"assessment": assessment})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["result"]["monthly_capacity"].as_str().is_some(), "{body}");
    let recommendation: Value = reqwest::Client::new()
        .get(app.url("/api/v1/cases/1/recommendation"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rule = recommendation["rule_id"].as_str().unwrap();
    assert!(recommendation["explanation"].as_str().unwrap().contains(&format!("règle {rule}")), "{recommendation}");
    let id = recommendation["id"].as_i64().unwrap();
    let (status, _) = post(
        &app,
        &officer,
        "/api/v1/cases/1/recommendation/decision",
        json!({"recommendation_id": id, "override_strategy": "collection_agency"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "an override needs a reason");
    let (status, _) =
        post(&app, &officer, "/api/v1/cases/1/recommendation/decision", json!({"recommendation_id": id})).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<String> =
        recouvre_store::journal::events(&app.db.store, 1).await.unwrap().into_iter().map(|event| event.kind).collect();
    for kind in ["assessment_recorded", "strategy_recommended", "strategy_accepted"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn a_served_payment_order_opens_its_opposition_month_extended_by_article_642() {
    let (app, officer, _) = app_with_case().await;
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    for (name, on) in [("prepare_request", "2026-03-02"), ("file_request", "2026-03-03")] {
        let (status, body) = step(&app, &officer, "payment_order", name, day(on), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
    // Serving an order not yet granted is refused, saying why and what is possible.
    let (status, body) = step(&app, &officer, "payment_order", "serve_order", day("2026-03-20"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.to_string().contains("Étapes possibles"), "{body}");
    let (status, body) =
        step(&app, &officer, "payment_order", "record_order_granted", day("2026-03-30"), json!({"costs": "35.00"}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Granted, not served: the 6-month lapse is a deadline with its warning.
    let procedures: Value = reqwest::Client::new()
        .get(app.url("/api/v1/cases/1/procedures"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lapse = procedures["agenda"].as_array().unwrap().iter().find(|item| item["code"] == "order_service_lapse");
    assert!(lapse.is_some(), "{procedures}");
    // Served on Thursday 30 April 2026: one month ends Saturday 30 May, extended to Monday 1 June.
    let (status, body) = step(&app, &officer, "payment_order", "serve_order", day("2026-04-30"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let opposition = body["transition"]["opens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|deadline| deadline["kind"] == "opposition")
        .unwrap();
    assert_eq!(opposition["nominal"], "2026-05-30");
    assert_eq!(opposition["due"], "2026-06-01");
    assert_eq!(opposition["extended"], true);
}

#[tokio::test]
async fn an_admissible_over_indebtedness_file_suspends_enforcement() {
    let (app, officer, _) = app_with_case().await;
    let on = today();
    for name in ["record_file_lodged", "record_admissible"] {
        let (status, body) = step(&app, &officer, "over_indebtedness", name, on, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.status.code(), "suspended");
    let (status, body) = step(&app, &officer, "enforcement_bank", "serve_bank_seizure", on, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.to_string().contains("L722-2"), "the refusal names the article: {body}");
}

#[tokio::test]
async fn a_plan_above_the_delegation_waits_for_another_persons_approval() {
    let (app, officer, lead) = app_with_case().await;
    let first = today() + chrono::Duration::days(10);
    let instalments: Vec<Value> = (0..30)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "400.00"}))
        .collect();
    let (status, body) = post(&app, &officer, "/api/v1/cases/1/plans", json!({"instalments": instalments})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "30 months exceed level 1: {body}");
    assert_eq!(body["status"], "pending");
    let request_id = body["request_id"].as_i64().unwrap();
    // The requester cannot approve it, over the API either; the team lead can.
    let approve = |token: String| {
        let app = &app;
        async move {
            reqwest::Client::new()
                .post(app.url(&format!("/api/v1/approvals/{request_id}/approve")))
                .bearer_auth(token)
                .json(&json!({"reason": ""}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_ne!(approve(officer.clone()).await, StatusCode::OK);
    assert!(recouvre_store::workflow::plan_instalments(&app.db.store, 1).await.unwrap().is_empty());
    assert_eq!(approve(lead.clone()).await, StatusCode::OK);
    let lines = recouvre_store::workflow::plan_instalments(&app.db.store, 1).await.unwrap();
    assert_eq!(lines.len(), 30);
    let kinds: Vec<String> =
        recouvre_store::journal::events(&app.db.store, 1).await.unwrap().into_iter().map(|event| event.kind).collect();
    for kind in ["plan_requested", "plan_approved", "plan_created"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn missed_instalments_send_a_reminder_then_the_plan_lapses() {
    let (app, officer, _) = app_with_case().await;
    let first = today() + chrono::Duration::days(5);
    let instalments: Vec<Value> = (0..6)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "500.00"}))
        .collect();
    let (status, body) = post(&app, &officer, "/api/v1/cases/1/plans", json!({"instalments": instalments})).await;
    assert_eq!(status, StatusCode::CREATED, "6 × 500 € is within level 1: {body}");
    // The first instalment is paid by transfer on its due date (any channel counts); the second is
    // not. The server is put on that day: a payment cannot be dated after today.
    app.set_today(first);
    let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/payments",
        json!({"version": version, "amount": "500.00", "received_on": first, "reference": "VIR-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let rules = recouvre_store::workflow::rules(&app.db.store).await.unwrap();
    let second_late = recouvre_domain::calendar::add_months_clamped(first, 1) + chrono::Duration::days(11);
    let run = |as_of| recouvre_store::workflow::follow_plans(&app.db.store, as_of, &rules, "system:batch", Utc::now());
    let summary = run(second_late).await.unwrap();
    assert_eq!((summary.instalments_missed, summary.plans_lapsed), (1, 0), "{summary:?}");
    assert_eq!(run(second_late).await.unwrap().instalments_missed, 0, "a rerun changes nothing");
    let reminders = recouvre_store::workflow::case_agenda(&app.db.store, 1).await.unwrap();
    assert!(reminders.iter().any(|item| item.code == "plan_reminder" && item.label.contains("n° 2")), "{reminders:?}");
    // The third one missed too: two missed instalments make the plan lapse (policy default).
    let third_late = recouvre_domain::calendar::add_months_clamped(first, 2) + chrono::Duration::days(11);
    let summary = run(third_late).await.unwrap();
    assert_eq!((summary.instalments_missed, summary.plans_lapsed), (1, 1), "{summary:?}");
    let kinds: Vec<String> =
        recouvre_store::journal::events(&app.db.store, 1).await.unwrap().into_iter().map(|event| event.kind).collect();
    assert_eq!(kinds.iter().filter(|kind| *kind == "instalment_missed").count(), 2);
    assert!(kinds.iter().any(|kind| kind == "plan_lapsed"));
    assert_eq!(recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().status.code(), "amicable");
}

#[tokio::test]
async fn a_waiver_within_the_delegation_is_booked_and_a_larger_one_waits() {
    let (app, officer, lead) = app_with_case().await;
    let waiver = |principal: &str| {
        json!({"amounts": {"principal": principal, "contractual_interest": "0.00",
        "statutory_interest": "0.00", "costs": "0.00", "penalties": "0.00"}, "reason": "Geste commercial"})
    };
    let (status, body) = post(&app, &officer, "/api/v1/cases/1/waivers", waiver("500.00")).await;
    assert_eq!(status, StatusCode::CREATED, "4 % of the debt, within level 1: {body}");
    let (status, body) = post(&app, &officer, "/api/v1/cases/1/waivers", waiver("3000.00")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "over 10 % of the debt: {body}");
    let request_id = body["request_id"].as_i64().unwrap();
    let (status, _) = post(&app, &officer, &format!("/api/v1/approvals/{request_id}/approve"), json!({})).await;
    assert_ne!(status, StatusCode::OK, "not by its requester");
    let (status, body) = post(&app, &lead, &format!("/api/v1/approvals/{request_id}/approve"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.principal, recouvre_domain::Money::euros(8_500));
    assert!(recouvre_store::ledger::check(&app.db.store).await.unwrap().is_clean());
}

#[tokio::test]
async fn a_protected_adults_plan_needs_the_guardians_countersignature() {
    let (app, officer, _) = app_with_case().await;
    sql::query("UPDATE persons SET protection = 'curatorship', guardian_name = 'UDAF du Rhône'")
        .execute(&app.db.store)
        .await
        .unwrap();
    let first = today() + chrono::Duration::days(5);
    let instalments: Vec<Value> = (0..6)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "500.00"}))
        .collect();
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", json!({"instalments": instalments.clone()})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.to_string().contains("UDAF du Rhône"), "the refusal names the curator: {body}");
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/plans",
        json!({"instalments": instalments, "guardian_countersigned": true}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn an_exchange_with_a_third_party_goes_on_the_timeline() {
    let (app, officer, _) = app_with_case().await;
    recouvre_store::team::seed_directory(&app.db.store, Utc::now()).await.unwrap();
    let bailiff = recouvre_store::team::third_parties(&app.db.store, None).await.unwrap()[0].id;
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/exchanges",
        json!({"third_party_id": bailiff, "summary": "PV de carence reçu"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) =
        post(&app, &officer, "/api/v1/cases/1/exchanges", json!({"third_party_id": 999_999, "summary": "?"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let last = recouvre_store::journal::events(&app.db.store, 1).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, "third_party_exchange");
    // The summary is free text about people: kept in the erasable part of the event.
    assert!(last.full_payload()["summary"].as_str().unwrap().contains("PV de carence"));
    assert!(!last.payload.contains("PV de carence"));
}

#[tokio::test]
async fn an_administrator_edits_the_authority_matrix_and_a_typo_is_refused() {
    let (app, officer, _) = app_with_case().await;
    let admin = app.db.user("admin", Role::Administrator, PASSWORD).await;
    let admin = app.db.token(admin).await;
    let client = reqwest::Client::new();
    let current = client.get(app.url("/api/v1/rules/authority_matrix")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(current.status(), StatusCode::OK);
    let text = current.text().await.unwrap();
    let put = |body: String, token: String| {
        client.put(app.url("/api/v1/rules/authority_matrix")).bearer_auth(token).body(body).send()
    };
    // A typo is refused, naming the field.
    let typo = text.replacen("max_plan_months", "max_plan_monthz", 1);
    let refused = put(typo, admin.clone()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("max_plan_monthz"));
    assert_eq!(put(text.clone(), officer.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    // Level 1 may now grant 36 months: a 30-month plan no longer waits.
    let relaxed = text.replacen("max_plan_months = 18", "max_plan_months = 36", 1);
    assert_ne!(relaxed, text, "the default file sets 18 months at level 1");
    let relaxed = relaxed.replacen("max_plan_amount = \"5000.00\"", "max_plan_amount = \"20000.00\"", 1);
    let relaxed = relaxed.replacen("max_plan_months = 24", "max_plan_months = 36", 1);
    let accepted = put(relaxed, admin.clone()).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::NO_CONTENT, "{}", accepted.text().await.unwrap());
    let first = today() + chrono::Duration::days(10);
    let instalments: Vec<Value> = (0..30)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "400.00"}))
        .collect();
    let (status, body) = post(&app, &officer, "/api/v1/cases/1/plans", json!({"instalments": instalments})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
