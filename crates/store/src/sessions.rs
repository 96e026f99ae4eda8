//! Server-side login sessions, stored in our own database on both engines.
//! The cookie carries a random token; only its SHA-256 is stored.

use chrono::{DateTime, Utc};

use crate::db::{query, query_as, query_scalar};
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
    query(
        "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $4)",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(store)
    .await?;
    Ok(())
}

/// (user, CSRF token, created at, last seen at) of a session.
type SessionRow = (i64, String, DateTime<Utc>, Option<DateTime<Utc>>);

/// How stale a session's `last_seen_at` may be: writing it on every request would make every
/// read a write (see `users::TOKEN_LAST_USED_PRECISION`).
pub const LAST_SEEN_PRECISION: chrono::Duration = chrono::Duration::seconds(60);

/// The user and CSRF token of a live session: not past its absolute end (`expires_at`) and used
/// within `idle` (the idle timeout). Records the use, at most once per [`LAST_SEEN_PRECISION`].
pub async fn find(
    store: &Store,
    session_hash: &str,
    now: DateTime<Utc>,
    idle: chrono::Duration,
) -> Result<Option<(User, String)>> {
    let found: Option<SessionRow> = query_as(
        "SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id = $1 AND expires_at > $2",
    )
    .bind(session_hash)
    .bind(now)
    .fetch_optional(store)
    .await?;
    let Some((user_id, csrf_token, created_at, last_seen_at)) = found else {
        return Ok(None);
    };
    let last_seen = last_seen_at.unwrap_or(created_at);
    if now - last_seen >= idle {
        // Idle too long: the session is over, whoever holds the cookie.
        delete(store, session_hash).await?;
        return Ok(None);
    }
    if now - last_seen >= LAST_SEEN_PRECISION {
        query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
            .bind(session_hash)
            .bind(now)
            .execute(store)
            .await?;
    }
    let user = crate::users::by_id(store, user_id).await?;
    Ok(user.filter(|user| user.active).map(|user| (user, csrf_token)))
}

/// Ends every session of a user (disabled, or their password changed); returns how many.
pub async fn delete_for_user(store: &Store, user_id: i64) -> Result<u64> {
    Ok(query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(store).await?.rows_affected())
}

/// How many live sessions a user has (tests, `user list`).
pub async fn count_for_user(store: &Store, user_id: i64) -> Result<i64> {
    query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1").bind(user_id).fetch_one(store).await
}

pub async fn delete(store: &Store, session_hash: &str) -> Result<()> {
    query("DELETE FROM sessions WHERE id = $1").bind(session_hash).execute(store).await?;
    Ok(())
}

/// Removes expired sessions, and those idle since `idle_since`; returns how many.
pub async fn purge_expired(store: &Store, now: DateTime<Utc>, idle_since: DateTime<Utc>) -> Result<u64> {
    let removed = query("DELETE FROM sessions WHERE expires_at <= $1 OR COALESCE(last_seen_at, created_at) <= $2")
        .bind(now)
        .bind(idle_since)
        .execute(store)
        .await?
        .rows_affected();
    Ok(removed)
}
