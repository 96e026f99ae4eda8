//! Imports from the bank's other systems: all or nothing, and idempotent.

use chrono::{DateTime, Utc};
use recouvre_domain::case::NewCase;

use crate::db::{query, query_scalar};
use crate::{Result, Store};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub lines: u64,
    /// Cases opened or joined by at least one new claim or party.
    pub cases_changed: u64,
    /// The same file (by SHA-256) was imported before: nothing was done.
    pub already_imported: bool,
}

/// Imports parsed accounts in one transaction: either every line takes effect or none does.
/// A file already imported (same SHA-256) is recognised and skipped; a different file with
/// lines already known adds only what is new (claims are keyed by contract reference).
pub async fn import_accounts(
    store: &Store,
    file_name: &str,
    file_sha256: &str,
    new_cases: &[NewCase],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ImportOutcome> {
    const KIND: &str = "accounts";
    let mut tx = store.begin().await?;
    // Claim the file first: a concurrent import of the same file waits here, then sees it.
    let claimed: Option<i64> = query_scalar(
        "INSERT INTO imports (kind, file_name, file_sha256, lines, cases_created, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (kind, file_sha256) DO NOTHING RETURNING id",
    )
    .bind(KIND)
    .bind(file_name)
    .bind(file_sha256)
    .bind(new_cases.len() as i64)
    .bind(actor)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    Ok(match claimed {
        None => ImportOutcome { lines: new_cases.len() as u64, cases_changed: 0, already_imported: true },
        Some(import_id) => {
            // The seed's bulk path: the same rows as the per-case path (`Tx::open_or_join_case`,
            // compared by crates/testkit/tests/seed.rs), with multi-row statements.
            let cases_changed = tx.open_many_in(new_cases, actor, now).await?;
            query("UPDATE imports SET cases_created = $2 WHERE id = $1")
                .bind(import_id)
                .bind(cases_changed as i64)
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
            ImportOutcome { lines: new_cases.len() as u64, cases_changed, already_imported: false }
        }
    })
}

/// Why a file could not be imported. Nothing from it was kept.
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    #[error("{file_name} : {error}")]
    Invalid { file_name: String, error: recouvre_domain::intake::IntakeError },
    #[error("{file_name} : {error}")]
    Store { file_name: String, error: crate::StoreError },
}

/// Parses and imports a core-banking accounts file (`docs/formats/accounts-csv.md`).
pub async fn import_accounts_csv(
    store: &Store,
    file_name: &str,
    content: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, ImportFileError> {
    use sha2::{Digest, Sha256};
    let today = recouvre_domain::business_date::paris_date(now);
    let new_cases = recouvre_domain::intake::parse_accounts(content, today)
        .map_err(|error| ImportFileError::Invalid { file_name: file_name.to_string(), error })?;
    let sha256 = hex::encode(Sha256::digest(content.as_bytes()));
    import_accounts(store, file_name, &sha256, &new_cases, actor, now)
        .await
        .map_err(|error| ImportFileError::Store { file_name: file_name.to_string(), error })
}
