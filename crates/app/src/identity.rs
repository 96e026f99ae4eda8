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

pub(crate) async fn verify_password_off_thread(password: String, password_hash: String) -> Result<bool> {
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

/// Why a login failed. The message shown never says which of login or password was wrong, nor
/// whether the login exists.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginFailure {
    BadCredentials,
    /// Too many failures for this login or from this address: wait `seconds` (backoff). Counted
    /// by the login typed, known or not, so the answer says nothing of who exists.
    Throttled {
        seconds: i64,
    },
}

/// Argon2id hash of a random string, used to spend the same time on unknown logins.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

/// Idle timeout of a session (ANSSI and ASVS 5.0 7.3: short for a bank's back office).
pub const IDLE_MINUTES: i64 = 30;
/// Life of an API token unless the operator asks otherwise.
pub const TOKEN_DAYS_DEFAULT: i64 = 90;
/// Longest life of an API token.
pub const TOKEN_DAYS_MAX: i64 = 366;

/// Backoff after failed logins: `free_failures` are allowed, then each further failure doubles the
/// wait, from `base_seconds` up to `max_seconds`; a key is forgotten `forget_minutes` after its last
/// failure. A wait that ends on its own, rather than a lockout, so nobody can keep `admin` out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub free_failures: u32,
    pub base_seconds: i64,
    pub max_seconds: i64,
    pub forget_minutes: i64,
}

impl ThrottlePolicy {
    /// Per login: five tries, then 2 s, 4 s, 8 s… up to 5 minutes.
    pub const ACCOUNT: ThrottlePolicy =
        ThrottlePolicy { free_failures: 5, base_seconds: 2, max_seconds: 300, forget_minutes: 60 };
    /// Per client address: twenty tries (an office behind one proxy), then the same backoff.
    pub const ADDRESS: ThrottlePolicy =
        ThrottlePolicy { free_failures: 20, base_seconds: 2, max_seconds: 300, forget_minutes: 60 };

    fn delay(&self, failures: u32) -> i64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = (failures - self.free_failures).min(20);
        self.base_seconds.saturating_mul(1_i64 << doublings).min(self.max_seconds)
    }
}

#[derive(Clone, Copy, Debug)]
struct Attempts {
    failures: u32,
    last_failure: chrono::DateTime<chrono::Utc>,
}

/// Failed logins per login typed and per client address, in this server's memory (each server
/// counts its own: an attacker spreading over N servers gets N times the tries, still a backoff).
#[derive(Debug)]
pub struct LoginThrottle {
    pub account: ThrottlePolicy,
    pub address: ThrottlePolicy,
    entries: std::sync::Mutex<std::collections::HashMap<String, Attempts>>,
}

/// Entries kept before the forgotten ones are swept.
const THROTTLE_ENTRIES_MAX: usize = 10_000;

impl LoginThrottle {
    pub fn new(account: ThrottlePolicy, address: ThrottlePolicy) -> LoginThrottle {
        LoginThrottle { account, address, entries: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }

    fn keys(login: &str, address: Option<&str>) -> (String, Option<String>) {
        (format!("login:{}", login.trim().to_lowercase()), address.map(|address| format!("address:{address}")))
    }

    fn wait_of(&self, key: &str, policy: ThrottlePolicy, now: chrono::DateTime<chrono::Utc>) -> i64 {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(attempts) = entries.get(key) else { return 0 };
        let until = attempts.last_failure + Duration::seconds(policy.delay(attempts.failures));
        // Whole seconds, rounded up: a wait of 0.3 s is "1 s", never "0 s".
        ((until - now).num_milliseconds().max(0) + 999) / 1000
    }

    /// Seconds to wait before the next try of `login` from `address` (0: go ahead).
    pub fn wait(&self, login: &str, address: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> i64 {
        let (login_key, address_key) = LoginThrottle::keys(login, address);
        let by_login = self.wait_of(&login_key, self.account, now);
        let by_address = address_key.map_or(0, |key| self.wait_of(&key, self.address, now));
        by_login.max(by_address)
    }

    /// Counts a failure of `login` from `address`.
    pub fn failed(&self, login: &str, address: Option<&str>, now: chrono::DateTime<chrono::Utc>) {
        let (login_key, address_key) = LoginThrottle::keys(login, address);
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() > THROTTLE_ENTRIES_MAX {
            let forget = Duration::minutes(self.account.forget_minutes.max(self.address.forget_minutes));
            entries.retain(|_, attempts| now - attempts.last_failure < forget);
        }
        for (key, policy) in [(Some(login_key), self.account), (address_key, self.address)] {
            let Some(key) = key else { continue };
            let entry = entries.entry(key).or_insert(Attempts { failures: 0, last_failure: now });
            if now - entry.last_failure >= Duration::minutes(policy.forget_minutes) {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.last_failure = now;
        }
    }

    /// A successful login clears its login's count (not its address's: one valid account must not
    /// reset the count of an address trying many).
    pub fn succeeded(&self, login: &str) {
        let (login_key, _) = LoginThrottle::keys(login, None);
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&login_key);
    }
}

impl Default for LoginThrottle {
    fn default() -> LoginThrottle {
        LoginThrottle::new(ThrottlePolicy::ACCOUNT, ThrottlePolicy::ADDRESS)
    }
}

/// Records a security event in the database and the log; never fails the request it describes.
pub async fn security_event(app: &App, kind: &str, login: Option<&str>, address: Option<&str>, detail: &str) {
    tracing::warn!(target: "security", kind, login = login.unwrap_or("-"), address = address.unwrap_or("-"), detail, "security event");
    if let Err(error) =
        recouvre_store::users::record_security_event(app.store(), app.now(), kind, login, address, detail).await
    {
        tracing::error!(%error, kind, "security event not recorded");
    }
}

/// Checks a login and password. Every failure costs one Argon2 verification (against the user's
/// hash, or a dummy one for an unknown or disabled login) and gives the same answer; failures are
/// throttled per login typed and per client address with a backoff (see [`LoginThrottle`]).
pub async fn authenticate(
    app: &App,
    throttle: &LoginThrottle,
    login: &str,
    password: &str,
    code: Option<&str>,
    address: Option<&str>,
) -> Result<std::result::Result<User, LoginFailure>> {
    let now = app.now();
    let login = login.trim();
    let wait = throttle.wait(login, address, now);
    if wait > 0 {
        security_event(app, "login_throttled", Some(login), address, &format!("attendre {wait} s")).await;
        return Ok(Err(LoginFailure::Throttled { seconds: wait }));
    }
    let user = recouvre_store::users::by_login(app.store(), login).await?;
    let hash = match &user {
        Some(user) if user.active => user.password_hash.clone(),
        // Same work as a real check, so that timing does not reveal which logins exist.
        _ => DUMMY_HASH.to_string(),
    };
    let mut verified = verify_password_off_thread(password.to_string(), hash).await?;
    if let Some(user) = user.as_ref().filter(|user| verified && user.active) {
        // The second factor: required of every role but officers, and of an officer who enrolled;
        // a TOTP code once only, or a recovery code once only (`second_factor`). A wrong, missing
        // or replayed code gets the same answer as a wrong password.
        verified = second_factor_checked(app, user, code, address).await?;
    }
    match user {
        Some(user) if user.active && verified => {
            throttle.succeeded(login);
            if user.failed_logins > 0 || user.locked_until.is_some() {
                recouvre_store::users::reset_failed_logins(app.store(), user.id).await?;
            }
            security_event(app, "login_succeeded", Some(login), address, "").await;
            Ok(Ok(user))
        }
        _ => {
            throttle.failed(login, address, now);
            security_event(app, "login_failed", Some(login), address, "").await;
            Ok(Err(LoginFailure::BadCredentials))
        }
    }
}

/// Checks the second factor of `user` (`crate::second_factor::check`) and records what calls
/// for it: a replayed code, a recovery code used.
pub(crate) async fn second_factor_checked(
    app: &App,
    user: &User,
    code: Option<&str>,
    address: Option<&str>,
) -> Result<bool> {
    let checked = crate::second_factor::check(app, user, code).await?;
    match checked {
        crate::second_factor::Checked::Replayed => {
            security_event(app, "totp_replayed", Some(&user.login), address, "code déjà utilisé").await;
        }
        crate::second_factor::Checked::Recovery { left } => {
            let detail = format!("code de secours utilisé ; il en reste {left}");
            security_event(app, "recovery_code_used", Some(&user.login), address, &detail).await;
        }
        crate::second_factor::Checked::Accepted | crate::second_factor::Checked::Refused => {}
    }
    Ok(checked.accepted())
}

/// Opens a session of `hours` for `user`; returns the cookie's secret. Sweeps the sessions that
/// have ended on the way (a login is rare enough to carry this small delete).
pub async fn open_session(app: &App, user: &User, hours: i64) -> Result<String> {
    let token = random_token();
    let now = app.now();
    recouvre_store::sessions::purge_expired(app.store(), now, now - Duration::minutes(IDLE_MINUTES)).await?;
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

/// The user of a session cookie's secret and the session's CSRF token, if the session is alive
/// (not past its end, not idle for [`IDLE_MINUTES`]).
pub async fn session(app: &App, secret: &str) -> Result<Option<(User, String)>> {
    Ok(recouvre_store::sessions::find(app.store(), &token_hash(secret), app.now(), Duration::minutes(IDLE_MINUTES))
        .await?)
}

/// Ends a session.
pub async fn close_session(app: &App, secret: &str) -> Result<()> {
    Ok(recouvre_store::sessions::delete(app.store(), &token_hash(secret)).await?)
}

/// What an API token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenScope {
    /// Everything its user may do.
    Full,
    /// Reads only (GET): a reporting tool.
    ReadOnly,
    /// File imports only (`/api/v1/imports/…`): the bank's transfer robot.
    Imports,
}

impl TokenScope {
    pub const ALL: [TokenScope; 3] = [TokenScope::Full, TokenScope::ReadOnly, TokenScope::Imports];

    pub fn code(self) -> &'static str {
        match self {
            TokenScope::Full => "full",
            TokenScope::ReadOnly => "read_only",
            TokenScope::Imports => "imports",
        }
    }

    pub fn from_code(code: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|scope| scope.code() == code)
    }

    /// Whether a request of `method` on `path` (the full path, `/api/v1/…`) is within the scope.
    pub fn allows(self, method: &str, path: &str) -> bool {
        let safe = matches!(method, "GET" | "HEAD" | "OPTIONS");
        match self {
            TokenScope::Full => true,
            TokenScope::ReadOnly => safe,
            TokenScope::Imports => path.starts_with("/api/v1/imports/") || (safe && path == "/api/v1/me"),
        }
    }
}

/// The user of an API token and its scope, if the token is live (not revoked, not expired, its
/// user active). A first use of the token from `address` is a security event
/// (`token_new_address`): a token copied off its robot's machine shows up at once.
pub async fn token_user(app: &App, token: &str, address: Option<&str>) -> Result<Option<(User, TokenScope)>> {
    let Some(found) = recouvre_store::users::token_user(app.store(), &token_hash(token.trim()), app.now()).await?
    else {
        return Ok(None);
    };
    if let Some(address) = address {
        if recouvre_store::users::note_token_address(app.store(), found.token_id, address, app.now()).await? {
            security_event(
                app,
                "token_new_address",
                Some(&found.user.login),
                Some(address),
                &format!("jeton n° {} utilisé pour la première fois depuis cette adresse", found.token_id),
            )
            .await;
        }
    }
    // An unknown scope in the database gives nothing rather than everything.
    Ok(TokenScope::from_code(&found.scope).map(|scope| (found.user, scope)))
}

/// The reader's own API tokens (the « Mes jetons » screen), never the secrets.
pub async fn my_tokens(app: &App, actor: &Actor) -> Result<Vec<recouvre_store::users::TokenInfo>> {
    let user_id = actor.user_id.ok_or_else(|| Error::forbidden("seul un utilisateur a des jetons"))?;
    Ok(recouvre_store::users::tokens_of(app.store(), user_id).await?)
}

/// Revokes one of the reader's own API tokens; another person's token is a 404, as if it did not
/// exist.
pub async fn revoke_my_token(app: &App, actor: &Actor, token_id: i64, address: Option<&str>) -> Result<()> {
    let user_id = actor.user_id.ok_or_else(|| Error::forbidden("seul un utilisateur a des jetons"))?;
    if !recouvre_store::users::revoke_own_token(app.store(), user_id, token_id, app.now()).await? {
        return Err(Error::not_found(format!("votre jeton n° {token_id} (déjà révoqué ?)")));
    }
    security_event(
        app,
        "token_revoked",
        Some(&actor.login),
        address,
        &format!("jeton n° {token_id} par son titulaire"),
    )
    .await;
    Ok(())
}

/// Disables a user and cuts them off at once: every session and every API token ends.
pub async fn disable_user(app: &App, actor: &Actor, login: &str) -> Result<(u64, u64)> {
    actor.require(Permission::Administer)?;
    let user_id = recouvre_store::users::set_active(app.store(), login, false).await?;
    let sessions = recouvre_store::sessions::delete_for_user(app.store(), user_id).await?;
    let tokens = recouvre_store::users::revoke_tokens_of(app.store(), user_id, app.now()).await?;
    security_event(app, "user_disabled", Some(login), None, &format!("par {}", actor.login)).await;
    Ok((sessions, tokens))
}

/// Enables a disabled user again (their old tokens stay revoked).
pub async fn enable_user(app: &App, actor: &Actor, login: &str) -> Result<()> {
    actor.require(Permission::Administer)?;
    recouvre_store::users::set_active(app.store(), login, true).await?;
    security_event(app, "user_enabled", Some(login), None, &format!("par {}", actor.login)).await;
    Ok(())
}

/// Enrols a user in the second factor with a fresh TOTP secret; returns the secret (base32), shown
/// once to be typed or scanned into their authenticator application.
pub async fn enrol_totp(app: &App, actor: &Actor, login: &str) -> Result<String> {
    actor.require(Permission::Administer)?;
    let secret = crate::totp::new_secret();
    recouvre_store::users::set_totp_secret(app.store(), login, Some(&secret)).await?;
    security_event(app, "totp_enrolled", Some(login), None, &format!("par {}", actor.login)).await;
    Ok(secret)
}

/// Every API token, without the tokens themselves.
pub async fn tokens(app: &App, actor: &Actor) -> Result<Vec<recouvre_store::users::TokenInfo>> {
    actor.require(Permission::Administer)?;
    Ok(recouvre_store::users::list_tokens(app.store()).await?)
}

/// Revokes one API token by its number (`recouvre token list`).
pub async fn revoke_token(app: &App, actor: &Actor, token_id: i64) -> Result<()> {
    actor.require(Permission::Administer)?;
    if !recouvre_store::users::revoke_token(app.store(), token_id, app.now()).await? {
        return Err(Error::not_found(format!("le jeton n° {token_id} (déjà révoqué ?)")));
    }
    security_event(app, "token_revoked", None, None, &format!("jeton n° {token_id} par {}", actor.login)).await;
    Ok(())
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
    recouvre_store::users::set_password_hash(app.store(), login, &hash).await?;
    // A new password is often the answer to a stolen one: whoever held the old one is cut off.
    if let Some(user) = recouvre_store::users::by_login(app.store(), login).await? {
        recouvre_store::sessions::delete_for_user(app.store(), user.id).await?;
        recouvre_store::users::revoke_tokens_of(app.store(), user.id, app.now()).await?;
    }
    security_event(app, "password_changed", Some(login), None, &format!("par {}", actor.login)).await;
    Ok(())
}

/// Creates an API token for a user; returns the token, shown once. It ends after `days`
/// ([`TOKEN_DAYS_DEFAULT`] by default, [`TOKEN_DAYS_MAX`] at most) and may do only what `scope`
/// allows.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    login: &str,
    name: &str,
    days: Option<i64>,
    scope: TokenScope,
) -> Result<String> {
    actor.require(Permission::Administer)?;
    let user = recouvre_store::users::by_login(app.store(), login).await?.ok_or_else(|| {
        Error::invalid(
            "login",
            "unknown_user",
            format!("utilisateur « {login} » inconnu : créez-le avec `recouvre user add`"),
        )
    })?;
    let days = days.unwrap_or(TOKEN_DAYS_DEFAULT);
    if !(1..=TOKEN_DAYS_MAX).contains(&days) {
        return Err(Error::invalid(
            "days",
            "out_of_range",
            format!("durée du jeton {days} jours : de 1 à {TOKEN_DAYS_MAX} jours"),
        ));
    }
    let token = random_token();
    let now = app.now();
    recouvre_store::users::create_scoped_token(
        app.store(),
        user.id,
        name,
        &token_hash(&token),
        now,
        Some(now + Duration::days(days)),
        scope.code(),
    )
    .await?;
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
