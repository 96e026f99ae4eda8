//! Administrators edit the letter templates (issue 6), in the UI and the API: the use cases are
//! `recouvre_app::letter_templates` (a version is compiled against the kind's sample before it
//! is stored; letters are then made with the latest version of their kind, on every server).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::{DateTime, Utc};
use recouvre_app::letter_templates::{self as use_cases, Sample, TemplateDetail, TemplateSummary, VersionView};
use recouvre_app::ErrorKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::shared::{render, Layout, PageResult};

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/modeles", get(list_page))
        .route("/admin/modeles/{kind}", get(kind_page).post(add_form))
        .route("/admin/modeles/{kind}/apercu", get(preview_current_page).post(preview_form))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/letter-templates", get(list_api))
        .route("/letter-templates/{kind}", get(kind_api).post(add_api))
        .route("/letter-templates/{kind}/preview", get(preview_current_api).post(preview_api))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_api, kind_api, add_api, preview_current_api, preview_api),
    components(schemas(
        TemplateSummaryDto,
        TemplateVersionDto,
        TemplateDetailDto,
        NewTemplateRequest,
        PreviewRequest
    ))
)]
pub struct LetterTemplatesApiDoc;

fn pdf(sample: Sample) -> Response {
    let name = format!("exemple-{}.pdf", sample.kind.code());
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        ],
        sample.rendered.pdf,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// API

/// A template kind and its version in force.
#[derive(Serialize, ToSchema)]
pub struct TemplateSummaryDto {
    pub kind: String,
    pub label: String,
    /// "<kind> v<number>", as documents record it.
    pub version: String,
    pub number: i64,
    /// Whether the version in force is the one built into the application (v1).
    pub built_in: bool,
    pub author: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// One version of a template.
#[derive(Clone, Serialize, ToSchema)]
pub struct TemplateVersionDto {
    pub version: String,
    pub number: i64,
    pub built_in: bool,
    /// The Typst module (defines `render(d)`).
    pub source: String,
    pub sha256: String,
    pub reason: Option<String>,
    pub author: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A template: the version in force and every version, oldest first.
#[derive(Serialize, ToSchema)]
pub struct TemplateDetailDto {
    pub kind: String,
    pub label: String,
    pub current: TemplateVersionDto,
    pub history: Vec<TemplateVersionDto>,
}

/// A new version of a template.
#[derive(Deserialize, ToSchema)]
pub struct NewTemplateRequest {
    /// The Typst module; it imports the shared frame with `#import "/lib.typ": *` and defines
    /// `render(d)`.
    pub source: String,
    /// Why it changes (kept in the history).
    pub reason: String,
}

/// A template to try on the kind's sample data (nothing is stored).
#[derive(Deserialize, ToSchema)]
pub struct PreviewRequest {
    pub source: String,
}

impl From<VersionView> for TemplateVersionDto {
    fn from(version: VersionView) -> TemplateVersionDto {
        TemplateVersionDto {
            version: version.version,
            number: version.number,
            built_in: version.built_in,
            source: version.source,
            sha256: version.sha256,
            reason: version.reason,
            author: version.author,
            created_at: version.created_at,
        }
    }
}

impl From<TemplateSummary> for TemplateSummaryDto {
    fn from(summary: TemplateSummary) -> TemplateSummaryDto {
        TemplateSummaryDto {
            kind: summary.kind.code().to_string(),
            label: summary.kind.label().to_string(),
            version: summary.version,
            number: summary.number,
            built_in: summary.built_in,
            author: summary.author,
            created_at: summary.created_at,
        }
    }
}

impl From<TemplateDetail> for TemplateDetailDto {
    fn from(detail: TemplateDetail) -> TemplateDetailDto {
        TemplateDetailDto {
            kind: detail.kind.code().to_string(),
            label: detail.kind.label().to_string(),
            current: detail.current().clone().into(),
            history: detail.history.into_iter().map(TemplateVersionDto::from).collect(),
        }
    }
}

/// The letter templates and the version of each in force (administrators).
#[utoipa::path(get, path = "/api/v1/letter-templates",
    responses((status = 200, body = [TemplateSummaryDto]), (status = 401, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto)))]
async fn list_api(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<TemplateSummaryDto>>, AppError> {
    let summaries = use_cases::list_templates(&state.app, &user.actor()).await?;
    Ok(Json(summaries.into_iter().map(TemplateSummaryDto::from).collect()))
}

/// A template: the version in force, with its source, and the history of its versions.
#[utoipa::path(get, path = "/api/v1/letter-templates/{kind}", params(("kind" = String, Path, description = "Template code, e.g. formal_notice")),
    responses((status = 200, body = TemplateDetailDto), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn kind_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<TemplateDetailDto>, AppError> {
    let detail = use_cases::template(&state.app, &user.actor(), &code).await?;
    Ok(Json(detail.into()))
}

/// Adds a version of a template (administrators). It is compiled against the kind's sample
/// data first: a template that does not render is refused (400, Typst's message with file and
/// line) and nothing is stored. From the next letter on, every server uses it.
#[utoipa::path(post, path = "/api/v1/letter-templates/{kind}", params(("kind" = String, Path, description = "Template code")), request_body = NewTemplateRequest,
    responses((status = 201, body = TemplateVersionDto), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn add_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(request): Json<NewTemplateRequest>,
) -> Result<Response, AppError> {
    let stored =
        use_cases::add_template_version(&state.app, &user.actor(), &code, &request.source, &request.reason).await?;
    Ok((StatusCode::CREATED, Json(TemplateVersionDto::from(VersionView::from(stored)))).into_response())
}

/// The kind's sample letter made with the version in force.
#[utoipa::path(get, path = "/api/v1/letter-templates/{kind}/preview", params(("kind" = String, Path, description = "Template code")),
    responses((status = 200, content_type = "application/pdf", description = "The sample letter"), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn preview_current_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    Ok(pdf(use_cases::sample_letter(&state.app, &user.actor(), &code).await?))
}

/// The kind's sample letter made with a proposed template (nothing is stored).
#[utoipa::path(post, path = "/api/v1/letter-templates/{kind}/preview", params(("kind" = String, Path, description = "Template code")), request_body = PreviewRequest,
    responses((status = 200, content_type = "application/pdf", description = "The sample letter"), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn preview_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(request): Json<PreviewRequest>,
) -> Result<Response, AppError> {
    Ok(pdf(use_cases::try_template(&state.app, &user.actor(), &code, &request.source).await?))
}

// ---------------------------------------------------------------------------------------------
// Pages

#[derive(Template)]
#[template(path = "letter_templates.html")]
struct ListPage {
    layout: Layout,
    templates: Vec<SummaryRow>,
}

struct SummaryRow {
    code: String,
    label: String,
    version: String,
    built_in: bool,
    changed: String,
}

async fn list_page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let templates = use_cases::list_templates(&state.app, &user.actor())
        .await?
        .into_iter()
        .map(|summary| SummaryRow {
            changed: match (&summary.author, summary.created_at) {
                (Some(author), Some(at)) => format!("{} par {author}", crate::format::timestamp(at)),
                _ => String::new(),
            },
            code: summary.kind.code().to_string(),
            label: summary.kind.label().to_string(),
            version: summary.version,
            built_in: summary.built_in,
        })
        .collect();
    render(&ListPage { layout: Layout::of(&user), templates })
}

#[derive(Template)]
#[template(path = "letter_template.html")]
struct KindPage {
    layout: Layout,
    code: String,
    label: String,
    current: String,
    source: String,
    reason: String,
    error: Option<String>,
    saved: Option<String>,
    history: Vec<HistoryRow>,
}

struct HistoryRow {
    version: String,
    created: String,
    author: String,
    reason: String,
    sha256_short: String,
    current: bool,
}

/// The template's page: its history, and the editor holding `draft` (source, reason) or the
/// version in force.
fn kind_view(
    user: &CurrentUser,
    detail: &TemplateDetail,
    draft: Option<(String, String)>,
    error: Option<String>,
    saved: Option<String>,
) -> PageResult {
    let current = detail.current();
    let (source, reason) = draft.unwrap_or_else(|| (current.source.clone(), String::new()));
    let last = detail.history.len() - 1;
    let page = KindPage {
        layout: Layout::of(user),
        code: detail.kind.code().to_string(),
        label: detail.kind.label().to_string(),
        current: current.version.clone(),
        source,
        reason,
        error,
        saved,
        history: detail
            .history
            .iter()
            .enumerate()
            .rev()
            .map(|(i, version)| HistoryRow {
                version: version.version.clone(),
                created: version.created_at.map(crate::format::timestamp).unwrap_or_else(|| "—".to_string()),
                author: version.author.clone().unwrap_or_else(|| "application".to_string()),
                reason: version.reason.clone().unwrap_or_default(),
                sha256_short: version.sha256.chars().take(16).collect(),
                current: i == last,
            })
            .collect(),
    };
    render(&page)
}

#[derive(Deserialize)]
struct SavedQuery {
    #[serde(default)]
    enregistre: Option<String>,
}

async fn kind_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let detail = use_cases::template(&state.app, &user.actor(), &code).await?;
    kind_view(&user, &detail, None, None, query.enregistre)
}

#[derive(Deserialize)]
struct TemplateForm {
    csrf: String,
    source: String,
    #[serde(default)]
    motif: String,
}

/// A refusal the administrator can correct: the page again, with the message and their text.
fn correctable(error: &recouvre_app::Error) -> bool {
    matches!(error.kind, ErrorKind::Invalid | ErrorKind::Refused | ErrorKind::Conflict)
}

async fn refused_page(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    draft: (String, String),
    message: String,
) -> PageResult {
    let detail = use_cases::template(&state.app, &user.actor(), code).await?;
    let mut response = kind_view(user, &detail, Some(draft), Some(message), None)?;
    *response.status_mut() = StatusCode::BAD_REQUEST;
    Ok(response)
}

async fn add_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<TemplateForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    // Browsers send textareas with CRLF line ends: store the text as written.
    let source = form.source.replace("\r\n", "\n");
    match use_cases::add_template_version(&state.app, &user.actor(), &code, &source, &form.motif).await {
        Ok(stored) => {
            Ok(Redirect::to(&format!("/admin/modeles/{}?enregistre={}", stored.kind, stored.number)).into_response())
        }
        Err(error) if correctable(&error) => {
            refused_page(&state, &user, &code, (source, form.motif), error.message.clone()).await
        }
        Err(other) => Err(AppError::from(other).into()),
    }
}

async fn preview_current_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> PageResult {
    Ok(pdf(use_cases::sample_letter(&state.app, &user.actor(), &code).await?))
}

async fn preview_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<TemplateForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let source = form.source.replace("\r\n", "\n");
    match use_cases::try_template(&state.app, &user.actor(), &code, &source).await {
        Ok(sample) => Ok(pdf(sample)),
        Err(error) if correctable(&error) => {
            refused_page(&state, &user, &code, (source, form.motif), error.message.clone()).await
        }
        Err(other) => Err(AppError::from(other).into()),
    }
}
