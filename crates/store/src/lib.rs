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

pub mod access;
pub mod aml;
pub mod approvals;
pub mod batch;
mod bulk;
pub mod cases;
pub mod cockpit;
pub mod committee;
pub mod controls;
mod db;
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
pub mod sql;
pub mod statements;
pub mod suspense;
pub mod team;
pub mod users;
pub mod workflow;

pub use db::{EnginePool, Store, Tx};
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

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

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
