//! The store's engine-neutral query layer: one code path for SQLite and PostgreSQL.
//!
//! sqlx's `Any` driver has no dates, decimals or JSON, so the store keeps one concrete pool per
//! engine ([`Store`]) and one concrete transaction per engine ([`Tx`]), and writes its queries
//! against this layer instead of against either driver:
//!
//! - [`query`], [`query_as`] and [`query_scalar`] mirror sqlx's functions. SQL is written once,
//!   in the dialect both engines understand (`$1` placeholders, `RETURNING`, `ON CONFLICT`).
//!   `.bind(value)` keeps the value as a small typed [`Value`]; at execution the values are bound
//!   onto the concrete sqlx query of the engine at hand, so PostgreSQL gets typed NULLs.
//! - Queries run on an [`Executor`]: `&Store` (a connection of the pool) or `&mut Tx` (the
//!   caller's transaction). The store's in-transaction operations are methods of [`Tx`], spread
//!   over the modules named after their concept (`Tx::append_event` in `journal`, `Tx::book` in
//!   `ledger`…).
//! - Rows decode into any type that decodes on both engines ([`FromRow`]: tuples and
//!   `#[derive(sqlx::FromRow)]` structs; [`Scalar`] for single values).
//! - Multi-row statements ([`MultiRow`], [`Builder`], [`in_list`]) are written with anonymous
//!   placeholders, rendered `?` on SQLite and `$1, $2, …` on PostgreSQL (see [`MultiRow`] for why).
//! - Errors are mapped in one place (`impl From<sqlx::Error> for StoreError`): SQLite's
//!   BUSY/LOCKED and a pool acquire timeout become [`StoreError::Busy`].

use std::borrow::Cow;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgPoolOptions, PgRow, Postgres};
use sqlx::sqlite::{
    Sqlite, SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Arguments, Row};

use crate::{redact, Engine, Result, StoreError, Workload, BULK_LOAD_CACHE_MIB};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// SQLite's limit on bind parameters in one statement (`SQLITE_MAX_VARIABLE_NUMBER` since 3.32);
/// PostgreSQL's is 65 535.
pub const BIND_PARAMETERS_PER_STATEMENT_MAX: usize = 32_766;
/// Rows in one multi-row statement (and values in one [`in_list`]).
pub const ROWS_PER_STATEMENT_MAX: usize = 500;

// ---------------------------------------------------------------------------------------------
// The store and its transactions

/// The concrete pool of one engine.
#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database. Cheap to clone (the pools are reference-counted).
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// The keys that seal journal links and ledger postings (`audit`); `None` writes them
    /// unsealed, which `recouvre audit verify` reports once the chains were cut over.
    audit: Option<std::sync::Arc<crate::audit_keys::AuditKeys>>,
}

impl Store {
    /// Opens `sqlite://path` (created if missing) or `postgres://…`.
    ///
    /// SQLite runs in WAL mode with `synchronous=FULL`: a committed payment survives a power
    /// cut, at the price of one more fsync per commit.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_for(url, Workload::Interactive).await
    }

    /// Opens the database for a given kind of work (see [`Workload`]).
    pub async fn connect_for(url: &str, workload: Workload) -> Result<Store> {
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|source| StoreError::BadUrl { url: url.to_string(), reason: source.to_string() })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // A negative cache_size is in KiB (https://sqlite.org/pragma.html#pragma_cache_size).
            let options = match workload {
                Workload::Interactive => options,
                Workload::BulkLoad => options.pragma("cache_size", format!("-{}", BULK_LOAD_CACHE_MIB * 1024)),
            };
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(|source| StoreError::Connect { url: redact(url), source })?;
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(|source| StoreError::Connect { url: redact(url), source })?;
            Pool::Postgres(pool)
        } else {
            return Err(StoreError::BadUrl {
                url: redact(url),
                reason: "l'adresse doit commencer par sqlite:// ou postgres://".to_string(),
            });
        };
        Ok(Store { pool, audit: None })
    }

    /// Applies the embedded schema migrations of this engine (`Store::migrate` adds the
    /// journal's cut-over). Idempotent.
    pub(crate) async fn migrate_schema(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Pool::Postgres(pool) => {
                // An application role may not create tables (it lacks CREATE on the schema, and
                // UPDATE/DELETE on the append-only tables: docs/security.md), so sqlx's own
                // `CREATE TABLE IF NOT EXISTS _sqlx_migrations` fails for it even when there is
                // nothing to do: a database already at the last migration is left as it is.
                let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(pool)
                    .await
                    .unwrap_or_default();
                if !POSTGRES_MIGRATIONS.iter().all(|migration| applied.contains(&migration.version)) {
                    POSTGRES_MIGRATIONS.run(pool).await?;
                }
            }
        }
        Ok(())
    }

    /// The same store, sealing what it writes with `keys` (the key kept outside the database).
    pub fn with_audit_keys(mut self, keys: crate::audit_keys::AuditKeys) -> Store {
        self.audit = Some(std::sync::Arc::new(keys));
        self
    }

    /// The audit keys this store seals with, if any.
    pub fn audit_keys(&self) -> Option<&crate::audit_keys::AuditKeys> {
        self.audit.as_deref()
    }

    pub fn engine(&self) -> Engine {
        match &self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Connections in use and idle, for the metrics endpoint.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        }
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        query("SELECT 1").execute(self).await?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at
    /// once, so a writer that has to wait for another waits there, within SQLite's busy timeout,
    /// instead of failing "database is locked" later when a deferred transaction's first write
    /// tries to upgrade its read lock (which SQLite refuses when another writer committed
    /// meanwhile). On PostgreSQL it is a plain `BEGIN` (READ COMMITTED, row locks).
    ///
    /// Commit with [`Tx::commit`]; dropping the transaction rolls it back.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(Tx { inner, audit: self.audit.clone() })
    }

    /// Opens a read transaction: its queries all see one consistent snapshot of the database
    /// (SQLite: a deferred transaction, whose first read fixes the snapshot in WAL mode;
    /// PostgreSQL: `REPEATABLE READ, READ ONLY`). Nothing is written through it.
    pub async fn begin_read(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => {
                TxInner::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?)
            }
        };
        Ok(Tx { inner, audit: self.audit.clone() })
    }
}

/// A transaction on either engine (see [`Store::begin`] and [`Store::begin_read`]). The store's
/// multi-statement operations that run inside a caller's transaction are its methods.
#[derive(Debug)]
pub struct Tx {
    inner: TxInner,
    audit: Option<std::sync::Arc<crate::audit_keys::AuditKeys>>,
}

#[derive(Debug)]
enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// The audit keys of the store this transaction was opened on.
    pub(crate) fn audit_keys(&self) -> Option<&crate::audit_keys::AuditKeys> {
        self.audit.as_deref()
    }

    /// Commits the transaction. (Dropping it instead rolls it back.)
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Rolls the transaction back now (dropping it does the same, a little later).
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match &self.inner {
            TxInner::Sqlite(_) => Engine::Sqlite,
            TxInner::Postgres(_) => Engine::Postgres,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Where a query runs

mod sealed {
    use sqlx::postgres::{PgConnection, PgPool};
    use sqlx::sqlite::{SqliteConnection, SqlitePool};

    /// Where a query runs, resolved from an executor.
    pub enum Target<'c> {
        SqlitePool(&'c SqlitePool),
        PostgresPool(&'c PgPool),
        Sqlite(&'c mut SqliteConnection),
        Postgres(&'c mut PgConnection),
    }

    pub trait Sealed {}
    impl Sealed for &crate::Store {}
    impl Sealed for &mut crate::Tx {}
}

/// What a query runs on: `&Store` (a connection of its pool, for one statement) or `&mut Tx`
/// (the caller's transaction). Implemented by the store only.
pub trait Executor<'c>: Send + sealed::Sealed {
    #[doc(hidden)]
    fn target(self) -> sealed::Target<'c>;
}

impl<'c> Executor<'c> for &'c Store {
    fn target(self) -> sealed::Target<'c> {
        match &self.pool {
            Pool::Sqlite(pool) => sealed::Target::SqlitePool(pool),
            Pool::Postgres(pool) => sealed::Target::PostgresPool(pool),
        }
    }
}

impl<'c> Executor<'c> for &'c mut Tx {
    fn target(self) -> sealed::Target<'c> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => sealed::Target::Sqlite(tx),
            TxInner::Postgres(tx) => sealed::Target::Postgres(tx),
        }
    }
}

/// A connection of one engine: taken from the pool for one statement, or the transaction's.
enum Connection<'c, C: sqlx::Connection> {
    Pooled(PoolConnection<C::Database>),
    Borrowed(&'c mut C),
}

impl<C> Deref for Connection<'_, C>
where
    C: sqlx::Connection,
    PoolConnection<C::Database>: Deref<Target = C>,
{
    type Target = C;
    fn deref(&self) -> &C {
        match self {
            Connection::Pooled(connection) => connection,
            Connection::Borrowed(connection) => connection,
        }
    }
}

impl<C> DerefMut for Connection<'_, C>
where
    C: sqlx::Connection,
    PoolConnection<C::Database>: DerefMut<Target = C>,
{
    fn deref_mut(&mut self) -> &mut C {
        match self {
            Connection::Pooled(connection) => connection,
            Connection::Borrowed(connection) => connection,
        }
    }
}

/// The connection a query runs on, per engine.
enum EngineConnection<'c> {
    Sqlite(Connection<'c, SqliteConnection>),
    Postgres(Connection<'c, PgConnection>),
}

async fn connect<'c>(executor: impl Executor<'c>) -> Result<EngineConnection<'c>> {
    Ok(match executor.target() {
        sealed::Target::SqlitePool(pool) => EngineConnection::Sqlite(Connection::Pooled(pool.acquire().await?)),
        sealed::Target::PostgresPool(pool) => EngineConnection::Postgres(Connection::Pooled(pool.acquire().await?)),
        sealed::Target::Sqlite(connection) => EngineConnection::Sqlite(Connection::Borrowed(connection)),
        sealed::Target::Postgres(connection) => EngineConnection::Postgres(Connection::Borrowed(connection)),
    })
}

// ---------------------------------------------------------------------------------------------
// Bound values

/// A value bound to a placeholder, typed so that both engines encode it as the store always did
/// (and PostgreSQL gets a NULL of the right type).
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'q> {
    I64(Option<i64>),
    I32(Option<i32>),
    Bool(Option<bool>),
    Text(Option<Cow<'q, str>>),
    Date(Option<NaiveDate>),
    Instant(Option<DateTime<Utc>>),
    Bytes(Option<Cow<'q, [u8]>>),
}

/// What `.bind(…)` takes: a value of one of the types of [`Value`], owned or borrowed, or an
/// `Option` of one (`None` binds a typed NULL).
pub trait Bind<'q> {
    fn into_value(self) -> Value<'q>;
    /// The NULL of this type.
    fn null() -> Value<'q>
    where
        Self: Sized;
}

impl<'q> Bind<'q> for Value<'q> {
    fn into_value(self) -> Value<'q> {
        self
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for i64 {
    fn into_value(self) -> Value<'q> {
        Value::I64(Some(self))
    }
    fn null() -> Value<'q> {
        Value::I64(None)
    }
}

impl<'q> Bind<'q> for i32 {
    fn into_value(self) -> Value<'q> {
        Value::I32(Some(self))
    }
    fn null() -> Value<'q> {
        Value::I32(None)
    }
}

impl<'q> Bind<'q> for bool {
    fn into_value(self) -> Value<'q> {
        Value::Bool(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Bool(None)
    }
}

impl<'q> Bind<'q> for NaiveDate {
    fn into_value(self) -> Value<'q> {
        Value::Date(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Date(None)
    }
}

impl<'q> Bind<'q> for DateTime<Utc> {
    fn into_value(self) -> Value<'q> {
        Value::Instant(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Instant(None)
    }
}

impl<'q> Bind<'q> for &'q str {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(Cow::Borrowed(self)))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for &'q String {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(Cow::Borrowed(self.as_str())))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for String {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(Cow::Owned(self)))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for Cow<'q, str> {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for &'q [u8] {
    fn into_value(self) -> Value<'q> {
        Value::Bytes(Some(Cow::Borrowed(self)))
    }
    fn null() -> Value<'q> {
        Value::Bytes(None)
    }
}

impl<'q> Bind<'q> for &'q Vec<u8> {
    fn into_value(self) -> Value<'q> {
        Value::Bytes(Some(Cow::Borrowed(self.as_slice())))
    }
    fn null() -> Value<'q> {
        Value::Bytes(None)
    }
}

impl<'q> Bind<'q> for Vec<u8> {
    fn into_value(self) -> Value<'q> {
        Value::Bytes(Some(Cow::Owned(self)))
    }
    fn null() -> Value<'q> {
        Value::Bytes(None)
    }
}

impl<'q> Bind<'q> for &'q i64 {
    fn into_value(self) -> Value<'q> {
        (*self).into_value()
    }
    fn null() -> Value<'q> {
        <i64 as Bind<'q>>::null()
    }
}

impl<'q> Bind<'q> for &'q i32 {
    fn into_value(self) -> Value<'q> {
        (*self).into_value()
    }
    fn null() -> Value<'q> {
        <i32 as Bind<'q>>::null()
    }
}

impl<'q> Bind<'q> for &'q bool {
    fn into_value(self) -> Value<'q> {
        (*self).into_value()
    }
    fn null() -> Value<'q> {
        <bool as Bind<'q>>::null()
    }
}

impl<'q> Bind<'q> for &'q NaiveDate {
    fn into_value(self) -> Value<'q> {
        (*self).into_value()
    }
    fn null() -> Value<'q> {
        <NaiveDate as Bind<'q>>::null()
    }
}

impl<'q> Bind<'q> for &'q DateTime<Utc> {
    fn into_value(self) -> Value<'q> {
        (*self).into_value()
    }
    fn null() -> Value<'q> {
        <DateTime<Utc> as Bind<'q>>::null()
    }
}

impl<'q, T: Bind<'q>> Bind<'q> for Option<T> {
    fn into_value(self) -> Value<'q> {
        match self {
            Some(value) => value.into_value(),
            None => T::null(),
        }
    }
    fn null() -> Value<'q> {
        T::null()
    }
}

impl<'q, T> Bind<'q> for &'q Option<T>
where
    &'q T: Bind<'q>,
{
    fn into_value(self) -> Value<'q> {
        match self {
            Some(value) => value.into_value(),
            None => <&'q T>::null(),
        }
    }
    fn null() -> Value<'q> {
        <&'q T>::null()
    }
}

fn sqlite_arguments(values: Vec<Value<'_>>) -> Result<SqliteArguments<'_>> {
    let mut arguments = SqliteArguments::default();
    for value in values {
        let added = match value {
            Value::I64(value) => arguments.add(value),
            Value::I32(value) => arguments.add(value),
            Value::Bool(value) => arguments.add(value),
            Value::Text(value) => arguments.add(value),
            Value::Date(value) => arguments.add(value),
            Value::Instant(value) => arguments.add(value),
            Value::Bytes(None) => arguments.add(None::<Vec<u8>>),
            Value::Bytes(Some(Cow::Borrowed(bytes))) => arguments.add(bytes),
            Value::Bytes(Some(Cow::Owned(bytes))) => arguments.add(bytes),
        };
        added.map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}

fn postgres_arguments(values: Vec<Value<'_>>) -> Result<PgArguments> {
    let mut arguments = PgArguments::default();
    for value in values {
        let added = match value {
            Value::I64(value) => arguments.add(value),
            Value::I32(value) => arguments.add(value),
            Value::Bool(value) => arguments.add(value),
            Value::Text(value) => arguments.add(value),
            Value::Date(value) => arguments.add(value),
            Value::Instant(value) => arguments.add(value),
            Value::Bytes(None) => arguments.add(None::<Vec<u8>>),
            Value::Bytes(Some(Cow::Borrowed(bytes))) => arguments.add(bytes),
            Value::Bytes(Some(Cow::Owned(bytes))) => arguments.add(bytes),
        };
        added.map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}

// ---------------------------------------------------------------------------------------------
// Decoded rows

/// A row type both engines decode: tuples of decodable values and `#[derive(sqlx::FromRow)]`
/// structs.
pub trait FromRow: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}
impl<T> FromRow for T where T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

/// A single value both engines decode (the column of [`query_scalar`]).
pub trait Scalar:
    for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + Send
    + Unpin
{
}
impl<T> Scalar for T where
    T: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
        + Send
        + Unpin
{
}

/// A row of any width, every column read as text or NULL (cast the columns to text in the SQL):
/// for tests and tools that compare whole tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextRow(pub Vec<Option<String>>);

impl<'r> sqlx::FromRow<'r, SqliteRow> for TextRow {
    fn from_row(row: &'r SqliteRow) -> std::result::Result<TextRow, sqlx::Error> {
        (0..row.len()).map(|index| row.try_get(index)).collect::<std::result::Result<_, _>>().map(TextRow)
    }
}

impl<'r> sqlx::FromRow<'r, PgRow> for TextRow {
    fn from_row(row: &'r PgRow) -> std::result::Result<TextRow, sqlx::Error> {
        (0..row.len()).map(|index| row.try_get(index)).collect::<std::result::Result<_, _>>().map(TextRow)
    }
}

// ---------------------------------------------------------------------------------------------
// Queries

/// How the placeholders of a query's SQL are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placeholders {
    /// `$1`, `$2`…: the SQL is the same on both engines.
    Numbered,
    /// `?`, in binding order: kept on SQLite, numbered `$1`, `$2`… for PostgreSQL.
    Anonymous,
}

/// A statement and its bound values (see [`query`]).
#[must_use = "a query does nothing until it is executed"]
#[derive(Clone, Debug)]
pub struct Query<'q> {
    sql: Cow<'q, str>,
    placeholders: Placeholders,
    values: Vec<Value<'q>>,
}

/// What a statement did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Executed {
    rows_affected: u64,
}

impl Executed {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement, written once with `$1`, `$2`… placeholders for both engines.
pub fn query<'q>(sql: impl Into<Cow<'q, str>>) -> Query<'q> {
    Query { sql: sql.into(), placeholders: Placeholders::Numbered, values: Vec::new() }
}

/// A query whose rows decode into `T` (a tuple or a `#[derive(sqlx::FromRow)]` struct).
pub fn query_as<'q, T: FromRow>(sql: impl Into<Cow<'q, str>>) -> QueryAs<'q, T> {
    QueryAs { query: query(sql), row: PhantomData }
}

/// A query whose rows are one value each, decoded into `T`.
pub fn query_scalar<'q, T: Scalar>(sql: impl Into<Cow<'q, str>>) -> QueryScalar<'q, T> {
    QueryScalar { query: query_as(sql) }
}

impl<'q> Query<'q> {
    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Bind<'q>) -> Query<'q> {
        self.values.push(value.into_value());
        self
    }

    /// The SQL for PostgreSQL: anonymous placeholders numbered in order.
    fn postgres_sql(&self) -> Cow<'_, str> {
        match self.placeholders {
            Placeholders::Numbered => Cow::Borrowed(&self.sql),
            Placeholders::Anonymous => {
                let mut numbered = String::with_capacity(self.sql.len() + self.values.len() * 4);
                for (index, part) in self.sql.split('?').enumerate() {
                    // The part before the first `?` has no placeholder; each next part follows one.
                    if index > 0 {
                        numbered.push('$');
                        numbered.push_str(&index.to_string());
                    }
                    numbered.push_str(part);
                }
                Cow::Owned(numbered)
            }
        }
    }

    /// Runs the statement; says how many rows it changed.
    pub async fn execute<'c>(self, executor: impl Executor<'c>) -> Result<Executed> {
        let rows_affected = match connect(executor).await? {
            EngineConnection::Sqlite(mut connection) => {
                let arguments = sqlite_arguments(self.values)?;
                sqlx::query_with(&self.sql, arguments).execute(&mut *connection).await?.rows_affected()
            }
            EngineConnection::Postgres(mut connection) => {
                let sql = self.postgres_sql().into_owned();
                let arguments = postgres_arguments(self.values)?;
                sqlx::query_with(&sql, arguments).execute(&mut *connection).await?.rows_affected()
            }
        };
        Ok(Executed { rows_affected })
    }
}

/// A query decoding its rows into `T` (see [`query_as`]).
#[must_use = "a query does nothing until it is executed"]
#[derive(Clone, Debug)]
pub struct QueryAs<'q, T> {
    query: Query<'q>,
    row: PhantomData<fn() -> T>,
}

impl<'q, T: FromRow> QueryAs<'q, T> {
    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Bind<'q>) -> QueryAs<'q, T> {
        self.query = self.query.bind(value);
        self
    }

    /// Every row.
    pub async fn fetch_all<'c>(self, executor: impl Executor<'c>) -> Result<Vec<T>> {
        let query = self.query;
        Ok(match connect(executor).await? {
            EngineConnection::Sqlite(mut connection) => {
                let arguments = sqlite_arguments(query.values)?;
                sqlx::query_as_with(&query.sql, arguments).fetch_all(&mut *connection).await?
            }
            EngineConnection::Postgres(mut connection) => {
                let sql = query.postgres_sql().into_owned();
                let arguments = postgres_arguments(query.values)?;
                sqlx::query_as_with(&sql, arguments).fetch_all(&mut *connection).await?
            }
        })
    }

    /// The first row, if any.
    pub async fn fetch_optional<'c>(self, executor: impl Executor<'c>) -> Result<Option<T>> {
        let query = self.query;
        Ok(match connect(executor).await? {
            EngineConnection::Sqlite(mut connection) => {
                let arguments = sqlite_arguments(query.values)?;
                sqlx::query_as_with(&query.sql, arguments).fetch_optional(&mut *connection).await?
            }
            EngineConnection::Postgres(mut connection) => {
                let sql = query.postgres_sql().into_owned();
                let arguments = postgres_arguments(query.values)?;
                sqlx::query_as_with(&sql, arguments).fetch_optional(&mut *connection).await?
            }
        })
    }

    /// The first row; an error when there is none.
    pub async fn fetch_one<'c>(self, executor: impl Executor<'c>) -> Result<T> {
        let query = self.query;
        Ok(match connect(executor).await? {
            EngineConnection::Sqlite(mut connection) => {
                let arguments = sqlite_arguments(query.values)?;
                sqlx::query_as_with(&query.sql, arguments).fetch_one(&mut *connection).await?
            }
            EngineConnection::Postgres(mut connection) => {
                let sql = query.postgres_sql().into_owned();
                let arguments = postgres_arguments(query.values)?;
                sqlx::query_as_with(&sql, arguments).fetch_one(&mut *connection).await?
            }
        })
    }
}

/// A query decoding the first column of its rows into `T` (see [`query_scalar`]).
#[must_use = "a query does nothing until it is executed"]
#[derive(Clone, Debug)]
pub struct QueryScalar<'q, T> {
    query: QueryAs<'q, (T,)>,
}

impl<'q, T: Scalar> QueryScalar<'q, T> {
    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Bind<'q>) -> QueryScalar<'q, T> {
        self.query = self.query.bind(value);
        self
    }

    /// The value of every row.
    pub async fn fetch_all<'c>(self, executor: impl Executor<'c>) -> Result<Vec<T>> {
        Ok(self.query.fetch_all(executor).await?.into_iter().map(|(value,)| value).collect())
    }

    /// The value of the first row, if any.
    pub async fn fetch_optional<'c>(self, executor: impl Executor<'c>) -> Result<Option<T>> {
        Ok(self.query.fetch_optional(executor).await?.map(|(value,)| value))
    }

    /// The value of the first row; an error when there is none.
    pub async fn fetch_one<'c>(self, executor: impl Executor<'c>) -> Result<T> {
        Ok(self.query.fetch_one(executor).await?.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Statements built piece by piece

/// A statement built from pieces, with anonymous placeholders (`?` on SQLite, `$n` on
/// PostgreSQL): for SQL whose number of values is known only at run time (an `IN` list, a
/// multi-row statement). [`Builder::push`] takes SQL text, which must not contain `?` itself.
#[derive(Clone, Debug, Default)]
pub struct Builder<'q> {
    sql: String,
    values: Vec<Value<'q>>,
}

impl<'q> Builder<'q> {
    pub fn new(sql: &str) -> Builder<'q> {
        let mut builder = Builder::default();
        builder.push(sql);
        builder
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Builder<'q> {
        debug_assert!(!sql.contains('?'), "`?` marks a placeholder: bind values with push_bind");
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn push_bind(&mut self, value: impl Bind<'q>) -> &mut Builder<'q> {
        self.sql.push('?');
        self.values.push(value.into_value());
        self
    }

    /// Appends `?, ?, …`, one placeholder per value.
    pub fn push_list<B: Bind<'q>>(&mut self, values: impl IntoIterator<Item = B>) -> &mut Builder<'q> {
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.sql.push_str(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// Appends a piece of SQL whose `?` are placeholders, and the values bound to them.
    fn push_template(&mut self, template: &str, values: impl IntoIterator<Item = Value<'q>>) {
        self.sql.push_str(template);
        self.values.extend(values);
    }

    /// The statement.
    pub fn build(self) -> Query<'q> {
        assert!(self.values.len() <= BIND_PARAMETERS_PER_STATEMENT_MAX, "too many values for one statement");
        Query { sql: Cow::Owned(self.sql), placeholders: Placeholders::Anonymous, values: self.values }
    }

    /// The statement, its rows decoded into `T`.
    pub fn build_query_as<T: FromRow>(self) -> QueryAs<'q, T> {
        QueryAs { query: self.build(), row: PhantomData }
    }

    /// The statement, the first column of its rows decoded into `T`.
    pub fn build_query_scalar<T: Scalar>(self) -> QueryScalar<'q, T> {
        QueryScalar { query: self.build_query_as() }
    }
}

/// `head` followed by the values as a list of placeholders, then `tail`: an `IN` list of at most
/// [`ROWS_PER_STATEMENT_MAX`] values (the caller cuts longer lists). `head` ends with `IN (` and
/// `tail` starts with `)`.
pub fn in_list<'q, B: Bind<'q>>(head: &str, values: impl IntoIterator<Item = B>, tail: &str) -> Builder<'q> {
    let mut builder = Builder::new(head);
    let before = builder.values.len();
    builder.push_list(values);
    assert!(builder.values.len() - before <= ROWS_PER_STATEMENT_MAX, "an IN list of at most 500 values");
    builder.push(tail);
    builder
}

/// The values of one row of a [`MultiRow`] statement, in column order.
#[derive(Debug)]
pub struct RowValues<'q> {
    values: Vec<Value<'q>>,
}

impl<'q> RowValues<'q> {
    /// Binds the next column.
    pub fn push(&mut self, value: impl Bind<'q>) -> &mut RowValues<'q> {
        self.values.push(value.into_value());
        self
    }
}

/// A multi-row statement: `head VALUES (…), (…), … tail`, one statement per
/// [`ROWS_PER_STATEMENT_MAX`] rows instead of one per row — `INSERT INTO t (…) VALUES …`, or an
/// UPDATE from a `VALUES` list (`UPDATE t SET … FROM (VALUES …) AS v WHERE …`).
///
/// The placeholders are anonymous on SQLite (`?`) and numbered on PostgreSQL (`$1, $2, …`). That
/// matters on SQLite: to bind a named placeholder sqlx asks its name, and SQLite finds it by
/// walking the statement's list of names, so binding the thousands of `$n` of a multi-row
/// statement costs time quadratic in their number; anonymous ones have no names to walk.
#[derive(Clone, Debug)]
pub struct MultiRow<'s> {
    head: &'s str,
    row: Cow<'s, str>,
    columns: usize,
    tail: &'s str,
}

impl<'s> MultiRow<'s> {
    /// `head VALUES (?, …), …` with `columns` values per row. `head` ends with a space (or `(`
    /// for a `FROM (VALUES …)`).
    pub fn new(head: &'s str, columns: usize) -> MultiRow<'s> {
        let placeholders = vec!["?"; columns].join(", ");
        MultiRow { head, row: Cow::Owned(format!("({placeholders})")), columns, tail: "" }
    }

    /// Rows written by a template whose `?` are the row's values in order, e.g.
    /// `(?, ?, (SELECT status FROM cases WHERE id = ?))`.
    pub fn with_row(head: &'s str, template: &'s str) -> MultiRow<'s> {
        let columns = template.matches('?').count();
        MultiRow { head, row: Cow::Borrowed(template), columns, tail: "" }
    }

    /// What follows the rows: `ON CONFLICT …`, `RETURNING …`, `) AS v WHERE …`.
    pub fn tail(mut self, tail: &'s str) -> MultiRow<'s> {
        debug_assert!(!tail.contains('?'), "a multi-row statement's tail binds nothing");
        self.tail = tail;
        self
    }

    /// The statement of one chunk of rows.
    fn statement<'r, R>(&self, chunk: &'r [R], bind: &mut impl FnMut(&mut RowValues<'r>, &'r R)) -> Query<'r> {
        assert!(chunk.len() * self.columns <= BIND_PARAMETERS_PER_STATEMENT_MAX);
        let mut builder = Builder::new(self.head);
        builder.sql.reserve(7 + chunk.len() * (self.row.len() + 2) + self.tail.len());
        builder.values.reserve(chunk.len() * self.columns);
        builder.sql.push_str("VALUES ");
        let mut row_values = RowValues { values: Vec::with_capacity(self.columns) };
        for (index, row) in chunk.iter().enumerate() {
            if index > 0 {
                builder.sql.push_str(", ");
            }
            bind(&mut row_values, row);
            assert_eq!(row_values.values.len(), self.columns, "one value per column of the row");
            builder.push_template(&self.row, row_values.values.drain(..));
        }
        builder.push(self.tail);
        builder.build()
    }

    /// Runs the statement over `rows`, in statements of at most [`ROWS_PER_STATEMENT_MAX`] rows;
    /// `bind` pushes the values of a row. Returns the rows affected.
    pub async fn execute<'r, R>(
        &self,
        tx: &mut Tx,
        rows: &'r [R],
        mut bind: impl FnMut(&mut RowValues<'r>, &'r R),
    ) -> Result<u64> {
        let mut affected = 0_u64;
        for chunk in rows.chunks(ROWS_PER_STATEMENT_MAX) {
            affected += self.statement(chunk, &mut bind).execute(&mut *tx).await?.rows_affected();
        }
        Ok(affected)
    }

    /// [`MultiRow::execute`] for a statement whose tail ends in `RETURNING …`: the rows every
    /// statement returns, in no particular order.
    pub async fn fetch_all<'r, R, T: FromRow>(
        &self,
        tx: &mut Tx,
        rows: &'r [R],
        mut bind: impl FnMut(&mut RowValues<'r>, &'r R),
    ) -> Result<Vec<T>> {
        let mut returned = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_STATEMENT_MAX) {
            let statement = self.statement(chunk, &mut bind);
            returned.append(&mut QueryAs { query: statement, row: PhantomData }.fetch_all(&mut *tx).await?);
        }
        Ok(returned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_placeholders_are_numbered_for_postgres() {
        let mut builder = Builder::new("SELECT id FROM t WHERE a = ");
        builder.push_bind(1_i64).push(" AND b IN (").push_list(["x", "y"]).push(")");
        let query = builder.build();
        assert_eq!(query.sql, "SELECT id FROM t WHERE a = ? AND b IN (?, ?)");
        assert_eq!(query.postgres_sql(), "SELECT id FROM t WHERE a = $1 AND b IN ($2, $3)");
        let numbered = super::query("SELECT $1");
        assert_eq!(numbered.postgres_sql(), "SELECT $1");
    }

    #[test]
    fn multi_row_statements_render_each_row_from_the_template() {
        let rows = [(1_i64, "a"), (2, "b")];
        let statement =
            MultiRow::with_row("INSERT INTO t (id, name, status) ", "(?, ?, (SELECT s FROM u WHERE id = ?))")
                .tail(" RETURNING id")
                .statement(&rows, &mut |values, row| {
                    values.push(row.0).push(row.1).push(row.0);
                });
        assert_eq!(
            statement.postgres_sql(),
            "INSERT INTO t (id, name, status) VALUES ($1, $2, (SELECT s FROM u WHERE id = $3)), \
             ($4, $5, (SELECT s FROM u WHERE id = $6)) RETURNING id"
        );
        assert_eq!(statement.values.len(), 6);
        assert_eq!(statement.values[4], Value::Text(Some(Cow::Borrowed("b"))));
    }

    #[test]
    fn a_missing_value_binds_a_typed_null() {
        assert_eq!(None::<i64>.into_value(), Value::I64(None));
        assert_eq!(None::<&str>.into_value(), Value::Text(None));
        let name: Option<String> = None;
        assert_eq!((&name).into_value(), Value::Text(None));
        assert_eq!(Some(NaiveDate::MIN).into_value(), Value::Date(Some(NaiveDate::MIN)));
    }
}
