//! The nightly run (`recouvre_store::batch`), on the engine under test: interest exact and
//! booked once, deadlines announced once, the daily snapshot reconciling with the cases, and
//! the same final state whether the run is done in one go, interrupted and rerun, or shared.
//! The `kill -9` test of the real binary is in crates/cli/tests/cli.rs.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDate, Utc};
use recouvre_demo::portfolio::{self, PortfolioSpec};
use recouvre_domain::accrual::{accrue, RateRule};
use recouvre_domain::claim_interest::month_end;
use recouvre_domain::reference::{ReferenceData, Semester};
use recouvre_domain::Money;
use recouvre_store::batch::{self, RunOptions, Silent};
use recouvre_store::{sql, Store};
use recouvre_testkit::{today, TestDb};
use rust_decimal_macros::dec;

const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;contractual_rate";

async fn run(store: &Store, options: &RunOptions) -> (batch::RunTotals, batch::ProcessReport) {
    batch::run(store, options, Arc::new(ReferenceData::embedded()), Arc::new(Silent)).await.unwrap()
}

/// Makes two processes really share a run: each waits at the start line (once its chunks are
/// known) until the other is there too, and pauses after each chunk it completes, longer than
/// SQLite's busy handler waits between two tries, so that the other's workers get the lock.
struct SideBySide {
    start_line: std::sync::Barrier,
}

// The progress callbacks are synchronous and called on the runtime's workers: they block
// through `block_in_place`, which hands the worker's queued tasks to another thread. A bare
// `Barrier::wait` there can strand the other process's task in the blocked worker's LIFO slot
// (tokio never steals it), and the two processes then wait for each other for ever.
impl batch::Progress for SideBySide {
    fn start(&self, _: u64) {
        tokio::task::block_in_place(|| {
            self.start_line.wait();
        });
    }
    fn chunk_done(&self, _: u64) {
        tokio::task::block_in_place(|| std::thread::sleep(StdDuration::from_millis(150)));
    }
}

/// A formal notice sent on `on` for case `case_id` (the statutory rate runs from it, C. civ. 1231-6).
async fn formal_notice(store: &Store, case_id: i64, on: NaiveDate) {
    let rules = recouvre_store::workflow::rules(store).await.unwrap();
    let actor =
        recouvre_store::approvals::Actor { login: "camille", level: recouvre_domain::authority::DelegationLevel(1) };
    let request = recouvre_store::procedure_steps::StepRequest {
        kind: recouvre_domain::procedure::ProcedureKind::Amicable,
        step: recouvre_domain::procedure::Step::SendFormalNotice,
        on,
        input: recouvre_domain::procedure::StepInput::default(),
        third_party_id: None,
        invoice: Default::default(),
    };
    recouvre_store::procedure_steps::apply_step(store, case_id, None, &request, &rules, actor, Utc::now())
        .await
        .unwrap();
}

/// Issue 18: interest is booked per claim at each month's end (the bank's arrêté), each month
/// rounded once; a night that is not a month end books nothing; a rerun books nothing twice; the
/// statutory rate runs from the formal notice, and days without a statutory rate are held, then
/// caught up exactly once, month by month, when an administrator enters the rate.
#[tokio::test]
async fn interest_is_booked_once_at_each_month_end_and_days_without_a_rate_are_held() {
    let db = TestDb::new().await;
    let start = today() - Duration::days(40);
    let file = format!(
        "{HEADER}\nC1;Durand;Luc;1 rue;69001;Lyon;personal_loan;PP-1;10000.00;{start};5,00\nC2;Petit;Ana;2 rue;69001;Lyon;overdraft;00011;3650.00;{start};\n"
    );
    recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now()).await.unwrap();
    sql::query("UPDATE cases SET opened_on = $1").bind(start).execute(&db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1").bind(start).execute(&db.dba().await).await.unwrap();
    let notice_on = start + Duration::days(1);
    formal_notice(&db.store, 2, notice_on).await;
    let reference = ReferenceData::embedded();
    let first_month_end = month_end(start);
    let middle = first_month_end + Duration::days(5);
    let (first, _) = run(&db.store, &RunOptions::new(middle)).await;
    assert!(first.finished);
    assert_eq!(first.cases_seen, 2);
    let (rerun, rerun_report) = run(&db.store, &RunOptions::new(middle)).await;
    assert_eq!(rerun, first, "a rerun for the same date changes nothing");
    assert_eq!(rerun_report.chunks_done_here, 0);
    // A night that is not a month end, after the month was booked, books nothing.
    let (quiet, _) = run(&db.store, &RunOptions::new(middle + Duration::days(1))).await;
    assert_eq!((quiet.cases_accrued, quiet.entries_booked), (0, 0), "{quiet:?}");
    let (second, _) = run(&db.store, &RunOptions::new(today())).await;
    let second_month_end = month_end(first_month_end + Duration::days(1));
    assert!(second_month_end <= today());
    // Contractual case: 10 000 € at 5 %, each month rounded once (C. consom. L312-38).
    let month = |from: NaiveDate, to: NaiveDate| {
        accrue(|_| Money::euros(10_000), from, to, RateRule::Contractual(dec!(5)), &reference).interest
    };
    let expected = month(start, first_month_end) + month(first_month_end, second_month_end);
    let contractual = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(contractual.breakdown.contractual_interest, expected);
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    assert_eq!(events.iter().filter(|event| event.kind == "interest_accrued").count(), 2);
    let notes: Vec<String> = sql::query_scalar(
        "SELECT reference FROM ledger_transactions WHERE case_id = 1 AND kind = 'accrual' ORDER BY id",
    )
    .fetch_all(&db.store)
    .await
    .unwrap();
    assert_eq!(notes.len(), 2, "one booking per month: {notes:?}");
    // Statutory case: from the formal notice; the second half of 2026 has no rate in the
    // embedded data, so its days are held, never guessed.
    let statutory = recouvre_store::cases::detail(&db.store, 2).await.unwrap();
    let covered = reference.statutory_rates_known_until().unwrap();
    if covered >= notice_on {
        // The embedded data gained the semester since: nothing is held any more.
        assert!(statutory.breakdown.statutory_interest.is_positive());
        return;
    }
    assert_eq!(statutory.breakdown.statutory_interest, Money::ZERO);
    assert_eq!((first.cases_held, second.cases_held), (1, 1));
    assert_eq!(first.interest + second.interest, expected);
    // Once the rate is entered, the next run books the held days, month by month, once.
    let mut completed = reference.clone();
    completed.add_statutory_rate(Semester::new(2026, 2).unwrap(), dec!(6.5), dec!(3.65), "test").unwrap();
    let options = RunOptions::new(today() + Duration::days(1));
    let (caught_up, _) = batch::run(&db.store, &options, Arc::new(completed), Arc::new(Silent)).await.unwrap();
    assert_eq!((caught_up.cases_accrued, caught_up.cases_held), (1, 0), "{caught_up:?}");
    // 3 650 € at 3.65 % is 0.365 € a day: the days after the notice to each month end.
    let day = |from: NaiveDate, to: NaiveDate| (to - from).num_days();
    let per_month = [day(notice_on, first_month_end), day(first_month_end, second_month_end)];
    let expected_statutory: i64 = per_month.iter().map(|days| (days * 365 + 5) / 10).sum();
    let statutory = recouvre_store::cases::detail(&db.store, 2).await.unwrap();
    assert_eq!(statutory.breakdown.statutory_interest, Money::from_cents(expected_statutory), "{per_month:?}");
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
    // Three legal deadlines: due in 5 days (warned 7 days before), in 40 days (not yet), and
    // one already past.
    for (case_id, days_ahead) in [(3_i64, 5_i64), (4, 40), (5, -2)] {
        sql::query(
            "INSERT INTO agenda_items (case_id, kind, code, label, due_on, legal_basis, warn_days, status, created_at) \
             VALUES ($1, 'deadline', 'test', 'Délai d''opposition', $2, 'CPC 1416', 7, 'open', $3)",
        )
        .bind(case_id)
        .bind(today() + Duration::days(days_ahead))
        .bind(Utc::now())
        .execute(&db.store)
        .await
        .unwrap();
    }
    // The strategy engine advised on the first cases; a fact then changed on case 2 (its
    // debtor died), so the night revises its advice there.
    let rules = recouvre_store::workflow::rules(&db.store).await.unwrap();
    for case_id in 1..=6 {
        recouvre_store::workflow::reevaluate(&db.store, case_id, &rules, "system:strategy", Utc::now()).await.unwrap();
    }
    sql::query("UPDATE persons SET deceased_on = $1 WHERE id = (SELECT debtor_id FROM cases WHERE id = 2)")
        .bind(today() - Duration::days(1))
        .execute(&db.store)
        .await
        .unwrap();
    let _ = officer;
    db
}

fn options(as_of: NaiveDate, chunk_cases: i64, process: &str) -> RunOptions {
    RunOptions {
        chunk_cases,
        // Long enough that a worker slowed down by a loaded machine keeps its chunk; the
        // abandoned chunks of a dead process are claimed with their own short lease below.
        lease: StdDuration::from_secs(5),
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
    let (open_cases, open_cents): (i64, i64) = sql::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM cases WHERE status <> 'closed'",
    )
    .fetch_one(&db.store)
    .await
    .unwrap();
    assert_eq!(lines.iter().map(|line| line.cases).sum::<i64>(), open_cases);
    assert_eq!(lines.iter().map(|line| line.outstanding_cents).sum::<i64>(), open_cents);
    assert_eq!(lines.iter().map(|line| line.interest_cents).sum::<i64>(), totals.interest.cents());

    // The next day: nothing announced twice.
    let (next, _) = run(&db.store, &options(today() + Duration::days(1), 16, "a")).await;
    assert_eq!(next.warnings_raised, 0);
    assert!(recouvre_store::ledger::check(&db.store).await.unwrap().is_clean());
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}

/// The agenda read from the officers' cases (SQLite, few cases) or along the open items' dates
/// (many cases, and PostgreSQL) lists the same items in the same order.
#[tokio::test]
async fn the_agenda_is_the_same_read_from_the_cases_or_along_the_dates() {
    let db = portfolio_db(60).await;
    run(&db.store, &options(today(), 16, "a")).await;
    let officer: i64 =
        sql::query_scalar("SELECT id FROM users WHERE login = 'camille'").fetch_one(&db.store).await.unwrap();
    let until = today() + Duration::days(400);
    for officers in [vec![officer], vec![officer + 1_000], vec![officer + 1_000, officer]] {
        let mut whole = Vec::new();
        for limit in [500, 3] {
            let from_cases =
                recouvre_store::workflow::agenda_planned(&db.store, &officers, until, limit, i64::MAX).await.unwrap();
            let by_date =
                recouvre_store::workflow::agenda_planned(&db.store, &officers, until, limit, 0).await.unwrap();
            assert_eq!(from_cases, by_date, "officers {officers:?}, limit {limit}");
            if limit == 500 {
                whole = by_date;
            } else {
                assert_eq!(from_cases, whole.iter().take(3).cloned().collect::<Vec<_>>(), "the earliest three");
            }
        }
        if officers.contains(&officer) {
            assert!(whole.len() > 3, "the run announced deadlines and time bars: {}", whole.len());
            assert!(whole.windows(2).all(|pair| (pair[0].due_on, pair[0].id) <= (pair[1].due_on, pair[1].id)));
        } else {
            assert!(whole.is_empty(), "an officer with no case has an empty agenda");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
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

    // Two processes at once, each on its own runtime thread.
    let side_by_side = Arc::new(SideBySide { start_line: std::sync::Barrier::new(2) });
    let process = |name: &str| {
        let (store, options, progress) = (shared.store.clone(), options(as_of, 20, name), side_by_side.clone());
        tokio::spawn(async move {
            batch::run(&store, &options, Arc::new(ReferenceData::embedded()), progress).await.unwrap()
        })
    };
    let (left, right) = (process("left"), process("right"));
    let (left, right) = (left.await.unwrap(), right.await.unwrap());
    assert_eq!((left.1.chunks_done_here + right.1.chunks_done_here) as i64, left.0.chunks);
    assert_eq!(u64::from(left.1.finished_here) + u64::from(right.1.finished_here), 1);
    // Both did work, as `batch_chunks` records it (`done_by` is `process:worker`).
    let done_by: Vec<(String, i64)> = sql::query_as(
        "SELECT done_by, CAST(COUNT(*) AS BIGINT) FROM batch_chunks WHERE as_of = $1 GROUP BY done_by ORDER BY done_by",
    )
    .bind(as_of)
    .fetch_all(&shared.store)
    .await
    .unwrap();
    for (name, report) in [("left", &left.1), ("right", &right.1)] {
        let recorded: i64 =
            done_by.iter().filter(|(by, _)| by.starts_with(&format!("{name}:"))).map(|(_, chunks)| chunks).sum();
        assert!(recorded >= 1, "the {name} process did no chunk: {done_by:?}");
        assert_eq!(recorded, report.chunks_done_here as i64, "{name}: {done_by:?}");
    }

    let expected = recouvre_testkit::batch_state(&clean.store).await;
    assert!(expected.contains("interest_accrued"));
    let (clean_totals, _) = run(&clean.store, &options(as_of, 20, "clean")).await;
    assert!(clean_totals.strategies_revised >= 1, "{clean_totals:?}");
    assert!(clean_totals.time_bar_warnings >= 1, "{clean_totals:?}");
    assert!(expected.contains("strategy_recommended") && expected.contains("_warning"));
    for db in [&interrupted, &shared] {
        assert_eq!(run(&db.store, &options(as_of, 20, "check")).await.0, clean_totals);
    }
    assert_eq!(recouvre_testkit::batch_state(&interrupted.store).await, expected);
    assert_eq!(recouvre_testkit::batch_state(&shared.store).await, expected);
    for db in [&clean, &interrupted, &shared] {
        assert!(recouvre_store::ledger::check(&db.store).await.unwrap().is_clean());
        assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
    }
}

/// Cases imported today with a 5 % contractual rate (no statutory rate needed on any date), one
/// line per (contract reference, nature, due date).
async fn cases_db(lines: &[(&str, &str, NaiveDate)]) -> TestDb {
    let db = TestDb::new().await;
    let mut file = HEADER.to_string();
    for (index, (contract, nature, due_on)) in lines.iter().enumerate() {
        file.push_str(&format!(
            "\nC{index};Nom{index};Prénom;{index} rue;69001;Lyon;{nature};{contract};5000.00;{due_on};5,00"
        ));
    }
    file.push('\n');
    recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now()).await.unwrap();
    db
}

fn events_of_kind(events: &[recouvre_domain::journal::JournalEvent], kind: &str) -> Vec<String> {
    events.iter().filter(|event| event.kind == kind).map(|event| event.payload.clone()).collect()
}

/// (code, due on, warn days, status, warned on, expired on) of a case's agenda deadlines.
type AgendaLine = (String, NaiveDate, i64, String, Option<NaiveDate>, Option<NaiveDate>);

async fn deadlines_of(store: &Store, case_id: i64) -> Vec<AgendaLine> {
    sql::query_as(
        "SELECT code, due_on, warn_days, status, warned_on, expired_on FROM agenda_items \
         WHERE case_id = $1 AND kind = 'deadline' ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(store)
    .await
    .unwrap()
}

#[tokio::test]
async fn foreclosure_coming_is_announced_once_per_threshold_even_rerun_or_resumed() {
    let as_of = today();
    // Case 1: first unregularised incident such that foreclosure (24 months later, C. consom.
    // R312-35) falls about 25 days after the run; the claim fell due later, so its limitation
    // (2 years from the due date) is months away. Case 2: foreclosure about 85 days away.
    let target = as_of + Duration::days(25);
    let incident = target.checked_sub_months(chrono::Months::new(24)).unwrap();
    let foreclosure = recouvre_domain::calendar::add_months_clamped(incident, 24);
    let days_left = (foreclosure - as_of).num_days();
    assert!((23..=27).contains(&days_left));
    let incident_2 = (as_of + Duration::days(85)).checked_sub_months(chrono::Months::new(24)).unwrap();
    let foreclosure_2 = recouvre_domain::calendar::add_months_clamped(incident_2, 24);
    let db = cases_db(&[
        ("PP-1", "personal_loan", incident + Duration::days(200)),
        ("PP-2", "personal_loan", incident_2 + Duration::days(200)),
    ])
    .await;
    for (case_id, first) in [(1_i64, incident), (2, incident_2)] {
        sql::query("UPDATE claims SET first_incident_on = $2 WHERE case_id = $1")
            .bind(case_id)
            .bind(first)
            .execute(&db.store)
            .await
            .unwrap();
        // A correction outside the application: its stored time bars are re-derived by hand.
        recouvre_store::time_bar_states::refresh(&db.store, case_id, Utc::now()).await.unwrap();
    }

    // A process prepares the run, claims the only chunk and dies; the rerun does the chunk once
    // its lease ran out.
    batch::prepare(&db.store, as_of, 20, Utc::now()).await.unwrap();
    let lease = StdDuration::from_millis(300);
    batch::claim(&db.store, as_of, "dead:1", lease, Utc::now()).await.unwrap().unwrap();
    let (first, report) = run(&db.store, &options(as_of, 20, "rerun")).await;
    assert!(first.finished && report.chunks_done_here == 1);
    assert_eq!(first.time_bar_warnings, 2, "case 1 at 30 days, case 2 at 90 days: {first:?}");
    let (again, _) = run(&db.store, &options(as_of, 20, "again")).await;
    assert_eq!(again, first, "a rerun of the same date changes nothing");
    let (next_day, _) = run(&db.store, &options(as_of + Duration::days(1), 20, "a")).await;
    assert_eq!(next_day.time_bar_warnings, 0);

    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    let warnings = events_of_kind(&events, "foreclosure_warning");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(&format!("\"days_left\":{days_left}")), "{}", warnings[0]);
    assert!(warnings[0].contains("\"threshold_days\":30"), "found inside both thresholds: once, at 30");
    assert!(events_of_kind(&events, "limitation_warning").is_empty(), "the limitation is months away");
    let agenda = deadlines_of(&db.store, 1).await;
    assert_eq!(agenda, vec![("foreclosure".to_string(), foreclosure, 30, "open".to_string(), Some(as_of), None)]);

    // Case 2: announced at 90 days, then at 30 days when it comes (the 90-day line replaced).
    let at_30 = foreclosure_2 - Duration::days(30);
    let (later, _) = run(&db.store, &options(at_30, 20, "a")).await;
    assert_eq!(later.time_bar_warnings, 1);
    let (later_rerun, _) = run(&db.store, &options(at_30 + Duration::days(1), 20, "a")).await;
    assert_eq!(later_rerun.time_bar_warnings, 0);
    let events_2 = recouvre_store::journal::events(&db.store, 2).await.unwrap();
    let warnings_2 = events_of_kind(&events_2, "foreclosure_warning");
    assert_eq!(warnings_2.len(), 2);
    assert!(warnings_2[0].contains("\"threshold_days\":90") && warnings_2[1].contains("\"threshold_days\":30"));
    let agenda_2 = deadlines_of(&db.store, 2).await;
    assert_eq!(
        agenda_2,
        vec![
            ("foreclosure".to_string(), foreclosure_2, 90, "cancelled".to_string(), Some(as_of), None),
            ("foreclosure".to_string(), foreclosure_2, 30, "open".to_string(), Some(at_30), None),
        ]
    );
    assert_eq!(
        events_of_kind(&recouvre_store::journal::events(&db.store, 1).await.unwrap(), "foreclosure_warning").len(),
        1
    );
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}

#[tokio::test]
async fn an_agency_mandate_ending_is_announced_once_then_flagged_once_expired() {
    let as_of = today();
    let db = cases_db(&[("PP-1", "overdraft", as_of - Duration::days(60))]).await;
    let rules = recouvre_store::workflow::rules(&db.store).await.unwrap();
    let actor =
        recouvre_store::approvals::Actor { login: "camille", level: recouvre_domain::authority::DelegationLevel(3) };
    // Placed with an agency for the policy's mandate (6 months), which ends in about 5 days.
    let placed_on = (as_of + Duration::days(5)).checked_sub_months(chrono::Months::new(6)).unwrap();
    let request = recouvre_store::procedure_steps::StepRequest {
        kind: recouvre_domain::procedure::ProcedureKind::Agency,
        step: recouvre_domain::procedure::Step::PlaceWithAgency,
        on: placed_on,
        input: recouvre_domain::procedure::StepInput::default(),
        third_party_id: None,
        invoice: Default::default(),
    };
    recouvre_store::procedure_steps::apply_step(&db.store, 1, None, &request, &rules, actor, Utc::now()).await.unwrap();
    let mandate: Vec<_> =
        deadlines_of(&db.store, 1).await.into_iter().filter(|line| line.0 == "agency_mandate_end").collect();
    assert_eq!(mandate.len(), 1);
    let ends_on = mandate[0].1;
    assert!(ends_on > as_of && ends_on - as_of <= Duration::days(mandate[0].2), "{mandate:?}");

    let (first, _) = run(&db.store, &options(as_of, 20, "a")).await;
    assert_eq!((first.mandate_warnings, first.mandates_expired), (1, 0));
    let (rerun, _) = run(&db.store, &options(as_of, 20, "b")).await;
    assert_eq!(rerun, first);
    let (next, _) = run(&db.store, &options(as_of + Duration::days(1), 20, "a")).await;
    assert_eq!((next.mandate_warnings, next.mandates_expired), (0, 0));
    // The day after its end: flagged once.
    let (expired, _) = run(&db.store, &options(ends_on + Duration::days(1), 20, "a")).await;
    assert_eq!((expired.mandate_warnings, expired.mandates_expired), (0, 1));
    let (after, _) = run(&db.store, &options(ends_on + Duration::days(2), 20, "a")).await;
    assert_eq!((after.mandate_warnings, after.mandates_expired), (0, 0));

    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    let warned = events_of_kind(&events, "deadline_warning");
    assert_eq!(warned.len(), 1);
    assert!(warned[0].contains("Mandat de recouvrement"), "{}", warned[0]);
    let flagged = events_of_kind(&events, "agency_mandate_expired");
    assert_eq!(flagged.len(), 1);
    assert!(flagged[0].contains("\"days_past\":1"), "{}", flagged[0]);
    let mandate: Vec<_> =
        deadlines_of(&db.store, 1).await.into_iter().filter(|line| line.0 == "agency_mandate_end").collect();
    assert_eq!(mandate[0].4, Some(as_of));
    assert_eq!(mandate[0].5, Some(ends_on + Duration::days(1)));
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}

#[tokio::test]
async fn the_strategy_is_revised_where_the_advice_changed_and_only_there() {
    let as_of = today();
    let due_on = as_of - Duration::days(40);
    let db = cases_db(&[("PP-1", "personal_loan", due_on), ("PP-2", "personal_loan", due_on)]).await;
    let rules = recouvre_store::workflow::rules(&db.store).await.unwrap();
    for case_id in [1, 2] {
        recouvre_store::workflow::reevaluate(&db.store, case_id, &rules, "system:strategy", Utc::now()).await.unwrap();
    }
    let mut rows = Vec::new();
    for case_id in [1, 2] {
        rows.push(recouvre_store::workflow::latest_recommendation(&db.store, case_id).await.unwrap().unwrap());
    }
    let before: Vec<_> = rows;
    // A fact changes on case 1: its debtor died (recorded from the civil status). Case 2 changes
    // in nothing (its interest is booked at the month's end, not tonight).
    {
        sql::query("UPDATE persons SET deceased_on = $1 WHERE id = (SELECT debtor_id FROM cases WHERE id = 1)")
            .bind(as_of - Duration::days(3))
            .execute(&db.store)
            .await
            .unwrap();
    };
    let next_day = as_of + Duration::days(1);
    let (totals, _) = run(&db.store, &options(next_day, 20, "a")).await;
    assert_eq!(totals.strategies_revised, 1, "{totals:?}");
    assert_eq!(totals.cases_accrued, 0, "not a month end: no interest booked");

    let revised = recouvre_store::workflow::latest_recommendation(&db.store, 1).await.unwrap().unwrap();
    assert_ne!(revised.id, before[0].id);
    assert_eq!(revised.strategy, "estate_claim", "{revised:?}");
    assert_eq!(revised.status, "proposed");
    let statuses: Vec<String> = sql::query_scalar("SELECT status FROM recommendations WHERE case_id = 1 ORDER BY id")
        .fetch_all(&db.store)
        .await
        .unwrap();
    assert_eq!(statuses, vec!["superseded".to_string(), "proposed".to_string()]);
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    let revised_events = events_of_kind(&events, "strategy_recommended");
    assert_eq!(revised_events.len(), 2, "the officer-time evaluation, then the night's");
    assert!(revised_events[1].contains(&format!("\"evaluated_on\":\"{next_day}\"")), "{}", revised_events[1]);
    // The new advice's actions replace the old ones in the agenda.
    let actions: Vec<(String, String)> =
        sql::query_as("SELECT code, status FROM agenda_items WHERE case_id = 1 AND kind = 'action' ORDER BY id")
            .fetch_all(&db.store)
            .await
            .unwrap();
    let open: Vec<&str> =
        actions.iter().filter(|(_, status)| status == "open").map(|(code, _)| code.as_str()).collect();
    assert_eq!(open, ["stop_debtor_collection", "identify_notary", "declare_to_estate"], "{actions:?}");
    assert!(actions.iter().filter(|(_, status)| status != "open").all(|(_, status)| status == "cancelled"));

    let unchanged = recouvre_store::workflow::latest_recommendation(&db.store, 2).await.unwrap().unwrap();
    assert_eq!(unchanged, before[1]);
    assert_eq!(
        events_of_kind(&recouvre_store::journal::events(&db.store, 2).await.unwrap(), "strategy_recommended").len(),
        1
    );

    // The next night: the advice stands on both, nothing new.
    let (again, _) = run(&db.store, &options(next_day + Duration::days(1), 20, "a")).await;
    assert_eq!(again.strategies_revised, 0);
    assert!(recouvre_store::journal::verify_all(&db.store).await.unwrap().first_break.is_none());
}

/// Cut-offs (issue 18): a late run for yesterday describes yesterday — it counts no money booked
/// today and no case opened today; today's run then counts both, once.
#[tokio::test]
async fn a_late_run_for_yesterday_counts_nothing_of_today() {
    let db = TestDb::new().await;
    let long_ago = today() - Duration::days(40);
    let file = format!(
        "{HEADER}\nC1;Durand;Luc;1 rue;69001;Lyon;personal_loan;PP-1;10000.00;{long_ago};5,00\nC2;Petit;Ana;2 rue;69001;Lyon;overdraft;00011;3650.00;{long_ago};\n"
    );
    recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now()).await.unwrap();
    // The first case came in forty days ago; the second today, its opening booked today.
    sql::query("UPDATE cases SET opened_on = $1 WHERE id = 1").bind(long_ago).execute(&db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1 WHERE case_id = 1")
        .bind(long_ago)
        .execute(&db.dba().await)
        .await
        .unwrap();
    sql::query("UPDATE cases SET opened_on = $1 WHERE id = 2").bind(today()).execute(&db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1 WHERE case_id = 2")
        .bind(today())
        .execute(&db.dba().await)
        .await
        .unwrap();
    let yesterday = today() - Duration::days(1);
    // The debit side of the openings a day's flows count (each opening debits the receivable by
    // the claim's principal).
    let openings_on = |flows: &[(NaiveDate, recouvre_domain::committee::FlowLine)], on: NaiveDate| {
        flows
            .iter()
            .filter(|(as_of, line)| *as_of == on && line.kind == "opening")
            .fold(Money::ZERO, |sum, (_, line)| sum + line.debits)
    };

    run(&db.store, &RunOptions::new(yesterday)).await;
    let snapshot = batch::snapshot(&db.store, yesterday).await.unwrap();
    assert_eq!(snapshot.iter().map(|line| line.cases).sum::<i64>(), 1, "the case opened today is not in yesterday's");
    let flows = recouvre_store::committee::daily_flows(&db.store, long_ago, today()).await.unwrap();
    assert_eq!(openings_on(&flows, yesterday), Money::euros(10_000), "only the first case's opening: {flows:?}");

    run(&db.store, &RunOptions::new(today())).await;
    let snapshot = batch::snapshot(&db.store, today()).await.unwrap();
    assert_eq!(snapshot.iter().map(|line| line.cases).sum::<i64>(), 2);
    let flows = recouvre_store::committee::daily_flows(&db.store, long_ago, today()).await.unwrap();
    assert_eq!(openings_on(&flows, today()), Money::euros(3_650), "today's run counts today's opening: {flows:?}");
    assert_eq!(openings_on(&flows, yesterday), Money::euros(10_000), "and yesterday's stays as it was");
}

/// Cut-offs (issue 18): a day already closed is never rewritten. A rerun of that day (its run's
/// rows deleted) leaves its snapshot and its flows as they were; what was booked since, even
/// dated that day, is counted by the next night.
#[tokio::test]
async fn a_closed_day_is_never_rewritten_by_a_rerun() {
    let db = TestDb::new().await;
    let long_ago = today() - Duration::days(40);
    let yesterday = today() - Duration::days(1);
    let first = format!("{HEADER}\nC1;Durand;Luc;1 rue;69001;Lyon;personal_loan;PP-1;10000.00;{long_ago};5,00\n");
    recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &first, "system:test", Utc::now()).await.unwrap();
    sql::query("UPDATE cases SET opened_on = $1").bind(long_ago).execute(&db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1").bind(long_ago).execute(&db.dba().await).await.unwrap();
    run(&db.store, &RunOptions::new(yesterday)).await;
    let snapshot = batch::snapshot(&db.store, yesterday).await.unwrap();
    let flows_of = |flows: Vec<(NaiveDate, recouvre_domain::committee::FlowLine)>, on: NaiveDate| {
        flows.into_iter().filter(|(as_of, _)| *as_of == on).map(|(_, line)| format!("{line:?}")).collect::<Vec<_>>()
    };
    let flows =
        flows_of(recouvre_store::committee::daily_flows(&db.store, long_ago, today()).await.unwrap(), yesterday);
    assert!(!flows.is_empty());

    // A second case arrives, its opening dated yesterday; yesterday's run is deleted and rerun.
    let second = format!("{HEADER}\nC2;Petit;Ana;2 rue;69001;Lyon;overdraft;00011;3650.00;{long_ago};\n");
    recouvre_store::imports::import_accounts_csv(&db.store, "b.csv", &second, "system:test", Utc::now()).await.unwrap();
    sql::query("UPDATE cases SET opened_on = $1 WHERE id = 2").bind(yesterday).execute(&db.store).await.unwrap();
    sql::query("UPDATE ledger_transactions SET booked_on = $1 WHERE case_id = 2")
        .bind(yesterday)
        .execute(&db.dba().await)
        .await
        .unwrap();
    sql::query("DELETE FROM batch_chunks WHERE as_of = $1").bind(yesterday).execute(&db.store).await.unwrap();
    sql::query("DELETE FROM batch_runs WHERE as_of = $1").bind(yesterday).execute(&db.store).await.unwrap();
    let (rerun, _) = run(&db.store, &RunOptions::new(yesterday)).await;
    assert!(rerun.finished);
    assert_eq!(batch::snapshot(&db.store, yesterday).await.unwrap(), snapshot, "the closed day's snapshot stays");
    let all = recouvre_store::committee::daily_flows(&db.store, long_ago, today()).await.unwrap();
    assert_eq!(flows_of(all, yesterday), flows, "and its flows");

    // Today's night counts the late opening, once.
    run(&db.store, &RunOptions::new(today())).await;
    let all = recouvre_store::committee::daily_flows(&db.store, long_ago, today()).await.unwrap();
    let opened_today: Money = all
        .iter()
        .filter(|(as_of, line)| *as_of == today() && line.kind == "opening")
        .fold(Money::ZERO, |sum, (_, line)| sum + line.debits);
    assert_eq!(opened_today, Money::euros(3_650));
    assert_eq!(batch::snapshot(&db.store, today()).await.unwrap().iter().map(|line| line.cases).sum::<i64>(), 2);
}
