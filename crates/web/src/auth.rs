//! Authentication and authority: passwords (Argon2id), sessions, API tokens, CSRF, roles.
//!
//! Every handler but `/healthz` and the login page takes a [`CurrentUser`], so an
//! unauthenticated request never reaches one; each handler then asks for the permission its
//! act needs with [`CurrentUser::require`]. What the screen hides is a courtesy; this is the rule.

use crate::error::AppError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::cookie::CookieJar;
use recouvre_domain::authority::{Permission, Role};
use recouvre_store::users::User;

pub const SESSION_COOKIE: &str = "recouvre_session";
/// Double-submit cookie protecting the login form, before any session exists.
pub const LOGIN_CSRF_COOKIE: &str = "recouvre_login_csrf";
pub use recouvre_app::identity::{
    hash_password, random_token, same_secret, token_hash, verify_password, LoginFailure, TokenScope,
};

/// How the request proved who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A browser session; unsafe requests must carry its CSRF token.
    Session { csrf_token: String },
    /// An API bearer token; no cookie is involved, so no CSRF risk.
    Token,
}

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    pub credential: Credential,
    /// The purpose an API client declared for its reads (`X-Access-Purpose`, issue 23).
    pub declared_purpose: Option<recouvre_app::purpose::Purpose>,
}

/// The header by which an API client declares why it reads personal data (one code of
/// `recouvre_app::purpose::Purpose`; docs/api.md).
pub const ACCESS_PURPOSE_HEADER: &str = "x-access-purpose";

impl CurrentUser {
    pub fn login(&self) -> &str {
        &self.user.login
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.user.role.allows(permission)
    }

    /// The user as the application layer knows them.
    pub fn actor(&self) -> recouvre_app::Actor {
        recouvre_app::Actor::user(
            self.user.id,
            &self.user.login,
            &self.user.display_name,
            self.user.role,
            self.user.delegation_level,
        )
        .with_purpose(self.declared_purpose)
    }

    /// Refuses with 403 if the user's role lacks `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("votre rôle ({}) ne permet pas cette action", self.user.role.label())))
        }
    }

    /// The CSRF token forms must echo (empty for API tokens).
    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token } => csrf_token,
            Credential::Token => "",
        }
    }

    /// Checks the token a form or an `X-CSRF-Token` header sent back.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), AppError> {
        match &self.credential {
            Credential::Token => Ok(()),
            Credential::Session { csrf_token } => match sent {
                Some(sent) if same_secret(sent, csrf_token) => Ok(()),
                _ => Err(AppError::Forbidden(
                    "jeton anti-falsification (CSRF) absent ou invalide : rechargez la page".to_string(),
                )),
            },
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<CurrentUser, AppError> {
        // Inside the nested API router the path has lost its `/api/v1` prefix: ask the original.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_string(), |original| original.0.path().to_string());
        let is_api = path.starts_with("/api/v1/");
        // A purpose outside the fixed list is a 400 naming the header, before anything is read.
        let declared_purpose = match parts.headers.get(ACCESS_PURPOSE_HEADER) {
            Some(value) => Some(recouvre_app::purpose::Purpose::parse_declared(value.to_str().unwrap_or("?"))?),
            None => None,
        };
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|value| value.strip_prefix("Bearer "))
                .ok_or(AppError::Unauthenticated { api: true })?;
            let address = crate::client_address::client_address(state, &parts.headers, &parts.extensions);
            let (user, scope) = recouvre_app::identity::token_user(&state.app, token, address.as_deref())
                .await?
                .ok_or(AppError::Unauthenticated { api: true })?;
            if !scope.allows(parts.method.as_str(), &path) {
                return Err(AppError::Forbidden(format!(
                    "ce jeton d'API est limité ({}) : demandez un jeton qui permet cette action",
                    match scope {
                        TokenScope::ReadOnly => "lecture seule",
                        TokenScope::Imports => "imports de fichiers",
                        TokenScope::Full => "complet",
                    }
                )));
            }
            return Ok(CurrentUser { user, credential: Credential::Token, declared_purpose });
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let unauthenticated = AppError::Unauthenticated { api: is_api };
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(unauthenticated);
        };
        let Some((user, csrf_token)) = recouvre_app::identity::session(&state.app, cookie.value()).await? else {
            return Err(unauthenticated);
        };
        let current = CurrentUser { user, credential: Credential::Session { csrf_token }, declared_purpose };
        // API calls made with a session cookie (the UI's own scripts) must prove they come
        // from our pages when they change something.
        if is_api && !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts.headers.get("x-csrf-token").and_then(|value| value.to_str().ok());
            current.check_csrf(sent)?;
        }
        Ok(current)
    }
}

/// Opens a session for `user`; returns the cookie value.
pub async fn open_session(state: &AppState, user: &User) -> Result<String, AppError> {
    Ok(recouvre_app::identity::open_session(&state.app, user, state.config.session_hours).await?)
}
