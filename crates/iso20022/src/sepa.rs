//! SEPA identifiers and their checks: IBAN (ISO 13616), BIC (ISO 9362), SEPA creditor
//! identifier (ICS, EPC262), mandate reference (RUM), ISO 11649 creditor reference ("RF…"), and
//! the SEPA Latin character set of the EPC implementation guidelines.
//!
//! The bank identifiers (IBAN, BIC, ICS, RF) are checked by `recouvre_domain::bank_identifiers`,
//! the one place for every entry point; the functions here are its string-returning forms.
//!
//! Every check normalises what people type (spaces, lower case) and returns the electronic
//! form, or a typed error whose message, in French, names the value and what is wrong.

use recouvre_domain::bank_identifiers::sepa_identifier_problem as identifier_problem;
use recouvre_domain::bank_identifiers::{compact, BankIdError, Bic, CreditorId, Iban, RfReference};
pub use recouvre_domain::bank_identifiers::{iban_country, is_sepa_country};

/// Why a SEPA identifier or text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SepaError {
    /// An IBAN, BIC, creditor identifier or RF reference refused by
    /// `recouvre_domain::bank_identifiers`, the one place they are checked.
    #[error(transparent)]
    Bank(#[from] BankIdError),
    #[error("référence unique de mandat (RUM) « {reference} » : {reason}")]
    Mandate { reference: String, reason: String },
    #[error("identifiant « {id} » : {reason}")]
    Identifier { id: String, reason: String },
    #[error("« {text} » : le caractère « {character} » n'appartient pas au jeu de caractères SEPA")]
    Character { text: String, character: char },
    #[error("« {text} » : {length} caractères, au plus {max}")]
    TooLong { text: String, length: usize, max: usize },
    #[error("texte vide")]
    EmptyText,
}

// ---------------------------------------------------------------------------------------------
// IBAN
// ---------------------------------------------------------------------------------------------

/// Checks an IBAN (see [`Iban::parse`]): accepts the paper form (`FR76 3000 …`, lower case)
/// and returns the electronic form (`FR7630…`).
pub fn validate_iban(text: &str) -> Result<String, SepaError> {
    Ok(Iban::parse(text)?.into_string())
}

/// Whether `text` is a valid IBAN (see [`Iban::parse`]).
pub fn is_valid_iban(text: &str) -> bool {
    Iban::parse(text).is_ok()
}

/// [`validate_iban`], and the country must be in the SEPA schemes' scope (see
/// [`Iban::parse_sepa`]).
pub fn validate_sepa_iban(text: &str) -> Result<String, SepaError> {
    Ok(Iban::parse_sepa(text)?.into_string())
}

/// Checks a BIC (see [`Bic::parse`]); returns it upper-cased without spaces.
pub fn validate_bic(text: &str) -> Result<String, SepaError> {
    Ok(Bic::parse(text)?.into_string())
}

/// Whether `text` is a valid BIC (see [`Bic::parse`]).
pub fn is_valid_bic(text: &str) -> bool {
    Bic::parse(text).is_ok()
}

/// Checks a SEPA creditor identifier (see [`CreditorId::parse`]).
pub fn validate_creditor_id(text: &str) -> Result<String, SepaError> {
    Ok(CreditorId::parse(text)?.into_string())
}

/// Whether `text` is a valid SEPA creditor identifier (see [`CreditorId::parse`]).
pub fn is_valid_creditor_id(text: &str) -> bool {
    CreditorId::parse(text).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Identifiers: mandate reference, end-to-end id, message id
// ---------------------------------------------------------------------------------------------

/// Checks a unique mandate reference (RUM, EPC AT-01): 1 to 35 characters of the SEPA
/// identifier set (letters without accent, digits, `/ - ? : ( ) . , ' +`; no space), not
/// starting or ending with `/` and without `//`. The reference is kept as given (the EPC rules
/// make it case-insensitive: compare with [`same_mandate`]).
pub fn validate_mandate_id(text: &str) -> Result<String, SepaError> {
    match identifier_problem(text, 35) {
        Some(reason) => Err(SepaError::Mandate { reference: text.to_string(), reason }),
        None => Ok(text.to_string()),
    }
}

/// Whether two mandate references are the same mandate (case-insensitive, EPC AT-01).
pub fn same_mandate(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Checks another SEPA identifier (message id, end-to-end id) with the same rules as
/// [`validate_mandate_id`].
pub fn validate_identifier(text: &str) -> Result<String, SepaError> {
    match identifier_problem(text, 35) {
        Some(reason) => Err(SepaError::Identifier { id: text.to_string(), reason }),
        None => Ok(text.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Free text in the SEPA Latin character set
// ---------------------------------------------------------------------------------------------

/// Whether `c` is in the SEPA Latin character set (EPC217-08): `a-z A-Z 0-9 / - ? : ( ) . , ' +`
/// and the space.
pub fn is_sepa_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c)
}

/// Converts free text (names, remittance information) to the SEPA Latin character set:
/// accented Latin letters lose their accent (`é` → `e`, `Ç` → `C`, `œ` → `oe`, `ß` → `ss`),
/// typographic quotes become `'`, `&` becomes `+` (EPC conversion table), `_` becomes `-`, `;` a
/// comma, line breaks and tabs a space, runs of spaces one space. Any other character (`@`, `€`,
/// `*`, `%`, a non-Latin script…) is refused rather than silently changed: the officer corrects
/// the data. At most `max` characters after conversion.
pub fn to_sepa_text(text: &str, max: usize) -> Result<String, SepaError> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_sepa_char(c) {
            out.push(c);
            continue;
        }
        let replacement = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
            'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
            'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
            'ď' | 'đ' => "d",
            'Ď' | 'Đ' => "D",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
            'ğ' | 'ģ' => "g",
            'Ğ' | 'Ģ' => "G",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
            'ķ' => "k",
            'Ķ' => "K",
            'ĺ' | 'ļ' | 'ľ' | 'ł' => "l",
            'Ĺ' | 'Ļ' | 'Ľ' | 'Ł' => "L",
            'ñ' | 'ń' | 'ņ' | 'ň' => "n",
            'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "N",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
            'ŕ' | 'ř' => "r",
            'Ŕ' | 'Ř' => "R",
            'ś' | 'ş' | 'š' | 'ș' => "s",
            'Ś' | 'Ş' | 'Š' | 'Ș' => "S",
            'ţ' | 'ť' | 'ț' => "t",
            'Ţ' | 'Ť' | 'Ț' => "T",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' | 'Ÿ' => "Y",
            'ź' | 'ż' | 'ž' => "z",
            'Ź' | 'Ż' | 'Ž' => "Z",
            'æ' => "ae",
            'Æ' => "AE",
            'œ' => "oe",
            'Œ' => "OE",
            'ß' => "ss",
            '’' | '‘' | '`' | '´' | '"' | '“' | '”' | '«' | '»' => "'",
            '&' => "+",
            '_' | '–' | '—' => "-",
            ';' => ",",
            '!' => ".",
            '\n' | '\r' | '\t' | '\u{A0}' | '\u{202F}' => " ",
            other => return Err(SepaError::Character { text: text.to_string(), character: other }),
        };
        out.push_str(replacement);
    }
    let out = out.split(' ').filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ");
    if out.is_empty() {
        return Err(SepaError::EmptyText);
    }
    let length = out.chars().count();
    if length > max {
        return Err(SepaError::TooLong { text: out, length, max });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// ISO 11649 structured creditor reference ("RF…")
// ---------------------------------------------------------------------------------------------

/// The creditor reference (ISO 11649) of a case, as printed on our letters and expected in the
/// debtor's transfer (see [`RfReference::from_reference`]: `CTX-0000042` → `RF09CTX0000042`).
///
/// # Panics
/// When the case reference has no letter or digit, or more than 21 (ISO 11649's maximum); case
/// references are generated by Recouvre and never are. See [`try_rf_reference`].
pub fn rf_reference(case_reference: &str) -> String {
    try_rf_reference(case_reference).unwrap_or_else(|error| panic!("{error}"))
}

/// [`rf_reference`] without the panic.
pub fn try_rf_reference(case_reference: &str) -> Result<String, SepaError> {
    Ok(RfReference::from_reference(case_reference)?.into_string())
}

/// Whether `text` is a valid ISO 11649 creditor reference (see [`RfReference::parse`]).
pub fn is_valid_rf(text: &str) -> bool {
    RfReference::parse(text).is_ok()
}

/// The electronic form of a valid ISO 11649 reference, else `None`.
pub fn normalise_rf(text: &str) -> Option<String> {
    RfReference::parse(text).ok().map(RfReference::into_string)
}

/// Finds a valid ISO 11649 reference in free text (see [`RfReference::find_in`]).
pub fn find_rf_reference(text: &str) -> Option<String> {
    RfReference::find_in(text).map(RfReference::into_string)
}

/// The printed form of an ISO 11649 reference: groups of four (`RF09 CTX0 0000 42`).
pub fn rf_for_print(reference: &str) -> String {
    let compacted = compact(reference);
    let chars: Vec<char> = compacted.chars().collect();
    chars.chunks(4).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrappers_keep_the_domain_errors() {
        assert!(matches!(validate_iban("NOT-AN-IBAN"), Err(SepaError::Bank(BankIdError::IbanCharacter { .. }))));
        assert_eq!(validate_sepa_iban("fr76 3000 6000 0112 3456 7890 189"), Ok("FR7630006000011234567890189".into()));
        assert!(matches!(
            validate_sepa_iban("TR330006100519786457841326"),
            Err(SepaError::Bank(BankIdError::NotSepa { .. }))
        ));
        assert_eq!(validate_bic("bnpa frpp"), Ok("BNPAFRPP".into()));
        assert!(is_valid_creditor_id("FR72ZZZ123456") && !is_valid_creditor_id("FR12ZZZ123456"));
        assert_eq!(find_rf_reference("REMB RF09 CTX0 0000 42 MERCI"), Some("RF09CTX0000042".into()));
        assert!(is_valid_rf("RF18 5390 0754 7034") && !is_valid_rf("RF19539007547034"));
    }

    #[test]
    fn mandate_references() {
        assert!(validate_mandate_id("RUM-CTX0000042-01").is_ok());
        assert!(validate_mandate_id("++ABC/2024:(01).X,'?").is_ok());
        assert!(validate_mandate_id(&"A".repeat(35)).is_ok());
        for (bad, why) in [
            ("", "vide"),
            (&"A".repeat(36) as &str, "36 caractères, au plus 35"),
            ("RUM 42", "espace non autorisée"),
            ("RUMÉ42", "caractère « É »"),
            ("/RUM42", "commencer"),
            ("RUM//42", "//"),
        ] {
            let error = validate_mandate_id(bad).unwrap_err().to_string();
            assert!(error.contains(why), "{bad}: {error}");
        }
        assert!(same_mandate("rum-1", "RUM-1"));
    }

    #[test]
    fn text_is_transliterated_or_refused() {
        assert_eq!(to_sepa_text("SARL L’Écureuil & Fils", 70), Ok("SARL L'Ecureuil + Fils".into()));
        assert_eq!(to_sepa_text("Bœuf  Müller\nÇa_va; ok!", 140), Ok("Boeuf Muller Ca-va, ok.".into()));
        assert!(matches!(to_sepa_text("jean@exemple.fr", 70), Err(SepaError::Character { character: '@', .. })));
        assert!(matches!(to_sepa_text("Πέτρος", 70), Err(SepaError::Character { .. })));
        assert!(matches!(to_sepa_text("ABCDEF", 5), Err(SepaError::TooLong { length: 6, max: 5, .. })));
        assert_eq!(to_sepa_text("   ", 5), Err(SepaError::EmptyText));
    }

    #[test]
    fn rf_references_from_case_numbers() {
        assert_eq!(rf_reference("CTX-0000042"), "RF09CTX0000042");
        assert_eq!(rf_reference("ctx-0000017"), "RF05CTX0000017");
        for n in 0..500 {
            let reference = rf_reference(&format!("CTX-{n:07}"));
            assert!(is_valid_rf(&reference), "{reference}");
            assert!(is_valid_rf(&rf_for_print(&reference)));
        }
        assert_eq!(rf_for_print("RF09CTX0000042"), "RF09 CTX0 0000 42");
        assert!(try_rf_reference("---").is_err());
        assert!(try_rf_reference(&"9".repeat(22)).is_err());
    }
}
