//! People.

use chrono::NaiveDate;
use std::fmt::Write as _;

use super::identifiers::external_iban;
use super::rng::Rng;
use super::tables::{
    CITIES, EMPLOYERS, EMPLOYER_PATTERNS, FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, OTHER_BANKS, STREET_NAMES,
    STREET_TYPES,
};
use super::text::text_of;
use super::text::{ascii, push_digits, put_digits};
use recouvre_domain::case::{Employment, FamilySituation, OverIndebtedness, Person, Protection};
use recouvre_domain::Money;

pub(super) struct Address {
    pub(super) line: String,
    pub(super) postcode: &'static str,
    pub(super) city: &'static str,
    pub(super) department: &'static str,
}

impl Address {
    pub(super) fn random(rng: &mut Rng) -> Address {
        let (postcode, city, department) = rng.pick(CITIES);
        Address::random_in(rng, postcode, city, department)
    }

    pub(super) fn random_in(
        rng: &mut Rng,
        postcode: &'static str,
        city: &'static str,
        department: &'static str,
    ) -> Address {
        let street_type = rng.weighted(STREET_TYPES);
        let street = rng.pick(STREET_NAMES);
        let number = rng.skewed(1, 180);
        let mut line = String::with_capacity(12 + street_type.len() + street.len());
        push_digits(&mut line, number as u64, 1);
        if rng.chance(40) {
            line.push_str(" bis");
        }
        line.push(' ');
        line.push_str(street_type);
        line.push(' ');
        line.push_str(street);
        Address { line, postcode, city, department }
    }

    pub(super) fn fixed(line: &str, postcode: &'static str, city: &'static str) -> Address {
        Address { line: line.to_string(), postcode, city, department: "" }
    }

    /// One line, for a guardian's address or a property: "12 rue Pasteur, 69003 Lyon".
    pub(super) fn one_line(&self) -> String {
        text_of(&[&self.line, ", ", self.postcode, " ", self.city])
    }
}

pub(super) fn first_name(rng: &mut Rng, female: bool) -> &'static str {
    rng.pick(if female { FEMALE_FIRST_NAMES } else { MALE_FIRST_NAMES })
}

pub(super) fn civility(female: bool) -> &'static str {
    if female {
        "Mme"
    } else {
        "M."
    }
}

/// "Jean DUPONT".
pub(super) fn full_name(first: &str, last: &str) -> String {
    let mut text = String::with_capacity(first.len() + last.len() + 1);
    text.push_str(first);
    text.push(' ');
    text.extend(last.chars().flat_map(char::to_uppercase));
    text
}

/// A person with everything optional left empty; the callers fill in the rest.
pub(super) fn blank_person(
    customer_number: String,
    last: &str,
    first: &str,
    birth: NaiveDate,
    address: &Address,
) -> Person {
    Person {
        customer_number,
        last_name: last.to_string(),
        first_name: first.to_string(),
        birth_date: Some(birth),
        address_line: address.line.clone(),
        postcode: address.postcode.to_string(),
        city: address.city.to_string(),
        phone: None,
        email: None,
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
    }
}

pub(super) fn phone(rng: &mut Rng) -> String {
    let mut text = *b"06 00 00 00 00";
    text[1] = rng.pick(b"667");
    put_digits(&mut text[3..5], rng.range(10, 99) as u64);
    for at in [6, 9, 12] {
        put_digits(&mut text[at..at + 2], rng.range(0, 99) as u64);
    }
    ascii(&text)
}

/// Lower-case, accent-free, no spaces or apostrophes: "Le Gall" → "legall", "Hélène" → "helene".
fn push_folded(out: &mut String, text: &str) {
    for c in text.chars() {
        let folded = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'ç' | 'Ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' | 'Î' => 'i',
            'ô' | 'ö' | 'Ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            ' ' | '\'' => continue,
            other => other.to_ascii_lowercase(),
        };
        out.push(folded);
    }
}

pub(super) fn email(rng: &mut Rng, first: &str, last: &str) -> String {
    let mut text = String::with_capacity(first.len() + last.len() + 16);
    push_folded(&mut text, first);
    text.push(if rng.chance(850) { '.' } else { '_' });
    push_folded(&mut text, last);
    if rng.chance(250) {
        push_digits(&mut text, rng.range(1, 99) as u64, 1);
    }
    text.push_str(if rng.chance(550) { "@example.fr" } else { "@example.com" });
    text
}

// Invariant: the ordinal is 1 to 365, a day every year has, and the years are the generator's
// few decades of birth years.
#[allow(clippy::expect_used)]
pub(super) fn birth_date(rng: &mut Rng, years: (i32, i32)) -> NaiveDate {
    let year = rng.range(i64::from(years.0), i64::from(years.1.max(years.0))) as i32;
    let ordinal = rng.range(1, 365) as u32;
    NaiveDate::from_yo_opt(year, ordinal).expect("day 1 to 365 exists in every year")
}

/// Birth years for an employment, `today`'s year being `y`: between y − 81 and y − 23
/// (1945–2003 for 2026), retired from 62, students under 28.
pub(super) fn birth_years(employment: Employment, y: i32) -> (i32, i32) {
    match employment {
        Employment::Retired => (y - 81, y - 62),
        Employment::Student => (y - 27, y - 23),
        Employment::SelfEmployed => (y - 66, y - 25),
        Employment::Employed | Employment::Unemployed | Employment::Benefits => (y - 64, y - 23),
    }
}

pub(super) fn employer(rng: &mut Rng, city: &str) -> String {
    match rng.below(20) {
        0..=12 => {
            let (before, after) = rng.pick(EMPLOYER_PATTERNS);
            let name = rng.pick(LAST_NAMES);
            let mut text = String::with_capacity(before.len() + name.len() + after.len());
            text.push_str(before);
            text.push_str(name);
            text.push_str(after);
            text
        }
        13..=18 => rng.pick(EMPLOYERS).to_string(),
        _ => {
            let mut text = String::with_capacity(city.len() + 10);
            let _ = write!(text, "Mairie de {city}");
            text
        }
    }
}

/// Employment, employer, income and charges, consistent with one another.
pub(super) fn fill_finances(rng: &mut Rng, person: &mut Person, employment: Employment) {
    person.employment = employment;
    let dependants = i64::from(person.dependants);
    let income = match employment {
        Employment::Employed => rng.skewed(140_000, 450_000),
        Employment::SelfEmployed => rng.skewed(60_000, 500_000),
        Employment::Unemployed => rng.skewed(70_000, 170_000),
        Employment::Retired => rng.skewed(90_000, 280_000),
        // RSA-like minimum income, plus family benefits per dependant.
        Employment::Benefits => rng.range(60_000, 70_000) + dependants * rng.range(15_000, 25_000),
        Employment::Student => rng.range(0, 70_000),
    };
    if employment == Employment::Employed {
        person.employer = Some(employer(rng, &person.city));
    }
    let housing = match rng.below(10) {
        0..=5 => rng.skewed(38_000, 110_000), // rent
        6 => rng.skewed(50_000, 140_000),     // home loan at another bank
        _ => rng.range(5_000, 30_000),        // hosted, or owner outright
    };
    let other = rng.range(6_000, 30_000) + dependants * rng.range(5_000, 15_000);
    person.monthly_income = Money::from_cents(income);
    person.monthly_charges = Money::from_cents(housing + other);
}

pub(super) fn fill_contact(rng: &mut Rng, person: &mut Person, index: usize, slot: u64, iban_per_mille: u64) {
    if rng.chance(850) {
        person.phone = Some(phone(rng));
    }
    if rng.chance(600) {
        person.email = Some(email(rng, &person.first_name, &person.last_name));
    }
    if rng.chance(iban_per_mille) {
        let bank = rng.pick(OTHER_BANKS);
        let branch = rng.below(100_000);
        person.iban = Some(external_iban(index, slot, bank, branch));
    }
}

pub(super) fn family_situation(rng: &mut Rng, age: i32) -> FamilySituation {
    use FamilySituation::*;
    let situation =
        rng.weighted(&[(Single, 33), (Married, 22), (CivilUnion, 8), (Cohabiting, 12), (Divorced, 18), (Widowed, 7)]);
    match situation {
        Widowed if age < 45 => Single,
        other => other,
    }
}

pub(super) fn dependants(rng: &mut Rng, employment: Employment) -> u8 {
    match employment {
        Employment::Student => 0,
        Employment::Retired if rng.chance(850) => 0,
        _ => rng.weighted(&[(0u8, 40), (1, 25), (2, 20), (3, 10), (4, 5)]),
    }
}
