//! The case journal on disk: append (inside the caller's transaction, [`Tx::append_event`]),
//! read, verify.

use chrono::{DateTime, Utc};
use recouvre_domain::journal::{
    seal, to_storage_precision, verify_chain, ChainBreak, EventKind, JournalEvent, NewEvent as SealedFields,
    GENESIS_HASH,
};

use crate::db::{query, query_as, query_scalar, MultiRow};
use crate::{Result, StaleChange, Store, StoreError, Tx};

/// An event to append to a case's journal with [`Tx::append_event`].
#[derive(Clone, Debug)]
pub(crate) struct CaseEvent<'a> {
    pub case_id: i64,
    /// The version the actor saw (`Some`), or `None` for system acts that do not depend on what
    /// was on screen.
    pub expected_version: Option<i64>,
    pub kind: EventKind,
    /// The payload as stored and hashed: JSON text.
    pub payload: String,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

impl Tx {
    /// Appends one event to a case's journal inside this transaction and bumps the case's
    /// version; returns the event as sealed. A stale `expected_version` yields
    /// `StoreError::Stale` naming the changes made meanwhile (the caller then drops the
    /// transaction, which rolls everything back).
    pub(crate) async fn append_event(&mut self, event: CaseEvent<'_>) -> Result<JournalEvent> {
        let CaseEvent { case_id, expected_version, kind, payload, actor, now } = event;
        let recorded_at = to_storage_precision(now);
        // The update comes first: on PostgreSQL it locks the case's row, so two writers of one
        // case are serialised here (SQLite's write transactions are serialised already).
        let bumped: Option<i64> = query_scalar(
            "UPDATE cases SET version = version + 1 \
             WHERE id = $1 AND (CAST($2 AS BIGINT) IS NULL OR version = CAST($2 AS BIGINT)) \
             RETURNING version",
        )
        .bind(case_id)
        .bind(expected_version)
        .fetch_optional(&mut *self)
        .await?;
        let Some(sequence) = bumped else {
            return Err(self.stale_change(case_id, expected_version).await?);
        };
        let previous_hash: String = if sequence == 1 {
            GENESIS_HASH.to_string()
        } else {
            query_scalar("SELECT hash FROM case_events WHERE case_id = $1 AND sequence = $2")
                .bind(case_id)
                .bind(sequence - 1)
                .fetch_one(&mut *self)
                .await?
        };
        let event = seal(
            &previous_hash,
            SealedFields { case_id, sequence, kind: kind.code(), payload: &payload, actor, recorded_at },
        );
        query(
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
        .execute(&mut *self)
        .await?;
        Ok(event)
    }

    /// Why a change quoting `expected_version` of a case cannot be made: the case is unknown,
    /// or these events were recorded since.
    async fn stale_change(&mut self, case_id: i64, expected_version: Option<i64>) -> Result<StoreError> {
        let current: Option<i64> =
            query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut *self).await?;
        let Some(current_version) = current else {
            return Ok(StoreError::not_found(format!("dossier n° {case_id}")));
        };
        let expected_version = expected_version.unwrap_or(current_version);
        let changes: Vec<(i64, String, String, DateTime<Utc>)> = query_as(
            "SELECT sequence, kind, actor, recorded_at FROM case_events \
             WHERE case_id = $1 AND sequence > $2 ORDER BY sequence",
        )
        .bind(case_id)
        .bind(expected_version)
        .fetch_all(&mut *self)
        .await?;
        Ok(StoreError::Stale(StaleChange { case_id, expected_version, current_version, changes }))
    }

    /// Inserts journal events already sealed in memory (`recouvre_domain::journal::seal`), in
    /// order, with multi-row statements; the caller keeps `cases.version` in step.
    pub(crate) async fn insert_events(&mut self, events: &[JournalEvent]) -> Result<u64> {
        MultiRow::new(
            "INSERT INTO case_events (case_id, sequence, kind, payload, actor, recorded_at, previous_hash, hash) ",
            8,
        )
        .execute(self, events, |values, event| {
            values
                .push(event.case_id)
                .push(event.sequence)
                .push(&event.kind)
                .push(&event.payload)
                .push(&event.actor)
                .push(event.recorded_at)
                .push(&event.previous_hash)
                .push(&event.hash);
        })
        .await
    }
}

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
    let rows: Vec<EventRow> = query_as(&sql).bind(case_id).fetch_all(store).await?;
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
        let rows: Vec<EventRow> =
            query_as(&sql).bind(after_case).bind(after_sequence).bind(PAGE_EVENTS).fetch_all(store).await?;
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
    let truncated: Option<(i64, i64, i64)> = query_as(
        "SELECT c.id, COALESCE(e.last_sequence, 0), c.version FROM cases c \
         LEFT JOIN (SELECT case_id, MAX(sequence) AS last_sequence FROM case_events GROUP BY case_id) e \
         ON e.case_id = c.id WHERE COALESCE(e.last_sequence, 0) <> c.version ORDER BY c.id LIMIT 1",
    )
    .fetch_optional(store)
    .await?;
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
