//! Security headers on every response, the client's address, and the log of refusals (issue 23).
//!
//! What each header answers (docs/security.md): CSP and `frame-ancestors` against injected
//! scripts and clickjacking, `nosniff` against a download read as a script, `Referrer-Policy`
//! against case numbers leaking in the `Referer` of outgoing links, HSTS against a downgrade to
//! plain HTTP, `Cache-Control: no-store` against personal data left in a shared cache or on the
//! disk of a shared workstation.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Only our own scripts, styles and images; no plugin; no framing by another site; forms post
/// only to us. Inline `style` attributes are allowed (a few screens use them for spacing); inline
/// scripts are not.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// HSTS for a year. Browsers ignore it over plain HTTP (the demo on loopback), and honour it
/// behind the bank's HTTPS front.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Adds the security headers to every response, and `Cache-Control: no-store` to every one
/// that is not a static file: pages and API answers carry debtors' personal data.
pub async fn headers(request: Request<Body>, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    // A handler's own policy (stricter, for a download) is kept.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(headers, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    }
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    set(headers, header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(headers, header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    if !is_static && !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
        set(headers, header::PRAGMA, "no-cache");
    }
    response
}

/// Largest refusal body read back to tell a CSRF failure from another refusal.
const REFUSAL_BODY_MAX: usize = 64 * 1024;

/// Logs every refusal (403) as a security event: who (the session's or token's user, resolved
/// only for refusals), from where, on what; a CSRF failure as its own kind.
pub async fn refusals(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let address = crate::client_address::client_address(&state, request.headers(), request.extensions());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let credentials = request.headers().clone();
    let response = next.run(request).await;
    if response.status() != StatusCode::FORBIDDEN {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, REFUSAL_BODY_MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let kind = if text.contains("CSRF") { "csrf_failed" } else { "forbidden" };
    let login = who(&state, &credentials).await;
    recouvre_app::identity::security_event(
        &state.app,
        kind,
        login.as_deref(),
        address.as_deref(),
        &format!("{method} {path}"),
    )
    .await;
    Response::from_parts(parts, Body::from(bytes))
}

/// The login behind a request's token or session cookie, if any.
async fn who(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(token) =
        headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        // No address: this lookup only names who was refused, it is not a use of the token.
        let found = recouvre_app::identity::token_user(&state.app, token, None).await.ok().flatten();
        return found.map(|(user, _)| user.login);
    }
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
    let cookie = jar.get(crate::auth::SESSION_COOKIE)?;
    recouvre_app::identity::session(&state.app, cookie.value()).await.ok().flatten().map(|(user, _)| user.login)
}
