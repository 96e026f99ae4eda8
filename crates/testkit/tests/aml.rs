//! AML/CFT vigilance on incoming money (scenario 8), on the engine under test: the payments are
//! booked, compliance gets an alert, the debtor and the officers are told nothing.

use chrono::{Duration, Utc};
use recouvre_domain::authority::Role;
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::on_engine;
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
    // Scenario 8: 9 000 € of debt, no known income, an old case.
    let opened = today() - Duration::days(400);
    let file = format!("{HEADER}\nC8;Morel;Julien;3 rue Neuve;13001;Marseille;personal_loan;PP-8;9000.00;{opened};0\n");
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    on_engine!(app.db.store, |pool| {
        sqlx::query("UPDATE cases SET opened_on = $1").bind(opened).execute(pool).await.unwrap();
    });
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
        .bearer_auth(&officer_token)
        .body(statement)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The money is booked: the debt is repaid.
    assert_eq!(imported["booked"], 3, "{imported}");
    assert!(imported.get("flagged").is_none(), "the import answer says nothing of AML: {imported}");
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap();
    assert_eq!(case.breakdown.total(), recouvre_domain::Money::ZERO);
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
    // The month's figures: every alert counted, by rule and outcome (committees may read them).
    let month = today().format("%Y-%m").to_string();
    let viewer = app.db.user("helene", Role::CommitteeViewer, PASSWORD).await;
    let viewer_token = app.db.token(viewer).await;
    let report: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/aml/report?month={month}")))
        .bearer_auth(&viewer_token)
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
        .bearer_auth(&viewer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
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
    on_engine!(app.db.store, |pool| {
        sqlx::query("UPDATE persons SET iban = 'FR7630006000011234567890189'").execute(pool).await.unwrap();
    });
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
    recouvre_web::statements::import(&app.db.store, "n.xml", statement.as_bytes(), "system:test").await.unwrap();
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
