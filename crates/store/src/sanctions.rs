//! Sanctions and asset-freeze lists (listes de gel des avoirs, CMF L562-1 and following): the
//! file compliance exports from the official lists, loaded here and screened against every payer
//! name (by the vigilance rules, `aml`). Each load is kept (append-only); the latest is in force.

use chrono::{DateTime, Utc};
use recouvre_domain::sanctions::{SanctionsEntry, SanctionsList};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::query_as;
use crate::{Result, Store, StoreError};

/// A list as loaded, without its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LoadedList {
    pub id: i64,
    pub file_name: String,
    pub sha256: String,
    pub entry_count: i64,
    pub threshold_percent: i64,
    pub loaded_by: String,
    pub loaded_at: DateTime<Utc>,
}

/// Parses a list file (docs/formats/sanctions-list.md) and makes it the list in force. A bad
/// line refuses the whole file, naming the line and the field.
pub async fn load(
    store: &Store,
    file_name: &str,
    text: &str,
    threshold_percent: u8,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<LoadedList> {
    if !(50..=100).contains(&threshold_percent) {
        return Err(StoreError::invalid_field(
            "threshold_percent",
            format!("seuil de similarité {threshold_percent} % refusé : choisissez entre 50 et 100 %"),
        ));
    }
    let list = SanctionsList::parse_csv(text, file_name).map_err(|error| StoreError::invalid(error.to_string()))?;
    let entries = crate::json_text(list.entries());
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    let count = i64::try_from(list.len())
        .map_err(|_| StoreError::invalid(format!("liste de gel de {} entrées : trop longue", list.len())))?;
    query_as(
        "INSERT INTO sanctions_lists (file_name, sha256, entry_count, entries, threshold_percent, loaded_by, loaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING id, file_name, sha256, entry_count, threshold_percent, loaded_by, loaded_at",
    )
    .bind(file_name)
    .bind(&sha256)
    .bind(count)
    .bind(&entries)
    .bind(i64::from(threshold_percent))
    .bind(actor)
    .bind(now)
    .fetch_one(store)
    .await
}

/// The list in force, if any, without its entries.
pub async fn latest(store: &Store) -> Result<Option<LoadedList>> {
    let row = query_as(
        "SELECT id, file_name, sha256, entry_count, threshold_percent, loaded_by, loaded_at FROM sanctions_lists \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(store)
    .await?;
    Ok(row)
}

/// The list in force with its matching threshold, ready to screen; `None` if none was loaded.
pub async fn current(store: &Store) -> Result<Option<(SanctionsList, u8)>> {
    let row: Option<(String, i64)> =
        query_as("SELECT entries, threshold_percent FROM sanctions_lists ORDER BY id DESC LIMIT 1")
            .fetch_optional(store)
            .await?;
    let Some((entries, threshold_percent)) = row else { return Ok(None) };
    let entries: Vec<SanctionsEntry> =
        serde_json::from_str(&entries).map_err(|error| StoreError::Corrupt(format!("liste de sanctions : {error}")))?;
    let list = SanctionsList::from_entries(entries)
        .map_err(|error| StoreError::Corrupt(format!("liste de sanctions : {error}")))?;
    let threshold = u8::try_from(threshold_percent).map_err(|_| StoreError::Corrupt("seuil de similarité".into()))?;
    Ok(Some((list, threshold)))
}
