//! Allocation (imputation) of a payment over costs, interest and principal.
//!
//! By default a partial payment goes to costs, then interest, then principal (Code civil 1343-1:
//! "le paiement partiel s'impute d'abord sur les intérêts"; costs of recovery come before, as
//! traditionally held under former art. 1254). Over-indebtedness measures can impose the reverse,
//! capital first (Code de la consommation L733-1). What exceeds the amounts due is reported as
//! unallocated (an overpayment to refund or to hold), never lost.

use serde::{Deserialize, Serialize};

use crate::Money;

/// Order in which the components of the debt are paid off.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AllocationOrder {
    /// Costs, then interest, then principal (Code civil 1343-1).
    #[default]
    CostsInterestPrincipal,
    /// Principal, then interest, then costs: a measure of the over-indebtedness commission or
    /// judge (C. consom. L733-1, "imputation prioritaire sur le capital").
    CapitalFirst,
}

impl AllocationOrder {
    /// The order asked for by a "capital first" checkbox or flag (screens and API).
    pub fn capital_first_if(capital_first: bool) -> AllocationOrder {
        if capital_first {
            AllocationOrder::CapitalFirst
        } else {
            AllocationOrder::CostsInterestPrincipal
        }
    }
}

/// Amounts due at the time of the payment.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmountsDue {
    pub costs: Money,
    pub interest: Money,
    pub principal: Money,
}

/// How a payment was allocated. `costs + interest + principal + unallocated` = the payment.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub costs: Money,
    pub interest: Money,
    pub principal: Money,
    /// What exceeds the amounts due (overpayment).
    pub unallocated: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("le montant du paiement ne peut être négatif ({0}): un remboursement se saisit autrement")]
    NegativePayment(Money),
    #[error("le montant dû en {component} ne peut être négatif ({amount})")]
    NegativeDue { component: &'static str, amount: Money },
}

/// Allocates `amount` over the amounts due (Code civil 1343-1; C. consom. L733-1 for capital first).
pub fn allocate_payment(amount: Money, due: AmountsDue, order: AllocationOrder) -> Result<Allocation, AllocationError> {
    if amount.is_negative() {
        return Err(AllocationError::NegativePayment(amount));
    }
    for (component, value) in [("frais", due.costs), ("intérêts", due.interest), ("principal", due.principal)] {
        if value.is_negative() {
            return Err(AllocationError::NegativeDue { component, amount: value });
        }
    }
    let mut rest = amount;
    let mut take = |owed: Money| {
        let paid = rest.min(owed);
        rest -= paid;
        paid
    };
    let allocation = match order {
        AllocationOrder::CostsInterestPrincipal => {
            let costs = take(due.costs);
            let interest = take(due.interest);
            let principal = take(due.principal);
            Allocation { costs, interest, principal, unallocated: Money::ZERO }
        }
        AllocationOrder::CapitalFirst => {
            let principal = take(due.principal);
            let interest = take(due.interest);
            let costs = take(due.costs);
            Allocation { costs, interest, principal, unallocated: Money::ZERO }
        }
    };
    Ok(Allocation { unallocated: rest, ..allocation })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn due(costs: i64, interest: i64, principal: i64) -> AmountsDue {
        AmountsDue {
            costs: Money::from_cents(costs),
            interest: Money::from_cents(interest),
            principal: Money::from_cents(principal),
        }
    }

    #[test]
    fn the_issue_example_costs_then_interest_then_principal() {
        // 300.00 over 50.00 costs, 120.00 interest, 1 000.00 principal → 50 / 120 / 130 / 0.
        let result =
            allocate_payment(Money::euros(300), due(5_000, 12_000, 100_000), AllocationOrder::CostsInterestPrincipal)
                .unwrap();
        assert_eq!(
            result,
            Allocation {
                costs: Money::euros(50),
                interest: Money::euros(120),
                principal: Money::euros(130),
                unallocated: Money::ZERO
            }
        );
    }

    #[test]
    fn capital_first_pays_the_principal_before_anything() {
        let result =
            allocate_payment(Money::euros(300), due(5_000, 12_000, 100_000), AllocationOrder::CapitalFirst).unwrap();
        assert_eq!(result.principal, Money::euros(300));
        assert_eq!((result.costs, result.interest), (Money::ZERO, Money::ZERO));
        let result =
            allocate_payment(Money::euros(1_100), due(5_000, 12_000, 100_000), AllocationOrder::CapitalFirst).unwrap();
        assert_eq!(
            (result.principal, result.interest, result.costs),
            (Money::euros(1_000), Money::euros(100), Money::ZERO)
        );
    }

    #[test]
    fn an_overpayment_is_reported_not_lost() {
        let result =
            allocate_payment(Money::euros(2_000), due(5_000, 12_000, 100_000), AllocationOrder::default()).unwrap();
        assert_eq!(result.unallocated, Money::euros(830));
    }

    #[test]
    fn negative_amounts_are_refused() {
        assert!(allocate_payment(Money::euros(-1), due(0, 0, 0), AllocationOrder::default()).is_err());
        assert!(allocate_payment(Money::euros(1), due(0, -1, 0), AllocationOrder::default()).is_err());
    }

    proptest! {
        #[test]
        fn allocation_conserves_the_amount_and_never_exceeds_what_is_due(
            amount in 0i64..10_000_000, costs in 0i64..1_000_000, interest in 0i64..1_000_000,
            principal in 0i64..10_000_000, capital_first in any::<bool>()
        ) {
            let order = if capital_first { AllocationOrder::CapitalFirst } else { AllocationOrder::CostsInterestPrincipal };
            let owed = due(costs, interest, principal);
            let result = allocate_payment(Money::from_cents(amount), owed, order).unwrap();
            prop_assert_eq!(result.costs + result.interest + result.principal + result.unallocated, Money::from_cents(amount));
            prop_assert!(result.costs <= owed.costs && result.interest <= owed.interest && result.principal <= owed.principal);
            prop_assert!(!result.unallocated.is_negative());
            // Something is unallocated only when everything due is paid.
            if result.unallocated.is_positive() {
                prop_assert_eq!((result.costs, result.interest, result.principal), (owed.costs, owed.interest, owed.principal));
            }
            // The order is respected: a later component is touched only once the earlier are paid.
            match order {
                AllocationOrder::CostsInterestPrincipal => {
                    if result.interest.is_positive() { prop_assert_eq!(result.costs, owed.costs); }
                    if result.principal.is_positive() { prop_assert_eq!(result.interest, owed.interest); }
                }
                AllocationOrder::CapitalFirst => {
                    if result.interest.is_positive() { prop_assert_eq!(result.principal, owed.principal); }
                    if result.costs.is_positive() { prop_assert_eq!(result.interest, owed.interest); }
                }
            }
        }
    }
}
