//! Bank statements in: matched credits booked on their case, unmatched ones in suspense, the
//! same statement imported twice booking nothing twice, on the engine under test.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_domain::Money;
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::sql;
use recouvre_testkit::{camt053, today, StatementCredit, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";

/// A case whose debtor's IBAN is theirs alone: (case id, IBAN).
async fn case_with_unique_iban(app: &TestApp) -> (i64, String) {
    let rows: Vec<(i64, String)> = sql::query_as(
        "SELECT c.id, p.iban FROM cases c JOIN persons p ON p.id = c.debtor_id \
         WHERE p.iban IS NOT NULL AND c.status <> 'closed' AND c.id > 10 \
         AND (SELECT COUNT(*) FROM persons q WHERE q.iban = p.iban) = 1 ORDER BY c.id LIMIT 1",
    )
    .fetch_all(&app.db.store)
    .await
    .unwrap();
    rows.into_iter().next().expect("a seeded debtor with an IBAN")
}

#[tokio::test]
async fn a_statement_books_matched_credits_holds_the_rest_and_books_nothing_twice() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    // Statements are imported by the back office, never by an officer (issue 23).
    let back_office = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    app.db.seed(40, &["camille"]).await;
    let by_rf = recouvre_store::cases::detail(&app.db.store, 3).await.unwrap();
    let (by_iban_id, iban) = case_with_unique_iban(&app).await;
    let by_iban = recouvre_store::cases::detail(&app.db.store, by_iban_id).await.unwrap();
    let rf = rf_reference(&by_rf.reference);
    let statement = camt053(
        "STMT-1",
        today(),
        &[
            StatementCredit {
                amount: "100.00",
                payer_name: "X",
                payer_iban: "DE89370400440532013000",
                rf_reference: Some(&rf),
                free_text: None,
                bank_reference: "B1",
            },
            StatementCredit {
                amount: "50.00",
                payer_name: "Y",
                payer_iban: &iban,
                rf_reference: None,
                free_text: Some("virement"),
                bank_reference: "B2",
            },
            StatementCredit {
                amount: "150.00",
                payer_name: "DUPONT JEAN",
                payer_iban: "FR7630006000011234567890189",
                rf_reference: None,
                free_text: Some("REMB DUPONT"),
                bank_reference: "B3",
            },
        ],
    );
    let post = |body: String| {
        reqwest::Client::new()
            .post(app.url("/api/v1/imports/statement?file_name=releve.xml"))
            .bearer_auth(&back_office)
            .header("content-type", "application/xml")
            .body(body)
            .send()
    };
    let first: Value = post(statement.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(first["booked"], 2, "{first}");
    assert_eq!(first["suspense"], 1, "{first}");
    assert_eq!(first["suspense_amount"], "150.00");
    let after_rf = recouvre_store::cases::detail(&app.db.store, 3).await.unwrap();
    assert_eq!(by_rf.breakdown.total() - after_rf.breakdown.total(), Money::from_cents(10_000));
    let after_iban = recouvre_store::cases::detail(&app.db.store, by_iban_id).await.unwrap();
    assert_eq!(by_iban.breakdown.total() - after_iban.breakdown.total(), Money::from_cents(5_000));
    // The same statement again: nothing booked twice.
    let second: Value = post(statement).await.unwrap().json().await.unwrap();
    assert_eq!(
        (second["booked"].as_u64(), second["suspense"].as_u64(), second["already_booked"].as_u64()),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(recouvre_store::cases::detail(&app.db.store, 3).await.unwrap().breakdown, after_rf.breakdown);
    // The suspense queue shows the unmatched credit, with the case its payer's name suggests.
    let queue: Value = reqwest::Client::new()
        .get(app.url("/api/v1/suspense"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = queue.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["amount"], "150.00");
    assert_eq!(items[0]["reference"], "REMB DUPONT");
    let dupont = recouvre_store::cases::list(
        &app.db.store,
        &recouvre_store::cases::CaseFilter { query: Some("dupont jean".into()), ..Default::default() },
    )
    .await
    .unwrap();
    let dupont_id = dupont.cases[0].id;
    assert_eq!(items[0]["suggested_case_id"], dupont_id);
    assert!(items[0]["reason"].as_str().unwrap().contains("confiance 50 %"), "{}", items[0]["reason"]);
    assert_eq!(recouvre_store::suspense::balance(&app.db.store).await.unwrap(), Money::from_cents(15_000));
    // Clearing it books it on the case.
    let before = recouvre_store::cases::detail(&app.db.store, dupont_id).await.unwrap();
    let item_id = items[0]["id"].as_i64().unwrap();
    let assigned = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/suspense/{item_id}/assign")))
        .bearer_auth(&token)
        .json(&json!({"case_id": dupont_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), StatusCode::OK);
    let after = recouvre_store::cases::detail(&app.db.store, dupont_id).await.unwrap();
    assert_eq!(before.breakdown.total() - after.breakdown.total(), Money::from_cents(15_000));
    assert_eq!(recouvre_store::suspense::balance(&app.db.store).await.unwrap(), Money::ZERO);
    let events = recouvre_store::journal::events(&app.db.store, dupont_id).await.unwrap();
    assert_eq!(events.last().unwrap().kind, "suspense_assigned");
    // Assigning twice is refused.
    let again = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/suspense/{item_id}/assign")))
        .bearer_auth(&token)
        .json(&json!({"case_id": dupont_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(recouvre_store::ledger::check(&app.db.store).await.unwrap().is_clean());
}

#[tokio::test]
async fn an_invalid_statement_is_refused_with_the_reason_and_books_nothing() {
    let app = TestApp::spawn().await;
    app.db.user("camille", Role::Officer, PASSWORD).await;
    // Statements are imported by the back office, never by an officer (issue 23).
    let back_office = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    app.db.seed(5, &[]).await;
    let rf = rf_reference("CTX-0000001");
    let good = camt053(
        "STMT-2",
        today(),
        &[StatementCredit {
            amount: "10.00",
            payer_name: "X",
            payer_iban: "DE89370400440532013000",
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference: "C1",
        }],
    );
    // A decimal comma is not a valid ISO 20022 amount.
    let bad = good.replace("<Amt Ccy=\"EUR\">10.00</Amt>", "<Amt Ccy=\"EUR\">10,00</Amt>");
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/imports/statement?file_name=faux.xml"))
        .bearer_auth(&back_office)
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("faux.xml") && error.contains("ligne"), "{error}");
    let lines = recouvre_store::ledger::lines(&app.db.store, 1).await.unwrap();
    assert!(lines.iter().all(|line| line.kind != "payment"));
    let not_xml = reqwest::Client::new()
        .post(app.url("/api/v1/imports/statement"))
        .bearer_auth(&back_office)
        .body("%PDF-1.4 not a statement")
        .send()
        .await
        .unwrap();
    assert_eq!(not_xml.status(), StatusCode::BAD_REQUEST);
}

/// Issue 22, finding 1: a 35 KB camt.053 nested 5,000 deep aborted the server (stack overflow
/// in the XML parser on a tokio worker). A 30,000-deep one is now a 400 with the error contract,
/// naming the line, and the server keeps serving.
#[tokio::test]
async fn a_statement_nested_30000_deep_is_a_400_and_the_server_keeps_serving() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    // Statements are imported by the back office, never by an officer (issue 23).
    let back_office = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    let mut deep = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n",
    );
    deep.push_str(&"<BkToCstmrStmt>".repeat(30_000));
    deep.push_str(&"</BkToCstmrStmt>".repeat(30_000));
    deep.push_str("</Document>\n");
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/imports/statement?file_name=profond.xml"))
        .bearer_auth(&back_office)
        .header("content-type", "application/xml")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_file", "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("profond.xml") && error.contains("30001 niveaux") && error.contains("ligne 3"), "{error}");
    // Still serving: the open health check and an authenticated API read.
    let health = reqwest::Client::new().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let cases = reqwest::Client::new().get(app.url("/api/v1/cases")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(cases.status(), StatusCode::OK);
}

/// Issue 22, finding 2: a camt.053 whose credit was inflated to 1,000,000,000,000,000.00 €
/// was booked although its opening and closing balances said otherwise. A statement that does
/// not add up is now refused for booking (400 `unbalanced_statement`, the difference in euros),
/// nothing is written, and the genuine file is then booked as usual.
#[tokio::test]
async fn a_statement_whose_balances_do_not_add_up_is_refused_naming_the_difference() {
    let app = TestApp::spawn().await;
    app.db.user("camille", Role::Officer, PASSWORD).await;
    // Statements are imported by the back office, never by an officer (issue 23).
    let back_office = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    let genuine = include_str!("../../iso20022/tests/data/camt053_v02_cic.xml");
    let tampered = genuine.replacen("<Amt Ccy=\"EUR\">8.85</Amt>", "<Amt Ccy=\"EUR\">1000000000000000.00</Amt>", 1);
    assert_ne!(tampered, genuine);
    let post = |body: String| {
        reqwest::Client::new()
            .post(app.url("/api/v1/imports/statement?file_name=releve-cic.xml"))
            .bearer_auth(&back_office)
            .header("content-type", "application/xml")
            .body(body)
            .send()
    };
    let refused = post(tampered).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "unbalanced_statement", "{body}");
    let error = body["error"].as_str().unwrap();
    let gap = Money::from_cents(-(100_000_000_000_000_000 - 885)).to_french();
    assert!(error.contains("releve-cic.xml") && error.contains(&format!("écart de {gap}")), "{error}");
    assert!(error.contains("rien n'est comptabilisé"), "{error}");
    // Nothing of it was written: the genuine file then takes all its six credits (814.35 €,
    // in suspense: no case here), none "already booked".
    let taken: Value = post(genuine.to_string()).await.unwrap().json().await.unwrap();
    assert_eq!(taken["already_booked"], 0, "{taken}");
    assert_eq!((&taken["suspense"], &taken["suspense_amount"]), (&json!(6), &json!("814.35")), "{taken}");
}

#[tokio::test]
async fn the_suspense_screen_assigns_and_returns_money() {
    let app = TestApp::spawn().await;
    app.db.user("camille", Role::Officer, PASSWORD).await;
    app.db.seed(12, &["camille"]).await;
    let hold = |key: &'static str, amount: i64| {
        let store = app.db.store.clone();
        async move {
            let held = recouvre_store::suspense::Held {
                received_on: today(),
                amount: Money::from_cents(amount),
                payer_name: Some("INCONNU"),
                payer_iban: None,
                reference: Some("VIR SANS REF"),
                suggested_case_id: None,
                reason: "ni référence ni IBAN exploitables",
                source_key: key,
            };
            recouvre_store::suspense::hold_one(&store, &held, "test", chrono::Utc::now()).await.unwrap().unwrap()
        }
    };
    let first = hold("k1", 4_000).await;
    let second = hold("k2", 2_500).await;
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/instance")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("VIR SANS REF") && page.contains("65,00"), "{page}");
    let csrf = recouvre_testkit::hidden_value(&page, "csrf").unwrap();
    let case = recouvre_store::cases::detail(&app.db.store, 4).await.unwrap();
    let unknown = browser
        .post(app.url(&format!("/instance/{first}/affecter")))
        .form(&[("csrf", csrf.as_str()), ("case_reference", "CTX-9999999")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let assigned = browser
        .post(app.url(&format!("/instance/{first}/affecter")))
        .form(&[("csrf", csrf.as_str()), ("case_reference", &case.reference.to_lowercase())])
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), StatusCode::SEE_OTHER);
    let after = recouvre_store::cases::detail(&app.db.store, 4).await.unwrap();
    assert_eq!(case.breakdown.total() - after.breakdown.total(), Money::from_cents(4_000));
    let returned = browser
        .post(app.url(&format!("/instance/{second}/retourner")))
        .form(&[("csrf", csrf.as_str()), ("reason", "Payeur inconnu, fonds renvoyés")])
        .send()
        .await
        .unwrap();
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);
    assert_eq!(recouvre_store::suspense::balance(&app.db.store).await.unwrap(), Money::ZERO);
    assert!(recouvre_store::suspense::open_items(&app.db.store).await.unwrap().is_empty());
    let page = browser.get(app.url("/instance")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Aucune somme en instance"));
    // The case page prints the creditor reference a debtor quotes when paying.
    let case_page = browser.get(app.url("/dossiers/4")).send().await.unwrap().text().await.unwrap();
    let printed = recouvre_iso20022::sepa::rf_for_print(&rf_reference(&case.reference));
    assert!(case_page.contains(&printed), "{printed}");
    assert!(recouvre_store::ledger::check(&app.db.store).await.unwrap().is_clean());
}

/// Issue 22, finding 2: the 1,000,000,000,000,000.00 € credit, in a statement whose balances
/// add up, matched on a case by its creditor reference. It is not refused (the statement is the
/// bank's record) and not booked: it waits in suspense with the rule it broke, the case
/// suggested, and the case's debt is unchanged; the ordinary credit beside it is booked. A
/// credit booked more than 400 days before the import goes to suspense the same way.
#[tokio::test]
async fn a_credit_far_above_the_debt_or_out_of_date_goes_to_suspense_with_its_reason() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    // Statements are imported by the back office, never by an officer (issue 23).
    let back_office = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    app.db.seed(10, &["camille"]).await;
    let before = recouvre_store::cases::detail(&app.db.store, 3).await.unwrap();
    let rf = rf_reference(&before.reference);
    let credit = |amount, bank_reference| StatementCredit {
        amount,
        payer_name: "X",
        payer_iban: "DE89370400440532013000",
        rf_reference: Some(&rf),
        free_text: None,
        bank_reference,
    };
    let statement = camt053("STMT-HUGE", today(), &[credit("1000000000000000.00", "H1"), credit("100.00", "H2")]);
    // Balances made consistent: 0.00 opening, the two credits, 1,000,000,000,000,100.00 closing.
    let closing = "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt>";
    assert!(statement.contains(closing));
    let balanced = statement.replacen(
        closing,
        &format!(
            "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{}</Dt></Dt></Bal>\n\
             <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1000000000000100.00</Amt>",
            today()
        ),
        1,
    );
    let post = |name: &str, body: String| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/imports/statement?file_name={name}")))
            .bearer_auth(&back_office)
            .header("content-type", "application/xml")
            .body(body)
            .send()
    };
    let answer = post("releve-huge.xml", balanced).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let imported: Value = answer.json().await.unwrap();
    assert_eq!((&imported["booked"], &imported["suspense"]), (&json!(1), &json!(1)), "{imported}");
    assert_eq!(imported["suspense_amount"], "1000000000000000.00", "{imported}");
    // Only the 100.00 € reached the case.
    let after = recouvre_store::cases::detail(&app.db.store, 3).await.unwrap();
    assert_eq!(before.breakdown.total() - after.breakdown.total(), Money::from_cents(10_000));
    let huge = Money::from_cents(100_000_000_000_000_000);
    let expected = format!(
        "montant sans rapport avec la dette : {} pour {} dus",
        huge.to_french(),
        before.breakdown.total().to_french()
    );
    let queue = |app: &TestApp| {
        let request = reqwest::Client::new().get(app.url("/api/v1/suspense")).bearer_auth(&token).send();
        async move { request.await.unwrap().json::<Value>().await.unwrap() }
    };
    let items = queue(&app).await;
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["amount"], "1000000000000000.00");
    assert_eq!(items[0]["suggested_case_id"], 3);
    assert!(items[0]["reason"].as_str().unwrap().starts_with(&expected), "{}", items[0]["reason"]);
    // A credit booked 401 days before the import: in suspense, the debt untouched.
    let old = camt053("STMT-OLD", today() - chrono::Duration::days(401), &[credit("50.00", "O1")]);
    let imported: Value = post("releve-ancien.xml", old).await.unwrap().json().await.unwrap();
    assert_eq!((&imported["booked"], &imported["suspense"]), (&json!(0), &json!(1)), "{imported}");
    assert_eq!(recouvre_store::cases::detail(&app.db.store, 3).await.unwrap().breakdown, after.breakdown);
    let items = queue(&app).await;
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    let old_item = items.iter().find(|item| item["amount"] == "50.00").unwrap();
    assert_eq!(old_item["suggested_case_id"], 3);
    let reason = old_item["reason"].as_str().unwrap();
    assert!(reason.starts_with("date de comptabilisation hors de la fenêtre"), "{reason}");
    assert_eq!(recouvre_store::suspense::balance(&app.db.store).await.unwrap(), huge + Money::from_cents(5_000));
    assert!(recouvre_store::ledger::check(&app.db.store).await.unwrap().is_clean());
}

/// Issue 21: a CFONB 120 statement is recognised by its content and booked exactly like a
/// camt (matched credit on its case, the rest in suspense, nothing twice); one whose balances do
/// not add up, or that is malformed, is refused with nothing booked; a camt.052 intraday report
/// is refused with a message saying why; camt.053 of version 001.04 books like 001.02.
#[tokio::test]
async fn cfonb120_and_every_camt_version_book_the_same_and_intraday_reports_are_refused() {
    let app = TestApp::spawn().await;
    app.db.user("camille", Role::Officer, PASSWORD).await;
    // Statements are imported by the back office, never by officers (issue 23).
    let token = app.db.token(app.db.user("claire", Role::AccountingControl, PASSWORD).await).await;
    app.db.seed(20, &["camille"]).await;
    let case = recouvre_store::cases::detail(&app.db.store, 3).await.unwrap();
    let rf = rf_reference(&case.reference);
    let credits = [
        StatementCredit {
            amount: "120.00",
            payer_name: "PAYEUR CFONB",
            payer_iban: "",
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference: "CF-1",
        },
        StatementCredit {
            amount: "33.10",
            payer_name: "INCONNU",
            payer_iban: "",
            rf_reference: None,
            free_text: Some("VIREMENT SANS REFERENCE"),
            bank_reference: "CF-2",
        },
    ];
    let post = |name: &str, body: Vec<u8>| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/imports/statement?file_name={name}")))
            .bearer_auth(&token)
            .body(body)
            .send()
    };
    // Balances that do not add up: refused, nothing booked.
    let unbalanced = recouvre_testkit::cfonb120(today(), &credits, 1_000);
    let refused = post("releve.cfonb", unbalanced.into_bytes()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "unbalanced_statement", "{body}");
    assert!(body["error"].as_str().unwrap().contains("30004 00031 00012345678"), "{body}");
    // A movement outside any statement: refused naming the line.
    let genuine = recouvre_testkit::cfonb120(today(), &credits, 0);
    let movement = genuine.lines().nth(1).unwrap();
    let outside = format!("{genuine}{movement}\n");
    let refused = post("releve.cfonb", outside.into_bytes()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    let lines = genuine.lines().count() + 1;
    assert!(body["error"].as_str().unwrap().contains(&format!("ligne {lines} : mouvement")), "{body}");
    assert_eq!(recouvre_store::cases::detail(&app.db.store, 3).await.unwrap().breakdown, case.breakdown);
    // The genuine file: one credit on its case, one in suspense; again, nothing twice.
    let first: Value = post("releve.cfonb", genuine.clone().into_bytes()).await.unwrap().json().await.unwrap();
    assert_eq!((&first["booked"], &first["suspense"]), (&json!(1), &json!(1)), "{first}");
    assert_eq!(first["suspense_amount"], "33.10");
    let after = recouvre_store::cases::detail(&app.db.store, 3).await.unwrap();
    assert_eq!(case.breakdown.total() - after.breakdown.total(), Money::from_cents(12_000));
    let second: Value = post("releve.cfonb", genuine.into_bytes()).await.unwrap().json().await.unwrap();
    assert_eq!((&second["booked"], &second["already_booked"]), (&json!(0), &json!(2)), "{second}");
    // A camt.052 intraday report is shown, never booked.
    let report = include_str!("../../iso20022/tests/data/camt052_v02_intraday.xml");
    let refused = post("intraday.xml", report.as_bytes().to_vec()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "report_not_bookable", "{body}");
    assert!(body["error"].as_str().unwrap().contains("camt.052.001.02"), "{body}");
    // camt.053.001.04 books its six credits like the 001.02 file (suspense: no case of theirs).
    let v04 = include_str!("../../iso20022/tests/data/camt053_v04_cic.xml");
    let taken: Value = post("releve-v04.xml", v04.as_bytes().to_vec()).await.unwrap().json().await.unwrap();
    assert_eq!((&taken["suspense"], &taken["suspense_amount"]), (&json!(6), &json!("814.35")), "{taken}");
    assert!(recouvre_store::ledger::check(&app.db.store).await.unwrap().is_clean());
}
