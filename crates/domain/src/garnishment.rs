//! Seizable part of wages (saisie des rémunérations) and of a bank balance.
//!
//! Wages: a fraction of each band of the annual net pay is seizable (Code du travail R3252-2), the
//! band ceilings rising per dependant (R3252-3), and the debtor always keeps the RSA amount for one
//! person (R3252-5). Bank account: the bank always leaves the unseizable bank balance (SBI) on the
//! account, capped at the credit balance (CPCE L162-2, R162-2).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::MoneyError;
use crate::reference::{ReferenceData, ReferenceError, UnseizableBalanceInForce, WAGE_BAND_COUNT};
use crate::Money;

/// Seizable fraction of each band, as (numerator, denominator) (Code du travail R3252-2).
/// Everything above the last ceiling is seizable in full.
pub const BAND_FRACTIONS: [(u32, u32); WAGE_BAND_COUNT] = [(1, 20), (1, 10), (1, 5), (1, 4), (1, 3), (2, 3)];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GarnishmentError {
    #[error("la rémunération mensuelle nette ne peut être négative ({0}): saisir le net mensuel")]
    NegativePay(Money),
    #[error("le solde du compte ne peut être négatif ({0}): un compte débiteur n'a rien de saisissable")]
    NegativeBalance(Money),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// An amount beyond what [`Money`] holds (only from absurd input).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The part of the annual pay falling in one band and what is seizable of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandShare {
    /// Lower bound of the band, annual (raised for dependants).
    pub from: Money,
    /// Upper bound of the band, annual; `None` for "everything above".
    pub to: Option<Money>,
    /// Seizable fraction, e.g. "1/20"; "1/1" above the last ceiling.
    pub fraction: String,
    /// Annual pay falling in the band.
    pub annual_amount: Money,
    /// Seizable part of it, annual, rounded for display.
    pub seizable_annual: Money,
}

/// The seizable part of a monthly net pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeizableWage {
    /// Seizable each month, after the floor of R3252-5.
    pub seizable_monthly: Money,
    /// Amount the debtor always keeps: the SBI in force (R3252-5).
    pub unseizable_floor: Money,
    /// Seizable each month by the bands alone (R3252-2), before the floor.
    pub seizable_monthly_by_bands: Money,
    /// True when the floor reduced the seizable part.
    pub limited_by_floor: bool,
    pub annual_net: Money,
    pub bands: Vec<BandShare>,
    /// Decree of the year's ceilings.
    pub bands_source: String,
    /// Source of the floor.
    pub floor_source: String,
}

/// The seizable part of a monthly net pay on a date (Code du travail R3252-2, R3252-3, R3252-5).
///
/// The bands of the date's civil year, each ceiling raised by the per-dependant increment times
/// `dependants`, are applied to the annual pay (monthly × 12); the result is divided by 12 and
/// rounded half-up to the cent; it never leaves the debtor less than the SBI in force on that date.
pub fn seizable_wage(
    monthly_net: Money,
    dependants: u32,
    on: NaiveDate,
    reference: &ReferenceData,
) -> Result<SeizableWage, GarnishmentError> {
    if monthly_net.is_negative() {
        return Err(GarnishmentError::NegativePay(monthly_net));
    }
    let year_bands = reference.wage_bands(on.year())?;
    let floor = reference.unseizable_balance_on(on)?;
    let annual_net = Money::from_cents(monthly_net.cents() * 12);
    let raise = Money::from_cents(year_bands.per_dependant.cents() * i64::from(dependants));
    let annual = annual_net.to_decimal();

    let mut bands = Vec::with_capacity(WAGE_BAND_COUNT + 1);
    let mut exact_annual = Decimal::ZERO;
    let mut lower = Money::ZERO;
    for (ceiling, (numerator, denominator)) in year_bands.ceilings.iter().zip(BAND_FRACTIONS) {
        let upper = *ceiling + raise;
        let in_band = annual_net.min(upper) - annual_net.min(lower);
        let seizable = in_band.to_decimal() * Decimal::from(numerator) / Decimal::from(denominator);
        exact_annual += seizable;
        bands.push(BandShare {
            from: lower,
            to: Some(upper),
            fraction: format!("{numerator}/{denominator}"),
            annual_amount: in_band,
            seizable_annual: Money::from_decimal_rounded(seizable)?,
        });
        lower = upper;
    }
    let above = (annual_net - annual_net.min(lower)).to_decimal();
    exact_annual += above;
    bands.push(BandShare {
        from: lower,
        to: None,
        fraction: "1/1".to_string(),
        annual_amount: Money::from_decimal_rounded(above)?,
        seizable_annual: Money::from_decimal_rounded(above)?,
    });
    debug_assert!(exact_annual <= annual);

    let by_bands = Money::from_decimal_rounded(exact_annual / Decimal::from(12))?;
    let most = (monthly_net - floor.amount).max(Money::ZERO);
    Ok(SeizableWage {
        seizable_monthly: by_bands.min(most),
        unseizable_floor: floor.amount,
        seizable_monthly_by_bands: by_bands,
        limited_by_floor: by_bands > most,
        annual_net,
        bands,
        bands_source: year_bands.source.clone(),
        floor_source: floor.source,
    })
}

/// The unseizable bank balance (SBI) in force on a date (CPCE L162-2, R162-2).
pub fn unseizable_balance(
    on: NaiveDate,
    reference: &ReferenceData,
) -> Result<UnseizableBalanceInForce, GarnishmentError> {
    Ok(reference.unseizable_balance_on(on)?)
}

/// What a bank-account seizure can take from a credit balance on a date (CPCE L162-2, R162-2):
/// the balance less the SBI, the SBI being capped at the balance, so never below zero.
pub fn seizable_bank_balance(
    balance: Money,
    on: NaiveDate,
    reference: &ReferenceData,
) -> Result<Money, GarnishmentError> {
    if balance.is_negative() {
        return Err(GarnishmentError::NegativeBalance(balance));
    }
    let sbi = reference.unseizable_balance_on(on)?.amount;
    Ok((balance - sbi).max(Money::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_issue_example_2000_a_month_in_june_2025() {
        // By hand with the 2025 ceilings (décret 2024-1231), annual 24 000:
        // 4 440/20 = 222; 4 220/10 = 422; 4 230/5 = 846; 4 200/4 = 1 050; 4 210/3 = 1 403.33…;
        // 2 700 × 2/3 = 1 800; total 5 743.33… / 12 = 478.611… → 478.61.
        let reference = ReferenceData::embedded();
        let result = seizable_wage(Money::euros(2_000), 0, date("2025-06-01"), &reference).unwrap();
        assert_eq!(result.seizable_monthly, Money::from_cents(47_861));
        assert_eq!(result.unseizable_floor, Money::from_cents(64_652));
        assert!(!result.limited_by_floor);
        assert_eq!(result.annual_net, Money::euros(24_000));
        assert_eq!(result.bands[4].seizable_annual, Money::from_cents(140_333));
        assert_eq!(result.bands[5].annual_amount, Money::euros(2_700));
        assert_eq!(result.bands[6].annual_amount, Money::ZERO);
    }

    #[test]
    fn dependants_raise_every_ceiling() {
        // Two dependants in 2025: ceilings + 3 440. Annual 24 000:
        // 7 880/20 = 394; 4 220/10 = 422; 4 230/5 = 846; 4 200/4 = 1 050; 3 470/3 = 1 156.66…;
        // total 3 868.66… / 12 = 322.388… → 322.39.
        let reference = ReferenceData::embedded();
        let result = seizable_wage(Money::euros(2_000), 2, date("2025-06-01"), &reference).unwrap();
        assert_eq!(result.seizable_monthly, Money::from_cents(32_239));
    }

    #[test]
    fn pay_above_the_last_ceiling_is_seizable_in_full() {
        // 2026 ceilings (décret 2025-1299), 3 000 a month = 36 000 a year, on 2026-02-01:
        // 224 + 425 + 854 + 1 057.5 + 1 413.33… + 2 893.33… + 10 190 = 17 057.166… / 12 = 1 421.43
        let reference = ReferenceData::embedded();
        let result = seizable_wage(Money::euros(3_000), 0, date("2026-02-01"), &reference).unwrap();
        assert_eq!(result.bands[6].annual_amount, Money::euros(10_190));
        assert_eq!(result.seizable_monthly, Money::from_cents(142_143));
    }

    #[test]
    fn the_floor_leaves_the_debtor_the_sbi() {
        // 650.00 a month in June 2025: the bands would take 650 × 12 = 7 800 → 222 + 336 = 558 a
        // year = 46.50 a month, but the debtor must keep 646.52, so only 3.48 is seizable.
        let reference = ReferenceData::embedded();
        let result = seizable_wage(Money::euros(650), 0, date("2025-06-01"), &reference).unwrap();
        assert_eq!(result.seizable_monthly_by_bands, Money::from_cents(4_650));
        assert_eq!(result.seizable_monthly, Money::from_cents(348));
        assert!(result.limited_by_floor);
        let poor = seizable_wage(Money::euros(500), 0, date("2025-06-01"), &reference).unwrap();
        assert_eq!(poor.seizable_monthly, Money::ZERO);
    }

    #[test]
    fn uncovered_dates_are_errors() {
        let reference = ReferenceData::embedded();
        // 2027: no bands.
        assert!(matches!(
            seizable_wage(Money::euros(2_000), 0, date("2027-01-15"), &reference),
            Err(GarnishmentError::Reference(ReferenceError::MissingWageBands { year: 2027 }))
        ));
        // April 2026: bands known, SBI not.
        assert!(matches!(
            seizable_wage(Money::euros(2_000), 0, date("2026-04-15"), &reference),
            Err(GarnishmentError::Reference(ReferenceError::MissingUnseizableBalance { .. }))
        ));
    }

    #[test]
    fn bank_balance_example_of_the_brief() {
        // rsa-info.fr: 800 € on the account, SBI 635.71 € (from April 2024) → 164.29 € seizable.
        let reference = ReferenceData::embedded();
        let on = date("2024-10-01");
        assert_eq!(seizable_bank_balance(Money::euros(800), on, &reference), Ok(Money::from_cents(16_429)));
        assert_eq!(seizable_bank_balance(Money::euros(500), on, &reference), Ok(Money::ZERO));
        assert_eq!(unseizable_balance(date("2025-06-01"), &reference).unwrap().amount, Money::from_cents(64_652));
    }

    proptest! {
        #[test]
        fn seizable_is_between_zero_and_pay_less_floor_and_grows_with_pay(
            cents in 0i64..2_000_000, dependants in 0u32..6
        ) {
            let reference = ReferenceData::embedded();
            let on = date("2025-06-01");
            let pay = Money::from_cents(cents);
            let result = seizable_wage(pay, dependants, on, &reference).unwrap();
            prop_assert!(!result.seizable_monthly.is_negative());
            prop_assert!(result.seizable_monthly <= (pay - result.unseizable_floor).max(Money::ZERO));
            let more = seizable_wage(pay + Money::euros(10), dependants, on, &reference).unwrap();
            prop_assert!(more.seizable_monthly >= result.seizable_monthly);
            let more_dependants = seizable_wage(pay, dependants + 1, on, &reference).unwrap();
            prop_assert!(more_dependants.seizable_monthly <= result.seizable_monthly);
        }
    }
}
