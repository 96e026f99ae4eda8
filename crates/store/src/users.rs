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

/// Stores a new API token's hash (the token itself is shown once and never stored).
pub async fn create_token(
    store: &Store,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(store)
    .await?;
    Ok(id)
}

/// How stale a token's `last_used_at` may be. Writing it on every request made every API read a
/// write (on SQLite, a commit through the single writer): under 32 concurrent clients those
/// commits queued behind each other (docs/performance.md). A minute is precise enough to tell a
/// token in use from a forgotten one.
pub const TOKEN_LAST_USED_PRECISION: chrono::Duration = chrono::Duration::seconds(60);

/// The active user behind a token hash, if the token exists and is not revoked. Records the
/// token's use, at most once per [`TOKEN_LAST_USED_PRECISION`].
pub async fn user_by_token(store: &Store, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>> {
    let sql = format!(
        "SELECT {}, t.last_used_at FROM users u JOIN api_tokens t ON t.user_id = u.id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
        USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
    );
    let row: Option<TokenUserRow> = query_as(&sql).bind(token_hash).fetch_optional(store).await?;
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
    let row = row.map(|row| row.user);
    row.map(User::try_from).transpose()
}
