//! The user's own account (issue 23): « Mes jetons » (their API tokens: list, revoke) and the
//! second factor's enrolment (a TOTP secret as text for an authenticator application, confirmed
//! by a code, then ten recovery codes shown once). Every role has these screens; each acts on
//! the reader's own account only.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto, PageError};
use crate::format;
use crate::shared::{render, CsrfForm, Layout, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One of the reader's API tokens (never the secret).
#[derive(Serialize, ToSchema)]
pub struct MyTokenDto {
    pub id: i64,
    pub name: String,
    /// `full`, `read_only` or `imports`.
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The reader's own API tokens, oldest first.
#[utoipa::path(get, path = "/api/v1/me/tokens", responses(
    (status = 200, body = Vec<MyTokenDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn my_tokens_api(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<MyTokenDto>>, AppError> {
    let tokens = recouvre_app::identity::my_tokens(&state.app, &user.actor()).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|token| MyTokenDto {
                id: token.id,
                name: token.name,
                scope: token.scope,
                created_at: token.created_at,
                expires_at: token.expires_at,
                last_used_at: token.last_used_at,
                revoked_at: token.revoked_at,
            })
            .collect(),
    ))
}

/// Revokes one of the reader's own API tokens (another person's: 404).
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", params(("id" = i64, Path, description = "Token id")), responses(
    (status = 204, description = "Revoked"), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn revoke_my_token_api(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    extensions: Extensions,
    Path(token_id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let address = crate::client_address::client_address(&state, &headers, &extensions);
    recouvre_app::identity::revoke_my_token(&state.app, &user.actor(), token_id, address.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct TokenLine {
    id: i64,
    name: String,
    scope: &'static str,
    created: String,
    expires: String,
    last_used: String,
    live: bool,
    status: String,
}

#[derive(Template)]
#[template(path = "account_tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenLine>,
}

fn scope_label(scope: &str) -> &'static str {
    match scope {
        "read_only" => "lecture seule",
        "imports" => "imports de fichiers",
        "full" => "complet",
        _ => "inconnu",
    }
}

/// « Mes jetons »: the reader's API tokens, each with a button to revoke it.
pub(crate) async fn tokens_page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let now = state.app.now();
    let tokens = recouvre_app::identity::my_tokens(&state.app, &user.actor())
        .await?
        .into_iter()
        .map(|token| {
            let expired = token.expires_at.is_some_and(|at| at <= now);
            let status = match (token.revoked_at, expired) {
                (Some(at), _) => format!("révoqué le {}", format::timestamp(at)),
                (None, true) => "expiré".to_string(),
                (None, false) => "actif".to_string(),
            };
            TokenLine {
                id: token.id,
                name: token.name,
                scope: scope_label(&token.scope),
                created: format::timestamp(token.created_at),
                expires: token.expires_at.map_or_else(|| "jamais".to_string(), format::timestamp),
                last_used: token.last_used_at.map_or_else(|| "jamais".to_string(), format::timestamp),
                live: token.revoked_at.is_none() && !expired,
                status,
            }
        })
        .collect();
    render(&TokensPage { layout: Layout::of(&user), tokens })
}

pub(crate) async fn revoke_token_page(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    extensions: Extensions,
    Path(token_id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let address = crate::client_address::client_address(&state, &headers, &extensions);
    recouvre_app::identity::revoke_my_token(&state.app, &user.actor(), token_id, address.as_deref()).await?;
    Ok(Redirect::to("/compte/jetons").into_response())
}

#[derive(Template)]
#[template(path = "account_totp.html")]
struct TotpPage {
    layout: Layout,
    enrolment: recouvre_app::enrolment::Enrolment,
    /// Shown once, just after a confirmation.
    recovery_codes: Vec<String>,
    error: Option<String>,
}

async fn totp_page(
    state: &AppState,
    user: &CurrentUser,
    recovery_codes: Vec<String>,
    error: Option<String>,
) -> PageResult {
    let enrolment = recouvre_app::enrolment::enrolment(&state.app, &user.actor()).await?;
    let mut response = render(&TotpPage { layout: Layout::of(user), enrolment, recovery_codes, error: error.clone() })?;
    if error.is_some() {
        *response.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

/// The second factor: where the reader stands, and the form to enrol or renew.
pub(crate) async fn totp_status(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    totp_page(&state, &user, Vec::new(), None).await
}

#[derive(Deserialize)]
pub(crate) struct StartForm {
    csrf: String,
    password: String,
    #[serde(default)]
    code: String,
}

/// Starts an enrolment: the password again (and a code of the secret in force, if any).
pub(crate) async fn totp_start(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    extensions: Extensions,
    Form(form): Form<StartForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let address = crate::client_address::client_address(&state, &headers, &extensions);
    let started = recouvre_app::enrolment::start_enrolment(
        &state.app,
        &state.login_throttle,
        &user.actor(),
        &form.password,
        Some(form.code.as_str()).filter(|code| !code.trim().is_empty()),
        address.as_deref(),
    )
    .await;
    match started {
        Ok(_) => totp_page(&state, &user, Vec::new(), None).await,
        Err(error) if error.kind == recouvre_app::ErrorKind::Invalid => {
            totp_page(&state, &user, Vec::new(), Some(error.message.clone())).await
        }
        Err(error) => Err(PageError::from(error)),
    }
}

#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    csrf: String,
    code: String,
}

/// Confirms the new secret with a code it produced; shows the ten recovery codes, once.
pub(crate) async fn totp_confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    extensions: Extensions,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let address = crate::client_address::client_address(&state, &headers, &extensions);
    match recouvre_app::enrolment::confirm_enrolment(&state.app, &user.actor(), &form.code, address.as_deref()).await {
        Ok(codes) => totp_page(&state, &user, codes, None).await,
        Err(error) if error.kind == recouvre_app::ErrorKind::Invalid => {
            totp_page(&state, &user, Vec::new(), Some(error.message.clone())).await
        }
        Err(error) => Err(PageError::from(error)),
    }
}

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/compte/jetons", get(tokens_page))
        .route("/compte/jetons/{id}/revoquer", post(revoke_token_page))
        .route("/compte/double-facteur", get(totp_status).post(totp_start))
        .route("/compte/double-facteur/confirmer", post(totp_confirm))
}

pub fn api() -> Router<AppState> {
    Router::new().route("/me/tokens", get(my_tokens_api)).route("/me/tokens/{id}", delete(revoke_my_token_api))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(my_tokens_api, revoke_my_token_api), components(schemas(MyTokenDto)))]
pub struct AccountApiDoc;
