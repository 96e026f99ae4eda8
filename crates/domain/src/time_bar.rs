//! When to warn of a time bar coming (foreclosure, C. consom. R312-35; limitation, C. civ. 2219
//! and following): the nightly run announces each case's dates at the bank's thresholds
//! (`ProcedurePolicy::time_bar_warning_days`), once per threshold.
//!
//! The dates themselves come from the time-bar engine ([`time_bar`], in `time_bar/engine.rs`): a
//! claim's limitation and foreclosure derived from its history of events, with the event and the
//! article that set them (issue 18).

use chrono::NaiveDate;

mod engine;
mod history;
mod schedule;

pub use engine::*;
pub use history::{procedure_step_event, with_suspension_cap, OVER_INDEBTEDNESS_SUSPENSION_MONTHS_MAX};
pub use schedule::{outstanding_schedule, split_payments};

/// The threshold (in days) at which `date` is to be announced on `as_of`, if any: the tightest
/// threshold reached and not yet announced for this date. `warned` holds the thresholds already
/// announced for this very date (a moved date is a new one). A date already past is not
/// announced here: the strategy engine reports it as acquired.
///
/// A case found inside several thresholds at once (first run, or runs missed) is announced once,
/// at the tightest; a threshold tighter than one already announced is announced when reached.
pub fn threshold_due(date: NaiveDate, as_of: NaiveDate, thresholds: &[u32], warned: &[u32]) -> Option<u32> {
    let days_left = (date - as_of).num_days();
    if days_left < 0 {
        return None;
    }
    let tightest_reached = thresholds.iter().copied().filter(|days| i64::from(*days) >= days_left).min()?;
    let already = warned.iter().any(|days| *days <= tightest_reached);
    (!already).then_some(tightest_reached)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn each_threshold_is_announced_once_and_a_late_find_once_at_the_tightest() {
        let date = day("2027-03-31");
        let thresholds = [90, 30];
        // Outside every threshold.
        assert_eq!(threshold_due(date, day("2026-12-30"), &thresholds, &[]), None);
        // 90 days before: the first threshold.
        assert_eq!(threshold_due(date, day("2026-12-31"), &thresholds, &[]), Some(90));
        assert_eq!(threshold_due(date, day("2027-01-15"), &thresholds, &[90]), None);
        // 30 days before: the second, even with the first announced.
        assert_eq!(threshold_due(date, day("2027-03-01"), &thresholds, &[90]), Some(30));
        assert_eq!(threshold_due(date, day("2027-03-02"), &thresholds, &[90, 30]), None);
        // Found 25 days before with nothing announced: once, at 30.
        assert_eq!(threshold_due(date, day("2027-03-06"), &thresholds, &[]), Some(30));
        assert_eq!(threshold_due(date, day("2027-03-07"), &thresholds, &[30]), None);
        // The day itself is still announced; the day after is past.
        assert_eq!(threshold_due(date, date, &thresholds, &[]), Some(30));
        assert_eq!(threshold_due(date, day("2027-04-01"), &thresholds, &[]), None);
    }
}
