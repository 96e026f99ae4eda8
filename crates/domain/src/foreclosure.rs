//! Foreclosure (forclusion) of consumer credit claims (Code de la consommation R312-35).
//!
//! The lender must sue within two years of the triggering event, notably the first unregularised
//! payment incident. Payments are applied to the oldest unpaid instalments to find it (settled case
//! law, Cass. 1re civ.). After a rescheduling or a plan, pass the new plan's schedule: the period then
//! runs from the first unregularised incident under it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::add_months_clamped;
use crate::reference::french_date;
use crate::Money;

/// The foreclosure period of R312-35, in months.
pub const FORECLOSURE_MONTHS: u32 = 24;

/// An instalment of the schedule.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Instalment {
    pub due: NaiveDate,
    pub amount: Money,
}

/// A payment received.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    pub date: NaiveDate,
    pub amount: Money,
}

/// An instalment due and not fully paid as of the date of the analysis.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnpaidInstalment {
    pub due: NaiveDate,
    pub amount: Money,
    pub paid: Money,
    pub unpaid: Money,
}

/// Where the claim stands as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForeclosureStatus {
    pub as_of: NaiveDate,
    /// Due date of the oldest instalment due and still not fully paid; `None` if none.
    pub first_unregularised_incident: Option<NaiveDate>,
    /// Last day to sue: the incident plus two years (R312-35); `None` if no incident.
    pub foreclosure_date: Option<NaiveDate>,
    /// Instalments due on or before `as_of`.
    pub due_total: Money,
    /// Payments received on or before `as_of`.
    pub paid_total: Money,
    /// Instalments due and unpaid as of `as_of`.
    pub unpaid_total: Money,
    /// Payments beyond all instalments of the schedule (overpayment).
    pub unallocated: Money,
    pub unpaid_instalments: Vec<UnpaidInstalment>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForeclosureError {
    #[error("l'échéance du {} a un montant négatif ou nul ({}): corriger l'échéancier", french_date(*.due), .amount)]
    BadInstalment { due: NaiveDate, amount: Money },
    #[error("le paiement du {} a un montant négatif ou nul ({}): corriger la liste des paiements", french_date(*.date), .amount)]
    BadPayment { date: NaiveDate, amount: Money },
}

/// First unregularised payment incident and foreclosure date as of `as_of` (C. consom. R312-35).
///
/// Payments received on or before `as_of` are applied, cumulatively, to the instalments in the order
/// of their due dates (oldest first), whatever the date of each payment: a late instalment paid
/// later is regularised. The incident is the due date of the oldest instalment due on or before
/// `as_of` that is still not fully paid; the foreclosure date is 24 months later (art. 641 months).
pub fn foreclosure_status(
    instalments: &[Instalment],
    payments: &[Payment],
    as_of: NaiveDate,
) -> Result<ForeclosureStatus, ForeclosureError> {
    if let Some(bad) = instalments.iter().find(|i| !i.amount.is_positive()) {
        return Err(ForeclosureError::BadInstalment { due: bad.due, amount: bad.amount });
    }
    if let Some(bad) = payments.iter().find(|p| !p.amount.is_positive()) {
        return Err(ForeclosureError::BadPayment { date: bad.date, amount: bad.amount });
    }
    let mut schedule = instalments.to_vec();
    schedule.sort_by_key(|i| i.due);
    let paid_total: Money = payments.iter().filter(|p| p.date <= as_of).map(|p| p.amount).sum();

    let mut available = paid_total;
    let mut unpaid_instalments = Vec::new();
    let mut due_total = Money::ZERO;
    for instalment in &schedule {
        let paid = available.min(instalment.amount);
        available -= paid;
        if instalment.due <= as_of {
            due_total += instalment.amount;
            if paid < instalment.amount {
                unpaid_instalments.push(UnpaidInstalment {
                    due: instalment.due,
                    amount: instalment.amount,
                    paid,
                    unpaid: instalment.amount - paid,
                });
            }
        }
    }
    let first_unregularised_incident = unpaid_instalments.first().map(|i| i.due);
    Ok(ForeclosureStatus {
        as_of,
        first_unregularised_incident,
        foreclosure_date: first_unregularised_incident.map(|incident| add_months_clamped(incident, FORECLOSURE_MONTHS)),
        due_total,
        paid_total,
        unpaid_total: unpaid_instalments.iter().map(|i| i.unpaid).sum(),
        unallocated: available,
        unpaid_instalments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn monthly(first: &str, count: u32, cents: i64) -> Vec<Instalment> {
        (0..count)
            .map(|n| Instalment { due: add_months_clamped(date(first), n), amount: Money::from_cents(cents) })
            .collect()
    }

    #[test]
    fn the_issue_example_payments_up_to_july_2023() {
        // 24 instalments of 100.00 from 2023-01-05; seven payments, each the day after the due
        // date, cover January to July: the August instalment is the first unregularised incident.
        let instalments = monthly("2023-01-05", 24, 10_000);
        let payments: Vec<Payment> = (0..7)
            .map(|n| Payment { date: add_months_clamped(date("2023-01-06"), n), amount: Money::euros(100) })
            .collect();
        let status = foreclosure_status(&instalments, &payments, date("2024-01-15")).unwrap();
        assert_eq!(status.first_unregularised_incident, Some(date("2023-08-05")));
        assert_eq!(status.foreclosure_date, Some(date("2025-08-05")));
        assert_eq!(status.due_total, Money::euros(1_300));
        assert_eq!(status.paid_total, Money::euros(700));
        assert_eq!(status.unpaid_total, Money::euros(600));
        assert_eq!(status.unpaid_instalments.len(), 6);
    }

    #[test]
    fn a_late_instalment_paid_later_is_regularised() {
        // Nothing paid in March and April, then a catch-up of 300 in May: as of June all is paid.
        let instalments = monthly("2023-01-05", 12, 10_000);
        let payments = [
            Payment { date: date("2023-01-05"), amount: Money::euros(100) },
            Payment { date: date("2023-02-05"), amount: Money::euros(100) },
            Payment { date: date("2023-05-06"), amount: Money::euros(300) },
        ];
        let in_april = foreclosure_status(&instalments, &payments, date("2023-04-30")).unwrap();
        assert_eq!(in_april.first_unregularised_incident, Some(date("2023-03-05")));
        let in_june = foreclosure_status(&instalments, &payments, date("2023-06-01")).unwrap();
        assert_eq!(in_june.first_unregularised_incident, None);
        assert_eq!(in_june.foreclosure_date, None);
        // A partial payment leaves the instalment unregularised.
        let partial = [Payment { date: date("2023-01-05"), amount: Money::euros(150) }];
        let status = foreclosure_status(&instalments, &partial, date("2023-03-01")).unwrap();
        assert_eq!(status.first_unregularised_incident, Some(date("2023-02-05")));
        assert_eq!(status.unpaid_instalments[0].paid, Money::euros(50));
    }

    #[test]
    fn nothing_unpaid_and_overpayment() {
        let instalments = monthly("2023-01-31", 2, 10_000);
        let payments = [Payment { date: date("2023-01-10"), amount: Money::euros(250) }];
        let status = foreclosure_status(&instalments, &payments, date("2023-12-31")).unwrap();
        assert_eq!(status.first_unregularised_incident, None);
        assert_eq!(status.unallocated, Money::euros(50));
        // Payments after as_of do not count.
        let status = foreclosure_status(&instalments, &payments, date("2023-01-09")).unwrap();
        assert_eq!(status.paid_total, Money::ZERO);
        assert_eq!(status.first_unregularised_incident, None); // nothing due yet
    }

    #[test]
    fn incident_on_29_february_forecloses_on_28_february() {
        let instalments = [Instalment { due: date("2024-02-29"), amount: Money::euros(10) }];
        let status = foreclosure_status(&instalments, &[], date("2024-03-01")).unwrap();
        assert_eq!(status.foreclosure_date, Some(date("2026-02-28")));
    }

    #[test]
    fn bad_amounts_are_refused() {
        let zero = [Instalment { due: date("2024-02-29"), amount: Money::ZERO }];
        assert!(matches!(
            foreclosure_status(&zero, &[], date("2024-03-01")),
            Err(ForeclosureError::BadInstalment { .. })
        ));
        let negative = [Payment { date: date("2024-02-29"), amount: Money::euros(-1) }];
        assert!(matches!(
            foreclosure_status(&[], &negative, date("2024-03-01")),
            Err(ForeclosureError::BadPayment { .. })
        ));
    }

    proptest! {
        #[test]
        fn the_incident_is_the_oldest_unpaid_and_payments_are_conserved(
            count in 1u32..36, paid_cents in 0i64..500_000, as_of_days in 0i64..1_200
        ) {
            let instalments = monthly("2023-01-05", count, 10_000);
            let payments = [Payment { date: date("2023-01-01"), amount: Money::from_cents(paid_cents.max(1)) }];
            let as_of = date("2023-01-01") + chrono::Duration::days(as_of_days);
            let status = foreclosure_status(&instalments, &payments, as_of).unwrap();
            let fully_paid = (paid_cents.max(1) / 10_000) as usize;
            let expected = instalments.iter().skip(fully_paid).find(|i| i.due <= as_of).map(|i| i.due);
            prop_assert_eq!(status.first_unregularised_incident, expected);
            let schedule_total = Money::from_cents(10_000 * i64::from(count));
            prop_assert_eq!(status.unallocated, (status.paid_total - schedule_total).max(Money::ZERO));
            prop_assert!(status.unpaid_total <= status.due_total);
        }
    }
}
