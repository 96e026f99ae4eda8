//! A case's time bars from its history (issue 18): the payments booked on it and the procedure
//! steps of its journal, read for a range of cases in two queries (one case for the case page and
//! the strategy, a chunk for the nightly run), fed to the domain's time-bar engine
//! (`recouvre_domain::time_bar::time_bar`). The mapping of steps to events is the domain's
//! (`time_bar::procedure_step_event`, docs/calculators.md).
//!
//! The result is computed when needed, not stored: a night re-derives each case's dates from the
//! rows of its chunk (two set-based reads per chunk).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use recouvre_domain::case::ClaimNature;
use recouvre_domain::procedure::{ProcedureKind, Step};
use recouvre_domain::time_bar::{
    procedure_step_event, time_bar, with_suspension_cap, TimeBarEvent, TimeBarEventKind, TimeBarInput, TimeBarKind,
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
}

impl Tx {
    /// The time-bar histories of the cases `first..=last`: two queries whatever the number of
    /// cases (payments, then procedure steps).
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
/// unregularised incident, or the due date when none is recorded (R312-35). No schedule is kept
/// for a claim, so payments cannot move a foreclosure (the engine's convention without one).
pub(crate) fn case_time_bars(
    nature: ClaimNature,
    due_on: NaiveDate,
    first_incident_on: Option<NaiveDate>,
    history: &[TimeBarEvent],
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
    let foreclosure_date = if nature.is_consumer_credit() {
        time_bar(&TimeBarInput {
            kind: TimeBarKind::ConsumerCredit,
            start: first_incident_on.unwrap_or(due_on),
            instalments: Vec::new(),
            events,
        })
        .map_err(engine_error)?
        .foreclosure_date
    } else {
        None
    };
    Ok(CaseTimeBars {
        foreclosure_date,
        limitation_date: limitation.limitation_date,
        limitation_basis: limitation.decided_by.article,
    })
}
