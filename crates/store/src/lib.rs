//! Recouvre's storage, one code base over two engines.
//!
//! SQLite (embedded, the default) and PostgreSQL (production) each get their own concrete sqlx
//! pool; sqlx's `Any` driver is not used because it has no dates, decimals or JSON. Every
//! query is written once, in the SQL both engines understand (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), and the [`on_engine!`] macro expands its body once per engine, so the
//! compiler checks each expansion against its own driver (the approach vaultwarden takes).
//!
//! Invariants kept here:
//! - every change to a case appends an event to its journal in the same transaction
//!   ([`journal::append`]);
//! - money columns are integer cents;
//! - an import is all-or-nothing.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub mod access;
pub mod aml;
pub mod approvals;
pub mod batch;
mod bulk;
pub mod cases;
pub mod cockpit;
pub mod committee;
pub mod controls;
pub mod direct_debits;
pub mod documents;
mod error;
pub mod imports;
pub mod journal;
pub mod ledger;
pub mod letter_templates;
pub mod reference;
pub mod sanctions;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod statements;
pub mod suspense;
pub mod team;
pub mod users;
pub mod workflow;

pub use error::{StaleChange, StoreError};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Runs the same body against whichever engine the store holds. Inside, `$pool` is a
/// `&SqlitePool` or a `&PgPool`.
#[macro_export]
macro_rules! on_engine {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store.engine_pool() {
            $crate::EnginePool::Sqlite($pool) => $body,
            $crate::EnginePool::Postgres($pool) => $body,
        }
    };
}

/// The concrete pool of one engine.
#[derive(Clone, Debug)]
pub enum EnginePool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The SQLite page cache of a bulk load's connections, in MiB.
pub const BULK_LOAD_CACHE_MIB: u32 = 512;

/// What a process does with the database, which decides how SQLite's connections are tuned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Servers and most commands: SQLite's default page cache (2 MiB per connection), so that
    /// a server's memory stays small whatever the size of the database.
    Interactive,
    /// Loading a large portfolio (`recouvre seed`): rows go into indexes on random keys
    /// (customer number, contract, account, search key). With the default cache, every
    /// transaction rereads and rewrites most of those indexes' pages; a cache that holds them
    /// ([`BULK_LOAD_CACHE_MIB`] per connection) cuts the writes several times over
    /// (docs/performance.md). No effect on PostgreSQL, whose cache is the server's.
    BulkLoad,
}

/// A handle on the database. Cheap to clone (the pools are reference-counted).
#[derive(Clone, Debug)]
pub struct Store {
    pool: EnginePool,
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
            EnginePool::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(|source| StoreError::Connect { url: redact(url), source })?;
            EnginePool::Postgres(pool)
        } else {
            return Err(StoreError::BadUrl {
                url: redact(url),
                reason: "l'adresse doit commencer par sqlite:// ou postgres://".to_string(),
            });
        };
        Ok(Store { pool })
    }

    /// Applies the embedded migrations of this engine. Idempotent.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            EnginePool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            EnginePool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match &self.pool {
            EnginePool::Sqlite(_) => Engine::Sqlite,
            EnginePool::Postgres(_) => Engine::Postgres,
        }
    }

    pub fn engine_pool(&self) -> &EnginePool {
        &self.pool
    }

    /// Connections in use and idle, for the metrics endpoint.
    pub fn pool_stats(&self) -> (u32, usize) {
        on_engine!(self, |pool| (pool.size(), pool.num_idle()))
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        on_engine!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        on_engine!(self, |pool| pool.close().await)
    }
}

/// Hides a password in a connection URL before it goes into an error message or a log.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://bob:secret@db/recouvre"), "postgres://bob:***@db/recouvre");
        assert_eq!(super::redact("sqlite://demo.db"), "sqlite://demo.db");
    }
}
