//! Introspection of the live schema, to prove both engines have the same tables and columns.

use std::collections::BTreeMap;

use crate::db::query_as;
use crate::{Engine, Result, Store};

/// Table name → sorted column names, excluding sqlx's own bookkeeping table.
pub async fn tables_and_columns(store: &Store) -> Result<BTreeMap<String, Vec<String>>> {
    let sql = match store.engine() {
        Engine::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Engine::Postgres => {
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'"
        }
    };
    let pairs: Vec<(String, String)> = query_as(sql).fetch_all(store).await?;
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in pairs {
        tables.entry(table).or_default().push(column);
    }
    for columns in tables.values_mut() {
        columns.sort();
    }
    Ok(tables)
}
