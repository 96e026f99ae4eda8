//! Test support shared by the storage, web and CLI tests.
//!
//! The engine under test is chosen by the environment, so the same tests run on both:
//! `RECOUVRE_TEST_POSTGRES=postgres://user@host:port/postgres` gives each test a fresh
//! PostgreSQL database of its own; without it, each test gets a fresh SQLite file in a
//! temporary folder. `scripts/test` runs the suite once each way.

// This crate is test code that happens to be a library (a dev-dependency only, never linked into
// the binary): a helper that cannot set up its database or server has nothing better to do than
// fail the test, loudly, which is what `expect` does. Same rule as `allow-expect-in-tests`
// (clippy.toml) applies to `#[cfg(test)]` code (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The web crate's routes as its sources write them (route-coverage tests).
pub mod router_source;

use chrono::{NaiveDate, Utc};
use rand::Rng;
use recouvre_demo::portfolio::{self, PortfolioSpec};
use recouvre_domain::authority::{DelegationLevel, Role};
use recouvre_store::sql;
use recouvre_store::Store;
use recouvre_web::auth;

pub const POSTGRES_ENV: &str = "RECOUVRE_TEST_POSTGRES";

/// The HMAC key the tests seal the journal and the ledger with (`RECOUVRE_AUDIT_KEY` for the
/// binary under test): a fixed key, as a bank's would be, kept outside the database.
pub const TEST_AUDIT_KEY: &str = "test-2026 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The PostgreSQL login the tests connect as: the application's role, without UPDATE nor
/// DELETE on the append-only tables (`recouvre_store::audit::grant_application_role`).
pub const TEST_APP_ROLE: &str = "recouvre_app";

/// [`TEST_AUDIT_KEY`], parsed.
pub fn test_audit_keys() -> recouvre_store::audit::AuditKeys {
    recouvre_store::audit::AuditKeys::parse(TEST_AUDIT_KEY).expect("the test audit key parses")
}

/// A database that lives as long as the test.
pub struct TestDb {
    /// What the application connects with (on PostgreSQL, as [`TEST_APP_ROLE`]).
    pub url: String,
    /// The database owner's address (the same as `url` on SQLite): a DBA's rights.
    pub owner_url: String,
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
        let store = Store::connect(&url).await.expect("open SQLite").with_audit_keys(test_audit_keys());
        store.migrate().await.expect("migrate SQLite");
        TestDb { owner_url: url.clone(), url, store, _dir: Some(dir) }
    }

    pub async fn postgres(admin_url: &str) -> TestDb {
        use sqlx::Connection;
        let name = format!("recouvre_test_{:016x}", rand::thread_rng().gen::<u64>());
        let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect to the test PostgreSQL server");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
        // The application's role, once per server (tests create it concurrently).
        sqlx::query(&format!(
            "DO $$ BEGIN CREATE ROLE {TEST_APP_ROLE} LOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ))
        .execute(&mut admin)
        .await
        .expect("create the application role");
        let (server, owner_url) = match admin_url.rsplit_once('/') {
            Some((server, _)) => (server.to_string(), format!("{server}/{name}")),
            None => panic!("{POSTGRES_ENV} must end with /database"),
        };
        let owner = Store::connect(&owner_url).await.expect("open PostgreSQL").with_audit_keys(test_audit_keys());
        owner.migrate().await.expect("migrate PostgreSQL");
        recouvre_store::audit::grant_application_role(&owner, TEST_APP_ROLE).await.expect("grant the application role");
        owner.close().await;
        // postgres://owner@host:port → postgres://recouvre_app@host:port
        let url = match server.split_once("://").and_then(|(scheme, rest)| Some((scheme, rest.split_once('@')?.1))) {
            Some((scheme, host)) => format!("{scheme}://{TEST_APP_ROLE}@{host}/{name}"),
            None => panic!("{POSTGRES_ENV} must name its user: postgres://user@host:port/postgres"),
        };
        let store =
            Store::connect(&url).await.expect("open PostgreSQL as the application").with_audit_keys(test_audit_keys());
        store.migrate().await.expect("an up-to-date database needs nothing from the application role");
        TestDb { url, owner_url, store, _dir: None }
    }

    /// The database with a DBA's rights and the append-only triggers dropped, as a DBA who
    /// rewrites history would have it (no audit key: a DBA has none). For tests that tamper, or
    /// that set up a past no use case can write (a transaction booked long ago).
    pub async fn dba(&self) -> Store {
        let store = Store::connect(&self.owner_url).await.expect("open the database as its owner");
        recouvre_store::audit::drop_append_only_guards(&store).await.expect("drop the append-only triggers");
        store
    }

    /// Runs `statements` as the database's owner with the foreign-key checks off and the
    /// append-only triggers dropped: what a DBA does to delete a case and every trace of it.
    pub async fn dba_execute(&self, statements: &[&str]) {
        use sqlx::Connection;
        drop(self.dba().await);
        if self.owner_url.starts_with("sqlite:") {
            let mut connection = sqlx::SqliteConnection::connect(&self.owner_url).await.expect("open SQLite as a DBA");
            sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut connection).await.expect("foreign keys off");
            for statement in statements {
                sqlx::query(statement).execute(&mut connection).await.expect("a DBA's statement");
            }
        } else {
            let mut connection = sqlx::PgConnection::connect(&self.owner_url).await.expect("open PostgreSQL as a DBA");
            // A superuser's way round the foreign keys (they are triggers on PostgreSQL).
            sqlx::query("SET session_replication_role = replica").execute(&mut connection).await.expect("replica role");
            for statement in statements {
                sqlx::query(statement).execute(&mut connection).await.expect("a DBA's statement");
            }
        }
    }

    /// Creates a user with `password` and delegation level 1; returns its id.
    pub async fn user(&self, login: &str, role: Role, password: &str) -> i64 {
        self.user_with_level(login, role, password, 1).await
    }

    /// Creates a user with a given delegation level; returns its id.
    pub async fn user_with_level(&self, login: &str, role: Role, password: &str, level: u8) -> i64 {
        let hash = recouvre_app::identity::hash_password(password).expect("hash");
        let user = recouvre_store::users::NewUser {
            login,
            display_name: login,
            role,
            delegation_level: DelegationLevel(level),
            password_hash: &hash,
        };
        let id = recouvre_store::users::create(&self.store, &user, Utc::now()).await.expect("create user");
        // The roles that must present a second factor are enrolled with a known secret, so that
        // [`TestApp::login`] can compute their code (issue 23).
        if recouvre_app::totp::required_for(role) {
            self.enrol_totp(login).await;
        }
        id
    }

    /// Enrols a user in the second factor with [`test_totp_secret`].
    pub async fn enrol_totp(&self, login: &str) {
        recouvre_store::users::set_totp_secret(&self.store, login, Some(&test_totp_secret(login)))
            .await
            .expect("enrol in TOTP");
    }

    /// Creates an API token for an existing user; returns the token.
    pub async fn token(&self, user_id: i64) -> String {
        let token = auth::random_token();
        recouvre_store::users::create_token(&self.store, user_id, "test", &auth::token_hash(&token), Utc::now())
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

/// The known TOTP secret of a test user (base32 of the login padded to 20 bytes).
pub fn test_totp_secret(login: &str) -> String {
    let mut bytes = login.as_bytes().to_vec();
    bytes.resize(20, b'0');
    recouvre_app::totp::base32_encode(&bytes[..20])
}

/// The application on `store` and the system clock, for tests that call use cases directly.
pub async fn app_on(store: &Store) -> recouvre_app::App {
    recouvre_app::App::on(store.clone()).await.expect("application")
}

/// A server on the demo's data, as `recouvre demo` makes it: its seven users (password
/// [`recouvre_app::demo::DEMO_PASSWORD`], one per role), `cases` cases of the demo portfolio and
/// the procedures, directory and recommendations `bring_to_life` adds. Screens tests walk it.
pub async fn demo_app(cases: usize) -> TestApp {
    let db = TestDb::new().await;
    let app = app_on(&db.store).await;
    let system = recouvre_app::Actor::system("demo");
    recouvre_app::demo::ensure_demo_users(&app, &system).await.expect("the demo's users");
    recouvre_app::demo::seed_portfolio(&app, &system, cases, 7).await.expect("the demo's portfolio");
    let refused = recouvre_app::demo::bring_to_life(&app, &system).await.expect("the demo's procedures");
    assert!(refused.is_empty(), "every demo step applies: {refused:?}");
    TestApp::spawn_on(db).await
}

/// Imports a statement file as the system would (`recouvre import statement`).
pub async fn import_statement(
    store: &Store,
    file_name: &str,
    xml: &[u8],
    actor: &str,
) -> Result<recouvre_store::statements::StatementOutcome, recouvre_app::Error> {
    recouvre_app::statements::import(&app_on(store).await, &recouvre_app::Actor::system(actor), file_name, xml).await
}

/// The bank's business date now: the day in Paris, as the application counts it.
pub fn today() -> NaiveDate {
    recouvre_domain::business_date::paris_date(Utc::now())
}

/// The real server, on a random port of the loopback interface.
pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub metrics_token: String,
    /// The server's clock: it stands still at the instant the server started, until a test
    /// moves it (`app.clock.set(…)`, or [`TestApp::set_today`]) to play a later day.
    pub clock: std::sync::Arc<recouvre_app::FixedClock>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_on(TestDb::new().await).await
    }

    pub async fn spawn_on(db: TestDb) -> TestApp {
        let read_store = db.store.clone();
        TestApp::spawn_with_read_store(db, read_store).await
    }

    /// The server reading its lists and reports from `read_store` (a replica, in production).
    pub async fn spawn_with_read_store(db: TestDb, read_store: Store) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a random port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let metrics_token = auth::random_token();
        let config =
            recouvre_web::Config { metrics_token: Some(metrics_token.clone()), ..recouvre_web::Config::default() };
        let clock = std::sync::Arc::new(recouvre_app::FixedClock::at(Utc::now()));
        let app = recouvre_app::App::new(db.store.clone(), read_store, clock.clone()).await.expect("application");
        let state = recouvre_web::AppState::new(app, config);
        tokio::spawn(async move {
            let _ = recouvre_web::serve_without_signal(listener, state).await;
        });
        TestApp { address, db, metrics_token, clock }
    }

    /// Puts the server on `day` (noon in Paris).
    pub fn set_today(&self, day: NaiveDate) {
        self.clock.set(recouvre_app::Clock::now(&recouvre_app::FixedClock::on(day)));
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Another server on the same database, with its own state and caches (several servers
    /// share one database in production); returns its base address.
    pub async fn another_server(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a random port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let app = recouvre_app::App::on(self.db.store.clone()).await.expect("application");
        let state = recouvre_web::AppState::new(app, recouvre_web::Config::default());
        tokio::spawn(async move {
            let _ = recouvre_web::serve_without_signal(listener, state).await;
        });
        address
    }

    /// A client that keeps cookies and does not follow redirects (tests look at them).
    pub fn browser_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client")
    }

    /// Forgets the last TOTP step accepted for `login` (see [`TestApp::login`]).
    pub async fn forget_totp_step(&self, login: &str) {
        recouvre_store::sql::query("UPDATE users SET totp_last_step = NULL WHERE login = $1")
            .bind(login)
            .execute(&self.db.store)
            .await
            .expect("forget the last TOTP step");
    }

    /// The current TOTP code of a user enrolled in the second factor, at the server's clock.
    pub async fn totp_code(&self, login: &str) -> Option<String> {
        let user = recouvre_store::users::by_login(&self.db.store, login).await.expect("read the user")?;
        let secret = recouvre_store::users::totp_secret(&self.db.store, user.id).await.expect("read the secret")?;
        recouvre_app::totp::code_at(&secret, recouvre_app::Clock::now(&*self.clock).timestamp())
    }

    /// Logs in through the real login form, with the TOTP code when the user is enrolled; returns
    /// the client holding the session cookie. The server's clock stands still, and a code is
    /// accepted once (RFC 6238 §5.2): so that a test may log the same person in twice, the user's
    /// last accepted step is forgotten first, as a new time step would. Tests of the replay
    /// refusal post the form themselves.
    pub async fn login(&self, login: &str, password: &str) -> reqwest::Client {
        self.forget_totp_step(login).await;
        let client = self.browser_client();
        let page = client.get(self.url("/login")).send().await.expect("login page").text().await.expect("body");
        let csrf = hidden_value(&page, "csrf").expect("csrf field on the login page");
        let code = self.totp_code(login).await.unwrap_or_default();
        let response = client
            .post(self.url("/login"))
            .form(&[("login", login), ("password", password), ("csrf", csrf.as_str()), ("code", code.as_str())])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 303, "login of {login} should redirect");
        client
    }
}

/// The value of the first hidden input named `name` in an HTML page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// One credit of a generated statement.
pub struct StatementCredit<'a> {
    pub amount: &'a str,
    pub payer_name: &'a str,
    pub payer_iban: &'a str,
    /// An ISO 11649 reference (structured remittance), or free text.
    pub rf_reference: Option<&'a str>,
    pub free_text: Option<&'a str>,
    /// The bank's own reference of the entry (AcctSvcrRef).
    pub bank_reference: &'a str,
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// One returned direct debit (R-transaction) of a generated statement.
pub struct StatementReturn<'a> {
    /// The collection's end-to-end id (`RCV-DD-…` for ours).
    pub end_to_end_id: &'a str,
    pub amount: &'a str,
    /// The ISO reason code (`AM04`, `MS03`…).
    pub reason: &'a str,
    /// The bank's own reference of the entry (AcctSvcrRef).
    pub bank_reference: &'a str,
}

/// A schema-valid camt.053.001.02 statement of the bank's collection account with `credits`,
/// booked on `booked_on`.
pub fn camt053(statement_id: &str, booked_on: NaiveDate, credits: &[StatementCredit<'_>]) -> String {
    camt053_with_returns(statement_id, booked_on, credits, &[])
}

/// A CFONB 120 statement (brief §5.6) of account 30004 00031 00012345678 on `booked_on`,
/// opening at 1,000.00 €, with one `04` movement per credit (its payer in an `NPY` complement,
/// its RF reference or free text in a `LIB` complement) and a `07` closing balance that adds
/// up, unless `closing_offset_cents` says by how much it should not.
pub fn cfonb120(booked_on: NaiveDate, credits: &[StatementCredit<'_>], closing_offset_cents: i64) -> String {
    fn amount(cents: i64) -> String {
        let digits = format!("{:014}", cents.abs());
        let last = usize::from(digits.as_bytes()[13] - b'0');
        let signs = if cents < 0 { "}JKLMNOPQR" } else { "{ABCDEFGHI" };
        format!("{}{}", &digits[..13], &signs[last..=last])
    }
    let date = booked_on.format("%d%m%y").to_string();
    let head = |code: &str, internal: &str, interbank: &str| {
        format!("{code}30004{internal:<4}00031EUR2 00012345678{interbank:<2}{date}")
    };
    let balance = |code: &str, cents: i64| format!("{}{:50}{}{:16}", head(code, "", ""), "", amount(cents), "");
    let mut lines = vec![balance("01", 100_000)];
    let mut total = 100_000i64;
    for credit in credits {
        let cents: recouvre_domain::Money = credit.amount.parse().expect("a test amount");
        total += cents.cents();
        let label: String = format!("VIR SEPA {}", credit.payer_name).chars().take(31).collect();
        lines.push(format!(
            "{}  {date}{label:<31}  0000000 0{}{:<16}",
            head("04", "0158", "05"),
            amount(cents.cents()),
            credit.bank_reference
        ));
        let complement = |qualifier: &str, text: &str| {
            let text: String = text.chars().take(72).collect();
            format!("{}     {qualifier}{text:<72}", head("05", "0158", "05"))
        };
        lines.push(complement("NPY", credit.payer_name));
        if let Some(text) = credit.rf_reference.or(credit.free_text) {
            lines.push(complement("LIB", text));
        }
    }
    lines.push(balance("07", total + closing_offset_cents));
    lines.join("\n") + "\n"
}

/// [`camt053`] with, after the credits, the returns of direct debits (debits of the
/// sub-family `UPDD`, unpaid direct debit, with their reason).
pub fn camt053_with_returns(
    statement_id: &str,
    booked_on: NaiveDate,
    credits: &[StatementCredit<'_>],
    returns: &[StatementReturn<'_>],
) -> String {
    let mut entries = String::new();
    for credit in credits {
        let remittance = match (credit.rf_reference, credit.free_text) {
            (Some(reference), _) => format!(
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd>"
            ),
            (None, Some(text)) => format!("<Ustrd>{}</Ustrd>", xml_text(text)),
            (None, None) => String::new(),
        };
        entries.push_str(&format!(
            "<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{booked_on}</Dt></BookgDt><ValDt><Dt>{booked_on}</Dt></ValDt>\
             <AcctSvcrRef>{reference}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\
             <NtryDtls><TxDtls><Refs><EndToEndId>E2E-{reference}</EndToEndId></Refs>\
             <AmtDtls><TxAmt><Amt Ccy=\"EUR\">{amount}</Amt></TxAmt></AmtDtls>\
             <RltdPties><Dbtr><Nm>{name}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>\
             <RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>\n",
            amount = credit.amount,
            reference = credit.bank_reference,
            name = xml_text(credit.payer_name),
            iban = credit.payer_iban,
        ));
    }
    for debit_return in returns {
        entries.push_str(&format!(
            "<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{booked_on}</Dt></BookgDt><ValDt><Dt>{booked_on}</Dt></ValDt>\
             <AcctSvcrRef>{reference}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>\
             <NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end_id}</EndToEndId></Refs>\
             <AmtDtls><TxAmt><Amt Ccy=\"EUR\">{amount}</Amt></TxAmt></AmtDtls>\
             <RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>\n",
            amount = debit_return.amount,
            reference = debit_return.bank_reference,
            end_to_end_id = xml_text(debit_return.end_to_end_id),
            reason = debit_return.reason,
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n\
         <GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>{booked_on}T22:00:00</CreDtTm></GrpHdr>\n\
         <Stmt><Id>{statement_id}</Id><CreDtTm>{booked_on}T22:00:00</CreDtTm>\
         <Acct><Id><IBAN>FR7630001007941234567890185</IBAN></Id><Ccy>EUR</Ccy></Acct>\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{booked_on}</Dt></Dt></Bal>\n\
         {entries}</Stmt>\n</BkToCstmrStmt>\n</Document>\n"
    )
}

/// (case, kind, booked on, reference, account, amount).
type LedgerRow = (Option<i64>, String, chrono::NaiveDate, String, String, i64);
/// (case, kind, code, label, due on, warn days, status, warned on, expired on).
type AgendaRow =
    (i64, String, String, String, chrono::NaiveDate, i64, String, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>);
/// (date, nature, status, age bucket, officer, cases, outstanding, interest).
type SnapshotRow = (chrono::NaiveDate, String, String, String, i64, i64, i64, i64);

/// Everything the nightly run writes, without the instants and hashes that differ between two runs.
pub async fn batch_state(store: &Store) -> String {
    let snapshots: Vec<SnapshotRow> = sql::query_as(
        "SELECT as_of, main_nature, status, age_bucket, officer_id, cases, outstanding_cents, interest_cents \
         FROM daily_snapshots ORDER BY as_of, main_nature, status, age_bucket, officer_id",
    )
    .fetch_all(store)
    .await
    .unwrap();
    format!("{}\n{snapshots:?}", batch_state_of(store, |_| true).await)
}

/// What the nightly run wrote on the cases `kept` says yes to (`None`: the case-less ledger):
/// ledger, journal, case rows, agenda and recommendations (not the daily snapshots, which sum
/// every case: [`batch_state`] adds them).
pub async fn batch_state_of(store: &Store, kept: impl Fn(Option<i64>) -> bool) -> String {
    let ledger: Vec<LedgerRow> = sql::query_as(
        "SELECT t.case_id, t.kind, t.booked_on, t.reference, p.account, p.amount_cents FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id ORDER BY t.case_id, t.booked_on, p.account, t.reference",
    )
    .fetch_all(store)
    .await
    .unwrap();
    let events: Vec<(i64, i64, String, String)> =
        sql::query_as("SELECT case_id, sequence, kind, payload FROM case_events ORDER BY case_id, sequence")
            .fetch_all(store)
            .await
            .unwrap();
    let cases: Vec<(i64, Option<chrono::NaiveDate>, i64, i64)> =
        sql::query_as("SELECT id, accrued_to, version, total_cents FROM cases ORDER BY id")
            .fetch_all(store)
            .await
            .unwrap();
    // By content, not id: PostgreSQL does not give back the ids of a rolled-back chunk.
    let agenda: Vec<AgendaRow> = sql::query_as(
        "SELECT case_id, kind, code, label, due_on, warn_days, status, warned_on, expired_on FROM agenda_items \
         ORDER BY case_id, kind, code, due_on, warn_days, label, status",
    )
    .fetch_all(store)
    .await
    .unwrap();
    let recommendations: Vec<(i64, String, String, String, String)> = sql::query_as(
        "SELECT case_id, rule_id, strategy, facts_digest, status FROM recommendations ORDER BY case_id, id",
    )
    .fetch_all(store)
    .await
    .unwrap();
    let ledger: Vec<_> = ledger.into_iter().filter(|row| kept(row.0)).collect();
    let events: Vec<_> = events.into_iter().filter(|row| kept(Some(row.0))).collect();
    let cases: Vec<_> = cases.into_iter().filter(|row| kept(Some(row.0))).collect();
    let agenda: Vec<_> = agenda.into_iter().filter(|row| kept(Some(row.0))).collect();
    let recommendations: Vec<_> = recommendations.into_iter().filter(|row| kept(Some(row.0))).collect();
    format!("{ledger:?}\n{events:?}\n{cases:?}\n{agenda:?}\n{recommendations:?}")
}
