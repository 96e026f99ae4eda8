//! Request time limits (issue 22): no request holds a worker, a connection and a database
//! transaction without end. A request over its limit is interrupted (its future dropped, so an
//! open transaction rolls back) and answered 503 `timeout` in the error contract, with
//! `Retry-After`; a page gets the error page.

use std::future::Future;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use recouvre_app::{Error, ErrorKind};

use crate::error::{error_response, PageError};
use crate::AppState;

/// The limit of an ordinary request (a page, a list, a change): far above any measured answer
/// (docs/performance.md), short enough that a stuck request frees its worker.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The limit of a file import (`/api/v1/imports/…`): a statement or an accounts file of up to
/// `MAX_IMPORT_BYTES` is parsed, validated and booked in one request.
pub const IMPORT_TIMEOUT: Duration = Duration::from_secs(600);

/// Whether `path` is a file import, which gets [`IMPORT_TIMEOUT`].
pub fn is_import(path: &str) -> bool {
    path.starts_with("/api/v1/imports/")
}

/// Whether `path` uploads a scan to a case (`crate::attachments`): up to 20 MiB sent from an
/// officer's workstation, which a branch's slow link takes more than [`REQUEST_TIMEOUT`] to send
/// (the body is read inside the limit). It gets [`IMPORT_TIMEOUT`] too.
pub fn is_upload(path: &str) -> bool {
    let case_path = |prefix: &str, suffix: &str| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit()))
    };
    case_path("/api/v1/cases/", "/attachments") || case_path("/dossiers/", "/pieces")
}

/// The contract's error for a request interrupted after `limit`: 503 (the server could not
/// answer in time; the client may retry), code `timeout`.
pub fn timeout_error(limit: Duration) -> Error {
    Error::new(
        ErrorKind::Busy,
        "timeout",
        format!(
            "la requête a dépassé sa durée maximale ({} s) et a été interrompue : réessayez dans un instant ; \
             si c'était une modification, vérifiez d'abord qu'elle n'a pas été enregistrée",
            limit.as_secs()
        ),
    )
}

/// The middleware: runs the request under its limit (`Config::request_timeout`, or
/// `Config::import_timeout` for imports).
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let limit =
        if is_import(&path) || is_upload(&path) { state.config.import_timeout } else { state.config.request_timeout };
    // The deadline is checked against the clock before every poll of the request. Neither
    // `tokio::time::timeout` (it polls the request first) nor a biased select on a `sleep` is
    // enough: the timer rounds a deadline up to its next millisecond tick, so a spent limit could
    // still be "pending" while a quick request finished (seen once on PostgreSQL with a zero limit).
    let deadline = tokio::time::Instant::now() + limit;
    let sleep = tokio::time::sleep_until(deadline);
    let run = next.run(request);
    tokio::pin!(sleep, run);
    let outcome = std::future::poll_fn(|cx| {
        if tokio::time::Instant::now() >= deadline || sleep.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(None);
        }
        run.as_mut().poll(cx).map(Some)
    })
    .await;
    match outcome {
        Some(response) => response,
        None => {
            tracing::warn!(path = %path, limit_ms = limit.as_millis() as u64, "request timed out");
            let error = timeout_error(limit);
            if path.starts_with("/api/v1/") {
                error_response(&error)
            } else {
                PageError(crate::AppError::App(error)).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_a_503_timeout_saying_the_limit() {
        let error = timeout_error(REQUEST_TIMEOUT);
        assert_eq!((error.http_status(), error.code.as_ref()), (503, "timeout"));
        assert!(error.message.contains("30 s"), "{}", error.message);
        let response = error_response(&error);
        assert_eq!(response.status(), 503);
        assert!(response.headers().contains_key(axum::http::header::RETRY_AFTER));
    }

    #[test]
    fn imports_get_the_longer_limit() {
        assert!(is_import("/api/v1/imports/statement"));
        assert!(is_import("/api/v1/imports/accounts"));
        assert!(!is_import("/api/v1/cases"));
        assert!(IMPORT_TIMEOUT > REQUEST_TIMEOUT);
    }

    #[test]
    fn scan_uploads_get_the_longer_limit() {
        assert!(is_upload("/api/v1/cases/12/attachments"));
        assert!(is_upload("/dossiers/12/pieces"));
        assert!(!is_upload("/api/v1/cases/12/notes"));
        assert!(!is_upload("/api/v1/cases//attachments"));
        assert!(!is_upload("/api/v1/cases/1/2/attachments"));
        assert!(!is_upload("/api/v1/attachments/3"));
    }
}
