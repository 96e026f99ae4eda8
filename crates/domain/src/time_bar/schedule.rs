//! A consumer credit's schedule as the foreclosure of a case in litigation reads it (C. consom.
//! R312-35: two years from the first unregularised incident; C. civ. 1342-10: a payment goes to
//! the oldest instalments due first).
//!
//! Core banking sends the loan's whole schedule (`claim_instalments`) but not the payments made
//! before the case came to litigation: the instalments before the first unregularised incident it
//! reports (`first_incident_on`) were paid. What was outstanding at intake is therefore the
//! instalments due from that incident to the acceleration, then the rest of the capital, due as a
//! whole on the acceleration ([`outstanding_schedule`]). The payments received since are applied to
//! those instalments, the oldest first across all the case's claims ([`split_payments`]), which
//! moves each claim's first unregularised incident, and so its foreclosure, forward.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{ScheduledInstalment, TimeBarEvent, TimeBarEventKind};
use crate::Money;

/// What was outstanding at intake of a claim whose loan schedule is `schedule`: its instalments
/// due on or after `first_incident_on` and before `accelerated_on`, then the remainder of
/// `principal` due on `accelerated_on` (the term forfeited, the whole capital became due). Empty
/// when the schedule has no instalment from the first incident on (the engine then runs from the
/// first incident, as without a schedule).
pub fn outstanding_schedule(
    schedule: &[ScheduledInstalment],
    first_incident_on: NaiveDate,
    accelerated_on: NaiveDate,
    principal: Money,
) -> Vec<ScheduledInstalment> {
    let mut outstanding: Vec<ScheduledInstalment> = schedule
        .iter()
        .filter(|instalment| instalment.due_on >= first_incident_on && instalment.due_on < accelerated_on)
        .copied()
        .collect();
    outstanding.sort_by_key(|instalment| instalment.due_on);
    if outstanding.is_empty() {
        return outstanding;
    }
    let listed: Money = outstanding.iter().map(|instalment| instalment.amount).sum();
    if principal > listed {
        outstanding.push(ScheduledInstalment { due_on: accelerated_on, amount: principal - listed });
    }
    outstanding
}

/// Each claim's share of the case's payments in `history`, for its foreclosure: every payment is
/// applied to the instalments of `schedules` (by claim id) still unpaid, the oldest due first across
/// the claims (C. civ. 1342-10; claims in id order on the same day). What is left of a payment
/// once every instalment is covered is given to no claim. Payments on or after `plan_from` (the
/// first rescheduling plan: one schedule for the whole case) are given whole to every claim, as
/// the engine compares them with the plan's instalments. Events other than payments are not
/// returned.
pub fn split_payments(
    schedules: &BTreeMap<i64, Vec<ScheduledInstalment>>,
    history: &[TimeBarEvent],
    plan_from: Option<NaiveDate>,
) -> BTreeMap<i64, Vec<TimeBarEvent>> {
    // (due on, claim, amount still unpaid), oldest first.
    let mut unpaid: Vec<(NaiveDate, i64, Money)> = schedules
        .iter()
        .flat_map(|(claim, schedule)| {
            schedule.iter().map(move |instalment| (instalment.due_on, *claim, instalment.amount))
        })
        .collect();
    unpaid.sort_by_key(|(due_on, claim, _)| (*due_on, *claim));
    let mut next = 0;
    let mut shares: BTreeMap<i64, Vec<TimeBarEvent>> = schedules.keys().map(|claim| (*claim, Vec::new())).collect();
    for event in history.iter().filter(|event| event.kind == TimeBarEventKind::Payment) {
        let amount = event.amount.unwrap_or(Money::ZERO);
        if plan_from.is_some_and(|plan_from| event.date >= plan_from) {
            for share in shares.values_mut() {
                share.push(TimeBarEvent::payment(event.date, amount));
            }
            continue;
        }
        let mut left = amount;
        let mut given: BTreeMap<i64, Money> = BTreeMap::new();
        while left > Money::ZERO && next < unpaid.len() {
            let (_, claim, due) = &mut unpaid[next];
            let applied = if left < *due { left } else { *due };
            *due -= applied;
            left -= applied;
            *given.entry(*claim).or_insert(Money::ZERO) += applied;
            if *due == Money::ZERO {
                next += 1;
            }
        }
        for (claim, applied) in given {
            if let Some(share) = shares.get_mut(&claim) {
                share.push(TimeBarEvent::payment(event.date, applied));
            }
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn euros(amount: i64) -> Money {
        Money::from_cents(amount * 100)
    }

    fn instalment(due_on: &str, amount: i64) -> ScheduledInstalment {
        ScheduledInstalment { due_on: day(due_on), amount: euros(amount) }
    }

    #[test]
    fn the_outstanding_schedule_runs_from_the_first_incident_and_ends_with_the_accelerated_capital() {
        let schedule: Vec<_> = ["2025-01-05", "2025-02-05", "2025-03-05", "2025-04-05", "2025-05-05"]
            .iter()
            .map(|due| instalment(due, 100))
            .collect();
        let outstanding = outstanding_schedule(&schedule, day("2025-02-05"), day("2025-04-01"), euros(1_000));
        assert_eq!(
            outstanding,
            vec![instalment("2025-02-05", 100), instalment("2025-03-05", 100), instalment("2025-04-01", 800)]
        );
        // Nothing listed from the incident on: no schedule (the engine runs from the incident).
        assert!(outstanding_schedule(&schedule, day("2025-06-01"), day("2025-07-01"), euros(1_000)).is_empty());
    }

    #[test]
    fn payments_go_to_the_oldest_instalments_across_the_claims() {
        let schedules = BTreeMap::from([
            (1, vec![instalment("2025-01-05", 100), instalment("2025-03-05", 100)]),
            (2, vec![instalment("2025-02-05", 50), instalment("2025-04-05", 500)]),
        ]);
        let history = vec![
            TimeBarEvent::payment(day("2025-06-01"), euros(120)),
            TimeBarEvent::new(TimeBarEventKind::EnforcementAct, day("2025-06-02")),
            TimeBarEvent::payment(day("2025-07-01"), euros(200)),
        ];
        let shares = split_payments(&schedules, &history, None);
        // 120 €: 100 to claim 1's January, 20 to claim 2's February; 200 €: 30 more to February,
        // 100 to claim 1's March, 70 to claim 2's April.
        assert_eq!(
            shares[&1],
            vec![
                TimeBarEvent::payment(day("2025-06-01"), euros(100)),
                TimeBarEvent::payment(day("2025-07-01"), euros(100))
            ]
        );
        assert_eq!(
            shares[&2],
            vec![
                TimeBarEvent::payment(day("2025-06-01"), euros(20)),
                TimeBarEvent::payment(day("2025-07-01"), euros(30) + euros(70))
            ]
        );
        // From a rescheduling plan on, every payment counts whole for every claim.
        let shares = split_payments(&schedules, &history, Some(day("2025-07-01")));
        assert_eq!(shares[&1].last(), Some(&TimeBarEvent::payment(day("2025-07-01"), euros(200))));
        assert_eq!(shares[&2].last(), Some(&TimeBarEvent::payment(day("2025-07-01"), euros(200))));
    }
}
