//! A case's time bars from its history (issue 18): the payments booked on it, the procedure
//! steps of its journal and the payment plans agreed, read for a range of cases in three queries (one case for the case page and
//! the strategy, a chunk for the nightly run), fed to the domain's time-bar engine
//! (`recouvre_domain::time_bar::time_bar`). The mapping of steps to events is the domain's
//! (`time_bar::procedure_step_event`, docs/calculators.md).
//!
//! The result is stored (`time_bar_states`): each write that can change it re-derives the case's
//! state from this history, and a night reads the stored state; it derives from the history only
//! the cases without one (databases older than the table) or a day the state does not cover.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::business_date::paris_date;
use recouvre_domain::calendar::add_months_clamped;
use recouvre_domain::case::ClaimNature;
use recouvre_domain::procedure::{ProcedureKind, Step};
use recouvre_domain::time_bar::{
    procedure_step_event, time_bar, with_suspension_cap, ScheduledInstalment, TimeBarEvent, TimeBarEventKind,
    TimeBarInput, TimeBarKind, OVER_INDEBTEDNESS_SUSPENSION_MONTHS_MAX,
};
use recouvre_domain::Money;

use crate::db::query_as;
use crate::ledger::RECEIVABLE_ACCOUNTS;
use crate::{Result, StoreError, Tx};

/// The kind given, in the history's read, to a claim's last payment recorded by core banking.
const CORE_BANKING_PAYMENT: &str = "core_banking_payment";

/// Each case's time-bar events, by case id, in the order they happened (payments and steps).
pub(crate) type Histories = HashMap<i64, Vec<TimeBarEvent>>;

/// A case's time bars as the strategy, the nightly watch and the case page use them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CaseTimeBars {
    /// Consumer credit: last day to sue (C. consom. R312-35); `None` otherwise, or once a court
    /// claim was made in time or a title obtained.
    pub foreclosure_date: Option<NaiveDate>,
    /// Last day to act; `None` while a court claim is pending or a suspension is open.
    pub limitation_date: Option<NaiveDate>,
    /// The article (and the event) that set the limitation date.
    pub limitation_basis: String,
    /// The event that set the limitation date (`start` for the period's start) and its date.
    pub limitation_event: String,
    pub limitation_event_on: NaiveDate,
    /// Consumer credit: the article that set the foreclosure date.
    pub foreclosure_basis: Option<String>,
}

/// The days a time-bar state derived from a history holds for: from `derived_through` (the
/// latest event taken; `None`, no event) to the day before `recheck_on` (a later event of the
/// history, or the two-year cap of a suspension still open; `None`, never).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Validity {
    pub derived_through: Option<NaiveDate>,
    pub recheck_on: Option<NaiveDate>,
}

impl Validity {
    /// Whether a state derived with this validity is the one `case_time_bars` gives on `day`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.derived_through.is_none_or(|from| from <= day) && self.recheck_on.is_none_or(|until| day < until)
    }

    /// The validity of what `case_time_bars` derives from `history` on `today`: the events taken
    /// are those up to `today` (with the suspension cap reached by then); the result changes only
    /// with a later event of the history or when an open suspension reaches its cap (C. consom.
    /// L722-3), and cannot hold for a day before the latest event it took.
    pub fn of(history: &[TimeBarEvent], today: NaiveDate) -> Validity {
        let known: Vec<TimeBarEvent> = history.iter().filter(|event| event.date <= today).cloned().collect();
        let taken = with_suspension_cap(known, today);
        let derived_through = taken.iter().map(|event| event.date).max();
        let mut open: Option<NaiveDate> = None;
        for event in &taken {
            match event.kind {
                TimeBarEventKind::SuspensionStart if open.is_none() => open = Some(event.date),
                TimeBarEventKind::SuspensionEnd => open = None,
                _ => {}
            }
        }
        let cap = open.map(|started| add_months_clamped(started, OVER_INDEBTEDNESS_SUSPENSION_MONTHS_MAX));
        let next_event = history.iter().map(|event| event.date).filter(|date| *date > today).min();
        let recheck_on = match (cap, next_event) {
            (Some(cap), Some(next)) => Some(cap.min(next)),
            (cap, next) => cap.or(next),
        };
        Validity { derived_through, recheck_on }
    }
}

/// The earliest formal notice of a history (the statutory interest runs from it, C. civ. 1231-6).
pub(crate) fn formal_notice_on(history: &[TimeBarEvent]) -> Option<NaiveDate> {
    history.iter().filter(|event| event.kind == TimeBarEventKind::FormalNotice).map(|event| event.date).min()
}

impl Tx {
    /// The time-bar histories of the cases `first..=last`: three queries whatever the number of
    /// cases (payments, procedure steps, then payment plans).
    pub(crate) async fn time_bar_histories(&mut self, first: i64, last: i64) -> Result<Histories> {
        // Money received on the case (from a statement, a direct debit, or the suspense account):
        // a partial payment acknowledges the debt (C. civ. 2240). A payment reversed since (a
        // direct debit returned) was no payment. With them, the last payment core banking
        // recorded on each claim before the case was opened (its amount unknown: an
        // acknowledgement, 2240, which cannot move a foreclosure).
        let money: Vec<(i64, i64, String, NaiveDate, Option<i64>, i64)> = query_as(format!(
            "SELECT t.case_id, t.id, t.kind, t.booked_on, t.reverses, CAST(COALESCE(-SUM(p.amount_cents), 0) AS BIGINT) \
             FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id \
             WHERE t.case_id BETWEEN $1 AND $2 AND t.kind IN ('payment', 'suspense_clearing', 'reversal') \
             AND p.account IN {RECEIVABLE_ACCOUNTS} \
             GROUP BY t.case_id, t.id, t.kind, t.booked_on, t.reverses \
             UNION ALL SELECT case_id, id, '{CORE_BANKING_PAYMENT}', last_payment_on, CAST(NULL AS BIGINT), CAST(0 AS BIGINT) \
             FROM claims WHERE case_id BETWEEN $1 AND $2 AND last_payment_on IS NOT NULL \
             ORDER BY 1, 4, 2"
        ))
        .bind(first)
        .bind(last)
        .fetch_all(&mut *self)
        .await?;
        let reversed: HashSet<i64> = money.iter().filter_map(|row| row.4).collect();
        let mut payments: Histories = HashMap::new();
        for (case_id, id, kind, booked_on, _, cents) in money {
            if kind == CORE_BANKING_PAYMENT {
                payments
                    .entry(case_id)
                    .or_default()
                    .push(TimeBarEvent::new(TimeBarEventKind::Acknowledgement, booked_on));
                continue;
            }
            if kind == "reversal" || reversed.contains(&id) || cents <= 0 {
                continue;
            }
            payments.entry(case_id).or_default().push(TimeBarEvent::payment(booked_on, Money::from_cents(cents)));
        }
        // The procedure steps, from the journal (each step is a `procedure_step` event; the
        // partial index `case_events_procedure_steps` keeps this read to those events).
        let steps: Vec<(i64, String)> = query_as(
            "SELECT case_id, payload FROM case_events WHERE kind = 'procedure_step' AND case_id BETWEEN $1 AND $2 \
             ORDER BY case_id, sequence",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *self)
        .await?;
        let mut histories = payments;
        for (case_id, payload) in steps {
            if let Some(event) = step_event(case_id, &payload)? {
                histories.entry(case_id).or_default().push(event);
            }
        }
        // The payment plans agreed with the debtor (not those cancelled): each a rescheduling of
        // the case's debt from its day (C. consom. R312-35: the foreclosure then runs from the
        // first unregularised incident of the plan). One query, the plans with their instalments.
        let plans: Vec<(i64, i64, DateTime<Utc>, NaiveDate, i64)> = query_as(
            "SELECT p.case_id, p.id, p.created_at, i.due_on, i.amount_cents FROM payment_plans p \
             JOIN instalments i ON i.plan_id = p.id \
             WHERE p.case_id BETWEEN $1 AND $2 AND p.status <> 'cancelled' ORDER BY p.case_id, p.id, i.due_on",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *self)
        .await?;
        let mut plan_events: Vec<(i64, i64, TimeBarEvent)> = Vec::new();
        for (case_id, plan_id, created_at, due_on, cents) in plans {
            let instalment = ScheduledInstalment { due_on, amount: Money::from_cents(cents) };
            match plan_events.last_mut() {
                Some((_, last_plan, event)) if *last_plan == plan_id => event.instalments.push(instalment),
                _ => plan_events.push((case_id, plan_id, TimeBarEvent::plan(paris_date(created_at), vec![instalment]))),
            }
        }
        for (case_id, _, event) in plan_events {
            histories.entry(case_id).or_default().push(event);
        }
        for events in histories.values_mut() {
            // Stable: payments before the steps of the same day, each in its recorded order.
            events.sort_by_key(|event| event.date);
        }
        Ok(histories)
    }
}

/// The time-bar event a journaled step is, if any.
fn step_event(case_id: i64, payload: &str) -> Result<Option<TimeBarEvent>> {
    let corrupt = |what: String| StoreError::Corrupt(format!("dossier n° {case_id}, étape de procédure : {what}"));
    let value: serde_json::Value = serde_json::from_str(payload).map_err(|error| corrupt(error.to_string()))?;
    let text = |key: &str| value[key].as_str().ok_or_else(|| corrupt(format!("« {key} » manquant")));
    // A kind or step this version does not know is no time-bar event (the tables only grow).
    let (Some(kind), Some(step)) = (ProcedureKind::from_code(text("kind")?), Step::from_code(text("step")?)) else {
        return Ok(None);
    };
    let Some(event) = procedure_step_event(kind, step) else { return Ok(None) };
    let on = text("on")?;
    let date: NaiveDate = on.parse().map_err(|_| corrupt(format!("date « {on} »")))?;
    Ok(Some(TimeBarEvent::new(event, date)))
}

/// The time bars of a case whose main claim is of `nature`, due on `due_on` (the acceleration, or
/// the earliest due date), first unregularised incident `first_incident_on`, from its history as
/// known on `today` (later events are left out).
///
/// The limitation runs from the due date (C. consom. L218-2 for these consumer claims; ten years
/// from a title, CPCE L111-4); for consumer credit the foreclosure runs from the first
/// unregularised incident, or the due date when none is recorded (R312-35). With `schedule` (what
/// was outstanding at intake, `time_bar::outstanding_schedule`) the payments of
/// `foreclosure_history` (the claim's share, `time_bar::split_payments`; the whole history when
/// `None`) cover its oldest instalments first and move that incident forward; a payment plan
/// agreed resets it to the plan's first unregularised instalment.
pub(crate) fn case_time_bars(
    nature: ClaimNature,
    due_on: NaiveDate,
    first_incident_on: Option<NaiveDate>,
    schedule: &[ScheduledInstalment],
    history: &[TimeBarEvent],
    foreclosure_history: Option<&[TimeBarEvent]>,
    today: NaiveDate,
) -> Result<CaseTimeBars> {
    let known: Vec<TimeBarEvent> = history.iter().filter(|event| event.date <= today).cloned().collect();
    let events = with_suspension_cap(known, today);
    let engine_error = |error: recouvre_domain::time_bar::TimeBarError| {
        StoreError::Corrupt(format!("historique de prescription : {error}"))
    };
    let limitation = time_bar(&TimeBarInput {
        kind: TimeBarKind::ConsumerClaim,
        start: due_on,
        instalments: Vec::new(),
        events: events.clone(),
    })
    .map_err(engine_error)?;
    let foreclosure = if nature.is_consumer_credit() {
        let events = match foreclosure_history {
            Some(history) => {
                with_suspension_cap(history.iter().filter(|event| event.date <= today).cloned().collect(), today)
            }
            None => events,
        };
        Some(
            time_bar(&TimeBarInput {
                kind: TimeBarKind::ConsumerCredit,
                start: first_incident_on.unwrap_or(due_on),
                instalments: schedule.to_vec(),
                events,
            })
            .map_err(engine_error)?,
        )
    } else {
        None
    };
    Ok(CaseTimeBars {
        foreclosure_date: foreclosure.as_ref().and_then(|bar| bar.foreclosure_date),
        foreclosure_basis: foreclosure.and_then(|bar| bar.foreclosure_decided_by).map(|by| by.article),
        limitation_date: limitation.limitation_date,
        limitation_basis: limitation.decided_by.article,
        limitation_event: limitation.decided_by.event,
        limitation_event_on: limitation.decided_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_state_holds_from_its_latest_event_until_an_open_suspension_reaches_its_cap() {
        let history = vec![
            TimeBarEvent::payment(day("2026-01-10"), Money::from_cents(10_000)),
            TimeBarEvent::new(TimeBarEventKind::SuspensionStart, day("2026-03-02")),
        ];
        let validity = Validity::of(&history, day("2026-06-01"));
        assert_eq!(
            validity,
            Validity { derived_through: Some(day("2026-03-02")), recheck_on: Some(day("2028-03-02")) }
        );
        assert!(!validity.holds_on(day("2026-03-01")), "before the latest event taken");
        assert!(validity.holds_on(day("2026-03-02")) && validity.holds_on(day("2028-03-01")));
        assert!(!validity.holds_on(day("2028-03-02")), "the cap ends the suspension (L722-3)");
        // What the state says is what the engine derives on any day it holds for.
        let on = |today| {
            case_time_bars(ClaimNature::PersonalLoan, day("2025-06-01"), None, &[], &history, None, today).unwrap()
        };
        assert_eq!(on(day("2026-06-01")), on(day("2028-03-01")));
        assert_ne!(on(day("2026-06-01")), on(day("2028-03-02")));
        // A later event of the history (a date not reached yet) bounds it too.
        let validity = Validity::of(&history, day("2026-02-01"));
        assert_eq!(
            validity,
            Validity { derived_through: Some(day("2026-01-10")), recheck_on: Some(day("2026-03-02")) }
        );
        // After the cap, nothing is left to recheck.
        let validity = Validity::of(&history, day("2028-03-02"));
        assert_eq!(validity, Validity { derived_through: Some(day("2028-03-02")), recheck_on: None });
    }
}
