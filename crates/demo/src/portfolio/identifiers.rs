//! Identifiers derived from the index.

use chrono::{Datelike, NaiveDate};

use super::text::{ascii, push_digits, put_digits};
use recouvre_domain::case::ClaimNature;

const PERSON_SLOTS: u64 = 4;
const ACCOUNT_SLOTS: u64 = 8;
pub(super) const FIRST_OTHER_ACCOUNT_SLOT: u64 = 3;

/// `n ↦ n·mult + offset (mod modulus)` on each block of `modulus` numbers: a bijection when `mult`
/// is coprime with `modulus`, so distinct inputs give distinct, random-looking outputs.
fn scramble(n: u64, modulus: u64, mult: u64, offset: u64) -> u64 {
    (n / modulus) * modulus + ((n % modulus) * mult + offset) % modulus
}

pub(super) fn customer_number(index: usize, slot: u64) -> String {
    // 3^18, coprime with 10^9.
    let n = scramble(index as u64 * PERSON_SLOTS + slot, 1_000_000_000, 387_420_489, 271_828_182);
    if n >= 1_000_000_000 {
        // Beyond 250 million cases: longer numbers, still unique.
        let mut text = String::from("C");
        push_digits(&mut text, n, 9);
        return text;
    }
    let mut text = *b"C000000000";
    put_digits(&mut text[1..], n);
    ascii(&text)
}

/// Number of an account at the bank (11 digits); also numbers loan contracts.
fn account_serial(index: usize, slot: u64) -> u64 {
    // 3^19, coprime with 10^10.
    scramble(index as u64 * ACCOUNT_SLOTS + slot, 10_000_000_000, 1_162_261_467, 3_141_592_653)
}

pub(super) fn account_number(index: usize, slot: u64) -> String {
    let serial = account_serial(index, slot);
    let mut text = String::with_capacity(11);
    push_digits(&mut text, serial, 11);
    text
}

pub(super) fn contract_ref(nature: ClaimNature, index: usize, slot: u64, opened: NaiveDate) -> String {
    let serial = account_serial(index, slot);
    let prefix = match nature {
        ClaimNature::Overdraft => return account_number(index, slot),
        ClaimNature::Card => {
            let mut text = String::with_capacity(13);
            text.push_str("CB-");
            push_digits(&mut text, serial, 10);
            return text;
        }
        ClaimNature::RevolvingCredit => "CR",
        ClaimNature::PersonalLoan => "PP",
        ClaimNature::Mortgage => "PI",
    };
    let mut text = String::with_capacity(18);
    text.push_str(prefix);
    text.push('-');
    push_digits(&mut text, opened.year().max(0) as u64, 4);
    text.push('-');
    push_digits(&mut text, serial, 10);
    text
}

/// A debtor's account at another bank, with a valid RIB key and IBAN; unique per person.
/// Computed in integers (the generator's hot path); equal to `french_iban` with `rib_key`.
pub(super) fn external_iban(index: usize, slot: u64, bank: u64, branch: u64) -> String {
    let account = scramble(index as u64 * PERSON_SLOTS + slot, 10_000_000_000, 1_162_261_467, 5_772_156_649);
    let key = 97 - (89 * (bank % 97) + 15 * (branch % 97) + 3 * (account % 97)) % 97;
    // ISO 13616 on "BBAN FR00" ("FR00" reads 152700).
    let mut remainder = (bank * 100_000 + branch) % 97;
    remainder = (remainder * 100_000_000_000 + account) % 97;
    remainder = (remainder * 100 + key) % 97;
    remainder = (remainder * 1_000_000 + 152_700) % 97;
    let mut iban = *b"FR0000000000000000000000000";
    put_digits(&mut iban[2..4], 98 - remainder);
    put_digits(&mut iban[4..9], bank);
    put_digits(&mut iban[9..14], branch);
    put_digits(&mut iban[14..25], account);
    put_digits(&mut iban[25..27], key);
    ascii(&iban)
}
