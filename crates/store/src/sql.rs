//! Raw SQL on either engine, for tests and tools: the store's own query layer.
//!
//! Write the SQL once with `$1`, `$2`… placeholders (the dialect both SQLite and PostgreSQL
//! understand), bind values, and run it on the store or inside a transaction:
//!
//! ```no_run
//! # async fn example(store: &recouvre_store::Store) -> recouvre_store::Result<()> {
//! use recouvre_store::sql;
//!
//! let open: Vec<(i64, String)> =
//!     sql::query_as("SELECT id, reference FROM cases WHERE status <> $1").bind("closed").fetch_all(store).await?;
//! sql::query("UPDATE cases SET tags = '[]' WHERE id = $1").bind(open[0].0).execute(store).await?;
//! let count: i64 = sql::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(store).await?;
//!
//! let mut tx = store.begin().await?;
//! sql::query("DELETE FROM case_notes WHERE case_id = $1").bind(open[0].0).execute(&mut tx).await?;
//! tx.commit().await?;
//! # let _ = count;
//! # Ok(())
//! # }
//! ```
//!
//! Rows decode into tuples or `#[derive(sqlx::FromRow)]` structs ([`FromRow`]), single values
//! into anything both engines decode ([`Scalar`]), and rows of any width into a [`TextRow`] (cast
//! the columns to text in the SQL). Statements whose number of values is known only at run
//! time are built with [`Builder`], [`in_list`] or [`MultiRow`].
//!
//! Code that changes a case goes through the store's functions, never through raw SQL: they
//! journal every change in the same transaction.

pub use crate::db::{
    in_list, query, query_as, query_scalar, Bind, Builder, Executed, Executor, FromRow, MultiRow, Query, QueryAs,
    QueryScalar, RowValues, Scalar, TextRow, Value, BIND_PARAMETERS_PER_STATEMENT_MAX, ROWS_PER_STATEMENT_MAX,
};
