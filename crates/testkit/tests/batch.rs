//! The nightly run (`recouvre_store::batch`), on the engine under test: interest exact and
//! booked once, deadlines announced once, the daily snapshot reconciling with the cases, and
//! the same final state whether the run is done in one go, interrupted and rerun, or shared.
//! The `kill -9` test of the real binary is in crates/cli/tests/cli.rs.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDate, Utc};
use recouvre_domain::accrual::{accrue, RateRule};
use recouvre_domain::portfolio::{self, PortfolioSpec};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::Money;
use recouvre_store::batch::{self, RunOptions, Silent};
use recouvre_store::{on_engine, Store};
use recouvre_testkit::{today, TestDb};
use rust_decimal_macros::dec;

const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;contractual_rate";

async fn run(store: &Store, options: &RunOptions) -> (batch::RunTotals, batch::ProcessReport) {
    batch::run(store, options, Arc::new(ReferenceData::embedded()), Arc::new(Silent)).await.unwrap()
}

#[tokio::test]
async fn interest_is_booked_once_per_day_and_days_without_a_rate_are_held() {
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
    let (first, _) = run(&db.store, &RunOptions::new(middle)).await;
    assert!(first.finished);
    assert_eq!(first.cases_seen, 2);
    let (rerun, rerun_report) = run(&db.store, &RunOptions::new(middle)).await;
    assert_eq!(rerun, first, "a rerun for the same date changes nothing");
    assert_eq!(rerun_report.chunks_done_here, 0);
    let (second, second_report) = run(&db.store, &RunOptions::new(today())).await;
    // Contractual case: 10 000 € at 5 % over the whole period, within a cent per run.
    let expected =
        accrue(|_| Money::euros(10_000), start, today(), RateRule::Contractual(dec!(5)), &reference).interest;
    let contractual = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    let accrued = contractual.breakdown.contractual_interest;
    assert!((accrued.cents() - expected.cents()).abs() <= 1, "accrued {accrued}, expected {expected}");
    let statutory = recouvre_store::cases::detail(&db.store, 2).await.unwrap();
    assert_eq!(first.interest + second.interest, accrued + statutory.breakdown.statutory_interest);
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    assert_eq!(events.iter().filter(|event| event.kind == "interest_accrued").count(), 2);
    // Statutory case: a semester whose rate is not in the embedded data is held, never guessed.
    let covered = reference.statutory_rates_known_until().unwrap();
    if today() > covered {
        assert!(second.cases_held >= 1);
        assert!(second_report.first_held_day.is_some_and(|day| day > start));
    }
    assert!(recouvre_store::ledger::check(&db.store).await.unwrap().is_clean());
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}

/// A portfolio of `cases` cases opened over the last years, one officer, a few legal deadlines.
async fn portfolio_db(cases: usize) -> TestDb {
    let db = TestDb::new().await;
    let officer = db.user("camille", recouvre_domain::authority::Role::Officer, "pw-camille-1").await;
    let spec = PortfolioSpec { cases, seed: 7, today: today(), officers: vec!["camille".to_string()] };
    let generated: Vec<_> = portfolio::generate(&spec).collect();
    recouvre_store::cases::open_many(&db.store, &generated, "system:seed", Utc::now()).await.unwrap();
    on_engine!(db.store, |pool| {
        // Three legal deadlines: due in 5 days (warned 7 days before), in 40 days (not yet), and
        // one already past.
        for (case_id, days_ahead) in [(3_i64, 5_i64), (4, 40), (5, -2)] {
            sqlx::query(
                "INSERT INTO agenda_items (case_id, kind, code, label, due_on, legal_basis, warn_days, status, created_at) \
                 VALUES ($1, 'deadline', 'test', 'Délai d''opposition', $2, 'CPC 1416', 7, 'open', $3)",
            )
            .bind(case_id)
            .bind(today() + Duration::days(days_ahead))
            .bind(Utc::now())
            .execute(pool)
            .await
            .unwrap();
        }
    });
    let _ = officer;
    db
}

fn options(as_of: NaiveDate, chunk_cases: i64, process: &str) -> RunOptions {
    RunOptions {
        chunk_cases,
        lease: StdDuration::from_millis(300),
        workers: 2,
        process_name: process.to_string(),
        ..RunOptions::new(as_of)
    }
}

#[tokio::test]
async fn deadlines_are_announced_once_and_the_snapshot_reconciles_with_the_cases() {
    let db = portfolio_db(60).await;
    let (totals, report) = run(&db.store, &options(today(), 16, "a")).await;
    assert!(totals.finished && report.finished_here);
    assert_eq!(totals.chunks, 4);
    assert_eq!(totals.warnings_raised, 2, "the deadline in 5 days and the one past, not the one in 40 days");
    let warnings: Vec<_> = recouvre_store::journal::events(&db.store, 3)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == "deadline_warning")
        .collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].payload.contains("\"days_left\":5"), "{}", warnings[0].payload);

    // The snapshot: every open case once, with what the case list shows it owes.
    let lines = batch::snapshot(&db.store, today()).await.unwrap();
    let (open_cases, open_cents): (i64, i64) = on_engine!(db.store, |pool| sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM cases WHERE status <> 'closed'"
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(lines.iter().map(|line| line.cases).sum::<i64>(), open_cases);
    assert_eq!(lines.iter().map(|line| line.outstanding_cents).sum::<i64>(), open_cents);
    assert_eq!(lines.iter().map(|line| line.interest_cents).sum::<i64>(), totals.interest.cents());

    // The next day: nothing announced twice.
    let (next, _) = run(&db.store, &options(today() + Duration::days(1), 16, "a")).await;
    assert_eq!(next.warnings_raised, 0);
    assert!(recouvre_store::ledger::check(&db.store).await.unwrap().is_clean());
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}

#[tokio::test]
async fn an_interrupted_or_shared_run_ends_as_a_clean_run() {
    // Three databases with the same portfolio: a clean run; a run whose process dies with a
    // chunk claimed and another half written, then is rerun; two processes sharing the run.
    let clean = portfolio_db(90).await;
    let interrupted = portfolio_db(90).await;
    let shared = portfolio_db(90).await;
    assert_eq!(
        recouvre_testkit::batch_state(&clean.store).await.lines().nth(2),
        recouvre_testkit::batch_state(&interrupted.store).await.lines().nth(2)
    );
    // Seeding books the claims today: a month later, their interest has run.
    let as_of = today() + Duration::days(30);

    run(&clean.store, &options(as_of, 20, "clean")).await;

    // The dying process: it prepares the run and claims two chunks, then dies (a process killed
    // inside a chunk's transaction leaves the same: its transaction is rolled back; the real
    // `kill -9` is tested in crates/cli/tests/cli.rs).
    batch::prepare(&interrupted.store, as_of, 20, Utc::now()).await.unwrap();
    let lease = StdDuration::from_millis(300);
    let abandoned = batch::claim(&interrupted.store, as_of, "dead:1", lease, Utc::now()).await.unwrap().unwrap();
    let second = batch::claim(&interrupted.store, as_of, "dead:1", lease, Utc::now()).await.unwrap().unwrap();
    assert_ne!(abandoned.chunk_no, second.chunk_no);
    let (totals, report) = run(&interrupted.store, &options(as_of, 20, "rerun")).await;
    assert!(totals.finished && report.finished_here);
    assert_eq!(
        report.chunks_done_here as i64, totals.chunks,
        "the rerun does every chunk, the abandoned ones once their lease ran out"
    );

    // Two processes at once.
    let (left_options, right_options) = (options(as_of, 20, "left"), options(as_of, 20, "right"));
    let (left, right) = tokio::join!(run(&shared.store, &left_options), run(&shared.store, &right_options));
    assert_eq!((left.1.chunks_done_here + right.1.chunks_done_here) as i64, left.0.chunks);
    assert_eq!(u64::from(left.1.finished_here) + u64::from(right.1.finished_here), 1);

    let expected = recouvre_testkit::batch_state(&clean.store).await;
    assert!(expected.contains("interest_accrued"));
    assert_eq!(recouvre_testkit::batch_state(&interrupted.store).await, expected);
    assert_eq!(recouvre_testkit::batch_state(&shared.store).await, expected);
    for db in [&clean, &interrupted, &shared] {
        assert!(recouvre_store::ledger::check(&db.store).await.unwrap().is_clean());
        assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
    }
}
