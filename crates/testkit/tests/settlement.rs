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

/// A case of 10 000 € at 5 % opened `days` ago (its opening entries booked that day), whose
/// interest is not booked yet.
async fn case_accruing_since(db: &TestDb, days: i64) -> chrono::NaiveDate {
    let start = today() - Duration::days(days);
    let file = format!("{HEADER}\nC1;Durand;Luc;1 rue;69001;Lyon;personal_loan;PP-1;10000.00;{start};5,00\n");
    recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now()).await.unwrap();
    sql::query("UPDATE cases SET opened_on = $1").bind(start).execute(&db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1").bind(start).execute(&db.dba().await).await.unwrap();
    start
}

/// The kinds of the case's journal, oldest first, and the interest events' payloads.
async fn journal(db: &TestDb) -> (Vec<String>, Vec<String>) {
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    let interest = events.iter().filter(|event| event.kind == "interest_accrued").map(|event| event.payload.clone());
    (events.iter().map(|event| event.kind.clone()).collect(), interest.collect())
}

/// A direct-debit collection is allocated over the balance settled to its collection date: the
/// interest accrued to that day is booked first and paid first (C. civ. 1343-1).
#[tokio::test]
async fn a_direct_debit_collection_is_allocated_after_the_interest_to_its_date_is_booked() {
    let db = TestDb::new().await;
    case_accruing_since(&db, 40).await;
    let app = recouvre_testkit::app_on(&db.store).await;
    // Past the 14 days of pre-notification the plan's schedule gives (docs/formats/direct-debits.md).
    let collection = recouvre_domain::calendar::target2_business_day_on_or_after(today() + chrono::Duration::days(20));
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    recouvre_store::direct_debits::create_plan(
        &db.store,
        1,
        Some(version),
        &[(collection, Money::euros(100))],
        "camille",
        Utc::now(),
    )
    .await
    .unwrap();
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    let mandate = recouvre_store::direct_debits::NewMandate {
        reference: "RUM-SETTLE-01",
        debtor_name: "Luc Durand",
        debtor_iban: "FR7630006000011234567890189",
        debtor_bic: None,
        signed_on: today(),
    };
    let actor = recouvre_app::Actor::system("camille");
    recouvre_app::direct_debits::add_mandate(&app, &actor, 1, version, &mandate).await.unwrap();
    let (kinds, _) = journal(&db).await;
    assert!(!kinds.iter().any(|kind| kind == "interest_accrued"), "nothing booked before the collection");
    let version = recouvre_app::direct_debits::version("02").unwrap();
    let (_, summary) =
        recouvre_app::direct_debits::export(&app, &actor, collection, version).await.unwrap().file.unwrap();
    assert_eq!(summary.count, 1, "{summary:?}");

    let (kinds, interest) = journal(&db).await;
    let collected = kinds.iter().position(|kind| kind == "direct_debit_collected").unwrap();
    let booked = kinds.iter().position(|kind| kind == "interest_accrued").expect("interest booked");
    assert!(booked < collected, "{kinds:?}");
    assert!(interest.iter().all(|payload| payload.contains("\"settled_for\":\"direct_debit\"")), "{interest:?}");
    let after = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(after.breakdown.contractual_interest, Money::ZERO, "the collection paid the interest first");
    assert!(after.breakdown.principal > Money::euros(9_900), "{:?}", after.breakdown);
    assert!(after.breakdown.principal < Money::euros(10_000), "{:?}", after.breakdown);
}

/// A letter (or a court request) validated is drawn from the settled balance: the interest
/// accrued to the day is booked before it is made.
#[tokio::test]
async fn a_letter_is_validated_over_the_balance_settled_to_its_day() {
    let db = TestDb::new().await;
    case_accruing_since(&db, 40).await;
    let app = recouvre_testkit::app_on(&db.store).await;
    let actor = recouvre_app::Actor::system("camille");
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    let input = recouvre_app::letters::LetterInput { kind: "formal_notice".to_string(), ..Default::default() };
    // A preview books nothing (it shows the projection).
    recouvre_app::letters::preview_letter(&app, &actor, 1, &input).await.unwrap();
    assert!(journal(&db).await.1.is_empty());
    let validated = recouvre_app::letters::validate_letter(&app, &actor, 1, Some(version), &input).await.unwrap();
    let (kinds, interest) = journal(&db).await;
    let letter = kinds.iter().position(|kind| kind == "document_validated").unwrap();
    let booked = kinds.iter().position(|kind| kind == "interest_accrued").expect("interest booked");
    assert!(booked < letter, "{kinds:?}");
    assert!(interest.iter().all(|payload| payload.contains("\"settled_for\":\"letter\"")), "{interest:?}");
    let after = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert!(after.breakdown.contractual_interest.is_positive());
    assert_eq!(validated.case_version, after.version);
}
