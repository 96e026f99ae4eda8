//! The time-bar engine: for one claim, its limitation date (prescription) and, for consumer
//! credit, its foreclosure date (forclusion), derived from the claim's history of events, with the
//! event and the article that decided the limitation date.
//!
//! Conventions (issue 18, "Done when"), each applied literally by [`time_bar`]:
//!
//! 1. Periods: `consumer_claim` two years (C. consom. L218-2), `general_claim` five years (C. civ.
//!    2224), `enforceable_title` ten years (CPCE L111-4), `consumer_credit` two years of L218-2 for
//!    the limitation and two years of R312-35 for the foreclosure. `start` is the day the period
//!    starts (the due date, the acceleration, or the title's service).
//! 2. A period of N years ends on the same-numbered day N years later, or that month's last day when
//!    it has none (29 February → 28 February), and that is the last day to act.
//! 3. Events of one date are taken in the order given (the list is sorted by date, stably); events
//!    that do not apply to the kind are ignored (`rescheduling_plan` and the schedules outside
//!    consumer credit).
//! 4. An interrupting event on or before the last day starts a new period of the same length on its
//!    date (C. civ. 2231): a payment or an acknowledgement (2240), an enforcement or protective act
//!    (2244). One after the last day does nothing: the limitation is acquired (the answer says so).
//!    One before the running period's start has nothing to interrupt and is ignored too.
//! 5. A court claim (2241) made on or before the last day interrupts for as long as the proceedings
//!    last (2242): while it is pending, `limitation_date` is null. A `court_claim_dismissed` ends the
//!    latest pending claim and its interruption never happened (2243): the date is the one the
//!    history gives without that claim. A `judgment_served` ends the pending claims and starts ten
//!    years from its service (CPCE L111-4); later interruptions restart ten years.
//! 6. A formal notice (mise en demeure) interrupts nothing (C. civ. 2240 to 2246 list the causes).
//! 7. Suspended days, from `suspension_start` included to `suspension_end` excluded, push the date
//!    back by as many days (C. civ. 2230, 2234; over-indebtedness: C. consom. L722-2, and the
//!    suspension of 2238); while a suspension is open `limitation_date` is null. A suspension that
//!    starts after the last day does nothing (the limitation is acquired).
//! 8. Foreclosure (consumer credit only, C. consom. R312-35): two years after the first instalment
//!    not covered by the payments applied to the oldest instalments first (C. civ. 1342-10); after a
//!    `rescheduling_plan`, of the plan's instalments, with the payments made on or after the plan's
//!    date. It is not moved by acknowledgements, enforcement acts or suspensions (R312-35: a
//!    foreclosure period is neither interrupted nor suspended, C. civ. 2220), and it is null once a
//!    court claim (not later dismissed) was made on or before it, and null for other kinds.
//!
//! Interpretations (policy choices, documented in docs/calculators.md, "Time bar"):
//!
//! - A suspension open when a new period starts (an interruption during the suspension) counts only
//!   the suspended days from the new period's start: the old period's days are gone with it.
//! - A `judgment_served` applies even after the limitation seemed acquired: the judge does not
//!   raise prescription of his own motion (C. civ. 2247), so a served judgment is a title whatever
//!   came before.
//! - Consumer credit before a served judgment: the limitation is the L218-2 two years from `start`,
//!   interrupted and suspended like a consumer claim (the foreclosure of R312-35 runs beside it).
//! - A foreclosure once acquired stays acquired: a payment or a rescheduling plan dated after the
//!   foreclosure date as it stood then regularises nothing (a foreclosure period is not interrupted,
//!   and forclusion is of public order). A served judgment makes the foreclosure null (the action
//!   was brought and judged). Consumer credit without a schedule: the foreclosure runs from `start`
//!   (taken as the first unregularised incident) and payments cannot move it.
//! - A `rescheduling_plan` does not interrupt the limitation by itself: record the debtor's
//!   signature as an `acknowledgement` (2240) when there is one.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::add_months_clamped;
use crate::foreclosure::FORECLOSURE_MONTHS;
use crate::reference::french_date;
use crate::Money;

#[cfg(test)]
mod tests;

/// The claim whose time bars are computed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimeBarKind {
    /// A professional's action against a consumer: two years (C. consom. L218-2).
    ConsumerClaim,
    /// Any other personal action: five years (C. civ. 2224).
    GeneralClaim,
    /// Enforcement of an enforceable title: ten years from its service (CPCE L111-4).
    EnforceableTitle,
    /// Consumer credit: limitation of L218-2 (two years) and foreclosure of R312-35 (two years from
    /// the first unregularised incident).
    ConsumerCredit,
}

impl TimeBarKind {
    pub const ALL: [TimeBarKind; 4] = [
        TimeBarKind::ConsumerClaim,
        TimeBarKind::GeneralClaim,
        TimeBarKind::EnforceableTitle,
        TimeBarKind::ConsumerCredit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TimeBarKind::ConsumerClaim => "consumer_claim",
            TimeBarKind::GeneralClaim => "general_claim",
            TimeBarKind::EnforceableTitle => "enforceable_title",
            TimeBarKind::ConsumerCredit => "consumer_credit",
        }
    }

    pub fn from_code(code: &str) -> Option<TimeBarKind> {
        TimeBarKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Length of the limitation period starting on `start`, in years.
    pub fn years(self) -> u32 {
        match self {
            // C. consom. L218-2: two years for a professional's action against a consumer.
            TimeBarKind::ConsumerClaim | TimeBarKind::ConsumerCredit => 2,
            // C. civ. 2224: five years for personal actions.
            TimeBarKind::GeneralClaim => 5,
            // CPCE L111-4: ten years for the enforcement of a title.
            TimeBarKind::EnforceableTitle => 10,
        }
    }

    /// The article fixing the period that starts on `start`.
    pub fn article(self) -> &'static str {
        match self {
            TimeBarKind::ConsumerClaim | TimeBarKind::ConsumerCredit => "Code de la consommation L218-2",
            TimeBarKind::GeneralClaim => "Code civil 2224",
            TimeBarKind::EnforceableTitle => "CPCE L111-4",
        }
    }
}

/// What happened to the claim.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimeBarEventKind {
    /// A payment (with its amount): an acknowledgement that interrupts (C. civ. 2240), and for
    /// consumer credit money applied to the oldest instalments (1342-10).
    Payment,
    /// The debtor's acknowledgement of the debt (C. civ. 2240).
    Acknowledgement,
    /// A court claim, even in summary proceedings (C. civ. 2241, 2242).
    CourtClaim,
    /// The latest pending court claim withdrawn, lapsed or definitively rejected (C. civ. 2243).
    CourtClaimDismissed,
    /// A judgment served: ten years from its service (CPCE L111-4).
    JudgmentServed,
    /// An enforcement act (C. civ. 2244).
    EnforcementAct,
    /// A protective act (C. civ. 2244), treated as an enforcement act.
    ProtectiveAct,
    /// A new schedule for consumer credit (with its instalments): the foreclosure runs from the
    /// first unregularised incident under it (R312-35).
    ReschedulingPlan,
    /// Start of a suspension (over-indebtedness: C. civ. 2234, 2238; C. consom. L722-2).
    SuspensionStart,
    /// End of the open suspension (that day is no longer suspended).
    SuspensionEnd,
    /// A formal notice: interrupts nothing (C. civ. 2240 to 2246 list the causes).
    FormalNotice,
}

impl TimeBarEventKind {
    pub const ALL: [TimeBarEventKind; 11] = [
        TimeBarEventKind::Payment,
        TimeBarEventKind::Acknowledgement,
        TimeBarEventKind::CourtClaim,
        TimeBarEventKind::CourtClaimDismissed,
        TimeBarEventKind::JudgmentServed,
        TimeBarEventKind::EnforcementAct,
        TimeBarEventKind::ProtectiveAct,
        TimeBarEventKind::ReschedulingPlan,
        TimeBarEventKind::SuspensionStart,
        TimeBarEventKind::SuspensionEnd,
        TimeBarEventKind::FormalNotice,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TimeBarEventKind::Payment => "payment",
            TimeBarEventKind::Acknowledgement => "acknowledgement",
            TimeBarEventKind::CourtClaim => "court_claim",
            TimeBarEventKind::CourtClaimDismissed => "court_claim_dismissed",
            TimeBarEventKind::JudgmentServed => "judgment_served",
            TimeBarEventKind::EnforcementAct => "enforcement_act",
            TimeBarEventKind::ProtectiveAct => "protective_act",
            TimeBarEventKind::ReschedulingPlan => "rescheduling_plan",
            TimeBarEventKind::SuspensionStart => "suspension_start",
            TimeBarEventKind::SuspensionEnd => "suspension_end",
            TimeBarEventKind::FormalNotice => "formal_notice",
        }
    }

    pub fn from_code(code: &str) -> Option<TimeBarEventKind> {
        TimeBarEventKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// An instalment of a consumer credit's schedule (or of a rescheduling plan).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduledInstalment {
    pub due_on: NaiveDate,
    pub amount: Money,
}

/// One event of the claim's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeBarEvent {
    pub kind: TimeBarEventKind,
    pub date: NaiveDate,
    /// The amount of a `payment` (required there, ignored elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// The new schedule of a `rescheduling_plan` (required there, ignored elsewhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instalments: Vec<ScheduledInstalment>,
}

impl TimeBarEvent {
    pub fn new(kind: TimeBarEventKind, date: NaiveDate) -> TimeBarEvent {
        TimeBarEvent { kind, date, amount: None, instalments: Vec::new() }
    }

    pub fn payment(date: NaiveDate, amount: Money) -> TimeBarEvent {
        TimeBarEvent { amount: Some(amount), ..TimeBarEvent::new(TimeBarEventKind::Payment, date) }
    }

    pub fn plan(date: NaiveDate, instalments: Vec<ScheduledInstalment>) -> TimeBarEvent {
        TimeBarEvent { instalments, ..TimeBarEvent::new(TimeBarEventKind::ReschedulingPlan, date) }
    }
}

/// A claim and its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeBarInput {
    pub kind: TimeBarKind,
    /// The day the period starts: the due date, the acceleration, or the title's service.
    pub start: NaiveDate,
    /// The consumer credit's schedule (ignored for other kinds).
    #[serde(default)]
    pub instalments: Vec<ScheduledInstalment>,
    #[serde(default)]
    pub events: Vec<TimeBarEvent>,
}

/// The event (its kind's code, or `start`) and the article that set a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecidedBy {
    pub event: String,
    pub article: String,
}

/// An event that changed nothing, and why (in French, for the officer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IgnoredTimeBarEvent {
    /// Position in the input list.
    pub index: usize,
    pub event: TimeBarEventKind,
    pub date: NaiveDate,
    pub reason: String,
}

/// The time bars of one claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeBar {
    /// Last day to act; null while a court claim is pending or a suspension is open.
    pub limitation_date: Option<NaiveDate>,
    /// Last day to sue for consumer credit (R312-35); null for other kinds, once a court claim
    /// (not later dismissed) was made on or before it, or when every instalment is covered.
    pub foreclosure_date: Option<NaiveDate>,
    /// What set `limitation_date` (or made it null).
    pub decided_by: DecidedBy,
    /// Date of the event in `decided_by` (`start` for the start).
    pub decided_on: NaiveDate,
    /// Length of the running limitation period, in years.
    pub period_years: u32,
    /// Days of suspension pushing the running period back.
    pub suspended_days: i64,
    /// An event came after the last day: the limitation was acquired then (that event and the
    /// interruptions after it had no effect).
    pub time_barred: bool,
    pub court_claim_pending: bool,
    pub suspension_open: bool,
    /// Consumer credit: due date of the first instalment not covered (or `start` without schedule).
    pub first_unregularised_incident: Option<NaiveDate>,
    /// Consumer credit: what set `foreclosure_date`, or made it null.
    pub foreclosure_decided_by: Option<DecidedBy>,
    /// The foreclosure was acquired before a later payment or plan (which changed nothing).
    pub foreclosure_acquired: bool,
    pub ignored_events: Vec<IgnoredTimeBarEvent>,
}

/// An input the engine refuses, naming its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeBarError {
    #[error("events[{index}].amount: un paiement doit avoir un montant strictement positif (reçu {amount})")]
    BadPayment { index: usize, amount: Money },
    #[error("events[{index}].amount: montant du paiement manquant")]
    PaymentWithoutAmount { index: usize },
    #[error("events[{index}].instalments: un plan de rééchelonnement doit donner ses échéances")]
    PlanWithoutInstalments { index: usize },
    #[error("{place}.amount: l'échéance du {} doit avoir un montant strictement positif (reçu {amount})", french_date(*.due_on))]
    BadInstalment { place: String, due_on: NaiveDate, amount: Money },
}

impl TimeBarError {
    /// The input field at fault, e.g. `events[3].amount`.
    pub fn field(&self) -> String {
        match self {
            TimeBarError::BadPayment { index, .. } | TimeBarError::PaymentWithoutAmount { index } => {
                format!("events[{index}].amount")
            }
            TimeBarError::PlanWithoutInstalments { index } => format!("events[{index}].instalments"),
            TimeBarError::BadInstalment { place, .. } => format!("{place}.amount"),
        }
    }
}

fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    // Convention 2 (CPC 641 by analogy): same-numbered day, or the month's last day.
    add_months_clamped(date, years * 12)
}

fn validate(input: &TimeBarInput) -> Result<(), TimeBarError> {
    let check_schedule = |place: &str, schedule: &[ScheduledInstalment]| {
        schedule.iter().enumerate().try_for_each(|(n, instalment)| {
            if instalment.amount.is_positive() {
                Ok(())
            } else {
                Err(TimeBarError::BadInstalment {
                    place: format!("{place}[{n}]"),
                    due_on: instalment.due_on,
                    amount: instalment.amount,
                })
            }
        })
    };
    check_schedule("instalments", &input.instalments)?;
    for (index, event) in input.events.iter().enumerate() {
        match event.kind {
            TimeBarEventKind::Payment => match event.amount {
                None => return Err(TimeBarError::PaymentWithoutAmount { index }),
                Some(amount) if !amount.is_positive() => return Err(TimeBarError::BadPayment { index, amount }),
                Some(_) => {}
            },
            TimeBarEventKind::ReschedulingPlan if event.instalments.is_empty() => {
                return Err(TimeBarError::PlanWithoutInstalments { index })
            }
            _ => {}
        }
        check_schedule(&format!("events[{index}].instalments"), &event.instalments)?;
    }
    Ok(())
}

/// Events in date order, those of one date in the order given (convention 3).
fn chronological(events: &[TimeBarEvent]) -> Vec<(usize, &TimeBarEvent)> {
    let mut sorted: Vec<(usize, &TimeBarEvent)> = events.iter().enumerate().collect();
    sorted.sort_by_key(|(_, event)| event.date); // stable: same-date events keep their order
    sorted
}

/// Which court claims were dismissed (C. civ. 2243): each `court_claim_dismissed` ends the latest
/// claim still pending; a served judgment ends them all. Returns the dismissed claims' indices and
/// the dismissals that found no pending claim.
fn dismissed_claims(sorted: &[(usize, &TimeBarEvent)]) -> (BTreeSet<usize>, Vec<usize>) {
    let mut open = Vec::new();
    let mut dismissed = BTreeSet::new();
    let mut orphans = Vec::new();
    for (index, event) in sorted {
        match event.kind {
            TimeBarEventKind::CourtClaim => open.push(*index),
            TimeBarEventKind::JudgmentServed => open.clear(),
            TimeBarEventKind::CourtClaimDismissed => match open.pop() {
                Some(claim) => {
                    dismissed.insert(claim);
                }
                None => orphans.push(*index),
            },
            _ => {}
        }
    }
    (dismissed, orphans)
}

/// The running limitation period.
struct Limitation {
    years: u32,
    period_start: NaiveDate,
    base_article: &'static str,
    decided_by: DecidedBy,
    decided_on: NaiveDate,
    suspended_days: i64,
    open_suspension: Option<NaiveDate>,
    pending_claim: Option<NaiveDate>,
    time_barred: bool,
}

impl Limitation {
    /// The last day to act, ignoring a pending claim or an open suspension.
    fn last_day(&self) -> NaiveDate {
        add_years(self.period_start, self.years) + Duration::days(self.suspended_days)
    }

    /// True when the period has run out before `date`: nothing pending, nothing suspended, and
    /// `date` after the last day. Marks the limitation acquired (it stays so).
    fn expired_before(&mut self, date: NaiveDate) -> bool {
        if !self.time_barred && self.pending_claim.is_none() && self.open_suspension.is_none() && date > self.last_day()
        {
            self.time_barred = true;
        }
        self.time_barred
    }

    /// A new period of `years` from `date` (C. civ. 2231; CPCE L111-4 for a judgment).
    fn restart(&mut self, date: NaiveDate, years: u32, event: TimeBarEventKind, article: String) {
        self.years = years;
        self.period_start = date;
        self.suspended_days = 0;
        self.decided_by = DecidedBy { event: event.code().to_string(), article };
        self.decided_on = date;
    }
}

/// The time bars of one claim from its history (conventions in the module's documentation).
pub fn time_bar(input: &TimeBarInput) -> Result<TimeBar, TimeBarError> {
    validate(input)?;
    let kind = input.kind;
    let sorted = chronological(&input.events);
    let (dismissed, orphans) = dismissed_claims(&sorted);
    let mut ignored = Vec::new();
    let mut ignore = |index: usize, event: &TimeBarEvent, reason: &str| {
        ignored.push(IgnoredTimeBarEvent { index, event: event.kind, date: event.date, reason: reason.to_string() });
    };
    const BARRED: &str =
        "postérieur au dernier jour du délai: la prescription était déjà acquise, l'événement est sans effet";
    const BEFORE: &str = "antérieur au point de départ du délai en cours: rien à interrompre";

    let mut limitation = Limitation {
        years: kind.years(),
        period_start: input.start,
        base_article: kind.article(),
        decided_by: DecidedBy { event: "start".to_string(), article: kind.article().to_string() },
        decided_on: input.start,
        suspended_days: 0,
        open_suspension: None,
        pending_claim: None,
        time_barred: false,
    };
    for &(index, event) in &sorted {
        let date = event.date;
        match event.kind {
            // C. civ. 2240 (payment, acknowledgement), 2244 (enforcement and protective acts): a
            // new period of the same length (2231), if on or before the last day.
            TimeBarEventKind::Payment
            | TimeBarEventKind::Acknowledgement
            | TimeBarEventKind::EnforcementAct
            | TimeBarEventKind::ProtectiveAct => {
                if limitation.expired_before(date) {
                    ignore(index, event, BARRED);
                } else if date < limitation.period_start {
                    ignore(index, event, BEFORE);
                } else {
                    let cause = match event.kind {
                        TimeBarEventKind::EnforcementAct | TimeBarEventKind::ProtectiveAct => "Code civil 2244",
                        _ => "Code civil 2240",
                    };
                    let article = format!("{cause} (interruption, 2231) ; {}", limitation.base_article);
                    limitation.restart(date, limitation.years, event.kind, article);
                }
            }
            // C. civ. 2241, 2242: the interruption lasts as long as the proceedings.
            TimeBarEventKind::CourtClaim => {
                if dismissed.contains(&index) {
                    // C. civ. 2243: a dismissed claim's interruption never happened.
                    ignore(
                        index,
                        event,
                        "demande en justice rejetée, abandonnée ou périmée: interruption non avenue (C. civ. 2243)",
                    );
                } else if limitation.expired_before(date) {
                    ignore(index, event, BARRED);
                } else if limitation.pending_claim.is_none() {
                    limitation.pending_claim = Some(date);
                    limitation.decided_by = DecidedBy {
                        event: event.kind.code().to_string(),
                        article: "Code civil 2241, 2242 (instance en cours)".to_string(),
                    };
                    limitation.decided_on = date;
                }
            }
            TimeBarEventKind::CourtClaimDismissed => {
                if orphans.contains(&index) {
                    ignore(index, event, "aucune demande en justice en cours à laquelle s'appliquer");
                }
                // Otherwise its claim was left out of the history altogether (2243).
            }
            // CPCE L111-4: ten years from the service of the judgment; the pending claims end.
            // Applies even after the limitation seemed acquired: the judge does not raise
            // prescription of his own motion (C. civ. 2247), the judgment stands.
            TimeBarEventKind::JudgmentServed => {
                limitation.pending_claim = None;
                limitation.time_barred = false;
                limitation.base_article = "CPCE L111-4";
                limitation.restart(date, 10, event.kind, "CPCE L111-4 (dix ans à compter de la signification)".into());
            }
            // C. civ. 2230, 2234, 2238; over-indebtedness C. consom. L722-2.
            TimeBarEventKind::SuspensionStart => {
                if limitation.expired_before(date) {
                    ignore(index, event, BARRED);
                } else if limitation.open_suspension.is_some() {
                    ignore(index, event, "une suspension est déjà en cours");
                } else {
                    limitation.open_suspension = Some(date);
                }
            }
            TimeBarEventKind::SuspensionEnd => match limitation.open_suspension.take() {
                None => ignore(index, event, "aucune suspension en cours"),
                Some(opened) => {
                    // Only the days of the running period count: a period started during the
                    // suspension is suspended from its own start.
                    let from = opened.max(limitation.period_start);
                    let days = (date - from).num_days().max(0);
                    if days > 0 {
                        limitation.suspended_days += days;
                        limitation.decided_by = DecidedBy {
                            event: event.kind.code().to_string(),
                            article: format!(
                                "Code civil 2230, 2234, 2238 (suspension de {days} jours) ; {}",
                                limitation.decided_by.article
                            ),
                        };
                        limitation.decided_on = date;
                    }
                }
            },
            TimeBarEventKind::FormalNotice => {
                ignore(index, event, "une mise en demeure n'interrompt pas la prescription (C. civ. 2240 à 2246)");
            }
            TimeBarEventKind::ReschedulingPlan => {
                if kind != TimeBarKind::ConsumerCredit {
                    ignore(
                        index,
                        event,
                        "un plan de rééchelonnement ne concerne que la forclusion du crédit à la consommation",
                    );
                }
            }
        }
    }

    let limitation_date = if let Some(claimed) = limitation.pending_claim {
        limitation.decided_by = DecidedBy {
            event: TimeBarEventKind::CourtClaim.code().to_string(),
            article: "Code civil 2241, 2242 (instance en cours)".to_string(),
        };
        limitation.decided_on = claimed;
        None
    } else if let Some(opened) = limitation.open_suspension {
        limitation.decided_by = DecidedBy {
            event: TimeBarEventKind::SuspensionStart.code().to_string(),
            article: "Code civil 2230, 2234, 2238 (suspension en cours)".to_string(),
        };
        limitation.decided_on = opened;
        None
    } else {
        Some(limitation.last_day())
    };
    if limitation.time_barred {
        limitation
            .decided_by
            .article
            .push_str(" ; prescription acquise avant un événement postérieur, resté sans effet");
    }

    let foreclosure = if kind == TimeBarKind::ConsumerCredit {
        Some(foreclosure(input, &sorted, &dismissed, &mut ignored))
    } else {
        None
    };
    ignored.sort_by_key(|ignored| ignored.index);
    let (foreclosure_date, first_unregularised_incident, foreclosure_decided_by, foreclosure_acquired) =
        match foreclosure {
            Some(f) => (f.date, f.incident, Some(f.decided_by), f.acquired),
            None => (None, None, None, false),
        };
    Ok(TimeBar {
        limitation_date,
        foreclosure_date,
        decided_by: limitation.decided_by,
        decided_on: limitation.decided_on,
        period_years: limitation.years,
        suspended_days: limitation.suspended_days,
        time_barred: limitation.time_barred,
        court_claim_pending: limitation.pending_claim.is_some(),
        suspension_open: limitation.open_suspension.is_some(),
        first_unregularised_incident,
        foreclosure_decided_by,
        foreclosure_acquired,
        ignored_events: ignored,
    })
}

struct Foreclosure {
    date: Option<NaiveDate>,
    incident: Option<NaiveDate>,
    decided_by: DecidedBy,
    acquired: bool,
}

/// Due date of the first instalment not covered by `paid`, applied to the oldest first (C. civ.
/// 1342-10: without the debtor's choice, to the debts due first, then the oldest). `schedule` is
/// sorted by due date.
fn first_uncovered(schedule: &[ScheduledInstalment], paid: Money) -> Option<NaiveDate> {
    let mut left = paid;
    for instalment in schedule {
        if left >= instalment.amount {
            left -= instalment.amount;
        } else {
            return Some(instalment.due_on);
        }
    }
    None
}

/// C. consom. R312-35: two years from the first unregularised incident (convention 8).
fn foreclosure(
    input: &TimeBarInput,
    sorted: &[(usize, &TimeBarEvent)],
    dismissed: &BTreeSet<usize>,
    ignored: &mut Vec<IgnoredTimeBarEvent>,
) -> Foreclosure {
    const ARTICLE: &str = "Code de la consommation R312-35 ; Code civil 1342-10";
    let sorted_schedule = |schedule: &[ScheduledInstalment]| {
        let mut schedule = schedule.to_vec();
        schedule.sort_by_key(|instalment| instalment.due_on);
        schedule
    };
    // Without a schedule, `start` stands for the first unregularised incident.
    let mut schedule = (!input.instalments.is_empty()).then(|| sorted_schedule(&input.instalments));
    let mut paid = Money::ZERO;
    let mut payments: Vec<(NaiveDate, Money)> = Vec::new();
    let mut decided_by = DecidedBy {
        event: if schedule.is_some() { "instalments" } else { "start" }.to_string(),
        article: ARTICLE.to_string(),
    };
    let mut acquired = false;
    let incident = |schedule: &Option<Vec<ScheduledInstalment>>, paid: Money| match schedule {
        None => Some(input.start),
        Some(schedule) => first_uncovered(schedule, paid),
    };
    let deadline = |incident: Option<NaiveDate>| incident.map(|day| add_months_clamped(day, FORECLOSURE_MONTHS));
    const ACQUIRED: &str =
        "postérieur à la date de forclusion: la forclusion était acquise (R312-35), rien n'est régularisé";
    for &(index, event) in sorted {
        match event.kind {
            TimeBarEventKind::Payment | TimeBarEventKind::ReschedulingPlan => {
                if acquired {
                    ignored.push(IgnoredTimeBarEvent {
                        index,
                        event: event.kind,
                        date: event.date,
                        reason: ACQUIRED.to_string(),
                    });
                    continue;
                }
                if deadline(incident(&schedule, paid)).is_some_and(|last_day| event.date > last_day) {
                    acquired = true;
                    ignored.push(IgnoredTimeBarEvent {
                        index,
                        event: event.kind,
                        date: event.date,
                        reason: ACQUIRED.to_string(),
                    });
                    continue;
                }
                if event.kind == TimeBarEventKind::Payment {
                    let amount = event.amount.unwrap_or(Money::ZERO);
                    payments.push((event.date, amount));
                    paid += amount;
                } else {
                    // R312-35: after a rescheduling, the first unregularised incident under the new
                    // plan, with the payments made on or after the plan's date.
                    schedule = Some(sorted_schedule(&event.instalments));
                    paid = payments.iter().filter(|(date, _)| *date >= event.date).map(|(_, amount)| *amount).sum();
                    decided_by = DecidedBy {
                        event: event.kind.code().to_string(),
                        article: format!("{ARTICLE} (premier incident non régularisé du nouveau plan)"),
                    };
                }
            }
            _ => {}
        }
    }
    let first_incident = incident(&schedule, paid);
    let date = deadline(first_incident);
    // A court claim made on or before the last day, and not dismissed (2243), saves the action;
    // a served judgment settled it.
    let judged = sorted.iter().find(|(_, event)| event.kind == TimeBarEventKind::JudgmentServed);
    let claimed = sorted.iter().find(|(index, event)| {
        event.kind == TimeBarEventKind::CourtClaim
            && !dismissed.contains(index)
            && date.is_some_and(|day| event.date <= day)
    });
    let (date, decided_by) = match (claimed, judged) {
        (Some((_, claim)), _) => (
            None,
            DecidedBy {
                event: claim.kind.code().to_string(),
                article: "Code de la consommation R312-35 (action engagée dans le délai) ; Code civil 2241".to_string(),
            },
        ),
        (None, Some((_, judgment))) => (
            None,
            DecidedBy {
                event: judgment.kind.code().to_string(),
                article: "Code de la consommation R312-35 (action jugée) ; CPCE L111-4".to_string(),
            },
        ),
        (None, None) => (date, decided_by),
    };
    Foreclosure { date, incident: first_incident, decided_by, acquired }
}
