//! IBAN, BIC and mandate references entering by the intake files (issue 21, item 5): the
//! `recouvre` binary refuses a bad one with a non-zero exit naming the file, the line and the
//! column, keeps nothing of the file, and stores a good one in its electronic form; against
//! the engine under test.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use recouvre_store::sql;
use recouvre_testkit::TestDb;

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

fn assert_refused(output: &Output, parts: &[&str]) {
    assert!(!output.status.success(), "{}", stdout(output));
    let message = stderr(output);
    for part in parts {
        assert!(message.contains(part), "{part}: {message}");
    }
}

const ACCOUNTS: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;iban";
const MANDATES: &str = "record;contract_ref;rum;iban;bic;signed_on;sequence";

#[tokio::test]
async fn an_accounts_file_with_a_bad_iban_exits_non_zero_naming_file_line_and_column() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let today = recouvre_testkit::today().format("%d/%m/%Y").to_string();
    let file = folder.path().join("comptes-iban.csv");
    let content = |second: &str| {
        format!(
            "{ACCOUNTS}\n\
             C800000001;Lambert;Éric;5 rue Victor Hugo;33000;Bordeaux;overdraft;00080000001;2 340,00;{today};FR76 3000 6000 0112 3456 7890 189\n\
             C800000002;Faure;Inès;9 cours Mirabeau;13100;Aix-en-Provence;overdraft;00080000002;480,00;{today};{second}\n"
        )
    };
    for bad in ["NOT-AN-IBAN", "FR7630006000011234567890188", "DE8937040044053201300"] {
        std::fs::write(&file, content(bad)).unwrap();
        let refused = recouvre(&db.url, &["import", "accounts", file.to_str().unwrap()]);
        assert_refused(&refused, &["comptes-iban.csv", "ligne 3", "iban", bad]);
    }
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 0, "nothing from the bad file was kept");
    std::fs::write(&file, content("de89 3704 0044 0532 0130 00")).unwrap();
    let imported = recouvre(&db.url, &["import", "accounts", file.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let ibans: Vec<String> =
        sql::query_scalar("SELECT iban FROM persons WHERE customer_number LIKE 'C8%' ORDER BY customer_number")
            .fetch_all(&db.store)
            .await
            .unwrap();
    assert_eq!(ibans, ["FR7630006000011234567890189", "DE89370400440532013000"]);
}

#[tokio::test]
async fn a_mandate_of_the_companion_file_is_checked_and_recorded_once() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().unwrap();
    let today = recouvre_testkit::today();
    let accounts = folder.path().join("comptes.csv");
    std::fs::write(
        &accounts,
        format!(
            "{ACCOUNTS}\nC810000001;Lambert;Éric;5 rue Victor Hugo;33000;Bordeaux;personal_loan;PP-81;2 340,00;{};\n",
            today.format("%d/%m/%Y")
        ),
    )
    .unwrap();
    let imported = recouvre(&db.url, &["import", "accounts", accounts.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    let mandates = folder.path().join("mandats.csv");
    let signed = (today - chrono::Duration::days(3)).format("%d/%m/%Y").to_string();
    for (line, column, value) in [
        (format!("mandate;PP-81;RUM-PP81-01;NOT-AN-IBAN;;{signed};"), "iban", "NOT-AN-IBAN"),
        (format!("mandate;PP-81;RUM-PP81-01;FR7630006000011234567890189;BNPAFR;{signed};"), "bic", "BNPAFR"),
        (format!("mandate;PP-81;RUM PP81;FR7630006000011234567890189;;{signed};"), "rum", "RUM PP81"),
    ] {
        std::fs::write(&mandates, format!("{MANDATES}\n{line}\n")).unwrap();
        let refused = recouvre(&db.url, &["import", "parties", mandates.to_str().unwrap()]);
        assert_refused(&refused, &["mandats.csv", "ligne 2", column, value]);
    }
    let count =
        || async { sql::query_scalar::<i64>("SELECT COUNT(*) FROM sepa_mandates").fetch_one(&db.store).await.unwrap() };
    assert_eq!(count().await, 0, "nothing from the bad files was kept");
    std::fs::write(
        &mandates,
        format!("{MANDATES}\nmandate;PP-81;RUM-PP81-01;fr76 3000 6000 0112 3456 7890 189;agrifrpp882;{signed};\n"),
    )
    .unwrap();
    let first = recouvre(&db.url, &["import", "parties", mandates.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("1 mandat(s) SEPA"), "{}", stdout(&first));
    // Another file repeating the mandate adds nothing.
    std::fs::write(
        &mandates,
        format!("{MANDATES}\nmandate;PP-81;RUM-PP81-01;FR7630006000011234567890189;;{signed};recurrent\n"),
    )
    .unwrap();
    let again = recouvre(&db.url, &["import", "parties", mandates.to_str().unwrap()]);
    assert!(again.status.success() && stdout(&again).contains("0 mandat(s) SEPA"), "{}", stdout(&again));
    let stored: (String, Option<String>, String, String) = sql::query_as(
        "SELECT debtor_iban, debtor_bic, debtor_name, status FROM sepa_mandates WHERE reference = 'RUM-PP81-01'",
    )
    .fetch_one(&db.store)
    .await
    .unwrap();
    assert_eq!(
        stored,
        ("FR7630006000011234567890189".into(), Some("AGRIFRPP882".into()), "LAMBERT Éric".into(), "active".into())
    );
    assert_eq!(count().await, 1);
}
