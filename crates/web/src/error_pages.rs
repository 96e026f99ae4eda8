//! Every HTML error answer as a French page inside the site's frame (the menu of the user the
//! session cookie names). Its own module, above `auth`, `shared` and `error`: it needs all three,
//! and `error` must not depend on `auth` (which reports its refusals through `error`).

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::error::{bare_page, sentence, title_of_status, ErrorPageText};

/// The same page inside the site's frame, for a user the request's session names.
#[derive(Template)]
#[template(path = "error_in_layout.html")]
struct ErrorInLayout<'a> {
    layout: crate::shared::Layout,
    title: &'a str,
    message: String,
}

/// Every error answer of the HTML pages is a French page inside the site's frame (the menu of
/// the user the session cookie names, « Se déconnecter »), so that the reader can go on from
/// it: a [`PageError`]'s page, a page handler's contract JSON and the framework's own answers
/// (an unknown address, a wrong method) alike. A page a handler rendered itself with an error
/// status (a form shown again with its errors) is kept; the API, the static files and the
/// probes are left alone.
pub async fn error_pages(State(state): State<crate::AppState>, request: Request<Body>, next: Next) -> Response {
    let path = request.uri().path();
    let skipped = path == "/api"
        || path.starts_with("/api/")
        || path.starts_with("/static/")
        || path == "/metrics"
        || path == "/healthz"
        || path == "/livez"
        || path == "/readyz";
    let session = if skipped {
        None
    } else {
        axum_extra::extract::cookie::CookieJar::from_headers(request.headers())
            .get(crate::auth::SESSION_COOKIE)
            .map(|cookie| cookie.value().to_string())
    };
    let response = next.run(request).await;
    let status = response.status();
    if skipped || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let text = response.extensions().get::<ErrorPageText>().cloned();
    if is_html && text.is_none() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match text {
        Some(text) => text,
        None => {
            let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
            let said = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|body| body["error"].as_str().map(str::to_string));
            let message = match said {
                Some(message) => sentence(&message),
                None if parts.status == StatusCode::NOT_FOUND => {
                    "Cette adresse ne correspond à aucune page : revenez à l'accueil ou passez par le menu.".to_string()
                }
                None if parts.status == StatusCode::METHOD_NOT_ALLOWED => {
                    "Cette adresse ne s'ouvre pas ainsi : revenez à la page précédente et utilisez ses liens et boutons."
                        .to_string()
                }
                None => "La demande n'a pas abouti : revenez à la page précédente et réessayez.".to_string(),
            };
            ErrorPageText { title: title_of_status(parts.status), message }
        }
    };
    let user = match session {
        Some(secret) => recouvre_app::identity::session(&state.app, &secret).await.ok().flatten(),
        None => None,
    };
    let mut answer = match user {
        Some((user, csrf_token)) => {
            let current = crate::auth::CurrentUser {
                user,
                credential: crate::auth::Credential::Session { csrf_token },
                declared_purpose: None,
            };
            let page = ErrorInLayout {
                layout: crate::shared::Layout::of(&current),
                title: text.title,
                message: text.message.clone(),
            };
            match page.render() {
                Ok(html) => (parts.status, Html(html)).into_response(),
                Err(_) => bare_page(parts.status, &text),
            }
        }
        None => bare_page(parts.status, &text),
    };
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}
