//! Bank identifiers, checked in one place: the IBAN (ISO 13616), the BIC (ISO 9362), the SEPA
//! creditor identifier (ICS, EPC262) and the ISO 11649 structured creditor reference ("RF…").
//!
//! Parse, don't validate: every entry point (intake files, forms, the API, settings, the
//! ISO 20022 writers) turns text into one of these newtypes with `parse`, and a value of the
//! type is a checked identifier in its electronic form (no spaces, upper case). The error says,
//! in French, which value is refused and why; the caller adds the field, file and line.

use std::fmt;

/// Why a bank identifier is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankIdError {
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
    MandateReference { reference: String, reason: String },
    #[error("référence créancier ISO 11649 « {reference} » : {reason}")]
    CreditorReference { reference: String, reason: String },
}

// ---------------------------------------------------------------------------------------------
// ISO 7064 mod 97-10 on alphanumeric strings (IBAN, ICS, RF)
// ---------------------------------------------------------------------------------------------

/// The remainder modulo 97 of `text` read as a number, letters counting A = 10 … Z = 35.
/// `None` when `text` has another character (lower case included).
fn mod97(text: &str) -> Option<u32> {
    text.chars().try_fold(0u32, |remainder, c| match c.to_digit(36) {
        Some(v) if v < 10 => Some((remainder * 10 + v) % 97),
        Some(v) if c.is_ascii_uppercase() => Some((remainder * 100 + v) % 97),
        _ => None,
    })
}

/// Removes spaces (and the no-break spaces of copied text) and upper-cases: the paper form
/// (`FR76 3000 …`) to the electronic one.
pub fn compact(text: &str) -> String {
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

/// Whether the ISO 13616 check digits of `iban` (electronic form, upper case) are right: the
/// rearranged IBAN (BBAN, then country and check digits) is 1 modulo 97.
pub fn iban_check_digits_ok(iban: &str) -> bool {
    iban.len() >= 5 && iban.is_ascii() && mod97(&format!("{}{}", &iban[4..], &iban[..4])) == Some(1)
}

/// Whether IBANs of `country` (ISO 3166 alpha-2) can be used in the SEPA schemes.
pub fn is_sepa_country(country: &str) -> bool {
    IBAN_LENGTHS.iter().any(|(c, _, sepa)| *c == country && *sepa)
}

/// The country of an IBAN as typed (its first two letters), when it starts with two letters;
/// for an unchecked IBAN (a statement's payer). A checked one has [`Iban::country`].
pub fn iban_country(iban: &str) -> Option<String> {
    let country: String = iban.trim().chars().take(2).collect();
    (country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic())).then(|| country.to_ascii_uppercase())
}

/// A checked IBAN (ISO 13616) in its electronic form: known country, the country's length,
/// mod-97 check digits, and for French and Monegasque IBANs the RIB key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iban(String);

impl Iban {
    /// Checks an IBAN in paper or electronic form (spaces, lower case accepted).
    pub fn parse(text: &str) -> Result<Self, BankIdError> {
        let iban = compact(text);
        if iban.is_empty() {
            return Err(BankIdError::IbanEmpty);
        }
        if let Some(character) = iban.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(BankIdError::IbanCharacter { iban, character });
        }
        let bytes = iban.as_bytes();
        if bytes.len() < 5
            || !bytes[..2].iter().all(u8::is_ascii_uppercase)
            || !bytes[2..4].iter().all(u8::is_ascii_digit)
        {
            return Err(BankIdError::IbanShape { iban });
        }
        let country = iban[..2].to_string();
        let Some(&(_, expected, _)) = IBAN_LENGTHS.iter().find(|(c, _, _)| *c == country) else {
            return Err(BankIdError::IbanCountry { iban, country });
        };
        if iban.len() != expected {
            let length = iban.len();
            return Err(BankIdError::IbanLength { iban, country, length, expected });
        }
        if !iban_check_digits_ok(&iban) {
            return Err(BankIdError::IbanChecksum { iban });
        }
        if country == "FR" || country == "MC" {
            let (bank, branch, account, key) = (&iban[4..9], &iban[9..14], &iban[14..25], &iban[25..27]);
            let expected = crate::bank_account::rib_key(bank, branch, account);
            if key.parse::<u32>().ok() != Some(expected) {
                return Err(BankIdError::RibKey { found: key.to_string(), expected, iban });
            }
        }
        Ok(Self(iban))
    }

    /// [`Iban::parse`], and the country must be in the SEPA schemes' scope (a SEPA direct debit
    /// or credit transfer requires it).
    pub fn parse_sepa(text: &str) -> Result<Self, BankIdError> {
        let iban = Self::parse(text)?;
        if !iban.is_sepa() {
            return Err(BankIdError::NotSepa { country: iban.country().to_string(), iban: iban.0 });
        }
        Ok(iban)
    }

    /// The electronic form (`FR7630…`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The ISO 3166 country code (the first two letters).
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// Whether the IBAN can be used in the SEPA schemes.
    pub fn is_sepa(&self) -> bool {
        is_sepa_country(self.country())
    }

    /// The bank's code within the BBAN where the registry puts it at a fixed place, for the
    /// countries a French bank's debtors mostly bank in (`None` elsewhere). Two IBANs of one
    /// country with different bank codes are at different banks: a mandate amended to such an
    /// IBAN changes the debtor agent (EPC rulebook, AT-24 reason `SMNDA`).
    pub fn bank_code(&self) -> Option<&str> {
        let range = match self.country() {
            "FR" | "MC" => 4..9,
            "DE" => 4..12,
            "BE" => 4..7,
            "ES" | "PT" => 4..8,
            "IT" | "SM" => 5..10,
            "LU" => 4..7,
            "NL" | "GB" | "IE" => 4..8,
            "AT" => 4..9,
            "CH" | "LI" => 4..9,
            _ => return None,
        };
        Some(&self.0[range])
    }

    /// Whether `other` is an account at another bank: another country, or another bank code
    /// where the country has one at a fixed place (otherwise any other IBAN counts as another
    /// bank, the cautious reading).
    pub fn at_another_bank_than(&self, other: &Iban) -> bool {
        if self.country() != other.country() {
            return true;
        }
        match (self.bank_code(), other.bank_code()) {
            (Some(mine), Some(theirs)) => mine != theirs,
            _ => self != other,
        }
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Iban {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// ---------------------------------------------------------------------------------------------
// BIC
// ---------------------------------------------------------------------------------------------

/// A checked BIC (ISO 9362), upper case without spaces: 8 or 11 characters, institution code
/// (4 letters), country code (2 letters), location code (2 letters or digits, the first not 0
/// or 1, the second not O) and an optional branch code. This is the pattern of
/// pain.008.001.02's schema, which every BIC in use satisfies; the 2014 pattern is wider.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bic(String);

impl Bic {
    pub fn parse(text: &str) -> Result<Self, BankIdError> {
        let bic = compact(text);
        let error = |reason| Err(BankIdError::Bic { bic: bic.clone(), reason });
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
        Ok(Self(bic))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The ISO 3166 country code (characters 5 and 6).
    pub fn country(&self) -> &str {
        &self.0[4..6]
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// SEPA creditor identifier (ICS, identifiant créancier SEPA)
// ---------------------------------------------------------------------------------------------

/// A checked SEPA creditor identifier (EPC262): country code, two check digits, a
/// three-character creditor business code (not part of the check, `ZZZ` by default) and the
/// national identifier; the check digits are ISO 7064 mod 97-10 over the national identifier
/// followed by the country code and `00`. A French ICS has 13 characters (`FRkkZZZ` + 6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditorId(String);

impl CreditorId {
    pub fn parse(text: &str) -> Result<Self, BankIdError> {
        let id = compact(text);
        let error = |reason: &str| Err(BankIdError::CreditorId { id: id.clone(), reason: reason.to_string() });
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
            return error(
                "un ICS français compte 13 caractères (FR, 2 chiffres de contrôle, 3 caractères, 6 caractères)",
            );
        }
        let expected = 98 - mod97(&format!("{}{}00", &id[7..], &id[..2])).unwrap_or(0);
        if id[2..4].parse::<u32>().ok() != Some(expected) {
            return error(&format!("clé de contrôle incorrecte ({}, attendu {expected:02})", &id[2..4]));
        }
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for CreditorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// ISO 11649 structured creditor reference ("RF…")
// ---------------------------------------------------------------------------------------------

/// A checked ISO 11649 creditor reference in its electronic form: `RF`, two check digits, 1 to
/// 21 letters or digits, the rearranged reference being 1 modulo 97.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RfReference(String);

impl RfReference {
    /// Checks a reference in printed (groups of four) or electronic form.
    pub fn parse(text: &str) -> Result<Self, BankIdError> {
        let reference = compact(text);
        let error =
            |reason: &str| BankIdError::CreditorReference { reference: reference.clone(), reason: reason.into() };
        if !reference.starts_with("RF") {
            return Err(error("elle commence par RF"));
        }
        if reference.len() < 5 || reference.len() > 25 {
            return Err(error("de 5 à 25 caractères"));
        }
        if !reference.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(error("lettres et chiffres seulement"));
        }
        if !reference[2..4].chars().all(|c| c.is_ascii_digit()) {
            return Err(error("RF est suivi de deux chiffres de contrôle"));
        }
        if mod97(&format!("{}{}", &reference[4..], &reference[..4])) != Some(1) {
            return Err(error("clé de contrôle incorrecte (modulo 97) : erreur de saisie probable"));
        }
        Ok(Self(reference))
    }

    /// The creditor reference of one of our references (a case number): `RF`, the check
    /// digits, then its letters and digits upper-cased (`CTX-0000042` → `RF09CTX0000042`).
    pub fn from_reference(reference: &str) -> Result<Self, BankIdError> {
        let body: String =
            reference.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
        let error = |reason: &str| BankIdError::CreditorReference {
            reference: reference.to_string(),
            reason: reason.to_string(),
        };
        if body.is_empty() {
            return Err(error("aucune lettre ni chiffre"));
        }
        if body.len() > 21 {
            return Err(error("au plus 21 lettres et chiffres après RF et la clé"));
        }
        let remainder = mod97(&format!("{body}RF00")).ok_or_else(|| error("caractère non autorisé"))?;
        Ok(Self(format!("RF{:02}{body}", 98 - remainder)))
    }

    /// Finds a valid reference in free text (a debtor who typed the reference of our letter in
    /// the unstructured remittance): a token `RF…`, or the printed form in groups of four
    /// (`REMB RF09 CTX0 0000 42 MERCI`).
    pub fn find_in(text: &str) -> Option<Self> {
        let tokens: Vec<String> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|token| !token.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        for (index, token) in tokens.iter().enumerate() {
            if !token.starts_with("RF") {
                continue;
            }
            if let Ok(reference) = Self::parse(token) {
                return Some(reference);
            }
            if token.len() == 4 {
                let (mut candidate, mut found) = (token.clone(), None);
                for next in &tokens[index + 1..] {
                    if next.len() > 4 || candidate.len() + next.len() > 25 {
                        break;
                    }
                    candidate.push_str(next);
                    if let Ok(reference) = Self::parse(&candidate) {
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

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// The printed form: groups of four (`RF09 CTX0 0000 42`).
    pub fn printed(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars.chunks(4).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
    }
}

impl fmt::Display for RfReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// SEPA identifiers: the unique mandate reference (RUM)
// ---------------------------------------------------------------------------------------------

/// The characters the EPC guidelines allow in SEPA identifiers (`MsgId`, `PmtInfId`,
/// `EndToEndId`, `MndtId`): the SEPA Latin set without the space.
fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/-?:().,'+".contains(c)
}

/// Why `id` is not a SEPA identifier (`MsgId`, `PmtInfId`, `EndToEndId`, `MndtId`) of at most
/// `max` characters, in French; `None` when it is one.
pub fn sepa_identifier_problem(id: &str, max: usize) -> Option<String> {
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

/// A checked unique mandate reference (RUM, EPC AT-01): 1 to 35 characters of the SEPA
/// identifier set (letters without accent, digits, `/ - ? : ( ) . , ' +`; no space), not
/// starting or ending with `/` and without `//`. Kept as given: the EPC rules make it
/// case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MandateReference(String);

impl MandateReference {
    pub fn parse(text: &str) -> Result<Self, BankIdError> {
        let reference = text.trim();
        match sepa_identifier_problem(reference, 35) {
            Some(reason) => Err(BankIdError::MandateReference { reference: reference.to_string(), reason }),
            None => Ok(Self(reference.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::bank_account::{french_iban, rib_key};

    fn iban_ok(text: &str) -> bool {
        Iban::parse(text).is_ok()
    }

    #[test]
    fn iso_13616_examples_are_accepted_in_paper_or_electronic_form() {
        // The examples of the SWIFT IBAN registry and of the French banks' documentation.
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
            "NL91ABNA0417164300",
            "MT84MALT011000012345MTLCAST001S",
            "TR330006100519786457841326",
        ] {
            assert!(iban_ok(iban), "{iban}");
        }
        assert_eq!(Iban::parse("fr76 3000 6000 0112 3456 7890 189").unwrap().as_str(), "FR7630006000011234567890189");
        assert_eq!(Iban::parse("DE89 3704 0044 0532 0130 00").unwrap().country(), "DE");
    }

    #[test]
    fn invalid_ibans_say_why() {
        let parse = |text| Iban::parse(text).unwrap_err();
        assert!(matches!(parse("NOT-AN-IBAN"), BankIdError::IbanCharacter { character: '-', .. }));
        assert!(matches!(parse("NOTANIBAN"), BankIdError::IbanShape { .. }));
        assert!(matches!(parse("FR7630006000011234567890188"), BankIdError::IbanChecksum { .. }));
        assert!(matches!(parse("FR763000600001123456789018"), BankIdError::IbanLength { expected: 27, .. }));
        assert!(matches!(parse("DE8937040044053201300"), BankIdError::IbanLength { expected: 22, .. }));
        assert!(matches!(parse("XX89370400440532013000"), BankIdError::IbanCountry { .. }));
        assert!(matches!(parse("7630006000011234567890189"), BankIdError::IbanShape { .. }));
        assert_eq!(parse("  "), BankIdError::IbanEmpty);
        let message = parse("FR7630006000011234567890188").to_string();
        assert!(message.starts_with("IBAN « FR7630006000011234567890188 » : clé de contrôle incorrecte"), "{message}");
        assert!(parse("NOT-AN-IBAN").to_string().contains("NOT-AN-IBAN"));
    }

    #[test]
    fn french_ibans_have_their_rib_key_checked() {
        // Right mod-97 check digits recomputed for a wrong RIB key: only the RIB check catches it.
        let key = rib_key("30006", "00001", "12345678901");
        let wrong = french_iban("30006", "00001", "12345678901", &format!("{:02}", (key + 1) % 100));
        assert!(iban_check_digits_ok(&wrong));
        assert!(matches!(Iban::parse(&wrong), Err(BankIdError::RibKey { expected, .. }) if expected == key));
        assert!(iban_ok(&french_iban("30006", "00001", "12345678901", &format!("{key:02}"))));
    }

    #[test]
    fn sepa_scope() {
        assert!(Iban::parse_sepa("CH9300762011623852957").is_ok());
        assert!(matches!(Iban::parse_sepa("TR330006100519786457841326"), Err(BankIdError::NotSepa { .. })));
        assert_eq!(iban_country("DE89370400440532013000"), Some("DE".into()));
        assert_eq!(iban_country("12"), None);
    }

    #[test]
    fn another_bank_is_another_country_or_bank_code() {
        let iban = |text: &str| Iban::parse(text).unwrap();
        let rib = |bank: &str, branch: &str, account: &str| {
            iban(&french_iban(bank, branch, account, &format!("{:02}", rib_key(bank, branch, account))))
        };
        let sg = rib("30003", "00000", "00000000055");
        let same_bank = rib("30003", "01234", "00000000001");
        let other_bank = iban("FR7630006000011234567890189");
        assert!(!sg.at_another_bank_than(&same_bank));
        assert!(sg.at_another_bank_than(&other_bank));
        assert!(sg.at_another_bank_than(&iban("DE89370400440532013000")));
        assert_eq!(other_bank.bank_code(), Some("30006"));
    }

    #[test]
    fn iso_9362_bics() {
        for bic in ["BNPAFRPP", "BNPAFRPPXXX", "AGRIFRPP882", "cmcifrpp", "COBADEFFXXX", "DEUTDEDB2A0"] {
            assert!(Bic::parse(bic).is_ok(), "{bic}");
        }
        for bic in ["BNPAFRP", "BNPAFRPPXX", "BNP1FRPP", "BNPA12PP", "BNPAFR1P", "BNPAFRPO", "BNPA-RPP"] {
            assert!(Bic::parse(bic).is_err(), "{bic}");
        }
        assert_eq!(Bic::parse("bnpa frpp").unwrap().as_str(), "BNPAFRPP");
        assert_eq!(Bic::parse("COBADEFFXXX").unwrap().country(), "DE");
        assert!(Bic::parse("BNPAFRP").unwrap_err().to_string().contains("8 ou 11"));
    }

    #[test]
    fn sepa_creditor_identifiers() {
        assert_eq!(CreditorId::parse("FR72ZZZ123456").unwrap().as_str(), "FR72ZZZ123456");
        assert!(CreditorId::parse("fr72 zzz 123456").is_ok());
        // The EPC/Deutsche Bundesbank test identifier; the business code is not checked.
        assert!(CreditorId::parse("DE98ZZZ09999999999").is_ok());
        assert!(CreditorId::parse("DE98ABC09999999999").is_ok());
        let error = CreditorId::parse("FR12ZZZ123456").unwrap_err().to_string();
        assert!(error.contains("clé de contrôle incorrecte (12, attendu 72)"), "{error}");
        assert!(CreditorId::parse("FR72ZZZ1234567").is_err());
        assert!(CreditorId::parse("FRXXZZZ123456").is_err());
        assert!(CreditorId::parse("NOT-AN-ICS").is_err());
    }

    #[test]
    fn iso_11649_published_examples() {
        for good in ["RF18 5390 0754 7034", "RF18539007547034", "RF18000000000539007547034", "rf18 5390 0754 7034"] {
            assert!(RfReference::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "RF19539007547034",
            "RF18539007547035",
            "RF18",
            "XX18539007547034",
            "RF1853900754703-4",
            "RF18 0000 0000 0000 0005 3900 7547 034",
        ] {
            assert!(RfReference::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(RfReference::from_reference("539007547034").unwrap().as_str(), "RF18539007547034");
        assert!(RfReference::parse("RF19539007547034").unwrap_err().to_string().contains("clé de contrôle"));
    }

    #[test]
    fn rf_references_in_free_text_and_from_case_numbers() {
        let found = |text| RfReference::find_in(text).map(RfReference::into_string);
        assert_eq!(found("REMB RF09 CTX0 0000 42 MERCI"), Some("RF09CTX0000042".into()));
        assert_eq!(found("virement rf09ctx0000042"), Some("RF09CTX0000042".into()));
        assert_eq!(found("REF:RF18 5390 0754 7034/ECH 3"), Some("RF18539007547034".into()));
        assert_eq!(found("REMB DUPONT CTX-0000042"), None);
        assert_eq!(found("RF10 CTX0 0000 42"), None, "wrong check digits");
        let reference = RfReference::from_reference("CTX-0000042").unwrap();
        assert_eq!(reference.as_str(), "RF09CTX0000042");
        assert_eq!(reference.printed(), "RF09 CTX0 0000 42");
        assert!(RfReference::from_reference("---").is_err());
        assert!(RfReference::from_reference(&"9".repeat(22)).is_err());
    }

    #[test]
    fn mandate_references() {
        assert_eq!(MandateReference::parse(" RUM-CTX0000042-01 ").unwrap().as_str(), "RUM-CTX0000042-01");
        assert!(MandateReference::parse("RUM 42").unwrap_err().to_string().contains("espace non autorisée"));
        assert!(MandateReference::parse("RUM//42").is_err());
    }

    proptest! {
        #[test]
        fn every_french_iban_with_its_rib_key_parses_and_one_changed_digit_does_not(
            bank in 0u64..100_000, branch in 0u64..100_000, account in 0u64..100_000_000_000, position in 4usize..27, delta in 1u32..10,
        ) {
            let (bank, branch, account) = (format!("{bank:05}"), format!("{branch:05}"), format!("{account:011}"));
            let iban = french_iban(&bank, &branch, &account, &format!("{:02}", rib_key(&bank, &branch, &account)));
            prop_assert!(Iban::parse(&iban).is_ok(), "{}", iban);
            let mut typo: Vec<u8> = iban.clone().into_bytes();
            typo[position] = b'0' + ((u32::from(typo[position] - b'0') + delta) % 10) as u8;
            let typo = String::from_utf8(typo).unwrap();
            // Mod 97 catches every single-digit error (ISO 7064).
            prop_assert!(Iban::parse(&typo).is_err(), "{}", typo);
        }

        #[test]
        fn case_references_give_valid_rf(n in 0u32..10_000_000) {
            let reference = RfReference::from_reference(&format!("CTX-{n:07}")).unwrap();
            prop_assert!(RfReference::parse(&reference.printed()).is_ok());
        }
    }
}
