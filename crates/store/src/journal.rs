//! The case journal on disk: append (inside the caller's transaction), read, verify.

use chrono::{DateTime, Utc};
use recouvre_domain::journal::{verify_chain, ChainBreak, JournalEvent};

use crate::{on_engine, Result, Store};

/// Appends one event to a case's journal inside the caller's transaction and bumps the case's
/// version. `$expected` is the version the actor saw (`Some`), or `None` for system acts that
/// do not depend on what was on screen. A stale version yields `StoreError::Stale` naming the
/// changes made meanwhile, and the caller's transaction is rolled back with it.
///
/// Written as a macro so that one text serves both engines' transaction types.
macro_rules! append_event {
    ($conn:expr, $case_id:expr, $expected:expr, $kind:expr, $payload:expr, $actor:expr, $now:expr) => {{
        let case_id: i64 = $case_id;
        let expected_version: Option<i64> = $expected;
        let kind: &str = $kind;
        let payload: String = $payload;
        let actor: &str = $actor;
        let recorded_at = recouvre_domain::journal::to_storage_precision($now);
        // The update comes first: on SQLite it takes the write lock at once, on PostgreSQL it
        // locks the case's row, so two writers of one case are serialised here.
        let bumped: Option<i64> = sqlx::query_scalar(
            "UPDATE cases SET version = version + 1 \
             WHERE id = $1 AND (CAST($2 AS BIGINT) IS NULL OR version = CAST($2 AS BIGINT)) \
             RETURNING version",
        )
        .bind(case_id)
        .bind(expected_version)
        .fetch_optional(&mut *$conn)
        .await?;
        let sequence = match bumped {
            Some(sequence) => sequence,
            None => {
                let current: Option<i64> = sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
                    .bind(case_id)
                    .fetch_optional(&mut *$conn)
                    .await?;
                let Some(current_version) = current else {
                    return Err($crate::StoreError::not_found(format!("dossier n° {case_id}")));
                };
                let expected_version = expected_version.unwrap_or(current_version);
                let rows: Vec<(i64, String, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "SELECT sequence, kind, actor, recorded_at FROM case_events \
                     WHERE case_id = $1 AND sequence > $2 ORDER BY sequence",
                )
                .bind(case_id)
                .bind(expected_version)
                .fetch_all(&mut *$conn)
                .await?;
                return Err($crate::StoreError::Stale($crate::StaleChange {
                    case_id,
                    expected_version,
                    current_version,
                    changes: rows,
                }));
            }
        };
        let previous_hash: String = if sequence == 1 {
            recouvre_domain::journal::GENESIS_HASH.to_string()
        } else {
            sqlx::query_scalar("SELECT hash FROM case_events WHERE case_id = $1 AND sequence = $2")
                .bind(case_id)
                .bind(sequence - 1)
                .fetch_one(&mut *$conn)
                .await?
        };
        let event = recouvre_domain::journal::seal(
            &previous_hash,
            recouvre_domain::journal::NewEvent { case_id, sequence, kind, payload: &payload, actor, recorded_at },
        );
        sqlx::query(
            "INSERT INTO case_events (case_id, sequence, kind, payload, actor, recorded_at, previous_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(event.case_id)
        .bind(event.sequence)
        .bind(&event.kind)
        .bind(&event.payload)
        .bind(&event.actor)
        .bind(event.recorded_at)
        .bind(&event.previous_hash)
        .bind(&event.hash)
        .execute(&mut *$conn)
        .await?;
        event
    }};
}
pub(crate) use append_event;

#[derive(sqlx::FromRow)]
struct EventRow {
    case_id: i64,
    sequence: i64,
    kind: String,
    payload: String,
    actor: String,
    recorded_at: DateTime<Utc>,
    previous_hash: String,
    hash: String,
}

impl From<EventRow> for JournalEvent {
    fn from(row: EventRow) -> JournalEvent {
        JournalEvent {
            case_id: row.case_id,
            sequence: row.sequence,
            kind: row.kind,
            payload: row.payload,
            actor: row.actor,
            recorded_at: row.recorded_at,
            previous_hash: row.previous_hash,
            hash: row.hash,
        }
    }
}

const EVENT_COLUMNS: &str = "case_id, sequence, kind, payload, actor, recorded_at, previous_hash, hash";

/// A case's journal, oldest first.
pub async fn events(store: &Store, case_id: i64) -> Result<Vec<JournalEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY sequence");
    let rows: Vec<EventRow> = on_engine!(store, |pool| sqlx::query_as(&sql).bind(case_id).fetch_all(pool).await?);
    Ok(rows.into_iter().map(JournalEvent::from).collect())
}

/// What a full verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub cases_checked: u64,
    pub events_checked: u64,
    /// The first broken link, in case order, if any.
    pub first_break: Option<ChainBreak>,
}

/// Recomputes every case's chain, reading the journal in pages of `PAGE_EVENTS` events so
/// that a million cases fit in memory, and stops at the first broken link.
pub async fn verify_all(store: &Store) -> Result<VerifyReport> {
    const PAGE_EVENTS: i64 = 10_000;
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM case_events \
         WHERE (case_id > $1) OR (case_id = $1 AND sequence > $2) \
         ORDER BY case_id, sequence LIMIT $3"
    );
    let mut report = VerifyReport { cases_checked: 0, events_checked: 0, first_break: None };
    let mut current_case: Vec<JournalEvent> = Vec::new();
    let (mut after_case, mut after_sequence) = (0_i64, 0_i64);
    loop {
        let rows: Vec<EventRow> = on_engine!(store, |pool| sqlx::query_as(&sql)
            .bind(after_case)
            .bind(after_sequence)
            .bind(PAGE_EVENTS)
            .fetch_all(pool)
            .await?);
        let page_len = rows.len() as i64;
        for row in rows {
            let event = JournalEvent::from(row);
            (after_case, after_sequence) = (event.case_id, event.sequence);
            if current_case.first().is_some_and(|first| first.case_id != event.case_id) {
                if let Err(broken) = check_case(&mut report, &current_case) {
                    report.first_break = Some(broken);
                    return Ok(report);
                }
                current_case.clear();
            }
            current_case.push(event);
        }
        if page_len < PAGE_EVENTS {
            break;
        }
    }
    if !current_case.is_empty() {
        if let Err(broken) = check_case(&mut report, &current_case) {
            report.first_break = Some(broken);
            return Ok(report);
        }
    }
    // An intact chain can still have lost its last events: each case's version must be its
    // last event's number.
    let truncated: Option<(i64, i64, i64)> = on_engine!(store, |pool| sqlx::query_as(
        "SELECT c.id, COALESCE(e.last_sequence, 0), c.version FROM cases c \
         LEFT JOIN (SELECT case_id, MAX(sequence) AS last_sequence FROM case_events GROUP BY case_id) e \
         ON e.case_id = c.id WHERE COALESCE(e.last_sequence, 0) <> c.version ORDER BY c.id LIMIT 1"
    )
    .fetch_optional(pool)
    .await?);
    if let Some((case_id, last_sequence, version)) = truncated {
        report.first_break = Some(ChainBreak::Truncated { case_id, last_sequence, version });
    }
    Ok(report)
}

fn check_case(report: &mut VerifyReport, events: &[JournalEvent]) -> Result<(), ChainBreak> {
    report.cases_checked += 1;
    report.events_checked += events.len() as u64;
    verify_chain(events)
}
