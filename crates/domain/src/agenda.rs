//! Where an item of the agenda stands on a given day: overdue, within its warning period, or
//! neither. One rule for the case page, the agenda page and the API alike.
//!
//! A legal deadline is due on its last day (after CPC 642's extension to the next working day);
//! it is overdue the day after. The warning period is the one the step that opened the deadline
//! gave it (`warn_days`, capped at the deadline's length by `procedure::effects`). A deadline
//! suspended while an over-indebtedness file is admissible (C. consom. L722-2) runs neither late
//! nor soon: it is frozen.

use chrono::NaiveDate;

/// Where an agenda item stands on a day.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Urgency {
    /// Frozen (enforcement suspended): neither late nor soon.
    Suspended,
    /// Its due day has passed.
    Overdue,
    /// Due today or within its warning period.
    Warning,
    /// Due later than its warning period.
    Upcoming,
}

impl Urgency {
    /// Where an item due on `due_on`, warned `warn_days` before, stands on `today`.
    pub fn of(due_on: NaiveDate, warn_days: i64, suspended: bool, today: NaiveDate) -> Urgency {
        if suspended {
            Urgency::Suspended
        } else if due_on < today {
            Urgency::Overdue
        } else if (due_on - today).num_days() <= warn_days {
            Urgency::Warning
        } else {
            Urgency::Upcoming
        }
    }

    pub fn overdue(self) -> bool {
        self == Urgency::Overdue
    }

    pub fn warning(self) -> bool {
        self == Urgency::Warning
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
    }

    #[test]
    fn an_item_is_overdue_the_day_after_its_due_day_and_warned_within_its_period() {
        let today = day(10);
        assert_eq!(Urgency::of(day(9), 7, false, today), Urgency::Overdue);
        assert_eq!(Urgency::of(day(10), 0, false, today), Urgency::Warning, "due today");
        assert_eq!(Urgency::of(day(17), 7, false, today), Urgency::Warning);
        assert_eq!(Urgency::of(day(18), 7, false, today), Urgency::Upcoming);
        assert_eq!(Urgency::of(day(1), 7, true, today), Urgency::Suspended, "a suspended deadline is frozen");
        assert!(Urgency::Overdue.overdue() && !Urgency::Overdue.warning());
        assert!(Urgency::Warning.warning() && !Urgency::Suspended.overdue());
    }
}
