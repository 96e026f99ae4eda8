//! Intake from core banking: closed accounts and accelerated loans, as a `;`-separated CSV.
//!
//! The format is documented in `docs/formats/accounts-csv.md`. Parsing is all-or-nothing: the
//! first bad line stops it with an error naming the line, the column and the value, and the
//! caller imports nothing from that file.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::case::{
    Breakdown, CaseStatus, Claim, ClaimNature, Employment, FamilySituation, NewCase, OverIndebtedness, Person,
    Protection,
};
use crate::Money;

/// Hard limit on one file, so that a wrong file cannot exhaust memory: split larger intakes.
pub const MAX_LINES: usize = 1_000_000;

/// The columns, in their documented order. Files may order them differently; the header
/// line names them. Required columns are marked `true`.
pub const COLUMNS: &[(&str, bool)] = &[
    ("customer_number", true),
    ("last_name", true),
    ("first_name", true),
    ("birth_date", false),
    ("address", true),
    ("postcode", true),
    ("city", true),
    ("phone", false),
    ("email", false),
    ("iban", false),
    ("family_situation", false),
    ("dependants", false),
    ("employment", false),
    ("employer", false),
    ("monthly_income", false),
    ("monthly_charges", false),
    ("nature", true),
    ("contract_ref", true),
    ("principal", true),
    ("contractual_interest", false),
    ("costs", false),
    ("penalties", false),
    ("contractual_rate", false),
    ("contract_opened_on", false),
    ("due_on", true),
    ("first_incident_on", false),
    ("last_payment_on", false),
    // The debtor's situation (issue 17): set on a new person; for a known person a different
    // value is listed for the officer, never written over the file.
    ("deceased_on", false),
    ("protection", false),
    ("guardian_name", false),
    ("guardian_address", false),
    ("over_indebtedness", false),
    ("over_indebtedness_on", false),
];

/// A bad file: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("ligne {line} : en-tête invalide : {reason}")]
    Header { line: usize, reason: String },
    #[error("ligne {line}, colonne « {column} » : valeur « {value} » refusée : {reason}")]
    Field { line: usize, column: String, value: String, reason: String },
    #[error("ligne {line} : {reason}")]
    Line { line: usize, reason: String },
    #[error("le fichier dépasse {MAX_LINES} lignes : découpez-le")]
    TooLarge,
}

/// Parses a whole file; `today` dates the entry into litigation of new cases.
pub fn parse_accounts(content: &str, today: NaiveDate) -> Result<Vec<NewCase>, IntakeError> {
    read_rows(content, COLUMNS, "docs/formats/accounts-csv.md", |row| row.to_case(today))
}

/// Reads a `;`-separated file with a header line, all or nothing: each non-blank line goes
/// through `to_item`, and the first bad line stops the file with its number (the header is
/// line 1). Shared by the accounts file and the parties file (`intake_parties`).
pub(crate) fn read_rows<T>(
    content: &str,
    columns: &[(&'static str, bool)],
    doc: &str,
    mut to_item: impl FnMut(&Row<'_>) -> Result<T, IntakeError>,
) -> Result<Vec<T>, IntakeError> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').has_headers(false).flexible(true).from_reader(content.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(IntakeError::Header { line: 1, reason: "le fichier est vide".to_string() }),
        Some(Err(error)) => return Err(IntakeError::Header { line: 1, reason: error.to_string() }),
        Some(Ok(header)) => header,
    };
    let positions = header_positions(&header, columns, doc)?;
    let mut items = Vec::new();
    for (index, record) in records.enumerate() {
        let line = index + 2;
        if items.len() >= MAX_LINES {
            return Err(IntakeError::TooLarge);
        }
        let record = record.map_err(|error| IntakeError::Line { line, reason: error.to_string() })?;
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            return Err(IntakeError::Line {
                line,
                reason: format!("{} champs au lieu de {} (séparateur « ; »)", record.len(), header.len()),
            });
        }
        let row = Row { line, record: &record, positions: &positions };
        items.push(to_item(&row)?);
    }
    Ok(items)
}

/// Where each known column is in a file, from its header line; unknown, doubled or missing
/// required columns are refused (a typo would otherwise lose data silently).
pub(crate) fn header_positions(
    header: &csv::StringRecord,
    columns: &[(&'static str, bool)],
    doc: &str,
) -> Result<HashMap<&'static str, usize>, IntakeError> {
    let mut positions: HashMap<&'static str, usize> = HashMap::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim();
        let Some((known, _)) = columns.iter().find(|(column, _)| *column == name) else {
            return Err(IntakeError::Header { line: 1, reason: format!("colonne inconnue « {name} » (voir {doc})") });
        };
        if positions.insert(known, index).is_some() {
            return Err(IntakeError::Header { line: 1, reason: format!("colonne « {name} » en double") });
        }
    }
    for (column, required) in columns {
        if *required && !positions.contains_key(column) {
            return Err(IntakeError::Header { line: 1, reason: format!("colonne obligatoire « {column} » absente") });
        }
    }
    Ok(positions)
}

/// One line of a file, read through its header.
pub(crate) struct Row<'a> {
    pub(crate) line: usize,
    pub(crate) record: &'a csv::StringRecord,
    pub(crate) positions: &'a HashMap<&'static str, usize>,
}

impl Row<'_> {
    pub(crate) fn raw(&self, column: &str) -> &str {
        self.positions.get(column).and_then(|index| self.record.get(*index)).map_or("", str::trim)
    }

    pub(crate) fn error(&self, column: &str, reason: impl Into<String>) -> IntakeError {
        IntakeError::Field {
            line: self.line,
            column: column.to_string(),
            value: self.raw(column).to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn optional(&self, column: &str) -> Option<String> {
        let value = self.raw(column);
        (!value.is_empty()).then(|| value.to_string())
    }

    pub(crate) fn required(&self, column: &str) -> Result<String, IntakeError> {
        self.optional(column).ok_or_else(|| self.error(column, "valeur obligatoire"))
    }

    pub(crate) fn money(&self, column: &str) -> Result<Money, IntakeError> {
        match self.raw(column) {
            "" => Ok(Money::ZERO),
            value => {
                let money: Money =
                    value.parse().map_err(|error: crate::money::MoneyError| self.error(column, error.to_string()))?;
                if money.is_negative() {
                    return Err(self.error(column, "un montant dû ne peut pas être négatif"));
                }
                Ok(money)
            }
        }
    }

    pub(crate) fn date(&self, column: &str) -> Result<Option<NaiveDate>, IntakeError> {
        let value = self.raw(column);
        if value.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(value, "%d/%m/%Y")
            .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"))
            .map(Some)
            .map_err(|_| self.error(column, "date attendue au format JJ/MM/AAAA ou AAAA-MM-JJ"))
    }

    pub(crate) fn coded<T: Copy>(
        &self,
        column: &str,
        from_code: fn(&str) -> Option<T>,
        default: T,
        all: &[T],
        code: fn(T) -> &'static str,
    ) -> Result<T, IntakeError> {
        match self.raw(column) {
            "" => Ok(default),
            value => from_code(value).ok_or_else(|| {
                let allowed: Vec<&str> = all.iter().map(|item| code(*item)).collect();
                self.error(column, format!("valeurs possibles : {}", allowed.join(", ")))
            }),
        }
    }

    fn to_case(&self, today: NaiveDate) -> Result<NewCase, IntakeError> {
        let dependants = match self.raw("dependants") {
            "" => 0,
            value => value
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= 20)
                .ok_or_else(|| self.error("dependants", "nombre entier de 0 à 20 attendu"))?,
        };
        let rate = self.optional("contractual_rate").map(|rate| rate.replace(',', "."));
        if let Some(rate) = &rate {
            if rate.parse::<rust_decimal::Decimal>().is_err() {
                return Err(self.error("contractual_rate", "taux annuel en pourcentage attendu, par exemple 5,90"));
            }
        }
        let due_on = self.date("due_on")?.ok_or_else(|| self.error("due_on", "valeur obligatoire"))?;
        if due_on > today {
            return Err(self.error("due_on", "la date d'exigibilité est dans le futur"));
        }
        let principal = self.money("principal")?;
        if principal.is_zero() {
            return Err(self.error("principal", "le capital dû doit être positif"));
        }
        // A wrong IBAN would mis-match incoming payments for the case's whole life: refuse the file.
        let iban = match self.optional("iban") {
            None => None,
            Some(text) => Some(
                crate::bank_identifiers::Iban::parse(&text)
                    .map_err(|error| self.error("iban", format!("{error} (ISO 13616)")))?
                    .into_string(),
            ),
        };
        let deceased_on = self.date("deceased_on")?;
        if deceased_on.is_some_and(|day| day > today) {
            return Err(self.error("deceased_on", "la date de décès est dans le futur"));
        }
        let protection =
            self.coded("protection", Protection::from_code, Protection::None, Protection::ALL, Protection::code)?;
        let guardian_name = self.optional("guardian_name");
        let guardian_address = self.optional("guardian_address");
        if protection.requires_guardian() && guardian_name.is_none() {
            return Err(self.error("guardian_name", "le nom du tuteur ou curateur est obligatoire pour cette mesure"));
        }
        if protection == Protection::None && (guardian_name.is_some() || guardian_address.is_some()) {
            return Err(self.error("protection", "un tuteur ou curateur est indiqué sans mesure de protection"));
        }
        let over_indebtedness = self.coded(
            "over_indebtedness",
            OverIndebtedness::from_code,
            OverIndebtedness::None,
            OverIndebtedness::ALL,
            OverIndebtedness::code,
        )?;
        let over_indebtedness_on = self.date("over_indebtedness_on")?;
        if over_indebtedness_on.is_some_and(|day| day > today) {
            return Err(self.error("over_indebtedness_on", "la date de la décision est dans le futur"));
        }
        if over_indebtedness_on.is_some() && over_indebtedness == OverIndebtedness::None {
            return Err(self.error("over_indebtedness", "une date de surendettement est donnée sans étape"));
        }
        let debtor = Person {
            customer_number: self.required("customer_number")?,
            last_name: self.required("last_name")?,
            first_name: self.required("first_name")?,
            birth_date: self.date("birth_date")?,
            address_line: self.required("address")?,
            postcode: self.required("postcode")?,
            city: self.required("city")?,
            phone: self.optional("phone"),
            email: self.optional("email"),
            iban,
            family_situation: self.coded(
                "family_situation",
                FamilySituation::from_code,
                FamilySituation::Single,
                FamilySituation::ALL,
                FamilySituation::code,
            )?,
            dependants,
            employment: self.coded(
                "employment",
                Employment::from_code,
                Employment::Employed,
                Employment::ALL,
                Employment::code,
            )?,
            employer: self.optional("employer"),
            monthly_income: self.money("monthly_income")?,
            monthly_charges: self.money("monthly_charges")?,
            deceased_on,
            protection,
            guardian_name,
            guardian_address,
            over_indebtedness,
            ficp_registered: false,
        };
        // The persons table keeps the stage, not its date: the date goes in the case's journal
        // as a note, so the officer sees when the commission or the judge decided.
        let notes = over_indebtedness_on
            .map(|day| {
                vec![format!(
                    "Surendettement signalé par le fichier d'intégration : {} le {}",
                    over_indebtedness.label(),
                    day.format("%d/%m/%Y")
                )]
            })
            .unwrap_or_default();
        let nature =
            self.coded("nature", ClaimNature::from_code, ClaimNature::Overdraft, ClaimNature::ALL, ClaimNature::code)?;
        if self.raw("nature").is_empty() {
            return Err(self.error("nature", "valeur obligatoire"));
        }
        let claim = Claim {
            contract_ref: self.required("contract_ref")?,
            nature,
            amounts: Breakdown {
                principal,
                contractual_interest: self.money("contractual_interest")?,
                statutory_interest: Money::ZERO,
                costs: self.money("costs")?,
                penalties: self.money("penalties")?,
            },
            contractual_rate: rate,
            opened_on: self.date("contract_opened_on")?,
            due_on,
            first_incident_on: self.date("first_incident_on")?,
            last_payment_on: self.date("last_payment_on")?,
        };
        Ok(NewCase {
            debtor,
            parties: Vec::new(),
            claims: vec![claim],
            guarantees: Vec::new(),
            other_accounts: Vec::new(),
            status: CaseStatus::New,
            opened_on: today,
            tags: Vec::new(),
            officer: None,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn parses_decimal_comma_and_french_dates() {
        let file = format!(
            "{HEADER}\nC000000001;Dupont;Jean;3 rue des Lilas;69003;Lyon;overdraft;00012345678;2 340,50;27/08/2026\n"
        );
        let cases = parse_accounts(&file, today()).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].claims[0].amounts.principal, Money::from_cents(234_050));
        assert_eq!(cases[0].claims[0].due_on, NaiveDate::from_ymd_opt(2026, 8, 27).unwrap());
        assert_eq!(cases[0].opened_on, today());
    }

    #[test]
    fn a_bad_amount_names_line_column_and_value() {
        let file = format!(
            "{HEADER}\nC1;Dupont;Jean;3 rue;69003;Lyon;overdraft;A1;100.00;2026-08-27\nC2;Martin;Paul;4 rue;69003;Lyon;overdraft;A2;12,3,4;2026-08-27\n"
        );
        assert_eq!(
            parse_accounts(&file, today()),
            Err(IntakeError::Field {
                line: 3,
                column: "principal".to_string(),
                value: "12,3,4".to_string(),
                reason: "« 12,3,4 » n'est pas un montant (attendu par exemple 1234,56 ou 1234.56)".to_string(),
            })
        );
    }

    #[test]
    fn unknown_nature_lists_the_allowed_codes() {
        let file = format!("{HEADER}\nC1;Dupont;Jean;3 rue;69003;Lyon;lottery;A1;100.00;2026-08-27\n");
        let error = parse_accounts(&file, today()).unwrap_err().to_string();
        assert!(error.contains("ligne 2"), "{error}");
        assert!(error.contains("overdraft, personal_loan"), "{error}");
    }

    #[test]
    fn a_missing_required_column_is_refused() {
        let file = "customer_number;last_name\nC1;Dupont\n";
        assert!(matches!(parse_accounts(file, today()), Err(IntakeError::Header { line: 1, .. })));
    }

    #[test]
    fn a_bad_iban_names_line_column_and_value() {
        let file = format!(
            "{HEADER};iban\nC1;Dupont;Jean;3 rue;69003;Lyon;overdraft;A1;100.00;2026-08-27;FR76 3000 6000 0112 3456 7890 189\n\
             C2;Martin;Paul;4 rue;69003;Lyon;overdraft;A2;100.00;2026-08-27;NOT-AN-IBAN\n"
        );
        match parse_accounts(&file, today()) {
            Err(IntakeError::Field { line, column, value, .. }) => {
                assert_eq!((line, column.as_str(), value.as_str()), (3, "iban", "NOT-AN-IBAN"));
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        let wrong_digit = file.replace("NOT-AN-IBAN", "FR7630006000011234567890188");
        assert!(matches!(parse_accounts(&wrong_digit, today()), Err(IntakeError::Field { line: 3, .. })));
        let good = file.replace("NOT-AN-IBAN", "");
        let cases = parse_accounts(&good, today()).unwrap();
        assert_eq!(cases[0].debtor.iban.as_deref(), Some("FR7630006000011234567890189"));
    }

    #[test]
    fn situation_columns_are_read_and_their_codes_checked() {
        let header = format!(
            "{HEADER};deceased_on;protection;guardian_name;guardian_address;over_indebtedness;over_indebtedness_on"
        );
        let file = format!(
            "{header}\nC1;Dupont;Jean;3 rue;69003;Lyon;overdraft;A1;100.00;2026-08-27;;safeguard;Me Durand;1 place Bellecour 69002 Lyon;personal_recovery;2026-10-01\n\
             C2;Martin;Paul;4 rue;69003;Lyon;overdraft;A2;100.00;2026-08-27;12/09/2026;;;;;\n"
        );
        let cases = parse_accounts(&file, today()).unwrap();
        assert_eq!(cases[0].debtor.protection, Protection::Safeguard);
        assert_eq!(cases[0].debtor.guardian_name.as_deref(), Some("Me Durand"));
        assert_eq!(cases[0].debtor.over_indebtedness, OverIndebtedness::PersonalRecovery);
        assert!(cases[0].notes[0].contains("01/10/2026"), "{:?}", cases[0].notes);
        assert_eq!(cases[1].debtor.deceased_on, NaiveDate::from_ymd_opt(2026, 9, 12));
        assert_eq!(cases[1].debtor.protection, Protection::None);
        let bad = file.replace("safeguard", "house_arrest");
        match parse_accounts(&bad, today()) {
            Err(IntakeError::Field { line: 2, column, reason, .. }) => {
                assert_eq!(column, "protection");
                assert!(reason.contains("safeguard"), "{reason}");
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        let no_guardian = file.replace("safeguard", "curatorship").replace("Me Durand", "");
        assert!(matches!(parse_accounts(&no_guardian, today()), Err(IntakeError::Field { line: 2, .. })));
    }

    #[test]
    fn a_future_due_date_is_refused() {
        let file = format!("{HEADER}\nC1;Dupont;Jean;3 rue;69003;Lyon;overdraft;A1;100.00;2027-01-01\n");
        assert!(matches!(parse_accounts(&file, today()), Err(IntakeError::Field { line: 2, .. })));
    }
}
