//! The entries of the list and their file format: columns, fields and their checks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::names::normalize_name;

/// The columns of the file, in the documented order (their order in a file is free).
pub const COLUMNS: [&str; 6] = ["id", "name", "aliases", "birth_date", "country", "source"];

/// Separator of the aliases inside the `aliases` column.
pub const ALIAS_SEPARATOR: char = '|';

/// A person or entity on the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsEntry {
    /// Identifier in the bank's export (unique in the list), e.g. the register's reference.
    pub id: String,
    /// The main name, as written in the list.
    pub name: String,
    /// Other names and spellings (aka).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    /// ISO 3166-1 alpha-2 code, in capitals (nationality or country of the entity).
    #[serde(default)]
    pub country: Option<String>,
    /// Where the entry comes from (register, regulation, decision), free text.
    #[serde(default)]
    pub source: Option<String>,
}

impl SanctionsEntry {
    /// The names the entry is known by: its name, then its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A payer name that matches an entry of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsMatch {
    pub entry_id: String,
    pub entry_name: String,
    /// The entry's name or alias that matched, as written in the list.
    pub matched_name: String,
    /// Similarity of the payer name with `matched_name`, 0–100 (see the module doc).
    pub score_percent: u8,
    /// What compliance checks next to tell a namesake from the listed person.
    pub birth_date: Option<NaiveDate>,
    pub country: Option<String>,
}

/// A list refused: the file, the line (the header is line 1), the field and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SanctionsError {
    #[error("{file}, ligne {line} : {reason}")]
    Line { file: String, line: u64, reason: String },
    #[error("{file}, ligne {line}, champ {field} : « {value} » {reason}")]
    Field { file: String, line: u64, field: String, value: String, reason: String },
    /// An entry refused by [`SanctionsList::from_entries`](super::SanctionsList::from_entries) (no line: the
    /// entries come from storage).
    #[error("liste de gel, entrée « {id} », champ {field} : « {value} » {reason}")]
    Entry { id: String, field: String, value: String, reason: String },
}

pub(super) fn check_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("est vide : l'identifiant est obligatoire".to_string());
    }
    Ok(())
}

pub(super) fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("est vide : le nom est obligatoire".to_string());
    }
    if normalize_name(name).is_empty() {
        return Err("ne contient aucun mot (ni lettre ni chiffre)".to_string());
    }
    Ok(())
}

pub(super) fn parse_birth_date(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| if index == 4 || index == 7 { *byte == b'-' } else { byte.is_ascii_digit() });
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if shaped => Ok(Some(date)),
        _ => Err("n'est pas une date AAAA-MM-JJ".to_string()),
    }
}

/// `text` already in capitals when it comes from a file.
pub(super) fn parse_country(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_uppercase()) {
        Ok(Some(text.to_string()))
    } else {
        Err("n'est pas un code pays ISO 3166 à deux lettres (FR, DE…)".to_string())
    }
}
