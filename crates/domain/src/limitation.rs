//! Limitation (prescription) of a claim.
//!
//! Professionals' actions against consumers are time-barred after 2 years (Code de la consommation
//! L218-2); an enforceable court title can be enforced for 10 years (CPCE L111-4). An interruption
//! starts a new period of the same length (Code civil 2231): acknowledgement by the debtor including
//! a partial payment (2240), a court claim (2241), an enforcement or protective act (2244). A formal
//! notice does not interrupt.
//!
//! Simplifications, stated for the officer: a court claim is treated as restarting the period on
//! its date, whereas its effect lasts until the end of the proceedings (2242); the limitation date
//! is not moved to a working day (the bank must act before it, which is the prudent reading).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::add_months_clamped;

/// The claim whose limitation is computed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// Action of a professional against a consumer: 2 years (C. consom. L218-2), from the due date
    /// of each instalment, or of the whole capital from the acceleration.
    ConsumerClaim,
    /// Enforcement of an enforceable court title: 10 years from its service (CPCE L111-4).
    EnforceableTitle,
}

impl ClaimKind {
    /// Length of the period, in years.
    pub fn years(self) -> u32 {
        match self {
            ClaimKind::ConsumerClaim => 2,
            ClaimKind::EnforceableTitle => 10,
        }
    }

    /// The article fixing the period.
    pub fn article(self) -> &'static str {
        match self {
            ClaimKind::ConsumerClaim => "Code de la consommation L218-2",
            ClaimKind::EnforceableTitle => "CPCE L111-4",
        }
    }
}

/// Something that happened to the claim.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LimitationEventKind {
    /// Partial payment: an acknowledgement of the debt (Code civil 2240).
    PartialPayment,
    /// Acknowledgement of the debt by the debtor (Code civil 2240).
    Acknowledgement,
    /// Court claim, even in summary proceedings (Code civil 2241).
    CourtClaim,
    /// Enforcement or protective act (Code civil 2244).
    EnforcementAct,
    /// Formal notice (mise en demeure): does NOT interrupt limitation.
    FormalNotice,
}

impl LimitationEventKind {
    /// The article giving (or denying) the event its interruptive effect.
    pub fn article(self) -> &'static str {
        match self {
            LimitationEventKind::PartialPayment | LimitationEventKind::Acknowledgement => "Code civil 2240",
            LimitationEventKind::CourtClaim => "Code civil 2241",
            LimitationEventKind::EnforcementAct => "Code civil 2244",
            LimitationEventKind::FormalNotice => "Code civil 2240 à 2246 (liste limitative)",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitationEvent {
    pub date: NaiveDate,
    pub kind: LimitationEventKind,
}

/// An event that did not restart the period, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IgnoredEvent {
    pub event: LimitationEvent,
    pub reason: String,
}

/// The limitation date of a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limitation {
    /// Last day the claim can be acted on.
    pub limitation_date: NaiveDate,
    /// Start of the period running now.
    pub period_start: NaiveDate,
    /// Event that last started the period; `None` when it is the initial start event.
    pub last_interruption: Option<LimitationEvent>,
    pub ignored_events: Vec<IgnoredEvent>,
    /// Article fixing the period.
    pub article: String,
}

/// Limitation date of a claim of `kind` whose period started on `start` (C. consom. L218-2,
/// CPCE L111-4), given the events since (Code civil 2231, 2240, 2241, 2244).
///
/// Events are taken in date order. An interruptive event on or before the current limitation date
/// starts a new period of the same length on its date (2231); one after it comes too late (the claim
/// is already time-barred); one before `start` has nothing to interrupt; a formal notice never
/// interrupts. The period ends on the same-numbered day N years later (or the month's last day).
pub fn limitation(kind: ClaimKind, start: NaiveDate, events: &[LimitationEvent]) -> Limitation {
    let months = kind.years() * 12;
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|event| event.date);
    let mut period_start = start;
    let mut limitation_date = add_months_clamped(start, months);
    let mut last_interruption = None;
    let mut ignored_events = Vec::new();
    for event in sorted {
        let reason = if event.kind == LimitationEventKind::FormalNotice {
            Some("une mise en demeure n'interrompt pas la prescription".to_string())
        } else if event.date < period_start {
            Some("antérieur au point de départ du délai en cours".to_string())
        } else if event.date > limitation_date {
            Some("postérieur à la date de prescription: la créance était déjà prescrite".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => ignored_events.push(IgnoredEvent { event, reason }),
            None => {
                period_start = event.date;
                limitation_date = add_months_clamped(event.date, months);
                last_interruption = Some(event);
            }
        }
    }
    Limitation { limitation_date, period_start, last_interruption, ignored_events, article: kind.article().to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn event(text: &str, kind: LimitationEventKind) -> LimitationEvent {
        LimitationEvent { date: date(text), kind }
    }

    #[test]
    fn two_years_for_a_consumer_ten_for_a_title() {
        let consumer = limitation(ClaimKind::ConsumerClaim, date("2023-08-05"), &[]);
        assert_eq!(consumer.limitation_date, date("2025-08-05"));
        assert_eq!(consumer.last_interruption, None);
        let title = limitation(ClaimKind::EnforceableTitle, date("2016-02-29"), &[]);
        assert_eq!(title.limitation_date, date("2026-02-28"));
        assert_eq!(title.article, "CPCE L111-4");
    }

    #[test]
    fn a_partial_payment_restarts_the_period_a_formal_notice_does_not() {
        let events = [
            event("2024-03-10", LimitationEventKind::FormalNotice),
            event("2024-06-01", LimitationEventKind::PartialPayment),
        ];
        let result = limitation(ClaimKind::ConsumerClaim, date("2023-08-05"), &events);
        assert_eq!(result.limitation_date, date("2026-06-01"));
        assert_eq!(result.period_start, date("2024-06-01"));
        assert_eq!(result.last_interruption, Some(events[1]));
        assert_eq!(result.ignored_events.len(), 1);
        assert_eq!(result.ignored_events[0].event.kind, LimitationEventKind::FormalNotice);
        assert!(result.ignored_events[0].reason.contains("mise en demeure"));
    }

    #[test]
    fn an_event_after_the_limitation_date_comes_too_late() {
        let events = [
            event("2025-08-05", LimitationEventKind::CourtClaim), // last day: in time
            event("2030-01-01", LimitationEventKind::EnforcementAct), // > 2027-08-05
        ];
        let result = limitation(ClaimKind::ConsumerClaim, date("2023-08-05"), &events);
        assert_eq!(result.limitation_date, date("2027-08-05"));
        assert_eq!(result.last_interruption, Some(events[0]));
        assert!(result.ignored_events[0].reason.contains("déjà prescrite"));
        // Events are taken in date order whatever the input order.
        let reversed = [events[1], events[0]];
        assert_eq!(limitation(ClaimKind::ConsumerClaim, date("2023-08-05"), &reversed), result);
    }
}
