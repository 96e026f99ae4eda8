//! Server-side login sessions, stored in our own database on both engines.
//! The cookie carries a random token; only its SHA-256 is stored.

use chrono::{DateTime, Utc};

use crate::db::{query, query_as};
use crate::users::User;
use crate::{Result, Store};

pub async fn create(
    store: &Store,
    session_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(session_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(store)
        .await?;
    Ok(())
}

/// The user and CSRF token of a live session.
pub async fn find(store: &Store, session_hash: &str, now: DateTime<Utc>) -> Result<Option<(User, String)>> {
    let user_id: Option<(i64, String)> =
        query_as("SELECT user_id, csrf_token FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(session_hash)
            .bind(now)
            .fetch_optional(store)
            .await?;
    let Some((user_id, csrf_token)) = user_id else {
        return Ok(None);
    };
    let user = crate::users::by_id(store, user_id).await?;
    Ok(user.filter(|user| user.active).map(|user| (user, csrf_token)))
}

pub async fn delete(store: &Store, session_hash: &str) -> Result<()> {
    query("DELETE FROM sessions WHERE id = $1").bind(session_hash).execute(store).await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(store: &Store, now: DateTime<Utc>) -> Result<u64> {
    let removed = query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(store).await?.rows_affected();
    Ok(removed)
}
