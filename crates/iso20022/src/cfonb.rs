//! CFONB 120 « relevé de compte » (brief §5.6): the fixed-width statement French banks still
//! send next to, or instead of, camt.053. Read into the same [`Statement`]s and [`Entry`]s as a
//! camt, so that it is shown, checked and booked the same way.
//!
//! Records, 120 characters each: `01` old balance, `04` movement, `05` complement of the
//! movement before it, `07` new balance; a statement is a `01`, its `04`/`05`, and its `07`,
//! for one account. Amounts are right-aligned digits whose last character carries both the last
//! digit and the sign (`{`, `A`–`I`: +0, +1…+9; `}`, `J`–`R`: −0, −1…−9), with the number of
//! decimals in column 20. Dates are JJMMAA.
//!
//! Liberal in what banks actually send, strict on what changes money:
//! - blank lines are skipped; a line shorter than 120 characters (trailing spaces trimmed by a
//!   transfer) is padded; a file without line breaks is cut every 120 characters; bytes that are
//!   not UTF-8 are read as ISO 8859-1 (the encoding of older bank systems);
//! - the bank code may differ between records of one statement (some banks put the code of the
//!   branch that keeps the account on the balances and the operating bank's on movements);
//! - `05` complements are read with their qualifier in columns 46–48 (as banks send them) or
//!   at 49–51 (as some descriptions put it);
//! - but a movement outside a statement, a complement without its movement, a new statement
//!   before the previous one is closed, a statement never closed, an unknown record, a line
//!   over 120 characters, an impossible date or an unreadable amount refuse the whole file,
//!   naming the line. Whether the balances add up is for the caller ([`Statement::balance_gap`]).

use chrono::NaiveDate;
use recouvre_domain::Money;

use crate::camt::{number_occurrences, CreditDebit, Entry, Statement};
use crate::error::FileError;
use crate::message::Message;

/// Length of a CFONB 120 record.
pub const RECORD_LENGTH: usize = 120;

/// Whether `bytes` look like a CFONB 120 file rather than XML: the first non-blank line starts
/// with a record code (`01`, `04`, `05`, `07`) followed by a digit (the bank code).
pub fn looks_like_cfonb120(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(rest) = start.map(|at| &bytes[at..]) else { return false };
    rest.len() >= 3
        && matches!(&rest[..2], b"01" | b"04" | b"05" | b"07")
        && (rest[2].is_ascii_digit() || rest[2] == b' ')
}

/// One record: its 1-based line and its 120 characters.
struct Record {
    line: u32,
    chars: Vec<char>,
}

impl Record {
    /// Columns `from..=to` (1-based, as in the specification), as written.
    fn raw(&self, from: usize, to: usize) -> String {
        self.chars[from - 1..to].iter().collect()
    }

    /// Columns `from..=to`, trimmed; `None` when blank.
    fn text(&self, from: usize, to: usize) -> Option<String> {
        let text = self.raw(from, to).trim().to_string();
        (!text.is_empty()).then_some(text)
    }

    fn code(&self) -> String {
        self.raw(1, 2)
    }

    fn error(&self, detail: impl Into<String>) -> FileError {
        FileError::Content { line: self.line, detail: detail.into() }
    }

    /// The JJMMAA date in columns `from..from+5`, `None` when blank; an impossible date is an
    /// error naming the field.
    fn date(&self, from: usize, field: &str) -> Result<Option<NaiveDate>, FileError> {
        let raw = self.raw(from, from + 5);
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let parsed = (raw.chars().all(|c| c.is_ascii_digit()))
            .then(|| {
                let number = |at: usize| raw[at..at + 2].parse::<u32>().ok();
                let (day, month, year) = (number(0)?, number(2)?, number(4)?);
                // Two-digit years: 70–99 are the 1900s, 00–69 the 2000s.
                let year = if year >= 70 { 1900 + year } else { 2000 + year };
                NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
            })
            .flatten();
        parsed.map(Some).ok_or_else(|| {
            self.error(format!(
                "{field} « {raw} » impossible (colonnes {from} à {}, JJMMAA attendu) ; fichier refusé, demandez à la \
                 banque un relevé corrigé",
                from + 5
            ))
        })
    }

    /// The signed amount in columns 91–104, with the number of decimals of column 20.
    fn amount(&self) -> Result<Money, FileError> {
        let raw = self.raw(91, 104);
        let refuse = |why: &str| {
            self.error(format!(
                "montant « {raw} » illisible (colonnes 91 à 104) : {why} ; fichier refusé, demandez à la banque un \
                 relevé corrigé"
            ))
        };
        let decimals = self.raw(20, 20).trim().parse::<u32>().unwrap_or(2);
        let trimmed = raw.trim();
        let (body, last) = match trimmed.char_indices().last() {
            Some((at, last)) => (&trimmed[..at], last),
            None => return Err(refuse("zone vide")),
        };
        let (negative, digit) = match last {
            '{' => (false, 0),
            '}' => (true, 0),
            'A'..='I' => (false, last as u32 - 'A' as u32 + 1),
            'J'..='R' => (true, last as u32 - 'J' as u32 + 1),
            // Some systems write a plain last digit: a positive amount.
            '0'..='9' => (false, last as u32 - '0' as u32),
            _ => return Err(refuse("dernier caractère hors de « { A-I } J-R »")),
        };
        if !body.chars().all(|c| c.is_ascii_digit()) {
            return Err(refuse("chiffres attendus"));
        }
        let whole: i128 = if body.is_empty() { 0 } else { body.parse().map_err(|_| refuse("trop de chiffres"))? };
        let units = whole * 10 + i128::from(digit);
        let cents = match decimals {
            0..=2 => units * 10i128.pow(2 - decimals),
            3..=9 => {
                let divisor = 10i128.pow(decimals - 2);
                if units % divisor != 0 {
                    return Err(refuse("fraction de centime"));
                }
                units / divisor
            }
            _ => return Err(refuse("nombre de décimales (colonne 20) invalide")),
        };
        let cents = i64::try_from(cents).map_err(|_| refuse("montant trop grand"))?;
        Ok(Money::from_cents(if negative { -cents } else { cents }))
    }
}

/// The records of a file, with their line numbers; blank lines skipped.
fn records(bytes: &[u8]) -> Result<Vec<Record>, FileError> {
    let text: String = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        // ISO 8859-1: every byte is the character of the same code.
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    };
    let lines: Vec<String> = if !text.contains('\n') && !text.contains('\r') && text.chars().count() > RECORD_LENGTH {
        let chars: Vec<char> = text.chars().collect();
        chars.chunks(RECORD_LENGTH).map(|chunk| chunk.iter().collect()).collect()
    } else {
        text.split('\n').map(|line| line.trim_end_matches('\r').to_string()).collect()
    };
    let mut records = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let line_number = index as u32 + 1;
        let content = line.trim_end();
        if content.is_empty() {
            continue;
        }
        let mut chars: Vec<char> = content.chars().collect();
        if chars.len() > RECORD_LENGTH {
            return Err(FileError::Content {
                line: line_number,
                detail: format!(
                    "la ligne fait {} caractères, un enregistrement CFONB 120 en a {RECORD_LENGTH} ; fichier refusé",
                    chars.len()
                ),
            });
        }
        chars.resize(RECORD_LENGTH, ' ');
        records.push(Record { line: line_number, chars });
    }
    if records.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(records)
}

/// A statement being read: its `01`, its entries so far.
struct Open {
    statement: Statement,
    /// Complements (`05`) of the last movement can still come.
    has_movement: bool,
}

/// Reads every statement of a CFONB 120 file. All or nothing: the first structural fault
/// refuses the file, naming its line.
pub fn read_cfonb120(bytes: &[u8]) -> Result<Vec<Statement>, FileError> {
    let mut statements = Vec::new();
    let mut open: Option<Open> = None;
    for record in records(bytes)? {
        match record.code().as_str() {
            "01" => {
                if let Some(previous) = &open {
                    return Err(record.error(format!(
                        "nouveau relevé (enregistrement 01) alors que le relevé commencé ligne {} n'est pas clos par \
                         un enregistrement 07 ; fichier tronqué ou mal assemblé, refusé",
                        previous.statement.line
                    )));
                }
                open = Some(Open { statement: opening(&record)?, has_movement: false });
            }
            "04" => {
                let Some(current) = open.as_mut() else {
                    return Err(record.error(
                        "mouvement (enregistrement 04) hors d'un relevé : aucun solde d'ouverture (01) ne le précède ; \
                         fichier refusé",
                    ));
                };
                let index = current.statement.entries.len() as u32;
                current.statement.entries.push(movement(&record, index)?);
                current.has_movement = true;
            }
            "05" => {
                let current = open.as_mut().filter(|current| current.has_movement);
                let Some(entry) = current.and_then(|current| current.statement.entries.last_mut()) else {
                    return Err(record.error(
                        "complément (enregistrement 05) sans mouvement (04) qui le précède dans le relevé ; fichier \
                         refusé",
                    ));
                };
                complement(&record, entry);
            }
            "07" => {
                let Some(current) = open.take() else {
                    return Err(record.error(
                        "nouveau solde (enregistrement 07) sans solde d'ouverture (01) qui le précède ; fichier refusé",
                    ));
                };
                let mut statement = current.statement;
                statement.closing_balance = Some(record.amount()?);
                statement.closing_date = record.date(35, "date du nouveau solde")?;
                number_occurrences(&mut statement.entries);
                statements.push(statement);
            }
            other => {
                return Err(record.error(format!(
                    "enregistrement « {other} » inconnu : un relevé CFONB 120 n'a que des enregistrements 01, 04, 05 \
                     et 07 ; fichier refusé"
                )))
            }
        }
    }
    if let Some(unclosed) = open {
        return Err(FileError::Content {
            line: unclosed.statement.line,
            detail: "relevé jamais clos : le solde d'ouverture (01) de cette ligne n'a pas de nouveau solde (07) ; \
                     fichier tronqué, refusé"
                .to_string(),
        });
    }
    Ok(statements)
}

fn opening(record: &Record) -> Result<Statement, FileError> {
    let bank = record.text(3, 7);
    let branch = record.text(12, 16);
    let account = record.text(22, 32);
    let date = record.date(35, "date de l'ancien solde")?;
    let statement_id = format!(
        "{}-{}-{}-{}",
        bank.as_deref().unwrap_or(""),
        branch.as_deref().unwrap_or(""),
        account.as_deref().unwrap_or(""),
        date.map(|d| d.format("%Y%m%d").to_string()).unwrap_or_default()
    );
    Ok(Statement {
        message: Message::Cfonb120,
        message_id: String::new(),
        statement_id,
        account_iban: None,
        account_currency: record.text(17, 19),
        created_at: None,
        opening_balance: Some(record.amount()?),
        closing_balance: None,
        opening_date: date,
        closing_date: None,
        bank_code: bank,
        branch_code: branch,
        account_number: account,
        line: record.line,
        entries: Vec::new(),
    })
}

fn movement(record: &Record, entry_index: u32) -> Result<Entry, FileError> {
    let signed = record.amount()?;
    let credit_debit = if signed.cents() < 0 { CreditDebit::Dbit } else { CreditDebit::Crdt };
    let label = record.text(49, 79);
    let reference = record.text(105, 120);
    Ok(Entry {
        amount: if signed.cents() < 0 { -signed } else { signed },
        currency: record.text(17, 19).unwrap_or_default(),
        credit_debit,
        booking_date: record.date(35, "date d'opération")?,
        value_date: record.date(43, "date de valeur")?,
        reference: reference.clone(),
        end_to_end_id: None,
        debtor_name: None,
        debtor_iban: None,
        debtor_country: None,
        remittance: label.clone(),
        creditor_reference: None,
        return_reason: record.text(41, 42),
        mandate_id: None,
        is_reversal: false,
        bank_transaction_code: record.text(33, 34).map(|code| format!("CFONB/{code}")),
        cash: false,
        status: Some("BOOK".to_string()),
        additional_info: label,
        entry_reference: reference,
        account_servicer_reference: None,
        transaction_reference: None,
        transaction_id: None,
        entry_index,
        detail_index: None,
        detail_count: 0,
        occurrence: 0,
        line: record.line,
    })
}

/// A `05` record adds to the movement before it: `NPY` the payer's name, `RCN` the client's
/// (end-to-end) reference, `LIB`/`LCC`/`LC2`/`LCS` more remittance text; other qualifiers
/// (`MMO` original amount, `IPY` payer's identifier…) are kept in the remittance too, so that
/// nothing the bank sent is lost on screen.
fn complement(record: &Record, entry: &mut Entry) {
    let (qualifier, text) = match record.text(46, 48) {
        Some(qualifier) if qualifier.len() == 3 => (qualifier, record.text(49, 120)),
        _ => (record.raw(49, 51), record.text(52, 120)),
    };
    let Some(text) = text else { return };
    match qualifier.as_str() {
        "NPY" => entry.debtor_name = Some(text),
        "RCN" => {
            let id: String = text.chars().take(35).collect();
            entry.end_to_end_id = Some(id.trim().to_string());
            append(&mut entry.remittance, &text);
        }
        "MMO" | "IPY" | "IBE" | "NBE" | "NBU" | "NPO" => {}
        _ => append(&mut entry.remittance, &text),
    }
}

fn append(target: &mut Option<String>, text: &str) {
    *target = Some(match target.take() {
        Some(before) => format!("{before} {text}"),
        None => text.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> Record {
        let mut chars: Vec<char> = text.chars().collect();
        chars.resize(RECORD_LENGTH, ' ');
        Record { line: 7, chars }
    }

    #[test]
    fn amounts_carry_sign_and_last_digit_in_their_last_character() {
        let with = |amount: &str, decimals: char| {
            let mut line = format!("01{:<17}{decimals}", "");
            line = format!("{line:<90}{amount:>14}");
            record(&line).amount()
        };
        assert_eq!(with("0000000001904}", '2'), Ok(Money::from_cents(-19_040)));
        assert_eq!(with("0000000166956E", '2'), Ok(Money::from_cents(1_669_565)));
        assert_eq!(with("0000000000227R", '2'), Ok(Money::from_cents(-2_279)));
        assert_eq!(with("0000000000010{", '2'), Ok(Money::from_cents(100)));
        assert_eq!(with("0000000000012A", '0'), Ok(Money::from_cents(12_100)));
        assert_eq!(with("0000000000012{", '3'), Ok(Money::from_cents(12)));
        assert!(with("0000000000012A", '3').is_err(), "a fraction of a cent");
        assert!(with("00000000000X2A", '2').is_err());
        assert!(with("0000000000012*", '2').is_err());
    }

    #[test]
    fn impossible_dates_name_the_field() {
        let line = format!("{:<34}310219", "01");
        let error = record(&line).date(35, "date de l'ancien solde").unwrap_err();
        assert!(error.to_string().starts_with("ligne 7 : date de l'ancien solde « 310219 » impossible"), "{error}");
        let line = format!("{:<34}150519", "01");
        assert_eq!(record(&line).date(35, "x"), Ok(NaiveDate::from_ymd_opt(2019, 5, 15)));
    }

    #[test]
    fn detection_by_content() {
        assert!(looks_like_cfonb120(b"\n0115589    00000EUR2"));
        assert!(looks_like_cfonb120(b"0415589"));
        assert!(!looks_like_cfonb120(b"<?xml version=\"1.0\"?>"));
        assert!(!looks_like_cfonb120(b"Date;Montant"));
        assert!(!looks_like_cfonb120(b"   "));
    }
}
