//! Issue 21, item 1: statements in every version banks send — camt.053/054 from 001.02 to the
//! latest (each validated against its schema or the closest one), camt.052 intraday reports,
//! and CFONB 120 — all read into the same values.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use recouvre_domain::Money;
use recouvre_iso20022::{entry_key, read_statements, statement_json, statement_json_text, FileError, Message};

const CAMT053_V02: &str = include_str!("data/camt053_v02_cic.xml");
const CAMT053_V03: &str = include_str!("data/camt053_v03_cic.xml");
const CAMT053_V04: &str = include_str!("data/camt053_v04_cic.xml");
const CAMT053_V05: &str = include_str!("data/between/camt053_v05_cic.xml");
const CAMT054_V02: &str = include_str!("data/camt054_v02_returns.xml");
const CAMT054_V04: &str = include_str!("data/camt054_v04_returns.xml");
const CAMT052_V02: &str = include_str!("data/camt052_v02_intraday.xml");
const CAMT052_V08: &str = include_str!("data/camt052_v08_intraday.xml");
const CFONB: &str = include_str!("data/cfonb120_two_accounts.txt");
const CFONB_UNBALANCED: &str = include_str!("data/cfonb120_unbalanced.txt");

fn date(text: &str) -> Option<NaiveDate> {
    Some(text.parse().unwrap())
}

/// What a booking depends on, per entry: the same whatever the version.
fn values(xml: &str) -> Vec<String> {
    let statements = read_statements(xml.as_bytes()).unwrap();
    statements
        .iter()
        .flat_map(|s| {
            s.entries.iter().map(move |e| {
                format!(
                    "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
                    e.signed_amount(),
                    e.booking_date,
                    e.debtor_name,
                    e.debtor_iban,
                    e.remittance,
                    e.creditor_reference,
                    e.end_to_end_id,
                    e.return_reason,
                    e.cash,
                    entry_key(s, e)
                )
            })
        })
        .collect()
}

#[test]
fn camt053_versions_02_to_05_read_into_the_same_values() {
    let reference = values(CAMT053_V02);
    assert_eq!(reference.len(), 7);
    for (xml, message) in
        [(CAMT053_V03, Message::Camt053(3)), (CAMT053_V04, Message::Camt053(4)), (CAMT053_V05, Message::Camt053(5))]
    {
        assert_eq!(read_statements(xml.as_bytes()).unwrap()[0].message, message);
        assert_eq!(values(xml), reference, "{message}");
    }
    let v02 = &read_statements(CAMT053_V02.as_bytes()).unwrap()[0];
    let v04 = &read_statements(CAMT053_V04.as_bytes()).unwrap()[0];
    assert_eq!((v04.opening_balance, v04.closing_balance), (v02.opening_balance, v02.closing_balance));
    assert_eq!((v04.opening_date, v04.closing_date), (date("2024-12-30"), date("2024-12-31")));
}

#[test]
fn a_version_without_its_schema_is_validated_against_the_closest() {
    assert_eq!(Message::Camt053(5).schemas(), [Message::Camt053(4), Message::Camt053(8)]);
    // Invalid for both neighbours: refused with the errors of the closest schema, at the line.
    let bad = CAMT053_V05.replacen("<Amt Ccy=\"EUR\">8.85</Amt>", "<Amt Ccy=\"EUR\">8,85</Amt>", 1);
    let error = read_statements(bad.as_bytes()).unwrap_err();
    let line = CAMT053_V05.lines().position(|l| l.contains("8.85</Amt>")).unwrap() + 1;
    let FileError::Invalid { message, .. } = &error else { panic!("{error}") };
    assert_eq!(*message, Message::Camt053(4));
    assert!(error.to_string().contains(&format!("ligne {line} : élément Amt")), "{error}");
    // The latest versions are recognised and checked against the highest shipped schema.
    let v13 = CAMT053_V05.replace("camt.053.001.05", "camt.053.001.13");
    assert!(matches!(read_statements(v13.as_bytes()), Err(FileError::Invalid { message: Message::Camt053(8), .. })));
}

#[test]
fn camt054_version_04_reads_like_02_without_balances() {
    assert_eq!(values(CAMT054_V04), values(CAMT054_V02));
    let notification = &read_statements(CAMT054_V04.as_bytes()).unwrap()[0];
    assert_eq!(notification.message, Message::Camt054(4));
    assert_eq!((notification.opening_balance, notification.closing_balance), (None, None));
    assert_eq!((notification.opening_date, notification.closing_date), (None, None));
    let json = statement_json(std::slice::from_ref(notification));
    assert!(json["statements"][0]["opening_date"].is_null());
    assert!(json["statements"][0]["balance_difference"].is_null());
}

#[test]
fn camt052_reports_are_read_as_reports() {
    for (xml, message) in [(CAMT052_V02, Message::Camt052(2)), (CAMT052_V08, Message::Camt052(8))] {
        let reports = read_statements(xml.as_bytes()).unwrap();
        assert_eq!(reports[0].message, message);
        assert!(message.is_report() && !message.is_bank_to_customer());
        assert!(!reports[0].entries.is_empty());
    }
    assert_eq!(values(CAMT052_V02).len(), values(CAMT053_V02).len());
}

#[test]
fn cfonb120_reads_balances_and_entries() {
    let statements = read_statements(CFONB.as_bytes()).unwrap();
    assert_eq!(statements.len(), 2);
    let s = &statements[0];
    assert_eq!(s.message, Message::Cfonb120);
    assert_eq!(s.account_iban, None);
    assert_eq!(
        (s.bank_code.as_deref(), s.branch_code.as_deref(), s.account_number.as_deref()),
        (Some("30004"), Some("00031"), Some("00012345678"))
    );
    assert_eq!(s.account_currency.as_deref(), Some("EUR"));
    assert_eq!(
        (s.opening_balance, s.closing_balance),
        (Some(Money::from_cents(100_000)), Some(Money::from_cents(111_385)))
    );
    assert_eq!((s.opening_date, s.closing_date), (date("2024-12-30"), date("2024-12-31")));
    assert_eq!(s.balance_gap(), Some(Money::ZERO));
    let amounts: Vec<String> = s.entries.iter().map(|e| e.signed_amount().to_string()).collect();
    assert_eq!(amounts, ["150.00", "8.85", "-45.00"]);
    let rf = &s.entries[0];
    assert_eq!(rf.debtor_name.as_deref(), Some("MARTIN PIERRE"));
    assert_eq!(rf.end_to_end_id.as_deref(), Some("E2E-MARTIN-0001"));
    assert_eq!(rf.booking_date, date("2024-12-31"));
    assert_eq!(rf.reference.as_deref(), Some("2024123100001"));
    assert!(rf.remittance.as_deref().unwrap().contains("RF09CTX0000042"), "{:?}", rf.remittance);
    assert_eq!(rf.line, 2);
    assert!(rf.is_booked() && rf.is_credit() && !rf.is_return());
    let overdrawn = &statements[1];
    assert_eq!(overdrawn.opening_balance, Some(Money::from_cents(-19_040)));
    assert_eq!(overdrawn.closing_balance, Some(Money::from_cents(-22_261)));
    assert_eq!(overdrawn.line, 12);

    let json = statement_json(&statements);
    let first = &json["statements"][0];
    assert_eq!(first["message"], "cfonb120");
    assert!(first["account_iban"].is_null());
    assert_eq!(first["bank_code"], "30004");
    assert_eq!(first["branch_code"], "00031");
    assert_eq!(first["account_number"], "00012345678");
    assert_eq!(first["opening_balance"], "1000.00");
    assert_eq!(json["statements"][1]["closing_balance"], "-222.61");
    assert_eq!(first["opening_date"], "2024-12-30");
    assert_eq!(first["balance_difference"], "0.00");
    assert_eq!(first["entries"][2]["amount"], "45.00");
    assert_eq!(first["entries"][2]["credit_debit"], "DBIT");
    // The text printed by `statement show` has the same fields as the JSON value.
    let text: serde_json::Value = serde_json::from_str(&statement_json_text(&statements)).unwrap();
    assert_eq!(text, json);
}

#[test]
fn every_format_gives_the_same_statement_fields() {
    let keys = |text: &str| {
        let json = statement_json(&read_statements(text.as_bytes()).unwrap());
        let mut keys: Vec<String> = json["statements"][0].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    let reference = keys(CAMT053_V02);
    for key in ["opening_balance", "closing_balance", "opening_date", "closing_date", "bank_code", "balance_difference"]
    {
        assert!(reference.iter().any(|k| k == key), "{key}: {reference:?}");
    }
    for other in [CAMT053_V04, CAMT054_V04, CAMT052_V08, CFONB] {
        assert_eq!(keys(other), reference);
    }
}

#[test]
fn cfonb120_that_does_not_add_up_shows_the_difference() {
    let statements = read_statements(CFONB_UNBALANCED.as_bytes()).unwrap();
    assert_eq!(statements[0].balance_gap(), Some(Money::from_cents(1_000)));
    assert_eq!(statement_json(&statements)["statements"][0]["balance_difference"], "10.00");
}

#[test]
fn cfonb120_is_read_liberally() {
    // Trailing spaces trimmed, CRLF, blank lines, ISO 8859-1 labels: the same statements.
    let trimmed: String = CFONB.lines().map(|l| format!("{}\r\n\r\n", l.trim_end())).collect();
    assert_eq!(values(&trimmed), values(CFONB));
    let latin1: Vec<u8> =
        CFONB.replace("FRAIS TENUE DE COMPTE", "FRAIS TENUE DE COMPTé").chars().map(|c| c as u8).collect();
    let statements = read_statements(&latin1).unwrap();
    assert_eq!(statements[0].entries[2].additional_info.as_deref(), Some("FRAIS TENUE DE COMPTé"));
    // Records without line breaks, 120 characters each.
    let stream: String = CFONB.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(values(&stream), values(CFONB));
    // The balance records may carry another bank code than the movements.
    let other_bank = CFONB.replacen("0730004    00031", "0730005    00031", 1);
    assert_eq!(read_statements(other_bank.as_bytes()).unwrap().len(), 2);
}

fn refused(text: &str) -> (u32, String) {
    match read_statements(text.as_bytes()).unwrap_err() {
        FileError::Content { line, detail } => (line, detail),
        other => panic!("{other}"),
    }
}

#[test]
fn malformed_cfonb120_is_refused_naming_the_line() {
    let lines: Vec<&str> = CFONB.lines().collect();
    // A movement before any statement.
    let outside = format!("{}\n{CFONB}", lines[1]);
    let (line, detail) = refused(&outside);
    assert_eq!(line, 1);
    assert!(detail.contains("hors d'un relevé"), "{detail}");
    // A statement never closed (the file stops before its 07).
    let unclosed = lines[..13].join("\n");
    let (line, detail) = refused(&unclosed);
    assert_eq!(line, 12);
    assert!(detail.contains("jamais clos"), "{detail}");
    // A new statement before the previous one is closed.
    let mut reopened = lines.clone();
    reopened.remove(9);
    let (line, detail) = refused(&reopened.join("\n"));
    assert_eq!(line, 11);
    assert!(detail.contains("n'est pas clos"), "{detail}");
    // An impossible date (31 February).
    let bad_date =
        CFONB.replacen("0001234567805311224  311224VIR SEPA DUPONT", "0001234567805310224  311224VIR SEPA DUPONT", 1);
    let (line, detail) = refused(&bad_date);
    assert_eq!(line, 6);
    assert!(detail.contains("date d'opération « 310224 » impossible"), "{detail}");
    // A complement without its movement, an unknown record, a line too long, a bad amount.
    let orphan = format!("{}\n{}\n{}", lines[0], lines[2], lines[9]);
    assert_eq!(refused(&orphan).0, 2);
    let unknown = CFONB.replacen("\n04", "\n03", 1);
    assert_eq!(refused(&unknown).0, 2);
    let long = CFONB.replacen("2024123100001   ", "2024123100001   XX", 1);
    assert!(refused(&long).1.contains("122 caractères"));
    let amount = CFONB.replacen("000000000088E", "0000000000*8E", 1);
    assert!(refused(&amount).1.contains("montant"));
}
