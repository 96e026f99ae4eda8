//! Money going out and files coming back (issue 21, items 3 and 4), over HTTP, on the engine
//! under test: an overpayment refunded to the payer (requested, approved under four eyes above
//! 1,500 €, paid and booked by the next pain.001, schema-valid), the bank's payment status report
//! (pain.002) rejecting a transfer (reversed with its reason code) or a collection (booked back as
//! a return), and a transfer the beneficiary's bank returns on a statement (reversed, not booked
//! as a payment). Each import all or nothing and idempotent.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::authority::Role;
use recouvre_domain::calendar;
use recouvre_domain::Money;
use recouvre_iso20022::{Message, Pain008Version};
use recouvre_store::direct_debits::{self, NewMandate};
use recouvre_store::sql;
use recouvre_testkit::{app_on, camt053, today, StatementCredit, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const PAYER_IBAN: &str = "FR7630006000011234567890189";

struct Fixture {
    app: TestApp,
    /// Officer: requests refunds, returns suspense items.
    officer: String,
    /// Another officer: approves above the level.
    second: String,
    /// Accounting control: imports the bank's reports.
    accounting: String,
    case_id: i64,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let second = app.db.user("dominique", Role::Officer, PASSWORD).await;
    let accounting = app.db.user("controle", Role::AccountingControl, PASSWORD).await;
    app.db.seed(8, &["camille", "dominique"]).await;
    let officer = app.db.token(officer).await;
    let second = app.db.token(second).await;
    let accounting = app.db.token(accounting).await;
    let ids: Vec<i64> = sql::query_scalar(
        "SELECT id FROM cases c WHERE status <> 'closed' AND NOT EXISTS (SELECT 1 FROM payment_plans p WHERE p.case_id = c.id) \
         AND NOT EXISTS (SELECT 1 FROM sepa_mandates m WHERE m.case_id = c.id) ORDER BY id LIMIT 1",
    )
        .fetch_all(&app.db.store)
        .await
        .unwrap();
    let case_id = ids[0];
    Fixture { app, officer, second, accounting, case_id }
}

impl Fixture {
    async fn send(&self, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = client().request(method, self.app.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn case(&self) -> Value {
        let (status, body) =
            self.send(&self.officer, reqwest::Method::GET, &format!("/api/v1/cases/{}", self.case_id), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn overpayment(&self) -> Money {
        self.case().await["overpayment"].as_str().unwrap().parse().unwrap()
    }

    /// Pays the case's whole debt and `extra` on top (booked as a statement would). The payment
    /// settles the interest accrued to the day first: a second payment tops the overpayment up.
    async fn overpay(&self, extra: Money) {
        let store = &self.app.db.store;
        let owed = recouvre_store::cases::detail(store, self.case_id).await.unwrap().breakdown.total();
        let mut amount = owed + extra;
        for reference in ["VIR TROP PERCU", "VIR COMPLEMENT"] {
            let entry = recouvre_store::ledger::Entry { booked_on: today(), reference, actor: "test", now: Utc::now() };
            recouvre_store::payments::book_payment(
                store,
                self.case_id,
                None,
                amount,
                AllocationOrder::CostsInterestPrincipal,
                &entry,
            )
            .await
            .unwrap();
            amount = extra - self.overpayment().await;
            if amount.is_zero() {
                break;
            }
        }
        assert_eq!(self.overpayment().await, extra);
    }

    async fn request_refund(&self, token: &str, amount: &str, iban: &str) -> (StatusCode, Value) {
        let version = self.case().await["version"].clone();
        let body = json!({"amount": amount, "iban": iban, "reason": "Trop-perçu après solde", "version": version});
        self.send(token, reqwest::Method::POST, &format!("/api/v1/cases/{}/refunds", self.case_id), Some(body)).await
    }

    async fn refunds(&self) -> Vec<Value> {
        let (status, body) = self
            .send(&self.officer, reqwest::Method::GET, &format!("/api/v1/cases/{}/refunds", self.case_id), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array().unwrap().clone()
    }

    async fn journal_kinds(&self) -> Vec<String> {
        let (_, body) = self
            .send(&self.officer, reqwest::Method::GET, &format!("/api/v1/cases/{}/journal", self.case_id), None)
            .await;
        body.as_array().unwrap().iter().map(|event| event["kind"].as_str().unwrap().to_string()).collect()
    }

    /// `recouvre export transfers --date today --version V`, as the CLI runs it.
    async fn export_transfers(&self, version: &str) -> Option<String> {
        let app = app_on(&self.app.db.store).await;
        let version = recouvre_app::transfers::version(version).unwrap();
        let actor = recouvre_app::Actor::system("export-transfers");
        recouvre_app::transfers::export(&app, &actor, today(), version).await.unwrap().map(|(xml, _)| xml)
    }

    async fn import_status(&self, token: &str, xml: &str) -> (StatusCode, Value) {
        let response = client()
            .post(self.app.url("/api/v1/imports/payment-status?file_name=psr.xml"))
            .bearer_auth(token)
            .header("content-type", "application/xml")
            .body(xml.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn message_id(xml: &str) -> String {
    let start = xml.find("<MsgId>").unwrap() + "<MsgId>".len();
    xml[start..start + xml[start..].find('<').unwrap()].to_string()
}

/// A pain.002.001.`version` on `original` (`pain.001.001.03`…) with these transactions' statuses.
fn pain002(
    version: &str,
    original_id: &str,
    original_name: &str,
    group: &str,
    transactions: &[(&str, &str, &str)],
) -> String {
    let mut body = String::new();
    if !transactions.is_empty() {
        body.push_str(&format!("<OrgnlPmtInfAndSts>\n<OrgnlPmtInfId>{original_id}-TRF</OrgnlPmtInfId>\n"));
        for (end_to_end_id, status, reason) in transactions {
            body.push_str(&format!(
                "<TxInfAndSts>\n<OrgnlEndToEndId>{end_to_end_id}</OrgnlEndToEndId>\n<TxSts>{status}</TxSts>\n\
                 <StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>\n</TxInfAndSts>\n"
            ));
        }
        body.push_str("</OrgnlPmtInfAndSts>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.{version}\">\n\
         <CstmrPmtStsRpt>\n<GrpHdr><MsgId>PSR-{original_id}</MsgId><CreDtTm>{}T07:00:00</CreDtTm></GrpHdr>\n\
         <OrgnlGrpInfAndSts><OrgnlMsgId>{original_id}</OrgnlMsgId><OrgnlMsgNmId>{original_name}</OrgnlMsgNmId>\
         <GrpSts>{group}</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>\n{body}</CstmrPmtStsRpt>\n</Document>\n",
        today()
    )
}

/// Done when: `recouvre export transfers` produces a schema-valid pain.001 with the day's approved
/// refunds; a refund above the level needs a second person; the bank's pain.002 rejecting one
/// reverses it with its reason code, once; a report naming what Recouvre never sent writes nothing.
#[tokio::test]
async fn the_days_approved_refunds_are_paid_in_a_valid_pain001_and_a_rejection_reverses_them() {
    let f = fixture().await;
    f.overpay(Money::euros(2_000)).await;

    // Checked where they enter: the IBAN (400 naming it), the amount against the overpayment.
    let (status, body) = f.request_refund(&f.officer, "200.00", "FR7630006000011234567890188").await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("iban")), "{body}");
    let (status, body) = f.request_refund(&f.officer, "2000.01", PAYER_IBAN).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("refund_exceeds_overpayment")), "{body}");
    let (status, _) = f.request_refund(&f.accounting, "10.00", PAYER_IBAN).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Within the level: approved at once. Above it: pending for a second person.
    let (status, small) = f.request_refund(&f.officer, "200.00", PAYER_IBAN).await;
    assert_eq!((status, small["status"].as_str()), (StatusCode::CREATED, Some("approved")), "{small}");
    let (status, large) = f.request_refund(&f.officer, "1600.00", "DE89370400440532013000").await;
    assert_eq!((status, large["status"].as_str()), (StatusCode::CREATED, Some("pending")), "{large}");
    let (status, body) = f.request_refund(&f.officer, "200.01", PAYER_IBAN).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("refund_exceeds_overpayment")), "{body}");
    let large_id = large["id"].as_i64().unwrap();
    let decision = format!("/api/v1/refunds/{large_id}/decision");
    let (status, body) =
        f.send(&f.officer, reqwest::Method::POST, &decision, Some(json!({"approve": true, "reason": "ok"}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("own_request")), "{body}");
    let (status, _) =
        f.send(&f.accounting, reqwest::Method::POST, &decision, Some(json!({"approve": true, "reason": "ok"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) =
        f.send(&f.second, reqwest::Method::POST, &decision, Some(json!({"approve": true, "reason": "justifié"}))).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("approved")), "{body}");
    assert_eq!(f.overpayment().await, Money::euros(2_000), "nothing is booked before the file");

    // The day's file: both refunds, schema-valid (pain.001.001.09 here), booked now, once.
    let xml = f.export_transfers("09").await.expect("a transfer file");
    recouvre_iso20022::validate(Message::Pain001V09, xml.as_bytes()).unwrap();
    let small_e2e = format!("RCV-TRF-R{}", small["id"]);
    let large_e2e = format!("RCV-TRF-R{large_id}");
    for needle in
        [&small_e2e, &large_e2e, &format!("<IBAN>{PAYER_IBAN}</IBAN>"), &"Remboursement trop-percu dossier".to_string()]
    {
        assert!(xml.contains(needle.as_str()), "{needle}: {xml}");
    }
    assert!(xml.contains("<CtrlSum>1800.00</CtrlSum>"), "{xml}");
    assert_eq!(f.overpayment().await, Money::euros(200));
    assert!(f.refunds().await.iter().all(|refund| refund["status"] == "transferred"));
    assert!(f.journal_kinds().await.iter().filter(|kind| *kind == "refund_transferred").count() == 2);
    assert!(f.export_transfers("03").await.is_none(), "each refund is paid once");

    // The bank rejects the large one (AC04) and accepts the small one.
    let original = message_id(&xml);
    let report = pain002(
        "03",
        &original,
        "pain.001.001.09",
        "PART",
        &[(&large_e2e, "RJCT", "AC04"), (&small_e2e, "ACCP", "NARR")],
    );
    let (status, _) = f.import_status(&f.officer, &report).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "accounting control only");
    let (status, body) = f.import_status(&f.accounting, &report).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["rejected"].as_u64(), body["accepted"].as_u64()), (Some(1), Some(1)), "{body}");
    assert_eq!(f.overpayment().await, Money::euros(1_800), "the rejected refund is back on the overpayment");
    let refunds = f.refunds().await;
    let rejected = refunds.iter().find(|refund| refund["id"] == large_id).unwrap();
    assert_eq!((rejected["status"].as_str(), rejected["rejection_reason"].as_str()), (Some("rejected"), Some("AC04")));
    assert!(f.journal_kinds().await.contains(&"transfer_rejected".to_string()));
    let reversals: i64 = sql::query_scalar(
        "SELECT COUNT(*) FROM ledger_transactions t JOIN overpayment_refunds r ON t.reverses = r.transaction_id \
         WHERE r.id = $1 AND t.kind = 'reversal'",
    )
    .bind(large_id)
    .fetch_one(&f.app.db.store)
    .await
    .unwrap();
    assert_eq!(reversals, 1, "a reversing transaction, not a deletion");
    assert!(recouvre_store::ledger::check(&f.app.db.store).await.unwrap().is_clean());

    // Again: nothing changes.
    let (status, body) = f.import_status(&f.accounting, &report).await;
    assert_eq!(
        (status, body["rejected"].as_u64(), body["already_applied"].as_u64()),
        (StatusCode::OK, Some(0), Some(1))
    );
    assert_eq!(f.overpayment().await, Money::euros(1_800));

    // A transaction Recouvre never sent, beside a real one: refused naming the line, nothing written.
    let bad = pain002(
        "10",
        &original,
        "pain.001.001.09",
        "PART",
        &[(&small_e2e, "RJCT", "AC01"), ("RCV-TRF-R999", "RJCT", "AC01")],
    );
    let (status, body) = f.import_status(&f.accounting, &bad).await;
    let line = bad.lines().position(|l| l.contains("<TxInfAndSts>")).unwrap() + 1;
    let second_line = bad.lines().enumerate().filter(|(_, l)| l.contains("<TxInfAndSts>")).nth(1).unwrap().0 + 1;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("OrgnlEndToEndId")), "{body}");
    assert!(body["error"].as_str().unwrap().contains(&format!("psr.xml, ligne {second_line}")), "{body} {line}");
    assert_eq!(f.overpayment().await, Money::euros(1_800), "all or nothing: the first rejection is not applied");
    // A report on a file Recouvre did not send.
    let (status, body) =
        f.import_status(&f.accounting, &pain002("03", "RCV-TRF-19990101-1", "pain.001.001.03", "RJCT", &[])).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("OrgnlMsgId")), "{body}");
    // Not a pain.002.
    let (status, body) = f.import_status(&f.accounting, &xml).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// A transfer the beneficiary's bank returns later comes back as a credit quoting our end-to-end
/// id: reversed, not booked as a new payment; a whole file rejected by the bank puts a suspense
/// item returned to its payer back in suspense.
#[tokio::test]
async fn a_returned_transfer_on_a_statement_and_a_rejected_file_are_reversed() {
    let f = fixture().await;
    f.overpay(Money::euros(500)).await;
    let (status, refund) = f.request_refund(&f.officer, "300.00", PAYER_IBAN).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    let xml = f.export_transfers("03").await.expect("a transfer file");
    recouvre_iso20022::validate(Message::Pain001V03, xml.as_bytes()).unwrap();
    assert_eq!(f.overpayment().await, Money::euros(200));

    // The statement: the refund's money back, quoting our end-to-end id.
    let e2e = format!("RCV-TRF-R{}", refund["id"]);
    let credit = StatementCredit {
        amount: "300.00",
        payer_name: "BANQUE DU BENEFICIAIRE",
        payer_iban: PAYER_IBAN,
        rf_reference: None,
        free_text: Some("RETOUR VIREMENT"),
        bank_reference: "RET-1",
    };
    let statement = camt053("STMT-RET-1", today(), &[credit]).replace("E2E-RET-1", &e2e);
    let outcome = recouvre_testkit::import_statement(&f.app.db.store, "retour.xml", statement.as_bytes(), "controle")
        .await
        .unwrap();
    assert_eq!((outcome.booked, outcome.suspense, outcome.transfers_reversed), (0, 0, 1), "{outcome:?}");
    assert_eq!(f.overpayment().await, Money::euros(500), "reversed, not booked as a payment");
    let again = recouvre_testkit::import_statement(&f.app.db.store, "retour.xml", statement.as_bytes(), "controle")
        .await
        .unwrap();
    assert_eq!((again.booked, again.suspense, again.transfers_reversed), (0, 0, 0), "{again:?}");
    assert_eq!(f.overpayment().await, Money::euros(500));

    // A suspense item returned to its payer, in a file the bank rejects whole.
    let held = recouvre_store::suspense::Held {
        received_on: today(),
        amount: Money::euros(45),
        payer_name: Some("INCONNU SA"),
        payer_iban: Some(PAYER_IBAN),
        reference: Some("VIR SANS REF"),
        suggested_case_id: None,
        reason: "ni référence ni IBAN exploitables",
        source_key: "held-1",
    };
    let item = recouvre_store::suspense::hold_one(&f.app.db.store, &held, "test", Utc::now()).await.unwrap().unwrap();
    let (status, body) = f
        .send(
            &f.officer,
            reqwest::Method::POST,
            &format!("/api/v1/suspense/{item}/return"),
            Some(json!({"reason": "Payeur inconnu"})),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(recouvre_store::suspense::balance(&f.app.db.store).await.unwrap(), Money::ZERO);
    let file = f.export_transfers("03").await.expect("the returned item's transfer");
    assert!(file.contains(&format!("RCV-TRF-S{item}")), "{file}");
    let report = pain002("10", &message_id(&file), "pain.001.001.03", "RJCT", &[]);
    let (status, body) = f.import_status(&f.accounting, &report).await;
    assert_eq!((status, body["rejected"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    let back = recouvre_store::suspense::item(&f.app.db.store, item).await.unwrap();
    assert_eq!(back.status, "open", "back in suspense for an officer to decide again");
    assert!(back.reason.contains("FF01"), "{}", back.reason);
    assert_eq!(recouvre_store::suspense::balance(&f.app.db.store).await.unwrap(), Money::euros(45));
    assert!(recouvre_store::ledger::check(&f.app.db.store).await.unwrap().is_clean());
}

/// A pain.002 on one of our direct-debit files rejects a collection: booked back through the
/// direct debits' returns, with its reason code, once.
#[tokio::test]
async fn a_rejected_collection_in_a_pain002_is_booked_back_as_a_return() {
    let f = fixture().await;
    let store = &f.app.db.store;
    let app = app_on(store).await;
    let actor = recouvre_app::Actor::system("camille");
    // Past the 14 days of pre-notification the plan's schedule gives (docs/formats/direct-debits.md).
    let date = calendar::target2_business_day_on_or_after(today() + chrono::Duration::days(20));
    let amount = Money::euros(50);
    direct_debits::create_plan(store, f.case_id, None, &[(date, amount)], "camille", Utc::now()).await.unwrap();
    let version = recouvre_store::cases::detail(store, f.case_id).await.unwrap().version;
    let mandate = NewMandate {
        reference: "RUM-PSR-1",
        debtor_name: "Hélène Müller-Dupont",
        debtor_iban: PAYER_IBAN,
        debtor_bic: None,
        signed_on: today(),
    };
    recouvre_app::direct_debits::add_mandate(&app, &actor, f.case_id, version, &mandate).await.unwrap();
    let owed_before = recouvre_store::cases::detail(store, f.case_id).await.unwrap().breakdown.total();
    let (_, summary) =
        recouvre_app::direct_debits::export(&app, &actor, date, Pain008Version::V02).await.unwrap().file.expect("due");
    let e2e: String =
        sql::query_scalar("SELECT end_to_end_id FROM instalments WHERE case_id = $1 AND end_to_end_id IS NOT NULL")
            .bind(f.case_id)
            .fetch_one(store)
            .await
            .unwrap();
    let collected = summary.debits.iter().find(|debit| debit.end_to_end_id == e2e).expect("the instalment collected");
    assert_eq!(collected.amount, amount);
    let owed_collected = recouvre_store::cases::detail(store, f.case_id).await.unwrap().breakdown.total();
    assert!(owed_collected < owed_before, "the collection reduced the debt (after the interest to its date)");

    let report = pain002("10", &summary.message_id, "pain.008.001.02", "PART", &[(&e2e, "RJCT", "MD01")]);
    let (status, body) = f.import_status(&f.accounting, &report).await;
    assert_eq!((status, body["rejected"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    let owed_after = recouvre_store::cases::detail(store, f.case_id).await.unwrap().breakdown.total();
    assert_eq!(owed_after - owed_collected, amount, "the collection is reversed: the case owes it again");
    let reason: Option<String> = sql::query_scalar("SELECT return_reason FROM instalments WHERE end_to_end_id = $1")
        .bind(&e2e)
        .fetch_one(store)
        .await
        .unwrap();
    assert_eq!(reason.as_deref(), Some("MD01"));
    assert!(f.journal_kinds().await.contains(&"direct_debit_returned".to_string()));
    let (status, body) = f.import_status(&f.accounting, &report).await;
    assert_eq!(
        (status, body["rejected"].as_u64(), body["already_applied"].as_u64()),
        (StatusCode::OK, Some(0), Some(1))
    );
}
