//! Interest accrual on a case's capital, day by day, for the nightly run.
//!
//! After acceleration, a consumer credit keeps bearing interest at the contractual rate on the
//! capital still due (C. consom. L312-39); a claim without a contractual rate bears the
//! statutory rate (C. civ. 1231-6, 1344-1; CMF L313-2). Each day accrues
//! `capital of that day × annual rate ÷ days of that civil year` (365 or 366); the period's
//! total is rounded half-up to the cent once, at the end of the period.
//!
//! A day whose statutory rate is not in the reference data is never computed with a guessed
//! rate: the accrual stops the day before and says from when it is held, so that the next run,
//! once an administrator entered the rate, catches the held days up exactly once.

use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;

use crate::reference::{ReferenceData, Semester};
use crate::statutory_interest::{increase_start, CreditorCategory};
use crate::Money;

/// Which rate a case's capital bears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateRule {
    /// The contract's annual rate, in percent (C. consom. L312-39).
    Contractual(Decimal),
    /// The statutory rate of the creditor's category, semester by semester (CMF L313-2),
    /// increased by 5 points from two months after a judgment ordering payment was served
    /// (CMF L313-3).
    Statutory { category: CreditorCategory, judgment_served_on: Option<NaiveDate> },
}

/// What one run accrues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accrual {
    pub interest: Money,
    /// The last day accrued (inclusive). Equal to the run's date unless held.
    pub accrued_to: NaiveDate,
    /// First day not accrued for lack of a statutory rate, if any.
    pub held_from: Option<NaiveDate>,
    pub days: u32,
}

// Invariant: 31 December exists in every year chrono represents, and `year` comes from a date.
#[allow(clippy::expect_used)]
fn days_in_year(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists every year").ordinal() == 366 {
        366
    } else {
        365
    }
}

/// Accrues the days after `after` up to `up_to` (inclusive). `capital_on(day)` is the capital
/// due at the start of `day` (after the previous days' payments).
pub fn accrue(
    capital_on: impl Fn(NaiveDate) -> Money,
    after: NaiveDate,
    up_to: NaiveDate,
    rule: RateRule,
    reference: &ReferenceData,
) -> Accrual {
    let mut exact = Decimal::ZERO;
    let mut day = after + Duration::days(1);
    let mut days = 0_u32;
    let mut held_from = None;
    while day <= up_to {
        let rate = match rule {
            RateRule::Contractual(rate) => rate,
            RateRule::Statutory { category, judgment_served_on } => match reference.statutory_rate(Semester::of(day)) {
                Ok(rates) => {
                    let increased = judgment_served_on.is_some_and(|served_on| day >= increase_start(served_on));
                    rates.for_category(category) + if increased { Decimal::from(5) } else { Decimal::ZERO }
                }
                Err(_) => {
                    held_from = Some(day);
                    break;
                }
            },
        };
        let capital = capital_on(day).max(Money::ZERO);
        exact += capital.to_decimal() * rate / Decimal::ONE_HUNDRED / Decimal::from(days_in_year(day.year()));
        days += 1;
        day += Duration::days(1);
    }
    // Invariant: the interest is at most capital × rate × days ÷ 365 of a claim's capital
    // (already `Money`); reaching i64 cents (92 million billion euros) would take a rate of
    // billions of percent, which no contract carries (usury ceilings, C. consom. L314-6).
    #[allow(clippy::expect_used)]
    let interest = Money::from_decimal_rounded(exact).expect("interest on a bank claim fits in cents");
    let accrued_to = held_from.map_or(up_to.max(after), |held| held - Duration::days(1));
    Accrual { interest, accrued_to, held_from, days }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_month_at_the_contractual_rate() {
        // 10 000 € × 5 % × 31 / 365 = 42.4657… → 42.47 (C. consom. L312-39).
        let accrual = accrue(
            |_| Money::euros(10_000),
            date("2025-12-31"),
            date("2026-01-31"),
            RateRule::Contractual(dec!(5)),
            &ReferenceData::embedded(),
        );
        assert_eq!(
            accrual,
            Accrual { interest: Money::from_cents(4_247), accrued_to: date("2026-01-31"), held_from: None, days: 31 }
        );
    }

    #[test]
    fn a_leap_year_divides_by_366() {
        // 2024 is a leap year: 36 600 € × 10 % / 366 = 10.00 € a day.
        let accrual = accrue(
            |_| Money::euros(36_600),
            date("2024-02-28"),
            date("2024-03-01"),
            RateRule::Contractual(dec!(10)),
            &ReferenceData::embedded(),
        );
        assert_eq!(accrual.interest, Money::euros(20));
    }

    #[test]
    fn payments_lower_the_capital_from_the_next_day() {
        let capital =
            |day: NaiveDate| if day <= date("2026-01-10") { Money::euros(3_650) } else { Money::euros(1_825) };
        // 10 days × 1 € + 21 days × 0.50 € at 10 % on 365 days.
        let accrual = accrue(
            capital,
            date("2025-12-31"),
            date("2026-01-31"),
            RateRule::Contractual(dec!(10)),
            &ReferenceData::embedded(),
        );
        assert_eq!(accrual.interest, Money::from_cents(1_000 + 1_050));
    }

    #[test]
    fn days_without_a_statutory_rate_are_held_not_guessed() {
        // The rate of the second semester of 2026 is not in the embedded data.
        let reference = ReferenceData::embedded();
        let held = accrue(
            |_| Money::euros(10_000),
            date("2026-06-25"),
            date("2026-07-10"),
            RateRule::Statutory { category: CreditorCategory::Other, judgment_served_on: None },
            &reference,
        );
        assert_eq!(held.accrued_to, date("2026-06-30"));
        assert_eq!(held.held_from, Some(date("2026-07-01")));
        assert_eq!(held.days, 5);
        // 10 000 € × 2.62 % × 5 / 365 = 3.589… → 3.59
        assert_eq!(held.interest, Money::from_cents(359));
        // Once the rate is entered, the next run catches the held days up.
        let mut completed = reference.clone();
        completed.add_statutory_rate(Semester::new(2026, 2).unwrap(), dec!(6.5), dec!(2.5), "test").unwrap();
        let caught_up = accrue(
            |_| Money::euros(10_000),
            held.accrued_to,
            date("2026-07-10"),
            RateRule::Statutory { category: CreditorCategory::Other, judgment_served_on: None },
            &completed,
        );
        assert_eq!((caught_up.days, caught_up.held_from), (10, None));
        assert_eq!(caught_up.accrued_to, date("2026-07-10"));
    }

    #[test]
    fn five_points_more_two_months_after_a_served_judgment() {
        // Judgment served on 15 January 2025: the increase applies from 16 March 2025 (L313-3).
        // 36 500 € on the "other" rate of 2025-1 (3.71 %): 14 days at 3.71 %, 15 at 8.71 %.
        let rule =
            RateRule::Statutory { category: CreditorCategory::Other, judgment_served_on: Some(date("2025-01-15")) };
        let accrual =
            accrue(|_| Money::euros(36_500), date("2025-03-01"), date("2025-03-30"), rule, &ReferenceData::embedded());
        // 36 500 × 3.71 % / 365 = 3.71 a day; × 8.71 % = 8.71 a day.
        assert_eq!(accrual.days, 29);
        assert_eq!(accrual.interest, Money::from_cents(14 * 371 + 15 * 871));
    }

    #[test]
    fn an_empty_period_accrues_nothing() {
        let accrual = accrue(
            |_| Money::euros(1_000),
            date("2026-01-31"),
            date("2026-01-31"),
            RateRule::Contractual(dec!(5)),
            &ReferenceData::embedded(),
        );
        assert_eq!((accrual.interest, accrual.days, accrual.accrued_to), (Money::ZERO, 0, date("2026-01-31")));
    }
}
