//! Every hand-written fixture under `tests/data/` is valid against its schema according to
//! `xmllint` (independently of our own libxml2 binding) and reads without error.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use recouvre_iso20022::{detect, read_statements, validate, Message};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "xml"))
        // The bank's statements; the pain.002 status reports beside them have no shipped
        // schema and are checked by their own tests (docs/formats/payment-status.md).
        .filter(|path| !path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("pain002")))
        .collect();
    files.sort();
    files
}

/// Runs `xmllint --schema`; without xmllint the test fails (never skipped).
fn xmllint(message: Message, file: &Path) -> (bool, String) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(format!("{message}.xsd"));
    let output = Command::new("xmllint").arg("--noout").arg("--nonet").arg("--schema").arg(&xsd).arg(file).output();
    match output {
        Ok(output) => (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned()),
        Err(error) => panic!(
            "xmllint introuvable ({error}) : lancez les tests par scripts/test, ou installez libxml2-utils \
             (apt-get install -y libxml2-utils)"
        ),
    }
}

#[test]
fn every_fixture_is_valid_for_xmllint_and_for_us() {
    let files = fixtures();
    assert!(files.len() >= 4, "{files:?}");
    for file in files {
        let xml = std::fs::read(&file).unwrap();
        let message = detect(&xml).unwrap();
        let (valid, stderr) = xmllint(message, &file);
        assert!(valid, "{}: {stderr}", file.display());
        assert_eq!(validate(message, &xml), Ok(()), "{}", file.display());
        let statements = read_statements(&xml).unwrap();
        assert!(statements.iter().all(|s| !s.entries.is_empty()), "{}", file.display());
    }
}

#[test]
fn the_fixtures_cover_every_shipped_statement_version() {
    let mut messages: Vec<Message> =
        fixtures().iter().map(|file| detect(&std::fs::read(file).unwrap()).unwrap()).collect();
    messages.sort_by_key(|m| m.name());
    messages.dedup();
    let expected = [
        Message::Camt052(2),
        Message::Camt052(8),
        Message::Camt053(2),
        Message::Camt053(3),
        Message::Camt053(4),
        Message::Camt053(8),
        Message::Camt054(2),
        Message::Camt054(4),
        Message::Camt054(8),
    ];
    assert_eq!(messages, expected);
}

#[test]
fn xmllint_and_we_agree_on_an_invalid_file() {
    let xml = std::fs::read_to_string(data_dir().join("camt053_v02_cic.xml")).unwrap();
    let bad = xml.replacen("<Amt Ccy=\"EUR\">8.85</Amt>", "<Amt Ccy=\"EUR\">8,85</Amt>", 1);
    let file = std::env::temp_dir().join(format!("recouvre-invalid-{}.xml", std::process::id()));
    std::fs::write(&file, &bad).unwrap();
    let (valid, stderr) = xmllint(Message::Camt053V02, &file);
    let _ = std::fs::remove_file(&file);
    assert!(!valid);
    let error = read_statements(bad.as_bytes()).unwrap_err().to_string();
    let line = xml.lines().position(|l| l.contains("8.85")).unwrap() + 1;
    assert!(stderr.contains(&format!(":{line}:")), "{stderr}");
    assert!(error.contains(&format!("ligne {line} :")), "{error}");
}
