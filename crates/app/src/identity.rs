//! Who may use the application: passwords (Argon2id), sessions, API tokens, users.
//!
//! Hashing a password is slow on purpose; it runs on a blocking thread, never on the async
//! workers that serve requests.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Duration;
use rand::RngCore;
use recouvre_domain::authority::{DelegationLevel, Permission, Role};
use recouvre_store::users::User;
use sha2::{Digest, Sha256};

use crate::{Actor, App, Error, Result};

/// Failed logins in a row before an account is locked, and for how long.
pub const FAILED_LOGINS_MAX: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
/// Shortest password accepted.
pub const PASSWORD_CHARS_MIN: usize = 8;

/// Hashes a password with Argon2id and a random salt (PHC string). Blocking: call it through
/// [`hash_password_off_thread`] from async code.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::internal(format!("hachage du mot de passe impossible : {error}")))
}

/// [`hash_password`] on a blocking thread.
pub async fn hash_password_off_thread(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| Error::internal(format!("hachage interrompu : {error}")))?
}

pub fn verify_password(password: &str, password_hash: &str) -> bool {
    match PasswordHash::new(password_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

async fn verify_password_off_thread(password: String, password_hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &password_hash))
        .await
        .map_err(|error| Error::internal(format!("vérification interrompue : {error}")))
}

/// A fresh random secret (session token, API token, CSRF token): 32 bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Only the SHA-256 of a session or API token is stored: a stolen database holds no usable
/// credential.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a login failed. The message shown never says which of login or password was wrong.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginFailure {
    BadCredentials,
    Locked,
}

/// Argon2id hash of a random string, used to spend the same time on unknown logins.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

/// Checks a login and password, counting failures and locking the account after
/// [`FAILED_LOGINS_MAX`] in a row.
pub async fn authenticate(app: &App, login: &str, password: &str) -> Result<std::result::Result<User, LoginFailure>> {
    let now = app.now();
    let Some(user) = recouvre_store::users::by_login(app.store(), login.trim()).await? else {
        // Same work as a real check, so that timing does not reveal which logins exist.
        let _ = verify_password_off_thread(password.to_string(), DUMMY_HASH.to_string()).await?;
        return Ok(Err(LoginFailure::BadCredentials));
    };
    if !user.active {
        return Ok(Err(LoginFailure::BadCredentials));
    }
    if user.locked_until.is_some_and(|until| until > now) {
        return Ok(Err(LoginFailure::Locked));
    }
    if !verify_password_off_thread(password.to_string(), user.password_hash.clone()).await? {
        recouvre_store::users::record_failed_login(
            app.store(),
            user.id,
            FAILED_LOGINS_MAX,
            now + Duration::minutes(LOCK_MINUTES),
        )
        .await?;
        return Ok(Err(LoginFailure::BadCredentials));
    }
    if user.failed_logins > 0 {
        recouvre_store::users::reset_failed_logins(app.store(), user.id).await?;
    }
    Ok(Ok(user))
}

/// Opens a session of `hours` for `user`; returns the cookie's secret.
pub async fn open_session(app: &App, user: &User, hours: i64) -> Result<String> {
    let token = random_token();
    let now = app.now();
    recouvre_store::sessions::create(
        app.store(),
        &token_hash(&token),
        user.id,
        &random_token(),
        now,
        now + Duration::hours(hours),
    )
    .await?;
    Ok(token)
}

/// The user of a session cookie's secret and the session's CSRF token, if the session is alive.
pub async fn session(app: &App, secret: &str) -> Result<Option<(User, String)>> {
    Ok(recouvre_store::sessions::find(app.store(), &token_hash(secret), app.now()).await?)
}

/// Ends a session.
pub async fn close_session(app: &App, secret: &str) -> Result<()> {
    Ok(recouvre_store::sessions::delete(app.store(), &token_hash(secret)).await?)
}

/// The user of an API token, if it is valid.
pub async fn token_user(app: &App, token: &str) -> Result<Option<User>> {
    Ok(recouvre_store::users::user_by_token(app.store(), &token_hash(token.trim()), app.now()).await?)
}

/// A new user's account.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub delegation_level: u8,
    pub password: String,
}

/// Creates a user; returns their id.
pub async fn add_user(app: &App, actor: &Actor, account: NewAccount) -> Result<i64> {
    actor.require(Permission::Administer)?;
    let login = crate::limits::required_text("login", &account.login, 64, false)?;
    let display_name = crate::limits::required_text("name", &account.display_name, 200, false)?;
    if account.delegation_level > DelegationLevel::MAX {
        return Err(Error::invalid(
            "delegation",
            "out_of_range",
            format!("niveau de délégation {} : de 0 à {} seulement", account.delegation_level, DelegationLevel::MAX),
        ));
    }
    check_password(&account.password)?;
    let hash = hash_password_off_thread(account.password).await?;
    let user = recouvre_store::users::NewUser {
        login: &login,
        display_name: &display_name,
        role: account.role,
        delegation_level: DelegationLevel(account.delegation_level),
        password_hash: &hash,
    };
    let created = recouvre_store::users::create(app.store(), &user, app.now()).await;
    match created {
        Err(error) if error.is_unique_violation() => Err(Error::conflict(
            "login_taken",
            format!("l'identifiant « {login} » existe déjà : choisissez-en un autre"),
        )),
        other => Ok(other?),
    }
}

/// Refuses a password too short to be one.
pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < PASSWORD_CHARS_MIN {
        return Err(Error::invalid(
            "password",
            "password_too_short",
            format!("mot de passe trop court : {PASSWORD_CHARS_MIN} caractères au moins"),
        ));
    }
    Ok(())
}

/// Every user.
pub async fn users(app: &App, actor: &Actor) -> Result<Vec<User>> {
    actor.require(Permission::Administer)?;
    Ok(recouvre_store::users::list(app.store()).await?)
}

/// Changes a user's password.
pub async fn set_password(app: &App, actor: &Actor, login: &str, password: String) -> Result<()> {
    actor.require(Permission::Administer)?;
    check_password(&password)?;
    let hash = hash_password_off_thread(password).await?;
    Ok(recouvre_store::users::set_password_hash(app.store(), login, &hash).await?)
}

/// Creates an API token for a user; returns the token, shown once.
pub async fn create_token(app: &App, actor: &Actor, login: &str, name: &str) -> Result<String> {
    actor.require(Permission::Administer)?;
    let user = recouvre_store::users::by_login(app.store(), login).await?.ok_or_else(|| {
        Error::invalid(
            "login",
            "unknown_user",
            format!("utilisateur « {login} » inconnu : créez-le avec `recouvre user add`"),
        )
    })?;
    let token = random_token();
    recouvre_store::users::create_token(app.store(), user.id, name, &token_hash(&token), app.now()).await?;
    Ok(token)
}

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
