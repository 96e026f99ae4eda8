//! What the AML screening costs on a large statement (issue 9: "evaluating the rules adds less
//! than 10 % to importing a statement of 100,000 entries").
//!
//! `scripts/bench-statement`, or
//! `cargo test --release -p recouvre-testkit --test bench_statement -- --ignored --nocapture`.
//!
//! Seeds a portfolio once, copies the database so that both runs start from the same state,
//! loads a generated sanctions list into the screened copy only, then imports the same
//! generated camt.053 into each copy and times the import: XML read (schema validation
//! included) and booking, screened (`statements::book_credits_timed`) against unscreened
//! (`statements::book_credits_unscreened`, which exists for this measurement only). Prints the
//! durations and the overhead; asserts nothing about time.
//!
//! Environment (all optional):
//! - `BENCH_CASES` cases seeded (default 20,000);
//! - `BENCH_CREDITS` credits in the statement (default 100,000);
//! - `BENCH_SANCTIONS` entries of the sanctions list (default 20,000);
//! - `BENCH_ROUNDS` rounds (default 1), each on fresh copies, the order of the two runs
//!   alternating from one round to the next;
//! - `RECOUVRE_TEST_POSTGRES` (an admin URL ending in `/postgres`): also run on PostgreSQL;
//! - `BENCH_ONLY=screened` or `unscreened`: one of the two runs only (to profile it);
//! - `BENCH_STATEMENT=clean`: a statement like a real one instead of the default, dirty one.
//!
//! The statement: each credit pays a random case by its RF creditor reference; the payer is the
//! debtor (name written "LAST First" or "First Last", with the debtor's IBAN when known) for 88 %
//! of the credits, a third party for 10 %, a payer from abroad for 2 %, and a name of the
//! sanctions list for 1 credit in 2,000 — deliberately dirty, one alert in six credits. The clean
//! statement has a third party for 0.5 % of the credits, a payer from abroad for 0.1 % and a
//! listed name for 1 in 10,000. All generated from fixed seeds: the same statement every time.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use recouvre_demo::portfolio::{self, PortfolioSpec};
use recouvre_domain::bank_account::{french_iban, rib_key};
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::statements::{StatementOutcome, VigilanceTime};
use recouvre_store::{sql, Store};
use recouvre_testkit::{camt053, StatementCredit, POSTGRES_ENV};

const ACTOR: &str = "system:bench";

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(value) => value.replace(['_', ','], "").parse().unwrap_or_else(|_| panic!("{name}={value}: a number")),
        Err(_) => default,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 22, 0, 0).unwrap()
}

fn booked_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

const FIRST_NAMES: [&str; 24] = [
    "Viktor", "Aslan", "Ramzan", "Dmitri", "Oleg", "Farid", "Tariq", "Yusuf", "Boris", "Igor", "Anatoli", "Rustam",
    "Leyla", "Zarina", "Svetlana", "Nadira", "Omar", "Karim", "Hassan", "Elena", "Arkady", "Timur", "Gulnara",
    "Bakhyt",
];
const SYLLABLES: [&str; 24] = [
    "za", "kha", "rov", "bel", "dun", "ish", "mur", "tak", "sev", "gor", "lan", "vik", "ras", "tem", "bor", "nov",
    "ush", "kal", "dzh", "yev", "mag", "zur", "ok", "ren",
];
const THIRD_PARTIES: [&str; 12] = [
    "SARL BATI OUEST",
    "Martine ROUSSEL",
    "Paul GIRARD",
    "SCI LES TILLEULS",
    "Nathalie FAURE",
    "Jacques BLANC",
    "ASSOCIATION ENTRAIDE",
    "Sophie MERCIER",
    "Cabinet LEROY",
    "Hugo CHEVALIER",
    "Emma LAMBERT",
    "Louis FONTAINE",
];
/// Valid IBANs of other countries (the standard examples).
const FOREIGN_IBANS: [&str; 4] =
    ["DE89370400440532013000", "BE68539007547034", "ES9121000418450200051332", "GB29NWBK60161331926819"];

/// A sanctions list of `count` generated entries (names unlike the portfolio's French names).
fn sanctions_list(count: usize) -> (String, Vec<String>) {
    let mut random = StdRng::seed_from_u64(0x5a4c_7104);
    let mut text = String::from("id;name;aliases;birth_date;country;source\n");
    let mut names = Vec::with_capacity(count);
    for id in 0..count {
        let surname: String = (0..random.gen_range(2..=3)).map(|_| SYLLABLES[random.gen_range(0..24)]).collect();
        let name = format!("{} {}", FIRST_NAMES[random.gen_range(0..24)], surname.to_uppercase());
        let alias = if random.gen_bool(0.3) {
            format!("{} {surname}", FIRST_NAMES[random.gen_range(0..24)])
        } else {
            String::new()
        };
        text.push_str(&format!("BENCH-{id:05};{name};{alias};;RU;Liste générée pour le banc d'essai\n"));
        names.push(name);
    }
    (text, names)
}

/// Who pays, in credits per 10,000: a name of the sanctions list, a payer from abroad, a third
/// party; the debtor pays the rest.
struct PayerMix {
    listed: u32,
    abroad: u32,
    third_party: u32,
}

impl PayerMix {
    /// `BENCH_STATEMENT=clean` or `dirty` (the default).
    fn from_env() -> PayerMix {
        match std::env::var("BENCH_STATEMENT").as_deref() {
            Ok("clean") => PayerMix { listed: 1, abroad: 10, third_party: 50 },
            Ok("dirty") | Err(_) => PayerMix { listed: 5, abroad: 195, third_party: 1_000 },
            Ok(other) => panic!("BENCH_STATEMENT={other}: expected clean or dirty"),
        }
    }
}

/// The generated statement (camt.053 XML) paying the seeded cases.
async fn statement(store: &Store, credits: usize, listed_names: &[String]) -> String {
    let debtors: Vec<(String, String, String, Option<String>)> = {
        sql::query_as(
        "SELECT c.reference, p.last_name, p.first_name, p.iban FROM cases c JOIN persons p ON p.id = c.debtor_id ORDER BY c.id"
    )
    .fetch_all(store)
    .await
    .unwrap()
    };
    let mut random = StdRng::seed_from_u64(0xb0_0c_ed);
    struct Line {
        amount: String,
        name: String,
        iban: String,
        rf: String,
        bank_reference: String,
    }
    let mut lines = Vec::with_capacity(credits);
    let mix = PayerMix::from_env();
    // An account of our bank for payers whose IBAN the case does not know: one per payer.
    let home_iban = |payer: usize| {
        let account = format!("{payer:011}");
        let key = format!("{:02}", rib_key("30004", "01289", &account));
        french_iban("30004", "01289", &account, &key)
    };
    for number in 0..credits {
        let debtor = random.gen_range(0..debtors.len());
        let (reference, last_name, first_name, iban) = &debtors[debtor];
        let kind = random.gen_range(0..10_000);
        let (name, iban) = if kind < mix.listed {
            let listed = random.gen_range(0..listed_names.len());
            (listed_names[listed].clone(), home_iban(10_000_000 + listed))
        } else if kind < mix.listed + mix.abroad {
            (format!("{first_name} {last_name}"), FOREIGN_IBANS[random.gen_range(0..FOREIGN_IBANS.len())].to_string())
        } else if kind < mix.listed + mix.abroad + mix.third_party {
            let third = random.gen_range(0..THIRD_PARTIES.len());
            (THIRD_PARTIES[third].to_string(), home_iban(20_000_000 + third))
        } else {
            let name = if random.gen_bool(0.5) {
                format!("{} {}", last_name.to_uppercase(), first_name.to_uppercase())
            } else {
                format!("{first_name} {last_name}")
            };
            (name, iban.clone().unwrap_or_else(|| home_iban(debtor)))
        };
        lines.push(Line {
            amount: format!("{}.{:02}", random.gen_range(15..250), random.gen_range(0..100)),
            name,
            iban,
            rf: rf_reference(reference),
            bank_reference: format!("BENCH-{number:07}"),
        });
    }
    let credits: Vec<StatementCredit<'_>> = lines
        .iter()
        .map(|line| StatementCredit {
            amount: &line.amount,
            payer_name: &line.name,
            payer_iban: &line.iban,
            rf_reference: Some(&line.rf),
            free_text: None,
            bank_reference: &line.bank_reference,
        })
        .collect();
    camt053("BENCH-STMT-1", booked_on(), &credits)
}

struct Run {
    read: Duration,
    total: Duration,
    /// Processor time of this process (all threads) during the run: with SQLite, in-process, a
    /// figure less disturbed than wall time by others' work on a shared machine.
    cpu: Option<Duration>,
    outcome: StatementOutcome,
    /// Where the vigilance spent its time (zero when unscreened).
    time: VigilanceTime,
}

/// User + system time of this process so far (Linux: `/proc/self/stat`, in ticks of 1/100 s).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

async fn import(store: &Store, xml: &[u8], screened: bool) -> Run {
    let cpu_before = cpu_time();
    let started = Instant::now();
    let statements = recouvre_iso20022::read_statements(xml).expect("a valid statement");
    let credits = recouvre_app::statements::credits(&statements, recouvre_testkit::today());
    let read = started.elapsed();
    let (outcome, time) = if screened {
        recouvre_store::statements::book_credits_timed(store, "bench.xml", &credits, ACTOR, now()).await
    } else {
        recouvre_store::statements::book_credits_unscreened(store, "bench.xml", &credits, ACTOR, now())
            .await
            .map(|outcome| (outcome, VigilanceTime::default()))
    }
    .expect("the statement is booked");
    let total = started.elapsed();
    let cpu = cpu_time().zip(cpu_before).map(|(after, before)| after - before);
    Run { read, total, cpu, outcome, time }
}

/// A digest of what the screening wrote (payments, alerts, holds), to check that an
/// optimisation changes no result: the same inputs must always give the same digest.
async fn screening_digest(store: &Store) -> Digest {
    type Payment = (i64, i64, i64, NaiveDate, i64, Option<String>, Option<String>, String, bool);
    type Alert = (i64, i64, i64, i64, String, String, Option<i64>);
    type Event = (i64, i64, String, String);
    type Item = (i64, i64, Option<i64>, String, String);
    let (payments, alerts, events, items): (Vec<Payment>, Vec<Alert>, Vec<Event>, Vec<Item>) = {
        let payments = sql::query_as(
            "SELECT id, case_id, transaction_id, received_on, amount_cents, payer_name, payer_iban, channel, cash \
                 FROM payments_received ORDER BY id",
        )
        .fetch_all(store)
        .await
        .unwrap();
        let alerts = sql::query_as(
            "SELECT id, case_id, payment_id, score, alerts, rules_version, held_item_id FROM aml_alerts ORDER BY id",
        )
        .fetch_all(store)
        .await
        .unwrap();
        let events = sql::query_as("SELECT id, alert_id, kind, payload FROM aml_alert_events ORDER BY id")
            .fetch_all(store)
            .await
            .unwrap();
        let items =
            sql::query_as("SELECT id, amount_cents, suggested_case_id, status, reason FROM suspense_items ORDER BY id")
                .fetch_all(store)
                .await
                .unwrap();
        (payments, alerts, events, items)
    };
    let mut hasher = DefaultHasher::new();
    (&payments, &alerts, &events, &items).hash(&mut hasher);
    let mut by_rule = std::collections::BTreeMap::<String, usize>::new();
    for alert in &alerts {
        let rules: Vec<serde_json::Value> = serde_json::from_str(&alert.4).unwrap();
        for rule in rules {
            *by_rule.entry(rule["rule"].as_str().unwrap_or("?").to_string()).or_default() += 1;
        }
    }
    Digest { digest: hasher.finish(), payments: payments.len(), alerts: alerts.len(), by_rule }
}

struct Digest {
    digest: u64,
    payments: usize,
    alerts: usize,
    by_rule: std::collections::BTreeMap<String, usize>,
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// Runs both imports on fresh copies of the seeded database, `rounds` times.
async fn compare(engine: &str, copies: &mut impl Copies, xml: &[u8], list: &str, rounds: usize) {
    // `BENCH_ONLY=screened` (or `unscreened`) runs one side only, to profile it.
    let only = std::env::var("BENCH_ONLY").ok().map(|only| only == "screened");
    let mut screened_totals = Vec::new();
    let mut unscreened_totals = Vec::new();
    let (mut screened_cpu, mut unscreened_cpu) = (Vec::new(), Vec::new());
    // (reading rules and facts + evaluating, recording) per screened run.
    let mut vigilance_parts: Vec<(Duration, Duration)> = Vec::new();
    for round in 0..rounds {
        let (plain, screened) = copies.fresh().await;
        let started = Instant::now();
        recouvre_store::sanctions::load(&screened, "bench-gel.csv", list, 85, ACTOR, now()).await.expect("list loads");
        let list_loaded = started.elapsed();
        let started = Instant::now();
        let vigilance = recouvre_store::aml::vigilance(&screened).await.unwrap();
        let vigilance_read = started.elapsed();
        drop(vigilance);
        let order = if round % 2 == 0 { [false, true] } else { [true, false] };
        for screen in order.into_iter().filter(|screen| only.is_none_or(|only| only == *screen)) {
            let run = import(if screen { &screened } else { &plain }, xml, screen).await;
            let outcome = &run.outcome;
            println!(
                "{engine} round {}: {:<10} {:>7.2} s (XML read {:.2} s, booking {:.2} s; processor {:.2} s): \
                 {} booked, {} in suspense, {} flagged",
                round + 1,
                if screen { "screened" } else { "unscreened" },
                seconds(run.total),
                seconds(run.read),
                seconds(run.total - run.read),
                run.cpu.map(seconds).unwrap_or(f64::NAN),
                outcome.booked,
                outcome.suspense,
                outcome.flagged,
            );
            if screen {
                let time = run.time;
                println!(
                    "{engine} round {}: screened   vigilance: rules read {:.3} s, cases' facts read {:.3} s, \
                     evaluation {:.3} s, recording {:.3} s",
                    round + 1,
                    seconds(time.rules_read),
                    seconds(time.facts_read),
                    seconds(time.evaluation),
                    seconds(time.recording),
                );
                vigilance_parts.push((time.rules_read + time.facts_read + time.evaluation, time.recording));
                screened_totals.push(run.total);
                screened_cpu.extend(run.cpu);
            } else {
                unscreened_totals.push(run.total);
                unscreened_cpu.extend(run.cpu);
            }
        }
        let digest = screening_digest(&screened).await;
        println!(
            "{engine} round {}: sanctions list stored in {:.2} s; rules and list read (index built) in {:.3} s; \
             {} payments recorded, {} alerts {:?}; results digest {:016x}",
            round + 1,
            seconds(list_loaded),
            seconds(vigilance_read),
            digest.payments,
            digest.alerts,
            digest.by_rule,
            digest.digest,
        );
        copies.done(plain, screened).await;
    }
    if only.is_some() {
        return;
    }
    let best = |totals: &[Duration]| totals.iter().min().copied().unwrap();
    let mean = |totals: &[Duration]| totals.iter().sum::<Duration>() / totals.len() as u32;
    let overhead = |screened: Duration, plain: Duration| 100.0 * (seconds(screened) / seconds(plain) - 1.0);
    println!(
        "{engine}: unscreened {:.2} s, screened {:.2} s: overhead {:+.1} % (best of {rounds}); means {:.2} s / {:.2} s: {:+.1} %",
        seconds(best(&unscreened_totals)),
        seconds(best(&screened_totals)),
        overhead(best(&screened_totals), best(&unscreened_totals)),
        seconds(mean(&unscreened_totals)),
        seconds(mean(&screened_totals)),
        overhead(mean(&screened_totals), mean(&unscreened_totals)),
    );
    // The parts measured inside the import, against the unscreened import: less disturbed by a
    // busy machine than the difference of two totals.
    let evaluating = vigilance_parts.iter().map(|(evaluating, _)| *evaluating).min().unwrap();
    let recording = vigilance_parts.iter().map(|(_, recording)| *recording).min().unwrap();
    println!(
        "{engine}: vigilance measured inside the import, best of {rounds}: reading facts and evaluating the rules \
         {:.2} s ({:+.1} % of the unscreened import), recording payments and alerts {:.2} s ({:+.1} %)",
        seconds(evaluating),
        100.0 * seconds(evaluating) / seconds(best(&unscreened_totals)),
        seconds(recording),
        100.0 * seconds(recording) / seconds(best(&unscreened_totals)),
    );
    if !screened_cpu.is_empty() && !unscreened_cpu.is_empty() {
        println!(
            "{engine}: processor time of this process, best of {rounds}: unscreened {:.2} s, screened {:.2} s: \
             overhead {:+.1} %",
            seconds(best(&unscreened_cpu)),
            seconds(best(&screened_cpu)),
            overhead(best(&screened_cpu), best(&unscreened_cpu)),
        );
    }
}

/// Fresh copies of the seeded database, one per run.
#[allow(async_fn_in_trait)]
trait Copies {
    async fn fresh(&mut self) -> (Store, Store);
    async fn done(&mut self, plain: Store, screened: Store);
}

async fn close(store: Store) {
    store.close().await
}

struct SqliteCopies {
    seeded: Store,
    dir: tempfile::TempDir,
    made: usize,
}

impl Copies for SqliteCopies {
    async fn fresh(&mut self) -> (Store, Store) {
        let mut stores = Vec::new();
        for _ in 0..2 {
            self.made += 1;
            let path = self.dir.path().join(format!("copy-{}.db", self.made));
            sql::query(format!("VACUUM INTO '{}'", path.display())).execute(&self.seeded).await.unwrap();
            stores.push(Store::connect(&format!("sqlite://{}", path.display())).await.unwrap());
        }
        let screened = stores.pop().unwrap();
        (stores.pop().unwrap(), screened)
    }

    async fn done(&mut self, plain: Store, screened: Store) {
        close(plain).await;
        close(screened).await;
    }
}

struct PostgresCopies {
    admin_url: String,
    seeded: String,
    made: Vec<String>,
}

impl PostgresCopies {
    fn url(&self, database: &str) -> String {
        let (server, _) = self.admin_url.rsplit_once('/').expect("an admin URL ending in /database");
        format!("{server}/{database}")
    }

    async fn admin(&self, sql: &str) {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.admin_url).await.expect("connect to PostgreSQL");
        sqlx::query(sql).execute(&mut admin).await.unwrap_or_else(|error| panic!("{sql}: {error}"));
    }
}

impl Copies for PostgresCopies {
    async fn fresh(&mut self) -> (Store, Store) {
        let mut stores = Vec::new();
        for _ in 0..2 {
            let name = format!("{}_{}", self.seeded, self.made.len() + 1);
            self.admin(&format!("CREATE DATABASE {name} TEMPLATE {}", self.seeded)).await;
            stores.push(Store::connect(&self.url(&name)).await.unwrap());
            self.made.push(name);
        }
        let screened = stores.pop().unwrap();
        (stores.pop().unwrap(), screened)
    }

    async fn done(&mut self, plain: Store, screened: Store) {
        close(plain).await;
        close(screened).await;
        for name in std::mem::take(&mut self.made) {
            self.admin(&format!("DROP DATABASE {name}")).await;
        }
    }
}

async fn seed(store: &Store, cases: usize) {
    store.migrate().await.expect("migrate");
    let spec = PortfolioSpec { cases, seed: 7, today: booked_on(), officers: vec![] };
    let all: Vec<_> = portfolio::generate(&spec).collect();
    let started = Instant::now();
    recouvre_store::cases::open_many(store, &all, "system:seed", now()).await.expect("seed");
    println!("seeded {cases} cases in {:.1} s", seconds(started.elapsed()));
}

#[tokio::test]
#[ignore = "a benchmark: run in release mode with --ignored --nocapture (scripts/bench-statement)"]
async fn aml_screening_overhead_on_a_large_statement() {
    let cases = env_number("BENCH_CASES", 20_000);
    let credits = env_number("BENCH_CREDITS", 100_000);
    let entries = env_number("BENCH_SANCTIONS", 20_000);
    let rounds = env_number("BENCH_ROUNDS", 1).max(1);
    println!(
        "machine: {} cores; {cases} cases, {credits} credits ({} statement), {entries} sanctions entries, {rounds} round(s)",
        std::thread::available_parallelism().map(usize::from).unwrap_or(0),
        std::env::var("BENCH_STATEMENT").unwrap_or_else(|_| "dirty".to_string())
    );
    let (list, listed) = sanctions_list(entries);

    let dir = tempfile::tempdir().expect("temporary folder");
    let seeded = Store::connect(&format!("sqlite://{}", dir.path().join("seeded.db").display())).await.unwrap();
    seed(&seeded, cases).await;
    let started = Instant::now();
    let xml = statement(&seeded, credits, &listed).await;
    println!(
        "statement: {credits} credits, {} MB, generated in {:.1} s",
        xml.len() / 1_000_000,
        seconds(started.elapsed())
    );
    let mut copies = SqliteCopies { seeded, dir, made: 0 };
    compare("SQLite", &mut copies, xml.as_bytes(), &list, rounds).await;
    close(copies.seeded.clone()).await;

    if let Ok(admin_url) = std::env::var(POSTGRES_ENV) {
        let seeded = format!("recouvre_bench_{:016x}", rand::thread_rng().gen::<u64>());
        let mut copies = PostgresCopies { admin_url, seeded: seeded.clone(), made: Vec::new() };
        copies.admin(&format!("CREATE DATABASE {seeded}")).await;
        let store = Store::connect(&copies.url(&seeded)).await.unwrap();
        seed(&store, cases).await;
        close(store).await;
        compare("PostgreSQL", &mut copies, xml.as_bytes(), &list, rounds).await;
        copies.admin(&format!("DROP DATABASE {seeded}")).await;
    }
}
