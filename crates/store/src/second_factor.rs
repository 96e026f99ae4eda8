//! The second factor's state (issue 23): the last TOTP time step accepted per user (a code is
//! accepted once, RFC 6238 §5.2), a secret waiting for its first code (self-enrolment), and the
//! one-time recovery codes, stored as Argon2id hashes (this crate never sees a code).

use chrono::{DateTime, Utc};

use crate::db::{query, query_as, query_scalar};
use crate::{Result, Store, StoreError};

/// Records `step` as the last accepted time step of `user_id`, if it is later than the one
/// recorded; false if a code of this step or a later one was already accepted (a replay). One
/// conditional UPDATE: two logins racing with the same code cannot both win.
pub async fn accept_totp_step(store: &Store, user_id: i64, step: i64) -> Result<bool> {
    let updated =
        query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)")
            .bind(user_id)
            .bind(step)
            .execute(store)
            .await?
            .rows_affected();
    Ok(updated == 1)
}

/// A secret proposed by the enrolment screen, waiting for a code it produced.
pub async fn pending_secret(store: &Store, user_id: i64) -> Result<Option<String>> {
    let secret: Option<Option<String>> =
        query_scalar("SELECT totp_pending_secret FROM users WHERE id = $1").bind(user_id).fetch_optional(store).await?;
    Ok(secret.flatten())
}

/// Proposes (or withdraws, `None`) a new secret for `user_id`; the one in force stays until the
/// user confirms the new one.
pub async fn set_pending_secret(store: &Store, user_id: i64, secret: Option<&str>) -> Result<()> {
    query("UPDATE users SET totp_pending_secret = $2 WHERE id = $1").bind(user_id).bind(secret).execute(store).await?;
    Ok(())
}

/// Puts the pending secret in force, with `step` as its last accepted step (the code that
/// confirmed it cannot be used to log in), and replaces the user's recovery codes by
/// `recovery_hashes`, in one transaction. False if no secret was pending.
pub async fn confirm_secret(
    store: &Store,
    user_id: i64,
    step: i64,
    recovery_hashes: &[String],
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = store.begin().await?;
    let updated = query(
        "UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $2 \
         WHERE id = $1 AND totp_pending_secret IS NOT NULL",
    )
    .bind(user_id)
    .bind(step)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    replace_recovery_codes_in(&mut tx, user_id, recovery_hashes, now).await?;
    tx.commit().await?;
    Ok(true)
}

async fn replace_recovery_codes_in(
    tx: &mut crate::Tx,
    user_id: i64,
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    for hash in hashes {
        query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Replaces every recovery code of `login` (used or not) by `hashes`; returns the user's id.
pub async fn replace_recovery_codes(store: &Store, login: &str, hashes: &[String], now: DateTime<Utc>) -> Result<i64> {
    let mut tx = store.begin().await?;
    let user_id: Option<i64> =
        query_scalar("SELECT id FROM users WHERE login = $1").bind(login).fetch_optional(&mut tx).await?;
    let user_id = user_id.ok_or_else(|| StoreError::not_found(format!("utilisateur « {login} »")))?;
    replace_recovery_codes_in(&mut tx, user_id, hashes, now).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// A recovery code not used yet: its id and hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecoveryCode {
    pub id: i64,
    pub code_hash: String,
}

/// The recovery codes of `user_id` not used yet.
pub async fn unused_recovery_codes(store: &Store, user_id: i64) -> Result<Vec<RecoveryCode>> {
    query_as("SELECT id, code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY id")
        .bind(user_id)
        .fetch_all(store)
        .await
}

/// Marks a recovery code used; false if it already was (two logins racing with one code: one
/// wins).
pub async fn use_recovery_code(store: &Store, code_id: i64, now: DateTime<Utc>) -> Result<bool> {
    let updated = query("UPDATE recovery_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
        .bind(code_id)
        .bind(now)
        .execute(store)
        .await?
        .rows_affected();
    Ok(updated == 1)
}
