//! Recouvre's storage, one code base over two engines.
//!
//! SQLite (embedded, the default) and PostgreSQL (production) each get their own concrete sqlx
//! pool; sqlx's `Any` driver is not used because it has no dates, decimals or JSON. Every
//! query is written once, in the SQL both engines understand (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`), through the store's engine-neutral query layer (`db`, public for tests and
//! tools as [`sql`]): values are bound as typed [`sql::Value`]s and, at execution, onto the
//! concrete query of the engine at hand. Operations that run inside a caller's transaction are
//! methods of [`Tx`], written in the module of their concept (`Tx::append_event` in [`journal`],
//! `Tx::book` in [`ledger`], `Tx::hold` in [`suspense`], `Tx::assess` in [`aml`]…).
//!
//! Modules depend on each other one way: `db` and `error` at the bottom; then `journal`,
//! `ledger`; `suspense` and `cases` above them; `debtors` (a person's file) above `cases` and
//! `ledger` — `cases` calls back only its `Tx::list_intake_differences` when intake meets a known person; `aml` above `suspense`; `closure` (closing a case, and money arriving once it is closed) above `suspense`, below `payments` and `statements`; `payments` (booking a
//! payment: screening, allocation or hold) above `aml`, `suspense` and `ledger`; `seed` above
//! `cases`, `imports` above `seed`; `time_bars` (a case's history for the time-bar engine) above `ledger`, `time_bar_states` (its stored result) above `time_bars` — `ledger` and `journal` call back only its `Tx::refresh_time_bars` when they write what changes a case's time bars; `workflow` and `statements` above `direct_debits` and `time_bars`, `direct_debits` above `direct_debit_rules` and `mandate_changes`, `approvals` above
//! `workflow`; `committee` above `workflow`, `batch` above `committee`; `contacts` (contacts, promises, the
//! officer's own actions) above `journal` and `ledger`; `payment_requests` (a payment by hand
//! beyond its author's delegation, to approval) above `payments` and `workflow`, its
//! `Tx::book_approved_payment` called by `approvals`; `second_factor` beside `users`.
//!
//! Invariants kept here:
//! - every change to a case appends an event to its journal in the same transaction
//!   (`Tx::append_event`);
//! - money columns are integer cents;
//! - an import is all-or-nothing.

pub mod access;
mod actor;
pub mod aml;
pub mod approvals;
// Incoming documents attached to a case (issue 17), above `journal` and `documents`.
pub mod attachments;
// Keyed seals of the journal and the ledger, and their cut-over (issue 24), beside `journal`.
pub mod audit;
// The seals' keys, on nothing: `db` carries them, `audit` uses them.
pub mod audit_keys;
// Online copies and the restore's emptiness check (issue 24), on `db` only.
pub mod backup;
pub mod batch;
pub mod cases;
pub mod claim_positions;
pub mod closure;
pub mod cockpit;
pub mod committee;
pub mod contacts;
pub mod controls;
// Costs as money: charged to the debtor, payable to the third party (issue 18), above `ledger`, below `approvals` and `transfers`.
pub mod costs;
mod db;
pub mod debtors;
pub mod direct_debit_rules;
pub mod direct_debits;
pub mod documents;
mod error;
pub mod four_eyes;
pub mod imports;
pub mod interest;
pub mod journal;
pub mod ledger;
pub mod letter_templates;
pub mod mandate_changes;
pub mod payment_requests;
pub mod payments;
pub mod privacy;
pub mod procedure_steps;
pub mod reference;
// Overpayments refunded to the payer (issue 21), above `ledger` and `journal`, below `transfers`.
pub mod refunds;
pub mod sanctions;
pub mod saved_filters;
pub mod schema;
pub mod second_factor;
pub mod seed;
pub mod sessions;
pub mod setting_changes;
pub mod settings;
pub mod sql;
pub mod statements;
pub mod suspense;
pub mod team;
// Each case's and claim's stored time-bar state (issue 18), above `time_bars`; `ledger` and
// `journal` call back only its `Tx::refresh_time_bars` when they write money received or a
// time-bar event.
pub mod time_bar_states;
mod time_bars;
// Transfers coming back (pain.002 rejections, returns on a statement), above `direct_debits` and `transfers`, below `statements`.
pub mod transfer_returns;
pub mod transfers;
pub mod users;
pub mod workflow;

pub use db::{Store, Tx};
pub use error::{StaleChange, StoreError};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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

/// The JSON text of a value Recouvre stores as JSON (claims, tags, alerts, recommendations...).
// Invariant: serde_json fails only on a map whose keys are not strings or on a hand-written
// `Serialize` that returns an error; the types stored as JSON are derived structs, enums,
// vectors and string-keyed maps, which always serialise. One justified `expect` here rather
// than one at every insert.
#[allow(clippy::expect_used)]
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("the types Recouvre stores as JSON serialise")
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

impl Store {
    /// Applies the embedded migrations of this engine, then the journal's one-time cut-over to
    /// the erasable envelope (`journal::cut_over`, docs/journal.md). Idempotent.
    pub async fn migrate(&self) -> Result<()> {
        self.migrate_schema().await?;
        let cut_over = journal::cut_over(self, chrono::Utc::now()).await?;
        if cut_over.cases_sealed > 0 || !cut_over.cases_refused.is_empty() {
            tracing::info!(
                cases_sealed = cut_over.cases_sealed,
                events_split = cut_over.events_split,
                cases_refused = cut_over.cases_refused.len(),
                "journal cut-over to the erasable envelope"
            );
        }
        // With a key, a new database is cut over to keyed seals at once (`audit`); one with
        // rows already is cut over by the operator (`recouvre audit cut-over`).
        if let Some(keys) = self.audit_keys() {
            let sealed = audit::cut_over_if_empty(self, keys, chrono::Utc::now()).await?;
            for (chain, rows) in &sealed.sealed {
                tracing::info!(chain = chain.as_str(), rows, "cut-over to keyed seals");
            }
        }
        Ok(())
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
