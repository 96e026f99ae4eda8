//! The nightly run (`recouvre batch --as-of D`, issue 7): every open case moved forward to a
//! date, in chunks that any number of processes share through the database.
//!
//! How it stays exact when killed at any point (ARCHITECTURE.md, "Invariants"):
//! - A run is one row of `batch_runs` per date; its cases are cut into chunks of consecutive ids
//!   (`batch_chunks`), created with the run in one transaction.
//! - A process claims a chunk with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has a
//!   single writer). It then does the whole chunk — interest booked, journal events, deadline
//!   warnings, its share of the day's snapshot — AND marks the chunk done in ONE transaction,
//!   whose first statement is that mark (`done_at IS NULL`). A process killed mid-chunk commits
//!   nothing; its lease runs out and another process (or the rerun) does the chunk, once.
//! - Each case also records the last day accrued (`cases.accrued_to`), so a case is never charged
//!   twice for a day, whatever the runs and dates.
//! - The last process to find every chunk done sums the chunks' snapshot parts into
//!   `daily_snapshots` and closes the run, in one transaction guarded by `finished_at IS NULL`.
//!
//! Each chunk is read with a handful of queries and written with multi-row statements: the cost
//! per case is a few rows, not a few round trips (docs/performance.md).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::accrual::{accrue, RateRule};
use recouvre_domain::journal::{seal, to_storage_precision, NewEvent, GENESIS_HASH};
use recouvre_domain::ledger::{self, Account};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::snapshot::AgeBucket;
use recouvre_domain::statutory_interest::CreditorCategory;
use recouvre_domain::Money;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use crate::bulk::{insert_events, multi_row, ROWS_PER_STATEMENT_MAX};
use crate::{on_engine, Engine, Result, Store, StoreError};

/// Cases per chunk unless told otherwise: large enough that a chunk's fixed cost (claim, a few
/// reads, commit) is small per case, small enough that a killed process loses little work.
pub const DEFAULT_CHUNK_CASES: i64 = 1_000;
/// Upper bound on a chunk, so that one chunk's statements stay well under the engines' bind
/// parameter limits once cut in `bulk::ROWS_PER_STATEMENT_MAX` and its transaction stays short.
pub const MAX_CHUNK_CASES: i64 = 20_000;
/// A claimed chunk is left to others when its lease runs out (its process presumably dead).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
/// How often a process with nothing to claim looks again for chunks whose lease ran out.
const IDLE_POLL: Duration = Duration::from_millis(250);

/// What to run, and how this process takes part.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub as_of: NaiveDate,
    pub chunk_cases: i64,
    pub lease: Duration,
    /// Concurrent workers in this process (both cores of a machine; more on PostgreSQL).
    pub workers: usize,
    /// Names this process in `batch_chunks.claimed_by`: `host:pid`.
    pub process_name: String,
    pub actor: String,
}

impl RunOptions {
    pub fn new(as_of: NaiveDate) -> RunOptions {
        RunOptions {
            as_of,
            chunk_cases: DEFAULT_CHUNK_CASES,
            lease: DEFAULT_LEASE,
            workers: 1,
            process_name: format!("local:{}", std::process::id()),
            actor: "system:batch".to_string(),
        }
    }
}

/// The figures of a run, over all the processes that took part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunTotals {
    pub as_of: Option<NaiveDate>,
    pub chunks: i64,
    pub chunks_done: i64,
    pub cases_seen: i64,
    pub cases_accrued: i64,
    pub interest: Money,
    /// Ledger transactions booked.
    pub entries_booked: i64,
    /// Legal deadlines announced in the journal and the agenda.
    pub warnings_raised: i64,
    /// Cases whose accrual stopped for lack of a statutory rate.
    pub cases_held: i64,
    pub finished: bool,
}

/// What this process did in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProcessReport {
    pub chunks_done_here: u64,
    /// Chunks found done by another process after this one claimed them (a lease ran out).
    pub chunks_lost: u64,
    pub finished_here: bool,
    /// First day not accrued for lack of a statutory rate, on some case of this process's chunks.
    pub first_held_day: Option<NaiveDate>,
}

/// Progress, for a bar on a terminal or log lines.
pub trait Progress: Send + Sync {
    /// Called once the chunks to do are known.
    fn start(&self, chunks_to_do: u64);
    /// Called after each chunk this process completed.
    fn chunk_done(&self, cases: u64);
}

/// No progress shown.
pub struct Silent;
impl Progress for Silent {
    fn start(&self, _: u64) {}
    fn chunk_done(&self, _: u64) {}
}

/// A chunk claimed by this process.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Chunk {
    pub chunk_no: i64,
    pub first_case_id: i64,
    pub last_case_id: i64,
}

/// Runs (or joins, or completes) the run of `options.as_of` and returns its totals.
pub async fn run(
    store: &Store,
    options: &RunOptions,
    reference: Arc<ReferenceData>,
    progress: Arc<dyn Progress>,
) -> Result<(RunTotals, ProcessReport)> {
    assert!(options.workers >= 1, "at least one worker");
    let chunk_cases = options.chunk_cases.clamp(1, MAX_CHUNK_CASES);
    prepare(store, options.as_of, chunk_cases, Utc::now()).await?;
    let before = totals(store, options.as_of).await?;
    progress.start(u64::try_from(before.chunks - before.chunks_done).unwrap_or(0));

    let done_here = Arc::new(AtomicU64::new(0));
    let lost = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(options.workers);
    for worker in 0..options.workers {
        let store = store.clone();
        let options = options.clone();
        let reference = Arc::clone(&reference);
        let progress = Arc::clone(&progress);
        let done_here = Arc::clone(&done_here);
        let lost = Arc::clone(&lost);
        workers.push(tokio::spawn(async move {
            let name = format!("{}:{worker}", options.process_name);
            let mut first_held_day: Option<NaiveDate> = None;
            loop {
                let now = Utc::now();
                match claim(&store, options.as_of, &name, options.lease, now).await? {
                    Some(chunk) => {
                        let context = ChunkContext {
                            as_of: options.as_of,
                            reference: &reference,
                            actor: &options.actor,
                            worker: &name,
                            now: Utc::now(),
                        };
                        match process_chunk(&store, &chunk, &context).await? {
                            Some(stats) => {
                                done_here.fetch_add(1, Ordering::Relaxed);
                                progress.chunk_done(stats.cases_seen);
                                first_held_day = first_held_day.min(stats.first_held_day).or(stats.first_held_day);
                            }
                            None => {
                                lost.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    None => {
                        let Some(earliest_lease_end) = pending(&store, options.as_of).await? else { break };
                        // Chunks remain, claimed by others: wait for them to finish, or for a
                        // lease to run out if their process died.
                        let wait = (earliest_lease_end - Utc::now())
                            .to_std()
                            .unwrap_or(Duration::ZERO)
                            .clamp(Duration::from_millis(10), IDLE_POLL);
                        tokio::time::sleep(wait).await;
                    }
                }
            }
            Ok::<_, StoreError>(first_held_day)
        }));
    }
    let mut report = ProcessReport::default();
    for worker in workers {
        let held = worker.await.map_err(|error| StoreError::Corrupt(format!("un traitement a échoué : {error}")))??;
        report.first_held_day = report.first_held_day.min(held).or(held);
    }
    report.finished_here = finish(store, options.as_of, Utc::now()).await?;
    report.chunks_done_here = done_here.load(Ordering::Relaxed);
    report.chunks_lost = lost.load(Ordering::Relaxed);
    Ok((totals(store, options.as_of).await?, report))
}

/// Creates the run of `as_of` and its chunks, unless it exists. Returns the number of chunks.
pub async fn prepare(store: &Store, as_of: NaiveDate, chunk_cases: i64, now: DateTime<Utc>) -> Result<i64> {
    assert!((1..=MAX_CHUNK_CASES).contains(&chunk_cases));
    let chunks = on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        // A write first: on SQLite it takes the write lock at once (a read first would have to be
        // upgraded, which fails when another process wrote meanwhile); on PostgreSQL a second
        // process blocks here until the first commits, then does nothing.
        let created = sqlx::query(
            "INSERT INTO batch_runs (as_of, chunk_cases, chunks, started_at) \
             SELECT $1, $2, (COALESCE(MAX(id), 0) + $2 - 1) / $2, $3 FROM cases WHERE 1 = 1 \
             ON CONFLICT (as_of) DO NOTHING",
        )
        .bind(as_of)
        .bind(chunk_cases)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let chunks: i64 = sqlx::query_scalar("SELECT chunks FROM batch_runs WHERE as_of = $1")
            .bind(as_of)
            .fetch_one(&mut *tx)
            .await?;
        if created == 1 {
            let numbers: Vec<i64> = (0..chunks).collect();
            multi_row!(
                tx,
                "INSERT INTO batch_chunks (as_of, chunk_no, first_case_id, last_case_id, cases_seen, \
                 cases_accrued, interest_cents, entries_booked, warnings_raised, cases_held) ",
                "",
                10,
                numbers,
                |values, chunk_no| {
                    values
                        .push_bind(as_of)
                        .push_bind(*chunk_no)
                        .push_bind(chunk_no * chunk_cases + 1)
                        .push_bind((chunk_no + 1) * chunk_cases);
                    for _ in 0..6 {
                        values.push_bind(0_i64);
                    }
                }
            );
        }
        tx.commit().await?;
        chunks
    });
    Ok(chunks)
}

/// Claims the first chunk not done whose lease is free or ran out.
pub async fn claim(
    store: &Store,
    as_of: NaiveDate,
    worker: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Chunk>> {
    let now_ms = now.timestamp_millis();
    let lease_until_ms = now_ms + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
    let skip_locked = match store.engine() {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        // One writer at a time: the statement below is atomic.
        Engine::Sqlite => "",
    };
    let sql = format!(
        "UPDATE batch_chunks SET claimed_by = $1, lease_until_ms = $2 \
         WHERE as_of = $3 AND chunk_no = (SELECT chunk_no FROM batch_chunks \
         WHERE as_of = $3 AND done_at IS NULL AND (lease_until_ms IS NULL OR lease_until_ms < $4) \
         ORDER BY chunk_no LIMIT 1{skip_locked}) \
         RETURNING chunk_no, first_case_id, last_case_id"
    );
    let chunk = on_engine!(store, |pool| sqlx::query_as::<_, Chunk>(&sql)
        .bind(worker)
        .bind(lease_until_ms)
        .bind(as_of)
        .bind(now_ms)
        .fetch_optional(pool)
        .await?);
    Ok(chunk)
}

/// When chunks remain to do but all are claimed: the earliest end of their leases. `None` when
/// every chunk is done.
pub async fn pending(store: &Store, as_of: NaiveDate) -> Result<Option<DateTime<Utc>>> {
    let row: (i64, Option<i64>) = on_engine!(store, |pool| sqlx::query_as(
        "SELECT COUNT(*), MIN(lease_until_ms) FROM batch_chunks WHERE as_of = $1 AND done_at IS NULL"
    )
    .bind(as_of)
    .fetch_one(pool)
    .await?);
    Ok(match row {
        (0, _) => None,
        (_, lease_until_ms) => {
            Some(DateTime::from_timestamp_millis(lease_until_ms.unwrap_or(0)).unwrap_or(DateTime::<Utc>::MIN_UTC))
        }
    })
}

/// Closes the run once every chunk is done: the snapshot parts summed into `daily_snapshots`,
/// and the ledger transactions not counted yet summed into `daily_flows`.
/// Returns whether this call closed it (false if not all done yet, or already closed).
pub async fn finish(store: &Store, as_of: NaiveDate, now: DateTime<Utc>) -> Result<bool> {
    let finished = on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        let closed = sqlx::query(
            "UPDATE batch_runs SET finished_at = $2 WHERE as_of = $1 AND finished_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM batch_chunks WHERE as_of = $1 AND done_at IS NULL)",
        )
        .bind(as_of)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed == 1 {
            // A run for a date already snapshotted (a rerun after the run was deleted) replaces it.
            sqlx::query("DELETE FROM daily_snapshots WHERE as_of = $1").bind(as_of).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO daily_snapshots (as_of, main_nature, status, age_bucket, officer_id, cases, \
                 outstanding_cents, interest_cents) \
                 SELECT as_of, main_nature, status, age_bucket, officer_id, CAST(SUM(cases) AS BIGINT), \
                 CAST(SUM(outstanding_cents) AS BIGINT), CAST(SUM(interest_cents) AS BIGINT) \
                 FROM batch_snapshot_parts WHERE as_of = $1 \
                 GROUP BY as_of, main_nature, status, age_bucket, officer_id",
            )
            .bind(as_of)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM batch_snapshot_parts WHERE as_of = $1").bind(as_of).execute(&mut *tx).await?;
            // The ledger's movements since the last closed night (issue 8, `store::committee`).
            crate::committee::record_flows!(tx, as_of);
        }
        tx.commit().await?;
        closed == 1
    });
    Ok(finished)
}

/// The run's figures, summed over its chunks.
pub async fn totals(store: &Store, as_of: NaiveDate) -> Result<RunTotals> {
    type Row = (i64, i64, i64, i64, i64, i64, i64, i64);
    let row: Row = on_engine!(store, |pool| sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN done_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(cases_seen), 0) AS BIGINT), CAST(COALESCE(SUM(cases_accrued), 0) AS BIGINT), \
         CAST(COALESCE(SUM(interest_cents), 0) AS BIGINT), CAST(COALESCE(SUM(entries_booked), 0) AS BIGINT), \
         CAST(COALESCE(SUM(warnings_raised), 0) AS BIGINT), CAST(COALESCE(SUM(cases_held), 0) AS BIGINT) \
         FROM batch_chunks WHERE as_of = $1"
    )
    .bind(as_of)
    .fetch_one(pool)
    .await?);
    let finished: Option<Option<DateTime<Utc>>> =
        on_engine!(store, |pool| sqlx::query_scalar("SELECT finished_at FROM batch_runs WHERE as_of = $1")
            .bind(as_of)
            .fetch_optional(pool)
            .await?);
    let (chunks, chunks_done, cases_seen, cases_accrued, interest_cents, entries_booked, warnings_raised, cases_held) =
        row;
    Ok(RunTotals {
        as_of: Some(as_of),
        chunks,
        chunks_done,
        cases_seen,
        cases_accrued,
        interest: Money::from_cents(interest_cents),
        entries_booked,
        warnings_raised,
        cases_held,
        finished: matches!(finished, Some(Some(_))),
    })
}

/// One line of the daily snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SnapshotLine {
    pub main_nature: String,
    pub status: String,
    pub age_bucket: String,
    /// 0: not assigned.
    pub officer_id: i64,
    pub cases: i64,
    pub outstanding_cents: i64,
    pub interest_cents: i64,
}

/// The daily snapshot of `as_of`, empty if no run closed that day.
pub async fn snapshot(store: &Store, as_of: NaiveDate) -> Result<Vec<SnapshotLine>> {
    let lines = on_engine!(store, |pool| sqlx::query_as(
        "SELECT main_nature, status, age_bucket, officer_id, cases, outstanding_cents, interest_cents \
         FROM daily_snapshots WHERE as_of = $1 ORDER BY main_nature, status, age_bucket, officer_id"
    )
    .bind(as_of)
    .fetch_all(pool)
    .await?);
    Ok(lines)
}

/// What a chunk needs besides its cases.
pub struct ChunkContext<'a> {
    pub as_of: NaiveDate,
    pub reference: &'a ReferenceData,
    pub actor: &'a str,
    pub worker: &'a str,
    pub now: DateTime<Utc>,
}

/// The figures of one chunk.
#[derive(Clone, Debug, Default)]
pub struct ChunkStats {
    pub cases_seen: u64,
    pub cases_accrued: u64,
    pub interest_cents: i64,
    pub entries_booked: u64,
    pub warnings_raised: u64,
    pub cases_held: u64,
    pub first_held_day: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    status: String,
    main_nature: String,
    opened_on: NaiveDate,
    accrued_to: Option<NaiveDate>,
    officer_id: Option<i64>,
    version: i64,
    total_cents: i64,
    contractual_rate: Option<String>,
    judgment_served_on: Option<NaiveDate>,
    last_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DeadlineRow {
    id: i64,
    case_id: i64,
    label: String,
    due_on: NaiveDate,
    legal_basis: Option<String>,
    warn_days: i64,
}

/// A case's journal as the chunk extends it: the next sequence and the hash to chain to.
struct JournalTail {
    version: i64,
    hash: String,
}

/// Writes a chunk's work with multi-row statements, inside the chunk's transaction.
macro_rules! write_chunk {
    ($tx:expr, $work:expr, $as_of:expr, $chunk:expr, $actor:expr, $now:expr) => {{
        let work: &ChunkWork = &$work;
        let as_of: NaiveDate = $as_of;
        let chunk: &Chunk = $chunk;
        let actor: &str = $actor;
        let now: DateTime<Utc> = $now;

        // Ledger: one accrual transaction per charged case, then its postings.
        let mut transactions = Vec::with_capacity(work.charges.len());
        for (case_id, account, amount, note) in &work.charges {
            let transaction = ledger::charge(*account, *amount).map_err(|error| StoreError::Conflict(error.to_string()))?;
            let sum: i64 = transaction.postings.iter().map(|posting| posting.amount.cents()).sum();
            assert_eq!(sum, 0, "only balanced transactions reach the ledger");
            transactions.push((*case_id, note, transaction));
        }
        let returned: Vec<(i64, i64)> = multi_row!(
            returning $tx,
            "INSERT INTO ledger_transactions (case_id, kind, booked_on, reference, actor, created_at) ",
            " RETURNING id, case_id",
            6,
            transactions,
            |values, row| {
                let (case_id, note, transaction) = row;
                values
                    .push_bind(*case_id)
                    .push_bind(transaction.kind.code())
                    .push_bind(as_of)
                    .push_bind(note.as_str())
                    .push_bind(actor)
                    .push_bind(now);
            }
        );
        // One transaction per case in the chunk: the case id names each returned id.
        let id_of: HashMap<i64, i64> = returned.into_iter().map(|(id, case_id)| (case_id, id)).collect();
        assert_eq!(id_of.len(), transactions.len(), "one accrual per case and chunk");
        let postings: Vec<(i64, i64, &str, i64)> = transactions
            .iter()
            .flat_map(|(case_id, _, transaction)| {
                let transaction_id = id_of[case_id];
                transaction
                    .postings
                    .iter()
                    .map(move |posting| (transaction_id, *case_id, posting.account.code(), posting.amount.cents()))
            })
            .collect();
        multi_row!(
            $tx,
            "INSERT INTO ledger_postings (transaction_id, case_id, account, amount_cents) ",
            "",
            4,
            postings,
            |values, posting| {
                values.push_bind(posting.0).push_bind(posting.1).push_bind(posting.2).push_bind(posting.3);
            }
        );

        // Journal events, already chained in memory.
        insert_events!($tx, &work.events);

        // The cases: last day accrued, journal version, and the list's amount projection.
        let updated = multi_row!(
            $tx,
            "UPDATE cases SET accrued_to = v.column2, version = v.column3, total_cents = v.column4 FROM (",
            ") AS v WHERE cases.id = v.column1",
            4,
            work.case_updates,
            |values, update| {
                let (case_id, accrued_to, version, total_cents) = update;
                values.push_bind(*case_id).push_bind(*accrued_to).push_bind(*version).push_bind(*total_cents);
            }
        );
        assert_eq!(updated, work.case_updates.len() as u64, "every case of the chunk is updated once");

        for block in work.warned_items.chunks(ROWS_PER_STATEMENT_MAX) {
            let mut builder = sqlx::QueryBuilder::new("UPDATE agenda_items SET warned_on = ");
            builder.push_bind(as_of).push(" WHERE id IN (");
            let mut ids = builder.separated(", ");
            for id in block {
                ids.push_bind(*id);
            }
            builder.push(")");
            builder.build().execute(&mut *$tx).await?;
        }

        let parts: Vec<_> = work.snapshot.iter().collect();
        multi_row!(
            $tx,
            "INSERT INTO batch_snapshot_parts (as_of, chunk_no, main_nature, status, age_bucket, officer_id, \
             cases, outstanding_cents, interest_cents) ",
            "",
            9,
            parts,
            |values, part| {
                let ((nature, status, bucket, officer_id), (cases, outstanding_cents, interest_cents)) = part;
                values
                    .push_bind(as_of)
                    .push_bind(chunk.chunk_no)
                    .push_bind(nature.as_str())
                    .push_bind(status.as_str())
                    .push_bind(*bucket)
                    .push_bind(*officer_id)
                    .push_bind(*cases)
                    .push_bind(*outstanding_cents)
                    .push_bind(*interest_cents);
            }
        );

        let stats = &work.stats;
        sqlx::query(
            "UPDATE batch_chunks SET cases_seen = $3, cases_accrued = $4, interest_cents = $5, entries_booked = $6, \
             warnings_raised = $7, cases_held = $8 WHERE as_of = $1 AND chunk_no = $2",
        )
        .bind(as_of)
        .bind(chunk.chunk_no)
        .bind(stats.cases_seen as i64)
        .bind(stats.cases_accrued as i64)
        .bind(stats.interest_cents)
        .bind(stats.entries_booked as i64)
        .bind(stats.warnings_raised as i64)
        .bind(stats.cases_held as i64)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Does one chunk's work and marks it done, in one transaction. `None` if another process
/// completed it first (this one's lease ran out): nothing is written.
pub async fn process_chunk(store: &Store, chunk: &Chunk, context: &ChunkContext<'_>) -> Result<Option<ChunkStats>> {
    let ChunkContext { as_of, reference, actor, worker, now } = *context;
    let recorded_at = to_storage_precision(now);
    let lock_cases = match store.engine() {
        // Officers' changes to these cases wait for the chunk (a few hundred milliseconds).
        Engine::Postgres => " FOR UPDATE OF c",
        // The mark below already took SQLite's single write lock.
        Engine::Sqlite => "",
    };
    let cases_sql = format!(
        "SELECT c.id, c.status, c.main_nature, c.opened_on, c.accrued_to, c.officer_id, c.version, c.total_cents, \
         (SELECT contractual_rate FROM claims WHERE case_id = c.id ORDER BY id LIMIT 1) AS contractual_rate, \
         c.judgment_served_on, e.hash AS last_hash \
         FROM cases c LEFT JOIN case_events e ON e.case_id = c.id AND e.sequence = c.version \
         WHERE c.id BETWEEN $1 AND $2 AND c.status <> 'closed' ORDER BY c.id{lock_cases}"
    );
    let stats = on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        // First statement: takes the chunk (and, on SQLite, the write lock) or finds it done.
        let marked = sqlx::query(
            "UPDATE batch_chunks SET done_at = $3, done_by = $4 WHERE as_of = $1 AND chunk_no = $2 AND done_at IS NULL",
        )
        .bind(as_of)
        .bind(chunk.chunk_no)
        .bind(now)
        .bind(worker)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked == 0 {
            return Ok(None);
        }
        let cases: Vec<CaseRow> =
            sqlx::query_as(&cases_sql).bind(chunk.first_case_id).bind(chunk.last_case_id).fetch_all(&mut *tx).await?;
        // Capital per case and booking day, for the cases that have days to accrue.
        let principal_rows: Vec<(i64, NaiveDate, i64)> = sqlx::query_as(
            "SELECT p.case_id, t.booked_on, CAST(SUM(p.amount_cents) AS BIGINT) FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id \
             WHERE p.case_id BETWEEN $1 AND $2 AND p.account = 'principal' \
             GROUP BY p.case_id, t.booked_on ORDER BY p.case_id, t.booked_on",
        )
        .bind(chunk.first_case_id)
        .bind(chunk.last_case_id)
        .fetch_all(&mut *tx)
        .await?;
        let deadlines: Vec<DeadlineRow> = sqlx::query_as(
            "SELECT id, case_id, label, due_on, legal_basis, warn_days FROM agenda_items \
             WHERE case_id BETWEEN $1 AND $2 AND kind = 'deadline' AND status = 'open' AND warned_on IS NULL \
             ORDER BY case_id, due_on, id",
        )
        .bind(chunk.first_case_id)
        .bind(chunk.last_case_id)
        .fetch_all(&mut *tx)
        .await?;
        let work = plan_chunk(&cases, &principal_rows, &deadlines, as_of, reference, actor, recorded_at)?;
        write_chunk!(tx, work, as_of, chunk, actor, now);
        tx.commit().await?;
        work.stats
    });
    Ok(Some(stats))
}

/// (claim nature, status, age bucket, officer id or 0).
type SnapshotKey = (String, String, &'static str, i64);
/// (cases, outstanding cents, interest cents).
type SnapshotSums = (i64, i64, i64);

/// A chunk's writes, decided in memory before any is made.
struct ChunkWork {
    /// (case id, account, amount, note): one accrual transaction each.
    charges: Vec<(i64, Account, Money, String)>,
    events: Vec<recouvre_domain::journal::JournalEvent>,
    /// (case id, accrued_to, version, total_cents) for the cases that changed.
    case_updates: Vec<(i64, NaiveDate, i64, i64)>,
    warned_items: Vec<i64>,
    snapshot: BTreeMap<SnapshotKey, SnapshotSums>,
    stats: ChunkStats,
}

fn plan_chunk(
    cases: &[CaseRow],
    principal_rows: &[(i64, NaiveDate, i64)],
    deadlines: &[DeadlineRow],
    as_of: NaiveDate,
    reference: &ReferenceData,
    actor: &str,
    recorded_at: DateTime<Utc>,
) -> Result<ChunkWork> {
    let mut timelines: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
    for (case_id, booked_on, cents) in principal_rows {
        timelines.entry(*case_id).or_default().push((*booked_on, *cents));
    }
    let mut deadlines_of: HashMap<i64, Vec<&DeadlineRow>> = HashMap::new();
    for deadline in deadlines {
        deadlines_of.entry(deadline.case_id).or_default().push(deadline);
    }
    let mut work = ChunkWork {
        charges: Vec::new(),
        events: Vec::new(),
        case_updates: Vec::new(),
        warned_items: Vec::new(),
        snapshot: BTreeMap::new(),
        stats: ChunkStats::default(),
    };
    for case in cases {
        work.stats.cases_seen += 1;
        let mut tail = JournalTail {
            version: case.version,
            hash: case.last_hash.clone().unwrap_or_else(|| GENESIS_HASH.to_string()),
        };
        assert!(case.version == 0 || case.last_hash.is_some(), "case {} has a version but no event", case.id);
        let mut append = |tail: &mut JournalTail, kind: &str, payload: String| {
            let event = seal(
                &tail.hash,
                NewEvent { case_id: case.id, sequence: tail.version + 1, kind, payload: &payload, actor, recorded_at },
            );
            tail.version = event.sequence;
            tail.hash = event.hash.clone();
            work.events.push(event);
        };

        // 1. Interest for the days since the last run (C. mon. fin. L313-2 for the statutory
        //    rate; the contract's rate otherwise), none while over-indebtedness suspends it.
        let after = case.accrued_to.unwrap_or(case.opened_on);
        let mut accrued_to = case.accrued_to;
        let mut interest_cents = 0_i64;
        if case.opened_on < as_of && after < as_of {
            let (rule, account) = rate_rule(case)?;
            let timeline = timelines.get(&case.id).map(Vec::as_slice).unwrap_or(&[]);
            let capital_on = |day: NaiveDate| -> Money {
                Money::from_cents(timeline.iter().take_while(|(booked_on, _)| *booked_on < day).map(|(_, c)| c).sum())
            };
            let accrual = accrue(capital_on, after, as_of, rule, reference);
            if let Some(held_from) = accrual.held_from {
                work.stats.cases_held += 1;
                work.stats.first_held_day = work.stats.first_held_day.min(Some(held_from)).or(Some(held_from));
            }
            if accrual.accrued_to > after {
                accrued_to = Some(accrual.accrued_to);
                // L722-2 C. consom.: an admissible over-indebtedness file suspends the days.
                let suspended = case.status == "suspended";
                if !suspended && accrual.interest.is_positive() {
                    interest_cents = accrual.interest.cents();
                    let rate = match rule {
                        RateRule::Contractual(rate) => rate.to_string(),
                        RateRule::Statutory { .. } => "légal".to_string(),
                    };
                    let payload = json!({
                        "from": after.succ_opt(), "to": accrual.accrued_to, "days": accrual.days,
                        "rate": rate, "account": account.code(), "amount": accrual.interest,
                    });
                    append(&mut tail, "interest_accrued", payload.to_string());
                    let note = format!("intérêts du {} au {}", after.succ_opt().unwrap_or(after), accrual.accrued_to);
                    work.charges.push((case.id, account, accrual.interest, note));
                    work.stats.cases_accrued += 1;
                    work.stats.interest_cents += interest_cents;
                }
            }
        }

        // 2. Legal deadlines coming due, announced once (warn_days before, or when found late).
        if case.status != "suspended" {
            for deadline in deadlines_of.get(&case.id).map(Vec::as_slice).unwrap_or(&[]) {
                let warn_from = deadline.due_on - chrono::Duration::days(deadline.warn_days.max(0));
                if warn_from > as_of {
                    continue;
                }
                let days_left = (deadline.due_on - as_of).num_days();
                let payload = json!({
                    "agenda_item_id": deadline.id, "label": deadline.label, "due_on": deadline.due_on,
                    "legal_basis": deadline.legal_basis, "days_left": days_left,
                });
                append(&mut tail, "deadline_warning", payload.to_string());
                work.warned_items.push(deadline.id);
                work.stats.warnings_raised += 1;
            }
        }

        let total_cents = case.total_cents + interest_cents;
        if accrued_to != case.accrued_to || tail.version != case.version {
            work.case_updates.push((case.id, accrued_to.unwrap_or(after), tail.version, total_cents));
        }

        // 3. The case's share of the day's snapshot.
        let key = (
            case.main_nature.clone(),
            case.status.clone(),
            AgeBucket::of(case.opened_on, as_of).code(),
            case.officer_id.unwrap_or(0),
        );
        let line = work.snapshot.entry(key).or_insert((0, 0, 0));
        line.0 += 1;
        line.1 += total_cents;
        line.2 += interest_cents;
    }
    work.stats.entries_booked = work.charges.len() as u64;
    Ok(work)
}

fn rate_rule(case: &CaseRow) -> Result<(RateRule, Account)> {
    match case.contractual_rate.as_deref().map(str::parse::<Decimal>) {
        Some(Ok(rate)) if rate > Decimal::ZERO => Ok((RateRule::Contractual(rate), Account::ContractualInterest)),
        Some(Err(_)) => Err(StoreError::Corrupt(format!(
            "taux contractuel illisible sur le dossier {} : corrigez la créance puis relancez le traitement",
            case.id
        ))),
        _ => Ok((
            RateRule::Statutory { category: CreditorCategory::Other, judgment_served_on: case.judgment_served_on },
            Account::StatutoryInterest,
        )),
    }
}
