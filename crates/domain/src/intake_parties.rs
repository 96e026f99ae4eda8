//! Intake's companion file: the parties (co-debtors, guarantors), guarantees, other accounts at
//! the bank and instalment schedules of the claims of the accounts file, as a `;`-separated CSV
//! keyed by contract reference (issue 17, part 8).
//!
//! The format is documented in `docs/formats/parties-csv.md`. Like the accounts file, parsing is
//! all-or-nothing: the first bad line stops it with an error naming the line, the column and the
//! value. Whether a contract reference or customer number is known is the store's question.

use chrono::NaiveDate;

use crate::bank_identifiers::{Bic, Iban, MandateReference};
use crate::case::{
    AccountKind, Employment, FamilySituation, Guarantee, GuaranteeKind, OtherAccount, OverIndebtedness, PartyRole,
    Person, Protection,
};
use crate::intake::{read_rows, IntakeError, Row};
use crate::Money;

/// The columns, in their documented order; only `record` is required in the header, each
/// record type requires its own (see [`Record`]).
pub const COLUMNS: &[(&str, bool)] = &[
    ("record", true),
    ("contract_ref", false),
    ("role", false),
    ("customer_number", false),
    ("last_name", false),
    ("first_name", false),
    ("birth_date", false),
    ("address", false),
    ("postcode", false),
    ("city", false),
    ("phone", false),
    ("email", false),
    ("kind", false),
    ("description", false),
    ("amount", false),
    ("guarantor_body", false),
    ("account_number", false),
    ("balance", false),
    ("due_on", false),
    // The SEPA mandate of a `mandate` record (issue 21).
    ("rum", false),
    ("iban", false),
    ("bic", false),
    ("signed_on", false),
    ("sequence", false),
];

/// The record types of the `record` column.
pub const RECORD_TYPES: &[&str] = &["party", "guarantee", "account", "schedule", "mandate"];

/// One line of the parties file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A co-debtor or guarantor of the case holding the claim `contract_ref`.
    Party { contract_ref: String, role: PartyRole, person: Box<Person> },
    /// A guarantee securing the claim `contract_ref`.
    Guarantee { contract_ref: String, guarantee: Guarantee },
    /// Another account of the person `customer_number` at the bank.
    Account { customer_number: String, account: OtherAccount },
    /// One instalment of the instalment loan `contract_ref`.
    Schedule { contract_ref: String, due_on: NaiveDate, amount: Money },
    /// The SEPA Core mandate the debtor of the claim `contract_ref` signed: its reference, IBAN
    /// and BIC checked by [`crate::bank_identifiers`].
    Mandate { contract_ref: String, mandate: Box<MandateRecord> },
}

/// A mandate of the parties file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MandateRecord {
    pub rum: MandateReference,
    pub iban: Iban,
    pub bic: Option<Bic>,
    pub signed_on: NaiveDate,
    /// A mandate for one collection (`OOFF`) rather than a series.
    pub one_off: bool,
}

/// A record and the file line it came from, so that the store's refusals can name the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub line: usize,
    pub record: Record,
}

impl Line {
    /// The key the store looks up for this record: which column, and its value.
    pub fn key(&self) -> (&'static str, &str) {
        match &self.record {
            Record::Party { contract_ref, .. }
            | Record::Guarantee { contract_ref, .. }
            | Record::Schedule { contract_ref, .. }
            | Record::Mandate { contract_ref, .. } => ("contract_ref", contract_ref),
            Record::Account { customer_number, .. } => ("customer_number", customer_number),
        }
    }
}

/// Parses a whole parties file.
pub fn parse_parties(content: &str) -> Result<Vec<Line>, IntakeError> {
    read_rows(content, COLUMNS, "docs/formats/parties-csv.md", |row| {
        Ok(Line { line: row.line, record: to_record(row)? })
    })
}

fn to_record(row: &Row<'_>) -> Result<Record, IntakeError> {
    match row.raw("record") {
        "party" => {
            let role = row.coded("role", PartyRole::from_code, PartyRole::Debtor, PartyRole::ALL, PartyRole::code)?;
            // The debtor comes from the accounts file; this file adds the others.
            if !matches!(role, PartyRole::CoDebtor | PartyRole::Guarantor) {
                return Err(row.error("role", "valeurs possibles : co_debtor, guarantor"));
            }
            let person = Person {
                customer_number: row.required("customer_number")?,
                last_name: row.required("last_name")?,
                first_name: row.required("first_name")?,
                birth_date: row.date("birth_date")?,
                address_line: row.required("address")?,
                postcode: row.required("postcode")?,
                city: row.required("city")?,
                phone: row.optional("phone"),
                email: row.optional("email"),
                iban: None,
                family_situation: FamilySituation::Single,
                dependants: 0,
                employment: Employment::Employed,
                employer: None,
                monthly_income: Money::ZERO,
                monthly_charges: Money::ZERO,
                deceased_on: None,
                protection: Protection::None,
                guardian_name: None,
                guardian_address: None,
                over_indebtedness: OverIndebtedness::None,
                ficp_registered: false,
            };
            Ok(Record::Party { contract_ref: row.required("contract_ref")?, role, person: Box::new(person) })
        }
        "guarantee" => {
            if row.raw("kind").is_empty() {
                return Err(row.error("kind", "valeur obligatoire"));
            }
            let kind = row.coded(
                "kind",
                GuaranteeKind::from_code,
                GuaranteeKind::PersonalSurety,
                GuaranteeKind::ALL,
                GuaranteeKind::code,
            )?;
            let mut description = row.required("description")?;
            // A guarantee body (a mutual guarantee company, Crédit Logement…) is called, then
            // subrogated: the officer needs its name to call it.
            match (kind, row.optional("guarantor_body")) {
                (GuaranteeKind::GuaranteeBody, None) => {
                    return Err(row.error("guarantor_body", "le nom de l'organisme de caution est obligatoire"));
                }
                (_, Some(body)) => description = format!("{description} — organisme : {body}"),
                (_, None) => {}
            }
            let amount = row.money("amount")?;
            Ok(Record::Guarantee {
                contract_ref: row.required("contract_ref")?,
                guarantee: Guarantee { kind, description, amount },
            })
        }
        "account" => {
            if row.raw("kind").is_empty() {
                return Err(row.error("kind", "valeur obligatoire"));
            }
            let kind =
                row.coded("kind", AccountKind::from_code, AccountKind::Current, AccountKind::ALL, AccountKind::code)?;
            let balance = match row.raw("balance") {
                "" => Money::ZERO,
                // An account's balance may be negative (an overdraft).
                value => {
                    value.parse().map_err(|error: crate::money::MoneyError| row.error("balance", error.to_string()))?
                }
            };
            Ok(Record::Account {
                customer_number: row.required("customer_number")?,
                account: OtherAccount { kind, account_number: row.required("account_number")?, balance },
            })
        }
        "schedule" => {
            let due_on = row.date("due_on")?.ok_or_else(|| row.error("due_on", "valeur obligatoire"))?;
            let amount = row.money("amount")?;
            if amount.is_zero() {
                return Err(row.error("amount", "le montant de l'échéance doit être positif"));
            }
            Ok(Record::Schedule { contract_ref: row.required("contract_ref")?, due_on, amount })
        }
        "mandate" => {
            // Checked where every IBAN, BIC and RUM is (issue 21): a wrong one would make the
            // bank reject every collection of the plan.
            let rum =
                MandateReference::parse(&row.required("rum")?).map_err(|error| row.error("rum", error.to_string()))?;
            let iban =
                Iban::parse_sepa(&row.required("iban")?).map_err(|error| row.error("iban", error.to_string()))?;
            let bic = match row.optional("bic") {
                None => None,
                Some(bic) => Some(Bic::parse(&bic).map_err(|error| row.error("bic", error.to_string()))?),
            };
            let signed_on = row.date("signed_on")?.ok_or_else(|| row.error("signed_on", "valeur obligatoire"))?;
            let one_off = match row.raw("sequence") {
                "" | "recurrent" => false,
                "one_off" => true,
                _ => return Err(row.error("sequence", "valeurs possibles : recurrent, one_off")),
            };
            Ok(Record::Mandate {
                contract_ref: row.required("contract_ref")?,
                mandate: Box::new(MandateRecord { rum, iban, bic, signed_on, one_off }),
            })
        }
        "" => Err(row.error("record", "valeur obligatoire")),
        _ => Err(row.error("record", format!("valeurs possibles : {}", RECORD_TYPES.join(", ")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "record;contract_ref;role;customer_number;last_name;first_name;address;postcode;city;kind;description;amount;guarantor_body;account_number;balance;due_on";

    #[test]
    fn reads_each_record_type() {
        let file = format!(
            "{HEADER}\n\
             party;L1;guarantor;G1;Durand;Marie;2 rue Neuve;69003;Lyon;;;;;;;\n\
             guarantee;L1;;;;;;;;guarantee_body;Caution mutuelle;12 000,00;Crédit Logement;;;\n\
             account;;;C1;;;;;;livret_a;;;;FR-LA-1;-12,50;\n\
             schedule;L1;;;;;;;;;;350,00;;;;05/01/2026\n"
        );
        let lines = parse_parties(&file).unwrap();
        assert_eq!(lines.len(), 4);
        assert!(
            matches!(&lines[0].record, Record::Party { role: PartyRole::Guarantor, person, .. } if person.customer_number == "G1")
        );
        match &lines[1].record {
            Record::Guarantee { guarantee, .. } => {
                assert_eq!(guarantee.kind, GuaranteeKind::GuaranteeBody);
                assert_eq!(guarantee.amount, Money::from_cents(1_200_000));
                assert!(guarantee.description.contains("Crédit Logement"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&lines[2].record, Record::Account { account, .. } if account.balance == Money::from_cents(-1_250))
        );
        assert_eq!(lines[3].line, 5);
        assert_eq!(lines[3].key(), ("contract_ref", "L1"));
    }

    #[test]
    fn an_unknown_record_type_names_line_and_value() {
        let file =
            format!("{HEADER}\nparty;L1;guarantor;G1;Durand;Marie;2 rue;69003;Lyon;;;;;;;\nloan;L1;;;;;;;;;;;;;;\n");
        match parse_parties(&file) {
            Err(IntakeError::Field { line, column, value, reason }) => {
                assert_eq!((line, column.as_str(), value.as_str()), (3, "record", "loan"));
                assert!(reason.contains("party, guarantee, account, schedule, mandate"), "{reason}");
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_mandate_has_its_rum_iban_and_bic_checked_naming_line_and_column() {
        let header = "record;contract_ref;rum;iban;bic;signed_on;sequence";
        let good =
            format!("{header}\nmandate;L1;RUM-L1-01;FR76 3000 6000 0112 3456 7890 189;agrifrpp882;02/01/2026;\n");
        match &parse_parties(&good).unwrap()[0].record {
            Record::Mandate { contract_ref, mandate } => {
                assert_eq!(contract_ref, "L1");
                assert_eq!(mandate.iban.as_str(), "FR7630006000011234567890189");
                assert_eq!(mandate.bic.as_ref().map(Bic::as_str), Some("AGRIFRPP882"));
                assert!(!mandate.one_off);
            }
            other => panic!("{other:?}"),
        }
        for (line, column, value) in [
            ("mandate;L1;RUM-L1-01;NOT-AN-IBAN;;02/01/2026;", "iban", "NOT-AN-IBAN"),
            ("mandate;L1;RUM-L1-01;TR330006100519786457841326;;02/01/2026;", "iban", "TR330006100519786457841326"),
            ("mandate;L1;RUM-L1-01;FR7630006000011234567890189;BNP;02/01/2026;", "bic", "BNP"),
            ("mandate;L1;RUM L1;FR7630006000011234567890189;;02/01/2026;", "rum", "RUM L1"),
            ("mandate;L1;RUM-L1;FR7630006000011234567890189;;;", "signed_on", ""),
            ("mandate;L1;RUM-L1;FR7630006000011234567890189;;02/01/2026;monthly", "sequence", "monthly"),
        ] {
            match parse_parties(&format!("{header}\n{line}\n")) {
                Err(IntakeError::Field { line: 2, column: c, value: v, .. }) => {
                    assert_eq!((c.as_str(), v.as_str()), (column, value))
                }
                other => panic!("{line}: expected a field error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_bad_role_is_refused_and_the_debtor_is_not_a_party_role_here() {
        for role in ["uncle", "debtor"] {
            let file = format!("{HEADER}\nparty;L1;{role};G1;Durand;Marie;2 rue;69003;Lyon;;;;;;;\n");
            match parse_parties(&file) {
                Err(IntakeError::Field { line: 2, column, value, .. }) => {
                    assert_eq!((column.as_str(), value.as_str()), ("role", role));
                }
                other => panic!("expected a field error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_guarantee_body_needs_its_name_and_an_unknown_column_is_refused() {
        let file = format!("{HEADER}\nguarantee;L1;;;;;;;;guarantee_body;Caution;100;;;;\n");
        assert!(
            matches!(parse_parties(&file), Err(IntakeError::Field { line: 2, ref column, .. }) if column == "guarantor_body")
        );
        assert!(matches!(parse_parties("record;colour\nparty;red\n"), Err(IntakeError::Header { line: 1, .. })));
    }
}
