//! Users, their role and delegation level, and API tokens.

use chrono::{DateTime, Utc};
use recouvre_domain::authority::{DelegationLevel, Role};

use crate::db::{query, query_as, query_scalar};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub delegation_level: DelegationLevel,
    pub active: bool,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

/// A user found by an API token, with the token's last use.
#[derive(sqlx::FromRow)]
struct TokenUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    last_used_at: Option<DateTime<Utc>>,
    scope: String,
    token_id: i64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    login: String,
    display_name: String,
    role: String,
    delegation_level: i64,
    active: bool,
    password_hash: String,
    failed_logins: i64,
    locked_until: Option<DateTime<Utc>>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<User> {
        let role = Role::from_code(&row.role)
            .ok_or_else(|| StoreError::Corrupt(format!("rôle inconnu « {} » pour {}", row.role, row.login)))?;
        Ok(User {
            id: row.id,
            login: row.login,
            display_name: row.display_name,
            role,
            delegation_level: DelegationLevel(row.delegation_level.clamp(0, i64::from(DelegationLevel::MAX)) as u8),
            active: row.active,
            password_hash: row.password_hash,
            failed_logins: row.failed_logins,
            locked_until: row.locked_until,
        })
    }
}

const USER_COLUMNS: &str =
    "id, login, display_name, role, delegation_level, active, password_hash, failed_logins, locked_until";

pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub delegation_level: DelegationLevel,
    /// Already hashed (Argon2id PHC string); this crate never sees a password.
    pub password_hash: &'a str,
}

pub async fn create(store: &Store, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<i64> {
    let result: Result<i64> = {
        query_scalar(
        "INSERT INTO users (login, display_name, role, delegation_level, password_hash, active, failed_logins, created_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, 0, $6) RETURNING id"
    )
    .bind(user.login)
    .bind(user.display_name)
    .bind(user.role.code())
    .bind(i64::from(user.delegation_level.0))
    .bind(user.password_hash)
    .bind(now)
    .fetch_one(store)
    .await
    };
    result.map_err(|error| {
        if error.is_unique_violation() {
            StoreError::conflict(
                "login_taken",
                format!("l'identifiant « {} » existe déjà : choisissez-en un autre", user.login),
            )
        } else {
            error
        }
    })
}

pub async fn by_login(store: &Store, login: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE login = $1");
    let row: Option<UserRow> = query_as(&sql).bind(login).fetch_optional(store).await?;
    row.map(User::try_from).transpose()
}

pub async fn by_id(store: &Store, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> = query_as(&sql).bind(id).fetch_optional(store).await?;
    row.map(User::try_from).transpose()
}

pub async fn list(store: &Store) -> Result<Vec<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY login");
    let rows: Vec<UserRow> = query_as(&sql).fetch_all(store).await?;
    rows.into_iter().map(User::try_from).collect()
}

/// Counts a failed login; from `max_failures` on, locks the account until `lock_until`.
pub async fn record_failed_login(
    store: &Store,
    user_id: i64,
    max_failures: i64,
    lock_until: DateTime<Utc>,
) -> Result<()> {
    query(
        "UPDATE users SET failed_logins = failed_logins + 1, \
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END \
         WHERE id = $1",
    )
    .bind(user_id)
    .bind(max_failures)
    .bind(lock_until)
    .execute(store)
    .await?;
    Ok(())
}

pub async fn reset_failed_logins(store: &Store, user_id: i64) -> Result<()> {
    query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1").bind(user_id).execute(store).await?;
    Ok(())
}

pub async fn set_password_hash(store: &Store, login: &str, password_hash: &str) -> Result<()> {
    let updated = query("UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE login = $1")
        .bind(login)
        .bind(password_hash)
        .execute(store)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(StoreError::not_found(format!("utilisateur « {login} »")));
    }
    Ok(())
}

/// Stores a new API token's hash (the token itself is shown once and never stored), without an
/// end and with every right of its user (tests, and tokens made before issue 23).
pub async fn create_token(
    store: &Store,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    create_scoped_token(store, user_id, name, token_hash, now, None, "full").await
}

/// Stores a new API token's hash with its end and its scope (`full`, `read_only`, `imports`).
pub async fn create_scoped_token(
    store: &Store,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    scope: &str,
) -> Result<i64> {
    let id = query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at, scope) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .bind(scope)
    .fetch_one(store)
    .await?;
    Ok(id)
}

/// An API token as `recouvre token list` shows it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Every API token, oldest first.
pub async fn list_tokens(store: &Store) -> Result<Vec<TokenInfo>> {
    query_as(
        "SELECT t.id, u.login, t.name, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id",
    )
    .fetch_all(store)
    .await
}

/// Revokes one token by its id; false if there is no such live token.
pub async fn revoke_token(store: &Store, token_id: i64, now: DateTime<Utc>) -> Result<bool> {
    let updated = query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(token_id)
        .bind(now)
        .execute(store)
        .await?
        .rows_affected();
    Ok(updated > 0)
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_tokens_of(store: &Store, user_id: i64, now: DateTime<Utc>) -> Result<u64> {
    Ok(query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(store)
        .await?
        .rows_affected())
}

/// Enables or disables a user; returns their id.
pub async fn set_active(store: &Store, login: &str, active: bool) -> Result<i64> {
    let id: Option<i64> = query_scalar("UPDATE users SET active = $2 WHERE login = $1 RETURNING id")
        .bind(login)
        .bind(active)
        .fetch_optional(store)
        .await?;
    id.ok_or_else(|| StoreError::not_found(format!("utilisateur « {login} »")))
}

/// A user's TOTP secret (base32), if they enrolled.
pub async fn totp_secret(store: &Store, user_id: i64) -> Result<Option<String>> {
    let secret: Option<Option<String>> =
        query_scalar("SELECT totp_secret FROM users WHERE id = $1").bind(user_id).fetch_optional(store).await?;
    Ok(secret.flatten())
}

/// Enrols a user in the second factor with a TOTP secret (base32), or removes it.
pub async fn set_totp_secret(store: &Store, login: &str, secret: Option<&str>) -> Result<()> {
    let updated = query("UPDATE users SET totp_secret = $2 WHERE login = $1")
        .bind(login)
        .bind(secret)
        .execute(store)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(StoreError::not_found(format!("utilisateur « {login} »")));
    }
    Ok(())
}

/// How stale a token's `last_used_at` may be. Writing it on every request made every API read a
/// write (on SQLite, a commit through the single writer): under 32 concurrent clients those
/// commits queued behind each other (docs/performance.md). A minute is precise enough to tell a
/// token in use from a forgotten one.
pub const TOKEN_LAST_USED_PRECISION: chrono::Duration = chrono::Duration::seconds(60);

/// The active user behind a token hash, if the token exists and is not revoked. Records the
/// token's use, at most once per [`TOKEN_LAST_USED_PRECISION`].
pub async fn user_by_token(store: &Store, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
    Ok(token_user(store, token_hash, now).await?.map(|found| found.user))
}

/// A live API token's user, scope and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUser {
    pub user: User,
    pub scope: String,
    pub token_id: i64,
}

/// The active user behind a live token hash (not revoked, not expired) and the token's scope.
/// Records the token's use, at most once per [`TOKEN_LAST_USED_PRECISION`].
pub async fn token_user(store: &Store, token_hash: &str, now: DateTime<Utc>) -> Result<Option<TokenUser>> {
    let sql = format!(
        "SELECT {}, t.last_used_at, t.scope, t.id AS token_id FROM users u JOIN api_tokens t ON t.user_id = u.id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active AND (t.expires_at IS NULL OR t.expires_at > $2)",
        USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
    );
    let row: Option<TokenUserRow> = query_as(&sql).bind(token_hash).bind(now).fetch_optional(store).await?;
    let stale = row.as_ref().map(|row| match row.last_used_at {
        Some(used_at) => now - used_at >= TOKEN_LAST_USED_PRECISION,
        None => true,
    });
    if stale == Some(true) {
        query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(store)
            .await?;
    }
    row.map(|row| Ok(TokenUser { user: User::try_from(row.user)?, scope: row.scope, token_id: row.token_id }))
        .transpose()
}

/// Whether `token_id` was already used from `address`; read first, written only for a new
/// address, so that the API's reads stay reads (docs/performance.md). True if the address is
/// new for this token (and now recorded).
pub async fn note_token_address(store: &Store, token_id: i64, address: &str, now: DateTime<Utc>) -> Result<bool> {
    let seen: Option<i64> =
        query_scalar("SELECT token_id FROM api_token_addresses WHERE token_id = $1 AND address = $2")
            .bind(token_id)
            .bind(address)
            .fetch_optional(store)
            .await?;
    if seen.is_some() {
        return Ok(false);
    }
    // Two first requests racing from one address: the second finds the row and says nothing.
    let inserted = query(
        "INSERT INTO api_token_addresses (token_id, address, first_seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (token_id, address) DO NOTHING",
    )
    .bind(token_id)
    .bind(address)
    .bind(now)
    .execute(store)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The API tokens of one user, oldest first (the « Mes jetons » screen; never the secret).
pub async fn tokens_of(store: &Store, user_id: i64) -> Result<Vec<TokenInfo>> {
    query_as(
        "SELECT t.id, u.login, t.name, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = $1 ORDER BY t.id",
    )
    .bind(user_id)
    .fetch_all(store)
    .await
}

/// Revokes one of `user_id`'s own tokens; false if there is no such live token of theirs (another
/// person's token is never touched).
pub async fn revoke_own_token(store: &Store, user_id: i64, token_id: i64, now: DateTime<Utc>) -> Result<bool> {
    let updated = query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
        .bind(token_id)
        .bind(user_id)
        .bind(now)
        .execute(store)
        .await?
        .rows_affected();
    Ok(updated > 0)
}

/// One security event (issue 23): a login, a failed one, a throttled one, a refusal (403), a
/// CSRF failure, a token used from a new address. Kept for the auditors, without any password.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SecurityEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub login: Option<String>,
    pub address: Option<String>,
    pub detail: String,
}

/// Records a security event.
pub async fn record_security_event(
    store: &Store,
    at: DateTime<Utc>,
    kind: &str,
    login: Option<&str>,
    address: Option<&str>,
    detail: &str,
) -> Result<()> {
    query("INSERT INTO security_events (at, kind, login, address, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(at)
        .bind(kind)
        .bind(login)
        .bind(address)
        .bind(detail)
        .execute(store)
        .await?;
    Ok(())
}

/// The latest security events, newest first.
pub async fn security_events(store: &Store, limit: i64) -> Result<Vec<SecurityEvent>> {
    query_as("SELECT id, at, kind, login, address, detail FROM security_events ORDER BY id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(store)
        .await
}
