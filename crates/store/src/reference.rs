//! Reference data entered by an administrator (a new semester's statutory rate, a new year's
//! garnishment bands, a new unseizable balance). The embedded defaults live in the domain
//! crate; these rows extend them without recompiling. Append-only: who entered what, when.

use chrono::{DateTime, Utc};

use crate::db::{query_as, query_scalar};
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReferenceEntry {
    pub id: i64,
    /// `statutory_rate`, `wage_bands`, `unseizable_balance`, …
    pub kind: String,
    /// The entry as JSON, in the domain's serde form.
    pub entry: String,
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
}

pub async fn add(store: &Store, kind: &str, entry: &str, by: &str, now: DateTime<Utc>) -> Result<i64> {
    let id = query_scalar(
        "INSERT INTO reference_entries (kind, entry, entered_by, entered_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(kind)
    .bind(entry)
    .bind(by)
    .bind(now)
    .fetch_one(store)
    .await?;
    Ok(id)
}

pub async fn all(store: &Store) -> Result<Vec<ReferenceEntry>> {
    let rows = query_as("SELECT id, kind, entry, entered_by, entered_at FROM reference_entries ORDER BY id")
        .fetch_all(store)
        .await?;
    Ok(rows)
}

/// How many entries administrators added: what servers poll to notice another's addition.
pub async fn count(store: &Store) -> Result<i64> {
    let count = query_scalar("SELECT COUNT(*) FROM reference_entries").fetch_one(store).await?;
    Ok(count)
}
