//! Statutory interest (intérêt légal) on a principal between two dates.
//!
//! The rate is fixed each semester, in two series depending on the creditor (Code monétaire et
//! financier L313-2); it is increased by 5 points two months after a court decision ordering payment
//! became enforceable (L313-3). Interest accrues day by day over the civil year (Code civil 1231-6 for
//! interest on late payment, 1344-1 from the formal notice).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::add_months_clamped;
// The creditor category selects one of the two series of a semester's rates: it lives with the
// rates (`reference`), and is re-exported here where the computation is.
use crate::money::MoneyError;
pub use crate::reference::CreditorCategory;
use crate::reference::{french_date, ReferenceData, ReferenceError, Semester};
use crate::Money;

/// The increase of CMF L313-3, in percentage points.
pub const INCREASE_POINTS: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterestError {
    #[error("la date de fin ({}) précède la date de début ({}): inverser les dates", french_date(*.to), french_date(*.from))]
    EndBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("le principal ne peut être négatif ({0}): saisir le montant dû")]
    NegativePrincipal(Money),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// Interest beyond what [`Money`] holds (only from absurd input).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A stretch of days at one rate, within one semester and one civil year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterestPeriod {
    /// First day (included).
    pub from: NaiveDate,
    /// Day after the last day (excluded).
    pub to: NaiveDate,
    /// Rate applied, in % per year (increase included).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "3.71"))]
    pub rate: Decimal,
    pub days: u32,
    /// This period's interest rounded to the cent, for display only.
    pub interest: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2025-1"))]
    pub semester: Semester,
    /// True when the 5-point increase of L313-3 applies.
    pub increased: bool,
}

/// Statutory interest over a range of days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatutoryInterest {
    /// The exact sum of the periods' interest, rounded half-up to the cent once. The periods'
    /// own rounded amounts may differ from it by a cent or so: they are for display.
    pub interest: Money,
    pub periods: Vec<InterestPeriod>,
    /// First day of the 5-point increase (L313-3), when a service date was given.
    pub increase_from: Option<NaiveDate>,
}

/// First day the 5-point increase of CMF L313-3 applies, for a decision served on `served_on`.
///
/// L313-3 increases the rate "à l'expiration d'un délai de deux mois à compter du jour où la décision
/// de justice est devenue exécutoire"; the brief counts it from service. Interpretation: the two
/// months are counted like a limit in months (CPC art. 641: same-numbered day two months later,
/// or that month's last day), and the increase applies from the following day. Art. 642 does not
/// move that end to a working day: it extends the time a party has to act, whereas here nobody has
/// to act and interest accrues on every calendar day.
// Invariant: only chrono's last representable day (31 December 262143) has no successor; no
// service date comes near it.
#[allow(clippy::expect_used)]
pub fn increase_start(served_on: NaiveDate) -> NaiveDate {
    add_months_clamped(served_on, 2).succ_opt().expect("date within chrono's range")
}

fn days_in_year(year: i32) -> u32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// Statutory interest on `principal` from `from` (included) to `to` (excluded) (CMF L313-2, L313-3).
///
/// Each day accrues principal × the rate of that day's semester for `category` ÷ the number of
/// days of that day's civil year (365 or 366). With `judgment_served_on`, the rate is increased by
/// 5 points from [`increase_start`]. The sum is kept exact and rounded half-up to the cent once,
/// at the end. A semester the reference data lacks is an error naming it: no value is guessed.
pub fn statutory_interest(
    principal: Money,
    from: NaiveDate,
    to: NaiveDate,
    category: CreditorCategory,
    judgment_served_on: Option<NaiveDate>,
    reference: &ReferenceData,
) -> Result<StatutoryInterest, InterestError> {
    if to < from {
        return Err(InterestError::EndBeforeStart { from, to });
    }
    if principal.is_negative() {
        return Err(InterestError::NegativePrincipal(principal));
    }
    let increase_from = judgment_served_on.map(increase_start);
    let mut periods = Vec::new();
    let mut exact_total = Decimal::ZERO;
    let mut start = from;
    while start < to {
        let semester = Semester::of(start);
        // Semesters start on 1 January and 1 July, so they also split civil years.
        let mut end = semester.next().first_day().min(to);
        let increased = increase_from.is_some_and(|day| start >= day);
        if let Some(day) = increase_from {
            if start < day && day < end {
                end = day;
            }
        }
        let base_rate = reference.statutory_rate(semester)?.for_category(category);
        let rate = if increased { base_rate + INCREASE_POINTS } else { base_rate };
        // Invariant: `start <= end` within one semester, so at most 184 days.
        #[allow(clippy::expect_used)]
        let days = u32::try_from((end - start).num_days()).expect("positive and small");
        // Same as summing one day at a time: every day of the period has the same rate and year.
        let exact = principal.to_decimal() * rate * Decimal::from(days)
            / (Decimal::ONE_HUNDRED * Decimal::from(days_in_year(start.year())));
        exact_total += exact;
        periods.push(InterestPeriod {
            from: start,
            to: end,
            rate,
            days,
            interest: Money::from_decimal_rounded(exact)?,
            semester,
            increased,
        });
        start = end;
    }
    Ok(StatutoryInterest { interest: Money::from_decimal_rounded(exact_total)?, periods, increase_from })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn one_year_2025_at_the_other_rate() {
        // Rates from the arrêtés quoted in brief.md §3.4: 3.71 % (2025-1), 2.76 % (2025-2).
        // By hand: 10 000 × 3.71 % × 181/365 = 183.9753…; 10 000 × 2.76 % × 184/365 = 139.1342…;
        // total 323.1095… → 323.11 (the periods show 183.98 and 139.13).
        let reference = ReferenceData::embedded();
        let result = statutory_interest(
            Money::euros(10_000),
            date("2025-01-01"),
            date("2026-01-01"),
            CreditorCategory::Other,
            None,
            &reference,
        )
        .unwrap();
        assert_eq!(result.interest, Money::from_cents(32_311));
        assert_eq!(result.periods.len(), 2);
        let first = &result.periods[0];
        assert_eq!(
            (first.from, first.to, first.rate, first.days),
            (date("2025-01-01"), date("2025-07-01"), dec!(3.71), 181)
        );
        assert_eq!(first.interest, Money::from_cents(18_398));
        let second = &result.periods[1];
        assert_eq!(
            (second.from, second.to, second.rate, second.days),
            (date("2025-07-01"), date("2026-01-01"), dec!(2.76), 184)
        );
        assert_eq!(second.interest, Money::from_cents(13_913));
    }

    #[test]
    fn individual_series_and_leap_year() {
        // 2024 is a leap year: 1 000 × 8.01 % × 10/366 = 2.1885… → 2.19.
        let reference = ReferenceData::embedded();
        let result = statutory_interest(
            Money::euros(1_000),
            date("2024-02-25"),
            date("2024-03-06"),
            CreditorCategory::Individual,
            None,
            &reference,
        )
        .unwrap();
        assert_eq!(result.periods[0].days, 10);
        assert_eq!(result.interest, Money::from_cents(219));
    }

    #[test]
    fn the_total_is_rounded_once_not_period_by_period() {
        // 100.00 over three stretches split by semesters and years: each period rounds to a
        // value whose sum differs from the rounded exact total.
        // 2024-06-30 (1 day, 5.07 %, /366): 0.013852… ; 2024-07-01..2025-01-01 (184 d, 4.92 %, /366):
        // 2.473442… ; 2025-01-01 (1 day, 3.71 %, /365): 0.010164…; exact total 2.497459… → 2.50,
        // whereas the periods show 0.01 + 2.47 + 0.01 = 2.49.
        let reference = ReferenceData::embedded();
        let result = statutory_interest(
            Money::euros(100),
            date("2024-06-30"),
            date("2025-01-02"),
            CreditorCategory::Other,
            None,
            &reference,
        )
        .unwrap();
        assert_eq!(result.periods.len(), 3);
        let shown: Money = result.periods.iter().map(|p| p.interest).sum();
        assert_eq!(shown, Money::from_cents(249));
        assert_eq!(result.interest, Money::from_cents(250));
    }

    #[test]
    fn five_points_from_the_day_after_two_months_from_service() {
        // Served 2025-03-15: the two months end 2025-05-15, the increase applies from 2025-05-16.
        let reference = ReferenceData::embedded();
        let result = statutory_interest(
            Money::euros(10_000),
            date("2025-03-01"),
            date("2025-08-01"),
            CreditorCategory::Other,
            Some(date("2025-03-15")),
            &reference,
        )
        .unwrap();
        assert_eq!(result.increase_from, Some(date("2025-05-16")));
        let summary: Vec<(NaiveDate, NaiveDate, Decimal, u32, bool)> =
            result.periods.iter().map(|p| (p.from, p.to, p.rate, p.days, p.increased)).collect();
        assert_eq!(
            summary,
            vec![
                (date("2025-03-01"), date("2025-05-16"), dec!(3.71), 76, false),
                (date("2025-05-16"), date("2025-07-01"), dec!(8.71), 46, true),
                (date("2025-07-01"), date("2025-08-01"), dec!(7.76), 31, true),
            ]
        );
        // 10 000 × (3.71 × 76 + 8.71 × 46 + 7.76 × 31) / 36 500 = 10 000 × 923.18 / 36 500
        // = 252.9260… → 252.93
        assert_eq!(result.interest, Money::from_cents(25_293));
        // Served on 31 December: two months end on 28 February, increase from 1 March.
        assert_eq!(increase_start(date("2024-12-31")), date("2025-03-01"));
    }

    #[test]
    fn a_missing_semester_is_an_error_naming_it() {
        let reference = ReferenceData::embedded();
        let error = statutory_interest(
            Money::euros(10_000),
            date("2026-01-01"),
            date("2026-07-02"),
            CreditorCategory::Other,
            None,
            &reference,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "taux de l'intérêt légal du 2e semestre 2026 absent des données de référence: un administrateur doit le saisir"
        );
        // Up to 30 June 2026 (to = 1 July, excluded) everything is known.
        assert!(statutory_interest(
            Money::euros(10_000),
            date("2026-01-01"),
            date("2026-07-01"),
            CreditorCategory::Other,
            None,
            &reference,
        )
        .is_ok());
    }

    #[test]
    fn empty_range_and_bad_input() {
        let reference = ReferenceData::embedded();
        let day = date("2025-01-01");
        let result = statutory_interest(Money::euros(5), day, day, CreditorCategory::Other, None, &reference).unwrap();
        assert_eq!((result.interest, result.periods.len()), (Money::ZERO, 0));
        assert!(matches!(
            statutory_interest(Money::euros(5), day, date("2024-12-31"), CreditorCategory::Other, None, &reference),
            Err(InterestError::EndBeforeStart { .. })
        ));
        assert!(matches!(
            statutory_interest(Money::euros(-5), day, day, CreditorCategory::Other, None, &reference),
            Err(InterestError::NegativePrincipal(_))
        ));
    }
}
