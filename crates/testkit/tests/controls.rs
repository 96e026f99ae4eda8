//! Accounting controls, reconciliation and the general-ledger export, on the engine under test.

use chrono::{Duration, Utc};
use recouvre_domain::authority::Role;
use recouvre_domain::Money;
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::sql;
use recouvre_testkit::{camt053, today, StatementCredit, TestApp};

#[tokio::test]
async fn money_in_reconciles_with_cases_and_suspense_and_the_controls_see_anomalies() {
    let app = TestApp::spawn().await;
    app.db.user_with_level("camille", Role::Officer, "correct-horse-battery", 1).await;
    app.db.seed(10, &["camille"]).await;
    let store = &app.db.store;
    let rf = rf_reference("CTX-0000003");
    let xml = camt053(
        "R-1",
        today(),
        &[
            StatementCredit {
                amount: "120.00",
                payer_name: "A",
                payer_iban: "DE89370400440532013000",
                rf_reference: Some(&rf),
                free_text: None,
                bank_reference: "R1",
            },
            StatementCredit {
                amount: "80.00",
                payer_name: "ZZZ INCONNU",
                payer_iban: "DE89370400440532013000",
                rf_reference: None,
                free_text: Some("??"),
                bank_reference: "R2",
            },
        ],
    );
    recouvre_testkit::import_statement(store, "r.xml", xml.as_bytes(), "system:test").await.unwrap();
    let reconciliation = recouvre_store::controls::reconciliation(store, today(), today()).await.unwrap();
    assert_eq!(reconciliation.statements_in, Money::from_cents(20_000));
    assert_eq!(reconciliation.allocated_to_cases, Money::from_cents(12_000));
    assert_eq!(reconciliation.held_in_suspense, Money::from_cents(8_000));
    assert_eq!(reconciliation.difference, Money::ZERO);
    assert_eq!(reconciliation.suspense_in, Money::from_cents(8_000));
    assert_eq!(reconciliation.suspense_closing, Money::from_cents(8_000));
    let item = recouvre_store::suspense::open_items(store).await.unwrap()[0].id;
    recouvre_store::payments::assign_suspense(store, item, 5, "camille", Utc::now()).await.unwrap();
    let after = recouvre_store::controls::reconciliation(store, today(), today()).await.unwrap();
    assert_eq!((after.suspense_cleared, after.suspense_closing), (Money::from_cents(8_000), Money::ZERO));

    let clean = recouvre_store::controls::control_report(store, today()).await.unwrap();
    assert_eq!(clean.anomalies(), 0, "{clean:?}");
    // An item waiting for more than 30 days, and a write-off booked beyond its booker's level.
    let old = recouvre_store::suspense::Held {
        received_on: today() - Duration::days(45),
        amount: Money::from_cents(999),
        payer_name: None,
        payer_iban: None,
        reference: None,
        suggested_case_id: None,
        reason: "test",
        source_key: "old-1",
    };
    recouvre_store::suspense::hold_one(store, &old, "test", Utc::now()).await.unwrap();
    let due = recouvre_store::cases::detail(store, 7).await.unwrap().breakdown;
    let entry =
        recouvre_store::ledger::Entry {
            booked_on: today(), reference: "à la main", actor: "camille", now: Utc::now()
        };
    let everything = recouvre_domain::case::Breakdown { principal: due.principal, ..Default::default() };
    recouvre_store::ledger::book_write_off(store, 7, None, &everything, &entry).await.unwrap();
    let report = recouvre_store::controls::control_report(store, today()).await.unwrap();
    assert_eq!(report.suspense_by_age[2].items, 1);
    let expected_unapproved = usize::from(due.principal > Money::euros(5_000));
    assert_eq!(report.unapproved_write_offs.len(), expected_unapproved);
    assert!(report.anomalies() >= 1);

    // The day's accounting export balances.
    let lines = recouvre_store::controls::accounting_lines(store, today()).await.unwrap();
    assert!(!lines.is_empty());
    assert_eq!(lines.iter().map(|line| line.amount_cents).sum::<i64>(), 0);
    let csv = recouvre_store::controls::accounting_csv(&lines);
    assert_eq!(csv.lines().count(), lines.len() + 1);
    assert!(csv.starts_with("date;transaction;case;kind;account;debit;credit;reference\n"));
    // A tampered posting shows up in the controls (tampered as a DBA: the application cannot).
    {
        sql::query("UPDATE ledger_postings SET amount_cents = amount_cents - 1 WHERE id = (SELECT MAX(id) FROM ledger_postings)")
            .execute(&app.db.dba().await)
            .await
            .unwrap();
    };
    let tampered = recouvre_store::controls::control_report(store, today()).await.unwrap();
    assert_eq!(tampered.ledger.unbalanced_transactions.len(), 1);
    // The page shows it to accounting control.
    app.db.user("marc", Role::AccountingControl, "correct-horse-battery").await;
    let browser = app.login("marc", "correct-horse-battery").await;
    let page = browser.get(app.url("/controles")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("anomalie(s) à examiner"), "{page}");
    assert!(page.contains("Rapprochement du"));
}
