//! A database's copy while it runs, and the check that a restore goes into an empty one (issue
//! 24, part 5; docs/operations.md « Backups and restores »). PostgreSQL's copy is `pg_dump`'s,
//! run by the command line.

use crate::db::{query, query_scalar};
use crate::{Engine, Result, Store, StoreError};

/// SQLite: writes a consistent copy of the database to `path` (`VACUUM INTO`, which reads one
/// snapshot: writers go on meanwhile, and the copy holds every transaction committed before it
/// started and none after). `path` must not exist.
pub async fn vacuum_into(store: &Store, path: &str) -> Result<()> {
    if store.engine() != Engine::Sqlite {
        return Err(StoreError::Invalid {
            field: Some("database".to_string()),
            message: "VACUUM INTO est propre à SQLite : PostgreSQL se sauvegarde avec pg_dump".to_string(),
        });
    }
    query("VACUUM INTO $1").bind(path).execute(store).await?;
    Ok(())
}

/// Whether the database holds any table (a restore goes only into an empty one).
pub async fn has_tables(store: &Store) -> Result<bool> {
    let sql = match store.engine() {
        Engine::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
        Engine::Postgres => "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'",
    };
    let tables: i64 = query_scalar(sql).fetch_one(store).await?;
    Ok(tables > 0)
}
