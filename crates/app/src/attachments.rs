//! Incoming documents (issue 17, item 6): an officer attaches a scan received — a court
//! decision, a bailiff's act, an acknowledgement of receipt, a death certificate, a decision of
//! the Banque de France, a letter from the debtor, a proof of income — to a case, with its kind
//! and the day it was received, and optionally the procedure step it proves.
//!
//! The file is recognised by its content (`recouvre_domain::attachment::detect`), never by its
//! name; it is stored with its SHA-256 and journaled in one transaction; every download checks
//! the hash again and is written to the access log like any read of the debtor's file (RGPD
//! art. 15).

use chrono::NaiveDate;
use recouvre_domain::attachment::{self, FileFormat, MAX_ATTACHMENT_BYTES};
use recouvre_domain::authority::Permission;
use recouvre_store::StoreError;

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

pub use recouvre_store::attachments::Attachment;

/// A document as uploaded.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The name the file was uploaded under (its extension decides nothing).
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// A kind code: `court_decision`, `bailiff_act`, … (`recouvre_domain::attachment::kinds`).
    pub kind: String,
    /// The day the document was received (not after today).
    pub received_on: NaiveDate,
    /// The procedure step it proves: the `sequence` of that step's event in the case's journal.
    pub procedure_step: Option<i64>,
}

/// What an upload answers: the stored document and the case's new version.
#[derive(Clone, Debug)]
pub struct Attached {
    pub attachment: Attachment,
    pub version: i64,
}

/// The size limit, said in French.
fn size_limit() -> String {
    format!("{} Mo", MAX_ATTACHMENT_BYTES / 1024 / 1024)
}

/// Attaches a received document to a case, on the version the officer saw.
pub async fn attach(app: &App, actor: &Actor, case_id: i64, version: i64, upload: Upload) -> Result<Attached> {
    actor.require(Permission::WorkCases)?;
    if upload.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Error::too_large(format!(
            "fichier de {} octets : une pièce fait au plus {} ; numérisez-la en plusieurs fichiers ou à une \
             résolution plus basse",
            upload.bytes.len(),
            size_limit()
        ))
        .with_field("file"));
    }
    let format = attachment::detect(&upload.bytes)
        .map_err(|error| Error::invalid("file", "unsupported_file", error.to_string()))?;
    let kind = upload.kind.trim();
    if !attachment::is_kind(kind) {
        let known: Vec<&str> = attachment::kinds().map(|(code, _)| code).collect();
        return Err(Error::invalid(
            "kind",
            "unknown_kind",
            format!("nature de pièce inconnue « {kind} » : choisissez parmi {}", known.join(", ")),
        ));
    }
    let received_on = limits::past_date("received_on", upload.received_on, app.today())?;
    let file_name = limits::text("file", &upload.file_name, SHORT_TEXT_CHARS_MAX, false)?;
    let file_name = if file_name.is_empty() { format!("piece.{}", format.extension()) } else { file_name };
    if let Some(step) = upload.procedure_step {
        if step < 1 {
            return Err(Error::invalid(
                "procedure_step",
                "invalid_input",
                format!("étape n° {step} : donnez le numéro d'une étape de procédure du dossier"),
            ));
        }
    }
    let new = recouvre_store::attachments::NewAttachment {
        case_id,
        kind: kind.to_string(),
        file_name,
        format: format.code().to_string(),
        content: upload.bytes,
        received_on,
        step_sequence: upload.procedure_step,
    };
    let (attachment, version) =
        recouvre_store::attachments::attach(app.store(), &new, version, &actor.login, app.now()).await?;
    Ok(Attached { attachment, version })
}

/// The documents attached to a case, newest first. The consultation is logged (`path`: the
/// screen or endpoint it was read through).
pub async fn list(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<Vec<Attachment>> {
    actor.require(Permission::ReadCases)?;
    let attachments = recouvre_store::attachments::of_case(app.store(), case_id).await?;
    crate::access::record_case_read(app, actor, case_id, path, crate::purpose::Purpose::CaseFile).await?;
    Ok(attachments)
}

/// A document to send: its record, its bytes, its format and a file name safe to send.
#[derive(Clone, Debug)]
pub struct Download {
    pub attachment: Attachment,
    pub bytes: Vec<u8>,
    pub format: FileFormat,
    /// The uploaded name made safe, with the detected format's extension.
    pub file_name: String,
}

/// A document, byte for byte as attached, its SHA-256 checked again: a mismatch is an
/// integrity error (500, logged), never a silent download. The consultation of the debtor's
/// file is logged.
pub async fn download(app: &App, actor: &Actor, attachment_id: i64, path: &str) -> Result<Download> {
    actor.require(Permission::ReadCases)?;
    let attachment = recouvre_store::attachments::find(app.store(), attachment_id).await?;
    let bytes = match recouvre_store::attachments::content(app.store(), &attachment).await {
        Ok(bytes) => bytes,
        Err(StoreError::Corrupt(detail)) => {
            tracing::error!(
                attachment_id,
                case_id = attachment.case_id,
                user = %actor.login,
                "integrity error: an attached document no longer matches its SHA-256; not served"
            );
            return Err(Error::internal(detail));
        }
        Err(other) => return Err(other.into()),
    };
    let format = FileFormat::from_code(&attachment.format).ok_or_else(|| {
        Error::internal(format!("pièce n° {attachment_id} : format « {} » inconnu", attachment.format))
    })?;
    crate::access::record_case_read(app, actor, attachment.case_id, path, crate::purpose::Purpose::CaseFile).await?;
    let file_name = attachment::safe_file_name(&attachment.file_name, format, &format!("piece-{attachment_id}"));
    Ok(Download { attachment, bytes, format, file_name })
}
