//! "Now" and "today" come from a clock the application is given.
//!
//! Production runs on [`SystemClock`]; tests give a [`FixedClock`] to put the application on
//! a chosen day. No command, page or endpoint lets anyone change the clock of a running
//! server: the only way to set it is to build the application with another clock, in code.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::business_date::paris_date;

/// Where the application reads the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// The bank's business date: the day it is in Paris (Europe/Paris), not in UTC.
    fn today(&self) -> NaiveDate {
        paris_date(self.now())
    }
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what a test told it, and moves only when told.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    pub fn at(now: DateTime<Utc>) -> FixedClock {
        FixedClock { now: Mutex::new(now) }
    }

    /// Noon (Paris) on `day`: a moment that is `day` in Paris and in UTC alike.
    // Invariant: 11:00:00 is a valid time of day (a constant).
    #[allow(clippy::expect_used)]
    pub fn on(day: NaiveDate) -> FixedClock {
        let noon = day.and_hms_opt(11, 0, 0).expect("11:00 exists").and_utc();
        FixedClock::at(noon)
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = now;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_says_its_day_in_paris() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let clock = FixedClock::on(day);
        assert_eq!(clock.today(), day);
        // 23:30 UTC on 4 December is 5 December in Paris.
        clock.set(day.and_hms_opt(23, 30, 0).unwrap().and_utc());
        assert_eq!(clock.today(), day.succ_opt().unwrap());
    }
}
