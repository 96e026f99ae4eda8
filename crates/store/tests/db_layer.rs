//! The store's query layer on both engines (see `scripts/test`): values bound as typed, rows
//! decoded, multi-row statements, transactions and the mapping of lock contention to Busy.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::TestDb;
use recouvre_store::sql::{self, MultiRow, TextRow};
use recouvre_store::{Engine, StoreError};

async fn scratch_table(db: &TestDb) {
    let (at, bytes) = match db.store.engine() {
        Engine::Postgres => ("TIMESTAMPTZ", "BYTEA"),
        // SQLite keeps instants as text, as the store's migrations declare them.
        Engine::Sqlite => ("TEXT", "BLOB"),
    };
    sql::query(format!(
        "CREATE TABLE scratch (id BIGINT PRIMARY KEY, n INTEGER, flag BOOLEAN, label TEXT, day DATE, \
         at {at}, bytes {bytes})"
    ))
    .execute(&db.store)
    .await
    .unwrap();
}

async fn count(tx: &mut recouvre_store::Tx) -> i64 {
    sql::query_scalar("SELECT COUNT(*) FROM scratch").fetch_one(tx).await.unwrap()
}

#[tokio::test]
async fn every_value_type_and_its_null_round_trips() {
    let db = TestDb::new().await;
    scratch_table(&db).await;
    let day = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 2, 28, 9, 30, 0).unwrap();
    let insert = "INSERT INTO scratch (id, n, flag, label, day, at, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    sql::query(insert)
        .bind(1_i64)
        .bind(7_i32)
        .bind(true)
        .bind("étiquette")
        .bind(day)
        .bind(at)
        .bind(vec![0_u8, 1, 2])
        .execute(&db.store)
        .await
        .unwrap();
    // Typed NULLs: PostgreSQL refuses a NULL whose type it cannot tell.
    sql::query(insert)
        .bind(2_i64)
        .bind(None::<i32>)
        .bind(None::<bool>)
        .bind(None::<String>)
        .bind(None::<NaiveDate>)
        .bind(None::<chrono::DateTime<Utc>>)
        .bind(None::<Vec<u8>>)
        .execute(&db.store)
        .await
        .unwrap();
    type Row = (i64, Option<i32>, Option<bool>, Option<String>, Option<NaiveDate>, Option<chrono::DateTime<Utc>>);
    let rows: Vec<Row> = sql::query_as("SELECT id, n, flag, label, day, at FROM scratch ORDER BY id")
        .fetch_all(&db.store)
        .await
        .unwrap();
    assert_eq!(
        rows,
        vec![
            (1, Some(7), Some(true), Some("étiquette".to_string()), Some(day), Some(at)),
            (2, None, None, None, None, None)
        ]
    );
    let bytes: Option<Vec<u8>> =
        sql::query_scalar("SELECT bytes FROM scratch WHERE id = $1").bind(1_i64).fetch_one(&db.store).await.unwrap();
    assert_eq!(bytes, Some(vec![0, 1, 2]));
    let missing: Option<i64> =
        sql::query_scalar("SELECT id FROM scratch WHERE id = $1").bind(3_i64).fetch_optional(&db.store).await.unwrap();
    assert_eq!(missing, None);
    let texts: Vec<TextRow> =
        sql::query_as("SELECT CAST(id AS TEXT), label FROM scratch ORDER BY id").fetch_all(&db.store).await.unwrap();
    assert_eq!(texts[0].0, vec![Some("1".to_string()), Some("étiquette".to_string())]);
    assert_eq!(texts[1].0, vec![Some("2".to_string()), None]);
}

#[tokio::test]
async fn multi_row_statements_write_and_return_every_row_in_chunks() {
    let db = TestDb::new().await;
    scratch_table(&db).await;
    // More rows than one statement takes: three statements.
    let rows: Vec<(i64, String)> = (1..=1_234).map(|id| (id, format!("ligne {id}"))).collect();
    let mut tx = db.store.begin().await.unwrap();
    let returned: Vec<(i64,)> = MultiRow::new("INSERT INTO scratch (id, label) ", 2)
        .tail(" RETURNING id")
        .fetch_all(&mut tx, &rows, |values, (id, label)| {
            values.push(*id).push(label.as_str());
        })
        .await
        .unwrap();
    assert_eq!(returned.len(), rows.len());
    let updated = MultiRow::new("UPDATE scratch SET n = v.column2 FROM (", 2)
        .tail(") AS v WHERE scratch.id = v.column1")
        .execute(&mut tx, &rows, |values, (id, _)| {
            values.push(*id).push(i32::try_from(*id % 7).unwrap());
        })
        .await
        .unwrap();
    assert_eq!(updated, rows.len() as u64);
    tx.commit().await.unwrap();
    let ids: Vec<i64> = (1..=500).step_by(3).collect();
    let found: Vec<i64> = sql::in_list("SELECT id FROM scratch WHERE id IN (", ids.iter().copied(), ") ORDER BY id")
        .build_query_scalar()
        .fetch_all(&db.store)
        .await
        .unwrap();
    assert_eq!(found, ids);
    let sum: i64 = sql::query_scalar("SELECT CAST(SUM(n) AS BIGINT) FROM scratch").fetch_one(&db.store).await.unwrap();
    assert_eq!(sum, rows.iter().map(|(id, _)| id % 7).sum::<i64>());
}

#[tokio::test]
async fn a_dropped_transaction_leaves_nothing() {
    let db = TestDb::new().await;
    scratch_table(&db).await;
    {
        let mut tx = db.store.begin().await.unwrap();
        sql::query("INSERT INTO scratch (id) VALUES (1)").execute(&mut tx).await.unwrap();
    }
    let count: i64 = sql::query_scalar("SELECT COUNT(*) FROM scratch").fetch_one(&db.store).await.unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_read_transaction_sees_one_snapshot() {
    let db = TestDb::new().await;
    scratch_table(&db).await;
    sql::query("INSERT INTO scratch (id) VALUES (1)").execute(&db.store).await.unwrap();
    let mut read = db.store.begin_read().await.unwrap();
    assert_eq!(count(&mut read).await, 1);
    // Committed meanwhile by another writer: not seen by the snapshot.
    sql::query("INSERT INTO scratch (id) VALUES (2)").execute(&db.store).await.unwrap();
    assert_eq!(count(&mut read).await, 1);
    read.commit().await.unwrap();
    let now: i64 = sql::query_scalar("SELECT COUNT(*) FROM scratch").fetch_one(&db.store).await.unwrap();
    assert_eq!(now, 2);
}

/// SQLite only: a write transaction takes the write lock when it begins, and a writer that
/// cannot get it is answered Busy (the web's 503), not with a raw database error.
#[tokio::test]
async fn sqlite_write_transactions_lock_at_once_and_contention_is_busy() {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};
    let db = TestDb::sqlite().await;
    assert_eq!(db.store.engine(), Engine::Sqlite);
    let tx = db.store.begin().await.unwrap();
    // Another connection that does not wait for locks.
    let path = db.url.trim_start_matches("sqlite://");
    let mut other =
        SqliteConnectOptions::new().filename(path).busy_timeout(std::time::Duration::ZERO).connect().await.unwrap();
    let refused = sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap_err();
    let error = StoreError::from(refused);
    assert!(matches!(error, StoreError::Busy), "{error:?}");
    assert_eq!((error.code(), error.http_status()), ("busy", 503));
    tx.rollback().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.expect("free once the first writer is done");
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
}
