//! The `recouvre` binary, run as a user or a script would, against the engine under test.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use recouvre_store::sql;
use recouvre_testkit::TestDb;
use serde_json::Value;

fn recouvre(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(args)
        .env("DATABASE_URL", database)
        .env("RECOUVRE_LOG", "warn")
        .output()
        .expect("run recouvre")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// The calculators without a database: the embedded reference data only.
fn calc(args: &[&str]) -> (i32, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .arg("calc")
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run recouvre");
    let json = serde_json::from_str(&stdout(&output)).unwrap_or(Value::Null);
    (output.status.code().unwrap(), json, stderr(&output))
}

#[test]
fn calculators_print_one_json_object_and_exit_2_on_bad_input() {
    let (code, json, _) =
        calc(&["seizable-wage", "--monthly-net", "2000.00", "--dependants", "0", "--on", "2025-06-01"]);
    assert_eq!(code, 0);
    assert_eq!(json["seizable_monthly"], "478.61");
    assert_eq!(json["unseizable_floor"], "646.52");
    let (code, json, _) = calc(&["unseizable-balance", "--on", "2025-06-01"]);
    assert_eq!((code, json["amount"].as_str()), (0, Some("646.52")));
    let (code, json, _) = calc(&["deadline", "--from", "2026-04-08", "--months", "1"]);
    assert_eq!(code, 0);
    assert_eq!(
        (json["due"].as_str(), json["nominal"].as_str(), json["extended"].as_bool()),
        (Some("2026-05-11"), Some("2026-05-08"), Some(true))
    );
    let (code, json, _) = calc(&[
        "allocate-payment",
        "--amount",
        "300.00",
        "--costs",
        "50.00",
        "--interest",
        "120.00",
        "--principal",
        "1000.00",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        json,
        serde_json::json!({"costs": "50.00", "interest": "120.00", "principal": "130.00", "unallocated": "0.00"})
    );
    let (code, json, _) =
        calc(&["payment-plan", "--debt", "4800.00", "--monthly-capacity", "250.00", "--first-due", "2026-01-05"]);
    assert_eq!((code, json["total"].as_str()), (0, Some("4800.00")));
    let (code, json, _) = calc(&[
        "legal-interest",
        "--principal",
        "10000.00",
        "--from",
        "2025-01-01",
        "--to",
        "2026-01-01",
        "--creditor",
        "other",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json["periods"][0]["rate"], "3.71");
    // Bad input: exit code 2 and one line naming the argument.
    let (code, _, error) = calc(&["seizable-wage", "--monthly-net", "deux mille", "--on", "2025-06-01"]);
    assert_eq!(code, 2);
    assert!(error.contains("--monthly-net"), "{error}");
    assert_eq!(error.trim().lines().count(), 1, "{error}");
    // A date the reference data does not cover is an error, not a reused value.
    let (code, _, error) = calc(&["unseizable-balance", "--on", "2026-06-01"]);
    assert_eq!(code, 2);
    assert!(error.contains("--on"), "{error}");
    let (code, _, error) = calc(&["seizable-wage", "--monthly-net", "2000.00"]);
    assert_eq!(code, 2, "clap reports a missing argument with code 2: {error}");
    assert!(error.contains("--on"), "{error}");
}

#[test]
fn time_bar_reads_a_history_and_names_the_event_at_fault() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("history.json");
    // Consumer claim due 2023-01-10 (L218-2, two years): a payment interrupts (2240), a formal
    // notice does not, a suspension of 10 days pushes the date back (2234), a court claim is
    // dismissed (2243) so its interruption never happened.
    std::fs::write(
        &file,
        r#"{"kind": "consumer_claim", "start": "2023-01-10", "events": [
            {"kind": "payment", "date": "2023-06-01", "amount": "50.00"},
            {"kind": "formal_notice", "date": "2024-01-15"},
            {"kind": "suspension_start", "date": "2024-03-01"},
            {"kind": "suspension_end", "date": "2024-03-11"},
            {"kind": "court_claim", "date": "2025-05-01"},
            {"kind": "court_claim_dismissed", "date": "2025-09-01"}]}"#,
    )
    .unwrap();
    let (code, json, error) = calc(&["time-bar", "--input", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{error}");
    assert_eq!(json["limitation_date"], "2025-06-11");
    assert_eq!(json["foreclosure_date"], Value::Null);
    assert_eq!(json["decided_by"]["event"], "suspension_end");
    assert!(json["decided_by"]["article"].as_str().unwrap().contains("2234"), "{json}");
    // Bad input: exit 2, one line naming the file's field and the event's index.
    std::fs::write(&file, r#"{"kind": "consumer_claim", "start": "2023-01-10", "events": [{"kind": "payment", "date": "2023-06-01", "amount": "50.00"}, {"kind": "gift", "date": "2024-01-15"}]}"#).unwrap();
    let (code, _, error) = calc(&["time-bar", "--input", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(error.starts_with("--input: events[1].kind: « gift »"), "{error}");
    assert_eq!(error.trim().lines().count(), 1, "{error}");
    std::fs::write(&file, r#"{"kind": "mortgage", "start": "2023-01-10"}"#).unwrap();
    let (code, _, error) = calc(&["time-bar", "--input", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(error.starts_with("--input: kind: « mortgage »"), "{error}");
}

#[tokio::test]
async fn importing_accounts_twice_changes_nothing_and_a_bad_file_nothing_at_all() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let today = recouvre_testkit::today().format("%d/%m/%Y").to_string();
    let good = folder.path().join("comptes.csv");
    std::fs::write(
        &good,
        format!(
            "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income\n\
             C700000001;Lambert;Éric;5 rue Victor Hugo;33000;Bordeaux;overdraft;00070000001;2 340,00;{today};1 900,00\n\
             C700000002;Faure;Inès;9 cours Mirabeau;13100;Aix-en-Provence;revolving_credit;CR-2024-70;4800.00;{today};\n"
        ),
    )
    .unwrap();
    let first = recouvre(&db.url, &["import", "accounts", good.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("2 ligne(s), 2 dossier(s)"), "{}", stdout(&first));
    let second = recouvre(&db.url, &["import", "accounts", good.to_str().unwrap()]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("déjà importé"), "{}", stdout(&second));
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 2);

    let bad = folder.path().join("mauvais.csv");
    std::fs::write(
        &bad,
        format!(
            "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on\n\
             C700000003;Roux;Jean;1 rue;33000;Bordeaux;overdraft;00070000003;100,00;{today}\n\
             C700000004;Roux;Anne;1 rue;33000;Bordeaux;overdraft;00070000004;100,00;31/02/2026\n"
        ),
    )
    .unwrap();
    let refused = recouvre(&db.url, &["import", "accounts", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(
        message.contains("mauvais.csv")
            && message.contains("ligne 3")
            && message.contains("due_on")
            && message.contains("31/02/2026"),
        "{message}"
    );
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 2, "nothing from the bad file was kept");
}

#[tokio::test]
async fn importing_parties_after_accounts_adds_them_once_and_an_unknown_contract_nothing() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let today = recouvre_testkit::today().format("%d/%m/%Y").to_string();
    let accounts = folder.path().join("comptes.csv");
    std::fs::write(
        &accounts,
        format!(
            "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on\n\
             C710000001;Lambert;Éric;5 rue Victor Hugo;33000;Bordeaux;personal_loan;PP-71;2 340,00;{today}\n\
             C710000001;Lambert;Éric;5 rue Victor Hugo;33000;Bordeaux;overdraft;CC-71;120,00;{today}\n"
        ),
    )
    .unwrap();
    let imported = recouvre(&db.url, &["import", "accounts", accounts.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(stdout(&imported).contains("1 dossier(s) créé(s), 2 créance(s) ajoutée(s)"), "{}", stdout(&imported));
    let parties = folder.path().join("parties.csv");
    std::fs::write(
        &parties,
        "record;contract_ref;role;customer_number;last_name;first_name;address;postcode;city;kind;description;amount\n\
         party;PP-71;guarantor;C710000009;Lambert;Rose;5 rue Victor Hugo;33000;Bordeaux;;;\n\
         guarantee;PP-71;;;;;;;;mortgage;Hypothèque 5 rue Victor Hugo;50 000,00\n",
    )
    .unwrap();
    let first = recouvre(&db.url, &["import", "parties", parties.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("2 ligne(s), 1 partie(s), 1 garantie(s)"), "{}", stdout(&first));
    let second = recouvre(&db.url, &["import", "parties", parties.to_str().unwrap()]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("déjà importé"), "{}", stdout(&second));
    let unknown = folder.path().join("inconnu.csv");
    std::fs::write(&unknown, "record;contract_ref;kind;description\nguarantee;ZZ-1;pledge;Gage véhicule\n").unwrap();
    let refused = recouvre(&db.url, &["import", "parties", unknown.to_str().unwrap()]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(message.contains("inconnu.csv") && message.contains("ligne 2") && message.contains("ZZ-1"), "{message}");
}

#[tokio::test]
async fn audit_verify_names_the_tampered_case_and_event() {
    let db = TestDb::new().await;
    db.seed(12, &[]).await;
    let clean = recouvre(&db.url, &["audit", "verify"]);
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert!(stdout(&clean).contains("12 dossier(s)"), "{}", stdout(&clean));
    sql::query("UPDATE case_events SET actor = 'mallory' WHERE case_id = 7 AND sequence = 2")
        .execute(&db.dba().await)
        .await
        .unwrap();
    let tampered = recouvre(&db.url, &["audit", "verify"]);
    assert_eq!(tampered.status.code(), Some(1));
    let message = stderr(&tampered);
    assert!(message.contains("dossier 7") && message.contains("n° 2"), "{message}");
}

#[tokio::test]
async fn users_and_tokens_are_created_from_the_command_line() {
    let db = TestDb::new().await;
    let added =
        recouvre(&db.url, &["user", "add", "lea", "--name", "Léa Garnier", "--role", "officer", "--delegation", "2"]);
    assert!(added.status.success(), "{}", stderr(&added));
    let output = stdout(&added);
    let password =
        output.lines().find_map(|line| line.strip_prefix("mot de passe : ")).expect("generated password").to_string();
    let user = recouvre_store::users::by_login(&db.store, "lea").await.unwrap().unwrap();
    assert!(recouvre_web::auth::verify_password(&password, &user.password_hash));
    assert_eq!(user.delegation_level.0, 2);
    let bad_role = recouvre(&db.url, &["user", "add", "max", "--name", "Max", "--role", "boss"]);
    assert_eq!(bad_role.status.code(), Some(2), "what the user can correct exits 2");
    assert!(stderr(&bad_role).contains("team_lead"), "{}", stderr(&bad_role));
    let token = recouvre(&db.url, &["token", "create", "lea"]);
    assert!(token.status.success());
    let token = stdout(&token).trim().to_string();
    let hash = recouvre_web::auth::token_hash(&token);
    let owner = recouvre_store::users::user_by_token(&db.store, &hash, chrono::Utc::now()).await.unwrap().unwrap();
    assert_eq!(owner.login, "lea");
}

#[test]
fn every_subcommand_has_help_and_a_bad_database_url_says_what_to_do() {
    for args in [
        &["--help"][..],
        &["import", "accounts", "--help"],
        &["calc", "deadline", "--help"],
        &["user", "add", "--help"],
        &["audit", "verify", "--help"],
    ] {
        let output = recouvre("sqlite://unused.db", args);
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("Usage"), "{args:?}");
    }
    let output = recouvre("mysql://somewhere/db", &["migrate"]);
    let missing = recouvre("sqlite://unused.db", &["calc", "seizable-wage", "--monthly-net", "2000.00"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(stderr(&missing).trim().lines().count(), 1, "{}", stderr(&missing));
    assert!(stderr(&missing).contains("--on"), "{}", stderr(&missing));
    assert!(!output.status.success());
    assert!(stderr(&output).contains("sqlite://"), "{}", stderr(&output));
}

#[tokio::test]
async fn reference_values_are_added_and_checked_from_the_command_line() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let check = recouvre(&db.url, &["reference", "check", "--on", "2026-05-01"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("solde bancaire insaisissable"), "{}", stderr(&check));
    let file = folder.path().join("sbi.json");
    std::fs::write(&file, r#"{"from": "2026-04-01", "amount": "655.00", "source": "Décret de test"}"#).unwrap();
    let added = recouvre(&db.url, &["reference", "add", "unseizable_balance", file.to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    let check = recouvre(&db.url, &["reference", "check", "--on", "2026-05-01"]);
    assert!(check.status.success(), "{}", stderr(&check));
    // With a database named, the calculators use the administrators' entries too.
    let sbi = recouvre(&db.url, &["calc", "unseizable-balance", "--on", "2026-05-01"]);
    assert!(sbi.status.success(), "{}", stderr(&sbi));
    assert!(stdout(&sbi).contains("\"amount\":\"655.00\""), "{}", stdout(&sbi));
    let (code, _, _) = calc(&["unseizable-balance", "--on", "2026-05-01"]);
    assert_eq!(code, 2, "without the database the value is unknown");
    let twice = recouvre(&db.url, &["reference", "add", "unseizable_balance", file.to_str().unwrap()]);
    assert_eq!(twice.status.code(), Some(1), "a conflict is not the user's typing: exit 1");
    assert!(stderr(&twice).contains("existe déjà"), "{}", stderr(&twice));
}

/// Issue 22, finding 1: `recouvre statement show` aborted on a statement nested 20,000 deep
/// (stack overflow). Now it exits with 1 and a French message naming the line.
#[test]
fn statement_show_refuses_a_deeply_nested_file_without_crashing() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("profond.xml");
    let mut deep = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n",
    );
    deep.push_str(&"<Stmt>".repeat(30_000));
    deep.push_str(&"</Stmt>".repeat(30_000));
    deep.push_str("</Document>\n");
    std::fs::write(&file, deep).unwrap();
    let output = recouvre("sqlite://unused.db", &["statement", "show", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("profond.xml") && message.contains("30001 niveaux") && message.contains("ligne 3"),
        "{message}"
    );
}

#[test]
fn statement_show_prints_every_entry_without_booking() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../iso20022/tests/data/camt053_v02_cic.xml");
    let output = recouvre("sqlite://unused.db", &["statement", "show", file, "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let statements = json["statements"].as_array().unwrap();
    assert!(!statements.is_empty());
    let xml = std::fs::read_to_string(file).unwrap();
    let entries: usize = statements.iter().map(|s| s["entries"].as_array().unwrap().len()).sum();
    assert!(entries >= xml.matches("<Ntry>").count(), "one line per entry at least");
    for statement in statements {
        assert!(statement["account_iban"].is_string());
        for entry in statement["entries"].as_array().unwrap() {
            for field in [
                "amount",
                "currency",
                "credit_debit",
                "booking_date",
                "value_date",
                "reference",
                "end_to_end_id",
                "debtor_name",
                "debtor_iban",
                "remittance",
            ] {
                assert!(entry.get(field).is_some(), "{field} missing in {entry}");
            }
            assert!(["CRDT", "DBIT"].contains(&entry["credit_debit"].as_str().unwrap()));
        }
    }
    assert!(!std::path::Path::new("unused.db").exists(), "showing a statement opens no database");
}

#[tokio::test]
async fn importing_a_statement_twice_books_nothing_twice() {
    let db = TestDb::new().await;
    db.seed(10, &[]).await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("releve.xml");
    let rf = recouvre_iso20022::sepa::rf_reference("CTX-0000002");
    let statement = recouvre_testkit::camt053(
        "S-CLI",
        recouvre_testkit::today(),
        &[recouvre_testkit::StatementCredit {
            amount: "75.00",
            payer_name: "PAYEUR",
            payer_iban: "DE89370400440532013000",
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference: "CLI-1",
        }],
    );
    std::fs::write(&file, statement).unwrap();
    let first = recouvre(&db.url, &["import", "statement", file.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("1 crédit(s) affecté(s)"), "{}", stdout(&first));
    let second = recouvre(&db.url, &["import", "statement", file.to_str().unwrap()]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("1 déjà comptabilisé(s)"), "{}", stdout(&second));
    let lines = recouvre_store::ledger::lines(&db.store, 2).await.unwrap();
    assert_eq!(lines.iter().filter(|line| line.kind == "payment" && line.account == "bank_receipts").count(), 1);
    let broken = folder.path().join("casse.xml");
    std::fs::write(&broken, "<Document>").unwrap();
    let refused = recouvre(&db.url, &["import", "statement", broken.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("casse.xml"), "{}", stderr(&refused));
}

#[tokio::test]
async fn direct_debits_are_exported_once_as_a_schema_valid_pain008() {
    let db = TestDb::new().await;
    db.seed(3, &[]).await;
    let today = recouvre_testkit::today();
    // Past the 14 days of pre-notification the plan's schedule gives (docs/formats/direct-debits.md).
    let collection = recouvre_domain::calendar::target2_business_day_on_or_after(today + chrono::Duration::days(20));
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    let now = chrono::Utc::now();
    recouvre_store::direct_debits::create_plan(
        &db.store,
        1,
        Some(version),
        &[
            (collection, recouvre_domain::Money::euros(150)),
            (collection + chrono::Duration::days(31), recouvre_domain::Money::euros(150)),
        ],
        "camille",
        now,
    )
    .await
    .unwrap();
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    let mandate = recouvre_store::direct_debits::NewMandate {
        reference: "RUM-CTX0000001-01",
        debtor_name: "Claire Leroy",
        debtor_iban: "FR7630006000011234567890189",
        debtor_bic: None,
        signed_on: today,
    };
    recouvre_store::direct_debits::add_mandate(&db.store, 1, Some(version), &mandate, "camille", now).await.unwrap();
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("prelevements.xml");
    let date = collection.to_string();
    let first =
        recouvre(&db.url, &["export", "direct-debits", "--collection-date", &date, "--out", out.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("<SeqTp>FRST</SeqTp>") && xml.contains("150.00"), "{xml}");
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../iso20022/schemas/pain.008.001.02.xsd");
    let lint = Command::new("xmllint").args(["--noout", "--schema", schema, out.to_str().unwrap()]).output();
    let lint = lint.expect("xmllint is missing: run scripts/test, which installs libxml2-utils");
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));
    // The same date again: nothing left to collect.
    let second =
        recouvre(&db.url, &["export", "direct-debits", "--collection-date", &date, "--out", out.to_str().unwrap()]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("aucune échéance"), "{}", stdout(&second));
}

#[tokio::test]
async fn compliance_tunes_the_vigilance_rules_without_recompiling() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("regles.toml");
    let embedded = include_str!("../../domain/data/aml_rules.toml");
    let tuned = embedded
        .replace("version = \"2026-11\"", "version = \"2026-12-test\"")
        .replace("high_score = 70", "high_score = 60");
    assert_ne!(tuned, embedded);
    std::fs::write(&file, &tuned).unwrap();
    let added = recouvre(&db.url, &["reference", "add", "aml_rules", file.to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    let rules = recouvre_store::aml::rules(&db.store).await.unwrap();
    assert_eq!((rules.version.as_str(), rules.high_score), ("2026-12-test", 60));
    std::fs::write(&file, tuned.replace("high_score = 60", "high_score = 160")).unwrap();
    let refused = recouvre(&db.url, &["reference", "add", "aml_rules", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("high_score"), "{}", stderr(&refused));
}

/// A pseudo-random delay in `0..bound_ms`, printed so that a failure can be replayed.
fn random_delay(bound_ms: u64, salt: u64) -> std::time::Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let delay_ms = (u64::from(nanos) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) % bound_ms;
    eprintln!("kill after {delay_ms} ms");
    std::time::Duration::from_millis(delay_ms)
}

/// Starts `recouvre batch` and kills it with SIGKILL after `delay`.
fn batch_killed_after(database: &str, as_of: &str, delay: std::time::Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(["batch", "--as-of", as_of, "--chunk-cases", "40", "--lease-seconds", "1"])
        .env("DATABASE_URL", database)
        .env("RECOUVRE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start recouvre batch");
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
}

/// Two databases seeded alike with `recouvre seed`.
async fn seeded_pair(cases: &str) -> (TestDb, TestDb) {
    let (left, right) = (TestDb::new().await, TestDb::new().await);
    for db in [&left, &right] {
        let seeded = recouvre(&db.url, &["seed", "--cases", cases, "--seed", "11"]);
        assert!(seeded.status.success(), "{}", stderr(&seeded));
    }
    (left, right)
}

#[tokio::test]
async fn a_batch_killed_at_random_points_and_rerun_ends_as_an_uninterrupted_run() {
    let (clean, killed) = seeded_pair("1200").await;
    // Seeding books the claims today: a month later, their interest has run.
    let as_of = (recouvre_testkit::today() + chrono::Duration::days(30)).to_string();
    let run = recouvre(&clean.url, &["batch", "--as-of", &as_of, "--chunk-cases", "40"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("dossier(s) examiné(s)"), "{}", stdout(&run));
    for attempt in 0..3 {
        batch_killed_after(&killed.url, &as_of, random_delay(1500, attempt));
    }
    let rerun = recouvre(&killed.url, &["batch", "--as-of", &as_of, "--chunk-cases", "40", "--lease-seconds", "1"]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    let expected = recouvre_testkit::batch_state(&clean.store).await;
    assert!(expected.contains("interest_accrued"));
    assert_eq!(recouvre_testkit::batch_state(&killed.store).await, expected);
    // And once more: the same date changes nothing.
    let again = recouvre(&killed.url, &["batch", "--as-of", &as_of]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(recouvre_testkit::batch_state(&killed.store).await, expected);
    assert!(recouvre_store::ledger::check(&killed.store).await.unwrap().is_clean());
    assert!(recouvre_store::journal::verify_all(&killed.store).await.unwrap().first_break.is_none());
}

#[tokio::test]
async fn two_batch_processes_share_the_run_and_the_survivor_finishes_the_killed_ones_work() {
    let (clean, shared) = seeded_pair("1200").await;
    // Seeding books the claims today: a month later, their interest has run.
    let as_of = (recouvre_testkit::today() + chrono::Duration::days(30)).to_string();
    let run = recouvre(&clean.url, &["batch", "--as-of", &as_of, "--chunk-cases", "40"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let survivor = Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(["batch", "--as-of", &as_of, "--chunk-cases", "40", "--lease-seconds", "1", "--workers", "1"])
        .env("DATABASE_URL", &shared.url)
        .env("RECOUVRE_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start recouvre batch");
    batch_killed_after(&shared.url, &as_of, random_delay(1200, 7));
    let survivor = survivor.wait_with_output().unwrap();
    assert!(survivor.status.success(), "{}", stderr(&survivor));
    assert_eq!(recouvre_testkit::batch_state(&shared.store).await, recouvre_testkit::batch_state(&clean.store).await);
    let (chunks, done, distinct_workers): (i64, i64, i64) = sql::query_as(
        "SELECT COUNT(*), CAST(SUM(CASE WHEN done_at IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
         COUNT(DISTINCT done_by) FROM batch_chunks",
    )
    .fetch_one(&shared.store)
    .await
    .unwrap();
    assert_eq!(done, chunks);
    assert!(distinct_workers >= 1);
}

/// `recouvre letters print` and `recouvre report committee` make the files the web serves (the
/// same use cases), and say what they wrote.
#[tokio::test]
async fn the_days_mail_and_the_committee_pack_are_written_from_the_command_line() {
    use recouvre_domain::authority::{DelegationLevel, Role};
    let db = TestDb::new().await;
    let officer = db.user("camille", Role::Officer, "correct horse 1").await;
    db.seed(4, &["camille"]).await;
    let folder = tempfile::tempdir().unwrap();
    let today = recouvre_testkit::today();

    // No letter validated yet: nothing to print, and the message says which day.
    let mail = folder.path().join("courrier.pdf");
    let empty = recouvre(&db.url, &["letters", "print", "--date", &today.to_string(), "--out", mail.to_str().unwrap()]);
    assert!(!empty.status.success());
    let french_day = today.format("%d/%m/%Y");
    assert!(stderr(&empty).contains(&format!("aucun courrier validé le {french_day}")), "{}", stderr(&empty));

    let app = recouvre_app::App::on(db.store.clone()).await.unwrap();
    let actor = recouvre_app::Actor::user(officer, "camille", "Camille Martin", Role::Officer, DelegationLevel(1));
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    let input = recouvre_app::letters::LetterInput { kind: "formal_notice".to_string(), ..Default::default() };
    recouvre_app::letters::validate_letter(&app, &actor, 1, Some(version), &input).await.unwrap();
    let printed =
        recouvre(&db.url, &["letters", "print", "--date", &today.to_string(), "--out", mail.to_str().unwrap()]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let pdf = std::fs::read(&mail).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(
        stdout(&printed).trim(),
        format!("{} : courrier du {today}, {} octets", mail.display(), pdf.len()),
        "the message is unchanged"
    );
    let same = recouvre_app::letters::day_mail(&app, &actor, Some(today)).await.unwrap();
    assert_eq!(same.pdf, pdf, "the web's day mail, byte for byte");

    // The committee pack of the month, after the night's run; a file type it cannot make is
    // refused with the types it can.
    let batch = recouvre(&db.url, &["batch", "--as-of", &today.to_string()]);
    assert!(batch.status.success(), "{}", stderr(&batch));
    let month = today.format("%Y-%m").to_string();
    let workbook = folder.path().join("comite.xlsx");
    let written = recouvre(&db.url, &["report", "committee", "--month", &month, "--out", workbook.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    assert!(
        stdout(&written).starts_with(&format!("dossier de comité {month} ("))
            && stdout(&written).contains("écrit dans"),
        "{}",
        stdout(&written)
    );
    assert!(std::fs::read(&workbook).unwrap().starts_with(b"PK"), "an XLSX is a zip");
    let text = folder.path().join("comite.txt");
    let refused = recouvre(&db.url, &["report", "committee", "--month", &month, "--out", text.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains(".pdf, .xlsx ou .csv"), "{}", stderr(&refused));
    let bad_month = recouvre(&db.url, &["report", "committee", "--month", "2026-13", "--out", text.to_str().unwrap()]);
    assert!(stderr(&bad_month).contains("n'est pas un mois"), "{}", stderr(&bad_month));
}

/// `recouvre demo` runs on the database it is given (PostgreSQL in the PostgreSQL pass), fills
/// it, serves it, and leaves no SQLite file of its own behind. A portfolio smaller than the forty
/// cases the demo brings to life (procedures, recommendations) starts too.
#[tokio::test]
async fn the_demo_runs_on_the_database_it_is_given() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let mut demo = Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(["demo", "--cases", "12", "--listen", &listen])
        .env("DATABASE_URL", &db.url)
        .env("RECOUVRE_LOG", "warn")
        .current_dir(folder.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start recouvre demo");
    // Generating the portfolio takes a few seconds on a debug build: wait for the server.
    let health = format!("http://{listen}/healthz");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..600 {
        if let Ok(answer) = client.get(&health).send().await {
            up = answer.status().is_success();
            if up {
                break;
            }
        }
        if let Ok(Some(status)) = demo.try_wait() {
            panic!("recouvre demo stopped early ({status})");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let login_page = client.get(format!("http://{listen}/login")).send().await.map(|answer| answer.status());
    demo.kill().unwrap();
    let output = demo.wait_with_output().unwrap();
    assert!(up, "the demo never answered: {}", stderr(&output));
    assert_eq!(login_page.unwrap(), 200);
    // The portfolio is in the database given, not in a file of the current folder.
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 12);
    assert!(recouvre_store::users::by_login(&db.store, "camille").await.unwrap().is_some());
    let leftovers: Vec<_> = std::fs::read_dir(folder.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert!(leftovers.is_empty(), "the demo wrote {leftovers:?} in the current folder");
}

/// Sends SIGTERM to a child, as a service manager stopping it does.
fn terminate(child: &std::process::Child) {
    let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("run kill");
    assert!(sent.success());
}

/// Waits for a child to end, at most `limit`.
fn wait_at_most(child: &mut std::process::Child, limit: std::time::Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("still running {limit:?} after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `recouvre batch` stopped by SIGTERM (issue 24): its worker commits the chunk in hand, claims no
/// more, and the process says so and exits 143, leaving no chunk claimed; the next run of the date,
/// with the ordinary lease, finishes it and ends as an uninterrupted run.
#[tokio::test]
async fn a_batch_stopped_by_sigterm_commits_its_chunk_and_the_next_run_finishes_it() {
    let (clean, stopped) = seeded_pair("1200").await;
    let as_of = (recouvre_testkit::today() + chrono::Duration::days(30)).to_string();
    let run = recouvre(&clean.url, &["batch", "--as-of", &as_of, "--chunk-cases", "20"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let mut batch = Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(["batch", "--as-of", &as_of, "--chunk-cases", "20", "--workers", "1"])
        .env("DATABASE_URL", &stopped.url)
        .env("RECOUVRE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start recouvre batch");
    // Stop it once it has done some of the work, not all.
    let done = || async {
        sql::query_scalar::<i64>("SELECT COUNT(*) FROM batch_chunks WHERE done_at IS NOT NULL")
            .fetch_one(&stopped.store)
            .await
            .unwrap_or(0)
    };
    let waiting = std::time::Instant::now();
    while done().await < 1 {
        assert!(waiting.elapsed() < std::time::Duration::from_secs(60), "no chunk done in a minute");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    terminate(&batch);
    let status = wait_at_most(&mut batch, std::time::Duration::from_secs(30));
    let mut message = String::new();
    std::io::Read::read_to_string(batch.stderr.as_mut().unwrap(), &mut message).unwrap();
    assert_eq!(status.code(), Some(143), "{message}");
    assert!(message.contains("interrompu") && message.contains("relancez"), "{message}");
    let (chunks, chunks_done, claimed_not_done): (i64, i64, i64) = sql::query_as(
        "SELECT COUNT(*), CAST(SUM(CASE WHEN done_at IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
         CAST(SUM(CASE WHEN done_at IS NULL AND claimed_by IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) FROM batch_chunks",
    )
    .fetch_one(&stopped.store)
    .await
    .unwrap();
    assert!(chunks_done >= 1 && chunks_done < chunks, "{chunks_done} of {chunks} chunks done");
    assert_eq!(claimed_not_done, 0, "the chunk in hand was finished and committed, not left to its lease");
    // The next run: no chunk is left claimed (asserted above), so it has no lease to wait for.
    // (No timing assertion: on a loaded machine a rerun's duration says nothing.)
    let rerun = recouvre(&stopped.url, &["batch", "--as-of", &as_of, "--chunk-cases", "20"]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert_eq!(recouvre_testkit::batch_state(&stopped.store).await, recouvre_testkit::batch_state(&clean.store).await);
    assert!(recouvre_store::ledger::check(&stopped.store).await.unwrap().is_clean());
}

/// `recouvre serve` on SIGTERM (issue 24): `/readyz` answers 503 during the drain while `/livez`
/// still answers, a request in flight is answered, and the process ends by itself with status 0.
#[tokio::test]
async fn serve_on_sigterm_drains_finishes_the_request_in_flight_and_exits() {
    use std::io::{Read, Write};
    let db = TestDb::new().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(["serve", "--listen", &listen, "--shutdown-drain-seconds", "2"])
        .env("DATABASE_URL", &db.url)
        .env("RECOUVRE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start recouvre serve");
    let client = reqwest::Client::new();
    let url = |path: &str| format!("http://{listen}{path}");
    let mut ready = false;
    for _ in 0..300 {
        if let Ok(answer) = client.get(url("/readyz")).send().await {
            ready = answer.status() == 200;
            if ready {
                break;
            }
        }
        assert!(server.try_wait().unwrap().is_none(), "recouvre serve stopped early");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the server never became ready");
    // A request in flight: its headers sent, half its body still to come.
    let body = "login=camille&password=not-the-right-one";
    let mut in_flight = std::net::TcpStream::connect(&listen).unwrap();
    in_flight.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    write!(
        in_flight,
        "POST /login HTTP/1.1\r\nHost: {listen}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    in_flight.flush().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    terminate(&server);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let readiness = client.get(url("/readyz")).send().await.unwrap();
    assert_eq!(readiness.status(), 503, "not ready while draining");
    assert!(readiness.text().await.unwrap().contains("shutting down"));
    assert_eq!(client.get(url("/livez")).send().await.unwrap().status(), 200, "alive while draining");
    // The rest of the body, after the drain: the listener is closed, the request still answered.
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    assert!(client.get(url("/livez")).send().await.is_err(), "no new connection after the drain");
    in_flight.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    let _ = in_flight.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 "), "the request in flight was answered: {answer:?}");
    assert!(!answer.starts_with("HTTP/1.1 5"), "{answer}");
    let status = wait_at_most(&mut server, std::time::Duration::from_secs(20));
    let mut log = String::new();
    server.stderr.as_mut().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.success(), "{status}: {log}");
}

/// `recouvre user disable` cuts a user off at once: their token is refused on the next request;
/// `token list` shows tokens (never the secret) and `token revoke` ends one (issue 23).
#[tokio::test]
async fn a_disabled_user_is_cut_off_at_once_and_tokens_are_listed_and_revoked() {
    let db = TestDb::new().await;
    let lea = db.user("lea", recouvre_domain::authority::Role::Officer, "correct-horse-battery").await;
    db.user("marc", recouvre_domain::authority::Role::Officer, "correct-horse-battery").await;
    let token = db.token(lea).await;
    let url = db.url.clone();
    let app = recouvre_testkit::TestApp::spawn_on(db).await;
    let me = |token: String| {
        let url = app.url("/api/v1/me");
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap().status() }
    };
    assert_eq!(me(token.clone()).await, reqwest::StatusCode::OK);
    let disabled = recouvre(&url, &["user", "disable", "lea"]);
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    assert!(stdout(&disabled).contains("1 jeton(s) révoqué(s)"), "{}", stdout(&disabled));
    assert_eq!(me(token.clone()).await, reqwest::StatusCode::UNAUTHORIZED, "refused right after");
    // Enabled again, the old token stays revoked.
    assert!(recouvre(&url, &["user", "enable", "lea"]).status.success());
    assert_eq!(me(token).await, reqwest::StatusCode::UNAUTHORIZED);

    let created =
        recouvre(&url, &["token", "create", "marc", "--name", "robot", "--scope", "read_only", "--days", "7"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let secret = stdout(&created).trim().to_string();
    assert_eq!(me(secret.clone()).await, reqwest::StatusCode::OK);
    let listed = stdout(&recouvre(&url, &["token", "list"]));
    let line = listed.lines().find(|line| line.contains("robot")).unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains("marc") && line.contains("read_only") && line.contains("actif"), "{line}");
    assert!(!listed.contains(&secret), "the secret is never shown again");
    let id = line.split('\t').next().unwrap();
    assert!(recouvre(&url, &["token", "revoke", id]).status.success());
    assert_eq!(me(secret).await, reqwest::StatusCode::UNAUTHORIZED);
    let bad_scope = recouvre(&url, &["token", "create", "marc", "--scope", "root"]);
    assert_eq!(bad_scope.status.code(), Some(2), "{}", stderr(&bad_scope));
    // Enrolling in the second factor prints the secret and the link for an authenticator.
    let enrolled = recouvre(&url, &["user", "totp", "marc"]);
    assert!(enrolled.status.success(), "{}", stderr(&enrolled));
    let printed = stdout(&enrolled);
    let secret = printed.lines().find_map(|line| line.strip_prefix("secret TOTP de marc : ")).expect("the secret");
    assert!(printed.contains(&format!("otpauth://totp/Recouvre:marc?secret={secret}")), "{printed}");
    let user = recouvre_store::users::by_login(&app.db.store, "marc").await.unwrap().unwrap();
    assert_eq!(recouvre_store::users::totp_secret(&app.db.store, user.id).await.unwrap().as_deref(), Some(secret));
}

/// Issue 21: `statement show` reads camt.052/053/054 of every version and CFONB 120 with the
/// same statement fields (balances as signed decimal strings, their dates, null where none), and
/// shows a file whose balances do not add up with the difference.
#[test]
fn statement_show_gives_the_same_fields_for_every_format() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../iso20022/tests/data/");
    let show = |file: &str| -> Value {
        let output =
            recouvre("sqlite://unused.db", &["statement", "show", &format!("{data}{file}"), "--format", "json"]);
        assert!(output.status.success(), "{file}: {}", stderr(&output));
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    let fields = |json: &Value| -> Vec<String> {
        let mut keys: Vec<String> = json["statements"][0].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    let reference = show("camt053_v02_cic.xml");
    assert_eq!(reference["statements"][0]["opening_balance"], "1000.00");
    assert_eq!(reference["statements"][0]["closing_balance"], "1769.35");
    assert_eq!(reference["statements"][0]["opening_date"], "2024-12-30");
    assert_eq!(reference["statements"][0]["closing_date"], "2024-12-31");
    for file in [
        "camt053_v03_cic.xml",
        "camt053_v04_cic.xml",
        "between/camt053_v05_cic.xml",
        "camt054_v04_returns.xml",
        "camt052_v02_intraday.xml",
        "camt052_v08_intraday.xml",
        "cfonb120_two_accounts.txt",
    ] {
        let json = show(file);
        assert_eq!(fields(&json), fields(&reference), "{file}");
        if file.starts_with("camt053") || file.contains("v05") {
            assert_eq!(json["statements"][0]["entries"], reference["statements"][0]["entries"], "{file}");
        }
    }
    let notification = show("camt054_v04_returns.xml");
    assert!(notification["statements"][0]["opening_balance"].is_null());
    assert!(notification["statements"][0]["closing_date"].is_null());
    let cfonb = show("cfonb120_two_accounts.txt");
    let first = &cfonb["statements"][0];
    assert_eq!((&first["message"], &first["account_iban"]), (&serde_json::json!("cfonb120"), &Value::Null));
    assert_eq!(
        (&first["bank_code"], &first["branch_code"]),
        (&serde_json::json!("30004"), &serde_json::json!("00031"))
    );
    assert_eq!(first["account_number"], "00012345678");
    assert_eq!(cfonb["statements"][1]["opening_balance"], "-190.40");
    assert_eq!(first["entries"][2]["amount"], "45.00");
    assert_eq!(first["entries"][2]["credit_debit"], "DBIT");
    let unbalanced = show("cfonb120_unbalanced.txt");
    assert_eq!(unbalanced["statements"][0]["balance_difference"], "10.00");
    assert!(!std::path::Path::new("unused.db").exists(), "showing a statement opens no database");
}

#[tokio::test]
async fn import_statement_recognises_cfonb120_and_refuses_reports_and_bad_files() {
    let db = TestDb::new().await;
    db.seed(10, &[]).await;
    let folder = tempfile::tempdir().unwrap();
    let rf = recouvre_iso20022::sepa::rf_reference("CTX-0000002");
    let credits = [recouvre_testkit::StatementCredit {
        amount: "75.00",
        payer_name: "PAYEUR",
        payer_iban: "",
        rf_reference: Some(&rf),
        free_text: None,
        bank_reference: "CFONB-1",
    }];
    let write = |name: &str, content: &str| {
        let file = folder.path().join(name);
        std::fs::write(&file, content).unwrap();
        file.to_str().unwrap().to_string()
    };
    let unbalanced = write("faux.txt", &recouvre_testkit::cfonb120(recouvre_testkit::today(), &credits, -500));
    let refused = recouvre(&db.url, &["import", "statement", &unbalanced]);
    assert!(!refused.status.success(), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("ne s'équilibre pas") && stderr(&refused).contains("5,00"),
        "{}",
        stderr(&refused)
    );
    let good = write("releve.txt", &recouvre_testkit::cfonb120(recouvre_testkit::today(), &credits, 0));
    let first = recouvre(&db.url, &["import", "statement", &good]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("1 crédit(s) affecté(s)"), "{}", stdout(&first));
    let again = recouvre(&db.url, &["import", "statement", &good]);
    assert!(stdout(&again).contains("1 déjà comptabilisé(s)"), "{}", stdout(&again));
    let report = concat!(env!("CARGO_MANIFEST_DIR"), "/../iso20022/tests/data/camt052_v08_intraday.xml");
    let refused = recouvre(&db.url, &["import", "statement", report]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("intrajournalier camt.052.001.08"), "{}", stderr(&refused));
    let never_closed = recouvre_testkit::cfonb120(recouvre_testkit::today(), &credits, 0);
    let never_closed: Vec<&str> = never_closed.lines().collect();
    let cut = write("coupe.txt", &never_closed[..never_closed.len() - 1].join("\n"));
    let refused = recouvre(&db.url, &["import", "statement", &cut]);
    assert!(stderr(&refused).contains("coupe.txt : ligne 1 : relevé jamais clos"), "{}", stderr(&refused));
}

/// Issue 21, done when: `recouvre export transfers` produces a schema-valid pain.001 (.03 and
/// .09) with the day's refunds — suspense items returned to their payer —, each once.
#[tokio::test]
async fn transfers_out_are_exported_once_as_a_schema_valid_pain001() {
    let db = TestDb::new().await;
    db.seed(5, &[]).await;
    let folder = tempfile::tempdir().unwrap();
    let today = recouvre_testkit::today();
    let credit = |amount: &'static str, reference: &'static str| recouvre_testkit::StatementCredit {
        amount,
        payer_name: "INCONNU GMBH",
        payer_iban: "DE89370400440532013000",
        rf_reference: None,
        free_text: Some("ohne Bezug"),
        bank_reference: reference,
    };
    let statement = recouvre_testkit::camt053("S-TRF", today, &[credit("61.50", "TRF-1"), credit("12.00", "TRF-2")]);
    let file = folder.path().join("releve.xml");
    std::fs::write(&file, statement).unwrap();
    let imported = recouvre(&db.url, &["import", "statement", file.to_str().unwrap()]);
    assert!(stdout(&imported).contains("2 au compte d'instance"), "{}", stdout(&imported));
    let items = recouvre_store::suspense::open_items(&db.store).await.unwrap();
    let out = folder.path().join("virements.xml");
    let export = |version: &str| {
        recouvre(
            &db.url,
            &[
                "export",
                "transfers",
                "--date",
                &today.to_string(),
                "--out",
                out.to_str().unwrap(),
                "--version",
                version,
            ],
        )
    };
    let nothing = export("03");
    assert!(nothing.status.success(), "{}", stderr(&nothing));
    assert!(stdout(&nothing).contains("aucun virement"), "{}", stdout(&nothing));
    recouvre_store::suspense::give_back(&db.store, items[0].id, "payeur inconnu", "camille", chrono::Utc::now())
        .await
        .unwrap();
    let first = export("03");
    assert!(first.status.success(), "{}", stderr(&first));
    let xml = std::fs::read_to_string(&out).unwrap();
    recouvre_iso20022::validate(recouvre_iso20022::Message::Pain001V03, xml.as_bytes()).unwrap();
    assert!(xml.contains("<IBAN>DE89370400440532013000</IBAN>") && xml.contains("<CtrlSum>"), "{xml}");
    assert_eq!(xml.matches("<CdtTrfTxInf>").count(), 1, "{xml}");
    let again = export("03");
    assert!(stdout(&again).contains("aucun virement"), "each refund is sent once: {}", stdout(&again));
    recouvre_store::suspense::give_back(&db.store, items[1].id, "payeur inconnu", "camille", chrono::Utc::now())
        .await
        .unwrap();
    let second = export("09");
    assert!(second.status.success(), "{}", stderr(&second));
    let xml = std::fs::read_to_string(&out).unwrap();
    recouvre_iso20022::validate(recouvre_iso20022::Message::Pain001V09, xml.as_bytes()).unwrap();
    assert_eq!(xml.matches("<CdtTrfTxInf>").count(), 1, "{xml}");
    assert!(stdout(&second).contains("RCV-TRF-"), "{}", stdout(&second));
    let bad = export("05");
    assert!(!bad.status.success() && stderr(&bad).contains("03 ou 09"), "{}", stderr(&bad));
}

/// Issue 21, done when: `recouvre seed` gives plans paid by direct debit, so that a collection
/// date within the next four months gives a non-empty pain.008.
#[tokio::test]
async fn seeded_plans_are_paid_by_direct_debit() {
    let db = TestDb::new().await;
    let seeded = recouvre(&db.url, &["seed", "--cases", "30", "--seed", "5"]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    assert!(stdout(&seeded).contains("payé(s) par prélèvement SEPA"), "{}", stdout(&seeded));
    let today = recouvre_testkit::today();
    let folder = tempfile::tempdir().unwrap();
    // The seeded schedules start once their 14 days of pre-notification have run, then go
    // monthly: the first collection date, one about two months out and the last within four
    // months must each give a file.
    let dates: Vec<chrono::NaiveDate> =
        sql::query_scalar("SELECT DISTINCT due_on FROM instalments WHERE due_on > $1 AND due_on <= $2 ORDER BY due_on")
            .bind(today)
            .bind(today + chrono::Duration::days(120))
            .fetch_all(&db.store)
            .await
            .unwrap();
    // A file is asked for a settlement day (a schedule's Sunday is collected on the next one).
    let dates: Vec<_> =
        dates.into_iter().filter(|day| recouvre_domain::calendar::is_target2_business_day(*day)).collect();
    assert!(dates.len() >= 3, "{dates:?}");
    assert!(dates[0] <= today + chrono::Duration::days(21), "the first collection within three weeks: {dates:?}");
    assert!(*dates.last().unwrap() >= today + chrono::Duration::days(90), "collections go on for months: {dates:?}");
    for date in [dates[0], dates[dates.len() / 2], *dates.last().unwrap()] {
        let days = (date - today).num_days();
        let out = folder.path().join(format!("prelevements-{days}.xml"));
        let exported = recouvre(
            &db.url,
            &["export", "direct-debits", "--collection-date", &date.to_string(), "--out", out.to_str().unwrap()],
        );
        assert!(exported.status.success(), "{}", stderr(&exported));
        let xml = std::fs::read_to_string(&out).unwrap_or_else(|_| panic!("no file for {date}: {}", stdout(&exported)));
        assert!(xml.contains("<DrctDbtTxInf>"), "{xml}");
        recouvre_iso20022::validate(recouvre_iso20022::Message::Pain008V02, xml.as_bytes()).unwrap();
    }
}
