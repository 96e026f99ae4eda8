//! Authentication and authority: passwords (Argon2id), sessions, API tokens, CSRF, roles.
//!
//! Every handler but `/healthz` and the login page takes a [`CurrentUser`], so an
//! unauthenticated request never reaches one; each handler then asks for the permission its
//! act needs with [`CurrentUser::require`]. What the screen hides is a courtesy; this is the rule.

use crate::error::AppError;
use crate::AppState;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::cookie::CookieJar;
use chrono::{Duration, Utc};
use rand::RngCore;
use recouvre_domain::authority::{Permission, Role};
use recouvre_store::users::User;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "recouvre_session";
/// Double-submit cookie protecting the login form, before any session exists.
pub const LOGIN_CSRF_COOKIE: &str = "recouvre_login_csrf";
/// Failed logins before an account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("hachage du mot de passe impossible : {error}"))
}

pub fn verify_password(password: &str, password_hash: &str) -> bool {
    match PasswordHash::new(password_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A fresh random secret (session token, API token, CSRF token): 32 bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Only the SHA-256 of a session or API token is stored: a stolen database holds no
/// usable credential.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

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
}

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
        let now = Utc::now();
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|value| value.strip_prefix("Bearer "))
                .ok_or(AppError::Unauthenticated { api: true })?;
            let user = recouvre_store::users::user_by_token(&state.store, &token_hash(token.trim()), now)
                .await?
                .ok_or(AppError::Unauthenticated { api: true })?;
            return Ok(CurrentUser { user, credential: Credential::Token });
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let unauthenticated = AppError::Unauthenticated { api: is_api };
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(unauthenticated);
        };
        let Some((user, csrf_token)) =
            recouvre_store::sessions::find(&state.store, &token_hash(cookie.value()), now).await?
        else {
            return Err(unauthenticated);
        };
        let current = CurrentUser { user, credential: Credential::Session { csrf_token } };
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
    let token = random_token();
    let now = Utc::now();
    let expires_at = now + Duration::hours(state.config.session_hours);
    recouvre_store::sessions::create(&state.store, &token_hash(&token), user.id, &random_token(), now, expires_at)
        .await?;
    Ok(token)
}

/// Why a login failed. The message shown never says which of login or password was wrong.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginFailure {
    BadCredentials,
    Locked,
}

/// Checks a login and password, counting failures and locking the account after
/// [`MAX_FAILED_LOGINS`] in a row.
pub async fn authenticate(
    state: &AppState,
    login: &str,
    password: &str,
) -> Result<Result<User, LoginFailure>, AppError> {
    let now = Utc::now();
    let Some(user) = recouvre_store::users::by_login(&state.store, login.trim()).await? else {
        // Same work as a real check, so that timing does not reveal which logins exist.
        let _ = verify_password(password, DUMMY_HASH);
        return Ok(Err(LoginFailure::BadCredentials));
    };
    if !user.active {
        return Ok(Err(LoginFailure::BadCredentials));
    }
    if user.locked_until.is_some_and(|until| until > now) {
        return Ok(Err(LoginFailure::Locked));
    }
    if !verify_password(password, &user.password_hash) {
        recouvre_store::users::record_failed_login(
            &state.store,
            user.id,
            MAX_FAILED_LOGINS,
            now + Duration::minutes(LOCK_MINUTES),
        )
        .await?;
        return Ok(Err(LoginFailure::BadCredentials));
    }
    if user.failed_logins > 0 {
        recouvre_store::users::reset_failed_logins(&state.store, user.id).await?;
    }
    Ok(Ok(user))
}

/// Argon2id hash of a random string, used to spend the same time on unknown logins.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
