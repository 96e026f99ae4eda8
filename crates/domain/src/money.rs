//! Money as integer cents of euro. Never a float.
//!
//! `Money` is the only type that carries an amount of money through Recouvre. It parses the
//! forms the bank's files and officers use (`1234.56`, `1 234,56`, `-12,5`) and prints either
//! the machine form (`1234.56`, used in JSON and files) or the French form (`1 234,56 €`).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Narrow no-break space (U+202F), the French thousands separator.
pub const NNBSP: char = '\u{202F}';
/// No-break space (U+00A0), between the amount and the euro sign.
pub const NBSP: char = '\u{00A0}';

/// An amount of money in euro cents. Signed: a negative amount is a credit or a refund,
/// depending on where it is used.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("« {0} » n'est pas un montant (attendu par exemple 1234,56 ou 1234.56)")]
    NotAnAmount(String),
    #[error("« {0} » a plus de deux décimales : un montant s'exprime au centime près")]
    TooManyDecimals(String),
    #[error("« {0} » est trop grand pour un montant")]
    Overflow(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    /// Whole euros, for tests and reference data (`Money::euros(646)`).
    pub const fn euros(euros: i64) -> Money {
        Money(euros * 100)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    pub fn min(self, other: Money) -> Money {
        Money(self.0.min(other.0))
    }

    pub fn max(self, other: Money) -> Money {
        Money(self.0.max(other.0))
    }

    /// The exact amount as a decimal number of euros.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Rounds a decimal number of euros half away from zero to the cent
    /// ("arrondi au centime le plus proche", the usual rule in French accounting).
    pub fn from_decimal_rounded(euros: Decimal) -> Result<Money, MoneyError> {
        let rounded = euros.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let cents = (rounded * Decimal::ONE_HUNDRED).to_i64().ok_or_else(|| MoneyError::Overflow(euros.to_string()))?;
        Ok(Money(cents))
    }

    /// Machine form: `-1234.56`. Used in JSON, CSV exports and the CLI.
    pub fn to_plain_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// French form for screens and letters: `1 234,56 €` with a narrow no-break space between
    /// thousands and a no-break space before the euro sign.
    pub fn to_french(self) -> String {
        format!("{}{NBSP}€", self.to_french_number())
    }

    /// French form without the currency: `1 234,56`.
    pub fn to_french_number(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3 * 3);
        for (index, digit) in euros.chars().enumerate() {
            if index > 0 && (euros.len() - index).is_multiple_of(3) {
                grouped.push(NNBSP);
            }
            grouped.push(digit);
        }
        format!("{sign}{grouped},{:02}", abs % 100)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Accepts `1234.56`, `1234,56`, `1 234,56`, `1 234,56 €`, `-12,5`, `12`.
    /// Rejects more than two decimals rather than rounding silently.
    fn from_str(input: &str) -> Result<Money, MoneyError> {
        let not_an_amount = || MoneyError::NotAnAmount(input.to_string());
        let cleaned: String = input
            .trim()
            .trim_end_matches('€')
            .chars()
            .filter(|c| !matches!(*c, ' ' | NBSP | NNBSP | '\u{2009}'))
            .collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
        };
        let digits = digits.replace(',', ".");
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (digits.as_str(), ""),
        };
        if whole.is_empty() && fraction.is_empty() {
            return Err(not_an_amount());
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
            return Err(not_an_amount());
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooManyDecimals(input.to_string()));
        }
        let whole_value: i64 =
            if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::Overflow(input.to_string()))? };
        let fraction_value: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| not_an_amount())? * 10,
            _ => fraction.parse().map_err(|_| not_an_amount())?,
        };
        let cents = whole_value
            .checked_mul(100)
            .and_then(|c| c.checked_add(fraction_value))
            .ok_or_else(|| MoneyError::Overflow(input.to_string()))?;
        Ok(Money(if negative { -cents } else { cents }))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

impl Add for Money {
    type Output = Money;
    // Invariant: the operator cannot return an error; overflowing i64 cents (about 92 million billion
    // euros) is a bug, and panicking beats wrapping silently to a wrong amount (as integer overflow does).
    #[allow(clippy::expect_used)]
    fn add(self, other: Money) -> Money {
        Money(self.0.checked_add(other.0).expect("money overflow"))
    }
}

impl Sub for Money {
    type Output = Money;
    // Invariant: as for `add`: an overflow is a bug, never silently wrapped.
    #[allow(clippy::expect_used)]
    fn sub(self, other: Money) -> Money {
        Money(self.0.checked_sub(other.0).expect("money overflow"))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        *self = *self + other;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, other: Money) {
        *self = *self - other;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

/// JSON form: a string with two decimals (`"478.61"`), so that no consumer reads it as a float.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_plain_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_forms_files_and_officers_use() {
        assert_eq!("1234.56".parse(), Ok(Money::from_cents(123_456)));
        assert_eq!("1234,56".parse(), Ok(Money::from_cents(123_456)));
        assert_eq!("1 234,56 €".parse(), Ok(Money::from_cents(123_456)));
        assert_eq!("1\u{202F}234,5".parse(), Ok(Money::from_cents(123_450)));
        assert_eq!("-12".parse(), Ok(Money::from_cents(-1_200)));
        assert_eq!(",5".parse(), Ok(Money::from_cents(50)));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert!(matches!("12.345".parse::<Money>(), Err(MoneyError::TooManyDecimals(_))));
        assert!(matches!("abc".parse::<Money>(), Err(MoneyError::NotAnAmount(_))));
        assert!(matches!("".parse::<Money>(), Err(MoneyError::NotAnAmount(_))));
        assert!(matches!("1.2.3".parse::<Money>(), Err(MoneyError::NotAnAmount(_))));
        assert!(matches!("1e5".parse::<Money>(), Err(MoneyError::NotAnAmount(_))));
    }

    #[test]
    fn prints_french_and_plain_forms() {
        assert_eq!(Money::from_cents(123_456_789).to_french(), "1\u{202F}234\u{202F}567,89\u{A0}€");
        assert_eq!(Money::from_cents(-5).to_plain_string(), "-0.05");
        assert_eq!(Money::from_cents(100_000).to_french_number(), "1\u{202F}000,00");
        assert_eq!(Money::from_cents(99_999).to_french_number(), "999,99");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        use rust_decimal_macros::dec;
        assert_eq!(Money::from_decimal_rounded(dec!(1.005)), Ok(Money::from_cents(101)));
        assert_eq!(Money::from_decimal_rounded(dec!(1.0049)), Ok(Money::from_cents(100)));
        assert_eq!(Money::from_decimal_rounded(dec!(-1.005)), Ok(Money::from_cents(-101)));
    }

    proptest! {
        #[test]
        fn plain_and_french_forms_parse_back(cents in -10_000_000_000i64..10_000_000_000) {
            let money = Money::from_cents(cents);
            prop_assert_eq!(money.to_plain_string().parse::<Money>(), Ok(money));
            prop_assert_eq!(money.to_french().parse::<Money>(), Ok(money));
        }
    }
}

#[cfg(feature = "openapi")]
mod openapi {
    use super::Money;
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::{RefOr, Schema};

    /// In JSON a `Money` is a string with two decimals, never a number.
    impl utoipa::PartialSchema for Money {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .pattern(Some(r"^-?[0-9]+\.[0-9]{2}$"))
                .examples([serde_json::json!("478.61")])
                .description(Some("Amount in euros with two decimals, as a string"))
                .into()
        }
    }

    impl utoipa::ToSchema for Money {}
}
