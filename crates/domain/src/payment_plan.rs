//! Payment plan (échéancier) builder.
//!
//! A judge can grant the debtor up to two years of delays (Code civil 1343-5); the bank uses the same
//! cap of 24 monthly instalments for amicable plans by default. Instalments fall on the same day of
//! each month as the first one, or on the month's last day when that day does not exist.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::calendar::add_months_clamped;
use crate::Money;

/// Default maximum number of monthly instalments: the two years of Code civil 1343-5.
pub const DEFAULT_MAX_INSTALMENTS: u32 = 24;
/// Upper bound accepted for `max_instalments` (30 years): beyond, it is surely a typing error.
pub const MAX_INSTALMENTS_LIMIT: u32 = 360;

/// One instalment of the plan.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedInstalment {
    pub number: u32,
    pub due: NaiveDate,
    pub amount: Money,
    /// Part of the instalment paying interest (zero without a rate).
    pub interest: Money,
    /// Part of the instalment paying the debt.
    pub principal: Money,
    /// Debt left after this instalment.
    pub remaining: Money,
}

/// A plan whose instalments sum exactly to `total` = `debt` + `interest_total`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentPlan {
    pub instalments: Vec<PlannedInstalment>,
    pub debt: Money,
    pub interest_total: Money,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("la dette doit être positive ({0})")]
    NonPositiveDebt(Money),
    #[error("la capacité de remboursement mensuelle doit être positive ({0})")]
    NonPositiveCapacity(Money),
    #[error("le nombre maximal d'échéances doit être compris entre 1 et {MAX_INSTALMENTS_LIMIT} ({0})")]
    BadMaxInstalments(u32),
    #[error("le taux annuel doit être compris entre 0 et 100 % ({0})")]
    BadRate(Decimal),
    #[error("une capacité de {monthly_capacity} par mois ne rembourse pas la dette en {max_instalments} mensualités au plus: il faut au moins {minimum_monthly_capacity} par mois (il manque {shortfall} par mois); augmenter la capacité ou le nombre d'échéances")]
    CapacityTooLow { monthly_capacity: Money, max_instalments: u32, minimum_monthly_capacity: Money, shortfall: Money },
}

/// `None` when the amount is beyond what [`Money`] holds: like a decimal overflow in [`schedule`],
/// that count of instalments has no schedule.
fn cents(amount: Decimal, strategy: RoundingStrategy) -> Option<Money> {
    Money::from_decimal_rounded(amount.round_dp_with_strategy(2, strategy)).ok()
}

/// The schedule in `count` instalments: a constant instalment (rounded up to the cent so that the
/// last one, which absorbs the remainder, is not larger), interest on the remaining debt each month.
fn schedule(debt: Money, monthly_rate: Decimal, count: u32, first_due: NaiveDate) -> Option<Vec<PlannedInstalment>> {
    let exact = if monthly_rate.is_zero() {
        debt.to_decimal() / Decimal::from(count)
    } else {
        // French amortisation: A = D·i / (1 − (1 + i)^−n) = D·i·qⁿ / (qⁿ − 1).
        let q = Decimal::ONE + monthly_rate;
        let power = (0..count).try_fold(Decimal::ONE, |acc, _| acc.checked_mul(q))?;
        debt.to_decimal() * monthly_rate * power / (power - Decimal::ONE)
    };
    let constant = cents(exact, RoundingStrategy::AwayFromZero)?;
    let mut remaining = debt;
    let mut instalments = Vec::with_capacity(count as usize);
    for index in 0..count {
        let interest = cents(remaining.to_decimal() * monthly_rate, RoundingStrategy::MidpointAwayFromZero)?;
        let principal = if index + 1 == count { remaining } else { constant - interest };
        if !principal.is_positive() || principal > remaining {
            return None;
        }
        remaining -= principal;
        instalments.push(PlannedInstalment {
            number: index + 1,
            due: add_months_clamped(first_due, index),
            amount: principal + interest,
            interest,
            principal,
            remaining,
        });
    }
    Some(instalments)
}

/// Builds monthly instalments repaying `debt` within `monthly_capacity` in at most
/// `max_instalments` (Code civil 1343-5: 24 by default), the first on `first_due`.
///
/// Uses the fewest instalments the capacity allows; they are equal (the last absorbs the rounding
/// remainder and is never larger) and sum exactly to the debt. With `annual_rate_percent` > 0, the
/// plan is a French amortisation (constant instalment, monthly rate = annual rate ÷ 12, interest on
/// the remaining debt each month), and the instalments sum exactly to debt + interest. When no plan
/// fits, the error says which monthly capacity would suffice.
pub fn build_payment_plan(
    debt: Money,
    monthly_capacity: Money,
    first_due: NaiveDate,
    max_instalments: u32,
    annual_rate_percent: Decimal,
) -> Result<PaymentPlan, PlanError> {
    if !debt.is_positive() {
        return Err(PlanError::NonPositiveDebt(debt));
    }
    if !monthly_capacity.is_positive() {
        return Err(PlanError::NonPositiveCapacity(monthly_capacity));
    }
    if !(1..=MAX_INSTALMENTS_LIMIT).contains(&max_instalments) {
        return Err(PlanError::BadMaxInstalments(max_instalments));
    }
    if annual_rate_percent.is_sign_negative() || annual_rate_percent > Decimal::ONE_HUNDRED {
        return Err(PlanError::BadRate(annual_rate_percent));
    }
    let monthly_rate = annual_rate_percent / Decimal::from(1_200);
    let fits = |plan: &Vec<PlannedInstalment>| plan.iter().all(|i| i.amount <= monthly_capacity);
    // Interest only adds to the debt: fewer than ⌈debt ÷ capacity⌉ instalments never suffice.
    let fewest = u32::try_from((debt.cents() + monthly_capacity.cents() - 1) / monthly_capacity.cents())
        .unwrap_or(u32::MAX)
        .max(1);
    for count in fewest..=max_instalments {
        if let Some(instalments) = schedule(debt, monthly_rate, count, first_due).filter(fits) {
            let total: Money = instalments.iter().map(|i| i.amount).sum();
            return Ok(PaymentPlan { debt, interest_total: total - debt, total, instalments });
        }
    }
    // The longest schedule that works within the maximum gives the smallest capacity that would
    // do. (For tiny debts the cent granularity can make the very longest one impossible; a single
    // instalment always works, so some count does.)
    // Invariant: a single instalment repays the whole debt plus at most one month's interest
    // (rate checked above to be at most 100 % a year), so it is a valid schedule for any debt
    // whose total stays within `Money`, which the arithmetic above already relies on.
    #[allow(clippy::expect_used)]
    let minimum_monthly_capacity = (1..=max_instalments)
        .rev()
        .find_map(|count| schedule(debt, monthly_rate, count, first_due))
        .and_then(|plan| plan.iter().map(|i| i.amount).max())
        .expect("a single instalment is always a valid schedule");
    Err(PlanError::CapacityTooLow {
        monthly_capacity,
        max_instalments,
        minimum_monthly_capacity,
        shortfall: minimum_monthly_capacity - monthly_capacity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_issue_example_4800_at_250_a_month() {
        // ⌈4 800 / 250⌉ = 20 instalments of 240.00, from 2026-01-05 to 2027-08-05.
        let plan =
            build_payment_plan(Money::euros(4_800), Money::euros(250), date("2026-01-05"), 24, Decimal::ZERO).unwrap();
        assert_eq!(plan.instalments.len(), 20);
        assert!(plan.instalments.iter().all(|i| i.amount == Money::euros(240)));
        assert_eq!(plan.instalments[0].due, date("2026-01-05"));
        assert_eq!(plan.instalments[19].due, date("2027-08-05"));
        assert_eq!((plan.total, plan.interest_total), (Money::euros(4_800), Money::ZERO));
    }

    #[test]
    fn the_last_instalment_absorbs_the_remainder_and_dates_clamp() {
        // 1 000.00 within 300.00: 4 instalments of 250.00; 1 000.01 → 250.01 × 3 + 249.98.
        let plan =
            build_payment_plan(Money::from_cents(100_001), Money::euros(300), date("2026-01-31"), 24, Decimal::ZERO)
                .unwrap();
        let amounts: Vec<i64> = plan.instalments.iter().map(|i| i.amount.cents()).collect();
        assert_eq!(amounts, vec![25_001, 25_001, 25_001, 24_998]);
        let dues: Vec<NaiveDate> = plan.instalments.iter().map(|i| i.due).collect();
        assert_eq!(dues, vec![date("2026-01-31"), date("2026-02-28"), date("2026-03-31"), date("2026-04-30")]);
    }

    #[test]
    fn too_low_a_capacity_says_by_how_much() {
        // 4 800 in 24 instalments needs 200.00 a month; 150.00 falls short by 50.00.
        let error = build_payment_plan(Money::euros(4_800), Money::euros(150), date("2026-01-05"), 24, Decimal::ZERO)
            .unwrap_err();
        assert_eq!(
            error,
            PlanError::CapacityTooLow {
                monthly_capacity: Money::euros(150),
                max_instalments: 24,
                minimum_monthly_capacity: Money::euros(200),
                shortfall: Money::euros(50),
            }
        );
        assert!(error.to_string().contains("il manque 50.00"));
    }

    #[test]
    fn french_amortisation_with_interest() {
        // 1 200.00 at 12 % a year (1 % a month) in 12: A = 1 200 × 0.01 / (1 − 1.01^−12) = 106.6186…
        // → 106.62 (rounded up); first month interest 12.00, principal 94.62.
        let plan = build_payment_plan(Money::euros(1_200), Money::from_cents(10_700), date("2026-01-15"), 24, dec!(12))
            .unwrap();
        assert_eq!(plan.instalments.len(), 12);
        assert_eq!(plan.instalments[0].amount, Money::from_cents(10_662));
        assert_eq!(plan.instalments[0].interest, Money::euros(12));
        assert_eq!(plan.instalments[0].principal, Money::from_cents(9_462));
        let last = plan.instalments.last().unwrap();
        assert!(last.amount <= Money::from_cents(10_662));
        assert_eq!(last.remaining, Money::ZERO);
        assert_eq!(plan.total, plan.instalments.iter().map(|i| i.amount).sum());
        assert_eq!(plan.total, plan.debt + plan.interest_total);
        // Total interest ≈ 12 × 106.6186 − 1 200 = 79.42.
        assert!((plan.interest_total - Money::from_cents(7_942)).abs() <= Money::from_cents(3));
    }

    #[test]
    fn bad_input_is_refused() {
        let first = date("2026-01-05");
        assert!(matches!(
            build_payment_plan(Money::ZERO, Money::euros(1), first, 24, Decimal::ZERO),
            Err(PlanError::NonPositiveDebt(_))
        ));
        assert!(matches!(
            build_payment_plan(Money::euros(1), Money::ZERO, first, 24, Decimal::ZERO),
            Err(PlanError::NonPositiveCapacity(_))
        ));
        assert!(matches!(
            build_payment_plan(Money::euros(1), Money::euros(1), first, 0, Decimal::ZERO),
            Err(PlanError::BadMaxInstalments(0))
        ));
        assert!(matches!(
            build_payment_plan(Money::euros(1), Money::euros(1), first, 24, dec!(-1)),
            Err(PlanError::BadRate(_))
        ));
    }

    proptest! {
        #[test]
        fn plans_sum_to_the_debt_and_respect_capacity_and_maximum(
            debt in 1i64..5_000_000, capacity in 1i64..1_000_000, max in 1u32..=48, day in 0i64..1_500
        ) {
            let first = date("2026-01-01") + chrono::Duration::days(day);
            match build_payment_plan(Money::from_cents(debt), Money::from_cents(capacity), first, max, Decimal::ZERO) {
                Ok(plan) => {
                    prop_assert_eq!(plan.instalments.iter().map(|i| i.amount).sum::<Money>(), Money::from_cents(debt));
                    prop_assert!(plan.instalments.iter().all(|i| i.amount <= Money::from_cents(capacity) && i.amount.is_positive()));
                    prop_assert!(plan.instalments.len() as u32 <= max);
                    prop_assert_eq!(plan.instalments[0].due, first);
                }
                Err(PlanError::CapacityTooLow { minimum_monthly_capacity, shortfall, .. }) => {
                    // Refused only when the capacity truly cannot do it in `max`.
                    prop_assert!(capacity * i64::from(max) < debt);
                    prop_assert!(shortfall.is_positive());
                    prop_assert!(minimum_monthly_capacity.cents() * i64::from(max) >= debt);
                }
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }

        #[test]
        fn plans_with_interest_sum_to_their_total_and_respect_capacity(
            debt in 100i64..5_000_000, capacity in 100i64..1_000_000, max in 1u32..=48, rate_bp in 1u32..2_000
        ) {
            let rate = Decimal::new(i64::from(rate_bp), 2);
            let result = build_payment_plan(Money::from_cents(debt), Money::from_cents(capacity), date("2026-01-31"), max, rate);
            match result {
                Ok(plan) => {
                    let sum: Money = plan.instalments.iter().map(|i| i.amount).sum();
                    prop_assert_eq!(sum, plan.total);
                    prop_assert_eq!(plan.total, Money::from_cents(debt) + plan.interest_total);
                    prop_assert_eq!(plan.instalments.iter().map(|i| i.principal).sum::<Money>(), Money::from_cents(debt));
                    prop_assert!(plan.instalments.iter().all(|i| i.amount <= Money::from_cents(capacity)));
                    prop_assert!(plan.instalments.len() as u32 <= max);
                    prop_assert!(!plan.interest_total.is_negative());
                }
                Err(PlanError::CapacityTooLow { minimum_monthly_capacity, .. }) => {
                    prop_assert!(minimum_monthly_capacity > Money::from_cents(capacity));
                    // The minimum announced does produce a plan.
                    let retry = build_payment_plan(Money::from_cents(debt), minimum_monthly_capacity, date("2026-01-31"), max, rate);
                    prop_assert!(retry.is_ok());
                }
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }
    }
}
