//! SEPA identifiers and their checks: IBAN (ISO 13616), BIC (ISO 9362), SEPA creditor
//! identifier (ICS, EPC262), mandate reference (RUM), ISO 11649 creditor reference ("RF…"), and
//! the SEPA Latin character set of the EPC implementation guidelines.
//!
//! Every check normalises what people type (spaces, lower case) and returns the electronic
//! form, or a typed error whose message, in French, names the value and what is wrong.

/// Why a SEPA identifier or text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SepaError {
    #[error("IBAN vide")]
    IbanEmpty,
    #[error("IBAN « {iban} » : caractère « {character} » non autorisé (lettres et chiffres seulement)")]
    IbanCharacter { iban: String, character: char },
    #[error("IBAN « {iban} » : il doit commencer par le code pays (deux lettres) puis deux chiffres de contrôle")]
    IbanShape { iban: String },
    #[error("IBAN « {iban} » : code pays « {country} » inconnu")]
    IbanCountry { iban: String, country: String },
    #[error("IBAN « {iban} » : {length} caractères, alors qu'un IBAN {country} en compte {expected}")]
    IbanLength { iban: String, country: String, length: usize, expected: usize },
    #[error("IBAN « {iban} » : clé de contrôle incorrecte (ISO 13616, modulo 97) : erreur de saisie probable")]
    IbanChecksum { iban: String },
    #[error("IBAN « {iban} » : clé RIB incorrecte ({found}, attendu {expected:02})")]
    RibKey { iban: String, found: String, expected: u32 },
    #[error("IBAN « {iban} » : le pays {country} ne fait pas partie de la zone SEPA")]
    NotSepa { iban: String, country: String },
    #[error("BIC « {bic} » : {reason}")]
    Bic { bic: String, reason: &'static str },
    #[error("identifiant créancier SEPA (ICS) « {id} » : {reason}")]
    CreditorId { id: String, reason: String },
    #[error("référence unique de mandat (RUM) « {reference} » : {reason}")]
    Mandate { reference: String, reason: String },
    #[error("identifiant « {id} » : {reason}")]
    Identifier { id: String, reason: String },
    #[error("référence créancier ISO 11649 « {reference} » : {reason}")]
    CreditorReference { reference: String, reason: String },
    #[error("« {text} » : le caractère « {character} » n'appartient pas au jeu de caractères SEPA")]
    Character { text: String, character: char },
    #[error("« {text} » : {length} caractères, au plus {max}")]
    TooLong { text: String, length: usize, max: usize },
    #[error("texte vide")]
    EmptyText,
}

// ---------------------------------------------------------------------------------------------
// ISO 7064 mod 97-10 on alphanumeric strings (IBAN, ICS, RF)
// ---------------------------------------------------------------------------------------------

/// The remainder modulo 97 of `text` read as a number, letters counting A = 10 … Z = 35.
/// `None` when `text` has another character.
fn mod97(text: &str) -> Option<u32> {
    text.chars().try_fold(0u32, |remainder, c| match c.to_digit(36) {
        Some(v) if v < 10 => Some((remainder * 10 + v) % 97),
        Some(v) if c.is_ascii_uppercase() => Some((remainder * 100 + v) % 97),
        _ => None,
    })
}

/// Removes spaces (and the no-break spaces of copied text) and upper-cases.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

// ---------------------------------------------------------------------------------------------
// IBAN
// ---------------------------------------------------------------------------------------------

/// IBAN lengths by country (SWIFT IBAN registry): every SEPA country and territory, and the
/// other countries whose IBANs a French bank commonly sees.
const IBAN_LENGTHS: &[(&str, usize, bool)] = &[
    // (country, length, in the SEPA schemes' geographical scope)
    ("AD", 24, true),
    ("AT", 20, true),
    ("BE", 16, true),
    ("BG", 22, true),
    ("CH", 21, true),
    ("CY", 28, true),
    ("CZ", 24, true),
    ("DE", 22, true),
    ("DK", 18, true),
    ("EE", 20, true),
    ("ES", 24, true),
    ("FI", 18, true),
    ("FR", 27, true),
    ("GB", 22, true),
    ("GI", 23, true),
    ("GR", 27, true),
    ("HR", 21, true),
    ("HU", 28, true),
    ("IE", 22, true),
    ("IS", 26, true),
    ("IT", 27, true),
    ("LI", 21, true),
    ("LT", 20, true),
    ("LU", 20, true),
    ("LV", 21, true),
    ("MC", 27, true),
    ("MT", 31, true),
    ("NL", 18, true),
    ("NO", 15, true),
    ("PL", 28, true),
    ("PT", 25, true),
    ("RO", 24, true),
    ("SE", 24, true),
    ("SI", 19, true),
    ("SK", 24, true),
    ("SM", 27, true),
    ("VA", 22, true),
    ("AL", 28, false),
    ("AE", 23, false),
    ("AZ", 28, false),
    ("BA", 20, false),
    ("BH", 22, false),
    ("BR", 29, false),
    ("BY", 28, false),
    ("CR", 22, false),
    ("DO", 28, false),
    ("EG", 29, false),
    ("FO", 18, false),
    ("GE", 22, false),
    ("GL", 18, false),
    ("GT", 28, false),
    ("IL", 23, false),
    ("IQ", 23, false),
    ("JO", 30, false),
    ("KW", 30, false),
    ("KZ", 20, false),
    ("LB", 28, false),
    ("LC", 32, false),
    ("MD", 24, false),
    ("ME", 22, false),
    ("MK", 19, false),
    ("MR", 27, false),
    ("MU", 30, false),
    ("PK", 24, false),
    ("PS", 29, false),
    ("QA", 29, false),
    ("RS", 22, false),
    ("SA", 24, false),
    ("SC", 31, false),
    ("ST", 25, false),
    ("SV", 28, false),
    ("TL", 23, false),
    ("TN", 24, false),
    ("TR", 26, false),
    ("UA", 29, false),
    ("VG", 24, false),
    ("XK", 20, false),
];

/// Checks an IBAN (ISO 13616): characters, country, the country's length, the mod-97 check
/// digits, and for French and Monegasque IBANs the RIB key too. Accepts the paper form
/// (`FR76 3000 …`, lower case) and returns the electronic form (`FR7630…`).
pub fn validate_iban(text: &str) -> Result<String, SepaError> {
    let iban = compact(text);
    if iban.is_empty() {
        return Err(SepaError::IbanEmpty);
    }
    if let Some(character) = iban.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(SepaError::IbanCharacter { iban, character });
    }
    let bytes = iban.as_bytes();
    if bytes.len() < 5 || !bytes[..2].iter().all(u8::is_ascii_uppercase) || !bytes[2..4].iter().all(u8::is_ascii_digit)
    {
        return Err(SepaError::IbanShape { iban });
    }
    let country = iban[..2].to_string();
    let Some(&(_, expected, _)) = IBAN_LENGTHS.iter().find(|(c, _, _)| *c == country) else {
        return Err(SepaError::IbanCountry { iban, country });
    };
    if iban.len() != expected {
        let length = iban.len();
        return Err(SepaError::IbanLength { iban, country, length, expected });
    }
    if !recouvre_domain::bank_account::iban_check_digits_ok(&iban) {
        return Err(SepaError::IbanChecksum { iban });
    }
    if country == "FR" || country == "MC" {
        let (bank, branch, account, key) = (&iban[4..9], &iban[9..14], &iban[14..25], &iban[25..27]);
        let expected = recouvre_domain::bank_account::rib_key(bank, branch, account);
        if key.parse::<u32>().ok() != Some(expected) {
            return Err(SepaError::RibKey { found: key.to_string(), expected, iban });
        }
    }
    Ok(iban)
}

/// Whether `text` is a valid IBAN (see [`validate_iban`]).
pub fn is_valid_iban(text: &str) -> bool {
    validate_iban(text).is_ok()
}

/// [`validate_iban`], and the country must be in the SEPA schemes' scope (required for a SEPA
/// direct debit).
pub fn validate_sepa_iban(text: &str) -> Result<String, SepaError> {
    let iban = validate_iban(text)?;
    let country = &iban[..2];
    if !is_sepa_country(country) {
        return Err(SepaError::NotSepa { country: country.to_string(), iban });
    }
    Ok(iban)
}

/// Whether IBANs of `country` (ISO 3166 alpha-2) can be used in SEPA schemes.
pub fn is_sepa_country(country: &str) -> bool {
    IBAN_LENGTHS.iter().any(|(c, _, sepa)| *c == country && *sepa)
}

/// The country of an IBAN (its first two letters), when it starts with two letters.
pub fn iban_country(iban: &str) -> Option<String> {
    let iban = iban.trim();
    let country: String = iban.chars().take(2).collect();
    (country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic())).then(|| country.to_ascii_uppercase())
}

// ---------------------------------------------------------------------------------------------
// BIC
// ---------------------------------------------------------------------------------------------

/// Checks a BIC (ISO 9362): 8 or 11 characters, institution code (4 letters), country code (2
/// letters), location code (2 letters or digits, the first not 0 or 1, the second not O) and an
/// optional branch code (3 letters or digits). This is the pattern of pain.008.001.02's schema,
/// which every BIC in use satisfies; the 2014 pattern of pain.008.001.08 is wider. Returns the
/// BIC upper-cased without spaces.
pub fn validate_bic(text: &str) -> Result<String, SepaError> {
    let bic = compact(text);
    let error = |reason| Err(SepaError::Bic { bic: bic.clone(), reason });
    if bic.len() != 8 && bic.len() != 11 {
        return error("un BIC compte 8 ou 11 caractères");
    }
    let chars: Vec<char> = bic.chars().collect();
    if !chars.iter().all(char::is_ascii_alphanumeric) {
        return error("lettres et chiffres seulement");
    }
    if !chars[..4].iter().all(char::is_ascii_uppercase) {
        return error("les 4 premiers caractères (code banque) sont des lettres");
    }
    if !chars[4..6].iter().all(char::is_ascii_uppercase) {
        return error("les caractères 5 et 6 (code pays) sont des lettres");
    }
    if matches!(chars[6], '0' | '1') {
        return error("le 7e caractère (code emplacement) ne peut être 0 ni 1");
    }
    if chars[7] == 'O' {
        return error("le 8e caractère ne peut être la lettre O");
    }
    Ok(bic)
}

/// Whether `text` is a valid BIC (see [`validate_bic`]).
pub fn is_valid_bic(text: &str) -> bool {
    validate_bic(text).is_ok()
}

// ---------------------------------------------------------------------------------------------
// SEPA creditor identifier (ICS, identifiant créancier SEPA)
// ---------------------------------------------------------------------------------------------

/// Checks a SEPA creditor identifier (EPC262): country code, two check digits, a three-character
/// creditor business code (not part of the check, `ZZZ` by default) and the national
/// identifier; the check digits are ISO 7064 mod 97-10 over the national identifier followed
/// by the country code and `00`. A French ICS has 13 characters (`FRkkZZZ` + 6). Returns the
/// identifier upper-cased without spaces.
pub fn validate_creditor_id(text: &str) -> Result<String, SepaError> {
    let id = compact(text);
    let error = |reason: &str| Err(SepaError::CreditorId { id: id.clone(), reason: reason.to_string() });
    if id.len() < 8 || id.len() > 35 {
        return error("un ICS compte de 8 à 35 caractères");
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return error("lettres et chiffres seulement");
    }
    let bytes = id.as_bytes();
    if !bytes[..2].iter().all(u8::is_ascii_uppercase) || !bytes[2..4].iter().all(u8::is_ascii_digit) {
        return error("il commence par le code pays (deux lettres) et deux chiffres de contrôle");
    }
    if &id[..2] == "FR" && id.len() != 13 {
        return error("un ICS français compte 13 caractères (FR, 2 chiffres de contrôle, 3 caractères, 6 caractères)");
    }
    let check = format!("{}{}00", &id[7..], &id[..2]);
    let expected = 98 - mod97(&check).unwrap_or(0);
    if id[2..4].parse::<u32>().ok() != Some(expected) {
        return error(&format!("clé de contrôle incorrecte ({}, attendu {expected:02})", &id[2..4]));
    }
    Ok(id)
}

/// Whether `text` is a valid SEPA creditor identifier (see [`validate_creditor_id`]).
pub fn is_valid_creditor_id(text: &str) -> bool {
    validate_creditor_id(text).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Identifiers: mandate reference, end-to-end id, message id
// ---------------------------------------------------------------------------------------------

/// The characters the EPC guidelines allow in SEPA identifiers (`MsgId`, `PmtInfId`,
/// `EndToEndId`, `MndtId`): the SEPA Latin set without the space.
fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/-?:().,'+".contains(c)
}

fn identifier_problem(id: &str, max: usize) -> Option<String> {
    let length = id.chars().count();
    if length == 0 {
        return Some("vide".to_string());
    }
    if length > max {
        return Some(format!("{length} caractères, au plus {max}"));
    }
    if id.contains(char::is_whitespace) {
        return Some("espace non autorisée".to_string());
    }
    if let Some(c) = id.chars().find(|c| !is_identifier_char(*c)) {
        return Some(format!(
            "caractère « {c} » non autorisé (lettres sans accent, chiffres et / - ? : ( ) . , ' + ; pas d'espace)"
        ));
    }
    if id.starts_with('/') || id.ends_with('/') || id.contains("//") {
        return Some("ne peut commencer ni finir par « / », ni contenir « // »".to_string());
    }
    None
}

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
/// debtor's transfer: `RF`, two check digits, then the case reference without its
/// non-alphanumeric characters, upper-cased (`CTX-0000042` → `RF09CTX0000042`).
///
/// # Panics
/// When the case reference has no letter or digit, or more than 21 (ISO 11649's maximum); case
/// references are generated by Recouvre and never are. See [`try_rf_reference`].
pub fn rf_reference(case_reference: &str) -> String {
    try_rf_reference(case_reference).unwrap_or_else(|error| panic!("{error}"))
}

/// [`rf_reference`] without the panic.
pub fn try_rf_reference(case_reference: &str) -> Result<String, SepaError> {
    let body: String =
        case_reference.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    let error = |reason: &str| SepaError::CreditorReference {
        reference: case_reference.to_string(),
        reason: reason.to_string(),
    };
    if body.is_empty() {
        return Err(error("aucune lettre ni chiffre"));
    }
    if body.len() > 21 {
        return Err(error("au plus 21 lettres et chiffres après RF et la clé"));
    }
    let remainder = mod97(&format!("{body}RF00")).ok_or_else(|| error("caractère non autorisé"))?;
    Ok(format!("RF{:02}{body}", 98 - remainder))
}

/// Whether `text` is a valid ISO 11649 creditor reference: `RF`, two check digits, 1 to 21
/// letters or digits, mod 97 = 1 on the rearranged reference. Spaces (the printed form groups
/// by four) and lower case are accepted.
pub fn is_valid_rf(text: &str) -> bool {
    normalise_rf(text).is_some()
}

/// The electronic form (no space, upper case) of a valid ISO 11649 reference, else `None`.
pub fn normalise_rf(text: &str) -> Option<String> {
    let reference = compact(text);
    if !reference.starts_with("RF") || reference.len() < 5 || reference.len() > 25 {
        return None;
    }
    if !reference[2..4].chars().all(|c| c.is_ascii_digit()) || !reference.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let rearranged = format!("{}{}", &reference[4..], &reference[..4]);
    (mod97(&rearranged) == Some(1)).then_some(reference)
}

/// Finds a valid ISO 11649 reference in free text (a debtor who typed the reference of our
/// letter in the unstructured remittance): a token `RF…`, or the printed form in groups of
/// four (`REMB RF09 CTX0 0000 42 MERCI`). Returns its electronic form.
pub fn find_rf_reference(text: &str) -> Option<String> {
    let tokens: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|token| !token.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    for (index, token) in tokens.iter().enumerate() {
        if !token.starts_with("RF") {
            continue;
        }
        if let Some(reference) = normalise_rf(token) {
            return Some(reference);
        }
        if token.len() == 4 {
            let (mut candidate, mut found) = (token.clone(), None);
            for next in &tokens[index + 1..] {
                if next.len() > 4 || candidate.len() + next.len() > 25 {
                    break;
                }
                candidate.push_str(next);
                if let Some(reference) = normalise_rf(&candidate) {
                    found = Some(reference);
                }
                if next.len() < 4 {
                    break;
                }
            }
            if found.is_some() {
                return found;
            }
        }
    }
    None
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
    fn valid_ibans_are_accepted_in_paper_or_electronic_form() {
        for iban in [
            "FR14 2004 1010 0505 0001 3M02 606",
            "FR7630006000011234567890189",
            "fr76 3000 4000 3100 0123 4567 865",
            "DE89370400440532013000",
            "BE68539007547034",
            "GB82WEST12345698765432",
            "IT60X0542811101000000123456",
            "ES9121000418450200051332",
            "CH9300762011623852957",
            "NO9386011117947",
        ] {
            assert!(is_valid_iban(iban), "{iban}");
        }
        assert_eq!(validate_iban("fr76 3000 6000 0112 3456 7890 189"), Ok("FR7630006000011234567890189".into()));
    }

    #[test]
    fn invalid_ibans_say_why() {
        assert!(matches!(validate_iban("FR7630006000011234567890188"), Err(SepaError::IbanChecksum { .. })));
        assert!(matches!(validate_iban("FR763000600001123456789018"), Err(SepaError::IbanLength { expected: 27, .. })));
        assert!(matches!(validate_iban("DE8937040044053201300"), Err(SepaError::IbanLength { expected: 22, .. })));
        assert!(matches!(validate_iban("XX89370400440532013000"), Err(SepaError::IbanCountry { .. })));
        assert!(matches!(validate_iban("FR76-3000"), Err(SepaError::IbanCharacter { character: '-', .. })));
        assert!(matches!(validate_iban("7630006000011234567890189"), Err(SepaError::IbanShape { .. })));
        assert_eq!(validate_iban("  "), Err(SepaError::IbanEmpty));
        let error = validate_iban("FR7630006000011234567890188").unwrap_err().to_string();
        assert!(error.starts_with("IBAN « FR7630006000011234567890188 » : clé de contrôle incorrecte"), "{error}");
    }

    #[test]
    fn french_ibans_have_their_rib_key_checked() {
        // Same mod-97 check digits recomputed for a wrong RIB key: only the RIB check catches it.
        let key = recouvre_domain::bank_account::rib_key("30006", "00001", "12345678901");
        let wrong = format!("{:02}", (key + 1) % 100);
        let wrong_key = recouvre_domain::bank_account::french_iban("30006", "00001", "12345678901", &wrong);
        assert!(matches!(validate_iban(&wrong_key), Err(SepaError::RibKey { expected, .. }) if expected == key));
        let right = recouvre_domain::bank_account::french_iban("30006", "00001", "12345678901", &format!("{key:02}"));
        assert!(is_valid_iban(&right));
    }

    #[test]
    fn sepa_scope() {
        assert!(validate_sepa_iban("CH9300762011623852957").is_ok());
        assert!(matches!(validate_sepa_iban("TR330006100519786457841326"), Err(SepaError::NotSepa { .. })));
        assert_eq!(iban_country("DE89370400440532013000"), Some("DE".into()));
        assert_eq!(iban_country("12"), None);
    }

    #[test]
    fn bics() {
        for bic in ["BNPAFRPP", "BNPAFRPPXXX", "AGRIFRPP882", "cmcifrpp", "COBADEFFXXX", "DEUTDEDB2A0"] {
            assert!(is_valid_bic(bic), "{bic}");
        }
        for bic in ["BNPAFRP", "BNPAFRPPXX", "BNP1FRPP", "BNPA12PP", "BNPAFR1P", "BNPAFRPO", "BNPA-RPP"] {
            assert!(!is_valid_bic(bic), "{bic}");
        }
        assert_eq!(validate_bic("bnpa frpp"), Ok("BNPAFRPP".into()));
        assert!(validate_bic("BNPAFRP").unwrap_err().to_string().contains("8 ou 11"));
    }

    #[test]
    fn creditor_identifiers() {
        assert_eq!(validate_creditor_id("FR72ZZZ123456"), Ok("FR72ZZZ123456".into()));
        assert!(is_valid_creditor_id("fr72 zzz 123456"));
        // The EPC/Deutsche Bundesbank test identifier; the business code is not checked.
        assert!(is_valid_creditor_id("DE98ZZZ09999999999"));
        assert!(is_valid_creditor_id("DE98ABC09999999999"));
        let error = validate_creditor_id("FR12ZZZ123456").unwrap_err().to_string();
        assert!(error.contains("clé de contrôle incorrecte (12, attendu 72)"), "{error}");
        assert!(!is_valid_creditor_id("FR72ZZZ1234567"));
        assert!(!is_valid_creditor_id("FRXXZZZ123456"));
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
    fn iso_11649_published_examples() {
        assert!(is_valid_rf("RF18 5390 0754 7034"));
        assert!(is_valid_rf("RF18539007547034"));
        assert!(is_valid_rf("RF18000000000539007547034"));
        assert!(is_valid_rf("rf18 5390 0754 7034"));
        assert!(!is_valid_rf("RF19539007547034"));
        assert!(!is_valid_rf("RF18539007547035"));
        assert!(!is_valid_rf("RF18"));
        assert!(!is_valid_rf("XX18539007547034"));
        assert!(!is_valid_rf("RF1853900754703-4"));
        assert!(!is_valid_rf("RF18 0000 0000 0000 0005 3900 7547 034"), "more than 25 characters");
        assert_eq!(try_rf_reference("539007547034"), Ok("RF18539007547034".into()));
    }

    #[test]
    fn rf_references_in_free_text() {
        assert_eq!(find_rf_reference("REMB RF09 CTX0 0000 42 MERCI"), Some("RF09CTX0000042".into()));
        assert_eq!(find_rf_reference("virement rf09ctx0000042"), Some("RF09CTX0000042".into()));
        assert_eq!(find_rf_reference("REF:RF18 5390 0754 7034/ECH 3"), Some("RF18539007547034".into()));
        assert_eq!(find_rf_reference("REMB DUPONT CTX-0000042"), None);
        assert_eq!(find_rf_reference("RF10 CTX0 0000 42"), None, "wrong check digits");
        assert_eq!(find_rf_reference(""), None);
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
