//! Incoming documents on a case (issue 17, item 6) in the UI and the API: upload a scan with its
//! kind and the day it was received, list them, download them. The use cases are
//! `recouvre_app::attachments`; here the multipart form is read (`crate::multipart`) and the
//! bytes sent.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto, PageError};
use crate::multipart::{self, Part};
use crate::shared::PageResult;
use crate::{format, AppState};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, OriginalUri, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_app::attachments::{self as use_cases, Attachment, Download, Upload};
use recouvre_app::Error;
use recouvre_domain::attachment::{kinds, FileFormat, MAX_ATTACHMENT_BYTES};
use recouvre_domain::journal::JournalEvent;
use recouvre_domain::vocabulary::{self, Family};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a multipart body carries beyond the file: the other fields, the boundaries and headers.
/// A file just over the limit still reaches the use case, which answers 413 naming `file`; a
/// body far over it is cut by the framework (413 too).
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

/// The body limit of the upload routes only; every other route keeps axum's default (2 MB).
fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + FORM_OVERHEAD_BYTES)
}

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{id}/pieces", post(upload_form).layer(upload_limit()))
        .route("/pieces/{id}", get(download_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/attachments", get(list_attachments).post(post_attachment).layer(upload_limit()))
        .route("/attachments/{id}", get(download))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_attachment, list_attachments, download),
    components(schemas(AttachmentUpload, AttachmentDto, AttachedDto))
)]
pub struct AttachmentsApiDoc;

// ---------------------------------------------------------------------------------------------
// The form

/// The upload form (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)] // Documents the multipart form; the handler reads its parts.
pub struct AttachmentUpload {
    /// The scan: PDF, JPEG or PNG, recognised by its content (a file of another kind is refused
    /// whatever its name), at most 20 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `court_decision`, `bailiff_act`, `acknowledgement_of_receipt`, `death_certificate`,
    /// `banque_de_france_decision`, `debtor_letter`, `proof_of_income` or `other`.
    kind: String,
    /// The day the document was received (`AAAA-MM-JJ`), not after today.
    received_on: NaiveDate,
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    version: i64,
    /// Optional: the procedure step the document proves, as the `sequence` of that step's
    /// `procedure_step` event in the case's journal (`GET /api/v1/cases/{id}/journal`).
    procedure_step: Option<i64>,
}

/// The upload form's fields, read from its parts.
struct UploadFields {
    upload: Upload,
    version: i64,
    csrf: Option<String>,
}

fn required(field: &str) -> Error {
    Error::invalid(field, "required", format!("champ « {field} » manquant dans le formulaire"))
}

/// Reads the upload form. Unknown fields are ignored, as a browser's extra fields would be.
fn upload_fields(headers: &HeaderMap, body: &Bytes) -> Result<UploadFields, Error> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let parts = multipart::parse(content_type, body)?;
    let field = |name: &str| -> Result<Option<&Part>, Error> {
        let mut found = parts.iter().filter(|part| part.name == name);
        let first = found.next();
        if found.next().is_some() {
            return Err(Error::invalid(name, "invalid_input", format!("champ « {name} » donné plusieurs fois")));
        }
        Ok(first)
    };
    let text = |name: &str| -> Result<Option<String>, Error> {
        Ok(match field(name)? {
            Some(part) => Some(part.text()?.trim().to_string()).filter(|text| !text.is_empty()),
            None => None,
        })
    };
    let file = field("file")?.ok_or_else(|| required("file"))?;
    let Some(file_name) = file.file_name.clone() else {
        return Err(Error::invalid(
            "file",
            "invalid_input",
            "le champ « file » doit être un fichier (filename manquant)",
        ));
    };
    let kind = text("kind")?.ok_or_else(|| required("kind"))?;
    let received_on = text("received_on")?.ok_or_else(|| required("received_on"))?;
    let received_on = received_on.parse::<NaiveDate>().map_err(|_| {
        Error::invalid(
            "received_on",
            "invalid_input",
            format!("« {received_on} » n'est pas une date : écrivez-la AAAA-MM-JJ"),
        )
    })?;
    let version = text("version")?.ok_or_else(|| required("version"))?;
    let version = version
        .parse::<i64>()
        .map_err(|_| Error::invalid("version", "invalid_input", format!("version « {version} » : un nombre entier")))?;
    let procedure_step = match text("procedure_step")? {
        None => None,
        Some(step) => Some(step.parse::<i64>().map_err(|_| {
            Error::invalid(
                "procedure_step",
                "invalid_input",
                format!("étape « {step} » : donnez le numéro de l'événement de l'étape au journal du dossier"),
            )
        })?),
    };
    Ok(UploadFields {
        upload: Upload { file_name, bytes: file.data.to_vec(), kind, received_on, procedure_step },
        version,
        csrf: text("csrf")?,
    })
}

// ---------------------------------------------------------------------------------------------
// API

/// A document attached to a case.
#[derive(Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub case_id: i64,
    /// Kind code (`court_decision`, `bailiff_act`…) and its French label.
    pub kind: String,
    pub kind_label: String,
    /// The name it was uploaded under.
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, read from the content.
    pub media_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex; checked again on every download.
    pub sha256: String,
    pub received_on: NaiveDate,
    /// The `sequence` of the `procedure_step` event the document proves, if any.
    pub procedure_step: Option<i64>,
    /// Login of who attached it, and when.
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it.
    pub download: String,
}

impl From<Attachment> for AttachmentDto {
    fn from(attachment: Attachment) -> AttachmentDto {
        AttachmentDto {
            kind_label: vocabulary::label(Family::AttachmentKind, &attachment.kind).to_string(),
            media_type: FileFormat::from_code(&attachment.format)
                .map_or("application/octet-stream", FileFormat::media_type)
                .to_string(),
            download: format!("/api/v1/attachments/{}", attachment.id),
            id: attachment.id,
            case_id: attachment.case_id,
            kind: attachment.kind,
            file_name: attachment.file_name,
            size_bytes: attachment.size_bytes,
            sha256: attachment.sha256,
            received_on: attachment.received_on,
            procedure_step: attachment.step_sequence,
            uploaded_by: attachment.uploaded_by,
            uploaded_at: attachment.uploaded_at,
        }
    }
}

/// The answer to an upload: the stored document and the case's new version.
#[derive(Serialize, ToSchema)]
pub struct AttachedDto {
    #[serde(flatten)]
    pub attachment: AttachmentDto,
    /// The case's new version.
    pub version: i64,
}

/// Attaches a received document (a scan) to a case, journaled (`attachment_added`: kind, file
/// name, size, SHA-256). The file is recognised by its content: anything but a PDF, a JPEG or a
/// PNG is refused (400 `unsupported_file`, field `file`), whatever its name; over 20 MiB is a
/// 413 (`too_large`). A `received_on` after today is a 400 (`date_in_future`); a stale
/// `version` a 409.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", params(("id" = i64, Path, description = "Case id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachedDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
        (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto),
        (status = 413, body = ErrorDto)))]
pub(crate) async fn post_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    // Permission first (tests/authz_matrix.rs): a role that may not act gets 403, not a lesson
    // on the input it may not send.
    user.actor().require(recouvre_domain::authority::Permission::WorkCases)?;
    let fields = upload_fields(&headers, &body)?;
    drop(body);
    let attached = use_cases::attach(&state.app, &user.actor(), case_id, fields.version, fields.upload).await?;
    let dto = AttachedDto { attachment: attached.attachment.into(), version: attached.version };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// The documents attached to a case, newest first. The consultation is recorded in the access
/// log.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = Vec<AttachmentDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
        (status = 404, body = ErrorDto)))]
pub(crate) async fn list_attachments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<AttachmentDto>>, AppError> {
    let path = format!("/api/v1/cases/{case_id}/attachments");
    let attachments = use_cases::list(&state.app, &user.actor(), case_id, &path).await?;
    Ok(Json(attachments.into_iter().map(AttachmentDto::from).collect()))
}

/// The response carrying a document: its detected type, as an attachment under a safe name,
/// never sniffed or cached (personal data).
fn file_response(download: Download) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", download.file_name);
    let mut response = download.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(download.format.media_type()));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(value) = HeaderValue::from_str(&download.attachment.sha256) {
        headers.insert("x-content-sha256", value);
    }
    response
}

/// A document, byte for byte as attached: its SHA-256 is checked again first, and a document
/// that no longer matches is an integrity error (500, logged), never served. The consultation
/// is recorded in the access log.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", params(("id" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The document (`application/pdf`, `image/jpeg` or `image/png`), as an attachment; `X-Content-SHA256` gives its hash", content_type = "application/octet-stream"),
        (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
        (status = 500, body = ErrorDto, description = "`internal_error`: the stored document no longer matches its SHA-256")))]
pub(crate) async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(attachment_id): Path<i64>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, AppError> {
    Ok(file_response(use_cases::download(&state.app, &user.actor(), attachment_id, uri.path()).await?))
}

// ---------------------------------------------------------------------------------------------
// Pages

/// The upload form posted from the case page.
async fn upload_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let fields = upload_fields(&headers, &body)?;
    drop(body);
    user.check_csrf(fields.csrf.as_deref())?;
    use_cases::attach(&state.app, &user.actor(), case_id, fields.version, fields.upload).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#pieces")).into_response())
}

/// The download link of the case page.
async fn download_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(attachment_id): Path<i64>,
) -> Result<Response, PageError> {
    let path = format!("/pieces/{attachment_id}");
    Ok(file_response(use_cases::download(&state.app, &user.actor(), attachment_id, &path).await?))
}

/// The case page's section of received documents.
pub struct CaseAttachmentsView {
    /// (code, label) of every kind.
    pub kinds: Vec<(&'static str, &'static str)>,
    /// The case's recorded procedure steps a document may prove: (journal sequence, what it was).
    pub steps: Vec<(i64, String)>,
    pub rows: Vec<AttachmentRow>,
    /// The size limit, said in French.
    pub limit: String,
}

/// One document on the case page.
pub struct AttachmentRow {
    pub id: i64,
    pub kind: &'static str,
    pub file_name: String,
    pub format: &'static str,
    pub size: String,
    pub received_on: String,
    pub uploaded_by: String,
    pub step: String,
    pub sha256_short: String,
}

/// « 245 Ko », « 1,2 Mo »: a size as the screen says it.
fn french_size(bytes: i64) -> String {
    const KIB: i64 = 1024;
    if bytes < KIB {
        format!("{bytes}\u{a0}o")
    } else if bytes < KIB * KIB {
        format!("{}\u{a0}Ko", (bytes + KIB / 2) / KIB)
    } else {
        let tenths = (bytes * 10 + KIB * KIB / 2) / (KIB * KIB);
        format!("{},{}\u{a0}Mo", tenths / 10, tenths % 10)
    }
}

/// The section of received documents of a case page, from what the case page read: its
/// attachments and the steps a document may prove (its journal's `procedure_step` events, with
/// what the timeline says of each: [`steps_of`]).
pub fn case_view(
    attachments: Vec<Attachment>,
    steps: Vec<(i64, String)>,
    names: &BTreeMap<String, String>,
) -> CaseAttachmentsView {
    let step_label = |sequence: i64| {
        steps.iter().find(|(known, _)| *known == sequence).map_or_else(String::new, |(_, label)| label.clone())
    };
    CaseAttachmentsView {
        kinds: kinds().collect(),
        rows: attachments
            .into_iter()
            .map(|attachment| AttachmentRow {
                id: attachment.id,
                kind: vocabulary::label(Family::AttachmentKind, &attachment.kind),
                format: FileFormat::from_code(&attachment.format).map_or(vocabulary::UNKNOWN, FileFormat::label),
                size: french_size(attachment.size_bytes),
                received_on: format::short_date(attachment.received_on),
                uploaded_by: format::person(&attachment.uploaded_by, names),
                step: attachment.step_sequence.map(step_label).unwrap_or_default(),
                sha256_short: attachment.sha256.chars().take(16).collect(),
                file_name: attachment.file_name,
            })
            .collect(),
        steps,
        limit: format!("{}\u{a0}Mo", MAX_ATTACHMENT_BYTES / 1024 / 1024),
    }
}

/// The recorded procedure steps of a journal, newest first, each with `describe(event)`.
pub fn steps_of(journal: &[JournalEvent], describe: impl Fn(&JournalEvent) -> String) -> Vec<(i64, String)> {
    journal
        .iter()
        .rev()
        .filter(|event| event.kind == recouvre_domain::journal::EventKind::ProcedureStep.code())
        .map(|event| (event.sequence, describe(event)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::french_size;

    #[test]
    fn sizes_read_in_french() {
        assert_eq!(french_size(512), "512\u{a0}o");
        assert_eq!(french_size(250_000), "244\u{a0}Ko");
        assert_eq!(french_size(1_260_000), "1,2\u{a0}Mo");
        assert_eq!(french_size(20 * 1024 * 1024), "20,0\u{a0}Mo");
    }
}
