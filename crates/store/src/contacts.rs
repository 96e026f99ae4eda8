//! Contacts with the debtor and promises to pay (issue 17, part 4), and the officer's own actions
//! on a case's agenda (part 5).
//!
//! A contact is a row of `case_contacts` and a `contact_recorded` event, written in one
//! transaction. A promise it carries is judged once by the nightly run ([`follow_promises`]):
//! kept when the money received on the case from the day of the contact to its due day (plus the
//! grace the plan follow-up gives an instalment) covers it, else broken — a `promise_broken`
//! event and an action on the case officer's agenda.
//!
//! An officer's action is an `agenda_items` row of kind `action` (code `officer_action`), for the
//! author or for a colleague (`assignee_id`), with an `action_planned` event; moving it is
//! `action_moved`; marking it done is `store::workflow::complete_action`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use recouvre_domain::journal::EventKind;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::ledger::RECEIVABLE_ACCOUNTS;
use crate::{Result, Store, StoreError, Tx};

/// A contact to record; its texts and dates already checked by the application layer.
#[derive(Debug, Clone)]
pub struct NewContact<'a> {
    /// `phone`, `email`, `letter`, `visit`, `sms`.
    pub channel: &'a str,
    /// `inbound` (from the debtor) or `outbound` (to the debtor).
    pub direction: &'a str,
    pub summary: &'a str,
    /// The day of the contact.
    pub on: NaiveDate,
    /// A promise to pay: the amount and the day it is due.
    pub promise: Option<(Money, NaiveDate)>,
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub case_id: i64,
    pub channel: String,
    pub direction: String,
    pub summary: String,
    pub contact_on: NaiveDate,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub promise_amount_cents: Option<i64>,
    pub promise_due_on: Option<NaiveDate>,
    /// `open`, `kept`, `broken`; `None` without a promise.
    pub promise_status: Option<String>,
    /// The night that judged the promise.
    pub promise_checked_on: Option<NaiveDate>,
}

const CONTACT_COLUMNS: &str = "id, case_id, channel, direction, summary, contact_on, author, created_at, \
    promise_amount_cents, promise_due_on, promise_status, promise_checked_on";

/// Records a contact with the debtor on the version of the case its author saw; returns the
/// contact's id and the case's new version.
pub async fn record_contact(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    contact: &NewContact<'_>,
    author: &str,
    now: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let mut payload = json!({
        "channel": contact.channel,
        "direction": contact.direction,
        "on": contact.on,
        "summary": contact.summary,
    });
    if let Some((amount, due_on)) = contact.promise {
        payload["promise"] = json!({"amount": amount, "due_on": due_on});
    }
    let mut tx = store.begin().await?;
    // The event first: it checks the version and locks the case (a stale version writes nothing).
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::ContactRecorded,
            payload: payload.to_string(),
            actor: author,
            now,
        })
        .await?;
    let id: i64 = query_scalar(
        "INSERT INTO case_contacts (case_id, channel, direction, summary, contact_on, author, created_at, \
         promise_amount_cents, promise_due_on, promise_status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(case_id)
    .bind(contact.channel)
    .bind(contact.direction)
    .bind(contact.summary)
    .bind(contact.on)
    .bind(author)
    .bind(now)
    .bind(contact.promise.map(|(amount, _)| amount.cents()))
    .bind(contact.promise.map(|(_, due_on)| due_on))
    .bind(contact.promise.map(|_| "open"))
    .fetch_one(&mut tx)
    .await?;
    tx.commit().await?;
    Ok((id, event.sequence))
}

/// A case's contacts, newest first.
pub async fn contacts(store: &Store, case_id: i64) -> Result<Vec<ContactRow>> {
    let mut tx = store.begin_read().await?;
    let rows = tx.case_contacts(case_id).await?;
    tx.commit().await?;
    Ok(rows)
}

impl Tx {
    /// A case's contacts, newest first, read inside this transaction.
    pub async fn case_contacts(&mut self, case_id: i64) -> Result<Vec<ContactRow>> {
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM case_contacts WHERE case_id = $1 ORDER BY contact_on DESC, id DESC LIMIT 200"
        );
        query_as(&sql).bind(case_id).fetch_all(&mut *self).await
    }
}

/// What the nightly follow-up of promises did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PromiseFollowUp {
    pub promises_seen: u64,
    pub kept: u64,
    pub broken: u64,
}

/// Judges the open promises whose due day plus `grace_days` is before `as_of`: kept when the money
/// received on the case from the contact's day to the due day plus the grace covers the amount
/// (payments, releases from suspense, less reversals, whatever their channel — the measure of
/// `workflow::follow_plans`), else broken: event `promise_broken` and an action « relancer » due
/// `as_of` on the agenda of the case's officer (none once the case is closed). A kept promise gets
/// `promise_kept`. Each promise is judged once, by a guarded update: a rerun, or a second batch
/// process, finds it judged and writes nothing.
pub async fn follow_promises(
    store: &Store,
    as_of: NaiveDate,
    grace_days: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<PromiseFollowUp> {
    let latest_due = as_of - Duration::days(grace_days + 1);
    let promises: Vec<(i64, i64, i64, NaiveDate)> = query_as(
        "SELECT id, case_id, promise_amount_cents, promise_due_on FROM case_contacts \
         WHERE promise_status = 'open' AND promise_due_on <= $1 ORDER BY id",
    )
    .bind(latest_due)
    .fetch_all(store)
    .await?;
    let mut summary = PromiseFollowUp::default();
    for (contact_id, case_id, amount_cents, due_on) in promises {
        summary.promises_seen += 1;
        let counted_until = due_on + Duration::days(grace_days);
        let mut tx = store.begin().await?;
        // One statement judges and marks the promise (a write first: SQLite takes its write lock
        // at once); only the process whose update changed the row writes what follows.
        let judged: Option<String> = query_scalar(format!(
            "UPDATE case_contacts SET promise_checked_on = $2, promise_status = CASE WHEN \
             (SELECT COALESCE(-SUM(p.amount_cents), 0) FROM ledger_postings p \
              JOIN ledger_transactions t ON t.id = p.transaction_id \
              WHERE t.case_id = case_contacts.case_id AND t.booked_on >= case_contacts.contact_on AND t.booked_on <= $3 \
              AND t.kind IN ('payment', 'suspense_clearing', 'reversal') AND p.account IN {RECEIVABLE_ACCOUNTS}) \
             >= promise_amount_cents THEN 'kept' ELSE 'broken' END \
             WHERE id = $1 AND promise_status = 'open' RETURNING promise_status"
        ))
        .bind(contact_id)
        .bind(as_of)
        .bind(counted_until)
        .fetch_optional(&mut tx)
        .await?;
        let Some(status) = judged else {
            continue;
        };
        let amount = Money::from_cents(amount_cents);
        let payload = json!({"contact_id": contact_id, "amount": amount, "due_on": due_on,
                             "counted_until": counted_until, "as_of": as_of});
        let kind = if status == "kept" {
            summary.kept += 1;
            EventKind::PromiseKept
        } else {
            summary.broken += 1;
            query(
                "INSERT INTO agenda_items (case_id, kind, code, label, due_on, warn_days, status, created_at, created_by) \
                 SELECT id, 'action', 'promise_broken', $2, $3, 0, 'open', $4, $5 FROM cases WHERE id = $1 AND status <> 'closed'",
            )
            .bind(case_id)
            .bind(format!(
                "Relancer le débiteur : promesse de {} pour le {} non tenue",
                amount.to_french(),
                due_on.format("%d/%m/%Y")
            ))
            .bind(as_of)
            .bind(now)
            .bind(actor)
            .execute(&mut tx)
            .await?;
            EventKind::PromiseBroken
        };
        tx.append_event(CaseEvent { case_id, expected_version: None, kind, payload: payload.to_string(), actor, now })
            .await?;
        tx.commit().await?;
    }
    Ok(summary)
}

/// The promises judged from `since` on: (night judged, `kept` or `broken`).
pub async fn promises_judged(store: &Store, since: NaiveDate) -> Result<Vec<(NaiveDate, String)>> {
    query_as(
        "SELECT promise_checked_on, promise_status FROM case_contacts \
         WHERE promise_checked_on IS NOT NULL AND promise_checked_on >= $1",
    )
    .bind(since)
    .fetch_all(store)
    .await
}

// ---------------------------------------------------------------------------------------------
// The officer's own actions

/// Puts an action on a case's agenda, for `assignee` (user id and login; `None`: the case's
/// officer, whose agenda shows the case's actions). Returns the item's id and the case's new
/// version.
#[allow(clippy::too_many_arguments)]
pub async fn plan_action(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    due_on: NaiveDate,
    label: &str,
    assignee: Option<(i64, &str)>,
    author: &str,
    now: DateTime<Utc>,
) -> Result<(i64, i64)> {
    let mut tx = store.begin().await?;
    let payload = json!({"label": label, "due_on": due_on, "assignee": assignee.map(|(_, login)| login)});
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::ActionPlanned,
            payload: payload.to_string(),
            actor: author,
            now,
        })
        .await?;
    let id: i64 = query_scalar(
        "INSERT INTO agenda_items (case_id, kind, code, label, due_on, warn_days, status, created_at, assignee_id, created_by) \
         VALUES ($1, 'action', 'officer_action', $2, $3, 0, 'open', $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(label)
    .bind(due_on)
    .bind(now)
    .bind(assignee.map(|(id, _)| id))
    .bind(author)
    .fetch_one(&mut tx)
    .await?;
    tx.commit().await?;
    Ok((id, event.sequence))
}

/// Moves an open action of the agenda to `due_on`, on the version of its case the officer saw.
/// Returns the case's new version.
pub async fn move_action(
    store: &Store,
    item_id: i64,
    expected_version: i64,
    due_on: NaiveDate,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let row: Option<(i64, String, NaiveDate)> = query_as(
        "SELECT case_id, label, due_on FROM agenda_items WHERE id = $1 AND kind = 'action' AND status = 'open'",
    )
    .bind(item_id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((case_id, label, from)) = row else {
        return Err(StoreError::refused(
            "action_not_open",
            "cette action n'est plus ouverte (ou c'est un délai légal, que seule l'étape de procédure clôt)",
        ));
    };
    let payload = json!({"item_id": item_id, "label": label, "from": from, "due_on": due_on});
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::ActionMoved,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    query("UPDATE agenda_items SET due_on = $2 WHERE id = $1").bind(item_id).bind(due_on).execute(&mut tx).await?;
    tx.commit().await?;
    Ok(event.sequence)
}
