//! Closing a case and reopening it, over HTTP, on the engine under test (issue 17, part 3): the
//! conditions of a closing, money arriving afterwards, the nightly run and the strategy engine
//! leaving a closed or paid-off case alone.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use recouvre_domain::authority::Role;
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::Money;
use recouvre_store::batch::{self, RunOptions, Silent};
use recouvre_testkit::{camt053, hidden_value, import_statement, today, StatementCredit, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";

struct Fixture {
    app: TestApp,
    token: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    app.db.user_with_level("direction", Role::TeamLead, PASSWORD, 4).await;
    app.db.seed(12, &["camille"]).await;
    Fixture { token: app.db.token(officer).await, app }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

impl Fixture {
    async fn get(&self, path: &str) -> Value {
        let response = client().get(self.app.url(path)).bearer_auth(&self.token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = client().post(self.app.url(path)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn case(&self, id: i64) -> Value {
        self.get(&format!("/api/v1/cases/{id}")).await
    }

    async fn version(&self, id: i64) -> i64 {
        self.case(id).await["version"].as_i64().unwrap()
    }

    async fn kinds(&self, id: i64) -> Vec<String> {
        let journal = self.get(&format!("/api/v1/cases/{id}/journal")).await;
        journal.as_array().unwrap().iter().map(|event| event["kind"].as_str().unwrap().to_string()).collect()
    }

    /// Pays everything the case owes, by hand.
    async fn pay_off(&self, id: i64) {
        let case = self.case(id).await;
        let (status, body) = self
            .post(
                &format!("/api/v1/cases/{id}/payments"),
                json!({"version": case["version"], "amount": case["total"], "received_on": today(), "reference": "Virement soldant"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(self.case(id).await["total"], "0.00");
    }

    async fn close(&self, id: i64, reason: &str) -> (StatusCode, Value) {
        let version = self.version(id).await;
        self.post(&format!("/api/v1/cases/{id}/closure"), json!({"reason": reason, "on": today(), "version": version}))
            .await
    }

    async fn pay(&self, id: i64, amount: &str, reference: &str) -> (StatusCode, Value) {
        let version = self.version(id).await;
        self.post(
            &format!("/api/v1/cases/{id}/payments"),
            json!({"version": version, "amount": amount, "received_on": today(), "reference": reference}),
        )
        .await
    }
}

#[tokio::test]
async fn a_repaid_case_closes_and_later_money_is_an_overpayment_in_suspense() {
    let f = fixture().await;
    f.pay_off(1).await;
    // A case that owes nothing is offered closure as repaid, and may close for that reason only
    // among the balance's reasons.
    let state = f.get("/api/v1/cases/1/closure").await;
    assert_eq!(state["suggested_reason"], "repaid", "{state}");
    let repaid = state["reasons"].as_array().unwrap().iter().find(|r| r["reason"] == "repaid").unwrap();
    assert_eq!(repaid["allowed"], true, "{state}");
    // Not dated in the future, not before the case opened.
    let version = f.version(1).await;
    let tomorrow = today().succ_opt().unwrap();
    let (status, body) =
        f.post("/api/v1/cases/1/closure", json!({"reason": "repaid", "on": tomorrow, "version": version})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("on")), "{body}");
    let (status, body) =
        f.post("/api/v1/cases/1/closure", json!({"reason": "paid", "on": today(), "version": version})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_reason")), "{body}");

    let (status, body) = f.close(1, "repaid").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let case = f.case(1).await;
    assert_eq!(case["status"], "closed");
    assert_eq!(f.kinds(1).await.last().unwrap(), "case_closed");
    let state = f.get("/api/v1/cases/1/closure").await;
    assert_eq!(state["closing"]["reason"], "repaid", "{state}");
    let (status, body) = f.close(1, "repaid").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("already_closed")));

    // Money by hand afterwards: not allocated, held in suspense as an overpayment to refund,
    // journaled on the case, which stays closed.
    let (status, body) = f.pay(1, "50.00", "Virement en trop").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["pending"], true);
    let case = f.case(1).await;
    assert_eq!(case["status"], "closed");
    assert_eq!(case["total"], "0.00");
    let journal = f.get("/api/v1/cases/1/journal").await;
    let late = journal.as_array().unwrap().last().unwrap();
    assert_eq!(late["kind"], "payment_after_closure");
    let payload: Value = serde_json::from_str(late["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["route"], "overpayment_refund", "{payload}");
    let item_id = payload["suspense_item"].as_i64().unwrap();
    let item = recouvre_store::suspense::item(&f.app.db.store, item_id).await.unwrap();
    assert_eq!((item.amount_cents, item.status.as_str(), item.suggested_case_id), (5_000, "open", Some(1)));
    assert!(item.reason.starts_with("trop-perçu à rembourser"), "{}", item.reason);
    // The case's ledger has no trace of it.
    let ledger = f.get("/api/v1/cases/1/ledger").await;
    assert!(ledger.as_array().unwrap().iter().all(|line| line["reference"] != "Virement en trop"));

    // The same from a bank statement, matched by the case's creditor reference.
    let reference = case["reference"].as_str().unwrap().to_string();
    let rf = recouvre_iso20022::sepa::rf_reference(&reference);
    let xml = camt053(
        "STMT-CLOSED-1",
        today(),
        &[StatementCredit {
            amount: "20.00",
            payer_name: "Débiteur Un",
            payer_iban: "FR7630006000011234567890189",
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference: "BANK-CLOSED-1",
        }],
    );
    let outcome = import_statement(&f.app.db.store, "closed.xml", xml.as_bytes(), "system:import").await.unwrap();
    assert_eq!((outcome.booked, outcome.suspense), (0, 1), "{outcome:?}");
    assert_eq!(f.case(1).await["status"], "closed");
    assert_eq!(f.kinds(1).await.iter().filter(|kind| *kind == "payment_after_closure").count(), 2);

    // The case page says it in French, with the reopening form.
    let officer = f.app.login("camille", PASSWORD).await;
    let page = officer.get(f.app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Statut : <strong>Clos</strong>"), "status in French");
    assert!(page.contains("Créance remboursée, le "), "the closing's reason");
    assert!(page.contains("id=\"reopen-form\""));
    // An explicit reopening, journaled.
    let version = f.version(1).await;
    let (status, body) =
        f.post("/api/v1/cases/1/reopening", json!({"reason": "Chèque revenu impayé", "version": version})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(f.case(1).await["status"], "amicable");
    assert_eq!(f.kinds(1).await.last().unwrap(), "case_reopened");
    let (status, body) = f
        .post("/api/v1/cases/1/reopening", json!({"reason": "encore", "version": body["version"].as_i64().unwrap()}))
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("not_closed")));
}

#[tokio::test]
async fn closing_as_repaid_with_a_balance_or_with_an_approval_pending_is_refused_naming_why() {
    let f = fixture().await;
    let case = f.case(2).await;
    let total: Money = case["total"].as_str().unwrap().parse().unwrap();
    assert!(total.is_positive());
    let (status, body) = f.close(2, "repaid").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("balance_not_zero")), "{body}");
    assert!(body["error"].as_str().unwrap().contains(&total.to_french()), "{body}");
    assert_eq!(f.case(2).await["status"], case["status"], "nothing changed");
    // Each reason names its own condition.
    for (reason, code) in [
        ("settled", "balance_not_zero"),
        ("written_off", "balance_not_written_off"),
        ("time_barred", "not_time_barred"),
        ("debt_relief", "no_debt_relief_decision"),
        ("sold", "no_sale_recorded"),
    ] {
        let (status, body) = f.close(2, reason).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some(code)), "{reason}: {body}");
    }
    // A stale version is the usual 409.
    let (status, body) = f
        .post(
            "/api/v1/cases/2/closure",
            json!({"reason": "repaid", "on": today(), "version": case["version"].as_i64().unwrap() - 1}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")), "{body}");

    // A write-off above the officer's delegation waits for approval: no closing meanwhile, for
    // any reason.
    let version = f.version(2).await;
    let breakdown = &f.case(2).await["breakdown"];
    let (status, proposed) = f
        .post(
            "/api/v1/cases/2/write-offs",
            json!({"version": version, "amounts": breakdown, "reason": "Débiteur insolvable"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{proposed}");
    if proposed["status"] == "pending" {
        for reason in ["written_off", "repaid", "time_barred"] {
            let (status, body) = f.close(2, reason).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("approval_pending")), "{body}");
        }
    } else {
        // Within the delegation: booked at once. Make a pending request with a plan instead.
        panic!("the seeded case should owe more than the officer's delegation: {proposed}");
    }
}

#[tokio::test]
async fn money_after_a_write_off_reopens_the_case_and_is_booked_as_a_recovery() {
    let f = fixture().await;
    // The smallest case, within the officer's delegation: the write-off is booked at once.
    let page = f.get("/api/v1/cases?sort=total_asc").await;
    let id = page["cases"][0]["id"].as_i64().unwrap();
    let case = f.case(id).await;
    let (status, booked) = f
        .post(
            &format!("/api/v1/cases/{id}/write-offs"),
            json!({"version": case["version"], "amounts": case["breakdown"], "reason": "Insolvabilité constatée"}),
        )
        .await;
    assert_eq!((status, booked["status"].as_str()), (StatusCode::CREATED, Some("booked")), "{booked}");
    // Repaid is not the reason of a loss.
    let state = f.get(&format!("/api/v1/cases/{id}/closure")).await;
    assert_eq!(state["suggested_reason"], "written_off", "{state}");
    let (status, body) = f.close(id, "written_off").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(f.case(id).await["status"], "closed");

    let (status, body) = f.pay(id, "75.00", "Virement spontané").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let case = f.case(id).await;
    assert_eq!(case["status"], "amicable", "reopened as a recovery");
    let kinds = f.kinds(id).await;
    assert!(
        kinds.ends_with(&["case_closed".to_string(), "case_reopened".to_string(), "payment_booked".to_string()]),
        "{kinds:?}"
    );
    let ledger = f.get(&format!("/api/v1/cases/{id}/ledger")).await;
    let recovered: Vec<&Value> =
        ledger.as_array().unwrap().iter().filter(|line| line["account"] == "recoveries").collect();
    assert_eq!(recovered.len(), 1, "{ledger}");
    assert_eq!(recovered[0]["amount"], "-75.00");
}

#[tokio::test]
async fn the_nightly_run_leaves_a_closed_case_alone() {
    let f = fixture().await;
    // A sold claim closes with its balance still on the books: interest would accrue on it.
    let case = f.case(3).await;
    let total_before = case["total"].clone();
    let (status, body) =
        f.post("/api/v1/cases/3/closure", json!({"reason": "sold", "on": today(), "version": case["version"]})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("no_sale_recorded")), "{body}");
    let (status, body) = f
        .post(
            "/api/v1/cases/3/sale",
            json!({"buyer": "Fonds Commun de Titrisation Alpha", "price": "150.00", "on": today(), "version": case["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = f.close(3, "sold").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let version_closed = f.version(3).await;

    let as_of = today() + chrono::Duration::days(30);
    let (totals, _) =
        batch::run(&f.app.db.store, &RunOptions::new(as_of), Arc::new(ReferenceData::embedded()), Arc::new(Silent))
            .await
            .unwrap();
    let case = f.case(3).await;
    assert_eq!(case["total"], total_before, "no interest on a closed case");
    assert_eq!(case["version"].as_i64().unwrap(), version_closed, "nothing journaled");
    assert_eq!(case["status"], "closed");
    // The run did accrue on the open cases, and saw every case but the closed one.
    assert!(totals.cases_accrued > 0 && totals.interest.is_positive(), "{totals:?}");
    assert_eq!(totals.cases_seen, 11, "{totals:?}");

    // Money for a sold claim is the buyer's: suspense, the case stays closed.
    let (status, _) = f.pay(3, "10.00", "Virement").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(f.case(3).await["status"], "closed");
}

#[tokio::test]
async fn a_case_that_owes_nothing_is_not_advised_a_formal_notice_and_the_page_offers_closure() {
    let f = fixture().await;
    // A formal notice was sent, then the debtor paid everything.
    let version = f.version(5).await;
    let (status, body) = f
        .post(
            "/api/v1/cases/5/procedures",
            json!({"kind": "amicable", "step": "send_formal_notice", "on": today(), "version": version}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    f.pay_off(5).await;
    let recommendation = f.get("/api/v1/cases/5/recommendation").await;
    assert_eq!(recommendation["strategy"], "closure", "{recommendation}");
    let actions = recommendation["body"]["actions"].as_array().unwrap();
    assert!(actions.iter().all(|action| action["code"] != "send_formal_notice"), "{recommendation}");
    assert!(actions.iter().any(|action| action["code"] == "close_case"), "{recommendation}");
    // An open case that owes something is still advised by the rules.
    let other = f.get("/api/v1/cases/6/recommendation").await;
    assert_ne!(other["strategy"], "closure");

    let agenda = recouvre_store::workflow::case_agenda(&f.app.db.store, 5).await.unwrap();
    assert!(agenda.iter().any(|item| item.code == "close_case"), "{agenda:?}");
    // The case page offers the closing as repaid, and the form closes it.
    let officer = f.app.login("camille", PASSWORD).await;
    let page = officer.get(f.app.url("/dossiers/5")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<option value=\"repaid\" selected>"), "repaid offered first");
    let csrf = hidden_value(&page, "csrf").unwrap();
    let version = hidden_value(&page, "version").unwrap();
    let closed = officer
        .post(f.app.url("/dossiers/5/cloture"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("reason", "repaid"),
            ("on", &today().to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert_eq!(f.case(5).await["status"], "closed");
    // The closing ended the amicable procedure: nobody outside the bank to tell.
    let procedures = f.get("/api/v1/cases/5/procedures").await;
    let amicable = &procedures["procedures"][0];
    assert_eq!(
        (amicable["kind"].as_str(), amicable["closed"].as_bool()),
        (Some("amicable"), Some(true)),
        "{procedures}"
    );
    // Its agenda is emptied: the planned « close the case » is cancelled with the rest.
    let agenda = recouvre_store::workflow::case_agenda(&f.app.db.store, 5).await.unwrap();
    assert!(agenda.is_empty(), "{agenda:?}");
}

#[tokio::test]
async fn a_statement_credit_for_a_case_closed_as_written_off_reopens_it_and_is_a_recovery() {
    let f = fixture().await;
    let page = f.get("/api/v1/cases?sort=total_asc").await;
    let id = page["cases"][1]["id"].as_i64().unwrap();
    let case = f.case(id).await;
    let (status, booked) = f
        .post(
            &format!("/api/v1/cases/{id}/write-offs"),
            json!({"version": case["version"], "amounts": case["breakdown"], "reason": "Insolvabilité constatée"}),
        )
        .await;
    assert_eq!((status, booked["status"].as_str()), (StatusCode::CREATED, Some("booked")), "{booked}");
    let (status, body) = f.close(id, "written_off").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let reference = case["reference"].as_str().unwrap().to_string();
    let rf = recouvre_iso20022::sepa::rf_reference(&reference);
    let xml = camt053(
        "STMT-RECOVERY-1",
        today(),
        &[StatementCredit {
            amount: "30.00",
            payer_name: "Débiteur Deux",
            payer_iban: "FR7630006000011234567890189",
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference: "BANK-RECOVERY-1",
        }],
    );
    let outcome = import_statement(&f.app.db.store, "recovery.xml", xml.as_bytes(), "system:import").await.unwrap();
    assert_eq!((outcome.booked, outcome.suspense), (1, 0), "{outcome:?}");
    assert_eq!(f.case(id).await["status"], "amicable");
    let kinds = f.kinds(id).await;
    assert!(kinds.ends_with(&["case_reopened".to_string(), "payment_booked".to_string()]), "{kinds:?}");
    let ledger = f.get(&format!("/api/v1/cases/{id}/ledger")).await;
    assert!(
        ledger.as_array().unwrap().iter().any(|line| line["account"] == "recoveries" && line["amount"] == "-30.00"),
        "{ledger}"
    );
}
