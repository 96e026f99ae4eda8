//! Dual control of the bank's settings (issue 23, finding 6). The bank's identity (collection
//! IBAN, creditor identifier, …), the authority matrix and the workflow rules are never written
//! in place: an administrator proposes a new value, ANOTHER administrator approves it, and only
//! then is it put in force, in the same transaction as the approval. Every request stays, with
//! the value in force when it was made and the new one: the settings' history.

use chrono::{DateTime, Utc};

use crate::db::{query, query_as, query_scalar};
use crate::{Result, Store, StoreError};

/// The subject of the bank's identity (the `settings` row it replaces). The other subjects are
/// the rule documents' kinds (`crate::workflow::RULE_KINDS`).
pub const BANK_IDENTITY: &str = "bank_identity";

/// One change request and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SettingChange {
    pub id: i64,
    /// [`BANK_IDENTITY`] or a rule document's kind.
    pub subject: String,
    /// The value in force when the request was made (`None`: the embedded default).
    pub old_value: Option<String>,
    pub new_value: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, subject, old_value, new_value, proposed_by, proposed_at, status, decided_by, decided_at";

/// The value of `subject` in force, as stored (`None`: a rule document's embedded default; the
/// bank's identity's default is spelled out, so that its history shows the old IBAN).
async fn in_force<'c>(executor: impl crate::db::Executor<'c>, subject: &str) -> Result<Option<String>> {
    if subject == BANK_IDENTITY {
        let stored: Option<String> =
            query_scalar("SELECT value FROM settings WHERE key = $1").bind(subject).fetch_optional(executor).await?;
        return Ok(Some(stored.unwrap_or_else(|| crate::json_text(&crate::settings::BankIdentity::default()))));
    }
    if !crate::workflow::RULE_KINDS.contains(&subject) {
        return Err(StoreError::not_found(format!("paramètre « {subject} »")));
    }
    query_scalar("SELECT entry FROM reference_entries WHERE kind = $1 ORDER BY id DESC LIMIT 1")
        .bind(subject)
        .fetch_optional(executor)
        .await
}

/// Records a proposed value (already validated by the caller), with the value in force now.
pub async fn propose(
    store: &Store,
    subject: &str,
    new_value: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<SettingChange> {
    let mut tx = store.begin().await?;
    let old_value = in_force(&mut tx, subject).await?;
    let id: i64 = query_scalar(
        "INSERT INTO setting_changes (subject, old_value, new_value, proposed_by, proposed_at, status) \
         VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id",
    )
    .bind(subject)
    .bind(old_value)
    .bind(new_value)
    .bind(by)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    let change = by_id_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(change)
}

async fn by_id_in<'c>(executor: impl crate::db::Executor<'c>, id: i64) -> Result<SettingChange> {
    query_as(format!("SELECT {COLUMNS} FROM setting_changes WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("demande de modification des paramètres n° {id}")))
}

pub async fn by_id(store: &Store, id: i64) -> Result<SettingChange> {
    by_id_in(store, id).await
}

/// Every request, newest first: the history administrators read.
pub async fn history(store: &Store) -> Result<Vec<SettingChange>> {
    query_as(format!("SELECT {COLUMNS} FROM setting_changes ORDER BY id DESC")).fetch_all(store).await
}

/// Approves a pending request and puts its value in force, in one transaction. Refused when
/// `by` proposed it (four eyes; the table refuses it too), when it is no longer pending, or when
/// the value in force changed since it was proposed (it would silently undo that change).
pub async fn approve(store: &Store, id: i64, by: &str, now: DateTime<Utc>) -> Result<SettingChange> {
    let mut tx = store.begin().await?;
    let change = by_id_in(&mut tx, id).await?;
    if change.proposed_by == by {
        return Err(StoreError::refused(
            "own_request",
            "vous ne pouvez pas approuver votre propre demande : un autre administrateur doit la valider",
        ));
    }
    if change.status != "pending" {
        return Err(already_decided(&change));
    }
    if in_force(&mut tx, &change.subject).await? != change.old_value {
        return Err(StoreError::conflict(
            "setting_changed",
            "le paramètre a changé depuis cette demande : refusez-la, puis proposez de nouveau la modification",
        ));
    }
    let updated = query(
        "UPDATE setting_changes SET status = 'approved', decided_by = $1, decided_at = $2 \
         WHERE id = $3 AND status = 'pending' AND proposed_by <> $1",
    )
    .bind(by)
    .bind(now)
    .bind(id)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(already_decided(&change));
    }
    if change.subject == BANK_IDENTITY {
        query(
            "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(BANK_IDENTITY)
        .bind(&change.new_value)
        .bind(by)
        .bind(now)
        .execute(&mut tx)
        .await?;
    } else {
        // The rule documents' versions stay append-only in `reference_entries`, entered in the
        // proposer's name; the approver is in this request.
        query("INSERT INTO reference_entries (kind, entry, entered_by, entered_at) VALUES ($1, $2, $3, $4)")
            .bind(&change.subject)
            .bind(&change.new_value)
            .bind(&change.proposed_by)
            .bind(now)
            .execute(&mut tx)
            .await?;
    }
    let change = by_id_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(change)
}

/// Rejects a pending request (another administrator), or withdraws it (its proposer).
pub async fn reject(store: &Store, id: i64, by: &str, now: DateTime<Utc>) -> Result<SettingChange> {
    let mut tx = store.begin().await?;
    let change = by_id_in(&mut tx, id).await?;
    let updated = query(
        "UPDATE setting_changes SET status = 'rejected', decided_by = $1, decided_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(by)
    .bind(now)
    .bind(id)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(already_decided(&change));
    }
    let change = by_id_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(change)
}

fn already_decided(change: &SettingChange) -> StoreError {
    StoreError::conflict(
        "already_decided",
        format!("la demande n° {} a déjà été décidée ({}) : rechargez la page", change.id, change.status),
    )
}
