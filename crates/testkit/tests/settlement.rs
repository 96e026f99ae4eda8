//! Interest booked to the day before bulk allocations (issue 18, item 2): a statement's credit,
//! like a payment recorded by hand, is allocated over a settled balance — the interest accrued
//! up to the credit's day is booked first (one shared function, `Tx::settled_balances`, also
//! used by suspense assignments, closings and write-offs).

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use recouvre_domain::accrual::{accrue, RateRule};
use recouvre_domain::claim_interest::month_end;
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::Money;
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::sql;
use recouvre_testkit::{camt053, import_statement, today, StatementCredit, TestDb};
use rust_decimal_macros::dec;

const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;contractual_rate";

/// A credit from the bank's statement pays the interest accrued to its day first (C. civ.
/// 1343-1), as a payment by hand does: without the settlement it would all go to capital.
#[tokio::test]
async fn a_statement_credit_is_allocated_after_the_interest_to_its_day_is_booked() {
    let db = TestDb::new().await;
    let start = today() - Duration::days(40);
    let file = format!("{HEADER}\nC1;Durand;Luc;1 rue;69001;Lyon;personal_loan;PP-1;10000.00;{start};5,00\n");
    recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now()).await.unwrap();
    sql::query("UPDATE cases SET opened_on = $1").bind(start).execute(&db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1").bind(start).execute(&db.dba().await).await.unwrap();
    let case = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    let rf = rf_reference(&case.reference);
    let credit = StatementCredit {
        amount: "100.00",
        payer_name: "DURAND LUC",
        payer_iban: "FR7630006000011234567890189",
        rf_reference: Some(&rf),
        free_text: None,
        bank_reference: "SETTLE-1",
    };
    let outcome = import_statement(&db.store, "releve.xml", camt053("S-1", today(), &[credit]).as_bytes(), "import")
        .await
        .unwrap();
    assert_eq!(outcome.booked, 1, "{outcome:?}");

    // The reference computation: 10 000 € at 5 %, each month (the bank's arrêté) rounded once.
    let reference = ReferenceData::embedded();
    let mut expected = Money::ZERO;
    let mut from = start;
    while from < today() {
        // Each booking period ends at a month's end, or today.
        let end = if month_end(from) > from { month_end(from) } else { month_end(from + Duration::days(1)) };
        let to = end.min(today());
        expected += accrue(|_| Money::euros(10_000), from, to, RateRule::Contractual(dec!(5)), &reference).interest;
        from = to;
    }
    assert!(expected.is_positive());
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    let settled: Vec<_> = events.iter().filter(|event| event.kind == "interest_accrued").collect();
    assert!(!settled.is_empty(), "interest booked before the credit");
    assert!(settled.iter().all(|event| event.payload.contains("\"settled_for\":\"statement\"")), "{settled:?}");
    let paid_at = events.iter().position(|event| event.kind == "payment_booked").unwrap();
    assert!(events.iter().position(|event| event.kind == "interest_accrued").unwrap() < paid_at);
    // The credit paid the interest first, then capital (C. civ. 1343-1).
    let after = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(after.breakdown.contractual_interest, Money::ZERO);
    assert_eq!(after.breakdown.principal, Money::euros(10_000) - (Money::euros(100) - expected));
}
