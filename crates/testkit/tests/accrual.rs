//! The nightly interest accrual, on the engine under test: exact, idempotent, held without a rate.

use chrono::{Duration, Utc};
use recouvre_domain::accrual::{accrue, RateRule};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::Money;
use recouvre_store::on_engine;
use recouvre_testkit::{today, TestDb};
use rust_decimal_macros::dec;

const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;contractual_rate";

#[tokio::test]
async fn accrual_books_each_day_once_and_holds_days_without_a_rate() {
    let db = TestDb::new().await;
    let start = today() - Duration::days(40);
    let file = format!(
        "{HEADER}\nC1;Durand;Luc;1 rue;69001;Lyon;personal_loan;PP-1;10000.00;{start};5,00\nC2;Petit;Ana;2 rue;69001;Lyon;overdraft;00011;3650.00;{start};\n"
    );
    recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now()).await.unwrap();
    on_engine!(db.store, |pool| {
        sqlx::query("UPDATE cases SET opened_on = $1").bind(start).execute(pool).await.unwrap();
        sqlx::query("UPDATE ledger_transactions SET booked_on = $1").bind(start).execute(pool).await.unwrap();
    });
    let reference = ReferenceData::embedded();
    let middle = today() - Duration::days(10);
    let first = recouvre_store::accrual::run(&db.store, middle, &reference, "system:batch", Utc::now()).await.unwrap();
    let rerun = recouvre_store::accrual::run(&db.store, middle, &reference, "system:batch", Utc::now()).await.unwrap();
    assert_eq!((rerun.cases_accrued, rerun.interest), (0, Money::ZERO), "a rerun for the same date books nothing");
    let second =
        recouvre_store::accrual::run(&db.store, today(), &reference, "system:batch", Utc::now()).await.unwrap();
    // Contractual case: 10 000 € at 5 % over the whole period, within a cent per run.
    let expected =
        accrue(|_| Money::euros(10_000), start, today(), RateRule::Contractual(dec!(5)), &reference).interest;
    let contractual = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    let accrued = contractual.breakdown.contractual_interest;
    assert!((accrued.cents() - expected.cents()).abs() <= 1, "accrued {accrued}, expected {expected}");
    assert_eq!(first.interest + second.interest, accrued);
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    assert_eq!(events.iter().filter(|event| event.kind == "interest_accrued").count(), 2);
    // Statutory case: the rate of the current semester is not in the embedded data (2026-2
    // onwards): held, never guessed, and reported.
    let statutory = recouvre_store::cases::detail(&db.store, 2).await.unwrap();
    let covered = reference.statutory_rates_known_until().unwrap();
    if start >= covered {
        assert_eq!(statutory.breakdown.statutory_interest, Money::ZERO);
        assert!(second.held.iter().any(|(case_id, held_from)| *case_id == 2 && *held_from > start));
    }
    assert!(recouvre_store::ledger::check(&db.store).await.unwrap().is_clean());
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}
