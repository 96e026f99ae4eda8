//! Letters and court papers on a case (issue 6) in the UI and the API: preview, validate,
//! download, postage, the day's mail. The use cases are `recouvre_app::letters`; here the
//! requests are read and the PDFs sent.

use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use recouvre_app::letters::{self as use_cases, Document, LetterInput, Postage};
use recouvre_letters::LetterKind;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{id}/courriers/apercu", get(preview_page))
        .route("/dossiers/{id}/courriers", post(validate_form))
        .route("/documents/{id}", get(download))
        .route("/documents/{id}/envoi", post(postage_form))
        .route("/courrier-du-jour", get(day_mail))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/documents", get(list_documents).post(post_document))
        .route("/cases/{id}/documents/preview", post(post_preview))
        .route("/documents/{id}/pdf", get(download))
        .route("/mail/{date}", get(day_mail_api))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_documents, post_document, post_preview, download, day_mail_api),
    components(schemas(LetterRequest, DocumentDto))
)]
pub struct LettersApiDoc;

/// What the officer chooses or adds when generating a letter.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LetterRequest {
    /// Template code: `formal_notice`, `plan_proposal`, `payment_order_request`…
    pub kind: String,
    /// The case version the officer saw: required to validate (ignored by the preview); a
    /// stale one is refused (409, with the changes since).
    pub version: Option<i64>,
    /// A paragraph added before the closing formula.
    pub note: Option<String>,
    /// For letters to a third party (notary, bailiff, agency) not on the case: its name…
    pub recipient_name: Option<String>,
    /// …and address, one line per element separated by `\n` or `,`.
    pub recipient_address: Option<String>,
    /// Court for a payment-order request (default: the tribunal judiciaire of the debtor's city).
    pub court: Option<String>,
    /// For instructions to a bailiff: the enforceable title to execute (e.g. "ordonnance
    /// d'injonction de payer du … revêtue de la formule exécutoire").
    pub enforceable_title: Option<String>,
    /// For a formal notice to a living co-debtor instead of the debtor (e.g. after the debtor's
    /// death): the co-debtor's customer number, one of the case's parties.
    #[serde(default)]
    pub co_debtor: Option<String>,
}

impl LetterRequest {
    fn input(self) -> LetterInput {
        LetterInput {
            kind: self.kind,
            note: self.note,
            recipient_name: self.recipient_name,
            recipient_address: self.recipient_address,
            court: self.court,
            enforceable_title: self.enforceable_title,
            co_debtor: self.co_debtor,
        }
    }
}

/// A stored document.
#[derive(serde::Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub label: String,
    pub template_version: String,
    pub recipient: String,
    pub sha256: String,
    pub pages: i64,
    pub registered: bool,
    pub validated_on: NaiveDate,
    pub validated_by: String,
    pub tracking_number: Option<String>,
    pub acknowledged_on: Option<NaiveDate>,
}

fn label_of(kind: &str) -> &'static str {
    LetterKind::from_code(kind).map(LetterKind::label).unwrap_or("Document")
}

impl From<Document> for DocumentDto {
    fn from(document: Document) -> DocumentDto {
        DocumentDto {
            label: label_of(&document.kind).to_string(),
            id: document.id,
            case_id: document.case_id,
            kind: document.kind,
            template_version: document.template_version,
            recipient: document.recipient,
            sha256: document.sha256,
            pages: document.pages,
            registered: document.registered,
            validated_on: document.validated_on,
            validated_by: document.validated_by,
            tracking_number: document.tracking_number,
            acknowledged_on: document.acknowledged_on,
        }
    }
}

fn pdf_response(bytes: Vec<u8>, file_name: &str, inline: bool) -> Response {
    let disposition = format!("{}; filename=\"{file_name}\"", if inline { "inline" } else { "attachment" });
    ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

fn preview_response(letter: use_cases::Letter, case_id: i64) -> Response {
    pdf_response(letter.rendered.pdf, &format!("apercu-{}-{case_id}.pdf", letter.kind.code()), true)
}

// ---------------------------------------------------------------------------------------------
// Pages

/// The case page's letters section.
pub struct CaseLettersView {
    /// (code, label) of every template.
    pub templates: Vec<(&'static str, &'static str)>,
    pub documents: Vec<DocumentRow>,
}

/// One stored document on the case page.
pub struct DocumentRow {
    pub id: i64,
    pub label: &'static str,
    pub recipient: String,
    pub validated_on: String,
    pub validated_by: String,
    pub sha256_short: String,
    pub registered: bool,
    pub tracking_number: String,
    pub acknowledged_on: String,
}

/// The letters section of a case page, from the documents the case page read.
pub fn case_view(documents: Vec<Document>) -> CaseLettersView {
    CaseLettersView {
        templates: LetterKind::ALL.iter().map(|kind| (kind.code(), kind.label())).collect(),
        documents: documents
            .into_iter()
            .map(|document| DocumentRow {
                id: document.id,
                label: label_of(&document.kind),
                recipient: document.recipient,
                validated_on: crate::format::short_date(document.validated_on),
                validated_by: document.validated_by,
                sha256_short: document.sha256.chars().take(16).collect(),
                registered: document.registered,
                tracking_number: document.tracking_number.unwrap_or_default(),
                acknowledged_on: document.acknowledged_on.map(crate::format::short_date).unwrap_or_default(),
            })
            .collect(),
    }
}

/// The letters form's fields (the preview's query string, the validation's form).
#[derive(Deserialize)]
struct LetterFields {
    modele: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    destinataire: Option<String>,
    #[serde(default)]
    adresse: Option<String>,
    #[serde(default)]
    tribunal: Option<String>,
    #[serde(default)]
    titre: Option<String>,
    /// The customer number of the co-debtor a formal notice goes to.
    #[serde(default)]
    codebiteur: Option<String>,
}

impl LetterFields {
    fn input(self) -> LetterInput {
        LetterInput {
            kind: self.modele,
            note: self.note,
            recipient_name: self.destinataire,
            recipient_address: self.adresse,
            court: self.tribunal,
            enforceable_title: self.titre,
            co_debtor: self.codebiteur,
        }
    }
}

async fn preview_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Query(fields): Query<LetterFields>,
) -> Result<Response, PageError> {
    let letter = use_cases::preview_letter(&state.app, &user.actor(), case_id, &fields.input()).await?;
    Ok(preview_response(letter, case_id))
}

#[derive(Deserialize)]
struct ValidateForm {
    csrf: String,
    version: i64,
    modele: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    destinataire: Option<String>,
    #[serde(default)]
    adresse: Option<String>,
    #[serde(default)]
    tribunal: Option<String>,
    #[serde(default)]
    titre: Option<String>,
    /// The customer number of the co-debtor a formal notice goes to.
    #[serde(default)]
    codebiteur: Option<String>,
}

async fn validate_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<ValidateForm>,
) -> Result<Response, PageError> {
    user.check_csrf(Some(&form.csrf))?;
    let fields = LetterFields {
        modele: form.modele,
        note: form.note,
        destinataire: form.destinataire,
        adresse: form.adresse,
        tribunal: form.tribunal,
        titre: form.titre,
        codebiteur: form.codebiteur,
    };
    use_cases::validate_letter(&state.app, &user.actor(), case_id, Some(form.version), &fields.input()).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#courriers")).into_response())
}

#[derive(Deserialize)]
struct PostageForm {
    csrf: String,
    #[serde(default)]
    suivi: Option<String>,
    #[serde(default)]
    accuse: Option<String>,
}

async fn postage_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(document_id): Path<i64>,
    Form(form): Form<PostageForm>,
) -> Result<Response, PageError> {
    user.check_csrf(Some(&form.csrf))?;
    let acknowledged_on = match form.accuse.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => Some(text.parse::<NaiveDate>().map_err(|_| {
            AppError::BadRequest(format!("date de l'accusé de réception « {text} » : attendu AAAA-MM-JJ"))
        })?),
        None => None,
    };
    let postage = Postage { tracking_number: form.suivi, acknowledged_on };
    let document = use_cases::record_postage(&state.app, &user.actor(), document_id, &postage).await?;
    Ok(Redirect::to(&format!("/dossiers/{}#courriers", document.case_id)).into_response())
}

/// A stored document, byte for byte as validated.
#[utoipa::path(get, path = "/api/v1/documents/{id}/pdf", params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, content_type = "application/pdf", description = "The PDF as validated"), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(document_id): Path<i64>,
) -> Result<Response, AppError> {
    let path = format!("/api/v1/documents/{document_id}/pdf");
    let (document, pdf) = use_cases::download_document(&state.app, &user.actor(), document_id, &path).await?;
    Ok(pdf_response(pdf, &format!("{}-{}-{}.pdf", document.kind, document.case_id, document.id), false))
}

#[derive(Deserialize, IntoParams)]
struct DayQuery {
    /// The day (default: today).
    date: Option<NaiveDate>,
}

async fn day_mail(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DayQuery>,
) -> Result<Response, PageError> {
    let mail = use_cases::day_mail(&state.app, &user.actor(), query.date).await?;
    Ok(pdf_response(mail.pdf, &format!("courrier-{}.pdf", mail.day), true))
}

// ---------------------------------------------------------------------------------------------
// API

/// The documents of a case, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = [DocumentDto]), (status = 403, body = crate::error::ErrorDto)))]
async fn list_documents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<DocumentDto>>, AppError> {
    let path = format!("/api/v1/cases/{case_id}/documents");
    let documents = use_cases::case_documents(&state.app, &user.actor(), case_id, &path).await?;
    Ok(Json(documents.into_iter().map(DocumentDto::from).collect()))
}

/// Renders a letter for preview (nothing is stored).
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents/preview", params(("id" = i64, Path, description = "Case id")), request_body = LetterRequest,
    responses((status = 200, content_type = "application/pdf", description = "The letter"), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<LetterRequest>,
) -> Result<Response, AppError> {
    let letter = use_cases::preview_letter(&state.app, &user.actor(), case_id, &request.input()).await?;
    Ok(preview_response(letter, case_id))
}

/// Validates a letter: renders it, stores the PDF with its SHA-256, journals it and opens its
/// deadline (the cure period of a formal notice). `version` is required: the case's version the
/// officer saw; a stale one is refused (409, listing the changes since).
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", params(("id" = i64, Path, description = "Case id")), request_body = LetterRequest,
    responses((status = 201, body = DocumentDto), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<LetterRequest>,
) -> Result<Response, AppError> {
    let version = request.version;
    let validated = use_cases::validate_letter(&state.app, &user.actor(), case_id, version, &request.input()).await?;
    Ok((StatusCode::CREATED, Json(DocumentDto::from(validated.document))).into_response())
}

/// The day's mail: every document validated that day in one PDF, after a cover list.
#[utoipa::path(get, path = "/api/v1/mail/{date}", params(("date" = NaiveDate, Path, description = "Day (AAAA-MM-JJ)")),
    responses((status = 200, content_type = "application/pdf", description = "The day's mail"), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn day_mail_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(day): Path<NaiveDate>,
) -> Result<Response, AppError> {
    let mail = use_cases::day_mail(&state.app, &user.actor(), Some(day)).await?;
    Ok(pdf_response(mail.pdf, &format!("courrier-{day}.pdf"), false))
}
