//! Backups that restore (issue 24, part 5): `recouvre backup` while payments are being written,
//! `recouvre restore` into an empty database (and never into one in use), and the restored
//! database verifies and balances as of the backup's instant. On the engine under test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::{sql, Store};
use recouvre_testkit::{batch_state_of, camt053, today, StatementCredit, TestDb, POSTGRES_ENV, TEST_AUDIT_KEY};

fn recouvre(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(args)
        .env("DATABASE_URL", database)
        .env("RECOUVRE_AUDIT_KEY", TEST_AUDIT_KEY)
        .env("RECOUVRE_LOG", "warn")
        .output()
        .expect("run recouvre")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

async fn statements(store: &Store) -> i64 {
    sql::query_scalar("SELECT COUNT(*) FROM statement_entries").fetch_one(store).await.unwrap()
}

/// (Σ cases' amounts due, Σ credits booked on cases): the case list's projection and the money
/// that reached the cases, which a consistent copy keeps in step.
async fn totals(store: &Store) -> (i64, i64) {
    let due: i64 = sql::query_scalar("SELECT CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM cases")
        .fetch_one(store)
        .await
        .unwrap();
    let booked: i64 = sql::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM statement_entries WHERE case_id IS NOT NULL",
    )
    .fetch_one(store)
    .await
    .unwrap();
    (due, booked)
}

/// An empty database to restore into: a new SQLite file, or a new PostgreSQL database.
async fn empty_target(dir: &std::path::Path, tag: &str) -> String {
    match std::env::var(POSTGRES_ENV) {
        Err(_) => format!("sqlite://{}", dir.join("restored.db").display()),
        Ok(admin_url) => {
            use sqlx::Connection;
            let name = format!("recouvre_restored_{tag}_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
            format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_payments_are_written_restores_verifies_and_balances() {
    let db = TestDb::new().await;
    db.seed(40, &[]).await;
    let (due_at_start, _) = totals(&db.store).await;

    // Payments keep arriving while the backup runs: one statement per case, each all-or-nothing.
    let store = db.store.clone();
    let writer = tokio::spawn(async move {
        for case in 1..=40 {
            let rf = rf_reference(&format!("CTX-{case:07}"));
            let bank_reference = format!("B{case}");
            let credit = StatementCredit {
                amount: "10.00",
                payer_name: "A",
                payer_iban: "DE89370400440532013000",
                rf_reference: Some(&rf),
                free_text: None,
                bank_reference: &bank_reference,
            };
            let xml = camt053(&format!("B-{case}"), today(), &[credit]);
            recouvre_testkit::import_statement(&store, &format!("b{case}.xml"), xml.as_bytes(), "system:test")
                .await
                .unwrap();
        }
    });
    while statements(&db.store).await < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = statements(&db.store).await;
    assert!(before < 40, "the backup starts while payments are still being written");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recouvre.backup");
    let (url, out) = (db.url.clone(), file.display().to_string());
    let backup = tokio::task::spawn_blocking(move || recouvre(&url, &["backup", "--out", &out])).await.unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    writer.await.unwrap();
    let after = statements(&db.store).await;
    assert_eq!(after, 40);

    let target = empty_target(dir.path(), "payments").await;
    let restored = recouvre(&target, &["restore", &file.display().to_string()]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    let again = recouvre(&target, &["restore", &file.display().to_string()]);
    assert!(!again.status.success(), "a restore never goes into a database in use");
    assert!(stderr(&again).contains("n'est pas vide"), "{}", stderr(&again));

    // The copy is one instant: between the statements counted before and after, and its case
    // totals are the opening amounts less exactly the credits it holds.
    let copy = Store::connect(&target).await.unwrap();
    let held = statements(&copy).await;
    assert!(before <= held && held <= after, "{before} ≤ {held} ≤ {after}");
    let (due, booked) = totals(&copy).await;
    assert_eq!(due, due_at_start - booked, "the case list's amounts match the ledger's credits");

    let verified = recouvre(&target, &["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    let controls = recouvre(&target, &["report", "controls", "--format", "json"]);
    assert_eq!(controls.status.code(), Some(0), "no anomaly in the restored ledger: {}", stderr(&controls));
    copy.close().await;
}

async fn chunks_done(store: &Store) -> (i64, i64) {
    sql::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN done_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) FROM batch_chunks",
    )
    .fetch_one(store)
    .await
    .unwrap_or((0, 0))
}

/// The interest the nightly runs booked on the cases (their accruals on the interest accounts).
async fn interest_booked(store: &Store) -> i64 {
    sql::query_scalar(
        "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE t.kind = 'accrual' AND p.case_id IS NOT NULL AND p.account IN ('contractual_interest', 'statutory_interest')",
    )
    .fetch_one(store)
    .await
    .unwrap()
}

/// What the night wrote on the cases outside `paid` (`recouvre_testkit::batch_state_of`). A paid
/// case's night depends on whether its payment came before or after its chunk, so the copy and
/// the original (which received payments the copy never saw) are compared on the others.
async fn night_outside(store: &Store, paid: &[i64]) -> String {
    let state = batch_state_of(store, |case| case.is_some_and(|case| !paid.contains(&case))).await;
    assert!(state.contains("principal"), "the comparison is on something");
    state
}

/// The backup is taken while the nightly run (`recouvre batch`, a child process of the real
/// binary) is between its chunks AND statements are imported; the copy verifies, passes the
/// controls and balances (opening amounts − the credits it holds + the interest it holds); the
/// night rerun on it finishes the date, changes nothing when run again, and leaves the cases no
/// payment touched exactly as the original's own run left them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_the_nightly_run_and_payments_restores_and_its_rerun_finishes_the_night() {
    let db = TestDb::new().await;
    db.seed(1000, &[]).await;
    let (due_at_start, _) = totals(&db.store).await;
    let interest_at_start = interest_booked(&db.store).await;
    // A month on, the interest of the claims opened today has run: the night books it.
    let as_of = (today() + chrono::Duration::days(30)).to_string();
    // The copy holds the chunk the original's worker had claimed, under a process absent from it:
    // the rerun takes it over when its lease runs out, so a short lease keeps the test short.
    let night = ["batch", "--as-of", as_of.as_str(), "--chunk-cases", "10", "--workers", "1", "--lease-seconds", "2"];
    // Payments arrive all night, until the backup is done: one statement at a time, each
    // all-or-nothing, 10 € to one of the first 40 cases in turn.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (store, stopped) = (db.store.clone(), stop.clone());
    let writer = tokio::spawn(async move {
        for n in 1..=400 {
            if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            let rf = rf_reference(&format!("CTX-{:07}", (n - 1) % 40 + 1));
            let bank_reference = format!("N{n}");
            let credit = StatementCredit {
                amount: "10.00",
                payer_name: "A",
                payer_iban: "DE89370400440532013000",
                rf_reference: Some(&rf),
                free_text: None,
                bank_reference: &bank_reference,
            };
            let xml = camt053(&format!("N-{n}"), today(), &[credit]);
            recouvre_testkit::import_statement(&store, &format!("n{n}.xml"), xml.as_bytes(), "system:test")
                .await
                .unwrap();
        }
    });
    while statements(&db.store).await < 1 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut batch = Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(night)
        .env("DATABASE_URL", &db.url)
        .env("RECOUVRE_AUDIT_KEY", TEST_AUDIT_KEY)
        .env("RECOUVRE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start recouvre batch");
    let waiting = std::time::Instant::now();
    while chunks_done(&db.store).await.1 < 1 {
        assert!(waiting.elapsed() < std::time::Duration::from_secs(120), "no chunk done in two minutes");
        if let Some(status) = batch.try_wait().unwrap() {
            let mut message = String::new();
            std::io::Read::read_to_string(batch.stderr.as_mut().unwrap(), &mut message).unwrap();
            panic!("the nightly run ended before its first chunk was seen ({status}): {message}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (chunks, done_before) = chunks_done(&db.store).await;
    let statements_before = statements(&db.store).await;
    assert!(batch.try_wait().unwrap().is_none(), "the nightly run is still running when the backup starts");
    assert!(done_before >= 1 && done_before < chunks, "the backup starts mid-night: {done_before} of {chunks} chunks");
    assert!(!writer.is_finished(), "the backup starts while payments are still being written");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recouvre.backup");
    let (url, out) = (db.url.clone(), file.display().to_string());
    let backup = tokio::task::spawn_blocking(move || recouvre(&url, &["backup", "--out", &out])).await.unwrap();
    assert!(backup.status.success(), "{}", stderr(&backup));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.await.unwrap();
    let after = statements(&db.store).await;
    let finished = tokio::task::spawn_blocking(move || batch.wait_with_output().unwrap()).await.unwrap();
    assert!(finished.status.success(), "{}", stderr(&finished));
    assert_eq!(chunks_done(&db.store).await, (chunks, chunks));

    let target = empty_target(dir.path(), "night").await;
    let restored = recouvre(&target, &["restore", &file.display().to_string()]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    let copy = Store::connect(&target).await.unwrap();

    // One instant of the night: some chunks done, not all; some payments, not all.
    let (copy_chunks, copy_done) = chunks_done(&copy).await;
    assert_eq!(copy_chunks, chunks);
    assert!(done_before <= copy_done && copy_done < chunks, "{done_before} ≤ {copy_done} < {chunks}");
    let held = statements(&copy).await;
    assert!(statements_before <= held && held <= after, "{statements_before} ≤ {held} ≤ {after}");
    let (due, booked) = totals(&copy).await;
    let interest = interest_booked(&copy).await - interest_at_start;
    assert!(interest > 0, "the copy holds the interest of the chunks done");
    assert_eq!(
        due,
        due_at_start - booked + interest,
        "the case list's amounts match the ledger's credits and interest"
    );
    let verified = recouvre(&target, &["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    let controls = recouvre(&target, &["report", "controls", "--format", "json"]);
    assert_eq!(controls.status.code(), Some(0), "no anomaly in the restored ledger: {}", stderr(&controls));

    // The night, rerun on the copy, finishes the date; once more changes nothing.
    let rerun = recouvre(&target, &night);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert_eq!(chunks_done(&copy).await, (chunks, chunks));
    let after_rerun = recouvre_testkit::batch_state(&copy).await;
    let again = recouvre(&target, &night);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(recouvre_testkit::batch_state(&copy).await, after_rerun, "a second rerun changes nothing");
    let paid: Vec<i64> = sql::query_scalar("SELECT DISTINCT case_id FROM statement_entries WHERE case_id IS NOT NULL")
        .fetch_all(&db.store)
        .await
        .unwrap();
    assert!(!paid.is_empty() && paid.len() <= 40);
    assert_eq!(night_outside(&copy, &paid).await, night_outside(&db.store, &paid).await);
    let (due, booked) = totals(&copy).await;
    let interest = interest_booked(&copy).await - interest_at_start;
    assert_eq!(due, due_at_start - booked + interest, "still balanced after the night");
    let verified = recouvre(&target, &["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    let controls = recouvre(&target, &["report", "controls", "--format", "json"]);
    assert_eq!(controls.status.code(), Some(0), "no anomaly after the rerun: {}", stderr(&controls));
    copy.close().await;
}
