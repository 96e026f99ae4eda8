//! Recouvre's application layer: one function per use case, written once and called by every
//! shell — the web pages, the JSON API and the command line.
//!
//! A use case takes the [`App`] (the store, the reference data in force, the letters engine,
//! the clock), the [`Actor`] who acts, and its input; it checks the actor's permission, the
//! input's limits ([`limits`]) and the case's version, calls the store (which writes the change
//! and its journal event in one transaction), and returns a value or an [`Error`] of the one
//! contract ([`error`], docs/api.md). It knows nothing of HTTP, HTML or terminals: no axum, no
//! askama here. "Today" is the Paris business date of the clock the application was given
//! ([`clock`]), never the machine's UTC date.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::reference::ReferenceData;
use recouvre_store::Store;

pub mod access;
pub mod actor;
pub mod admin;
pub mod approvals;
pub mod attachments;
pub mod audit;
pub mod bank_fields;
pub mod batch;
pub(crate) mod blocking;
pub mod bulk;
pub mod calculators;
pub mod cases;
pub mod clock;
pub mod closure;
pub mod committee;
pub mod compliance;
pub mod contacts;
// Costs as money: charged to the debtor, payable to the third party (issue 18).
pub mod costs;
pub mod debtors;
pub mod demo;
pub mod direct_debits;
pub mod enrolment;
pub mod error;
pub mod identity;
pub mod imports;
pub mod interest_rulings;
pub mod letter_templates;
pub mod letters;
pub mod limits;
pub mod payment_status;
pub mod privacy;
pub mod purpose;
pub mod reference;
pub mod refunds;
pub mod reports;
pub mod sanctions;
pub mod saved_filters;
pub mod second_factor;
pub mod setting_changes;
pub mod statements;
pub mod suspense;
pub mod team;
pub mod totp;

pub mod transfers;
pub mod workflow;

pub use actor::Actor;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, ErrorKind, Result};

/// What the use cases run on. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    read_store: Store,
    clock: Arc<dyn Clock>,
    /// Statutory rates, bands and balances: the embedded defaults plus what administrators
    /// added. Replaced as a whole when an entry is added (here or, seen by [`reference::refresh`],
    /// on another server).
    reference: RwLock<Arc<ReferenceData>>,
    /// The letters engine with the templates in force (reloaded when a version is added).
    letters: letters::EngineCache,
}

impl App {
    /// The application on `store`, reading lists and reports from `read_store` (a replica of
    /// `store`, or the same), with the reference data loaded from the database.
    pub async fn new(store: Store, read_store: Store, clock: Arc<dyn Clock>) -> Result<App> {
        let reference = reference::load(&store).await?;
        Ok(App(Arc::new(Inner {
            store,
            read_store,
            clock,
            reference: RwLock::new(Arc::new(reference)),
            letters: letters::EngineCache::default(),
        })))
    }

    /// The application on one database and the system clock.
    pub async fn on(store: Store) -> Result<App> {
        App::new(store.clone(), store, Arc::new(SystemClock)).await
    }

    /// Opens and migrates the database at `url` (`sqlite://…` or `postgres://…`).
    pub async fn open(url: &str, workload: recouvre_store::Workload) -> Result<Store> {
        App::open_sealed(url, workload, None).await
    }

    /// [`App::open`], the store sealing the journal and the ledger with `keys` (kept outside the
    /// database: `recouvre_store::audit`); the first migration with keys seals the rows
    /// written until then.
    pub async fn open_sealed(
        url: &str,
        workload: recouvre_store::Workload,
        keys: Option<recouvre_store::audit::AuditKeys>,
    ) -> Result<Store> {
        let mut store = Store::connect_for(url, workload)
            .await
            .map_err(|error| Error::invalid("database", "database_unreachable", error.to_string()))?;
        if let Some(keys) = keys {
            store = store.with_audit_keys(keys);
        }
        store.migrate().await?;
        Ok(store)
    }

    /// The primary database: every write, and the reads that precede one.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// Where lists and reports read (a replica when one is configured).
    pub fn read_store(&self) -> &Store {
        &self.0.read_store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    /// The bank's business date (Europe/Paris).
    pub fn today(&self) -> NaiveDate {
        self.0.clock.today()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.0.clock
    }

    /// The reference data in force.
    pub fn reference(&self) -> Arc<ReferenceData> {
        self.0.reference.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The letters engine with the templates in force.
    pub(crate) fn letter_engines(&self) -> &letters::EngineCache {
        &self.0.letters
    }

    fn set_reference(&self, data: ReferenceData) {
        *self.0.reference.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(data);
    }
}
