//! Who consulted which debtor's file, and when: the bank answers a debtor's right-of-access
//! request (RGPD art. 15) from this log.

use chrono::{DateTime, Utc};

use crate::db::{query, query_as};
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Access {
    pub user_login: String,
    pub case_id: Option<i64>,
    pub person_id: Option<i64>,
    pub path: String,
    pub at: DateTime<Utc>,
    /// Why (a code of `recouvre_app::purpose::Purpose`: `case_file`, `search`, `letter`…).
    pub purpose: String,
}

pub async fn record(store: &Store, access: &Access) -> Result<()> {
    query("INSERT INTO access_log (user_login, case_id, person_id, path, at, purpose) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&access.user_login)
        .bind(access.case_id)
        .bind(access.person_id)
        .bind(&access.path)
        .bind(access.at)
        .bind(&access.purpose)
        .execute(store)
        .await?;
    Ok(())
}

/// Every consultation of a person's files: directly, or through a case where they are a party.
pub async fn for_person(store: &Store, person_id: i64) -> Result<Vec<Access>> {
    let rows = query_as(
        "SELECT user_login, case_id, person_id, path, at, purpose FROM access_log \
         WHERE person_id = $1 OR case_id IN (SELECT case_id FROM case_parties WHERE person_id = $1) \
         ORDER BY at, id",
    )
    .bind(person_id)
    .fetch_all(store)
    .await?;
    Ok(rows)
}

pub async fn for_case(store: &Store, case_id: i64) -> Result<Vec<Access>> {
    let rows = query_as(
        "SELECT user_login, case_id, person_id, path, at, purpose FROM access_log WHERE case_id = $1 ORDER BY at, id",
    )
    .bind(case_id)
    .fetch_all(store)
    .await?;
    Ok(rows)
}

/// The searches of the case list by `login` (rows naming neither a case nor a person: the term
/// searched is in `path`), oldest first.
pub async fn searches_by(store: &Store, login: &str) -> Result<Vec<Access>> {
    let rows = query_as(
        "SELECT user_login, case_id, person_id, path, at, purpose FROM access_log \
         WHERE user_login = $1 AND case_id IS NULL AND person_id IS NULL ORDER BY at, id",
    )
    .bind(login)
    .fetch_all(store)
    .await?;
    Ok(rows)
}
