//! Costs as money, over HTTP, on the engine under test (issue 18, item 3): a cost recorded with
//! its legal nature is charged to the debtor's ledger when the law puts it on them (CPCE L111-8),
//! is always payable to the third party who invoiced it, is paid in the next transfer file
//! (pain.001), and goes to approval above the officer's delegation.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use recouvre_domain::authority::Role;
use recouvre_domain::Money;
use recouvre_testkit::{today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const BAILIFF_IBAN: &str = "FR7630006000011234567890189";

struct Fixture {
    app: TestApp,
    /// Officer, delegation level 1 (bailiff's costs up to 1 500 € in the embedded matrix).
    officer: String,
    /// Team lead, level 3.
    lead: String,
    /// Accounting control: reads the account payable.
    accounting: String,
    case_id: i64,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let lead = app.db.user_with_level("direction", Role::TeamLead, PASSWORD, 3).await;
    let accounting = app.db.user("controle", Role::AccountingControl, PASSWORD).await;
    app.db.seed(8, &["camille"]).await;
    let officer = app.db.token(officer).await;
    let lead = app.db.token(lead).await;
    let accounting = app.db.token(accounting).await;
    let mut fixture = Fixture { app, officer, lead, accounting, case_id: 0 };
    for id in 1..=8 {
        let case = fixture.get(&format!("/api/v1/cases/{id}")).await;
        if case["status"] != "closed" {
            fixture.case_id = id;
            break;
        }
    }
    assert!(fixture.case_id > 0, "an open case");
    fixture
}

impl Fixture {
    async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let response = client().get(self.app.url(path)).bearer_auth(token).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.get_as(&self.officer, path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    async fn post_as(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let response = client().post(self.app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn case(&self) -> Value {
        self.get(&format!("/api/v1/cases/{}", self.case_id)).await
    }

    async fn costs_due(&self) -> Money {
        self.case().await["breakdown"]["costs"].as_str().unwrap().parse().unwrap()
    }

    async fn total(&self) -> Money {
        self.case().await["total"].as_str().unwrap().parse().unwrap()
    }

    async fn third_party(&self, kind: &str, name: &str) -> i64 {
        let party = json!({"kind": kind, "name": name, "address": "3 rue de la Loge, 34000 Montpellier"});
        let (status, body) = self.post_as(&self.officer, "/api/v1/third-parties", party).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    async fn record(&self, token: &str, cost: Value) -> (StatusCode, Value) {
        let mut cost = cost;
        cost["version"] = self.case().await["version"].clone();
        self.post_as(token, &format!("/api/v1/cases/{}/costs", self.case_id), cost).await
    }

    async fn payables(&self, status: &str) -> Vec<Value> {
        let (code, body) = self.get_as(&self.accounting, &format!("/api/v1/accounts-payable?status={status}")).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        body.as_array().unwrap().clone()
    }

    /// `recouvre export transfers` for today, as the CLI runs it.
    async fn export_transfers(&self) -> Option<String> {
        let app = recouvre_testkit::app_on(&self.app.db.store).await;
        let version = recouvre_app::transfers::version("03").unwrap();
        let actor = recouvre_app::Actor::system("export-transfers");
        recouvre_app::transfers::export(&app, &actor, today(), version).await.unwrap().map(|(xml, _)| xml)
    }
}

fn invoice(nature: &str, third_party_id: i64, reference: &str, amount: &str) -> Value {
    json!({
        "nature": nature, "third_party_id": third_party_id, "invoice_reference": reference,
        "invoice_date": today() - Duration::days(3), "amount": amount,
    })
}

/// Done when: costs from a bailiff's act appear on the debtor's ledger and in the account
/// payable, and the next transfer file pays the bailiff (schema-valid pain.001), once.
#[tokio::test]
async fn a_bailiffs_act_is_charged_to_the_debtor_payable_and_paid_in_the_next_transfer_file() {
    let f = fixture().await;
    let bailiff = f.third_party("commissaire_de_justice", "SCP Lenoir, commissaires de justice").await;
    let (costs_before, total_before) = (f.costs_due().await, f.total().await);

    // No IBAN on the invoice nor on the third party: it could never be paid.
    let (status, body) = f.record(&f.officer, invoice("enforcement", bailiff, "F-2026-118", "250.00")).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("iban")), "{body}");
    let mut unknown = invoice("saisie", bailiff, "F-2026-118", "250.00");
    unknown["iban"] = json!(BAILIFF_IBAN);
    let (status, body) = f.record(&f.officer, unknown).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("nature")), "{body}");

    let mut cost = invoice("enforcement", bailiff, "F-2026-118", "250.00");
    cost["iban"] = json!(BAILIFF_IBAN);
    cost["bic"] = json!("AGRIFRPPXXX");
    let (status, body) = f.record(&f.officer, cost.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!((body["status"].as_str(), body["charged"].as_str()), (Some("recorded"), Some("250.00")), "{body}");
    assert_eq!(f.costs_due().await, costs_before + Money::euros(250), "the debtor owes the bailiff's act");
    assert_eq!(f.total().await, total_before + Money::euros(250));
    let journal = f.get(&format!("/api/v1/cases/{}/journal", f.case_id)).await;
    assert!(journal.as_array().unwrap().iter().any(|event| event["kind"] == "cost_recorded"), "{journal}");

    // A stale version, and the same invoice twice, are refused.
    let mut stale = cost.clone();
    stale["invoice_reference"] = json!("F-2026-119");
    stale["version"] = json!(1);
    let (status, _) = f.post_as(&f.officer, &format!("/api/v1/cases/{}/costs", f.case_id), stale).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = f.record(&f.officer, cost).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("invoice_reference")), "{body}");

    // The account payable, for accounting control (not for an officer).
    let (status, _) = f.get_as(&f.officer, "/api/v1/accounts-payable").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let payable = f.payables("approved").await;
    assert_eq!(payable.len(), 1, "{payable:?}");
    assert_eq!(
        (payable[0]["amount"].as_str(), payable[0]["invoice_reference"].as_str()),
        (Some("250.00"), Some("F-2026-118"))
    );
    assert_eq!(payable[0]["nature"], "enforcement");
    let listed = f.get(&format!("/api/v1/cases/{}/costs", f.case_id)).await;
    assert_eq!(listed[0]["third_party_name"], "SCP Lenoir, commissaires de justice");

    // The case page shows it in the amount due, its nature in French.
    let browser = f.app.login("camille", PASSWORD).await;
    let page = browser.get(f.app.url(&format!("/dossiers/{}", f.case_id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("exécution forcée (à la charge du débiteur)") && page.contains("F-2026-118"), "{page}");

    // The next transfer file pays the bailiff, once.
    let xml = f.export_transfers().await.expect("a transfer file");
    recouvre_iso20022::validate(recouvre_iso20022::Message::Pain001V03, xml.as_bytes()).unwrap();
    assert!(xml.contains(&format!("<IBAN>{BAILIFF_IBAN}</IBAN>")) && xml.contains("Facture F-2026-118"), "{xml}");
    assert!(xml.contains(">250.00<"), "{xml}");
    assert_eq!(f.payables("paid").await.len(), 1);
    assert!(f.export_transfers().await.is_none(), "each cost is paid once");
}

/// Amicable recovery stays with the bank (CPCE L111-8): payable to the agency, not charged.
#[tokio::test]
async fn an_amicable_cost_is_payable_but_not_charged_to_the_debtor() {
    let f = fixture().await;
    let agency = f.third_party("agency", "Recouvrement du Midi SARL").await;
    let costs_before = f.costs_due().await;
    let mut cost = invoice("amicable", agency, "AG-77", "90.00");
    cost["iban"] = json!("FR1420041010050500013M02606");
    let (status, body) = f.record(&f.officer, cost).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["charged"], "0.00", "{body}");
    assert_eq!(body["transaction_id"], Value::Null);
    assert_eq!(f.costs_due().await, costs_before, "the debtor is not charged with amicable costs");
    let payable = f.payables("approved").await;
    assert_eq!(payable.len(), 1, "{payable:?}");
    assert_eq!((payable[0]["amount"].as_str(), payable[0]["charged"].as_str()), (Some("90.00"), Some("0.00")));
}

/// Above the officer's delegation a cost is not refused: it waits for approval by someone
/// else, and nothing is charged or payable until then.
#[tokio::test]
async fn a_cost_above_delegation_goes_to_approval_and_its_author_cannot_approve_it() {
    let f = fixture().await;
    let bailiff = f.third_party("commissaire_de_justice", "Maître Aubert, commissaire de justice").await;
    let costs_before = f.costs_due().await;
    let mut cost = invoice("enforcement", bailiff, "SAI-2026-9", "2000.00");
    cost["iban"] = json!(BAILIFF_IBAN);
    let (status, body) = f.record(&f.officer, cost).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "pending_approval", "{body}");
    let request_id = body["request_id"].as_i64().unwrap();
    assert_eq!(f.costs_due().await, costs_before, "nothing charged before approval");
    assert_eq!(f.payables("open").await.len(), 1);
    assert!(f.payables("approved").await.is_empty());
    assert!(f.export_transfers().await.is_none(), "not paid before approval");

    let approve = format!("/api/v1/approvals/{request_id}/approve");
    let (status, body) = f.post_as(&f.officer, &approve, json!({"reason": ""})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "own_request", "{body}");
    assert_eq!(f.costs_due().await, costs_before);

    let (status, body) = f.post_as(&f.lead, &approve, json!({"reason": ""})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.costs_due().await, costs_before + Money::euros(2000), "charged once approved");
    let payable = f.payables("approved").await;
    assert_eq!(payable.len(), 1, "{payable:?}");
    let journal = f.get(&format!("/api/v1/cases/{}/journal", f.case_id)).await;
    let kinds: Vec<&str> = journal.as_array().unwrap().iter().filter_map(|event| event["kind"].as_str()).collect();
    assert!(kinds.contains(&"cost_requested") && kinds.contains(&"cost_approved") && kinds.contains(&"cost_recorded"));
}

impl Fixture {
    /// A procedure step on the fixture's case, at its current version.
    async fn step(&self, kind: &str, step: &str, on: chrono::NaiveDate, extra: Value) -> (StatusCode, Value) {
        let mut body = json!({"kind": kind, "step": step, "on": on, "input": {}});
        if let Value::Object(extra) = extra {
            for (key, value) in extra {
                body[key] = value;
            }
        }
        body["version"] = self.case().await["version"].clone();
        self.post_as(&self.officer, &format!("/api/v1/cases/{}/procedures", self.case_id), body).await
    }

    /// Takes the case to an enforceable payment order (the title a seizure needs), `days` ago.
    async fn enforceable_title(&self) {
        let day = |ago: i64| today() - Duration::days(ago);
        for (step, on) in [
            ("prepare_request", day(130)),
            ("file_request", day(129)),
            ("record_order_granted", day(110)),
            ("serve_order", day(100)),
            ("record_enforceable", day(60)),
        ] {
            let (status, body) = self.step("payment_order", step, on, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{step}: {body}");
        }
    }
}

/// Done when (issue 18): costs from a bailiff's act appear on the debtor's ledger and in the
/// account payable — recorded by the procedure step itself, in its transaction, with the legal
/// nature of its kind (enforcement, CPCE L111-8), the bailiff as the third party, the invoice.
#[tokio::test]
async fn costs_from_a_bailiffs_act_appear_on_the_debtors_ledger_and_in_the_account_payable() {
    let f = fixture().await;
    let bailiff = f.third_party("commissaire_de_justice", "SCP Vasseur, commissaires de justice").await;
    f.enforceable_title().await;
    let (costs_before, total_before) = (f.costs_due().await, f.total().await);
    let version_before = f.case().await["version"].clone();
    let on = today() - Duration::days(5);

    // Costs with no third party to pay them: refused, naming the field, nothing applied.
    let (status, body) =
        f.step("enforcement_bank", "serve_bank_seizure", on, json!({"input": {"costs": "180.00"}})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("third_party_id")), "{body}");
    assert_eq!(f.case().await["version"], version_before, "the step was not applied");

    let act = json!({
        "input": {"costs": "180.00"}, "third_party_id": bailiff, "invoice_reference": "ACTE-2026-41",
        "invoice_date": on, "iban": BAILIFF_IBAN,
    });
    let (status, body) = f.step("enforcement_bank", "serve_bank_seizure", on, act).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The debtor's ledger.
    assert_eq!(f.costs_due().await, costs_before + Money::euros(180), "the bailiff's act is charged to the debtor");
    assert_eq!(f.total().await, total_before + Money::euros(180));
    let costs = f.get(&format!("/api/v1/cases/{}/costs", f.case_id)).await;
    let cost = &costs[0];
    assert_eq!(
        (cost["nature"].as_str(), cost["invoice_reference"].as_str(), cost["third_party_id"].as_i64()),
        (Some("enforcement"), Some("ACTE-2026-41"), Some(bailiff)),
        "{costs}"
    );
    assert_eq!((cost["amount"].as_str(), cost["charged"].as_str()), (Some("180.00"), Some("180.00")), "{costs}");
    assert_eq!(cost["invoice_date"], json!(on));
    assert!(cost["procedure_id"].as_i64().is_some(), "{costs}");
    // The account payable.
    let payable = f.payables("approved").await;
    assert_eq!(payable.len(), 1, "{payable:?}");
    assert_eq!(
        (
            payable[0]["amount"].as_str(),
            payable[0]["invoice_reference"].as_str(),
            payable[0]["third_party_id"].as_i64()
        ),
        (Some("180.00"), Some("ACTE-2026-41"), Some(bailiff))
    );
    // The procedure counts it once; the journal has the step and the cost.
    let procedures = f.get(&format!("/api/v1/cases/{}/procedures", f.case_id)).await;
    let seizure =
        procedures["procedures"].as_array().unwrap().iter().find(|p| p["kind"] == "enforcement_bank").unwrap();
    assert_eq!(seizure["costs"], "180.00", "{seizure}");
    let journal = f.get(&format!("/api/v1/cases/{}/journal", f.case_id)).await;
    let kinds: Vec<&str> = journal.as_array().unwrap().iter().filter_map(|event| event["kind"].as_str()).collect();
    assert!(kinds.contains(&"procedure_step") && kinds.contains(&"cost_recorded"), "{kinds:?}");

    // The next act of the same bailiff, above the officer's delegation: the step is applied, its
    // costs wait for approval (not refused), nothing charged; the invoice is named by the step.
    let (status, body) =
        f.step("enforcement_bank", "denounce_seizure", today(), json!({"input": {"costs": "2400.00"}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.costs_due().await, costs_before + Money::euros(180), "not charged before approval");
    let open = f.payables("open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!((open[0]["amount"].as_str(), open[0]["third_party_id"].as_i64()), (Some("2400.00"), Some(bailiff)));
    let (status, requests) = f.get_as(&f.lead, "/api/v1/approvals").await;
    assert_eq!(status, StatusCode::OK, "{requests}");
    assert!(requests.to_string().contains("\"cost\""), "{requests}");
}

/// A cost entered by mistake is reversed, never deleted: the debtor's charge by an opposite
/// transaction, the payable cancelled, journaled; once paid out to the third party, refused.
#[tokio::test]
async fn a_cost_entered_by_mistake_is_reversed_unless_already_paid_out() {
    let f = fixture().await;
    let bailiff = f.third_party("commissaire_de_justice", "SCP Lenoir, commissaires de justice").await;
    let costs_before = f.costs_due().await;
    let mut cost = invoice("enforcement", bailiff, "F-2026-200", "250.00");
    cost["iban"] = json!(BAILIFF_IBAN);
    let (status, body) = f.record(&f.officer, cost).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (cost_id, charge) = (body["cost_id"].as_i64().unwrap(), body["transaction_id"].as_i64().unwrap());
    let reverse = format!("/api/v1/cases/{}/costs/{cost_id}/reverse", f.case_id);
    let version = f.case().await["version"].clone();

    let (status, body) = f.post_as(&f.officer, &reverse, json!({"version": version, "reason": " "})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("reason")), "{body}");
    let (status, body) = f
        .post_as(&f.officer, &reverse, json!({"version": version, "reason": "Facture saisie sur le mauvais dossier"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["uncharged"].as_str(), body["payable_status"].as_str()), (Some("250.00"), Some("cancelled")));
    assert_eq!(f.costs_due().await, costs_before, "the charge is reversed");
    let ledger = f.get(&format!("/api/v1/cases/{}/ledger", f.case_id)).await;
    let reversal: Vec<&Value> = ledger
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["kind"] == "reversal" && line["transaction_id"].as_i64() != Some(charge))
        .collect();
    assert_eq!(reversal.len(), 2, "an opposite transaction, two postings: {ledger}");
    assert!(reversal[0]["reference"].as_str().unwrap().contains("annulation des frais"), "{ledger}");
    assert!(f.payables("approved").await.is_empty() && f.payables("cancelled").await.len() == 1);
    assert!(f.export_transfers().await.is_none(), "a cancelled payable is never paid");
    let journal = f.get(&format!("/api/v1/cases/{}/journal", f.case_id)).await;
    assert!(journal.as_array().unwrap().iter().any(|event| event["kind"] == "cost_reversed"), "{journal}");
    let listed = f.get(&format!("/api/v1/cases/{}/costs", f.case_id)).await;
    assert_eq!(
        (listed[0]["status"].as_str(), listed[0]["payable_status"].as_str()),
        (Some("reversed"), Some("cancelled"))
    );
    let version = f.case().await["version"].clone();
    let (status, body) = f.post_as(&f.officer, &reverse, json!({"version": version, "reason": "encore"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("already_reversed")), "{body}");

    // Paid out by the transfer file: refused, nothing changes.
    let mut paid = invoice("enforcement", bailiff, "F-2026-201", "120.00");
    paid["iban"] = json!(BAILIFF_IBAN);
    let (status, body) = f.record(&f.officer, paid).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let paid_id = body["cost_id"].as_i64().unwrap();
    assert!(f.export_transfers().await.is_some());
    let version = f.case().await["version"].clone();
    let (status, body) = f
        .post_as(
            &f.officer,
            &format!("/api/v1/cases/{}/costs/{paid_id}/reverse", f.case_id),
            json!({"version": version, "reason": "Erreur de montant"}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("cost_paid_out")), "{body}");
    assert_eq!(f.costs_due().await, costs_before + Money::euros(120), "still charged");
    assert_eq!(f.payables("paid").await.len(), 1);
}

/// VAT (CGI art. 278): a 100.00 € bailiff's invoice excluding VAT at the standard rate charges
/// 120.00 € to the debtor and pays 120.00 € to the bailiff (account payable and pain.001); a
/// VAT that does not match is a 400 naming `vat`; an invoice dated before the rates' data is a
/// 400 naming `invoice_date`; the delegation compares the total.
#[tokio::test]
async fn a_100_euro_bailiffs_invoice_at_20_percent_charges_and_pays_120_euros() {
    let f = fixture().await;
    let bailiff = f.third_party("commissaire_de_justice", "SCP Lenoir, commissaires de justice").await;
    let (costs_before, total_before) = (f.costs_due().await, f.total().await);
    let vat_invoice = |reference: &str, excl: &str, vat: Option<&str>| {
        let mut cost = json!({
            "nature": "enforcement", "third_party_id": bailiff, "invoice_reference": reference,
            "invoice_date": today() - Duration::days(3), "amount_excl_vat": excl, "vat_rate": "standard",
            "iban": BAILIFF_IBAN,
        });
        if let Some(vat) = vat {
            cost["vat"] = json!(vat);
        }
        cost
    };

    // A wrong VAT, a total that is not excluding VAT plus VAT, an unknown rate: 400 naming each.
    let (status, body) = f.record(&f.officer, vat_invoice("F-2026-300", "100.00", Some("19.99"))).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("vat")), "{body}");
    let mut wrong_total = vat_invoice("F-2026-300", "100.00", None);
    wrong_total["amount"] = json!("100.00");
    let (status, body) = f.record(&f.officer, wrong_total).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("amount")), "{body}");
    let mut unknown_rate = vat_invoice("F-2026-300", "100.00", None);
    unknown_rate["vat_rate"] = json!("reduced_55");
    let (status, body) = f.record(&f.officer, unknown_rate).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("vat_rate")), "{body}");
    // Before the data's first date (20 % since 1 January 2014): a clear error, never a guess.
    let mut too_old = vat_invoice("F-2013-001", "100.00", None);
    too_old["invoice_date"] = json!("2013-12-31");
    let (status, body) = f.record(&f.officer, too_old).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("invoice_date")), "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("31/12/2013") && message.contains("01/01/2014"), "{message}");
    assert_eq!(f.costs_due().await, costs_before, "nothing recorded by the refused requests");

    let mut right = vat_invoice("F-2026-300", "100.00", Some("20.00"));
    right["amount"] = json!("120.00");
    let (status, body) = f.record(&f.officer, right).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["charged"].as_str(), Some("120.00"), "{body}");
    assert_eq!(f.costs_due().await, costs_before + Money::euros(120), "the debtor owes the total");
    assert_eq!(f.total().await, total_before + Money::euros(120));
    let listed = f.get(&format!("/api/v1/cases/{}/costs", f.case_id)).await;
    let cost = &listed[0];
    assert_eq!(
        (cost["amount_excl_vat"].as_str(), cost["vat_rate_code"].as_str(), cost["vat_rate"].as_str()),
        (Some("100.00"), Some("standard"), Some("20")),
        "{listed}"
    );
    assert_eq!((cost["vat"].as_str(), cost["amount"].as_str()), (Some("20.00"), Some("120.00")), "{listed}");
    let payable = f.payables("approved").await;
    assert_eq!(payable[0]["amount"].as_str(), Some("120.00"), "{payable:?}");
    let xml = f.export_transfers().await.expect("a transfer file");
    recouvre_iso20022::validate(recouvre_iso20022::Message::Pain001V03, xml.as_bytes()).unwrap();
    assert!(xml.contains(">120.00<") && xml.contains("Facture F-2026-300"), "{xml}");

    // An amount alone stays a cost outside VAT (the requests written before VAT).
    let mut old = invoice("enforcement", bailiff, "F-2026-301", "88.00");
    old["iban"] = json!(BAILIFF_IBAN);
    let (status, body) = f.record(&f.officer, old).await;
    assert_eq!((status, body["charged"].as_str()), (StatusCode::CREATED, Some("88.00")), "{body}");
    let listed = f.get(&format!("/api/v1/cases/{}/costs", f.case_id)).await;
    assert_eq!((listed[0]["vat_rate_code"].as_str(), listed[0]["vat"].as_str()), (Some("not_subject"), Some("0.00")));

    // 1 300.00 € excluding VAT is within the officer's 1 500 €, its 1 560.00 € total is not.
    let (status, body) = f.record(&f.officer, vat_invoice("F-2026-302", "1300.00", None)).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::ACCEPTED, Some("pending_approval")), "{body}");
    let open = f.payables("open").await;
    assert_eq!(open[0]["amount"].as_str(), Some("1560.00"), "{open:?}");
}

/// A bailiff's act whose costs state VAT: `input.costs` is the amount excluding VAT, the debtor
/// is charged and the bailiff owed the total; a VAT that does not match is refused.
#[tokio::test]
async fn a_procedure_steps_costs_with_vat_are_charged_and_paid_including_vat() {
    let f = fixture().await;
    let bailiff = f.third_party("commissaire_de_justice", "SCP Vasseur, commissaires de justice").await;
    f.enforceable_title().await;
    let costs_before = f.costs_due().await;
    let on = today() - Duration::days(5);
    let act = |vat: &str| {
        json!({
            "input": {"costs": "150.00"}, "third_party_id": bailiff, "invoice_reference": "ACTE-2026-77",
            "invoice_date": on, "iban": BAILIFF_IBAN, "vat_rate": "standard", "vat": vat,
        })
    };
    let (status, body) = f.step("enforcement_bank", "serve_bank_seizure", on, act("31.00")).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("vat")), "{body}");
    let (status, body) = f.step("enforcement_bank", "serve_bank_seizure", on, act("30.00")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(f.costs_due().await, costs_before + Money::euros(180), "150.00 € + 20 % charged");
    let costs = f.get(&format!("/api/v1/cases/{}/costs", f.case_id)).await;
    assert_eq!(
        (costs[0]["amount_excl_vat"].as_str(), costs[0]["vat"].as_str(), costs[0]["amount"].as_str()),
        (Some("150.00"), Some("30.00"), Some("180.00")),
        "{costs}"
    );
    assert_eq!(f.payables("approved").await[0]["amount"].as_str(), Some("180.00"));
}
