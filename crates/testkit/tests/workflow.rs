//! The recovery workflow over the API (issue 4), on the engine under test: assessment and
//! recommendation, procedures with their deadlines, over-indebtedness suspension, plans above
//! the officer's delegation and four eyes.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, Utc};
use recouvre_domain::authority::Role;
use recouvre_domain::Money;
use recouvre_store::sql;
use recouvre_testkit::{hidden_value, today, TestApp};
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

/// The case's version now.
async fn version_of(app: &TestApp, case_id: i64) -> i64 {
    recouvre_store::cases::detail(&app.db.store, case_id).await.unwrap().version
}

/// `body` with the case's current `version`, as a client that just read the case sends it.
async fn current(app: &TestApp, case_id: i64, mut body: Value) -> Value {
    body["version"] = json!(version_of(app, case_id).await);
    body
}

async fn step(app: &TestApp, token: &str, kind: &str, step: &str, on: NaiveDate, input: Value) -> (StatusCode, Value) {
    let body = current(app, 1, json!({"kind": kind, "step": step, "on": on, "input": input})).await;
    post(app, token, "/api/v1/cases/1/procedures", body).await
}

#[tokio::test]
async fn an_assessment_yields_an_explained_recommendation_the_officer_accepts() {
    let (app, officer, _) = app_with_case().await;
    let assessment = json!({"assessed_on": "2026-02-16", "incomes": {"wages_net_monthly": "2100.00"},
        "charges": {"rent": "650.00"}, "household": {"adults": 1, "dependants": 1}, "assets": {}});
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/assessments", current(&app, 1, json!({"assessment": assessment})).await)
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["version"], version_of(&app, 1).await, "the answer gives the case's new version");
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
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/recommendation/decision",
        current(&app, 1, json!({"recommendation_id": id, "override_strategy": "collection_agency"})).await,
    )
    .await;
    // A missing reason is invalid input (400 naming the field), as everywhere (docs/api.md).
    assert_eq!(status, StatusCode::BAD_REQUEST, "an override needs a reason: {body}");
    assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("required"), Some("reason")), "{body}");
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/recommendation/decision",
        current(&app, 1, json!({"recommendation_id": id})).await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], version_of(&app, 1).await);
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
        step(&app, &officer, "payment_order", "record_order_granted", day("2026-03-30"), json!({})).await;
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
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", current(&app, 1, json!({"instalments": instalments})).await)
            .await;
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
async fn a_plan_sent_for_approval_shows_on_the_case_page_and_is_offered_only_to_a_level_that_covers_it() {
    let (app, officer, _) = app_with_case().await;
    // Level 2 covers the amount (12 000 €) but not the length: 24 months at most.
    let marc_id = app.db.user_with_level("marc", Role::TeamLead, PASSWORD, 2).await;
    let camille = app.login("camille", PASSWORD).await;
    let case_page = |client: reqwest::Client| {
        let app = &app;
        async move { client.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap() }
    };
    let before = case_page(camille.clone()).await;
    assert!(before.contains("Aucun échéancier") && !before.contains("plan-pending"), "{before}");
    let first = today() + chrono::Duration::days(10);
    let instalments: Vec<Value> = (0..30)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "400.00"}))
        .collect();
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", current(&app, 1, json!({"instalments": instalments})).await)
            .await;
    assert_eq!(status, StatusCode::ACCEPTED, "30 months exceed level 1: {body}");
    let request_id = body["request_id"].as_i64().unwrap();
    // The case page says the plan waits, what it is and who sent it, not « no plan ».
    let pending = case_page(camille.clone()).await;
    assert!(!pending.contains("Aucun échéancier"), "{pending}");
    let start = pending.find("id=\"plan-pending\"").expect("the pending plan on the case page");
    let notice: String = pending[start..].chars().take(400).collect();
    // Amounts keep their non-breaking spaces: only the template's line breaks are folded.
    let notice =
        notice.split(|c: char| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    let (monthly, total) = (Money::euros(400).to_french(), Money::euros(12_000).to_french());
    assert!(
        notice.contains(&format!("Échéancier en attente d'approbation : 30 mensualités de {monthly}"))
            && notice.contains(&format!("{total} au total"))
            && notice.contains("soumis par camille le"),
        "{notice}"
    );
    // A level-2 approver sees the request without « Approuver », and why, in the server's words.
    let marc = app.login("marc", PASSWORD).await;
    let inbox = marc.get(app.url("/approbations")).send().await.unwrap().text().await.unwrap();
    assert!(inbox.contains(&format!("<td>{request_id}</td>")), "{inbox}");
    assert!(!inbox.contains("value=\"approve\""), "no approve button for a plan beyond level 2: {inbox}");
    assert!(inbox.contains("Plan de 30 mois : votre délégation (niveau 2) permet 24 mois au plus"), "{inbox}");
    // The same page as JSON says so too.
    let marc_token = app.db.token(marc_id).await;
    let listed: Value = reqwest::Client::new()
        .get(app.url("/api/v1/approvals"))
        .bearer_auth(&marc_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["can_decide"], false, "{listed}");
    // A forged approval is refused by the server, with the same reason, and books nothing.
    let csrf = hidden_value(&inbox, "csrf").unwrap();
    let forged = marc
        .post(app.url(&format!("/approbations/{request_id}")))
        .form(&[("csrf", csrf.as_str()), ("decision", "approve"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::CONFLICT);
    let refusal = forged.text().await.unwrap();
    assert!(refusal.contains("Se déconnecter"), "the refusal page keeps the menu: {refusal}");
    assert!(refusal.contains("Plan de 30 mois : votre délégation (niveau 2) permet 24 mois au plus"), "{refusal}");
    assert!(recouvre_store::workflow::plan_instalments(&app.db.store, 1).await.unwrap().is_empty());
    // Level 3 may: the page offers it, and once approved the case shows the plan, no longer pending.
    let sophie = app.login("sophie", PASSWORD).await;
    let inbox = sophie.get(app.url("/approbations")).send().await.unwrap().text().await.unwrap();
    assert!(inbox.contains("value=\"approve\""), "{inbox}");
    let csrf = hidden_value(&inbox, "csrf").unwrap();
    let approved = sophie
        .post(app.url(&format!("/approbations/{request_id}")))
        .form(&[("csrf", csrf.as_str()), ("decision", "approve"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    let after = case_page(camille).await;
    assert!(!after.contains("plan-pending") && after.contains("id=\"instalments\""), "{after}");
}

#[tokio::test]
async fn missed_instalments_send_a_reminder_then_the_plan_lapses() {
    let (app, officer, _) = app_with_case().await;
    let first = today() + chrono::Duration::days(5);
    let instalments: Vec<Value> = (0..6)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "500.00"}))
        .collect();
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", current(&app, 1, json!({"instalments": instalments})).await)
            .await;
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
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/waivers", current(&app, 1, waiver("500.00")).await).await;
    assert_eq!(status, StatusCode::CREATED, "4 % of the debt, within level 1: {body}");
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/waivers", current(&app, 1, waiver("3000.00")).await).await;
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
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/plans",
        current(&app, 1, json!({"instalments": instalments.clone()})).await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.to_string().contains("UDAF du Rhône"), "the refusal names the curator: {body}");
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/plans",
        current(&app, 1, json!({"instalments": instalments, "guardian_countersigned": true})).await,
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
        current(&app, 1, json!({"third_party_id": bailiff, "summary": "PV de carence reçu"})).await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["version"], version_of(&app, 1).await);
    let (status, _) = post(
        &app,
        &officer,
        "/api/v1/cases/1/exchanges",
        current(&app, 1, json!({"third_party_id": 999_999, "summary": "?"})).await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/exchanges",
        current(&app, 1, json!({"third_party_id": bailiff, "summary": "  "})).await,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("summary")), "{body}");
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
    let in_force = client.get(app.url("/api/v1/rules/authority_matrix")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(in_force.status(), StatusCode::OK);
    let text = in_force.text().await.unwrap();
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
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    approve_setting_change(&app, accepted.json().await.unwrap()).await;
    let first = today() + chrono::Duration::days(10);
    let instalments: Vec<Value> = (0..30)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "400.00"}))
        .collect();
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", current(&app, 1, json!({"instalments": instalments})).await)
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Write-offs obey the authority matrix in force (issue 18): once an administrator lowers level 1's
/// `max_write_off` to 1 000 €, a 2 000 € write-off by a level-1 officer waits for approval instead
/// of being booked — it was within the old figure fixed in the code (5 000 €).
#[tokio::test]
async fn write_offs_follow_the_authority_matrix_in_force() {
    let (app, officer, lead) = app_with_case().await;
    let admin = app.db.user("admin", Role::Administrator, PASSWORD).await;
    let admin = app.db.token(admin).await;
    let client = reqwest::Client::new();
    let text = client
        .get(app.url("/api/v1/rules/authority_matrix"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let write_off = |euros: &str| {
        json!({
            "amounts": {"principal": euros, "contractual_interest": "0.00", "statutory_interest": "0.00", "costs": "0.00", "penalties": "0.00"},
            "reason": "Débiteur insolvable",
        })
    };
    // Under the embedded matrix, 2 000 € is within level 1.
    let body = current(&app, 1, write_off("2000.00")).await;
    let (status, booked) = post(&app, &officer, "/api/v1/cases/1/write-offs", body).await;
    assert!(status.is_success(), "{booked}");
    assert_eq!(booked["status"], "booked", "{booked}");
    let lowered = text.replacen("max_write_off = \"5000.00\"", "max_write_off = \"1000.00\"", 1);
    assert_ne!(lowered, text, "the default file sets 5 000 € at level 1");
    let put = client.put(app.url("/api/v1/rules/authority_matrix")).bearer_auth(&admin).body(lowered).send();
    let put = put.await.unwrap();
    assert_eq!(put.status(), StatusCode::ACCEPTED);
    approve_setting_change(&app, put.json().await.unwrap()).await;
    let body = current(&app, 1, write_off("2000.00")).await;
    let (status, pending) = post(&app, &officer, "/api/v1/cases/1/write-offs", body).await;
    assert!(status.is_success(), "{pending}");
    assert_eq!(pending["status"], "pending", "{pending}");
    // The team lead (level 3) may approve it.
    let request_id = pending["request_id"].as_i64().unwrap();
    let (status, decided) =
        post(&app, &lead, &format!("/api/v1/approvals/{request_id}/approve"), json!({"reason": ""})).await;
    assert!(status.is_success(), "{status} {decided}");
}

/// A second administrator approves a settings change request (issue 23: dual control).
async fn approve_setting_change(app: &TestApp, request: Value) {
    let second = app.db.user("admin2", Role::Administrator, PASSWORD).await;
    let second = app.db.token(second).await;
    let id = request["id"].as_i64().unwrap();
    let approve = reqwest::Client::new().post(app.url(&format!("/api/v1/admin/setting-changes/{id}/approve")));
    assert_eq!(approve.bearer_auth(second).send().await.unwrap().status(), StatusCode::OK);
}

/// What a refusal says: its status, code and field.
fn refusal(status: StatusCode, body: &Value) -> (StatusCode, Option<&str>, Option<&str>) {
    (status, body["code"].as_str(), body["field"].as_str())
}

async fn journal_length(app: &TestApp, case_id: i64) -> usize {
    recouvre_store::journal::events(&app.db.store, case_id).await.unwrap().len()
}

/// A write of the workflow on case 1 at `path` with `body`: refused without a version (400) and
/// on a stale one (409 listing what changed since), writing nothing either way; made on the
/// current version. Returns the answer to the last.
async fn versioned(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let before = journal_length(app, 1).await;
    let (status, answer) = post(app, token, path, body.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{path} without a version: {answer}");
    let seen = version_of(app, 1).await - 1;
    let mut stale = body.clone();
    stale["version"] = json!(seen);
    let (status, answer) = post(app, token, path, stale).await;
    assert_eq!(refusal(status, &answer), (StatusCode::CONFLICT, Some("stale_version"), None), "{path}: {answer}");
    let changes = answer["changes"].as_array().unwrap_or_else(|| panic!("{path}: the changes since: {answer}"));
    assert_eq!(changes.len(), 1, "{answer}");
    assert_eq!(changes[0]["version"], seen + 1, "{answer}");
    assert_eq!(journal_length(app, 1).await, before, "{path}: nothing is written on a stale version");
    post(app, token, path, current(app, 1, body).await).await
}

/// Issue 15: every write of the workflow room quotes the case version its author saw.
#[tokio::test]
async fn every_write_of_the_workflow_quotes_the_case_version() {
    let (app, officer, _) = app_with_case().await;
    recouvre_store::team::seed_directory(&app.db.store, Utc::now()).await.unwrap();
    let bailiff = recouvre_store::team::third_parties(&app.db.store, None).await.unwrap()[0].id;
    // A date the reference data cover.
    let assessment = json!({"assessed_on": "2026-02-16", "incomes": {"wages_net_monthly": "2100.00"},
        "household": {"adults": 1, "dependants": 0}});
    let (status, body) =
        versioned(&app, &officer, "/api/v1/cases/1/assessments", json!({"assessment": assessment})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The recommendation's planned actions are on the case's agenda: one is marked done.
    let (_, procedures) = get(&app, &officer, "/api/v1/cases/1/procedures").await;
    let action = procedures["agenda"].as_array().unwrap().iter().find(|item| item["kind"] == "action").unwrap();
    assert_eq!(action["case_version"], version_of(&app, 1).await, "{action}");
    let path = format!("/api/v1/agenda/{}/done", action["id"]);
    let (status, body) = versioned(&app, &officer, &path, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], version_of(&app, 1).await);

    let recommendation = latest_recommendation(&app).await;
    let (status, body) = versioned(
        &app,
        &officer,
        "/api/v1/cases/1/recommendation/decision",
        json!({"recommendation_id": recommendation}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = versioned(
        &app,
        &officer,
        "/api/v1/cases/1/procedures",
        json!({"kind": "amicable", "step": "send_formal_notice", "on": today()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], version_of(&app, 1).await);
    let first = today() + chrono::Duration::days(5);
    let instalments: Vec<Value> = (0..6)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "500.00"}))
        .collect();
    let (status, body) = versioned(&app, &officer, "/api/v1/cases/1/plans", json!({"instalments": instalments})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let waiver = json!({"amounts": {"principal": "100.00", "contractual_interest": "0.00",
        "statutory_interest": "0.00", "costs": "0.00", "penalties": "0.00"}, "reason": "Geste commercial"});
    let (status, body) = versioned(&app, &officer, "/api/v1/cases/1/waivers", waiver).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = versioned(
        &app,
        &officer,
        "/api/v1/cases/1/exchanges",
        json!({"third_party_id": bailiff, "summary": "Appel de l'étude"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["version"], version_of(&app, 1).await);
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn latest_recommendation(app: &TestApp) -> i64 {
    recouvre_store::workflow::latest_recommendation(&app.db.store, 1).await.unwrap().unwrap().id
}

/// The dates of acts are checked against the Paris business date, amounts against the input
/// limits, codes against the tables: 400 naming the field, nothing written.
#[tokio::test]
async fn a_step_in_the_future_or_of_an_unknown_kind_is_invalid_input() {
    let (app, officer, _) = app_with_case().await;
    let before = journal_length(&app, 1).await;
    let (status, body) =
        step(&app, &officer, "amicable", "send_formal_notice", today() + chrono::Duration::days(1), json!({})).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, Some("date_in_future"), Some("on")), "{body}");
    let (status, body) = step(&app, &officer, "astrology", "send_formal_notice", today(), json!({})).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, Some("unknown_code"), Some("kind")), "{body}");
    let (status, body) =
        step(&app, &officer, "amicable", "send_formal_notice", today(), json!({"costs": "100000000.00"})).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, Some("amount_implausible"), Some("costs")), "{body}");
    let past = today() - chrono::Duration::days(1);
    let (status, body) = post(
        &app,
        &officer,
        "/api/v1/cases/1/plans",
        current(&app, 1, json!({"instalments": [{"due_on": past, "amount": "100.00"}]})).await,
    )
    .await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, Some("date_in_past"), Some("instalments")), "{body}");
    assert_eq!(journal_length(&app, 1).await, before);
}

/// The case page's forms quote the version shown: a form sent from a page older than a change
/// is refused (409) and writes nothing; the agenda's « Fait » quotes its case's version.
#[tokio::test]
async fn the_workflow_forms_quote_the_version_of_the_page() {
    let (app, _, _) = app_with_case().await;
    recouvre_store::team::seed_directory(&app.db.store, Utc::now()).await.unwrap();
    sql::query("UPDATE cases SET officer_id = (SELECT id FROM users WHERE login = 'camille')")
        .execute(&app.db.store)
        .await
        .unwrap();
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&page, "csrf").unwrap();
    let version = version_of(&app, 1).await.to_string();
    for form in ["/dossiers/1/bilan", "/dossiers/1/procedures", "/dossiers/1/echanges", "/dossiers/1/echeancier"] {
        let start = page.find(&format!("action=\"{form}\"")).unwrap_or_else(|| panic!("the form {form}"));
        assert_eq!(hidden_value(&page[start..], "version").as_deref(), Some(version.as_str()), "{form}");
    }
    let bailiff = recouvre_store::team::third_parties(&app.db.store, None).await.unwrap()[0].id.to_string();
    let exchange = |version: String| {
        let form = [
            ("csrf", csrf.clone()),
            ("version", version),
            ("third_party_id", bailiff.clone()),
            ("summary", "Appel de l'étude".to_string()),
        ];
        browser.post(app.url("/dossiers/1/echanges")).form(&form).send()
    };
    assert_eq!(exchange(version.clone()).await.unwrap().status(), StatusCode::SEE_OTHER);
    let before = journal_length(&app, 1).await;
    assert_eq!(exchange(version.clone()).await.unwrap().status(), StatusCode::CONFLICT, "the page is stale now");
    let step = [
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("step", "amicable:send_formal_notice"),
        ("on", &today().to_string()),
    ];
    let response = browser.post(app.url("/dossiers/1/procedures")).form(&step).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(journal_length(&app, 1).await, before, "nothing is written from a stale page");

    // The recommendation's actions are in the officer's agenda, each « Fait » with its case's version.
    let client = reqwest::Client::new();
    let token = {
        let id: i64 =
            sql::query_scalar("SELECT id FROM users WHERE login = 'camille'").fetch_one(&app.db.store).await.unwrap();
        app.db.token(id).await
    };
    let recommended = client.get(app.url("/api/v1/cases/1/recommendation")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(recommended.status(), StatusCode::OK);
    sql::query("UPDATE users SET display_name = 'Camille Martin' WHERE login = 'camille'")
        .execute(&app.db.store)
        .await
        .unwrap();
    let agenda = browser.get(app.url("/agenda")).send().await.unwrap().text().await.unwrap();
    assert!(agenda.contains("<td>Camille Martin</td>"), "the officer by name, not by login");
    let start = agenda.find("/fait\"").expect("an action to mark done");
    let action = agenda[..start].rsplit("/agenda/").next().unwrap().to_string();
    let quoted = hidden_value(&agenda[start..], "version").unwrap();
    assert_eq!(quoted, version_of(&app, 1).await.to_string());
    let done = |version: String| {
        browser
            .post(app.url(&format!("/agenda/{action}/fait")))
            .form(&[("csrf", csrf.clone()), ("version", version)])
            .send()
    };
    let stale = (version_of(&app, 1).await - 1).to_string();
    assert_eq!(done(stale).await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(done(quoted).await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(recouvre_store::journal::events(&app.db.store, 1).await.unwrap().pop().unwrap().kind, "action_done");
}

// ---------------------------------------------------------------------------------------------
// One procedure context (issue 15): the case page, the API and the store offer the same steps

/// Cases imported for the three-way test: case 1 is driven through the situations, the others
/// are copies driven to the same situation, on which each offered step is posted once.
const COPIES: i64 = 60;

/// What is done to a case to reach a situation.
#[derive(Clone, Copy)]
enum Setup {
    Step(&'static str, &'static str, NaiveDate),
    /// The debtor's file records an admissible over-indebtedness file (set by the bank's
    /// customer file, not by a step of this case).
    AdmissibleOnTheFile,
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A step on `case_id` on the version the client just read; the answer.
async fn post_step(
    app: &TestApp,
    token: &str,
    case_id: i64,
    kind: &str,
    step: &str,
    on: NaiveDate,
) -> (StatusCode, Value) {
    // What the steps that need it are given: an amount (a result), a date (a hearing, a sale).
    let input = json!({"amount": "10.00", "scheduled_on": today() + chrono::Duration::days(30)});
    let body = current(app, case_id, json!({"kind": kind, "step": step, "on": on, "input": input})).await;
    post(app, token, &format!("/api/v1/cases/{case_id}/procedures"), body).await
}

async fn drive(app: &TestApp, token: &str, case_id: i64, setup: &[Setup]) {
    for action in setup {
        match *action {
            Setup::Step(kind, step, on) => {
                let (status, body) = post_step(app, token, case_id, kind, step, on).await;
                assert_eq!(status, StatusCode::OK, "case {case_id}, {kind}:{step}: {body}");
            }
            Setup::AdmissibleOnTheFile => {
                sql::query(
                    "UPDATE persons SET over_indebtedness = 'admissible' WHERE id = (SELECT debtor_id FROM cases WHERE id = $1)",
                )
                .bind(case_id)
                .execute(&app.db.store)
                .await
                .unwrap();
            }
        }
    }
}

/// The values of the options of the case page's step form (`kind:step`).
fn step_form_options(page: &str) -> std::collections::BTreeSet<String> {
    let form = &page[page.find("id=\"step-form\"").expect("the step form")..];
    let select = &form[form.find("<select name=\"step\"").expect("the step select")..];
    let select = &select[..select.find("</select>").expect("the end of the select")];
    select.split("<option value=\"").skip(1).map(|option| option[..option.find('"').unwrap()].to_string()).collect()
}

/// What the case page's step form offers, and what the API's `possible_steps` offers; the API's
/// steps per procedure are those of the running procedure of its kind.
async fn offered_by_page_and_api(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    case_id: i64,
) -> (std::collections::BTreeSet<String>, std::collections::BTreeSet<String>, Value, String) {
    let page = browser.get(app.url(&format!("/dossiers/{case_id}"))).send().await.unwrap().text().await.unwrap();
    let from_page = step_form_options(&page);
    let (status, procedures) = get(app, token, &format!("/api/v1/cases/{case_id}/procedures")).await;
    assert_eq!(status, StatusCode::OK, "{procedures}");
    let from_api: std::collections::BTreeSet<String> = procedures["possible_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|offered| format!("{}:{}", offered["kind"].as_str().unwrap(), offered["step"].as_str().unwrap()))
        .collect();
    for procedure in procedures["procedures"].as_array().unwrap() {
        for step in procedure["possible_steps"].as_array().unwrap() {
            let offered = format!("{}:{}", procedure["kind"].as_str().unwrap(), step.as_str().unwrap());
            assert!(from_api.contains(&offered), "{offered} is among the case's possible steps: {procedures}");
        }
    }
    (from_page, from_api, procedures, page)
}

/// Compares what the three offer on case 1 in its situation `setup`: the case page's step form and
/// the API's `possible_steps` list the same steps; each is accepted by the store when posted on a
/// copy of the case in the same situation; every other step of every procedure is refused (409)
/// on case 1, writing nothing. Returns the steps offered and the API's procedures.
async fn three_ways(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    setup: &[Setup],
    next_copy: &mut i64,
) -> (std::collections::BTreeSet<String>, Value, String) {
    use recouvre_domain::procedure::ProcedureKind;
    let (from_page, from_api, procedures, page) = offered_by_page_and_api(app, browser, token, 1).await;
    assert!(!from_page.is_empty());
    assert_eq!(from_page, from_api, "the case page and the API offer the same steps");
    for offered in &from_page {
        let copy = *next_copy;
        *next_copy += 1;
        assert!(copy <= COPIES, "more copies needed");
        drive(app, token, copy, setup).await;
        let (kind, step) = offered.split_once(':').unwrap();
        let (status, body) = post_step(app, token, copy, kind, step, today()).await;
        assert_eq!(status, StatusCode::OK, "{offered} is offered, so the store accepts it: {body}");
    }
    let version = version_of(app, 1).await;
    for kind in ProcedureKind::ALL {
        for step in kind.steps() {
            let candidate = format!("{}:{}", kind.code(), step.code());
            if from_page.contains(&candidate) {
                continue;
            }
            let (status, body) = post_step(app, token, 1, kind.code(), step.code(), today()).await;
            assert_eq!(status, StatusCode::CONFLICT, "{candidate} is not offered, so the store refuses it: {body}");
            let code = body["code"].as_str().unwrap();
            assert!(["step_not_allowed", "enforcement_suspended"].contains(&code), "{candidate}: {body}");
        }
    }
    assert_eq!(version_of(app, 1).await, version, "a refused step writes nothing");
    (from_page, procedures, page)
}

/// Issue 15: the context a step is judged in was built three times with three answers — the
/// store with the debtor's region and over-indebtedness flag, the case page with neither, the
/// API with no title either — so the screen and the API offered steps the store then refused. One
/// case of a debtor in Strasbourg (Alsace-Moselle) is driven through: no title; a title obtained
/// through a payment order; a bank seizure served; then an admissible over-indebtedness file
/// recorded on the debtor's file. At each point the three agree.
#[tokio::test]
async fn the_case_page_the_api_and_the_store_offer_and_accept_the_same_steps() {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 1).await;
    let token = app.db.token(officer).await;
    let due_on = today() - chrono::Duration::days(400);
    let mut file = HEADER.to_string();
    for copy in 1..=COPIES {
        file.push_str(&format!(
            "\nS{copy};Muller;Jean;3 quai des Bateliers;67000;Strasbourg;personal_loan;PL-{copy};12000.00;{due_on};2100.00"
        ));
    }
    recouvre_store::imports::import_accounts_csv(&app.db.store, "s.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let count: i64 = sql::query_scalar("SELECT COUNT(*) FROM cases WHERE id BETWEEN 1 AND $1")
        .bind(COPIES)
        .fetch_one(&app.db.store)
        .await
        .unwrap();
    assert_eq!(count, COPIES);
    let browser = app.login("camille", PASSWORD).await;
    let mut next_copy = 2;
    let offered = |steps: &std::collections::BTreeSet<String>, step: &str| steps.contains(step);

    // 1. No title: no seizure is offered, and the store refuses one naming CPCE L111-2.
    let (steps, _, _) = three_ways(&app, &browser, &token, &[], &mut next_copy).await;
    assert!(
        offered(&steps, "payment_order:prepare_request") && !offered(&steps, "enforcement_bank:serve_bank_seizure")
    );
    let (status, body) = post_step(&app, &token, 1, "enforcement_bank", "serve_bank_seizure", today()).await;
    assert_eq!(refusal(status, &body), (StatusCode::CONFLICT, Some("step_not_allowed"), None), "{body}");
    assert!(body["error"].as_str().unwrap().contains("L111-2"), "{body}");

    // 2. A title through a payment order. Served on Tuesday 3 March 2026, the order's opposition
    // month ends on Friday 3 April: Good Friday, a holiday in Alsace-Moselle only, then Easter:
    // the store judges the step with the debtor's region and extends it to Tuesday 7 April.
    let mut setup = vec![
        Setup::Step("payment_order", "prepare_request", date("2026-02-16")),
        Setup::Step("payment_order", "file_request", date("2026-02-17")),
        Setup::Step("payment_order", "record_order_granted", date("2026-02-20")),
    ];
    drive(&app, &token, 1, &setup).await;
    let (status, served) = post_step(&app, &token, 1, "payment_order", "serve_order", date("2026-03-03")).await;
    assert_eq!(status, StatusCode::OK, "{served}");
    let opposition = served["transition"]["opens"].as_array().unwrap().iter().find(|d| d["kind"] == "opposition");
    let opposition = opposition.unwrap_or_else(|| panic!("the opposition month: {served}"));
    assert_eq!((opposition["nominal"].as_str(), opposition["due"].as_str()), (Some("2026-04-03"), Some("2026-04-07")));
    let enforceable = Setup::Step("payment_order", "record_enforceable", date("2026-04-08"));
    drive(&app, &token, 1, &[enforceable]).await;
    setup.extend([Setup::Step("payment_order", "serve_order", date("2026-03-03")), enforceable]);
    let (steps, _, _) = three_ways(&app, &browser, &token, &setup, &mut next_copy).await;
    for seizure in ["enforcement_bank:serve_bank_seizure", "enforcement_wage:serve_wage_command"] {
        assert!(offered(&steps, seizure), "with a title, {seizure} is offered: {steps:?}");
    }

    // 3. A bank seizure served, then the debtor's file says an over-indebtedness file is
    // admissible: enforcement is suspended (C. consom. L722-2). The running seizure offers no
    // enforcement act any more, and no other seizure may start.
    let seizure = Setup::Step("enforcement_bank", "serve_bank_seizure", today() - chrono::Duration::days(30));
    drive(&app, &token, 1, &[seizure, Setup::AdmissibleOnTheFile]).await;
    setup.extend([seizure, Setup::AdmissibleOnTheFile]);
    let (steps, procedures, page) = three_ways(&app, &browser, &token, &setup, &mut next_copy).await;
    assert!(page.contains("id=\"enforcement-suspended\""), "the case page says why");
    assert_eq!(procedures["enforcement_suspended"], true, "{procedures}");
    let bank = procedures["procedures"].as_array().unwrap().iter().find(|p| p["kind"] == "enforcement_bank").unwrap();
    let bank_steps: Vec<&str> =
        bank["possible_steps"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(!bank_steps.is_empty() && !bank_steps.contains(&"denounce_seizure"), "{bank}");
    assert!(!offered(&steps, "enforcement_wage:serve_wage_command"), "{steps:?}");
    let (status, body) = post_step(&app, &token, 1, "enforcement_wage", "serve_wage_command", today()).await;
    assert_eq!(refusal(status, &body), (StatusCode::CONFLICT, Some("enforcement_suspended"), None), "{body}");
    assert!(body["error"].as_str().unwrap().contains("L722-2"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// Time bars from the case's history (issue 18)

/// Two debtors (cases 1 and 2) of `nature`, both due on `due_on`.
async fn app_with_two_cases(nature: &str, due_on: NaiveDate) -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 1).await;
    let lead = app.db.user_with_level("sophie", Role::TeamLead, PASSWORD, 3).await;
    let file = format!(
        "{HEADER}\nC1;Bernard;Luc;2 rue;69003;Lyon;{nature};TB-1;12000.00;{due_on};2100.00\n\
         C2;Morel;Ines;4 rue;69003;Lyon;{nature};TB-2;12000.00;{due_on};2100.00\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let (officer, lead) = (app.db.token(officer).await, app.db.token(lead).await);
    (app, officer, lead)
}

async fn limitation_date(app: &TestApp, case_id: i64) -> Option<NaiveDate> {
    recouvre_store::workflow::strategy_facts(&app.db.store, case_id, today()).await.unwrap().limitation_date
}

async fn pay(app: &TestApp, token: &str, case_id: i64, on: NaiveDate, reference: &str) {
    let body = current(app, case_id, json!({"amount": "100.00", "received_on": on, "reference": reference})).await;
    let (status, body) = post(app, token, &format!("/api/v1/cases/{case_id}/payments"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// C. civ. 2240: each payment acknowledges the debt and starts two new years (L218-2). A debtor
/// who has paid every month since the due date, three years ago, is not time-barred — neither
/// for the strategy (rule R4, write-off) nor for the nightly run — while the same debt left
/// unpaid is.
#[tokio::test]
async fn a_debtor_paying_every_month_is_never_advised_a_write_off_for_limitation() {
    let due_on = today() - chrono::Duration::days(3 * 365 + 10);
    let (app, officer, _) = app_with_two_cases("mortgage", due_on).await;
    let mut last_paid = due_on;
    for month in 1..=36 {
        let on = recouvre_domain::calendar::add_months_clamped(due_on, month);
        if on > today() {
            break;
        }
        pay(&app, &officer, 1, on, &format!("VIR-{month}")).await;
        last_paid = on;
    }
    assert!(today() - last_paid < chrono::Duration::days(32), "paid until last month: {last_paid}");
    let two_years = |day: NaiveDate| recouvre_domain::calendar::add_months_clamped(day, 24);
    assert_eq!(limitation_date(&app, 1).await, Some(two_years(last_paid)), "two years from the last payment");
    assert_eq!(limitation_date(&app, 2).await, Some(two_years(due_on)), "two years from the due date");

    let rules = recouvre_store::workflow::rules(&app.db.store).await.unwrap();
    let advice = |case_id| {
        let (app, rules) = (&app, &rules);
        async move {
            recouvre_store::workflow::reevaluate(&app.db.store, case_id, rules, "system:test", Utc::now())
                .await
                .unwrap()
                .rule_id
        }
    };
    assert_ne!(advice(1).await, "R4", "a paying debtor is not time-barred");
    assert_eq!(advice(2).await, "R4", "the unpaid debt is (the rule does fire)");

    // The nightly run reads the same dates, stored by the payments (`time_bar_states`).
    let options =
        recouvre_store::batch::RunOptions { chunk_cases: 1, ..recouvre_store::batch::RunOptions::new(today()) };
    recouvre_store::batch::run(
        &app.db.store,
        &options,
        std::sync::Arc::new(recouvre_domain::reference::ReferenceData::embedded()),
        std::sync::Arc::new(recouvre_store::batch::Silent),
    )
    .await
    .unwrap();
    let latest = |case_id| {
        let app = &app;
        async move { recouvre_store::workflow::latest_recommendation(&app.db.store, case_id).await.unwrap().unwrap() }
    };
    assert_ne!(latest(1).await.rule_id, "R4");
    assert_eq!(latest(2).await.rule_id, "R4");
}

/// C. civ. 2241–2243, CPCE L111-4: a payment-order request filed suspends the limitation date
/// while it is pending; refused, its interruption never happened and the previous date returns;
/// an order made enforceable gives ten years from that day.
#[tokio::test]
async fn a_served_title_gives_ten_years_from_service_and_a_refused_request_restores_the_date() {
    let due_on = date("2026-01-15");
    let (app, officer, _) = app_with_two_cases("personal_loan", due_on).await;
    let before = limitation_date(&app, 1).await;
    assert_eq!(before, Some(date("2028-01-15")), "L218-2: two years from the due date");
    let facts = recouvre_store::workflow::strategy_facts(&app.db.store, 1, today()).await.unwrap();
    assert_eq!(facts.foreclosure_date, Some(date("2028-01-15")), "R312-35 from the due date (no incident recorded)");

    // Case 1: the request is filed (pending: no date), then refused (the date returns).
    drive(
        &app,
        &officer,
        1,
        &[
            Setup::Step("payment_order", "prepare_request", date("2026-03-02")),
            Setup::Step("payment_order", "file_request", date("2026-03-03")),
        ],
    )
    .await;
    assert_eq!(limitation_date(&app, 1).await, None, "pending court claim (2242)");
    drive(&app, &officer, 1, &[Setup::Step("payment_order", "record_order_refused", date("2026-04-10"))]).await;
    assert_eq!(limitation_date(&app, 1).await, before, "rejected request: as if never made (2243)");

    // Case 2: granted, served, no opposition: enforceable on 2 June 2026 (after the opposition
    // month, extended to Monday 1 June by article 642).
    drive(
        &app,
        &officer,
        2,
        &[
            Setup::Step("payment_order", "prepare_request", date("2026-03-02")),
            Setup::Step("payment_order", "file_request", date("2026-03-03")),
            Setup::Step("payment_order", "record_order_granted", date("2026-03-30")),
            Setup::Step("payment_order", "serve_order", date("2026-04-30")),
            Setup::Step("payment_order", "record_enforceable", date("2026-06-02")),
        ],
    )
    .await;
    let facts = recouvre_store::workflow::strategy_facts(&app.db.store, 2, today()).await.unwrap();
    assert_eq!(facts.limitation_date, Some(date("2036-06-02")), "ten years from the title (L111-4)");
    assert_eq!(facts.foreclosure_date, None, "the court claim was made in time (R312-35)");
    assert!(facts.has_enforceable_title);
    // An enforcement act under the title starts ten new years (C. civ. 2244).
    drive(&app, &officer, 2, &[Setup::Step("enforcement_bank", "serve_bank_seizure", date("2026-07-01"))]).await;
    assert_eq!(limitation_date(&app, 2).await, Some(date("2036-07-01")));
}

/// C. consom. L722-2, C. civ. 2234: while an admissible over-indebtedness file suspends
/// enforcement, the limitation date is unknown; the conventional plan ends the suspension and
/// the suspended days push the date back.
#[tokio::test]
async fn an_admissible_over_indebtedness_file_suspends_the_limitation_until_the_plan() {
    let (app, officer, _) = app_with_two_cases("mortgage", date("2026-01-15")).await;
    drive(
        &app,
        &officer,
        1,
        &[
            Setup::Step("over_indebtedness", "record_file_lodged", date("2026-02-02")),
            Setup::Step("over_indebtedness", "record_admissible", date("2026-03-02")),
        ],
    )
    .await;
    assert_eq!(limitation_date(&app, 1).await, None, "suspended");
    drive(&app, &officer, 1, &[Setup::Step("over_indebtedness", "record_conventional_plan", date("2026-09-28"))]).await;
    // 210 days suspended (2 March included to 28 September excluded).
    assert_eq!(limitation_date(&app, 1).await, Some(date("2028-01-15") + chrono::Duration::days(210)));
    assert_eq!(limitation_date(&app, 2).await, Some(date("2028-01-15")), "the other debtor's date is untouched");
}

/// A plan's reminders follow the debtor's undertaking: a new recommendation of the strategy
/// engine replaces the previous advice's actions, never the plan's reminders (issue 18).
#[tokio::test]
async fn strategy_reevaluation_keeps_an_open_plans_reminders() {
    let (app, officer, _) = app_with_case().await;
    let first = today() + chrono::Duration::days(5);
    let instalments: Vec<Value> = (0..6)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "500.00"}))
        .collect();
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", current(&app, 1, json!({"instalments": instalments})).await)
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let rules = recouvre_store::workflow::rules(&app.db.store).await.unwrap();
    let late = first + chrono::Duration::days(i64::from(rules.procedure.plan_reminder_after_days) + 1);
    let summary =
        recouvre_store::workflow::follow_plans(&app.db.store, late, &rules, "system:batch", Utc::now()).await.unwrap();
    assert_eq!(summary.instalments_missed, 1, "{summary:?}");
    let open_reminders = || {
        let app = &app;
        async move {
            let agenda = recouvre_store::workflow::case_agenda(&app.db.store, 1).await.unwrap();
            agenda.iter().filter(|item| item.code == "plan_reminder").count()
        }
    };
    assert_eq!(open_reminders().await, 1);
    // Two re-evaluations on different facts: each replaces the previous advice's actions.
    recouvre_store::workflow::reevaluate(&app.db.store, 1, &rules, "system:test", Utc::now()).await.unwrap();
    sql::query("UPDATE persons SET employment = 'unemployed'").execute(&app.db.store).await.unwrap();
    recouvre_store::workflow::reevaluate(&app.db.store, 1, &rules, "system:test", Utc::now()).await.unwrap();
    let cancelled: i64 = sql::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM agenda_items WHERE case_id = 1 AND kind = 'action' AND status = 'cancelled'",
    )
    .fetch_one(&app.db.store)
    .await
    .unwrap();
    assert!(cancelled > 0, "the previous advice's actions were replaced");
    assert_eq!(open_reminders().await, 1, "the plan's reminder is still open");
    // The nightly run writes its new recommendations with multi-row statements: the same rule.
    // (The stored advice is made to look older so that tonight's differs and is written.)
    sql::query(
        "UPDATE recommendations SET body = REPLACE(body, '\"rules_version\":\"', '\"rules_version\":\"earlier-')",
    )
    .execute(&app.db.store)
    .await
    .unwrap();
    let before = recouvre_store::workflow::latest_recommendation(&app.db.store, 1).await.unwrap().unwrap().id;
    let options = recouvre_store::batch::RunOptions::new(today());
    recouvre_store::batch::run(
        &app.db.store,
        &options,
        std::sync::Arc::new(recouvre_domain::reference::ReferenceData::embedded()),
        std::sync::Arc::new(recouvre_store::batch::Silent),
    )
    .await
    .unwrap();
    let after = recouvre_store::workflow::latest_recommendation(&app.db.store, 1).await.unwrap().unwrap().id;
    assert!(after > before, "the night advised again");
    assert_eq!(open_reminders().await, 1, "the plan's reminder is still open after the night");
}

/// A plan cannot start in the past (issue 18): one waiting for approval past its first
/// instalment's day is not approved (400 naming `instalments`), nothing is created.
#[tokio::test]
async fn a_plan_approved_after_its_first_instalment_is_refused() {
    let (app, officer, lead) = app_with_case().await;
    let first = today() + chrono::Duration::days(10);
    let instalments: Vec<Value> = (0..30)
        .map(|month| json!({"due_on": recouvre_domain::calendar::add_months_clamped(first, month), "amount": "400.00"}))
        .collect();
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", current(&app, 1, json!({"instalments": instalments})).await)
            .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let request_id = body["request_id"].as_i64().unwrap();
    app.set_today(first + chrono::Duration::days(1));
    let (status, body) =
        post(&app, &lead, &format!("/api/v1/approvals/{request_id}/approve"), json!({"reason": ""})).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, Some("date_in_past"), Some("instalments")), "{body}");
    assert!(recouvre_store::workflow::plan_instalments(&app.db.store, 1).await.unwrap().is_empty());
    // On time, the same request is approved.
    app.set_today(first);
    let (status, body) =
        post(&app, &lead, &format!("/api/v1/approvals/{request_id}/approve"), json!({"reason": ""})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(recouvre_store::workflow::plan_instalments(&app.db.store, 1).await.unwrap().len(), 30);
}

/// C. civ. 2240: the last payment core banking recorded on a claim before the case was opened
/// (`last_payment_on` in the accounts file) interrupts the limitation too.
#[tokio::test]
async fn a_payment_recorded_by_core_banking_before_the_case_interrupts_the_limitation() {
    let app = TestApp::spawn().await;
    let file = format!(
        "{HEADER};last_payment_on\n\
         C1;Bernard;Luc;2 rue;69003;Lyon;mortgage;LP-1;12000.00;2024-06-03;2100.00;2025-03-10\n\
         C2;Morel;Ines;4 rue;69003;Lyon;mortgage;LP-2;12000.00;2024-06-03;2100.00;\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    assert_eq!(limitation_date(&app, 1).await, Some(date("2027-03-10")));
    assert_eq!(limitation_date(&app, 2).await, Some(date("2026-06-03")));
}

/// A plan's length is the time to its last instalment; absurd dates, a total above the debt and
/// a closed case are refused (issue 23, finding 1).
#[tokio::test]
async fn a_plan_of_three_instalments_over_eighteen_years_goes_to_approval_and_absurd_plans_are_refused() {
    let (app, officer, _) = app_with_case().await;
    let year = |years: u32| recouvre_domain::calendar::add_months_clamped(today(), 12 * years);
    let instalments = json!([
        {"due_on": year(1), "amount": "100.00"},
        {"due_on": year(9), "amount": "100.00"},
        {"due_on": year(19), "amount": "100.00"},
    ]);
    let (status, body) =
        post(&app, &officer, "/api/v1/cases/1/plans", current(&app, 1, json!({"instalments": instalments})).await)
            .await;
    assert_eq!(status, StatusCode::ACCEPTED, "19 years exceed a level-1 officer's 18 months: {body}");
    assert_eq!(body["status"], "pending");
    assert!(body["reasons"].to_string().contains("228 mois"), "{body}");
    assert!(recouvre_store::workflow::plan_instalments(&app.db.store, 1).await.unwrap().is_empty());

    let refused = |instalments: Value| {
        let (app, officer) = (&app, &officer);
        async move {
            post(app, officer, "/api/v1/cases/1/plans", current(app, 1, json!({"instalments": instalments})).await)
                .await
        }
    };
    for (due_on, why) in [("1857-03-01", "past"), ("9337-03-01", "absurd")] {
        let (status, body) = refused(json!([{"due_on": due_on, "amount": "100.00"}])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
    }
    let (status, body) = refused(json!([{"due_on": year(1), "amount": "229567.00"}])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "above_debt", "{body}");
    sql::query("UPDATE cases SET status = 'closed' WHERE id = 1").execute(&app.db.store).await.unwrap();
    let (status, body) = refused(json!([{"due_on": year(1), "amount": "100.00"}])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "case_closed", "{body}");
}

/// Waivers add up over the window: three waivers of 500 € each pass a level-1 officer's 10 % of a
/// 12,000 € debt one by one, but the third brings the case's total over it and waits (issue 23).
#[tokio::test]
async fn small_waivers_add_up_against_the_delegation_over_the_window() {
    let (app, officer, _) = app_with_case().await;
    let waiver = json!({"amounts": {"principal": "500.00", "contractual_interest": "0.00",
        "statutory_interest": "0.00", "costs": "0.00", "penalties": "0.00"}, "reason": "Geste commercial"});
    for _ in 0..2 {
        let (status, body) =
            post(&app, &officer, "/api/v1/cases/1/waivers", current(&app, 1, waiver.clone()).await).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // 1,000 € given up, 11,000 € left: 500 € more is 1,500 € of 12,000 €, 12.5 %, over 10 %.
    let (status, body) = post(&app, &officer, "/api/v1/cases/1/waivers", current(&app, 1, waiver).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "the third waiver goes to approval: {body}");
    assert_eq!(body["status"], "pending", "{body}");
}

// ---------------------------------------------------------------------------------------------
// Interest per claim (issue 18, part 2)

/// The statutory interest of `principal` over each month from the day after `after` to `to`
/// (included), each month rounded once, by the statutory-interest calculator (CMF L313-2,
/// L313-3): the rule the case's projection and the nightly bookings must follow.
fn monthly_statutory(principal: Money, after: NaiveDate, to: NaiveDate, enforceable_on: NaiveDate) -> Money {
    let reference = recouvre_domain::reference::ReferenceData::embedded();
    let mut total = Money::ZERO;
    let mut from = after.succ_opt().unwrap();
    while from <= to {
        let end = recouvre_domain::claim_interest::month_end(from).min(to);
        let month = recouvre_domain::statutory_interest::statutory_interest(
            principal,
            from,
            end.succ_opt().unwrap(),
            recouvre_domain::statutory_interest::CreditorCategory::Other,
            Some(enforceable_on),
            &reference,
        )
        .unwrap();
        total += month.interest;
        from = end.succ_opt().unwrap();
    }
    total
}

async fn accrued_statutory(app: &TestApp, token: &str) -> (Money, Value) {
    let (status, body) = get(app, token, "/api/v1/cases/1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let accrued = body["accrued_interest"].clone();
    (accrued["statutory"].as_str().unwrap().parse().unwrap(), accrued)
}

/// CMF L313-3: the statutory rate gains five points from the expiry of two months after the
/// decision became enforceable — for a payment order, the end of the opposition month without
/// opposition (CPC 1416, 1422), recorded by the step that makes it enforceable. The statutory rate
/// runs from the formal notice (C. civ. 1231-6). The case's API and page show the interest
/// accrued to today, and the nightly run books it at each month's end, month by month.
#[tokio::test]
async fn the_five_points_start_two_months_after_enforceability() {
    let opened_on = date("2025-09-01");
    let (app, officer, _) = app_with_two_cases("overdraft", opened_on).await;
    sql::query("UPDATE cases SET opened_on = $1").bind(opened_on).execute(&app.db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1")
        .bind(opened_on)
        .execute(&app.db.dba().await)
        .await
        .unwrap();
    let notice_on = date("2025-10-01");
    drive(
        &app,
        &officer,
        1,
        &[
            Setup::Step("amicable", "send_formal_notice", notice_on),
            Setup::Step("payment_order", "prepare_request", date("2025-11-03")),
            Setup::Step("payment_order", "file_request", date("2025-11-04")),
            Setup::Step("payment_order", "record_order_granted", date("2025-12-01")),
            // Served on 5 January 2026: the opposition month ends on Thursday 5 February.
            Setup::Step("payment_order", "serve_order", date("2026-01-05")),
            Setup::Step("payment_order", "record_enforceable", date("2026-02-10")),
        ],
    )
    .await;
    // Enforceable from 6 February 2026 (the day after the opposition month): +5 points from
    // 7 April 2026 (two months later, 6 April, then the day after).
    let enforceable_on = date("2026-02-06");
    let principal = Money::euros(12_000);
    app.set_today(date("2026-04-06"));
    let (before, accrued) = accrued_statutory(&app, &officer).await;
    assert_eq!(accrued["as_of"], "2026-04-06");
    assert_eq!(before, monthly_statutory(principal, notice_on, date("2026-04-06"), enforceable_on));
    // The same without any increase: not yet applied on 6 April.
    assert_eq!(before, monthly_statutory(principal, notice_on, date("2026-04-06"), date("2099-01-01")));
    app.set_today(date("2026-04-07"));
    let (after, _) = accrued_statutory(&app, &officer).await;
    assert_eq!(after, monthly_statutory(principal, notice_on, date("2026-04-07"), enforceable_on));
    // 7 April bears 12 000 € × (the semester's rate + 5 points) ÷ 365.
    let rate = recouvre_domain::reference::ReferenceData::embedded()
        .statutory_rate(recouvre_domain::reference::Semester::of(date("2026-04-07")))
        .unwrap()
        .other;
    let one_day =
        principal.to_decimal() * (rate + rust_decimal::Decimal::from(5)) / rust_decimal::Decimal::from(36_500);
    let one_day = Money::from_decimal_rounded(one_day).unwrap();
    assert!(((after - before).cents() - one_day.cents()).abs() <= 1, "{before} then {after}, one day {one_day}");
    // Case 2, never given a formal notice, bears no statutory interest.
    let (status, other) = get(&app, &officer, "/api/v1/cases/2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(other["accrued_interest"]["statutory"], "0.00", "{other}");

    // The nightly runs of 31 March and 30 April book each month; the page shows what runs after.
    let reference = std::sync::Arc::new(recouvre_domain::reference::ReferenceData::embedded());
    for as_of in [date("2026-03-31"), date("2026-04-30")] {
        let options = recouvre_store::batch::RunOptions::new(as_of);
        recouvre_store::batch::run(
            &app.db.store,
            &options,
            reference.clone(),
            std::sync::Arc::new(recouvre_store::batch::Silent),
        )
        .await
        .unwrap();
    }
    app.set_today(date("2026-05-10"));
    let (status, body) = get(&app, &officer, "/api/v1/cases/1").await;
    assert_eq!(status, StatusCode::OK);
    let booked: Money = body["breakdown"]["statutory_interest"].as_str().unwrap().parse().unwrap();
    assert_eq!(booked, monthly_statutory(principal, notice_on, date("2026-04-30"), enforceable_on));
    assert_eq!(body["accrued_interest"]["booked_to"], "2026-04-30");
    let (projected, _) = accrued_statutory(&app, &officer).await;
    assert_eq!(projected, monthly_statutory(principal, date("2026-04-30"), date("2026-05-10"), enforceable_on));
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Intérêts courus au 10/05/2026"), "the case page shows the accrued interest");
    assert!(page.contains(&projected.to_french()), "{projected}");

    // A payment needs a settled balance: the interest accrued to its day is booked first, and
    // the payment goes to the interest before the capital (C. civ. 1343-1).
    pay(&app, &officer, 1, date("2026-05-10"), "VIR-MAI").await;
    let (_, body) = get(&app, &officer, "/api/v1/cases/1").await;
    assert_eq!(body["accrued_interest"]["booked_to"], "2026-05-10", "{body}");
    let settled: Money = body["breakdown"]["statutory_interest"].as_str().unwrap().parse().unwrap();
    assert_eq!(settled, booked + projected - Money::euros(100));
    assert_eq!(body["breakdown"]["principal"], "12000.00");
}
