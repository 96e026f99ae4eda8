//! What each claim of a case still owes (issue 20): the letters state every claim with its own
//! amounts, not a share of the case's total.
//!
//! The ledger keeps the case's balances by account; what each claim was charged is known — its
//! amounts at transfer and the interest booked to it (each `interest_accrued` event names its
//! claims, `claim_interest::project`). What was paid or written off on an account is the
//! difference between what the claims were charged and what the case still owes on it. That
//! reduction is imputed claim by claim as the Code civil imputes a payment the debtor did not
//! assign (C. civ. 1342-10): all the claims are due, we hold them of equal interest for the
//! debtor, so the payment goes to the oldest due first, then the next. The amounts of each
//! account are imputed separately, since the ledger already allocated each payment over the
//! accounts (C. civ. 1343-1: costs, interest, then capital).

use chrono::NaiveDate;

use crate::case::Breakdown;
use crate::Money;

/// One claim as charged: its due date (for the imputation order) and everything it was charged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimCharges {
    pub claim_id: i64,
    pub due_on: NaiveDate,
    /// Amounts at transfer plus the interest booked to the claim since.
    pub charged: Breakdown,
}

fn account(breakdown: &Breakdown, index: usize) -> Money {
    match index {
        0 => breakdown.principal,
        1 => breakdown.contractual_interest,
        2 => breakdown.statutory_interest,
        3 => breakdown.costs,
        _ => breakdown.penalties,
    }
}

fn account_mut(breakdown: &mut Breakdown, index: usize) -> &mut Money {
    match index {
        0 => &mut breakdown.principal,
        1 => &mut breakdown.contractual_interest,
        2 => &mut breakdown.statutory_interest,
        3 => &mut breakdown.costs,
        _ => &mut breakdown.penalties,
    }
}

/// What each claim still owes, in the order of `claims`, given what the case owes (`due`, from
/// the ledger). The claims' balances add up to `due`, account by account. A reduction (payment,
/// write-off) goes to the oldest due claim first (C. civ. 1342-10); an amount the case owes
/// beyond what its claims were charged (interest booked before the bookings named their claims)
/// is the oldest claim's.
pub fn claim_balances(claims: &[ClaimCharges], due: &Breakdown) -> Vec<(i64, Breakdown)> {
    let mut order: Vec<usize> = (0..claims.len()).collect();
    order.sort_by_key(|&index| (claims[index].due_on, claims[index].claim_id));
    let mut balances: Vec<Breakdown> = claims.iter().map(|claim| claim.charged).collect();
    for index in 0..5 {
        let charged: Money = claims.iter().map(|claim| account(&claim.charged, index)).sum();
        let mut reduction = charged - account(due, index);
        if reduction.is_negative() {
            if let Some(&oldest) = order.first() {
                *account_mut(&mut balances[oldest], index) -= reduction;
            }
            continue;
        }
        for &claim in &order {
            if !reduction.is_positive() {
                break;
            }
            let owed = account(&balances[claim], index).max(Money::ZERO);
            let taken = owed.min(reduction);
            *account_mut(&mut balances[claim], index) -= taken;
            reduction -= taken;
        }
    }
    claims.iter().zip(balances).map(|(claim, balance)| (claim.claim_id, balance)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn amounts(principal: i64, interest: i64, penalties: i64) -> Breakdown {
        Breakdown {
            principal: Money::from_cents(principal),
            contractual_interest: Money::from_cents(interest),
            penalties: Money::from_cents(penalties),
            ..Breakdown::default()
        }
    }

    #[test]
    fn a_payment_goes_to_the_oldest_claim_first_account_by_account() {
        let claims = [
            ClaimCharges { claim_id: 1, due_on: day("2026-03-01"), charged: amounts(500_000, 10_000, 40_000) },
            ClaimCharges { claim_id: 2, due_on: day("2025-11-01"), charged: amounts(100_000, 3_000, 0) },
        ];
        // 1 500 € of capital and 50 € of interest were paid: the older claim 2 first.
        let due = amounts(450_000, 8_000, 40_000);
        let balances = claim_balances(&claims, &due);
        assert_eq!(balances[0], (1, amounts(450_000, 8_000, 40_000)));
        assert_eq!(balances[1], (2, amounts(0, 0, 0)));
        let sum = balances.iter().fold(Breakdown::default(), |sum, (_, b)| sum.add(b));
        assert_eq!(sum, due);
    }

    #[test]
    fn interest_the_claims_were_not_charged_with_is_the_oldest_claims() {
        let claims = [
            ClaimCharges { claim_id: 1, due_on: day("2025-01-01"), charged: amounts(100_000, 0, 0) },
            ClaimCharges { claim_id: 2, due_on: day("2026-01-01"), charged: amounts(200_000, 0, 0) },
        ];
        let balances = claim_balances(&claims, &amounts(300_000, 1_234, 0));
        assert_eq!(balances[0].1.contractual_interest, Money::from_cents(1_234));
        assert_eq!(balances[1].1, amounts(200_000, 0, 0));
    }
}
