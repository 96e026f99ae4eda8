//! Administrators edit the letter templates (issue 6): each kind has the built-in template
//! (version 1) and the versions administrators added, append-only, with author, instant and
//! reason (`recouvre_store::letter_templates`). A version is compiled against the kind's sample
//! data (`recouvre_letters::samples`) before it is stored; one that does not render is refused
//! with Typst's message (file, line) and nothing is stored. Letters are then made with the
//! latest version of their kind, on every server ([`crate::letters::EngineCache`]).

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
use recouvre_domain::authority::Permission;
use recouvre_letters::{samples, Engine, LetterKind, Rendered};
use recouvre_store::letter_templates::{NewTemplateVersion, TemplateVersion};
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

fn kind_of(code: &str) -> Result<LetterKind, AppError> {
    LetterKind::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = LetterKind::ALL.iter().map(|kind| kind.code()).collect();
        AppError::NotFound(format!("modèle de courrier « {code} » inconnu : choisissez parmi {}", known.join(", ")))
    })
}

/// Renders the kind's sample with `source` in place of its template, without touching the
/// engine in force. A template that does not compile, or whose sample does not render, gives
/// the reason in French (file, line, Typst's message).
async fn render_candidate(kind: LetterKind, source: String, version: String) -> Result<Rendered, AppError> {
    if source.trim().is_empty() {
        return Err(AppError::BadRequest(
            "le modèle est vide : collez le texte Typst complet du modèle (il doit définir render(d))".to_string(),
        ));
    }
    tokio::task::spawn_blocking(move || {
        let mut engine: Engine = crate::letters::base_engine().clone();
        engine.set_template(kind, source, version)?;
        engine.render(kind, &samples::sample(kind))
    })
    .await
    .map_err(|error| AppError::Internal(anyhow::anyhow!("rendu interrompu : {error}")))?
    .map_err(|error| {
        AppError::BadRequest(format!(
            "modèle refusé, rien n'a été enregistré : il ne produit pas le courrier d'exemple. {error}"
        ))
    })
}

/// Renders the kind's sample with the template in force.
async fn render_current(state: &AppState, kind: LetterKind) -> Result<Rendered, AppError> {
    let engine = state.letter_engine.engine(&state.store).await?;
    tokio::task::spawn_blocking(move || engine.render(kind, &samples::sample(kind)))
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!("rendu interrompu : {error}")))?
        .map_err(|error| AppError::Internal(anyhow::anyhow!("{error}")))
}

/// Checks a candidate against the sample, then stores it as the kind's next version.
async fn add_version(
    state: &AppState,
    user: &CurrentUser,
    kind: LetterKind,
    source: &str,
    reason: &str,
) -> Result<TemplateVersion, AppError> {
    if reason.trim().is_empty() {
        return Err(AppError::BadRequest(
            "indiquez le motif de la nouvelle version : il reste dans l'historique du modèle".to_string(),
        ));
    }
    render_candidate(kind, source.to_string(), format!("{} (proposé)", kind.code())).await?;
    let new = NewTemplateVersion { kind: kind.code(), source, reason, author_id: user.user.id };
    let stored = recouvre_store::letter_templates::add(&state.store, &new, Utc::now()).await?;
    tracing::info!(version = %stored.label, by = user.login(), "letter template version added");
    Ok(stored)
}

fn pdf(rendered: Rendered, name: &str) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        ],
        rendered.pdf,
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

fn built_in(kind: LetterKind) -> TemplateVersionDto {
    let source = Engine::default_template_source(kind).to_string();
    TemplateVersionDto {
        version: recouvre_store::letter_templates::label(kind.code(), 1),
        number: 1,
        built_in: true,
        sha256: recouvre_store::documents::sha256_hex(source.as_bytes()),
        source,
        reason: Some("modèle intégré à l'application".to_string()),
        author: None,
        created_at: None,
    }
}

impl From<TemplateVersion> for TemplateVersionDto {
    fn from(version: TemplateVersion) -> TemplateVersionDto {
        TemplateVersionDto {
            version: version.label,
            number: version.number,
            built_in: false,
            source: version.source,
            sha256: version.sha256,
            reason: Some(version.reason),
            author: Some(version.author),
            created_at: Some(version.created_at),
        }
    }
}

/// Every version of `kind`, oldest first: the built-in one, then the stored ones.
async fn history(state: &AppState, kind: LetterKind) -> Result<Vec<TemplateVersionDto>, AppError> {
    let stored = recouvre_store::letter_templates::of_kind(&state.store, kind.code()).await?;
    Ok(std::iter::once(built_in(kind)).chain(stored.into_iter().map(TemplateVersionDto::from)).collect())
}

async fn summaries(state: &AppState) -> Result<Vec<TemplateSummaryDto>, AppError> {
    let stored = recouvre_store::letter_templates::all(&state.store).await?;
    Ok(LetterKind::ALL
        .iter()
        .map(|kind| {
            let last = stored.iter().filter(|version| version.kind == kind.code()).max_by_key(|version| version.number);
            TemplateSummaryDto {
                kind: kind.code().to_string(),
                label: kind.label().to_string(),
                version: last.map_or_else(
                    || recouvre_store::letter_templates::label(kind.code(), 1),
                    |version| version.label.clone(),
                ),
                number: last.map_or(1, |version| version.number),
                built_in: last.is_none(),
                author: last.map(|version| version.author.clone()),
                created_at: last.map(|version| version.created_at),
            }
        })
        .collect())
}

/// The letter templates and the version of each in force (administrators).
#[utoipa::path(get, path = "/api/v1/letter-templates",
    responses((status = 200, body = [TemplateSummaryDto]), (status = 401, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto)))]
async fn list_api(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<TemplateSummaryDto>>, AppError> {
    user.require(Permission::Administer)?;
    Ok(Json(summaries(&state).await?))
}

/// A template: the version in force, with its source, and the history of its versions.
#[utoipa::path(get, path = "/api/v1/letter-templates/{kind}", params(("kind" = String, Path, description = "Template code, e.g. formal_notice")),
    responses((status = 200, body = TemplateDetailDto), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn kind_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<TemplateDetailDto>, AppError> {
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    let history = history(&state, kind).await?;
    let current = history.last().cloned().expect("the built-in version at least");
    Ok(Json(TemplateDetailDto { kind: kind.code().to_string(), label: kind.label().to_string(), current, history }))
}

/// Adds a version of a template (administrators). It is compiled against the kind's sample
/// data first: a template that does not render is refused (400, Typst's message with file and
/// line) and nothing is stored. From the next letter on, every server uses it.
#[utoipa::path(post, path = "/api/v1/letter-templates/{kind}", params(("kind" = String, Path, description = "Template code")), request_body = NewTemplateRequest,
    responses((status = 201, body = TemplateVersionDto), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn add_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(request): Json<NewTemplateRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    let stored = add_version(&state, &user, kind, &request.source, &request.reason).await?;
    Ok((StatusCode::CREATED, Json(TemplateVersionDto::from(stored))).into_response())
}

/// The kind's sample letter made with the version in force.
#[utoipa::path(get, path = "/api/v1/letter-templates/{kind}/preview", params(("kind" = String, Path, description = "Template code")),
    responses((status = 200, content_type = "application/pdf", description = "The sample letter"), (status = 403, body = crate::error::ErrorDto)))]
async fn preview_current_api(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    Ok(pdf(render_current(&state, kind).await?, &format!("exemple-{}.pdf", kind.code())))
}

/// The kind's sample letter made with a proposed template (nothing is stored).
#[utoipa::path(post, path = "/api/v1/letter-templates/{kind}/preview", params(("kind" = String, Path, description = "Template code")), request_body = PreviewRequest,
    responses((status = 200, content_type = "application/pdf", description = "The sample letter"), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto)))]
async fn preview_api(
    user: CurrentUser,
    Path(code): Path<String>,
    Json(request): Json<PreviewRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    let rendered = render_candidate(kind, request.source, format!("{} (proposé)", kind.code())).await?;
    Ok(pdf(rendered, &format!("exemple-{}.pdf", kind.code())))
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
    user.require(Permission::Administer)?;
    let templates = summaries(&state)
        .await?
        .into_iter()
        .map(|summary| SummaryRow {
            changed: match (&summary.author, summary.created_at) {
                (Some(author), Some(at)) => format!("{} par {author}", crate::format::timestamp(at)),
                _ => String::new(),
            },
            code: summary.kind,
            label: summary.label,
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

async fn kind_view(
    state: &AppState,
    user: &CurrentUser,
    kind: LetterKind,
    draft: Option<(String, String)>,
    error: Option<String>,
    saved: Option<String>,
) -> PageResult {
    let versions = history(state, kind).await?;
    let current = versions.last().expect("the built-in version at least");
    let (source, reason) = draft.unwrap_or_else(|| (current.source.clone(), String::new()));
    let last = versions.len() - 1;
    let page = KindPage {
        layout: Layout::of(user),
        code: kind.code().to_string(),
        label: kind.label().to_string(),
        current: current.version.clone(),
        source,
        reason,
        error,
        saved,
        history: versions
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
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    kind_view(&state, &user, kind, None, None, query.enregistre).await
}

#[derive(Deserialize)]
struct TemplateForm {
    csrf: String,
    source: String,
    #[serde(default)]
    motif: String,
}

async fn add_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<TemplateForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    // Browsers send textareas with CRLF line ends: store the text as written.
    let source = form.source.replace("\r\n", "\n");
    match add_version(&state, &user, kind, &source, &form.motif).await {
        Ok(stored) => {
            Ok(Redirect::to(&format!("/admin/modeles/{}?enregistre={}", kind.code(), stored.number)).into_response())
        }
        Err(AppError::BadRequest(message) | AppError::Conflict(message)) => {
            let mut response = kind_view(&state, &user, kind, Some((source, form.motif)), Some(message), None).await?;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

async fn preview_current_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> PageResult {
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    Ok(pdf(render_current(&state, kind).await?, &format!("exemple-{}.pdf", kind.code())))
}

async fn preview_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<TemplateForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::Administer)?;
    let kind = kind_of(&code)?;
    let source = form.source.replace("\r\n", "\n");
    match render_candidate(kind, source.clone(), format!("{} (proposé)", kind.code())).await {
        Ok(rendered) => Ok(pdf(rendered, &format!("exemple-{}.pdf", kind.code()))),
        Err(AppError::BadRequest(message)) => {
            let message = message.replace("modèle refusé, rien n'a été enregistré", "aperçu impossible");
            let mut response = kind_view(&state, &user, kind, Some((source, form.motif)), Some(message), None).await?;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}
