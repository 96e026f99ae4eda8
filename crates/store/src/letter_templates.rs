//! Letter templates edited by administrators (issue 6): append-only versions per template kind,
//! with their author, instant and reason. The store keeps the text and never typesets: the web
//! shell compiles a candidate against the kind's sample data *before* calling [`add`], and
//! renders letters with the latest version of each kind (the built-in template, version 1, when
//! no version is stored).
//!
//! Several servers share the database: each one compares [`stamp`] with what it loaded before
//! rendering, so a version added on one server is used by all from the next letter on.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{query_as, query_scalar};
use crate::{Result, Store, StoreError};

/// Upper bound on a template's source: a template is a few kilobytes of Typst.
pub const MAX_SOURCE_BYTES: usize = 256 * 1024;

/// One stored version of a template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TemplateVersion {
    pub id: i64,
    /// The template's code (`formal_notice`…).
    pub kind: String,
    /// 2, 3…: version 1 is the built-in template.
    pub number: i64,
    /// "<kind> v<number>", recorded by every document made from it.
    pub label: String,
    pub source: String,
    pub sha256: String,
    pub reason: String,
    pub author_id: i64,
    /// The author's login (from `users`).
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// A version to store (already compiled against the kind's sample by the caller).
#[derive(Clone, Debug)]
pub struct NewTemplateVersion<'a> {
    pub kind: &'a str,
    pub source: &'a str,
    pub reason: &'a str,
    pub author_id: i64,
}

/// The label of version `number` of `kind`, as documents record it.
pub fn label(kind: &str, number: i64) -> String {
    format!("{kind} v{number}")
}

const SELECT: &str = "SELECT v.id, v.kind, v.number, v.label, v.source, v.sha256, v.reason, v.author_id, \
                      u.login AS author, v.created_at FROM letter_template_versions v JOIN users u ON u.id = v.author_id";

/// Stores a new version of `kind`, numbered after the last one (2 for the first). Two
/// administrators saving at the same instant cannot both get the same number: the second is
/// refused (unique `(kind, number)`) and asked to reload.
pub async fn add(store: &Store, new: &NewTemplateVersion<'_>, now: DateTime<Utc>) -> Result<TemplateVersion> {
    if new.source.trim().is_empty() || new.source.len() > MAX_SOURCE_BYTES {
        return Err(StoreError::refused(
            "template_size",
            format!(
                "modèle de {} octets : un modèle fait entre 1 octet et {} Ko ; vérifiez le texte collé",
                new.source.len(),
                MAX_SOURCE_BYTES / 1024
            ),
        ));
    }
    if new.reason.trim().is_empty() {
        return Err(StoreError::refused(
            "reason_required",
            "indiquez le motif de la nouvelle version (il reste dans l'historique du modèle)",
        ));
    }
    let sha256 = hex::encode(Sha256::digest(new.source.as_bytes()));
    let result: Result<i64> = async {
        let mut tx = store.begin().await?;
        let last: Option<i64> = query_scalar("SELECT MAX(number) FROM letter_template_versions WHERE kind = $1")
            .bind(new.kind)
            .fetch_one(&mut tx)
            .await?;
        let number = last.unwrap_or(1) + 1;
        let id: i64 = query_scalar(
            "INSERT INTO letter_template_versions (kind, number, label, source, sha256, reason, author_id, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.kind)
        .bind(number)
        .bind(label(new.kind, number))
        .bind(new.source)
        .bind(&sha256)
        .bind(new.reason.trim())
        .bind(new.author_id)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    let id = match result {
        Ok(id) => id,
        Err(error) if error.is_unique_violation() => {
            return Err(StoreError::conflict(
                "concurrent_version",
                format!(
                    "une autre version du modèle {} vient d'être enregistrée : rechargez la page, relisez-la et \
                 soumettez la vôtre à nouveau",
                    new.kind
                ),
            ))
        }
        Err(error) => return Err(error),
    };
    get(store, id).await
}

/// One version by id.
pub async fn get(store: &Store, id: i64) -> Result<TemplateVersion> {
    let found: Option<TemplateVersion> =
        query_as(format!("{SELECT} WHERE v.id = $1")).bind(id).fetch_optional(store).await?;
    found.ok_or_else(|| StoreError::not_found(format!("version de modèle n° {id}")))
}

/// Every stored version of every kind, in the order they were added.
pub async fn all(store: &Store) -> Result<Vec<TemplateVersion>> {
    let rows = query_as(format!("{SELECT} ORDER BY v.id")).fetch_all(store).await?;
    Ok(rows)
}

/// The stored versions of one kind, oldest first (the last is in force).
pub async fn of_kind(store: &Store, kind: &str) -> Result<Vec<TemplateVersion>> {
    let rows = query_as(format!("{SELECT} WHERE v.kind = $1 ORDER BY v.number")).bind(kind).fetch_all(store).await?;
    Ok(rows)
}

/// What a server compares with the versions it loaded: the last version's id (0 when none).
/// Versions are never updated or deleted, so a new id is the only change there can be.
pub async fn stamp(store: &Store) -> Result<i64> {
    let stamp: Option<i64> = query_scalar("SELECT MAX(id) FROM letter_template_versions").fetch_one(store).await?;
    Ok(stamp.unwrap_or(0))
}
