//! Caps of the indemnity a defaulting borrower owes the lender.
//!
//! Consumer credit: at most 8 % of the capital outstanding at default when repayment is demanded at
//! once (Code de la consommation D312-16); otherwise 8 % of the unpaid instalments, 4 % when they are
//! postponed (D312-17). Mortgage: at most 7 % of the capital outstanding plus interest due (the brief
//! cites R313-28, article number UNVERIFIED). The percentages come from the reference data. The judge
//! can still reduce the clause (Code civil 1231-5): these are ceilings, not amounts owed.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::money::MoneyError;
use crate::reference::{IndemnityKind, ReferenceData, ReferenceError};
use crate::Money;

/// The maximum indemnity for a base amount, and where the cap comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndemnityCeiling {
    pub kind: IndemnityKind,
    pub base: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "8"))]
    pub percent: Decimal,
    /// The cap, rounded down to the cent so it is never exceeded.
    pub maximum: Money,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndemnityError {
    #[error("l'assiette de l'indemnité ne peut être négative ({0})")]
    NegativeBase(Money),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// An amount beyond what [`Money`] holds (only from absurd input).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The cap of an indemnity of `kind` on `base`, in force on `on` (C. consom. D312-16, D312-17,
/// R313-28 per [`IndemnityKind`]). Rounded down to the cent: a ceiling must not be exceeded.
pub fn indemnity_cap(
    kind: IndemnityKind,
    base: Money,
    on: NaiveDate,
    reference: &ReferenceData,
) -> Result<IndemnityCeiling, IndemnityError> {
    if base.is_negative() {
        return Err(IndemnityError::NegativeBase(base));
    }
    let cap = reference.indemnity_cap(kind, on)?;
    let exact = base.to_decimal() * cap.percent / Decimal::ONE_HUNDRED;
    let maximum = Money::from_decimal_rounded(exact.round_dp_with_strategy(2, RoundingStrategy::ToZero))?;
    Ok(IndemnityCeiling { kind, base, percent: cap.percent, maximum, source: cap.source.clone() })
}

/// Consumer credit, repayment of the whole demanded: 8 % of the capital outstanding at default
/// (C. consom. D312-16).
pub fn consumer_credit_capital_cap(
    capital_outstanding: Money,
    on: NaiveDate,
    reference: &ReferenceData,
) -> Result<IndemnityCeiling, IndemnityError> {
    indemnity_cap(IndemnityKind::ConsumerCreditCapital, capital_outstanding, on, reference)
}

/// Consumer credit, repayment not demanded at once: 8 % of the unpaid instalments, or 4 % when the
/// instalments are postponed (C. consom. D312-17).
pub fn consumer_credit_unpaid_instalments_cap(
    unpaid_instalments: Money,
    postponed: bool,
    on: NaiveDate,
    reference: &ReferenceData,
) -> Result<IndemnityCeiling, IndemnityError> {
    let kind = if postponed {
        IndemnityKind::ConsumerCreditUnpaidInstalmentsPostponed
    } else {
        IndemnityKind::ConsumerCreditUnpaidInstalments
    };
    indemnity_cap(kind, unpaid_instalments, on, reference)
}

/// Mortgage credit: 7 % of the capital outstanding plus interest due (C. consom. R313-28,
/// article number UNVERIFIED).
pub fn mortgage_cap(
    capital_outstanding: Money,
    interest_due: Money,
    on: NaiveDate,
    reference: &ReferenceData,
) -> Result<IndemnityCeiling, IndemnityError> {
    indemnity_cap(IndemnityKind::Mortgage, capital_outstanding + interest_due, on, reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn caps_of_the_brief() {
        // brief.md §3.4: 8 % (D312-16), 8 % / 4 % (D312-17), 7 % mortgage.
        let reference = ReferenceData::embedded();
        let on = date("2025-06-01");
        let cap = consumer_credit_capital_cap(Money::from_cents(1_234_567), on, &reference).unwrap();
        // 12 345.67 × 8 % = 987.6536 → 987.65 (rounded down).
        assert_eq!(cap.maximum, Money::from_cents(98_765));
        assert!(cap.source.contains("D312-16"));
        let cap = consumer_credit_unpaid_instalments_cap(Money::euros(1_000), false, on, &reference).unwrap();
        assert_eq!(cap.maximum, Money::euros(80));
        let cap = consumer_credit_unpaid_instalments_cap(Money::euros(1_000), true, on, &reference).unwrap();
        assert_eq!(cap.maximum, Money::euros(40));
        assert!(cap.source.contains("D312-17"));
        // 7 % of (100 000 + 1 000.99) = 7 070.0693 → 7 070.06.
        let cap = mortgage_cap(Money::euros(100_000), Money::from_cents(100_099), on, &reference).unwrap();
        assert_eq!(cap.maximum, Money::from_cents(707_006));
        assert!(cap.source.contains("UNVERIFIED"));
    }

    #[test]
    fn a_cap_rounds_down_and_dates_before_the_recodification_are_not_covered() {
        let reference = ReferenceData::embedded();
        // 0.19 × 8 % = 0.0152 → 0.01, never 0.02.
        let cap = consumer_credit_capital_cap(Money::from_cents(19), date("2025-01-01"), &reference).unwrap();
        assert_eq!(cap.maximum, Money::from_cents(1));
        assert!(matches!(
            consumer_credit_capital_cap(Money::euros(1), date("2016-06-30"), &reference),
            Err(IndemnityError::Reference(ReferenceError::MissingIndemnityCap { .. }))
        ));
        assert!(consumer_credit_capital_cap(Money::euros(-1), date("2025-01-01"), &reference).is_err());
    }
}
