//! Plausibility of a credit a bank statement would book on a case (issue 22, finding 2).
//!
//! A statement is the bank's record: it is never refused for an odd credit. But a credit far
//! above what its case owes, or booked on a date the import cannot have seen, is more likely
//! a matching error, a tampered file or a bank error than a repayment: it is not allocated on
//! the case (which would wipe the debt and record an absurd overpayment) but waits in
//! suspense, with the rule it broke, for an officer to assign or return it.

use chrono::{Duration, NaiveDate};

use crate::Money;

/// A credit above this many times what the case owes is implausible…
pub const PLAUSIBLE_CREDIT_FACTOR: i64 = 3;

/// …unless it is no more than this floor (1 000,00 €): a small overpayment on a case that owes
/// little or nothing is an ordinary mistake of the debtor, booked and refunded as usual.
pub const PLAUSIBLE_CREDIT_FLOOR: Money = Money::from_cents(100_000);

/// A credit booked more than this many days before the import's business date is implausible
/// (a statement is imported within days; a year and a month leaves room for a late backlog).
pub const PLAUSIBLE_BOOKING_DAYS_BEFORE: i64 = 400;

/// The most a case owing `due` may plausibly receive in one credit: the larger of
/// [`PLAUSIBLE_CREDIT_FACTOR`] × `due` and [`PLAUSIBLE_CREDIT_FLOOR`].
pub fn plausible_credit_max(due: Money) -> Money {
    let scaled = due.max(Money::ZERO).cents().saturating_mul(PLAUSIBLE_CREDIT_FACTOR);
    Money::from_cents(scaled).max(PLAUSIBLE_CREDIT_FLOOR)
}

/// Why a credit of `amount` booked on `booked_on`, on a case owing `due`, imported on the
/// business date `today`, must wait in suspense rather than be booked; `None` when plausible.
/// The reason is French: the suspense queue shows it to the officer.
pub fn implausible_credit(amount: Money, due: Money, booked_on: NaiveDate, today: NaiveDate) -> Option<String> {
    if amount > plausible_credit_max(due) {
        return Some(format!(
            "montant sans rapport avec la dette : {} pour {} dus (plus de {} fois la dette et plus de {})",
            amount.to_french(),
            due.max(Money::ZERO).to_french(),
            PLAUSIBLE_CREDIT_FACTOR,
            PLAUSIBLE_CREDIT_FLOOR.to_french()
        ));
    }
    let earliest = today - Duration::days(PLAUSIBLE_BOOKING_DAYS_BEFORE);
    if booked_on < earliest || booked_on > today {
        return Some(format!(
            "date de comptabilisation hors de la fenêtre : {} (attendue du {} au {}, date de l'import)",
            booked_on.format("%d/%m/%Y"),
            earliest.format("%d/%m/%Y"),
            today.format("%d/%m/%Y")
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_credit_up_to_three_times_the_debt_or_the_floor_is_plausible() {
        let today = day("2026-12-04");
        let due = Money::from_cents(234_000);
        assert_eq!(implausible_credit(Money::from_cents(702_000), due, today, today), None);
        assert_eq!(implausible_credit(Money::from_cents(100_000), Money::ZERO, today, today), None);
        assert_eq!(plausible_credit_max(Money::from_cents(-500)), PLAUSIBLE_CREDIT_FLOOR);
    }

    #[test]
    fn a_credit_far_above_the_debt_is_implausible_naming_both_amounts() {
        let today = day("2026-12-04");
        let reason =
            implausible_credit(Money::from_cents(100_000_000_000_000_000), Money::from_cents(234_000), today, today)
                .unwrap();
        assert!(reason.starts_with("montant sans rapport avec la dette"), "{reason}");
        assert!(reason.contains(&Money::from_cents(100_000_000_000_000_000).to_french()), "{reason}");
        assert!(reason.contains(&format!("{} dus", Money::from_cents(234_000).to_french())), "{reason}");
        assert!(implausible_credit(Money::from_cents(702_001), Money::from_cents(234_000), today, today).is_some());
        assert!(implausible_credit(Money::from_cents(100_001), Money::ZERO, today, today).is_some());
    }

    #[test]
    fn a_credit_dated_outside_the_window_is_implausible() {
        let today = day("2026-12-04");
        let due = Money::from_cents(234_000);
        let amount = Money::from_cents(10_000);
        assert_eq!(implausible_credit(amount, due, today - Duration::days(400), today), None);
        for booked_on in [today - Duration::days(401), today + Duration::days(1), day("9999-12-31"), day("1000-01-01")]
        {
            let reason = implausible_credit(amount, due, booked_on, today).unwrap();
            assert!(reason.starts_with("date de comptabilisation hors de la fenêtre"), "{reason}");
        }
    }
}
