//! French bank account identifiers: the RIB key (clé RIB) of a domestic account number and the IBAN
//! (ISO 13616) built from it. Debtors' accounts at other banks are written in this form; the
//! IBAN checks of `recouvre_iso20022::sepa` verify the RIB key of French and Monegasque IBANs
//! with [`rib_key`].

use std::fmt::Write as _;

/// Builds a French IBAN (electronic form, no spaces) from the RIB parts: bank code (5), branch
/// code (5), account number (11, digits or upper-case letters) and RIB key (2). Computes the
/// ISO 13616 check digits (mod 97-10). A BBAN with a valid RIB key and an all-digit account
/// number always gives `FR76`.
pub fn french_iban(bank: &str, branch: &str, account: &str, key: &str) -> String {
    let mut remainder = 0u32;
    let bban = [bank, branch, account, key];
    // Rearranged form: BBAN, then "FR00"; letters count A = 10 … Z = 35.
    for c in bban.iter().flat_map(|part| part.chars()).chain("FR00".chars()) {
        remainder = match c.to_digit(36) {
            Some(v) if v < 10 => (remainder * 10 + v) % 97,
            Some(v) => (remainder * 100 + v) % 97,
            None => remainder,
        };
    }
    let check = 98 - remainder;
    let mut iban = String::with_capacity(27);
    let _ = write!(iban, "FR{check:02}{bank}{branch}{account}{key}");
    iban
}

/// The RIB key (clé RIB) of a French bank account: `97 - (89·bank + 15·branch + 3·account) mod 97`,
/// letters of the account number replaced by their RIB digit (A, J → 1; B, K, S → 2; …).
pub fn rib_key(bank: &str, branch: &str, account: &str) -> u32 {
    fn modulo(text: &str) -> u64 {
        text.chars().fold(0u64, |acc, c| {
            let digit = match c {
                '0'..='9' => c as u64 - '0' as u64,
                'A'..='I' => c as u64 - 'A' as u64 + 1,
                'J'..='R' => c as u64 - 'J' as u64 + 1,
                'S'..='Z' => c as u64 - 'S' as u64 + 2,
                _ => 0,
            };
            (acc * 10 + digit) % 97
        })
    }
    (97 - (89 * modulo(bank) + 15 * modulo(branch) + 3 * modulo(account)) % 97) as u32
}

/// Why an IBAN is refused by [`check_iban`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("un IBAN commence par le code pays et deux chiffres de contrôle, lettres et chiffres seulement")]
    Shape,
    #[error("la clé de contrôle de l'IBAN est fausse (ISO 13616, modulo 97) : vérifiez le numéro")]
    CheckDigits,
    #[error("un IBAN français compte 27 caractères")]
    FrenchLength,
    #[error("la clé RIB de l'IBAN est fausse : vérifiez le numéro")]
    RibKey,
}

/// Whether the ISO 13616 check digits of `iban` (electronic form, upper case) are right: the
/// rearranged IBAN (BBAN, then country and check digits; A = 10 … Z = 35) is 1 modulo 97.
/// The one mod-97 of IBANs: `recouvre_iso20022::sepa::validate_iban` and intake both use it.
pub fn iban_check_digits_ok(iban: &str) -> bool {
    if iban.len() < 5 || !iban.is_ascii() {
        return false;
    }
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    let mut remainder = 0u32;
    for c in rearranged {
        remainder = match c.to_digit(36) {
            Some(v) if v < 10 => (remainder * 10 + v) % 97,
            Some(v) if c.is_ascii_uppercase() => (remainder * 100 + v) % 97,
            _ => return false,
        };
    }
    remainder == 1
}

/// Checks an IBAN as a bank file brings it (paper or electronic form): shape, ISO 13616 check
/// digits, and the RIB key of French and Monegasque IBANs. Returns the electronic form. The
/// country's length table lives with the SEPA checks (`recouvre_iso20022::sepa`).
pub fn check_iban(text: &str) -> Result<String, IbanError> {
    let iban: String = text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
    let bytes = iban.as_bytes();
    if bytes.len() < 5
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
    {
        return Err(IbanError::Shape);
    }
    if !iban_check_digits_ok(&iban) {
        return Err(IbanError::CheckDigits);
    }
    if iban.starts_with("FR") || iban.starts_with("MC") {
        if iban.len() != 27 {
            return Err(IbanError::FrenchLength);
        }
        let (bank, branch, account, key) = (&iban[4..9], &iban[9..14], &iban[14..25], &iban[25..27]);
        if key.parse::<u32>().ok() != Some(rib_key(bank, branch, account)) {
            return Err(IbanError::RibKey);
        }
    }
    Ok(iban)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// ISO 13616 validation, written independently of `french_iban`.
    fn iban_is_valid(iban: &str) -> bool {
        if iban.len() < 5 || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
            return false;
        }
        let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
        let digits: String = rearranged.chars().map(|c| c.to_digit(36).unwrap().to_string()).collect();
        let remainder = digits.bytes().fold(0u64, |acc, b| (acc * 10 + u64::from(b - b'0')) % 97);
        remainder == 1
    }

    #[test]
    fn french_iban_matches_known_examples() {
        assert_eq!(french_iban("30006", "00001", "12345678901", "89"), "FR7630006000011234567890189");
        assert_eq!(french_iban("20041", "01005", "0500013M026", "06"), "FR1420041010050500013M02606");
        assert!(iban_is_valid("FR7630006000011234567890189"));
        assert!(!iban_is_valid("FR7630006000011234567890188"));
        assert_eq!(rib_key("30006", "00001", "12345678901"), 89);
        assert_eq!(rib_key("20041", "01005", "0500013M026"), 6);
    }

    #[test]
    fn check_iban_takes_the_paper_form_and_refuses_wrong_digits() {
        assert_eq!(check_iban("fr76 3000 6000 0112 3456 7890 189"), Ok("FR7630006000011234567890189".to_string()));
        assert_eq!(check_iban("NOT-AN-IBAN"), Err(IbanError::Shape));
        assert_eq!(check_iban("FR7730006000011234567890189"), Err(IbanError::CheckDigits));
        assert_eq!(check_iban("DE89370400440532013000"), Ok("DE89370400440532013000".to_string()));
        for sample in ["FR7630006000011234567890189", "DE89370400440532013000", "FR7630006000011234567890188"] {
            assert_eq!(iban_check_digits_ok(sample), iban_is_valid(sample), "{sample}");
        }
    }

    proptest! {
        #[test]
        fn iban_with_a_valid_rib_key_is_fr76_and_valid(bank in 0u64..100_000, branch in 0u64..100_000, account in 0u64..100_000_000_000) {
            let (bank, branch, account) = (format!("{bank:05}"), format!("{branch:05}"), format!("{account:011}"));
            let key = format!("{:02}", rib_key(&bank, &branch, &account));
            let iban = french_iban(&bank, &branch, &account, &key);
            prop_assert!(iban.starts_with("FR76"), "{}", iban);
            prop_assert!(iban_is_valid(&iban), "{}", iban);
            prop_assert_eq!(iban.len(), 27);
        }
    }
}
