//! A case's history as the time-bar engine reads it: which procedure step is which time-bar event
//! (docs/calculators.md, « Time bar », "From the case's history"). Payments booked on the case are
//! `payment` events (C. civ. 2240); the store reads both and feeds [`super::time_bar`].

use chrono::NaiveDate;

use super::{TimeBarEvent, TimeBarEventKind};
use crate::calendar::add_months_clamped;
use crate::procedure::{ProcedureKind, Step};

/// C. consom. L722-3: the suspension of enforcement that an admissible over-indebtedness file
/// brings lasts until the plan, the measures or the personal recovery, and at most two years.
pub const OVER_INDEBTEDNESS_SUSPENSION_MONTHS_MAX: u32 = 24;

/// The time-bar event a procedure step is, if any.
///
/// - Payment order: the request filed is a court claim (C. civ. 2241: "la demande en justice",
///   an ex parte request included); its rejection, the order's lapse for want of service within
///   six months (CPC 1411) and a judgment dismissing the claim on opposition end it as if it never
///   interrupted (2243). The order made enforceable after the opposition month (CPC 1422) and a
///   judgment granting the claim on opposition are the title: ten years from that step's date
///   (CPCE L111-4). The journal has no separate "judgment served" step: the step's date stands for
///   the service, which cannot be earlier, so the date shown errs on the safe side.
/// - Enforcement: the commands and seizures served are enforcement acts (C. civ. 2244;
///   a command to pay preceding a seizure interrupts, Cass. 2e civ. 13 May 2015, no. 14-16.025).
/// - Over-indebtedness: the file declared admissible suspends (C. consom. L722-2, C. civ. 2234);
///   the suspension ends with the conventional plan, the measures imposed, the debts erased or the
///   file found inadmissible on appeal (L722-3), and after two years at most (see
///   [`with_suspension_cap`]).
/// - A formal notice interrupts nothing (C. civ. 2240 to 2246 list the causes): passed on so the
///   engine can say it ignored it.
///
/// Everything else (the amicable steps, agency, estate, the guarantor's procedure — acts against
/// the guarantor do not interrupt against the debtor) is no time-bar event.
pub fn procedure_step_event(kind: ProcedureKind, step: Step) -> Option<TimeBarEventKind> {
    use ProcedureKind as K;
    use Step as S;
    use TimeBarEventKind as E;
    match (kind, step) {
        (K::Amicable, S::SendFormalNotice) => Some(E::FormalNotice),
        (K::PaymentOrder, S::FileRequest) => Some(E::CourtClaim),
        (K::PaymentOrder, S::RecordOrderRefused | S::RecordLapse | S::RecordJudgmentDismissed) => {
            Some(E::CourtClaimDismissed)
        }
        (K::PaymentOrder, S::RecordEnforceable | S::RecordJudgmentGranted) => Some(E::JudgmentServed),
        (K::EnforcementWage, S::ServeWageCommand | S::ServeWageSeizure)
        | (K::EnforcementBank, S::ServeBankSeizure)
        | (K::EnforcementGoods, S::ServeGoodsCommand | S::SeizeGoods)
        | (K::EnforcementProperty, S::ServePropertyCommand) => Some(E::EnforcementAct),
        (K::OverIndebtedness, S::RecordAdmissible) => Some(E::SuspensionStart),
        (
            K::OverIndebtedness,
            S::UpholdAppeal | S::RecordConventionalPlan | S::RecordMeasuresImposed | S::RecordDebtsErased,
        ) => Some(E::SuspensionEnd),
        _ => None,
    }
}

/// The events with the end of each over-indebtedness suspension still open two years after its
/// start added on that day, once `today` has reached it (C. consom. L722-3: the suspension cannot
/// exceed two years). Events are taken in date order, stably.
pub fn with_suspension_cap(mut events: Vec<TimeBarEvent>, today: NaiveDate) -> Vec<TimeBarEvent> {
    events.sort_by_key(|event| event.date);
    let mut capped = Vec::with_capacity(events.len());
    let mut open: Option<NaiveDate> = None;
    for event in events {
        if let Some(started) = open {
            let cap = add_months_clamped(started, OVER_INDEBTEDNESS_SUSPENSION_MONTHS_MAX);
            if event.date > cap {
                capped.push(TimeBarEvent::new(TimeBarEventKind::SuspensionEnd, cap));
                open = None;
            }
        }
        match event.kind {
            TimeBarEventKind::SuspensionStart if open.is_none() => open = Some(event.date),
            TimeBarEventKind::SuspensionEnd => open = None,
            _ => {}
        }
        capped.push(event);
    }
    if let Some(started) = open {
        let cap = add_months_clamped(started, OVER_INDEBTEDNESS_SUSPENSION_MONTHS_MAX);
        if cap <= today {
            capped.push(TimeBarEvent::new(TimeBarEventKind::SuspensionEnd, cap));
        }
    }
    capped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn steps_map_to_the_events_of_the_civil_code() {
        assert_eq!(
            procedure_step_event(ProcedureKind::PaymentOrder, Step::FileRequest),
            Some(TimeBarEventKind::CourtClaim)
        );
        assert_eq!(
            procedure_step_event(ProcedureKind::PaymentOrder, Step::RecordOrderRefused),
            Some(TimeBarEventKind::CourtClaimDismissed)
        );
        assert_eq!(
            procedure_step_event(ProcedureKind::PaymentOrder, Step::RecordEnforceable),
            Some(TimeBarEventKind::JudgmentServed)
        );
        assert_eq!(
            procedure_step_event(ProcedureKind::EnforcementBank, Step::ServeBankSeizure),
            Some(TimeBarEventKind::EnforcementAct)
        );
        assert_eq!(
            procedure_step_event(ProcedureKind::OverIndebtedness, Step::RecordAdmissible),
            Some(TimeBarEventKind::SuspensionStart)
        );
        // Acts against the guarantor and the lapse of an enforcement command are not events.
        assert_eq!(procedure_step_event(ProcedureKind::GuarantorCall, Step::PursueGuarantor), None);
        assert_eq!(procedure_step_event(ProcedureKind::EnforcementGoods, Step::RecordLapse), None);
    }

    #[test]
    fn a_suspension_left_open_ends_two_years_after_it_started() {
        let start = TimeBarEvent::new(TimeBarEventKind::SuspensionStart, day(2022, 3, 10));
        let capped = with_suspension_cap(vec![start.clone()], day(2024, 3, 10));
        assert_eq!(capped, vec![start.clone(), TimeBarEvent::new(TimeBarEventKind::SuspensionEnd, day(2024, 3, 10))]);
        // Not yet two years: still open.
        assert_eq!(with_suspension_cap(vec![start.clone()], day(2024, 3, 9)), vec![start.clone()]);
        // Ended in time: unchanged.
        let end = TimeBarEvent::new(TimeBarEventKind::SuspensionEnd, day(2023, 1, 5));
        assert_eq!(with_suspension_cap(vec![start.clone(), end.clone()], day(2026, 1, 1)), vec![start, end]);
    }
}
