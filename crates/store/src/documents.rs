//! Letters and court papers once validated (issue 6): the PDF exactly as the officer previewed
//! it, its SHA-256, the journal event naming it and the deadline it opens, in one transaction.
//! Rendering is not here (the store does no typesetting): the shells render with
//! `recouvre-letters`, show the preview, and hand the validated bytes to [`validate`].

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::journal::EventKind;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::{Result, Store, StoreError, Tx};

/// Upper bound on a stored document: a letter is a few dozen kilobytes; this stops a mistake
/// (a whole day's mail stored on one case) before it fills the database.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// A deadline a document opens (the cure period of a formal notice…), put in the agenda.
#[derive(Clone, Debug)]
pub struct OpenedDeadline {
    pub code: String,
    pub label: String,
    pub due_on: NaiveDate,
    pub legal_basis: Option<String>,
    pub warn_days: i64,
}

/// A document to store, as previewed.
#[derive(Clone, Debug)]
pub struct NewDocument {
    pub case_id: i64,
    pub kind: String,
    pub template_version: String,
    pub recipient: String,
    /// The letter's facts, as JSON.
    pub data: String,
    pub pdf: Vec<u8>,
    pub pages: i64,
    pub registered: bool,
    pub opens: Option<OpenedDeadline>,
}

/// A stored document, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub template_version: String,
    pub recipient: String,
    pub sha256: String,
    pub pages: i64,
    pub registered: bool,
    pub validated_on: NaiveDate,
    pub validated_by: String,
    pub validated_at: DateTime<Utc>,
    pub tracking_number: Option<String>,
    pub acknowledged_on: Option<NaiveDate>,
}

const COLUMNS: &str = "id, case_id, kind, template_version, recipient, sha256, pages, registered, validated_on, \
                       validated_by, validated_at, tracking_number, acknowledged_on";

/// The SHA-256 of a document's bytes, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores a validated document with its journal event (`document_validated`, naming the kind,
/// the template version and the hash) and the deadline it opens, in one transaction. Returns
/// the document and the case's new version.
pub async fn validate(
    store: &Store,
    document: &NewDocument,
    expected_version: Option<i64>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(Document, i64)> {
    if document.pdf.is_empty() || document.pdf.len() > MAX_DOCUMENT_BYTES {
        return Err(StoreError::refused(
            "document_size",
            format!(
                "document de {} octets : un courrier fait entre 1 octet et {} Mo ; régénérez l'aperçu",
                document.pdf.len(),
                MAX_DOCUMENT_BYTES / 1024 / 1024
            ),
        ));
    }
    let sha256 = sha256_hex(&document.pdf);
    let validated_on = recouvre_domain::business_date::paris_date(now);
    let mut tx = store.begin().await?;
    let payload = json!({
        "kind": document.kind, "template_version": document.template_version,
        "recipient": document.recipient, "sha256": sha256, "pages": document.pages,
        "registered": document.registered,
        "opens": document.opens.as_ref().map(|deadline| json!({
            "code": deadline.code, "label": deadline.label, "due_on": deadline.due_on,
            "legal_basis": deadline.legal_basis,
        })),
    });
    let event = tx
        .append_event(CaseEvent {
            case_id: document.case_id,
            expected_version,
            kind: EventKind::DocumentValidated,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    let id: i64 = query_scalar(
        "INSERT INTO documents (case_id, kind, template_version, recipient, data, pdf, sha256, pages, registered, \
         validated_on, validated_by, validated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         RETURNING id",
    )
    .bind(document.case_id)
    .bind(&document.kind)
    .bind(&document.template_version)
    .bind(&document.recipient)
    .bind(&document.data)
    .bind(&document.pdf)
    .bind(&sha256)
    .bind(document.pages)
    .bind(document.registered)
    .bind(validated_on)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    if let Some(deadline) = &document.opens {
        query(
            "INSERT INTO agenda_items (case_id, kind, code, label, due_on, legal_basis, warn_days, status, \
             created_at) VALUES ($1, 'deadline', $2, $3, $4, $5, $6, 'open', $7)",
        )
        .bind(document.case_id)
        .bind(&deadline.code)
        .bind(&deadline.label)
        .bind(deadline.due_on)
        .bind(&deadline.legal_basis)
        .bind(deadline.warn_days)
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    let stored: Document =
        query_as(format!("SELECT {COLUMNS} FROM documents WHERE id = $1")).bind(id).fetch_one(&mut tx).await?;
    tx.commit().await?;
    Ok((stored, event.sequence))
}

/// The documents of a case, newest first.
pub async fn of_case(store: &Store, case_id: i64) -> Result<Vec<Document>> {
    let mut tx = store.begin_read().await?;
    let read = tx.case_documents(case_id).await?;
    tx.commit().await?;
    Ok(read)
}

impl Tx {
    /// The documents of a case, newest first, read inside this transaction.
    pub async fn case_documents(&mut self, case_id: i64) -> Result<Vec<Document>> {
        let documents = query_as(format!("SELECT {COLUMNS} FROM documents WHERE case_id = $1 ORDER BY id DESC"))
            .bind(case_id)
            .fetch_all(&mut *self)
            .await?;
        Ok(documents)
    }
}

/// A document and its bytes, checked against the recorded hash (a mismatch is corruption).
pub async fn get(store: &Store, document_id: i64) -> Result<(Document, Vec<u8>)> {
    let found: Option<Document> = query_as(format!("SELECT {COLUMNS} FROM documents WHERE id = $1"))
        .bind(document_id)
        .fetch_optional(store)
        .await?;
    let document = found.ok_or_else(|| StoreError::not_found(format!("document n° {document_id}")))?;
    let pdf: Vec<u8> =
        query_scalar("SELECT pdf FROM documents WHERE id = $1").bind(document_id).fetch_one(store).await?;
    if sha256_hex(&pdf) != document.sha256 {
        return Err(StoreError::Corrupt(format!(
            "document n° {document_id} : son empreinte ne correspond plus à celle enregistrée ; prévenez l'administrateur"
        )));
    }
    Ok((document, pdf))
}

/// The documents validated on a day, in order, with their bytes (the day's mail).
pub async fn validated_on(store: &Store, day: NaiveDate) -> Result<Vec<(Document, String)>> {
    let rows: Vec<(i64, String)> = query_as("SELECT id, data FROM documents WHERE validated_on = $1 ORDER BY id")
        .bind(day)
        .fetch_all(store)
        .await?;
    let mut documents = Vec::with_capacity(rows.len());
    for (id, data) in rows {
        let (document, _) = get(store, id).await?;
        documents.push((document, data));
    }
    Ok(documents)
}

/// Records a registered letter's tracking number and, later, the date of its acknowledgement of
/// receipt, with a journal event.
pub async fn record_postage(
    store: &Store,
    document_id: i64,
    tracking_number: Option<&str>,
    acknowledged_on: Option<NaiveDate>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Document> {
    let mut tx = store.begin().await?;
    let found: Option<(i64, Option<String>, Option<NaiveDate>)> =
        query_as("SELECT case_id, tracking_number, acknowledged_on FROM documents WHERE id = $1")
            .bind(document_id)
            .fetch_optional(&mut tx)
            .await?;
    let (case_id, recorded_tracking, recorded_acknowledgement) =
        found.ok_or_else(|| StoreError::not_found(format!("document n° {document_id}")))?;
    // Written from the mail room, where nobody saw the case: no case version, but what is
    // recorded is never overwritten by a different value (a second, different tracking number
    // is a mistake to look at, not an update).
    if let (Some(recorded), Some(new)) = (recorded_tracking.as_deref(), tracking_number) {
        if recorded != new {
            return Err(StoreError::conflict(
                "postage_already_recorded",
                format!("le courrier n° {document_id} a déjà le numéro de suivi {recorded}"),
            ));
        }
    }
    if let (Some(recorded), Some(new)) = (recorded_acknowledgement, acknowledged_on) {
        if recorded != new {
            return Err(StoreError::conflict(
                "postage_already_recorded",
                format!("l'accusé de réception du courrier n° {document_id} est déjà enregistré au {recorded}"),
            ));
        }
    }
    let adds_tracking = tracking_number.is_some() && recorded_tracking.is_none();
    let adds_acknowledgement = acknowledged_on.is_some() && recorded_acknowledgement.is_none();
    if !adds_tracking && !adds_acknowledgement {
        // Already recorded as given: nothing to journal.
        let document: Document = query_as(format!("SELECT {COLUMNS} FROM documents WHERE id = $1"))
            .bind(document_id)
            .fetch_one(&mut tx)
            .await?;
        tx.rollback().await?;
        return Ok(document);
    }
    let payload =
        json!({"document_id": document_id, "tracking_number": tracking_number, "acknowledged_on": acknowledged_on});
    tx.append_event(CaseEvent {
        case_id,
        expected_version: None,
        kind: EventKind::DocumentPostage,
        payload: payload.to_string(),
        actor,
        now,
    })
    .await?;
    query(
        "UPDATE documents SET tracking_number = COALESCE($2, tracking_number), \
         acknowledged_on = COALESCE($3, acknowledged_on) WHERE id = $1",
    )
    .bind(document_id)
    .bind(tracking_number)
    .bind(acknowledged_on)
    .execute(&mut tx)
    .await?;
    let document: Document =
        query_as(format!("SELECT {COLUMNS} FROM documents WHERE id = $1")).bind(document_id).fetch_one(&mut tx).await?;
    tx.commit().await?;
    Ok(document)
}

/// The open cases with a guarantor among their parties, for the nightly information letters
/// (issue 20: C. civ. 2302, 2303).
pub async fn guaranteed_open_cases(store: &Store) -> Result<Vec<i64>> {
    let ids = query_scalar(
        "SELECT c.id FROM cases c WHERE c.status <> 'closed' AND EXISTS (SELECT 1 FROM case_parties p \
         WHERE p.case_id = c.id AND p.role = 'guarantor') ORDER BY c.id",
    )
    .fetch_all(store)
    .await?;
    Ok(ids)
}
