//! French bank account identifiers: the RIB key (clé RIB) of a domestic account number and the IBAN
//! (ISO 13616) built from it. Debtors' accounts at other banks are written in this form; the
//! IBAN checks of `crate::bank_identifiers` verify the RIB key of French and Monegasque IBANs
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
