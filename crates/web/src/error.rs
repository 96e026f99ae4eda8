//! Errors as HTTP answers: JSON for the API, a French page for the UI.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
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
    /// Made on a version of the case somebody else changed meanwhile.
    #[error("{0}")]
    Stale(String),
    /// The database is busy: nothing was done, the client may try again in a second.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("erreur interne : {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::Invalid { message, .. } => AppError::BadRequest(message),
            StoreError::NotFound { what } => AppError::NotFound(format!("{what} introuvable")),
            StoreError::Stale(stale) => AppError::Stale(stale.to_string()),
            StoreError::Refused { message, .. } | StoreError::Conflict { message, .. } => AppError::Conflict(message),
            StoreError::Busy => AppError::Busy(StoreError::Busy.to_string()),
            other => AppError::Store(other),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> AppError {
        AppError::Internal(anyhow::anyhow!("gabarit de page : {error}"))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) | AppError::Stale(_) => StatusCode::CONFLICT,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }
}

/// API errors: `{"error": "..."}` with the right status.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let body = axum::Json(serde_json::json!({ "error": self.to_string() }));
        if let AppError::Unauthenticated { api: false } = self {
            return Redirect::to("/login").into_response();
        }
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            return (status, [(header::RETRY_AFTER, "1")], body).into_response();
        }
        (status, body).into_response()
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

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let error = self.0;
        if let AppError::Unauthenticated { .. } = error {
            return Redirect::to("/login").into_response();
        }
        error.log();
        let status = error.status();
        let title = match (&error, status) {
            (AppError::Stale(_), _) => "Modification concurrente",
            (_, StatusCode::CONFLICT) => "Action refusée",
            (_, StatusCode::FORBIDDEN) => "Accès refusé",
            (_, StatusCode::NOT_FOUND) => "Introuvable",
            (_, StatusCode::BAD_REQUEST) => "Saisie invalide",
            _ => "Erreur",
        };
        // The title already says "access refused": the text says why, as a sentence.
        let text = match &error {
            AppError::Forbidden(reason) => reason.clone(),
            other => other.to_string(),
        };
        let mut chars = text.chars();
        let message = chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect());
        let page = ErrorPage { title, message };
        let retry_after = [(header::RETRY_AFTER, "1")];
        match page.render() {
            Ok(html) if status == StatusCode::SERVICE_UNAVAILABLE => (status, retry_after, Html(html)).into_response(),
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, error.to_string()).into_response(),
        }
    }
}
