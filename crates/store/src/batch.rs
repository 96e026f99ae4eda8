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
//!   twice for a day, whatever the runs and dates. Interest is booked per claim up to the last
//!   month end on or before the run's date (the bank's arrêté, issue 18): the other nights book
//!   nothing and write no row for a case whose interest is already booked to its month end.
//! - The last process to find every chunk done sums the chunks' snapshot parts into
//!   `daily_snapshots` and closes the run, in one transaction guarded by `finished_at IS NULL`.
//!
//! Each chunk is read with a handful of queries and written with multi-row statements: the cost
//! per case is a few rows, not a few round trips (docs/performance.md).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::case::ClaimNature;
use recouvre_domain::claim_interest::{self, ClaimBooking};
use recouvre_domain::journal::{seal, to_storage_precision, EventKind, NewEvent, GENESIS_HASH};
use recouvre_domain::ledger::{self, Account};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::snapshot::AgeBucket;
use recouvre_domain::strategy::{self, Recommendation};
use recouvre_domain::time_bar;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar, Builder, MultiRow, ROWS_PER_STATEMENT_MAX};
use crate::ledger::refused_by_ledger;
use crate::workflow::{self, FactRows, ProcedureRow, WorkflowRules};
use crate::{Engine, Result, Store, StoreError, Tx};

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
    /// Foreclosure and limitation dates announced (once per threshold of the procedure policy).
    pub time_bar_warnings: i64,
    /// Collection-agency mandates announced before their end.
    pub mandate_warnings: i64,
    /// Collection-agency mandates found past their end, flagged.
    pub mandates_expired: i64,
    /// New strategy recommendations (the advice changed with the facts, the date or the rules).
    pub strategies_revised: i64,
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
    /// Asked before each claim: `true` once the process was told to stop (SIGTERM, ctrl-c). The
    /// workers then claim no more chunks, finish and commit the one they hold, and return; the
    /// run stays unfinished, and the next run of the date does the chunks left (docs/operations.md).
    fn stop_requested(&self) -> bool {
        false
    }
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
    // The workflow's rules in force when the process starts: strategy rules and the procedure
    // policy's warning thresholds.
    let rules = Arc::new(workflow::rules(store).await?);
    let before = totals(store, options.as_of).await?;
    progress.start(u64::try_from(before.chunks - before.chunks_done).unwrap_or(0));

    let done_here = Arc::new(AtomicU64::new(0));
    let lost = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(options.workers);
    for worker in 0..options.workers {
        let store = store.clone();
        let options = options.clone();
        let reference = Arc::clone(&reference);
        let rules = Arc::clone(&rules);
        let progress = Arc::clone(&progress);
        let done_here = Arc::clone(&done_here);
        let lost = Arc::clone(&lost);
        workers.push(tokio::spawn(async move {
            let name = format!("{}:{worker}", options.process_name);
            let mut first_held_day: Option<NaiveDate> = None;
            loop {
                if progress.stop_requested() {
                    break;
                }
                let now = Utc::now();
                match claim(&store, options.as_of, &name, options.lease, now).await? {
                    Some(chunk) => {
                        let context = ChunkContext {
                            as_of: options.as_of,
                            reference: &reference,
                            rules: &rules,
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
    let mut tx = store.begin().await?;
    // A write first: on SQLite it takes the write lock at once (a read first would have to be
    // upgraded, which fails when another process wrote meanwhile); on PostgreSQL a second
    // process blocks here until the first commits, then does nothing.
    let created = query(
        "INSERT INTO batch_runs (as_of, chunk_cases, chunks, started_at) \
         SELECT $1, $2, (COALESCE(MAX(id), 0) + $2 - 1) / $2, $3 FROM cases WHERE 1 = 1 \
         ON CONFLICT (as_of) DO NOTHING",
    )
    .bind(as_of)
    .bind(chunk_cases)
    .bind(now)
    .execute(&mut tx)
    .await?
    .rows_affected();
    let chunks: i64 =
        query_scalar("SELECT chunks FROM batch_runs WHERE as_of = $1").bind(as_of).fetch_one(&mut tx).await?;
    if created == 1 {
        let numbers: Vec<i64> = (0..chunks).collect();
        MultiRow::new(
            "INSERT INTO batch_chunks (as_of, chunk_no, first_case_id, last_case_id, cases_seen, \
             cases_accrued, interest_cents, entries_booked, warnings_raised, cases_held) ",
            10,
        )
        .execute(&mut tx, &numbers, |values, chunk_no| {
            values.push(as_of).push(*chunk_no).push(chunk_no * chunk_cases + 1).push((chunk_no + 1) * chunk_cases);
            for _ in 0..6 {
                values.push(0_i64);
            }
        })
        .await?;
    }
    tx.commit().await?;
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
    let chunk = query_as::<Chunk>(&sql)
        .bind(worker)
        .bind(lease_until_ms)
        .bind(as_of)
        .bind(now_ms)
        .fetch_optional(store)
        .await?;
    Ok(chunk)
}

/// When chunks remain to do but all are claimed: the earliest end of their leases. `None` when
/// every chunk is done.
pub async fn pending(store: &Store, as_of: NaiveDate) -> Result<Option<DateTime<Utc>>> {
    let row: (i64, Option<i64>) =
        query_as("SELECT COUNT(*), MIN(lease_until_ms) FROM batch_chunks WHERE as_of = $1 AND done_at IS NULL")
            .bind(as_of)
            .fetch_one(store)
            .await?;
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
    let mut tx = store.begin().await?;
    let closed = query(
        "UPDATE batch_runs SET finished_at = $2 WHERE as_of = $1 AND finished_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM batch_chunks WHERE as_of = $1 AND done_at IS NULL)",
    )
    .bind(as_of)
    .bind(now)
    .execute(&mut tx)
    .await?
    .rows_affected();
    // A day already closed (its snapshot or its flows written: a rerun after the run's rows were
    // deleted) is never rewritten (issue 18, cut-offs): the committee packs already read it. What
    // was booked since is counted by the next night that is not closed.
    let closed_rows: i64 = query_scalar(
        "SELECT CAST((SELECT COUNT(*) FROM daily_snapshots WHERE as_of = $1) \
         + (SELECT COUNT(*) FROM daily_flows WHERE as_of = $1) AS BIGINT)",
    )
    .bind(as_of)
    .fetch_one(&mut tx)
    .await?;
    let already_closed = closed_rows > 0;
    if closed == 1 && already_closed {
        query("DELETE FROM batch_snapshot_parts WHERE as_of = $1").bind(as_of).execute(&mut tx).await?;
    } else if closed == 1 {
        query(
            "INSERT INTO daily_snapshots (as_of, main_nature, status, age_bucket, officer_id, cases, \
             outstanding_cents, interest_cents) \
             SELECT as_of, main_nature, status, age_bucket, officer_id, CAST(SUM(cases) AS BIGINT), \
             CAST(SUM(outstanding_cents) AS BIGINT), CAST(SUM(interest_cents) AS BIGINT) \
             FROM batch_snapshot_parts WHERE as_of = $1 \
             GROUP BY as_of, main_nature, status, age_bucket, officer_id",
        )
        .bind(as_of)
        .execute(&mut tx)
        .await?;
        query("DELETE FROM batch_snapshot_parts WHERE as_of = $1").bind(as_of).execute(&mut tx).await?;
        // The ledger's movements since the last closed night (issue 8, `store::committee`).
        tx.record_flows(as_of).await?;
    }
    tx.commit().await?;
    Ok(closed == 1)
}

/// The run's figures, summed over its chunks.
pub async fn totals(store: &Store, as_of: NaiveDate) -> Result<RunTotals> {
    type Row = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let row: Row = query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN done_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(cases_seen), 0) AS BIGINT), CAST(COALESCE(SUM(cases_accrued), 0) AS BIGINT), \
         CAST(COALESCE(SUM(interest_cents), 0) AS BIGINT), CAST(COALESCE(SUM(entries_booked), 0) AS BIGINT), \
         CAST(COALESCE(SUM(warnings_raised), 0) AS BIGINT), CAST(COALESCE(SUM(cases_held), 0) AS BIGINT), \
         CAST(COALESCE(SUM(time_bar_warnings), 0) AS BIGINT), CAST(COALESCE(SUM(mandate_warnings), 0) AS BIGINT), \
         CAST(COALESCE(SUM(mandates_expired), 0) AS BIGINT), CAST(COALESCE(SUM(strategies_revised), 0) AS BIGINT) \
         FROM batch_chunks WHERE as_of = $1",
    )
    .bind(as_of)
    .fetch_one(store)
    .await?;
    let finished: Option<Option<DateTime<Utc>>> =
        query_scalar("SELECT finished_at FROM batch_runs WHERE as_of = $1").bind(as_of).fetch_optional(store).await?;
    let (
        chunks,
        chunks_done,
        cases_seen,
        cases_accrued,
        interest_cents,
        entries_booked,
        warnings_raised,
        cases_held,
        time_bar_warnings,
        mandate_warnings,
        mandates_expired,
        strategies_revised,
    ) = row;
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
        time_bar_warnings,
        mandate_warnings,
        mandates_expired,
        strategies_revised,
        finished: matches!(finished, Some(Some(_))),
    })
}

/// What monitoring reads of the nightly runs and the imports (Prometheus, `/metrics`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperationsFigures {
    /// The run of the latest business date, if any ran.
    pub last_run: Option<LastRun>,
    /// Runs started and not finished: interrupted (stopped, killed, failed) and not yet resumed,
    /// or running now.
    pub runs_unfinished: i64,
    /// Files imported, by kind (`accounts`, `parties`, `statement`…).
    pub imports: Vec<ImportFigures>,
}

/// The run of the latest business date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastRun {
    pub as_of: NaiveDate,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub chunks: i64,
    pub chunks_done: i64,
    pub cases_seen: i64,
    /// Cases whose interest stopped for lack of a statutory rate.
    pub cases_held: i64,
}

/// The files of one kind imported so far.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportFigures {
    pub kind: String,
    pub files: i64,
    pub lines: i64,
    pub last_imported_at: Option<DateTime<Utc>>,
}

/// The figures monitoring reads: a few aggregate queries, cheap enough for every scrape.
pub async fn operations_figures(store: &Store) -> Result<OperationsFigures> {
    let latest: Option<(NaiveDate, DateTime<Utc>, Option<DateTime<Utc>>)> =
        query_as("SELECT as_of, started_at, finished_at FROM batch_runs ORDER BY as_of DESC LIMIT 1")
            .fetch_optional(store)
            .await?;
    let last_run = match latest {
        Some((as_of, started_at, finished_at)) => {
            let totals = totals(store, as_of).await?;
            Some(LastRun {
                as_of,
                started_at,
                finished_at,
                chunks: totals.chunks,
                chunks_done: totals.chunks_done,
                cases_seen: totals.cases_seen,
                cases_held: totals.cases_held,
            })
        }
        None => None,
    };
    let runs_unfinished: i64 =
        query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM batch_runs WHERE finished_at IS NULL")
            .fetch_one(store)
            .await?;
    let imports = query_as(
        "SELECT kind, CAST(COUNT(*) AS BIGINT) AS files, CAST(COALESCE(SUM(lines), 0) AS BIGINT) AS lines, \
         MAX(imported_at) AS last_imported_at FROM imports GROUP BY kind ORDER BY kind",
    )
    .fetch_all(store)
    .await?;
    Ok(OperationsFigures { last_run, runs_unfinished, imports })
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
    let lines = query_as(
        "SELECT main_nature, status, age_bucket, officer_id, cases, outstanding_cents, interest_cents \
         FROM daily_snapshots WHERE as_of = $1 ORDER BY main_nature, status, age_bucket, officer_id",
    )
    .bind(as_of)
    .fetch_all(store)
    .await?;
    Ok(lines)
}

/// What a chunk needs besides its cases.
pub struct ChunkContext<'a> {
    pub as_of: NaiveDate,
    pub reference: &'a ReferenceData,
    /// The strategy rules and the procedure policy (time-bar warning thresholds) in force.
    pub rules: &'a WorkflowRules,
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
    pub time_bar_warnings: u64,
    pub mandate_warnings: u64,
    pub mandates_expired: u64,
    pub strategies_revised: u64,
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
    judgment_served_on: Option<NaiveDate>,
    /// The judge's ruling on the increase (CMF L313-3 al. 2) and the capitalisation ordered
    /// (C. civ. 1343-2), if any (table `interest_rulings`).
    increase_points: Option<String>,
    increase_from: Option<NaiveDate>,
    capitalisation_from: Option<NaiveDate>,
    last_hash: Option<String>,
    // The debtor and the claims, for the strategy's facts and the time bars.
    employment: String,
    protection: String,
    over_indebtedness: String,
    ficp_registered: bool,
    deceased_on: Option<NaiveDate>,
    /// Nature of the largest claim; `None` for a case without a claim.
    claim_nature: Option<String>,
    claims_due_on: Option<NaiveDate>,
}

/// An agenda deadline the run may announce or flag: one not yet announced, an agency mandate
/// past its end not yet flagged, or a foreclosure/limitation announcement already made.
#[derive(sqlx::FromRow)]
struct DeadlineRow {
    id: i64,
    case_id: i64,
    code: String,
    label: String,
    due_on: NaiveDate,
    legal_basis: Option<String>,
    warn_days: i64,
    status: String,
    warned_on: Option<NaiveDate>,
    expired_on: Option<NaiveDate>,
}

/// Agenda codes of the run's own foreclosure and limitation announcements.
const FORECLOSURE_CODE: &str = "foreclosure";
const LIMITATION_CODE: &str = "limitation";
/// Agenda code of a collection-agency mandate's end (`procedure::DeadlineKind::AgencyMandateEnd`).
const MANDATE_END_CODE: &str = "agency_mandate_end";

/// The latest recommendation of a case, as the nightly run compares it.
#[derive(sqlx::FromRow)]
struct LatestRecommendation {
    case_id: i64,
    body: String,
}

/// Everything a chunk read, handed to `plan_chunk`.
struct ChunkRows<'a> {
    cases: &'a [CaseRow],
    principal_rows: &'a [(i64, NaiveDate, i64)],
    deadlines: &'a [DeadlineRow],
    procedures: &'a [ProcedureRow],
    recommendations: &'a [LatestRecommendation],
    /// (case id, what, count, text): guarantors, plans broken and active, latest assessment.
    strategy_extras: &'a [(i64, String, i64, Option<String>)],
    /// Each case's time bars: its stored state, or its history's derivation (`time_bar_states`).
    time_bars: &'a HashMap<i64, crate::time_bar_states::CaseState>,
    /// Each case's claims (rates and principals), for the interest per claim.
    claims: &'a HashMap<i64, Vec<crate::interest::ClaimRow>>,
}

/// A case's journal as the chunk extends it: the next sequence and the hash to chain to.
struct JournalTail {
    version: i64,
    hash: String,
}

impl Tx {
    /// Runs `UPDATE … WHERE … IN (ids)` over `ids` in blocks of [`ROWS_PER_STATEMENT_MAX`];
    /// `head` is the statement up to and including `IN (`.
    async fn update_ids(&mut self, head: &Builder<'_>, ids: &[i64]) -> Result<()> {
        for block in ids.chunks(ROWS_PER_STATEMENT_MAX) {
            let mut builder = head.clone();
            builder.push_list(block.iter().copied()).push(")");
            builder.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    /// Writes a chunk's work with multi-row statements, inside the chunk's transaction.
    async fn write_chunk(
        &mut self,
        work: &ChunkWork,
        as_of: NaiveDate,
        chunk: &Chunk,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // Ledger: one accrual transaction per charged case, then its postings.
        let mut transactions = Vec::with_capacity(work.charges.len());
        for (case_id, account, amount, note) in &work.charges {
            let transaction = ledger::charge(*account, *amount).map_err(refused_by_ledger)?;
            let sum: i64 = transaction.postings.iter().map(|posting| posting.amount.cents()).sum();
            assert_eq!(sum, 0, "only balanced transactions reach the ledger");
            transactions.push((*case_id, note, transaction));
        }
        let returned: Vec<(i64, i64, String)> = MultiRow::new(
            "INSERT INTO ledger_transactions (case_id, kind, booked_on, reference, actor, created_at) ",
            6,
        )
        .tail(" RETURNING id, case_id, reference")
        .fetch_all(self, &transactions, |values, (case_id, note, transaction)| {
            values.push(*case_id).push(transaction.kind.code()).push(as_of).push(note.as_str()).push(actor).push(now);
        })
        .await?;
        // A case may book several periods and accounts: its id and the reference (which names
        // the period and the account) name each returned id.
        let id_of: HashMap<(i64, String), i64> =
            returned.into_iter().map(|(id, case_id, reference)| ((case_id, reference), id)).collect();
        assert_eq!(id_of.len(), transactions.len(), "one accrual per case, period and account");
        let keys = self.audit_keys().cloned();
        let postings: Vec<(i64, i64, &str, i64, crate::audit::Seal)> = transactions
            .iter()
            .flat_map(|(case_id, note, transaction)| {
                let transaction_id = id_of[&(*case_id, (*note).clone())];
                let count = transaction.postings.len();
                let keys = keys.as_ref();
                transaction.postings.iter().enumerate().map(move |(index, posting)| {
                    // The keyed seal, as `Tx::book` writes it (`audit`).
                    let seal = crate::audit::posting_seal(
                        keys,
                        &crate::audit::PostingFields {
                            transaction_id,
                            kind: transaction.kind.code(),
                            booked_on: as_of,
                            reference: note.as_str(),
                            actor,
                            case_id: Some(*case_id),
                            account: posting.account.code(),
                            amount_cents: posting.amount.cents(),
                            index,
                            count,
                        },
                    );
                    (transaction_id, *case_id, posting.account.code(), posting.amount.cents(), seal)
                })
            })
            .collect();
        MultiRow::new("INSERT INTO ledger_postings (transaction_id, case_id, account, amount_cents, mac_key, mac) ", 6)
            .execute(self, &postings, |values, posting| {
                values
                    .push(posting.0)
                    .push(posting.1)
                    .push(posting.2)
                    .push(posting.3)
                    .push(&posting.4 .0)
                    .push(&posting.4 .1);
            })
            .await?;

        // Journal events, already chained in memory.
        self.insert_events(&work.events).await?;

        // The cases: last day accrued, journal version, and the list's amount projection.
        let updated = MultiRow::new(
            "UPDATE cases SET accrued_to = v.column2, version = v.column3, total_cents = v.column4 FROM (",
            4,
        )
        .tail(") AS v WHERE cases.id = v.column1")
        .execute(self, &work.case_updates, |values, (case_id, accrued_to, version, total_cents)| {
            values.push(*case_id).push(*accrued_to).push(*version).push(*total_cents);
        })
        .await?;
        assert_eq!(updated, work.case_updates.len() as u64, "every case of the chunk is updated once");

        let mut warned = Builder::new("UPDATE agenda_items SET warned_on = ");
        warned.push_bind(as_of).push(" WHERE id IN (");
        self.update_ids(&warned, &work.warned_items).await?;
        // Agency mandates past their end: flagged, and never announced afterwards.
        let mut expired = Builder::new("UPDATE agenda_items SET expired_on = ");
        expired.push_bind(as_of).push(", warned_on = COALESCE(warned_on, ").push_bind(as_of).push(") WHERE id IN (");
        self.update_ids(&expired, &work.expired_items).await?;
        // Foreclosure/limitation announcements replaced or no longer applying.
        let mut cancelled = Builder::new("UPDATE agenda_items SET status = 'cancelled', closed_at = ");
        cancelled.push_bind(now).push(" WHERE id IN (");
        self.update_ids(&cancelled, &work.closed_items).await?;
        MultiRow::new(
            "INSERT INTO agenda_items (case_id, kind, code, label, due_on, legal_basis, warn_days, status, created_at, \
             warned_on) ",
            10,
        )
        .execute(self, &work.time_bar_items, |values, item| {
            values
                .push(item.case_id)
                .push("deadline")
                .push(item.code)
                .push(item.label.as_str())
                .push(item.due_on)
                .push(item.legal_basis.as_str())
                .push(i64::from(item.threshold_days))
                .push("open")
                .push(now)
                .push(as_of);
        })
        .await?;

        // New recommendations, as `Tx::store_recommendation` writes one: the proposed one
        // superseded, its planned actions cancelled (not a plan's reminders), the new ones in the agenda.
        let advised: Vec<i64> = work.recommendations.iter().map(|(case_id, _)| *case_id).collect();
        let superseded =
            Builder::new("UPDATE recommendations SET status = 'superseded' WHERE status = 'proposed' AND case_id IN (");
        self.update_ids(&superseded, &advised).await?;
        let mut actions_cancelled = Builder::new("UPDATE agenda_items SET status = 'cancelled', closed_at = ");
        // A plan's reminders stay (`Tx::store_recommendation`).
        actions_cancelled
            .push_bind(now)
            .push(" WHERE kind = 'action' AND status = 'open' AND code <> 'plan_reminder' AND case_id IN (");
        self.update_ids(&actions_cancelled, &advised).await?;
        MultiRow::new(
            "INSERT INTO recommendations (case_id, rule_id, strategy, explanation, body, facts_digest, rules_version, \
             status, created_at) ",
            9,
        )
        .execute(self, &work.recommendations, |values, (case_id, recommendation)| {
            values
                .push(*case_id)
                .push(recommendation.rule_id.as_str())
                .push(recommendation.strategy.code())
                .push(recommendation.explanation.as_str())
                .push(crate::json_text(recommendation))
                .push(recommendation.facts_digest.as_str())
                .push(recommendation.rules_version.as_str())
                .push("proposed")
                .push(now);
        })
        .await?;
        let actions: Vec<(i64, &recouvre_domain::strategy::PlannedAction)> = work
            .recommendations
            .iter()
            .flat_map(|(case_id, recommendation)| recommendation.actions.iter().map(move |action| (*case_id, action)))
            .collect();
        MultiRow::new(
            "INSERT INTO agenda_items (case_id, kind, code, label, due_on, warn_days, status, created_at) ",
            8,
        )
        .execute(self, &actions, |values, (case_id, action)| {
            values
                .push(*case_id)
                .push("action")
                .push(action.code.as_str())
                .push(action.label.as_str())
                .push(action.due_on)
                .push(0_i64)
                .push("open")
                .push(now);
        })
        .await?;

        let parts: Vec<_> = work.snapshot.iter().collect();
        MultiRow::new(
            "INSERT INTO batch_snapshot_parts (as_of, chunk_no, main_nature, status, age_bucket, officer_id, \
             cases, outstanding_cents, interest_cents) ",
            9,
        )
        .execute(self, &parts, |values, part| {
            let ((nature, status, bucket, officer_id), (cases, outstanding_cents, interest_cents)) = part;
            values
                .push(as_of)
                .push(chunk.chunk_no)
                .push(nature.as_str())
                .push(status.as_str())
                .push(*bucket)
                .push(*officer_id)
                .push(*cases)
                .push(*outstanding_cents)
                .push(*interest_cents);
        })
        .await?;

        let stats = &work.stats;
        query(
            "UPDATE batch_chunks SET cases_seen = $3, cases_accrued = $4, interest_cents = $5, entries_booked = $6, \
             warnings_raised = $7, cases_held = $8, time_bar_warnings = $9, mandate_warnings = $10, \
             mandates_expired = $11, strategies_revised = $12 WHERE as_of = $1 AND chunk_no = $2",
        )
        .bind(as_of)
        .bind(chunk.chunk_no)
        .bind(stats.cases_seen as i64)
        .bind(stats.cases_accrued as i64)
        .bind(stats.interest_cents)
        .bind(stats.entries_booked as i64)
        .bind(stats.warnings_raised as i64)
        .bind(stats.cases_held as i64)
        .bind(stats.time_bar_warnings as i64)
        .bind(stats.mandate_warnings as i64)
        .bind(stats.mandates_expired as i64)
        .bind(stats.strategies_revised as i64)
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}

/// Does one chunk's work and marks it done, in one transaction. `None` if another process
/// completed it first (this one's lease ran out): nothing is written.
pub async fn process_chunk(store: &Store, chunk: &Chunk, context: &ChunkContext<'_>) -> Result<Option<ChunkStats>> {
    let ChunkContext { as_of, reference, rules, actor, worker, now } = *context;
    let recorded_at = to_storage_precision(now);
    // Officers' changes to these cases wait for the chunk (a few hundred milliseconds): on
    // PostgreSQL the cases are locked by a statement of their own, BEFORE they are read. Read
    // with the lock in one statement, a case changed while the lock waited came back with its
    // new version (the locked row is re-read) but its journal's last event from the statement's
    // older snapshot — a version with no event. The read after the lock is a new statement, so
    // it sees every change committed before the lock was granted. On SQLite the mark below
    // already took the single write lock.
    let lock_cases = match store.engine() {
        Engine::Postgres => Some(
            "SELECT c.id FROM cases c WHERE c.id BETWEEN $1 AND $2 AND c.status <> 'closed' ORDER BY c.id FOR UPDATE",
        ),
        Engine::Sqlite => None,
    };
    let cases_sql = "\
        SELECT c.id, c.status, c.main_nature, c.opened_on, c.accrued_to, c.officer_id, c.version, c.total_cents, \
         c.judgment_served_on, r.increase_points, r.increase_from, r.capitalisation_from, e.hash AS last_hash, \
         p.employment, p.protection, p.over_indebtedness, p.ficp_registered, p.deceased_on, \
         (SELECT nature FROM claims WHERE case_id = c.id ORDER BY principal_cents DESC, id LIMIT 1) AS claim_nature, \
         (SELECT MIN(due_on) FROM claims WHERE case_id = c.id) AS claims_due_on \
         FROM cases c JOIN persons p ON p.id = c.debtor_id \
         LEFT JOIN case_events e ON e.case_id = c.id AND e.sequence = c.version \
         LEFT JOIN interest_rulings r ON r.case_id = c.id \
         WHERE c.id BETWEEN $1 AND $2 AND c.status <> 'closed' ORDER BY c.id";
    let procedures_sql = format!(
        "SELECT {} FROM procedures WHERE case_id BETWEEN $1 AND $2 ORDER BY case_id, id",
        workflow::PROCEDURE_COLUMNS
    );
    let mut tx = store.begin().await?;
    // First statement: takes the chunk (and, on SQLite, the write lock) or finds it done.
    let marked = query(
        "UPDATE batch_chunks SET done_at = $3, done_by = $4 WHERE as_of = $1 AND chunk_no = $2 AND done_at IS NULL",
    )
    .bind(as_of)
    .bind(chunk.chunk_no)
    .bind(now)
    .bind(worker)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if marked == 0 {
        return Ok(None);
    }
    if let Some(lock_cases) = lock_cases {
        let _locked: Vec<(i64,)> =
            query_as(lock_cases).bind(chunk.first_case_id).bind(chunk.last_case_id).fetch_all(&mut tx).await?;
    }
    let cases: Vec<CaseRow> =
        query_as(cases_sql).bind(chunk.first_case_id).bind(chunk.last_case_id).fetch_all(&mut tx).await?;
    // Capital per case and booking day, for the cases that have days to accrue.
    let principal_rows: Vec<(i64, NaiveDate, i64)> = query_as(
        "SELECT p.case_id, t.booked_on, CAST(SUM(p.amount_cents) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE p.case_id BETWEEN $1 AND $2 AND p.account = 'principal' \
         GROUP BY p.case_id, t.booked_on ORDER BY p.case_id, t.booked_on",
    )
    .bind(chunk.first_case_id)
    .bind(chunk.last_case_id)
    .fetch_all(&mut tx)
    .await?;
    let deadlines: Vec<DeadlineRow> = query_as(
        "SELECT id, case_id, code, label, due_on, legal_basis, warn_days, status, warned_on, expired_on \
         FROM agenda_items WHERE case_id BETWEEN $1 AND $2 AND kind = 'deadline' AND (\
         (status = 'open' AND (warned_on IS NULL \
         OR (code = 'agency_mandate_end' AND expired_on IS NULL AND due_on < $3))) \
         OR code IN ('foreclosure', 'limitation')) \
         ORDER BY case_id, due_on, id",
    )
    .bind(chunk.first_case_id)
    .bind(chunk.last_case_id)
    .bind(as_of)
    .fetch_all(&mut tx)
    .await?;
    // What the time bars and the strategy's facts need: the procedures under way…
    let procedures: Vec<ProcedureRow> =
        query_as(&procedures_sql).bind(chunk.first_case_id).bind(chunk.last_case_id).fetch_all(&mut tx).await?;
    // …and, for the cases the engine already advised on, the latest advice and the rest of
    // the facts (two more reads, only for chunks holding such cases).
    let recommendations: Vec<LatestRecommendation> = query_as(
        "SELECT r.case_id, r.body FROM recommendations r WHERE r.case_id BETWEEN $1 AND $2 \
         AND r.id = (SELECT MAX(x.id) FROM recommendations x WHERE x.case_id = r.case_id) ORDER BY r.case_id",
    )
    .bind(chunk.first_case_id)
    .bind(chunk.last_case_id)
    .fetch_all(&mut tx)
    .await?;
    let strategy_extras: Vec<(i64, String, i64, Option<String>)> = if recommendations.is_empty() {
        Vec::new()
    } else {
        query_as(
            "SELECT case_id, 'guarantors' AS what, CAST(COUNT(*) AS BIGINT) AS n, CAST(NULL AS TEXT) AS text \
             FROM case_parties WHERE case_id BETWEEN $1 AND $2 AND role = 'guarantor' GROUP BY case_id \
             UNION ALL SELECT case_id, 'guarantors', CAST(COUNT(*) AS BIGINT), CAST(NULL AS TEXT) \
             FROM guarantees WHERE case_id BETWEEN $1 AND $2 AND kind IN ('personal_surety', 'guarantee_body') \
             GROUP BY case_id \
             UNION ALL SELECT case_id, 'plans_broken', CAST(SUM(CASE WHEN status = 'lapsed' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(NULL AS TEXT) FROM payment_plans WHERE case_id BETWEEN $1 AND $2 GROUP BY case_id \
             UNION ALL SELECT case_id, 'plans_active', CAST(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(NULL AS TEXT) FROM payment_plans WHERE case_id BETWEEN $1 AND $2 GROUP BY case_id \
             UNION ALL SELECT a.case_id, 'assessment', CAST(0 AS BIGINT), a.result FROM assessments a \
             WHERE a.case_id BETWEEN $1 AND $2 \
             AND a.id = (SELECT MAX(x.id) FROM assessments x WHERE x.case_id = a.case_id)",
        )
        .bind(chunk.first_case_id)
        .bind(chunk.last_case_id)
        .fetch_all(&mut tx)
        .await?
    };
    // …and each case's time bars, as stored by the writes that moved them (issue 18; one read).
    let time_bars = chunk_time_bars(&mut tx, chunk, &cases, as_of, now).await?;
    // …and the claims, whose rates the interest follows (one read).
    let claims = tx.claim_rows(chunk.first_case_id, chunk.last_case_id).await?;
    let rows = ChunkRows {
        claims: &claims,
        time_bars: &time_bars,
        cases: &cases,
        principal_rows: &principal_rows,
        deadlines: &deadlines,
        procedures: &procedures,
        recommendations: &recommendations,
        strategy_extras: &strategy_extras,
    };
    let work = plan_chunk(&rows, as_of, reference, rules, actor, recorded_at)?;
    tx.write_chunk(&work, as_of, chunk, actor, now).await?;
    let book_to = claim_interest::last_month_end(as_of);
    for case_id in &work.settle_after {
        tx.settle_month_end(*case_id, book_to, actor, now).await?;
    }
    tx.commit().await?;
    let stats = work.stats;
    Ok(Some(stats))
}

/// The time bars of a chunk's cases on `as_of`: the stored states (one read), and for the cases
/// whose state is missing (a database older than the table, `time_bar_states`) or does not cover
/// `as_of` (an open suspension reached its cap), a derivation from the history, stored — unless
/// the night is for a day before the stored state's latest event (a late run), when it is only
/// derived. Cases without claims have none.
async fn chunk_time_bars(
    tx: &mut Tx,
    chunk: &Chunk,
    cases: &[CaseRow],
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> Result<HashMap<i64, crate::time_bar_states::CaseState>> {
    let mut states = tx.stored_case_time_bars(chunk.first_case_id, chunk.last_case_id).await?;
    let (mut renew, mut derive_only) = (HashSet::new(), HashSet::new());
    for case in cases.iter().filter(|case| case.claims_due_on.is_some()) {
        match states.get(&case.id) {
            Some(state) if state.validity.holds_on(as_of) => {}
            Some(state) if state.validity.derived_through.is_some_and(|from| as_of < from) => {
                derive_only.insert(case.id);
            }
            _ => {
                renew.insert(case.id);
            }
        }
    }
    if !renew.is_empty() {
        let derived = tx.store_time_bars(chunk.first_case_id, chunk.last_case_id, Some(&renew), as_of, now).await?;
        states.extend(derived.cases);
    }
    if !derive_only.is_empty() {
        let derived = tx.derive_time_bars(chunk.first_case_id, chunk.last_case_id, Some(&derive_only), as_of).await?;
        states.extend(derived.cases);
    }
    Ok(states)
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
    /// Agency mandates found past their end.
    expired_items: Vec<i64>,
    /// Foreclosure/limitation announcements replaced by a tighter one, or whose date no longer
    /// applies (moved, or no foreclosure once a title or a court claim exists).
    closed_items: Vec<i64>,
    /// New foreclosure/limitation announcements in the agenda.
    time_bar_items: Vec<TimeBarItem>,
    /// New recommendations of the strategy engine.
    recommendations: Vec<(i64, Recommendation)>,
    /// Cases whose interest is booked after the writes, capitalisation cutting their year.
    settle_after: Vec<i64>,
    snapshot: BTreeMap<SnapshotKey, SnapshotSums>,
    stats: ChunkStats,
}

/// A foreclosure or limitation date announced in the agenda, at a threshold.
struct TimeBarItem {
    case_id: i64,
    code: &'static str,
    label: String,
    due_on: NaiveDate,
    legal_basis: String,
    threshold_days: u32,
}

fn day_month_year(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn plan_chunk(
    rows: &ChunkRows<'_>,
    as_of: NaiveDate,
    reference: &ReferenceData,
    rules: &WorkflowRules,
    actor: &str,
    recorded_at: DateTime<Utc>,
) -> Result<ChunkWork> {
    let mut timelines: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
    for (case_id, booked_on, cents) in rows.principal_rows {
        timelines.entry(*case_id).or_default().push((*booked_on, *cents));
    }
    let mut deadlines_of: HashMap<i64, Vec<&DeadlineRow>> = HashMap::new();
    for deadline in rows.deadlines {
        deadlines_of.entry(deadline.case_id).or_default().push(deadline);
    }
    let mut procedures_of: HashMap<i64, Vec<ProcedureRow>> = HashMap::new();
    for procedure in rows.procedures {
        procedures_of.entry(procedure.case_id).or_default().push(procedure.clone());
    }
    let latest_of: HashMap<i64, &str> =
        rows.recommendations.iter().map(|latest| (latest.case_id, latest.body.as_str())).collect();
    // (guarantors, plans broken, plans active, latest assessment) per case.
    let mut extras_of: HashMap<i64, (i64, i64, i64, Option<&str>)> = HashMap::new();
    for (case_id, what, count, text) in rows.strategy_extras {
        let extras = extras_of.entry(*case_id).or_insert((0, 0, 0, None));
        match what.as_str() {
            "guarantors" => extras.0 += count,
            "plans_broken" => extras.1 += count,
            "plans_active" => extras.2 += count,
            _ => extras.3 = text.as_deref(),
        }
    }
    let thresholds = &rules.procedure.time_bar_warning_days;
    let mut work = ChunkWork {
        charges: Vec::new(),
        events: Vec::new(),
        case_updates: Vec::new(),
        warned_items: Vec::new(),
        expired_items: Vec::new(),
        closed_items: Vec::new(),
        time_bar_items: Vec::new(),
        recommendations: Vec::new(),
        settle_after: Vec::new(),
        snapshot: BTreeMap::new(),
        stats: ChunkStats::default(),
    };
    for case in rows.cases {
        work.stats.cases_seen += 1;
        let mut tail = JournalTail {
            version: case.version,
            hash: case.last_hash.clone().unwrap_or_else(|| GENESIS_HASH.to_string()),
        };
        assert!(case.version == 0 || case.last_hash.is_some(), "case {} has a version but no event", case.id);
        let mut append = |tail: &mut JournalTail, kind: EventKind, payload: String| {
            let event = seal(
                &tail.hash,
                NewEvent {
                    case_id: case.id,
                    sequence: tail.version + 1,
                    kind: kind.code(),
                    payload: &payload,
                    actor,
                    recorded_at,
                },
                crate::journal::new_salt,
            );
            tail.version = event.sequence;
            tail.hash = event.hash.clone();
            work.events.push(event);
        };

        // 1. Interest per claim, booked up to the last month end on or before the run's date
        //    (the bank's arrêté; issue 18): the contract's rate on the outstanding capital
        //    (C. consom. L312-38, L313-51), the statutory rate from the formal notice otherwise
        //    (C. civ. 1231-6; CMF L313-2), five points more from two months after the decision
        //    became enforceable (L313-3); none while over-indebtedness suspends it. On the other
        //    nights a case whose month is booked costs no row.
        let after = case.accrued_to.unwrap_or(case.opened_on);
        let book_to = claim_interest::last_month_end(as_of);
        let mut accrued_to = case.accrued_to;
        let mut interest_cents = 0_i64;
        // A case whose judgment ordered capitalisation (C. civ. 1343-2) is booked after the
        // chunk's writes by `Tx::settle_interest`, which cuts the year at each anniversary.
        if case.capitalisation_from.is_some() && case.opened_on < as_of && after < book_to {
            work.settle_after.push(case.id);
        } else if case.opened_on < as_of && after < book_to {
            let timeline = timelines.get(&case.id).map(Vec::as_slice).unwrap_or(&[]);
            let state = rows.time_bars.get(&case.id);
            let claim_rows: Vec<&crate::interest::ClaimRow> =
                rows.claims.get(&case.id).map(|claims| claims.iter().collect()).unwrap_or_default();
            let increase = match case.increase_points.as_deref() {
                Some(points) => claim_interest::IncreaseKept {
                    points: points.parse().map_err(|_| {
                        StoreError::Corrupt(format!(
                            "points de majoration « {points} » illisibles sur le dossier {}",
                            case.id
                        ))
                    })?,
                    from: case.increase_from,
                },
                None => claim_interest::IncreaseKept::FULL,
            };
            let facts = crate::interest::RateFacts {
                formal_notice_on: state.and_then(|state| state.formal_notice_on),
                enforceable_on: case.judgment_served_on,
                increase,
            };
            let terms = crate::interest::claim_terms(&claim_rows, facts)?;
            let projection = claim_interest::project(
                |day| crate::interest::capital_on(timeline, day),
                &terms,
                after,
                book_to,
                reference,
            );
            if let Some(held_from) = projection.held_from {
                work.stats.cases_held += 1;
                work.stats.first_held_day = work.stats.first_held_day.min(Some(held_from)).or(Some(held_from));
            }
            if projection.accrued_to > after {
                accrued_to = Some(projection.accrued_to);
                // L722-2 C. consom.: an admissible over-indebtedness file suspends the days.
                let suspended = case.status == "suspended";
                if !suspended && !projection.bookings.is_empty() {
                    for ((from, to, account), claims) in bookings_by_period(&projection.bookings) {
                        let amount: Money = claims.iter().map(|booking| booking.interest).sum();
                        let days = claims.iter().map(|booking| booking.days).max().unwrap_or(0);
                        let payload = json!({
                            "from": from, "to": to, "days": days, "account": account.code(), "amount": amount,
                            "claims": claims.iter().map(|booking| json!({
                                "claim_id": booking.claim_id, "days": booking.days, "amount": booking.interest,
                            })).collect::<Vec<_>>(),
                        });
                        append(&mut tail, EventKind::InterestAccrued, payload.to_string());
                        let what = match account {
                            Account::ContractualInterest => "intérêts conventionnels",
                            _ => "intérêts au taux légal",
                        };
                        let note = format!("{what} du {} au {}", day_month_year(from), day_month_year(to));
                        work.charges.push((case.id, account, amount, note));
                        interest_cents += amount.cents();
                    }
                    work.stats.cases_accrued += 1;
                    work.stats.interest_cents += interest_cents;
                }
            }
        }
        let total_cents = case.total_cents + interest_cents;

        // 2. Legal deadlines coming due, announced once (warn_days before, or when found late);
        //    none while over-indebtedness suspends the case, except the agency's mandate, which
        //    is not an enforcement deadline: announced before its end, flagged once past it.
        let case_deadlines = deadlines_of.get(&case.id).map(Vec::as_slice).unwrap_or(&[]);
        for deadline in case_deadlines {
            if matches!(deadline.code.as_str(), FORECLOSURE_CODE | LIMITATION_CODE) {
                continue;
            }
            let mandate = deadline.code == MANDATE_END_CODE;
            if case.status == "suspended" && !mandate {
                continue;
            }
            if mandate && deadline.due_on < as_of {
                if deadline.status == "open" && deadline.expired_on.is_none() {
                    let payload = json!({
                        "agenda_item_id": deadline.id, "label": deadline.label, "due_on": deadline.due_on,
                        "legal_basis": deadline.legal_basis, "days_past": (as_of - deadline.due_on).num_days(),
                    });
                    append(&mut tail, EventKind::AgencyMandateExpired, payload.to_string());
                    work.expired_items.push(deadline.id);
                    work.stats.mandates_expired += 1;
                }
                continue;
            }
            if deadline.warned_on.is_some() {
                continue;
            }
            let warn_from = deadline.due_on - chrono::Duration::days(deadline.warn_days.max(0));
            if warn_from > as_of {
                continue;
            }
            let days_left = (deadline.due_on - as_of).num_days();
            let payload = json!({
                "agenda_item_id": deadline.id, "label": deadline.label, "due_on": deadline.due_on,
                "legal_basis": deadline.legal_basis, "days_left": days_left,
            });
            append(&mut tail, EventKind::DeadlineWarning, payload.to_string());
            work.warned_items.push(deadline.id);
            if mandate {
                work.stats.mandate_warnings += 1;
            } else {
                work.stats.warnings_raised += 1;
            }
        }

        let nature = match case.claim_nature.as_deref() {
            Some(code) => Some(ClaimNature::from_code(code).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "nature de créance « {code} » inconnue sur le dossier {} : corrigez la créance puis relancez le traitement",
                    case.id
                ))
            })?),
            None => None,
        };
        if let (Some(nature), Some(due_on)) = (nature, case.claims_due_on) {
            let case_procedures = procedures_of.get(&case.id).map(Vec::as_slice).unwrap_or(&[]);

            // 3. Foreclosure (C. consom. R312-35) and limitation coming: announced at each
            //    threshold of the procedure policy, once (journal and agenda).
            //    The dates come from the case's history: payments, court claims, titles,
            //    enforcement acts and suspensions, as stored by the writes that recorded them
            //    (`time_bar_states`).
            let time_bars = &rows
                .time_bars
                .get(&case.id)
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("dossier {} : échéances de prescription absentes", case.id))
                })?
                .bars;
            let bars = [
                (
                    FORECLOSURE_CODE,
                    time_bars.foreclosure_date,
                    "C. consom. R312-35".to_string(),
                    EventKind::ForeclosureWarning,
                ),
                (
                    LIMITATION_CODE,
                    time_bars.limitation_date,
                    time_bars.limitation_basis.clone(),
                    EventKind::LimitationWarning,
                ),
            ];
            for (code, date, legal_basis, kind) in bars {
                let announced: Vec<&&DeadlineRow> = case_deadlines.iter().filter(|item| item.code == code).collect();
                // An announcement whose date no longer applies leaves the agenda.
                for item in &announced {
                    if item.status == "open" && Some(item.due_on) != date {
                        work.closed_items.push(item.id);
                    }
                }
                let Some(date) = date else { continue };
                let warned: Vec<u32> = announced
                    .iter()
                    .filter(|item| item.due_on == date)
                    .map(|item| u32::try_from(item.warn_days).unwrap_or(0))
                    .collect();
                let Some(threshold) = time_bar::threshold_due(date, as_of, thresholds, &warned) else { continue };
                // The tighter announcement replaces the earlier one in the agenda.
                for item in &announced {
                    if item.status == "open" && item.due_on == date {
                        work.closed_items.push(item.id);
                    }
                }
                let days_left = (date - as_of).num_days();
                let label = if code == FORECLOSURE_CODE {
                    format!("Forclusion le {} : former la demande en justice avant", day_month_year(date))
                } else {
                    format!(
                        "Prescription le {} : l'interrompre avant (demande en justice, acte d'exécution, reconnaissance de dette)",
                        day_month_year(date)
                    )
                };
                let payload = json!({
                    "date": date, "days_left": days_left, "threshold_days": threshold, "legal_basis": legal_basis,
                    "label": label,
                });
                append(&mut tail, kind, payload.to_string());
                work.time_bar_items.push(TimeBarItem {
                    case_id: case.id,
                    code,
                    label,
                    due_on: date,
                    legal_basis,
                    threshold_days: threshold,
                });
                work.stats.time_bar_warnings += 1;
            }

            // 4. The strategy, for the cases the engine advised on: re-evaluated on the facts of
            //    tonight (the debt moved with the interest; steps, assessments, plans may have
            //    changed), the rules in force and the run's date; a new recommendation only when
            //    the advice differs (`Recommendation::same_advice`).
            if let Some(latest) = latest_of.get(&case.id) {
                let (guarantors, plans_broken, plans_active, assessment) =
                    extras_of.get(&case.id).copied().unwrap_or((0, 0, 0, None));
                let facts = workflow::facts_from(
                    &FactRows {
                        nature,
                        due_on,
                        debt_cents: total_cents,
                        employment: &case.employment,
                        protection: &case.protection,
                        over_indebtedness: &case.over_indebtedness,
                        ficp_registered: case.ficp_registered,
                        deceased_on: case.deceased_on,
                        procedures: case_procedures,
                        guarantors,
                        plans_broken,
                        plans_active,
                        latest_assessment: assessment,
                        time_bars,
                    },
                    as_of,
                )?;
                let recommendation = strategy::recommend(&rules.strategy, &facts, as_of);
                let previous: Recommendation = serde_json::from_str(latest).map_err(|error| {
                    StoreError::Corrupt(format!(
                        "recommandation illisible sur le dossier {} ({error}) : relancez l'évaluation de la stratégie du dossier",
                        case.id
                    ))
                })?;
                if !recommendation.same_advice(&previous) {
                    // No recommendation id here: it is known only once written, and a rerun
                    // after a crash must write the very same journal.
                    let payload = json!({
                        "rule": recommendation.rule_id, "strategy": recommendation.strategy.code(),
                        "explanation": recommendation.explanation, "warnings": recommendation.warnings,
                        "rules_version": recommendation.rules_version, "evaluated_on": as_of,
                        "previous_rule": previous.rule_id,
                    });
                    append(&mut tail, EventKind::StrategyRecommended, payload.to_string());
                    work.recommendations.push((case.id, recommendation));
                    work.stats.strategies_revised += 1;
                }
            }
        }

        if accrued_to != case.accrued_to || tail.version != case.version {
            work.case_updates.push((case.id, accrued_to.unwrap_or(after), tail.version, total_cents));
        }

        // 5. The case's share of the day's snapshot — unless it was opened after that day (a
        // late run for D describes the portfolio of D: issue 18, cut-offs).
        if case.opened_on <= as_of {
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
    }
    work.stats.entries_booked = work.charges.len() as u64;
    Ok(work)
}

/// A case's bookings grouped by (first day, last day, account), in date order: one ledger
/// transaction and one journal event each.
fn bookings_by_period(bookings: &[ClaimBooking]) -> BTreeMap<(NaiveDate, NaiveDate, Account), Vec<&ClaimBooking>> {
    let mut grouped: BTreeMap<(NaiveDate, NaiveDate, Account), Vec<&ClaimBooking>> = BTreeMap::new();
    for booking in bookings {
        grouped.entry((booking.from, booking.to, booking.account)).or_default().push(booking);
    }
    grouped
}
