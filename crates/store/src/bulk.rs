//! Multi-row statements, shared by the paths that read or write many rows at once (the bulk
//! seed, `crate::seed`; the nightly run, `crate::batch`; a statement's screening, `crate::aml`):
//! one statement per [`ROWS_PER_STATEMENT_MAX`] rows instead of one per row.
//!
//! Both macros build their SQL with sqlx's `QueryBuilder`, which numbers PostgreSQL's
//! placeholders (`$1, $2, …`) and leaves SQLite's anonymous (`?`). That matters on SQLite: to bind
//! a named placeholder sqlx asks its name, and SQLite finds it by walking the statement's list of
//! names, so binding the thousands of `$n` of a multi-row statement costs time quadratic in their
//! number; anonymous ones have no names to walk.

/// SQLite's limit on bind parameters in one statement (`SQLITE_MAX_VARIABLE_NUMBER` since 3.32);
/// PostgreSQL's is 65 535.
pub(crate) const BIND_PARAMETERS_PER_STATEMENT_MAX: usize = 32_766;
/// Rows in one multi-row statement.
pub(crate) const ROWS_PER_STATEMENT_MAX: usize = 500;
/// Bind parameters per journal event row.
pub(crate) const EVENT_COLUMNS: usize = 8;

/// Runs `$head VALUES (…), (…), … $tail` over `$rows`, in statements of at most
/// [`ROWS_PER_STATEMENT_MAX`] rows each (`INSERT INTO t (…) VALUES …`, or an UPDATE from a
/// `VALUES` list); `$bind` pushes the `$columns` values of `$row`. Evaluates to the rows
/// affected. With `returning`, `$tail` ends in `RETURNING …` and the rows every statement
/// returns are collected, in no particular order.
macro_rules! multi_row {
    (returning $tx:expr, $head:expr, $tail:expr, $columns:expr, $rows:expr, |$values:ident, $row:ident| $bind:block) => {{
        let mut returned = Vec::with_capacity($rows.len());
        for chunk in $rows.chunks($crate::bulk::ROWS_PER_STATEMENT_MAX) {
            assert!(chunk.len() * $columns <= $crate::bulk::BIND_PARAMETERS_PER_STATEMENT_MAX);
            let mut builder = sqlx::QueryBuilder::new($head);
            builder.push_values(chunk, |mut $values, $row| $bind);
            builder.push($tail);
            returned.append(&mut builder.build_query_as().fetch_all(&mut *$tx).await?);
        }
        returned
    }};
    ($tx:expr, $head:expr, $tail:expr, $columns:expr, $rows:expr, |$values:ident, $row:ident| $bind:block) => {{
        let mut affected = 0_u64;
        for chunk in $rows.chunks($crate::bulk::ROWS_PER_STATEMENT_MAX) {
            assert!(chunk.len() * $columns <= $crate::bulk::BIND_PARAMETERS_PER_STATEMENT_MAX);
            let mut builder = sqlx::QueryBuilder::new($head);
            builder.push_values(chunk, |mut $values, $row| $bind);
            builder.push($tail);
            affected += builder.build().execute(&mut *$tx).await?.rows_affected();
        }
        affected
    }};
}
pub(crate) use multi_row;

/// A `QueryBuilder` for `$head (v1, v2, …) $tail`: an `IN` list of bound `$values` (at most
/// [`ROWS_PER_STATEMENT_MAX`] of them, so the caller chunks). `$head` ends with `IN (` and `$tail`
/// starts with `)`.
macro_rules! in_list {
    ($head:expr, $values:expr, $tail:expr) => {{
        let values = $values;
        assert!(values.len() <= $crate::bulk::ROWS_PER_STATEMENT_MAX);
        let mut builder = sqlx::QueryBuilder::new($head);
        let mut separated = builder.separated(", ");
        for value in values {
            separated.push_bind(value);
        }
        builder.push($tail);
        builder
    }};
}
pub(crate) use in_list;

/// Inserts journal events already sealed in memory (`recouvre_domain::journal::seal`), in
/// order; the caller keeps `cases.version` in step.
macro_rules! insert_events {
    ($tx:expr, $events:expr) => {{
        let events: &[recouvre_domain::journal::JournalEvent] = $events;
        $crate::bulk::multi_row!(
            $tx,
            "INSERT INTO case_events (case_id, sequence, kind, payload, actor, recorded_at, previous_hash, hash) ",
            "",
            $crate::bulk::EVENT_COLUMNS,
            events,
            |values, event| {
                values
                    .push_bind(event.case_id)
                    .push_bind(event.sequence)
                    .push_bind(&event.kind)
                    .push_bind(&event.payload)
                    .push_bind(&event.actor)
                    .push_bind(event.recorded_at)
                    .push_bind(&event.previous_hash)
                    .push_bind(&event.hash);
            }
        )
    }};
}
pub(crate) use insert_events;
