//! Signing in and out, the home page of each role, and who is signed in (`/api/v1/me`).

use crate::auth::{CurrentUser, LoginFailure, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::PageError;
use crate::shared::{render, CsrfForm, PageResult};
use crate::{auth, AppState};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use recouvre_domain::authority::{Permission, Role};
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Login

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    csrf: String,
    error: Option<String>,
    login: String,
}

pub(crate) async fn login_form(State(state): State<AppState>, jar: CookieJar) -> (CookieJar, PageResult) {
    let csrf = auth::random_token();
    let jar = jar.add(login_csrf_cookie(&state, csrf.clone()));
    (jar, render(&LoginPage { csrf, error: None, login: String::new() }))
}

pub(crate) fn login_csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies)
        .path("/login")
        .build()
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    login: String,
    password: String,
    csrf: String,
    /// The TOTP code (second factor); absent for an officer who did not enrol.
    #[serde(default)]
    code: String,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<(CookieJar, Response), PageError> {
    let address = crate::client_address::client_address(&state, &headers, &extensions);
    let cookie_csrf = jar.get(LOGIN_CSRF_COOKIE).map(|cookie| cookie.value().to_string());
    let retry = |jar: CookieJar, message: &str, login: String| -> Result<(CookieJar, Response), PageError> {
        let csrf = auth::random_token();
        let jar = jar.add(login_csrf_cookie(&state, csrf.clone()));
        let mut response = render(&LoginPage { csrf, error: Some(message.to_string()), login })?;
        *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        Ok((jar, response))
    };
    if !cookie_csrf.is_some_and(|expected| auth::same_secret(&expected, &form.csrf)) {
        recouvre_app::identity::security_event(
            &state.app,
            "csrf_failed",
            Some(form.login.trim()),
            address.as_deref(),
            "POST /login",
        )
        .await;
        return retry(jar, "Le formulaire a expiré : saisissez à nouveau vos identifiants.", form.login);
    }
    let authenticated = recouvre_app::identity::authenticate(
        &state.app,
        &state.login_throttle,
        &form.login,
        &form.password,
        Some(form.code.as_str()).filter(|code| !code.trim().is_empty()),
        address.as_deref(),
    )
    .await?;
    match authenticated {
        Err(LoginFailure::BadCredentials) => retry(jar, "Identifiant ou mot de passe incorrect.", form.login),
        // Counted per login typed, known or not, and per address: this says nothing of who exists.
        Err(LoginFailure::Throttled { seconds }) => {
            retry(jar, &format!("Trop de tentatives : patientez {seconds} secondes avant de réessayer."), form.login)
        }
        Ok(user) => {
            tracing::info!(login = %user.login, "login");
            let token = auth::open_session(&state, &user).await?;
            let cookie = Cookie::build((SESSION_COOKIE, token))
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(state.config.secure_cookies)
                .path("/")
                .build();
            let jar = jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login")).add(cookie);
            Ok((jar, Redirect::to(home_of(user.role)).into_response()))
        }
    }
}

/// Where a role lands: the first screen it may use.
pub(crate) fn home_of(role: Role) -> &'static str {
    if role.allows(Permission::ReadCases) {
        "/dossiers"
    } else if role.allows(Permission::ReadReports) {
        "/pilotage"
    } else if role.allows(Permission::Administer) {
        "/admin/reference"
    } else {
        "/calculettes"
    }
}

pub(crate) async fn home(user: CurrentUser) -> Redirect {
    Redirect::to(home_of(user.role()))
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<(CookieJar, Redirect), PageError> {
    user.check_csrf(Some(&form.csrf))?;
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        recouvre_app::identity::close_session(&state.app, cookie.value()).await?;
    }
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/login")))
}

pub fn pages() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/login", get(login_form).post(login)).route("/logout", post(logout))
}
