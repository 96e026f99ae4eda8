//! The one error type for a file that is read or written: what was wrong, where, in French.

use std::fmt;

use crate::message::Message;

/// One schema violation, as libxml2 reported it, with its line in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// 1-based line of the offending element (0 when libxml2 did not know it).
    pub line: u32,
    /// The reason, French context first (`élément Amt : valeur « 12,5 » invalide …`).
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "ligne {} : {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

/// Why a file was refused. Every message is meant for an officer: it says what is wrong and
/// where (line, element, value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("le fichier est vide")]
    Empty,
    #[error("le fichier est trop volumineux ({size} octets ; au plus {max} octets)")]
    TooLarge { size: usize, max: usize },
    #[error("le fichier n'est pas encodé en UTF-8 (octet invalide à la position {position}) : les fichiers ISO 20022 sont en UTF-8")]
    NotUtf8 { position: usize },
    #[error(
        "le fichier contient une déclaration {declaration} (ligne {line}) : refusé, un fichier ISO 20022 n'en contient \
         jamais et elle pourrait faire lire des fichiers ou des adresses extérieurs (XXE)"
    )]
    Doctype { declaration: &'static str, line: u32 },
    #[error(
        "le fichier imbrique ses éléments sur {depth} niveaux (le seuil de {max} est dépassé à la ligne {line}) : refusé, un \
         relevé ou un avis ISO 20022 en compte moins de 20 ; demandez à la banque un fichier conforme"
    )]
    TooDeep { depth: usize, max: usize, line: u32 },
    #[error("le fichier n'est pas du XML bien formé : ligne {line}, colonne {column} : {detail}")]
    NotXml { line: u32, column: u32, detail: String },
    #[error(
        "ce n'est pas un message ISO 20022 pris en charge : élément racine « {root} », espace de noms « {namespace} » \
         (attendu : camt.052, camt.053 ou camt.054 de la version 001.02 à 001.13, pain.008.001.02/08, pain.001.001.03/09, pain.002.001.03 à 14, ou un relevé CFONB 120)"
    )]
    UnknownMessage { root: String, namespace: String },
    #[error("le fichier est un message {found}, alors qu'un message {expected} est attendu")]
    WrongMessage { expected: String, found: Message },
    #[error("le fichier n'est pas conforme au schéma {message} ({count} erreur(s)) : {}", list_errors(.errors, *.count))]
    Invalid { message: Message, errors: Vec<SchemaError>, count: usize },
    #[error("ligne {line} : {detail}")]
    Content { line: u32, detail: String },
    #[error("erreur interne de validation XML : {0}")]
    Internal(String),
}

/// At most this many schema errors are kept and shown; `count` says how many there were.
pub const MAX_SCHEMA_ERRORS: usize = 10;

fn list_errors(errors: &[SchemaError], count: usize) -> String {
    let mut text = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ; ");
    if count > errors.len() {
        text.push_str(&format!(" ; et {} autre(s)", count - errors.len()));
    }
    text
}
