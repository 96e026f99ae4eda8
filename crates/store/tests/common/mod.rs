//! A fresh database per test, on the engine under test, for the store's own tests (the store
//! does not depend on recouvre-testkit, which depends on the web shell).
//!
//! `RECOUVRE_TEST_POSTGRES=postgres://user@host:port/postgres` gives each test a fresh
//! PostgreSQL database of its own; without it, each test gets a fresh SQLite file in a temporary
//! folder. `scripts/test` runs the suite once each way.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{NaiveDate, Utc};
use recouvre_demo::portfolio::{self, PortfolioSpec};
use recouvre_domain::authority::{DelegationLevel, Role};
use recouvre_store::Store;
use sha2::{Digest, Sha256};

pub const POSTGRES_ENV: &str = "RECOUVRE_TEST_POSTGRES";

/// A database that lives as long as the test.
pub struct TestDb {
    pub url: String,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, migrated database on the engine under test.
    pub async fn new() -> TestDb {
        match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) => TestDb::postgres(&admin_url).await,
            Err(_) => TestDb::sqlite().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        TestDb { url, store, _dir: Some(dir) }
    }

    /// A fresh database on the PostgreSQL server of `admin_url`. Panics (the test fails) when
    /// the server cannot be reached: a pass that asked for PostgreSQL must run on it.
    pub async fn postgres(admin_url: &str) -> TestDb {
        use sqlx::Connection;
        static CREATED: AtomicU64 = AtomicU64::new(0);
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let name = format!(
            "recouvre_store_test_{}_{}_{}",
            std::process::id(),
            nanos.rem_euclid(1_000_000_000_000),
            CREATED.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap_or_else(|error| {
            panic!("{POSTGRES_ENV}={admin_url}: the PostgreSQL server cannot be reached ({error})")
        });
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("{POSTGRES_ENV} must end with /database"),
        };
        let store = Store::connect(&url).await.expect("open PostgreSQL");
        store.migrate().await.expect("migrate PostgreSQL");
        TestDb { url, store, _dir: None }
    }

    /// Creates a user with delegation level 1; returns its id. (The store never sees a
    /// password: any text stands for its hash here.)
    pub async fn user(&self, login: &str, role: Role) -> i64 {
        let user = recouvre_store::users::NewUser {
            login,
            display_name: login,
            role,
            delegation_level: DelegationLevel(1),
            password_hash: "$argon2id$not-a-real-hash",
        };
        recouvre_store::users::create(&self.store, &user, Utc::now()).await.expect("create user")
    }

    /// Creates an API token for an existing user; returns the token (its SHA-256 is stored).
    pub async fn token(&self, user_id: i64) -> String {
        let token = format!("token-of-{user_id}-{}", Utc::now().timestamp_nanos_opt().unwrap_or_default());
        recouvre_store::users::create_token(&self.store, user_id, "test", &token_hash(&token), Utc::now())
            .await
            .expect("create token");
        token
    }

    /// Seeds `cases` cases of the deterministic demo portfolio, assigned to `officers`.
    pub async fn seed(&self, cases: usize, officers: &[&str]) {
        let spec = PortfolioSpec {
            cases,
            seed: 7,
            today: today(),
            officers: officers.iter().map(|login| login.to_string()).collect(),
        };
        let all: Vec<_> = portfolio::generate(&spec).collect();
        recouvre_store::cases::open_many(&self.store, &all, "system:test", Utc::now()).await.expect("seed");
    }
}

/// The SHA-256 of a token, as the web shell stores it.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn today() -> NaiveDate {
    recouvre_domain::business_date::paris_date(Utc::now())
}
