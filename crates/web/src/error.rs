//! Errors as HTTP answers: the one JSON body of the API contract (docs/api.md), or a French
//! page for the UI.
//!
//! Use cases answer a [`recouvre_app::Error`]; handlers not yet moved into the application
//! layer still build the older variants below, which are mapped onto the same contract, so that
//! every API error — the framework's own included, see [`contract_errors`] — has the body
//! `{"error": "<French sentence>", "code": "<stable code>", "field": "<name>"}`.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use recouvre_app::{Error, ErrorKind};
use recouvre_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("authentification requise : connectez-vous ou fournissez un jeton (Authorization: Bearer …)")]
    Unauthenticated { api: bool },
    #[error("accès refusé : {0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Refused by a rule (a step the law or the delegation does not allow now).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("erreur interne : {0}")]
    Internal(#[from] anyhow::Error),
    /// A use case's answer, already in the contract's terms.
    #[error(transparent)]
    App(Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        AppError::App(Error::from(error))
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> AppError {
        AppError::App(error)
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> AppError {
        AppError::Internal(anyhow::anyhow!("gabarit de page : {error}"))
    }
}

impl AppError {
    /// The error in the contract's terms.
    pub fn contract(&self) -> Error {
        match self {
            AppError::App(error) => error.clone(),
            AppError::Unauthenticated { .. } => Error::unauthenticated(),
            AppError::Forbidden(reason) => Error::forbidden(format!("accès refusé : {reason}")),
            AppError::NotFound(message) => Error::new(ErrorKind::NotFound, "not_found", message.clone()),
            AppError::BadRequest(message) => Error::invalid_input("invalid_input", message.clone()),
            AppError::Conflict(message) => Error::refused("refused", message.clone()),
            AppError::Store(error) => Error::internal(error),
            AppError::Internal(error) => Error::internal(format!("{error:#}")),
        }
    }

    pub fn status(&self) -> StatusCode {
        let code = match self {
            AppError::App(error) => error.http_status(),
            AppError::Unauthenticated { .. } => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::Store(_) | AppError::Internal(_) => 500,
        };
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self.contract().for_operator(), "request failed");
        }
    }
}

/// The API's error body (docs/api.md).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDto {
    /// What went wrong and what to do next, in French.
    pub error: String,
    /// A stable machine code: `invalid_input`, `not_found`, `stale_version`, `forbidden`…
    pub code: String,
    /// The input at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a stale version: the changes recorded since the version sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, required = false)]
    pub changes: Vec<recouvre_app::error::Change>,
    /// For a server error: the reference to give the support (also in the `x-request-id` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Seconds a client should wait before retrying a busy answer.
const RETRY_AFTER_SECONDS: &str = "1";

/// The contract's body for `error`.
pub fn error_response(error: &Error) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ErrorDto {
        error: error.message.clone(),
        code: error.code.to_string(),
        field: error.field.clone(),
        changes: error.changes.clone(),
        request_id: None,
    };
    let mut response = (status, axum::Json(body)).into_response();
    match error.kind {
        ErrorKind::Unauthenticated => {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        ErrorKind::Busy => {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        _ => {}
    }
    response
}

/// API errors: the contract's JSON body with its status.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Unauthenticated { api: false } = self {
            return Redirect::to("/login").into_response();
        }
        self.log();
        error_response(&self.contract())
    }
}

/// Every API answer of 400 and above carries the contract's JSON body, the framework's own
/// included (an unknown route, a wrong method, a body too large or unreadable, a bad path or
/// query parameter, which axum answers in plain text); axum's 422 for an unreadable JSON body
/// becomes the contract's 400. A server error's body never says more than its request id.
pub async fn contract_errors(request: Request<Body>, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/v1/") || request.uri().path() == "/api/v1";
    let request_id = request.headers().get("x-request-id").and_then(|value| value.to_str().ok()).map(str::to_string);
    let response = next.run(request).await;
    let status = response.status();
    if !is_api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
        let reference = request_id.unwrap_or_else(|| "-".to_string());
        let body = ErrorDto {
            error: format!(
                "erreur interne (référence {reference}) : l'incident est journalisé ; réessayez, et si cela persiste \
                 transmettez la référence au support"
            ),
            code: "internal_error".to_string(),
            field: None,
            changes: Vec::new(),
            request_id: Some(reference),
        };
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
    }
    if is_json && status != StatusCode::UNPROCESSABLE_ENTITY {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let detail = text.unwrap_or_default().trim().to_string();
    let error = framework_error(parts.status, &detail);
    let mut answer = error_response(&error);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// The contract's error for an answer the framework made itself.
fn framework_error(status: StatusCode, detail: &str) -> Error {
    let with_detail =
        |sentence: &str| if detail.is_empty() { sentence.to_string() } else { format!("{sentence} : {detail}") };
    match status {
        StatusCode::NOT_FOUND => {
            Error::new(ErrorKind::NotFound, "not_found", "adresse inconnue de l'API : voir /api/v1/openapi.json")
        }
        StatusCode::METHOD_NOT_ALLOWED => Error::invalid_input(
            "method_not_allowed",
            "méthode non permise sur cette adresse : voir /api/v1/openapi.json",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => Error::too_large(
            "corps de la requête trop volumineux : envoyez un fichier plus petit ou passez par `recouvre import`",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::invalid_input(
            "unsupported_media_type",
            with_detail("type de contenu non accepté (Content-Type: application/json attendu)"),
        ),
        StatusCode::UNAUTHORIZED => Error::unauthenticated(),
        StatusCode::FORBIDDEN => Error::forbidden(with_detail("accès refusé")),
        StatusCode::CONFLICT => Error::conflict("conflict", with_detail("conflit")),
        StatusCode::SERVICE_UNAVAILABLE => Error::busy(),
        // A time limit the framework enforced itself (our own, `crate::timeout`, answers 503
        // `timeout` directly): the same answer.
        StatusCode::REQUEST_TIMEOUT => Error::new(
            ErrorKind::Busy,
            "timeout",
            "la requête n'a pas abouti dans le temps imparti : réessayez dans un instant",
        ),
        _ => Error::invalid_input("invalid_input", with_detail("requête invalide")),
    }
}

/// The same errors for the HTML pages.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> PageError {
        PageError(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: String,
}

/// What an HTML error page says, left on the response by [`PageError`] for [`crate::error_pages`].
#[derive(Clone, Debug)]
pub(crate) struct ErrorPageText {
    pub(crate) title: &'static str,
    pub(crate) message: String,
}

/// The page's title for an error of `kind`.
fn title_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Stale => "Modification concurrente",
        ErrorKind::Refused | ErrorKind::Conflict => "Action refusée",
        ErrorKind::Forbidden => "Accès refusé",
        ErrorKind::NotFound => "Introuvable",
        ErrorKind::Invalid | ErrorKind::TooLarge => "Saisie invalide",
        ErrorKind::Busy => "Service occupé",
        _ => "Erreur",
    }
}

/// The page's title for an answer of `status` that did not say more.
pub(crate) fn title_of_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY => "Saisie invalide",
        StatusCode::FORBIDDEN => "Accès refusé",
        StatusCode::NOT_FOUND => "Introuvable",
        StatusCode::CONFLICT => "Action refusée",
        StatusCode::SERVICE_UNAVAILABLE => "Service occupé",
        _ => "Erreur",
    }
}

/// `text` as a sentence: its first letter in capitals.
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The bare page (no menu): what [`crate::error_pages`] shows when no user is known.
pub(crate) fn bare_page(status: StatusCode, text: &ErrorPageText) -> Response {
    let page = ErrorPage { title: text.title, message: text.message.clone() };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, text.message.clone()).into_response(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error = self.0;
        if let AppError::Unauthenticated { .. } = error {
            return Redirect::to("/login").into_response();
        }
        error.log();
        let status = error.status();
        let contract = error.contract();
        // The title already says "access refused": the text says why, as a sentence.
        let text = match &error {
            AppError::Forbidden(reason) => reason.clone(),
            _ => contract.message.clone(),
        };
        let text = ErrorPageText { title: title_of(contract.kind), message: sentence(&text) };
        let mut response = bare_page(status, &text);
        response.extensions_mut().insert(text);
        if contract.kind == ErrorKind::Busy {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_framework_timeout_is_the_contracts_503_timeout() {
        let error = framework_error(StatusCode::REQUEST_TIMEOUT, "");
        assert_eq!((error.http_status(), error.code.as_ref()), (503, "timeout"));
    }
}
