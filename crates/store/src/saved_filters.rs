//! Saved filters of the case list (migration 0023): a user's named list queries
//! (« mes relances du jour »), each the user's own.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{query, query_as, query_scalar};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    /// The list's URL query, without `?` (`officer=me&status=amicable`).
    pub query: String,
}

/// A user's saved filters, by name.
pub async fn of_user(store: &Store, user_id: i64) -> Result<Vec<SavedFilter>> {
    query_as("SELECT id, name, query FROM saved_filters WHERE user_id = $1 ORDER BY name, id")
        .bind(user_id)
        .fetch_all(store)
        .await
}

/// Saves `query` under `name` for the user; a name the user already has gets the new query
/// (saving « mes relances du jour » again updates it). Returns the filter's id.
pub async fn save(store: &Store, user_id: i64, name: &str, query_text: &str, now: DateTime<Utc>) -> Result<i64> {
    query_scalar(
        "INSERT INTO saved_filters (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(query_text)
    .bind(now)
    .fetch_one(store)
    .await
}

/// Deletes one of the user's filters; another user's (or an unknown id) is not found.
pub async fn delete(store: &Store, user_id: i64, id: i64) -> Result<()> {
    let deleted =
        query("DELETE FROM saved_filters WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(store).await?;
    if deleted.rows_affected() == 0 {
        return Err(StoreError::not_found(format!("filtre enregistré n° {id}")));
    }
    Ok(())
}
