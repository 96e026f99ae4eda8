//! AML/CFT vigilance on incoming money (scenario 8), on the engine under test: the payments are
//! booked, compliance gets an alert, the debtor and the officers are told nothing.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use recouvre_domain::authority::Role;
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::sql;
use recouvre_testkit::{camt053, today, StatementCredit, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

#[tokio::test]
async fn a_sudden_repayment_by_third_parties_raises_an_alert_only_compliance_sees() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let second = app.db.user("paul", Role::Compliance, PASSWORD).await;
    let (officer_token, compliance_token, second_token) =
        (app.db.token(officer).await, app.db.token(compliance).await, app.db.token(second).await);
    // Statements are imported by the back office, never by an officer (issue 23).
    let back_office = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    // Scenario 8: 9 000 € of debt, no known income, an old case.
    let opened = today() - Duration::days(400);
    let file = format!("{HEADER}\nC8;Morel;Julien;3 rue Neuve;13001;Marseille;personal_loan;PP-8;9000.00;{opened};0\n");
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    sql::query("UPDATE cases SET opened_on = $1").bind(opened).execute(&app.db.store).await.unwrap();
    let rf = rf_reference("CTX-0000001");
    let statement = camt053(
        "AML-1",
        today(),
        &[
            StatementCredit {
                amount: "3000.00",
                payer_name: "SCI LES PINS",
                payer_iban: "FR7630006000011234567890189",
                rf_reference: Some(&rf),
                free_text: None,
                bank_reference: "A1",
            },
            StatementCredit {
                amount: "3000.00",
                payer_name: "DURAND MARC",
                payer_iban: "FR7630004000031234567890143",
                rf_reference: Some(&rf),
                free_text: None,
                bank_reference: "A2",
            },
            StatementCredit {
                amount: "3000.00",
                payer_name: "HANDELS GMBH",
                payer_iban: "DE89370400440532013000",
                rf_reference: Some(&rf),
                free_text: None,
                bank_reference: "A3",
            },
        ],
    );
    let imported: Value = reqwest::Client::new()
        .post(app.url("/api/v1/imports/statement"))
        .bearer_auth(&back_office)
        .body(statement)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The first two are booked; the third, which repays the old debt in full from abroad
    // (score 80), is held by default (issue 19) and counted in no total of the answer.
    assert_eq!(imported["booked"], 2, "{imported}");
    assert_eq!(
        (imported["suspense"].as_u64(), imported["suspense_amount"].as_str()),
        (Some(0), Some("0.00")),
        "{imported}"
    );
    assert!(imported.get("flagged").is_none(), "the import answer says nothing of AML: {imported}");
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.total(), recouvre_domain::Money::euros(3_000));
    // Compliance sees alerts with the rules that fired.
    let alerts: Value = reqwest::Client::new()
        .get(app.url("/api/v1/aml/alerts"))
        .bearer_auth(&compliance_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let alerts = alerts.as_array().unwrap();
    assert!(!alerts.is_empty());
    let rules: Vec<String> = alerts
        .iter()
        .flat_map(|alert| {
            alert["alerts"].as_array().unwrap().iter().map(|rule| rule["rule"].as_str().unwrap().to_string())
        })
        .collect();
    for expected in ["third_party_payer", "several_payers", "foreign_payer"] {
        assert!(rules.iter().any(|rule| rule == expected), "{expected} in {rules:?}");
    }
    // Officers cannot read the queue, and their case page says nothing.
    let refused =
        reqwest::Client::new().get(app.url("/api/v1/aml/alerts")).bearer_auth(&officer_token).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page =
        app.login("camille", PASSWORD).await.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("conformité"), "no tipping-off on the officer's page");
    let journal = recouvre_store::journal::events(&app.db.store, 1).await.unwrap();
    assert!(journal.iter().all(|event| !event.payload.contains("aml") && !event.kind.contains("aml")));
    // The highest alert needs two compliance officers to close it.
    let top = &alerts[0];
    let id = top["id"].as_i64().unwrap();
    let high = top["score"].as_i64().unwrap() >= i64::from(recouvre_domain::aml::AmlRules::embedded().high_score);
    let close = |token: &str| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/aml/alerts/{id}/close")))
            .bearer_auth(token.to_string())
            .json(&json!({"reason": "Fonds d'une succession, justificatifs reçus"}))
            .send()
    };
    let first: Value = close(&compliance_token).await.unwrap().json().await.unwrap();
    if high {
        assert_eq!(first["outcome"], "awaiting_second_opinion");
        assert_eq!(close(&compliance_token).await.unwrap().status(), StatusCode::CONFLICT, "not by the same person");
        let confirmed: Value = close(&second_token).await.unwrap().json().await.unwrap();
        assert_eq!(confirmed["outcome"], "closed");
    } else {
        assert_eq!(first["outcome"], "closed");
    }
    // Another alert becomes a suspicious activity report, exported for the reporting tool.
    if let Some(other) = alerts.get(1) {
        let other_id = other["id"].as_i64().unwrap();
        let reported = reqwest::Client::new()
            .post(app.url(&format!("/api/v1/aml/alerts/{other_id}/report")))
            .bearer_auth(&compliance_token)
            .json(&json!({"reference": "TRACFIN-2026-0042", "filed_on": today()}))
            .send()
            .await
            .unwrap();
        assert_eq!(reported.status(), StatusCode::NO_CONTENT);
        let export: Value = reqwest::Client::new()
            .get(app.url(&format!("/api/v1/aml/alerts/{other_id}/export")))
            .bearer_auth(&compliance_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(export["format"], "recouvre-sar/1");
        assert_eq!(export["sar_reference"], "TRACFIN-2026-0042");
        assert_eq!(export["subject"]["last_name"], "Morel");
        assert_eq!(export["payments"].as_array().unwrap().len(), 3);
    }
    // The month's figures: every alert counted, by rule and outcome; compliance's own (a count
    // of alerts would tell a committee member of a small portfolio, tests/tipping_off.rs).
    let month = today().format("%Y-%m").to_string();
    let viewer = app.db.user("helene", Role::CommitteeViewer, PASSWORD).await;
    let viewer_token = app.db.token(viewer).await;
    let refused = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/aml/report?month={month}")))
        .bearer_auth(&viewer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let report: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/aml/report?month={month}")))
        .bearer_auth(&compliance_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["alerts"].as_u64().unwrap() as usize, alerts.len(), "{report}");
    assert!(report["by_rule"]["third_party_payer"].as_u64().unwrap() >= 1);
    let statuses: u64 = report["by_status"].as_object().unwrap().values().map(|count| count.as_u64().unwrap()).sum();
    assert_eq!(statuses as usize, alerts.len());
    let bad = reqwest::Client::new()
        .get(app.url("/api/v1/aml/report?month=2026-13"))
        .bearer_auth(&compliance_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!((bad["code"].as_str(), bad["field"].as_str()), (Some("invalid_month"), Some("month")), "{bad}");
    let refused = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/aml/report?month={month}")))
        .bearer_auth(&officer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let trail = recouvre_store::aml::trail(&app.db.store, id).await.unwrap();
    assert!(trail.iter().any(|(kind, _, _, _)| kind == "raised"));
    assert!(trail.iter().filter(|(kind, _, _, _)| kind == "close").count() >= 1);
}

#[tokio::test]
async fn a_debtor_paying_an_instalment_from_their_own_account_raises_nothing() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    let file = format!("{HEADER}\nC9;Dupont;Jean;1 rue;69001;Lyon;overdraft;00099;2340.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    sql::query("UPDATE persons SET iban = 'FR7630006000011234567890189'").execute(&app.db.store).await.unwrap();
    let statement = camt053(
        "AML-2",
        today(),
        &[StatementCredit {
            amount: "150.00",
            payer_name: "DUPONT JEAN",
            payer_iban: "FR7630006000011234567890189",
            rf_reference: None,
            free_text: Some("ECHEANCE"),
            bank_reference: "N1",
        }],
    );
    recouvre_testkit::import_statement(&app.db.store, "n.xml", statement.as_bytes(), "system:test").await.unwrap();
    let alerts: Value = reqwest::Client::new()
        .get(app.url("/api/v1/aml/alerts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(alerts.get("error").is_some(), "officers are refused");
    assert!(recouvre_store::aml::open_alerts(&app.db.store).await.unwrap().is_empty());
}

/// A payer on the loaded sanctions list: matched despite accents, word order and spelling; the
/// payment is held in suspense (out of the officers' queue, the case untouched) until compliance
/// decides, then released to the case.
/// Hélène Moreau-Deschamps (on the freeze list), without accents and in another order, pays
/// 500 € by transfer on case CTX-0000001, in a statement imported by the system.
async fn listed_payer_pays_500(app: &TestApp, message_id: &str, bank_reference: &str) {
    let rf = rf_reference("CTX-0000001");
    let statement = camt053(
        message_id,
        today(),
        &[StatementCredit {
            amount: "500.00",
            payer_name: "MOREAU DESCHAMPS HELENE",
            payer_iban: "FR7630006000011234567890189",
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference,
        }],
    );
    recouvre_testkit::import_statement(&app.db.store, "s.xml", statement.as_bytes(), "system:test").await.unwrap();
}

#[tokio::test]
async fn a_listed_payer_is_matched_despite_accents_and_order_and_the_payment_is_held() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let (officer_token, compliance_token) = (app.db.token(officer).await, app.db.token(compliance).await);
    let file = format!("{HEADER}\nC7;Dupont;Jean;1 rue;69001;Lyon;overdraft;00077;2000.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let list = "id;name;aliases;birth_date;country;source\n\
                EU-1;Viktor Ivanovitch ZAKHAROV;Viktor Zakharoff;1961-03-04;RU;Règlement (UE) 269/2014\n\
                FR-2;Hélène DESCHAMPS-MOREAU;;1975-11-30;FR;Registre national des gels\n";
    // Only compliance loads a list; a bad line is refused with its line and field.
    let load = |token: String, body: String| {
        reqwest::Client::new()
            .post(app.url("/api/v1/aml/sanctions?file_name=gel.csv"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    assert_eq!(load(officer_token.clone(), list.to_string()).await.unwrap().status(), StatusCode::FORBIDDEN);
    let bad = load(compliance_token.clone(), format!("{list}X-3;Jean Test;;31/02/1980;FR;x\n")).await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let message = bad.text().await.unwrap();
    assert!(message.contains("ligne 4") && message.contains("birth_date"), "{message}");
    assert_eq!(load(compliance_token.clone(), list.to_string()).await.unwrap().status(), StatusCode::CREATED);
    // Moreau-Deschamps, without accents, in another order, pays the debt by transfer.
    listed_payer_pays_500(&app, "SANC-1", "S1").await;
    // Held: the case still owes everything, its journal is untouched, officers' queue is empty.
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.total(), recouvre_domain::Money::euros(2_000));
    let journal = recouvre_store::journal::events(&app.db.store, 1).await.unwrap();
    assert!(journal.iter().all(|event| event.kind != "payment_booked"), "{journal:?}");
    let queue: Value = reqwest::Client::new()
        .get(app.url("/api/v1/suspense"))
        .bearer_auth(&officer_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue.as_array().unwrap().len(), 0, "held money is not in the officers' queue: {queue}");
    // Compliance sees the match and the hold.
    let alerts: Value = reqwest::Client::new()
        .get(app.url("/api/v1/aml/alerts"))
        .bearer_auth(&compliance_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let alert = &alerts.as_array().unwrap()[0];
    assert_eq!(alert["held"], true, "{alert}");
    let matched = alert["alerts"].as_array().unwrap().iter().find(|rule| rule["rule"] == "sanctions_list").unwrap();
    assert_eq!(matched["facts"]["match"]["entry_id"], "FR-2", "{matched}");
    let id = alert["id"].as_i64().unwrap();
    let funds = |decision: &'static str| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/aml/alerts/{id}/funds")))
            .bearer_auth(compliance_token.clone())
            .json(&json!({ "decision": decision }))
            .send()
    };
    // Not before the alert itself is decided.
    assert_eq!(funds("release").await.unwrap().status(), StatusCode::CONFLICT);
    let reported = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/aml/alerts/{id}/report")))
        .bearer_auth(&compliance_token)
        .json(&json!({"reference": "TRACFIN-2026-0077", "filed_on": today()}))
        .send()
        .await
        .unwrap();
    assert_eq!(reported.status(), StatusCode::NO_CONTENT);
    // Frozen (CMF L562-4): reported or not, no release without the Treasury's authorisation, and
    // never returned to the listed payer.
    let code = |response: reqwest::Response| async move {
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        (status, body["code"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(
        code(funds("release").await.unwrap()).await,
        (StatusCode::CONFLICT, "treasury_authorisation_required".to_string())
    );
    assert_eq!(code(funds("return").await.unwrap()).await, (StatusCode::CONFLICT, "funds_frozen".to_string()));
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.total(), recouvre_domain::Money::euros(2_000), "still frozen");
    assert_eq!(
        recouvre_store::suspense::compliance_balance(&app.db.store).await.unwrap(),
        recouvre_domain::Money::euros(500)
    );
}

/// With `hold_flagged_payments`, any flagged payment waits in suspense; a cash payment entered
/// by hand is accepted as "being processed", then returned to the payer by compliance.
#[tokio::test]
async fn with_the_hold_option_a_flagged_payment_waits_and_can_be_returned() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let (officer_token, compliance_token) = (app.db.token(officer).await, app.db.token(compliance).await);
    let file = format!("{HEADER}\nC6;Martin;Léa;1 rue;69001;Lyon;overdraft;00066;2000.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let rules = include_str!("../../domain/data/aml_rules.toml").replace("hold_score = 70", "hold_score = 1");
    recouvre_store::aml::enter_rules(&app.db.store, &rules, "admin", Utc::now()).await.unwrap();
    let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
    let pay = |cash: bool, reference: &'static str| {
        reqwest::Client::new()
            .post(app.url("/api/v1/cases/1/payments"))
            .bearer_auth(officer_token.clone())
            .json(&json!({"version": version, "amount": "300.00", "received_on": today(), "reference": reference, "cash": cash}))
            .send()
    };
    let response = pay(true, "ESPECES-1").await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let booked: Value = response.json().await.unwrap();
    assert_eq!(booked["pending"], true);
    assert_eq!(booked["postings"].as_array().unwrap().len(), 0);
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.total(), recouvre_domain::Money::euros(2_000), "the case is untouched");
    assert_eq!(case.version, version);
    // A payment that raises nothing is booked as usual.
    let response = pay(false, "CHQ-2").await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let alert = &recouvre_store::aml::open_alerts(&app.db.store).await.unwrap()[0];
    assert!(alert.held_item_id.is_some());
    let close = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/aml/alerts/{}/close", alert.id)))
        .bearer_auth(&compliance_token)
        .json(&json!({"reason": "Espèces d'origine inexpliquée, fonds refusés"}))
        .send()
        .await
        .unwrap();
    assert_eq!(close.status(), StatusCode::OK);
    let returned = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/aml/alerts/{}/funds", alert.id)))
        .bearer_auth(&compliance_token)
        .json(&json!({"decision": "return"}))
        .send()
        .await
        .unwrap();
    assert_eq!(returned.status(), StatusCode::NO_CONTENT);
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.total(), recouvre_domain::Money::euros(1_700), "only the cheque is allocated");
    assert_eq!(recouvre_store::suspense::balance(&app.db.store).await.unwrap(), recouvre_domain::Money::ZERO);
    let trail = recouvre_store::aml::trail(&app.db.store, alert.id).await.unwrap();
    assert!(trail.iter().any(|(kind, payload, _, _)| kind == "funds" && payload.contains("returned")));
}

/// Compliance's decisions check their input like every use case (docs/api.md): a missing reason
/// or reference, a report dated in the future, an unknown decision or threshold, an unreadable
/// list are refused with 400 naming the field, before anything is written; the state of the
/// alert still refuses with 409.
#[tokio::test]
async fn compliance_decisions_refuse_bad_input_with_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let (officer_token, compliance_token) = (app.db.token(officer).await, app.db.token(compliance).await);
    let file = format!("{HEADER}\nC5;Petit;Anne;1 rue;69001;Lyon;overdraft;00055;2000.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let rules = include_str!("../../domain/data/aml_rules.toml").replace("hold_score = 70", "hold_score = 1");
    recouvre_store::aml::enter_rules(&app.db.store, &rules, "admin", Utc::now()).await.unwrap();
    let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
    let paid = reqwest::Client::new()
        .post(app.url("/api/v1/cases/1/payments"))
        .bearer_auth(&officer_token)
        .json(&json!({"version": version, "amount": "300.00", "received_on": today(), "reference": "ESPECES-1", "cash": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::ACCEPTED);
    let id = recouvre_store::aml::open_alerts(&app.db.store).await.unwrap()[0].id;
    let post = |path: String, body: Value| {
        let request = reqwest::Client::new().post(app.url(&path)).bearer_auth(compliance_token.clone()).json(&body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let refused = |(status, body): (StatusCode, Value)| {
        (status, body["code"].as_str().unwrap_or("?").to_string(), body["field"].as_str().map(str::to_string))
    };
    let bad = |code: &str, field: &str| (StatusCode::BAD_REQUEST, code.to_string(), Some(field.to_string()));

    let close = format!("/api/v1/aml/alerts/{id}/close");
    assert_eq!(refused(post(close.clone(), json!({"reason": "  "})).await), bad("required", "reason"));
    let report = format!("/api/v1/aml/alerts/{id}/report");
    assert_eq!(
        refused(post(report.clone(), json!({"reference": "", "filed_on": today()})).await),
        bad("required", "reference")
    );
    let tomorrow = today() + Duration::days(1);
    assert_eq!(
        refused(post(report.clone(), json!({"reference": "TRACFIN-1", "filed_on": tomorrow})).await),
        bad("date_in_future", "filed_on")
    );
    let funds = format!("/api/v1/aml/alerts/{id}/funds");
    assert_eq!(refused(post(funds.clone(), json!({"decision": "keep"})).await), bad("unknown_code", "decision"));
    // Nothing was decided: the alert is still open, its money still held.
    let alert = recouvre_store::aml::alert(&app.db.store, id).await.unwrap();
    assert_eq!((alert.status.as_str(), alert.funds_decision), ("open", None));
    // The state of the alert refuses with 409: no funds decision before the alert's own.
    let (status, body) = post(funds.clone(), json!({"decision": "return"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // An unknown alert is 404.
    let (status, _) =
        post("/api/v1/aml/alerts/999999/visibility".to_string(), json!({"visible_to_officers": true})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Sanctions lists: the threshold is 50 to 100 %, an unreadable file is bad input.
    let load = |query: &str, body: &str| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/aml/sanctions?{query}")))
            .bearer_auth(compliance_token.clone())
            .header("content-type", "text/csv")
            .body(body.to_string())
            .send()
    };
    let list = "id;name;aliases;birth_date;country;source\nFR-1;Jean TEST;;1975-11-30;FR;Registre\n";
    let response = load("file_name=gel.csv&threshold_percent=20", list).await.unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("out_of_range"), Some("threshold_percent")));
    let response = load("file_name=gel.csv", "nom;prénom\n").await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.json::<Value>().await.unwrap()["code"], "invalid_file");
    assert!(recouvre_store::sanctions::latest(&app.db.store).await.unwrap().is_none(), "nothing loaded");

    // The page's form: a report dated tomorrow is refused the same way.
    let browser = app.login("nadia", PASSWORD).await;
    let page = browser.get(app.url("/conformite")).send().await.unwrap().text().await.unwrap();
    let csrf = recouvre_testkit::hidden_value(&page, "csrf").unwrap();
    let tomorrow = tomorrow.to_string();
    let response = browser
        .post(app.url(&format!("/conformite/{id}")))
        .form(&[("csrf", csrf.as_str()), ("action", "report"), ("reference", "TRACFIN-1"), ("filed_on", &tomorrow)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = browser
        .post(app.url(&format!("/conformite/{id}")))
        .form(&[("csrf", csrf.as_str()), ("action", "report"), ("reference", "TRACFIN-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "dated today when no date is given");
    let alert = recouvre_store::aml::alert(&app.db.store, id).await.unwrap();
    assert_eq!((alert.status.as_str(), alert.sar_filed_on), ("reported", Some(today())));
}

/// Issue 19: a payer on the asset-freeze list. The money is frozen, out of every total an
/// officer reads; the declaration to the Treasury is prepared; only a recorded Treasury
/// authorisation releases it, proposed by one member of compliance and confirmed by another;
/// the released money reaches the case as the system's act, naming no member of compliance.
#[tokio::test]
async fn frozen_funds_are_released_only_on_a_treasury_authorisation_by_two_compliance_officers() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let second = app.db.user("paul", Role::Compliance, PASSWORD).await;
    let (officer_token, nadia, paul) =
        (app.db.token(officer).await, app.db.token(compliance).await, app.db.token(second).await);
    let file = format!("{HEADER}\nC7;Dupont;Jean;1 rue;69001;Lyon;overdraft;00077;2000.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let list = "id;name;aliases;birth_date;country;source\n\
                FR-2;Hélène DESCHAMPS-MOREAU;;1975-11-30;FR;Registre national des gels\n";
    let loaded = reqwest::Client::new()
        .post(app.url("/api/v1/aml/sanctions?file_name=gel.csv"))
        .bearer_auth(&nadia)
        .header("content-type", "text/csv")
        .body(list)
        .send()
        .await
        .unwrap();
    assert_eq!(loaded.status(), StatusCode::CREATED);
    let officer_page = app.login("camille", PASSWORD).await;
    let suspense_page = officer_page.get(app.url("/instance")).send().await.unwrap().text().await.unwrap();
    listed_payer_pays_500(&app, "GEL-1", "G1").await;
    // Frozen on its own account, not in suspense, in the import's transaction: the case-less
    // ledger moved the 500 € from suspense to the frozen-funds account under the item's reference.
    let store = &app.db.store;
    assert_eq!(recouvre_store::suspense::ledger_balance(store).await.unwrap(), recouvre_domain::Money::ZERO);
    assert_eq!(recouvre_store::suspense::frozen_balance(store).await.unwrap(), recouvre_domain::Money::euros(500));
    let freezes: Vec<(String, String)> = sql::query_as(
        "SELECT kind, reference FROM ledger_transactions WHERE case_id IS NULL AND kind LIKE 'aml_%' ORDER BY id",
    )
    .fetch_all(store)
    .await
    .unwrap();
    let item: i64 =
        sql::query_scalar("SELECT id FROM suspense_items WHERE status = 'aml_frozen'").fetch_one(store).await.unwrap();
    assert_eq!(freezes, vec![("aml_freeze".to_string(), format!("instance n° {item}"))]);
    // The officer's suspense page is the same as before the money came: no total counts it.
    let after = officer_page.get(app.url("/instance")).send().await.unwrap().text().await.unwrap();
    assert_eq!(after, suspense_page, "held money leaves no trace on the officers' suspense page");
    assert!(after.contains("0,00"), "{after}");
    assert_eq!(recouvre_store::suspense::balance(&app.db.store).await.unwrap(), recouvre_domain::Money::ZERO);
    // Accounting control sees one opaque line, so the bank account reconciles; a team lead does not.
    app.db.user("alice", Role::AccountingControl, PASSWORD).await;
    app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    let controls =
        app.login("alice", PASSWORD).await.get(app.url("/controles")).send().await.unwrap().text().await.unwrap();
    let line = format!(
        "Sommes en attente (conformité)</td><td class=\"num\">{}",
        recouvre_domain::Money::euros(500).to_french()
    );
    assert!(controls.contains(&line), "{controls}");
    assert!(!controls.contains("MOREAU") && !controls.contains("CTX-"), "no payer, no case");
    let lead =
        app.login("sophie", PASSWORD).await.get(app.url("/controles")).send().await.unwrap().text().await.unwrap();
    assert!(!lead.contains("conformité"), "{lead}");
    let alerts: Value = reqwest::Client::new()
        .get(app.url("/api/v1/aml/alerts"))
        .bearer_auth(&nadia)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = alerts[0]["id"].as_i64().unwrap();
    assert_eq!(alerts[0]["held"], true, "{alerts}");
    // The declaration of frozen funds to the Treasury: amount, person, list entry, date.
    let declaration: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/aml/alerts/{id}/freeze-declaration")))
        .bearer_auth(&nadia)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(declaration["amount"], "500.00", "{declaration}");
    assert_eq!(declaration["person"]["name"], "MOREAU DESCHAMPS HELENE", "{declaration}");
    assert_eq!(declaration["list_entry"]["entry_id"], "FR-2", "{declaration}");
    assert_eq!(declaration["frozen_on"], json!(today()), "{declaration}");
    let forbidden = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/aml/alerts/{id}/freeze-declaration")))
        .bearer_auth(&officer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let funds = |token: &str, decision: &'static str| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/aml/alerts/{id}/funds")))
            .bearer_auth(token.to_string())
            .json(&json!({ "decision": decision }))
            .send()
    };
    let refused = funds(&nadia, "release").await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["code"], "treasury_authorisation_required", "{refused}");
    // The authorisation is recorded with its reference, date, scope and document.
    let authorise = |body: Value| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/aml/alerts/{id}/authorisation")))
            .bearer_auth(nadia.clone())
            .json(&body)
            .send()
    };
    let incomplete =
        authorise(json!({"reference": "DGT-2026-118", "granted_on": today(), "scope": "500 €"})).await.unwrap();
    assert_eq!(incomplete.status(), StatusCode::BAD_REQUEST);
    let incomplete: Value = incomplete.json().await.unwrap();
    assert_eq!(incomplete["field"], "document", "{incomplete}");
    let recorded = authorise(json!({"reference": "DGT-2026-118", "granted_on": today(),
        "scope": "déblocage de 500,00 € au profit du créancier", "document": "courrier DGT du jour"}))
    .await
    .unwrap();
    assert_eq!(recorded.status(), StatusCode::CREATED);
    // Two members of compliance: the first proposes, the same one cannot confirm, another does.
    let proposed = funds(&nadia, "release").await.unwrap();
    assert_eq!(proposed.status(), StatusCode::ACCEPTED);
    let proposed: Value = proposed.json().await.unwrap();
    assert_eq!(proposed["outcome"], "awaiting_second_opinion");
    assert_eq!(
        recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().breakdown.total(),
        recouvre_domain::Money::euros(2_000)
    );
    assert_eq!(funds(&nadia, "release").await.unwrap().status(), StatusCode::CONFLICT, "not the same person");
    assert_eq!(funds(&paul, "release").await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(funds(&paul, "release").await.unwrap().status(), StatusCode::CONFLICT, "decided once");
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.total(), recouvre_domain::Money::euros(1_500));
    assert!(recouvre_store::ledger::check(&app.db.store).await.unwrap().is_clean());
    assert_eq!(recouvre_store::suspense::ledger_balance(&app.db.store).await.unwrap(), recouvre_domain::Money::ZERO);
    // Off the frozen-funds account, back through suspense to the case, in the release's
    // transaction; the general ledger's export names the account by its code.
    assert_eq!(recouvre_store::suspense::frozen_balance(store).await.unwrap(), recouvre_domain::Money::ZERO);
    assert_eq!(recouvre_store::suspense::compliance_balance(store).await.unwrap(), recouvre_domain::Money::ZERO);
    let csv = recouvre_store::controls::accounting_csv(
        &recouvre_store::controls::accounting_lines(store, today()).await.unwrap(),
    );
    for line in [";aml_freeze;aml_frozen;;500.00;", ";aml_unfreeze;aml_frozen;500.00;;"] {
        assert!(csv.contains(line), "{line} in\n{csv}");
    }
    // Released, the reconciliation counts the money as an ordinary suspense item's, in and
    // cleared, and never the transfers to and from the frozen-funds account.
    let reconciliation = recouvre_store::controls::reconciliation(store, today(), today()).await.unwrap();
    let euros = recouvre_domain::Money::euros;
    assert_eq!(
        (reconciliation.suspense_in, reconciliation.suspense_cleared, reconciliation.suspense_closing),
        (euros(500), euros(500), recouvre_domain::Money::ZERO),
        "{reconciliation:?}"
    );
    assert_eq!(reconciliation.difference, recouvre_domain::Money::ZERO, "{reconciliation:?}");
    // The officer's journal: the money came from suspense, by the system; no compliance login.
    let journal = reqwest::Client::new()
        .get(app.url("/api/v1/cases/1/journal"))
        .bearer_auth(&officer_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!journal.contains("nadia") && !journal.contains("paul"), "{journal}");
    let events: Value = serde_json::from_str(&journal).unwrap();
    let assigned = events.as_array().unwrap().iter().find(|event| event["kind"] == "suspense_assigned").unwrap();
    assert_eq!(assigned["actor"], "system:instance", "shown as the suspense process's: {assigned}");
    let page = officer_page.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("nadia") && !page.contains("paul"), "no compliance login on the case page");
}

/// Issue 19: events recorded under a compliance officer's login before compliance acted as the
/// system are shown as the system to every other role (the journal is not rewritten), and a
/// compliance login is in no actor filter.
#[tokio::test]
async fn a_compliance_login_already_in_a_journal_is_shown_as_the_system_and_filters_on_nothing() {
    let app = TestApp::spawn().await;
    let lead = app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let lead_token = app.db.token(lead).await;
    let file = format!("{HEADER}\nC5;Petit;Luc;1 rue;69001;Lyon;overdraft;00055;2000.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    // Money without a reference waits in suspense; it was assigned under nadia's login.
    let statement = camt053(
        "OLD-1",
        today(),
        &[StatementCredit {
            amount: "100.00",
            payer_name: "INCONNU",
            payer_iban: "FR7630004000031234567890143",
            rf_reference: None,
            free_text: None,
            bank_reference: "O1",
        }],
    );
    recouvre_testkit::import_statement(&app.db.store, "s.xml", statement.as_bytes(), "system:test").await.unwrap();
    let item = recouvre_store::suspense::open_items(&app.db.store).await.unwrap()[0].id;
    recouvre_store::payments::assign_suspense(&app.db.store, item, 1, "nadia", Utc::now()).await.unwrap();
    let stored = recouvre_store::journal::events(&app.db.store, 1).await.unwrap();
    assert!(stored.iter().any(|event| event.actor == "nadia"), "the journal itself keeps what was recorded");
    let journal = reqwest::Client::new()
        .get(app.url("/api/v1/cases/1/journal"))
        .bearer_auth(&lead_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!journal.contains("nadia"), "{journal}");
    assert!(journal.contains("system:instance") && !journal.contains("conformit"), "{journal}");
    let cases: Value = reqwest::Client::new()
        .get(app.url("/api/v1/cases?actor=nadia"))
        .bearer_auth(&lead_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cases["cases"].as_array().unwrap().len(), 0, "{cases}");
    let page =
        app.login("sophie", PASSWORD).await.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("nadia"), "no compliance login on the case page");
}

/// Issue 19: the vigilance rules are compliance's own: no other role reads them through the
/// reference data, a version is proposed by one member of compliance and in force once another
/// confirms it, and rules entered never stop a server from starting.
#[tokio::test]
async fn the_vigilance_rules_are_compliances_own_and_never_stop_a_server() {
    let db = recouvre_testkit::TestDb::new().await;
    let embedded = include_str!("../../domain/data/aml_rules.toml");
    // Rules entered the old way (reference data) and the new way, before the server starts.
    recouvre_store::reference::add(&db.store, "aml_rules", embedded, "admin", Utc::now()).await.unwrap();
    recouvre_store::aml::enter_rules(&db.store, embedded, "admin", Utc::now()).await.unwrap();
    let app = TestApp::spawn_on(db).await;
    let health = reqwest::Client::new().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the server started with vigilance rules entered");
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let nadia = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let paul = app.db.user("paul", Role::Compliance, PASSWORD).await;
    let (officer, nadia, paul) = (app.db.token(officer).await, app.db.token(nadia).await, app.db.token(paul).await);
    let reference =
        reqwest::Client::new().get(app.url("/api/v1/reference")).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(reference.status(), StatusCode::OK);
    let reference = reference.text().await.unwrap();
    assert!(!reference.contains("aml_rules") && !reference.contains("high_score"), "{reference}");
    let tuned = embedded.replace("version = \"2026-11\"", "version = \"2026-12-t\"");
    assert_ne!(tuned, embedded);
    let propose = |token: &str, body: String| {
        reqwest::Client::new().post(app.url("/api/v1/aml/rules")).bearer_auth(token.to_string()).body(body).send()
    };
    assert_eq!(propose(&officer, tuned.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    let bad = propose(&nadia, tuned.replace("high_score = 70", "high_score = 170")).await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["field"], "rules", "{bad}");
    let proposed = propose(&nadia, tuned.clone()).await.unwrap();
    assert_eq!(proposed.status(), StatusCode::CREATED);
    let id = proposed.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(recouvre_store::aml::rules(&app.db.store).await.unwrap().version, "2026-11", "not before confirmed");
    let confirm = |token: &str| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/aml/rules/{id}/confirm")))
            .bearer_auth(token.to_string())
            .send()
    };
    assert_eq!(confirm(&nadia).await.unwrap().status(), StatusCode::CONFLICT, "not by its author");
    assert_eq!(confirm(&officer).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(confirm(&paul).await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(recouvre_store::aml::rules(&app.db.store).await.unwrap().version, "2026-12-t");
    let listed = reqwest::Client::new().get(app.url("/api/v1/aml/rules")).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::FORBIDDEN);
    let reference = reqwest::Client::new()
        .get(app.url("/api/v1/reference"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!reference.contains("2026-12-t") && !reference.contains("aml_rules"), "{reference}");
}

/// Issue 19: one alert per pattern (one debtor, one rule, one window): four split cash deposits
/// make one alert listing the four payments, not four alerts.
#[tokio::test]
async fn four_split_cash_deposits_make_one_alert_listing_each_payment() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let (officer_token, compliance_token) = (app.db.token(officer).await, app.db.token(compliance).await);
    let file = format!("{HEADER}\nC4;Leroy;Anne;1 rue;69001;Lyon;overdraft;00044;9000.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    for n in 1..=4 {
        let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
        let response = reqwest::Client::new()
            .post(app.url("/api/v1/cases/1/payments"))
            .bearer_auth(&officer_token)
            .json(&json!({"version": version, "amount": "950.00", "received_on": today(),
                          "reference": format!("ESPECES-{n}"), "cash": true}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    }
    let alerts: Value = reqwest::Client::new()
        .get(app.url("/api/v1/aml/alerts"))
        .bearer_auth(&compliance_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["payment_count"], 4, "{}", alerts[0]);
    let rules: Vec<&str> =
        alerts[0]["alerts"].as_array().unwrap().iter().map(|rule| rule["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"cash") && rules.contains(&"structuring"), "{rules:?}");
}

/// Issue 19: after a suspicious-activity report the held money stays held for the bank's policy
/// period; TRACFIN's opposition, recorded with its date, blocks it ten jours ouvrables from the
/// notice (CMF L561-24), or until the date of a judge's extension.
#[tokio::test]
async fn a_tracfin_opposition_blocks_the_money_ten_jours_ouvrables_or_until_the_judges_date() {
    use recouvre_domain::calendar::{add_jours_ouvrables, add_working_days, Region};
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let (officer_token, nadia) = (app.db.token(officer).await, app.db.token(compliance).await);
    let day = today();
    app.set_today(day);
    let file = format!("{HEADER}\nC3;Roux;Paul;1 rue;69001;Lyon;overdraft;00033;2000.00;{day};1900.00\n");
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let rules = include_str!("../../domain/data/aml_rules.toml").replace("hold_score = 70", "hold_score = 1");
    recouvre_store::aml::enter_rules(&app.db.store, &rules, "admin", Utc::now()).await.unwrap();
    let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
    let held = reqwest::Client::new()
        .post(app.url("/api/v1/cases/1/payments"))
        .bearer_auth(&officer_token)
        .json(&json!({"version": version, "amount": "300.00", "received_on": day, "reference": "ESP-1", "cash": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), StatusCode::ACCEPTED);
    let id = recouvre_store::aml::open_alerts(&app.db.store).await.unwrap()[0].id;
    let post = |path: String, body: Value| {
        let (url, token) = (app.url(&path), nadia.clone());
        async move {
            let response = reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            (status, serde_json::from_str::<Value>(&text).unwrap_or(Value::Null))
        }
    };
    let opposition = format!("/api/v1/aml/alerts/{id}/opposition");
    let funds = format!("/api/v1/aml/alerts/{id}/funds");
    let (status, body) = post(opposition.clone(), json!({"notified_on": day})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("not_reported")), "{body}");
    let (status, _) =
        post(format!("/api/v1/aml/alerts/{id}/report"), json!({"reference": "TF-1", "filed_on": day})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // The bank's period after a report (a policy value of the rules, 2 working days by default).
    let (status, body) = post(funds.clone(), json!({"decision": "release"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("report_hold_period")), "{body}");
    let (status, body) = post(opposition.clone(), json!({})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("notified_on")), "{body}");
    let (status, body) = post(opposition.clone(), json!({"notified_on": day})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ten = add_jours_ouvrables(day, 10, Region::General);
    assert_eq!(body["blocked_until"], json!(ten));
    app.set_today(add_working_days(day, 2, Region::General));
    let (status, body) = post(funds.clone(), json!({"decision": "release"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("tracfin_opposition")), "{body}");
    // A judge extends the opposition: the money stays blocked until the date the order gives.
    let extended = ten + Duration::days(30);
    let (status, body) = post(opposition.clone(), json!({"notified_on": day, "extended_until": extended})).await;
    assert_eq!((status, body["blocked_until"].clone()), (StatusCode::OK, json!(extended)), "{body}");
    app.set_today(ten + Duration::days(1));
    let (status, body) = post(funds.clone(), json!({"decision": "release"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("tracfin_opposition")), "{body}");
    app.set_today(extended + Duration::days(1));
    let (status, body) = post(funds.clone(), json!({"decision": "release"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let export: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/aml/alerts/{id}/export")))
        .bearer_auth(&nadia)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["opposition"]["blocked_until"], json!(extended), "{export}");
    assert_eq!(
        recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().breakdown.total(),
        recouvre_domain::Money::euros(1_700)
    );
}

/// Issue 19: the statement import's reply (accounting control's) gives each credit's outcome; a
/// credit held by its score or frozen by a sanctions match says `held_compliance`, « en attente
/// (conformité) », and nothing else — no case, no payer, no reason, no suspense item — and is
/// counted apart, so that the statement adds up without any suspense figure counting it.
#[tokio::test]
async fn the_import_reply_shows_a_held_or_frozen_credit_as_held_for_compliance_and_nothing_more() {
    let app = TestApp::spawn().await;
    let claire = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    let opened = today() - Duration::days(400);
    let file = format!(
        "{HEADER}\nC7;Dupont;Jean;1 rue;69001;Lyon;overdraft;00077;2000.00;{};1900.00\n\
         C8;Morel;Julien;3 rue Neuve;13001;Marseille;personal_loan;PP-8;9000.00;{opened};0\n",
        today()
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    sql::query("UPDATE cases SET opened_on = $1 WHERE id = 2").bind(opened).execute(&app.db.store).await.unwrap();
    let list = "id;name;aliases;birth_date;country;source\n\
                FR-2;Hélène DESCHAMPS-MOREAU;;1975-11-30;FR;Registre national des gels\n";
    recouvre_store::sanctions::load(&app.db.store, "gel.csv", list, 85, "system:test", Utc::now()).await.unwrap();
    let (rf1, rf2) = (rf_reference("CTX-0000001"), rf_reference("CTX-0000002"));
    let credit = |amount, payer_name, payer_iban, rf_reference, bank_reference| StatementCredit {
        amount,
        payer_name,
        payer_iban,
        rf_reference,
        free_text: None,
        bank_reference,
    };
    let statement = camt053(
        "HELD-1",
        today(),
        &[
            // The debtor's own instalment: booked.
            credit("100.00", "DUPONT JEAN", "FR7630006000011234567890189", Some(rf1.as_str()), "H1"),
            // A listed payer: frozen (CMF L562-4).
            credit("500.00", "MOREAU DESCHAMPS HELENE", "FR7630006000011234567890189", Some(rf1.as_str()), "H2"),
            // A foreign company repays an old debt in full: score 80, held.
            credit("9000.00", "HANDELS GMBH", "DE89370400440532013000", Some(rf2.as_str()), "H3"),
            // No reference, an unknown payer: an ordinary suspense item.
            credit("42.00", "INCONNU SARL", "FR7630004000031234567890143", None, "H4"),
        ],
    );
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/imports/statement"))
        .bearer_auth(&claire)
        .body(statement)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let reply: Value = serde_json::from_str(&text).unwrap();
    let outcomes: Vec<&str> =
        reply["credits"].as_array().unwrap().iter().map(|line| line["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["booked", "held_compliance", "held_compliance", "suspense"], "{reply}");
    for held in reply["credits"].as_array().unwrap().iter().filter(|line| line["outcome"] == "held_compliance") {
        let mut keys: Vec<&str> = held.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["label", "line", "outcome"], "nothing but the line and the outcome: {held}");
        assert_eq!(held["label"], "en attente (conformité)");
    }
    // The booked and suspense lines say what they always said.
    assert_eq!(reply["credits"][0]["case_id"], 1, "{reply}");
    assert!(reply["credits"][3]["suspense_item_id"].is_i64(), "{reply}");
    // Counted apart: no suspense figure counts the held money; the statement adds up.
    assert_eq!((&reply["booked"], &reply["booked_amount"]), (&json!(1), &json!("100.00")), "{reply}");
    assert_eq!((&reply["suspense"], &reply["suspense_amount"]), (&json!(1), &json!("42.00")), "{reply}");
    assert_eq!(
        (&reply["held_compliance"], &reply["held_compliance_amount"]),
        (&json!(2), &json!("9500.00")),
        "{reply}"
    );
    for secret in ["MOREAU", "HANDELS", "CTX-0000002", "\"case_id\":2", "traitement", "gel", "sanction"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

/// Issue 19: a namesake (false positive) is closed by two members of compliance with its
/// reason; only then is the money an ordinary payment, released by one decision without a
/// Treasury authorisation: off the frozen-funds account, through suspense, to the case.
#[tokio::test]
async fn a_false_positive_closed_by_two_compliance_officers_releases_the_frozen_money_as_an_ordinary_payment() {
    let app = TestApp::spawn().await;
    let nadia = app.db.token(app.db.user("nadia", Role::Compliance, PASSWORD).await).await;
    let paul = app.db.token(app.db.user("paul", Role::Compliance, PASSWORD).await).await;
    let file = format!("{HEADER}\nC7;Dupont;Jean;1 rue;69001;Lyon;overdraft;00077;2000.00;{};1900.00\n", today());
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    let list = "id;name;aliases;birth_date;country;source\n\
                FR-2;Hélène DESCHAMPS-MOREAU;;1975-11-30;FR;Registre national des gels\n";
    recouvre_store::sanctions::load(&app.db.store, "gel.csv", list, 85, "system:test", Utc::now()).await.unwrap();
    listed_payer_pays_500(&app, "FP-1", "F1").await;
    let store = &app.db.store;
    let euros = recouvre_domain::Money::euros;
    assert_eq!(recouvre_store::suspense::frozen_balance(store).await.unwrap(), euros(500));
    let id = recouvre_store::aml::open_alerts(store).await.unwrap()[0].id;
    let post = |token: &str, path: String, body: Value| {
        reqwest::Client::new().post(app.url(&path)).bearer_auth(token.to_string()).json(&body).send()
    };
    let reason = json!({"reason": "Homonyme : née en 1982 à Lyon, l'entrée FR-2 en 1975"});
    let release = json!({"decision": "release"});
    assert_eq!(
        post(&nadia, format!("/api/v1/aml/alerts/{id}/close"), reason.clone()).await.unwrap().status(),
        StatusCode::OK
    );
    // Proposed by one only: still frozen, the Treasury's authorisation still required.
    let refused = post(&nadia, format!("/api/v1/aml/alerts/{id}/funds"), release.clone()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], "treasury_authorisation_required");
    assert_eq!(post(&paul, format!("/api/v1/aml/alerts/{id}/close"), reason).await.unwrap().status(), StatusCode::OK);
    assert_eq!(recouvre_store::aml::alert(store, id).await.unwrap().status, "closed");
    // Closed by two: one decision releases it, as an ordinary payment.
    let released = post(&nadia, format!("/api/v1/aml/alerts/{id}/funds"), release).await.unwrap();
    assert_eq!(released.status(), StatusCode::NO_CONTENT);
    assert_eq!(recouvre_store::cases::detail(store, 1).await.unwrap().breakdown.total(), euros(1_500));
    assert_eq!(recouvre_store::suspense::frozen_balance(store).await.unwrap(), recouvre_domain::Money::ZERO);
    assert_eq!(recouvre_store::suspense::ledger_balance(store).await.unwrap(), recouvre_domain::Money::ZERO);
    assert!(recouvre_store::ledger::check(store).await.unwrap().is_clean());
}
