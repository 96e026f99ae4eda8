//! Incoming documents (issue 17, item 6): scans attached to a case, stored byte for byte with
//! their SHA-256 and journaled (`attachment_added`) in the same transaction; read back with the
//! hash checked again, so that a changed byte is an integrity error, never a silent download.
//! Recognising the format is the domain's (`recouvre_domain::attachment::detect`): the store
//! keeps what the use case checked.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::journal::EventKind;
use serde::Serialize;
use serde_json::json;

use crate::db::{query_as, query_scalar};
use crate::documents::sha256_hex;
use crate::journal::CaseEvent;
use crate::{Result, Store, StoreError, Tx};

/// A document to attach, as the use case checked it.
#[derive(Clone, Debug)]
pub struct NewAttachment {
    pub case_id: i64,
    /// A code of the vocabulary's `AttachmentKind` family.
    pub kind: String,
    /// The name it was uploaded under.
    pub file_name: String,
    /// `pdf`, `jpeg` or `png`, read from the content.
    pub format: String,
    pub content: Vec<u8>,
    pub received_on: NaiveDate,
    /// The `sequence` of the `procedure_step` event the document proves.
    pub step_sequence: Option<i64>,
}

/// A stored document, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub file_name: String,
    pub format: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub received_on: NaiveDate,
    pub step_sequence: Option<i64>,
    pub event_sequence: i64,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, case_id, kind, file_name, format, size_bytes, sha256, received_on, step_sequence, \
                       event_sequence, uploaded_by, uploaded_at";

/// Stores a document on a case with its `attachment_added` event (kind, file name, format, size,
/// SHA-256, date received, the step it proves), in one transaction, on the version the officer
/// saw. A `step_sequence` that is not a procedure step of this case is refused (400
/// `procedure_step`). Returns the document and the case's new version.
pub async fn attach(
    store: &Store,
    attachment: &NewAttachment,
    expected_version: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(Attachment, i64)> {
    let sha256 = sha256_hex(&attachment.content);
    let size_bytes = i64::try_from(attachment.content.len())
        .map_err(|_| StoreError::invalid_field("file", "fichier trop volumineux"))?;
    let mut tx = store.begin().await?;
    let payload = json!({
        "kind": attachment.kind, "file_name": attachment.file_name, "format": attachment.format,
        "size_bytes": size_bytes, "sha256": sha256, "received_on": attachment.received_on,
        "procedure_step": attachment.step_sequence,
    });
    // First: it checks the version and, on PostgreSQL, locks the case.
    let event = tx
        .append_event(CaseEvent {
            case_id: attachment.case_id,
            expected_version: Some(expected_version),
            kind: EventKind::AttachmentAdded,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    if let Some(sequence) = attachment.step_sequence {
        let found: Option<i64> = query_scalar(
            "SELECT sequence FROM case_events WHERE case_id = $1 AND sequence = $2 AND kind = 'procedure_step'",
        )
        .bind(attachment.case_id)
        .bind(sequence)
        .fetch_optional(&mut tx)
        .await?;
        if found.is_none() {
            return Err(StoreError::invalid_field(
                "procedure_step",
                format!(
                    "aucune étape de procédure n° {sequence} n'est enregistrée au dossier n° {} : choisissez l'étape \
                     dans la liste (ou aucune)",
                    attachment.case_id
                ),
            ));
        }
    }
    let id: i64 = query_scalar(
        "INSERT INTO case_attachments (case_id, kind, file_name, format, size_bytes, sha256, content, received_on, \
         step_sequence, event_sequence, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(attachment.case_id)
    .bind(&attachment.kind)
    .bind(&attachment.file_name)
    .bind(&attachment.format)
    .bind(size_bytes)
    .bind(&sha256)
    .bind(&attachment.content)
    .bind(attachment.received_on)
    .bind(attachment.step_sequence)
    .bind(event.sequence)
    .bind(actor)
    .bind(event.recorded_at)
    .fetch_one(&mut tx)
    .await?;
    let stored: Attachment =
        query_as(format!("SELECT {COLUMNS} FROM case_attachments WHERE id = $1")).bind(id).fetch_one(&mut tx).await?;
    tx.commit().await?;
    Ok((stored, event.sequence))
}

impl Tx {
    /// The documents attached to a case, newest first, without their bytes.
    pub async fn case_attachments(&mut self, case_id: i64) -> Result<Vec<Attachment>> {
        let attachments =
            query_as(format!("SELECT {COLUMNS} FROM case_attachments WHERE case_id = $1 ORDER BY id DESC"))
                .bind(case_id)
                .fetch_all(&mut *self)
                .await?;
        Ok(attachments)
    }
}

/// The documents attached to a case, newest first; 404 for an unknown case.
pub async fn of_case(store: &Store, case_id: i64) -> Result<Vec<Attachment>> {
    let mut tx = store.begin_read().await?;
    let known: Option<i64> =
        query_scalar("SELECT id FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut tx).await?;
    if known.is_none() {
        return Err(StoreError::not_found(format!("dossier n° {case_id}")));
    }
    let attachments = tx.case_attachments(case_id).await?;
    tx.commit().await?;
    Ok(attachments)
}

/// A document without its bytes, or 404.
pub async fn find(store: &Store, attachment_id: i64) -> Result<Attachment> {
    let found: Option<Attachment> = query_as(format!("SELECT {COLUMNS} FROM case_attachments WHERE id = $1"))
        .bind(attachment_id)
        .fetch_optional(store)
        .await?;
    found.ok_or_else(|| StoreError::not_found(format!("pièce n° {attachment_id}")))
}

/// A document's bytes, checked against the size and SHA-256 recorded when it was attached: a
/// mismatch is corruption (`StoreError::Corrupt`, a 500 logged), never served.
pub async fn content(store: &Store, attachment: &Attachment) -> Result<Vec<u8>> {
    let content: Vec<u8> =
        query_scalar("SELECT content FROM case_attachments WHERE id = $1").bind(attachment.id).fetch_one(store).await?;
    let size_matches = i64::try_from(content.len()).is_ok_and(|size| size == attachment.size_bytes);
    if !size_matches || sha256_hex(&content) != attachment.sha256 {
        return Err(StoreError::Corrupt(format!(
            "pièce n° {} du dossier n° {} : son contenu ne correspond plus à l'empreinte SHA-256 enregistrée ; \
             elle n'est pas servie, prévenez l'administrateur",
            attachment.id, attachment.case_id
        )));
    }
    Ok(content)
}
