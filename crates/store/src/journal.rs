//! The case journal on disk: append (inside the caller's transaction, [`Tx::append_event`]),
//! read, verify.

use chrono::{DateTime, Utc};
use rand::RngCore;
use recouvre_domain::journal::{
    legacy_seal_digest, personal_digest, seal, split_payload, to_storage_precision, verify_chain, ChainBreak,
    EventKind, JournalEvent, LegacySeal, NewEvent as SealedFields, GENESIS_HASH, LEGACY_ENVELOPE, SALT_BYTES,
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
    /// The whole payload, JSON text: the personal fields of its kind are kept apart when it is
    /// sealed (`EventKind::personal_fields`).
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
            new_salt,
        );
        // The link's keyed seal (`audit`): what a database administrator cannot recompute.
        let (mac_key, mac) = crate::audit::event_seal(self.audit_keys(), event.case_id, event.sequence, &event.hash);
        query(
            "INSERT INTO case_events (case_id, sequence, kind, payload, personal, personal_salt, personal_digest, \
             envelope, actor, recorded_at, previous_hash, hash, mac_key, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(event.case_id)
        .bind(event.sequence)
        .bind(&event.kind)
        .bind(&event.payload)
        .bind(&event.personal)
        .bind(&event.personal_salt)
        .bind(&event.personal_digest)
        .bind(i32::from(event.envelope))
        .bind(&event.actor)
        .bind(event.recorded_at)
        .bind(&event.previous_hash)
        .bind(&event.hash)
        .bind(mac_key)
        .bind(mac)
        .execute(&mut *self)
        .await?;
        // A procedure step, a claim or a plan can move the case's time bars: their stored state
        // is re-derived in this transaction (`time_bar_states`).
        if kind.moves_time_bars() {
            self.refresh_time_bars(case_id, now).await?;
        }
        Ok(event)
    }

    /// Why a change quoting `expected_version` of a case cannot be made: the case is unknown,
    /// or these events were recorded since.
    pub(crate) async fn stale_change(&mut self, case_id: i64, expected_version: Option<i64>) -> Result<StoreError> {
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
        let keys = self.audit_keys().cloned();
        MultiRow::new(
            "INSERT INTO case_events (case_id, sequence, kind, payload, personal, personal_salt, personal_digest, \
             envelope, actor, recorded_at, previous_hash, hash, mac_key, mac) ",
            EVENT_BIND_COLUMNS,
        )
        .execute(self, events, |values, event| {
            let (mac_key, mac) = crate::audit::event_seal(keys.as_ref(), event.case_id, event.sequence, &event.hash);
            values
                .push(event.case_id)
                .push(event.sequence)
                .push(&event.kind)
                .push(&event.payload)
                .push(&event.personal)
                .push(&event.personal_salt)
                .push(&event.personal_digest)
                .push(i32::from(event.envelope))
                .push(&event.actor)
                .push(event.recorded_at)
                .push(&event.previous_hash)
                .push(&event.hash)
                .push(mac_key)
                .push(mac);
        })
        .await
    }
}

/// A fresh random salt for the personal data of one event ([`SALT_BYTES`] bytes, hex).
pub(crate) fn new_salt() -> String {
    let mut bytes = [0_u8; SALT_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Bind parameters per event row of a multi-row insert.
pub(crate) const EVENT_BIND_COLUMNS: usize = 14;

#[derive(sqlx::FromRow)]
struct EventRow {
    case_id: i64,
    sequence: i64,
    kind: String,
    payload: String,
    personal: Option<String>,
    personal_salt: Option<String>,
    personal_digest: Option<String>,
    envelope: i32,
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
            personal: row.personal,
            personal_salt: row.personal_salt,
            personal_digest: row.personal_digest,
            envelope: i16::try_from(row.envelope).unwrap_or(i16::MAX),
            actor: row.actor,
            recorded_at: row.recorded_at,
            previous_hash: row.previous_hash,
            hash: row.hash,
        }
    }
}

const EVENT_COLUMNS: &str = "case_id, sequence, kind, payload, personal, personal_salt, personal_digest, envelope, \
    actor, recorded_at, previous_hash, hash";

/// A case's journal, oldest first.
pub async fn events(store: &Store, case_id: i64) -> Result<Vec<JournalEvent>> {
    let mut tx = store.begin_read().await?;
    let read = tx.case_events(case_id).await?;
    tx.commit().await?;
    Ok(read)
}

impl Tx {
    /// A case's journal, oldest first, read inside this transaction.
    pub async fn case_events(&mut self, case_id: i64) -> Result<Vec<JournalEvent>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY sequence");
        let rows: Vec<EventRow> = query_as(&sql).bind(case_id).fetch_all(&mut *self).await?;
        Ok(rows.into_iter().map(JournalEvent::from).collect())
    }
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
    let seals = legacy_seals(store).await?;
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
                if let Err(broken) = check_case(&mut report, &current_case, &seals) {
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
        if let Err(broken) = check_case(&mut report, &current_case, &seals) {
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

fn check_case(
    report: &mut VerifyReport,
    events: &[JournalEvent],
    seals: &std::collections::HashMap<i64, LegacySeal>,
) -> Result<(), ChainBreak> {
    report.cases_checked += 1;
    report.events_checked += events.len() as u64;
    let seal = events.first().and_then(|event| seals.get(&event.case_id));
    verify_chain(events, seal)
}

/// Every case's legacy seal. Only databases that held events before the envelope have any,
/// one per case with such events.
async fn legacy_seals(store: &Store) -> Result<std::collections::HashMap<i64, LegacySeal>> {
    let rows: Vec<(i64, i64, String)> =
        query_as("SELECT case_id, legacy_events, digest FROM journal_seals").fetch_all(store).await?;
    Ok(rows
        .into_iter()
        .map(|(case_id, legacy_events, digest)| (case_id, LegacySeal { legacy_events, digest }))
        .collect())
}

/// The seal of one case's legacy events, if it has any.
pub async fn legacy_seal(store: &Store, case_id: i64) -> Result<Option<LegacySeal>> {
    let row: Option<(i64, String)> = query_as("SELECT legacy_events, digest FROM journal_seals WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(store)
        .await?;
    Ok(row.map(|(legacy_events, digest)| LegacySeal { legacy_events, digest }))
}

/// Cases sealed per transaction of the cut-over.
const CUT_OVER_CASES_PER_TRANSACTION: i64 = 500;

/// What the cut-over did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CutOver {
    /// Cases whose legacy events were split and sealed.
    pub cases_sealed: u64,
    /// Legacy events whose personal fields were moved apart.
    pub events_split: u64,
    /// Cases left as they were because their legacy chain did not verify (`recouvre audit
    /// verify` names the break): sealing them would launder the tampering.
    pub cases_refused: Vec<(i64, String)>,
}

/// The one-time cut-over to the erasable envelope (docs/journal.md): for each case with events
/// recorded before it (`envelope = 1`) and no seal yet, checks the legacy chain as it is, moves
/// each legacy event's personal fields apart (with a salt and their digest, as new events have
/// them) and seals the split legacy events ([`legacy_seal_digest`]) in `journal_seals`, in the
/// same transaction. Hashes are not recomputed: the legacy chain keeps its links, and the seal
/// vouches for the split form. Idempotent: a sealed case is not touched again; runs as part of
/// `migrate`.
pub async fn cut_over(store: &Store, now: DateTime<Utc>) -> Result<CutOver> {
    let mut outcome = CutOver::default();
    let mut after_case = 0_i64;
    loop {
        let cases: Vec<i64> = query_scalar(
            "SELECT DISTINCT e.case_id FROM case_events e \
             WHERE e.envelope = 1 AND e.case_id > $1 \
             AND NOT EXISTS (SELECT 1 FROM journal_seals s WHERE s.case_id = e.case_id) \
             ORDER BY e.case_id LIMIT $2",
        )
        .bind(after_case)
        .bind(CUT_OVER_CASES_PER_TRANSACTION)
        .fetch_all(store)
        .await?;
        let Some(last) = cases.last() else { break };
        after_case = *last;
        let mut tx = store.begin().await?;
        for case_id in &cases {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 AND envelope = 1 ORDER BY sequence"
            );
            let rows: Vec<EventRow> = query_as(&sql).bind(*case_id).fetch_all(&mut tx).await?;
            let mut events: Vec<JournalEvent> = rows.into_iter().map(JournalEvent::from).collect();
            if let Err(broken) = verify_chain(&events, None) {
                outcome.cases_refused.push((*case_id, broken.to_string()));
                continue;
            }
            for event in &mut events {
                let fields = EventKind::from_code(&event.kind).map_or(&[][..], EventKind::personal_fields);
                let (payload, personal) = split_payload(&event.payload, fields);
                let Some(personal) = personal else { continue };
                let salt = new_salt();
                event.personal_digest = Some(personal_digest(&salt, &personal));
                event.personal_salt = Some(salt);
                event.personal = Some(personal);
                event.payload = payload;
                query(
                    "UPDATE case_events SET payload = $3, personal = $4, personal_salt = $5, personal_digest = $6 \
                     WHERE case_id = $1 AND sequence = $2 AND envelope = 1",
                )
                .bind(event.case_id)
                .bind(event.sequence)
                .bind(&event.payload)
                .bind(&event.personal)
                .bind(&event.personal_salt)
                .bind(&event.personal_digest)
                .execute(&mut tx)
                .await?;
                outcome.events_split += 1;
            }
            debug_assert!(events.iter().all(|event| event.envelope == LEGACY_ENVELOPE));
            query("INSERT INTO journal_seals (case_id, legacy_events, digest, sealed_at) VALUES ($1, $2, $3, $4)")
                .bind(*case_id)
                .bind(events.len() as i64)
                .bind(legacy_seal_digest(events.iter()))
                .bind(now)
                .execute(&mut tx)
                .await?;
            outcome.cases_sealed += 1;
        }
        tx.commit().await?;
    }
    for (case_id, reason) in &outcome.cases_refused {
        tracing::error!(case_id, %reason, "legacy journal not sealed: its chain does not verify");
    }
    Ok(outcome)
}
