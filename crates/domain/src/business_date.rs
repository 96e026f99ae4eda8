//! The bank's business date: the calendar day in Paris (Europe/Paris), whatever the server's
//! time zone. "Today" for a deadline, a nightly run or a letter is the day in France, not in UTC:
//! between 22:00 and 24:00 UTC in summer (23:00 in winter) the two differ.
//!
//! France keeps Central European Time (UTC+1) and European summer time (UTC+2) from 01:00 UTC
//! on the last Sunday of March to 01:00 UTC on the last Sunday of October (Directive 2000/84/EC
//! art. 2 and 3; décret n° 2002-1203). The rule is the same every year since 1996, so it is
//! computed here rather than read from a time-zone database.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The last Sunday of `month` in `year`.
// Invariant: callers pass March or October, and the first of the next month always exists.
#[allow(clippy::expect_used)]
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) }
            .expect("the first day of a month exists");
    let last = first_of_next - Duration::days(1);
    let back = last.weekday().num_days_from_sunday();
    last - Duration::days(i64::from(back))
}

/// Whether European summer time is in force at `instant` (Directive 2000/84/EC art. 2 and 3).
pub fn is_summer_time(instant: DateTime<Utc>) -> bool {
    let year = instant.year();
    // Invariant: 01:00:00 is a valid time of day (a constant).
    #[allow(clippy::expect_used)]
    let one_am = NaiveTime::from_hms_opt(1, 0, 0).expect("01:00 exists");
    let starts = last_sunday(year, 3).and_time(one_am).and_utc();
    let ends = last_sunday(year, 10).and_time(one_am).and_utc();
    instant >= starts && instant < ends
}

/// Hours Paris is ahead of UTC at `instant`: 2 in summer time, 1 otherwise.
pub fn paris_offset_hours(instant: DateTime<Utc>) -> i64 {
    if is_summer_time(instant) {
        2
    } else {
        1
    }
}

/// The wall-clock time in Paris at `instant`.
pub fn paris_local(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.naive_utc() + Duration::hours(paris_offset_hours(instant))
}

/// The bank's business date at `instant`: the day it is in Paris.
pub fn paris_date(instant: DateTime<Utc>) -> NaiveDate {
    paris_local(instant).date()
}

/// The instant a business date begins: midnight in Paris, in UTC. Summer time starts and ends
/// at 01:00 UTC, never around Paris midnight, so the offset in force at the UTC midnight of the
/// same date is the one in force at Paris midnight.
pub fn paris_day_start(date: NaiveDate) -> DateTime<Utc> {
    let utc_midnight = date.and_time(NaiveTime::MIN).and_utc();
    utc_midnight - Duration::hours(paris_offset_hours(utc_midnight))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_business_day_starts_at_midnight_in_paris() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Winter: 23:00 UTC the day before; summer: 22:00 UTC; around both switches too.
        for (date, start) in [
            (day(2026, 12, 5), utc(2026, 12, 4, 23, 0)),
            (day(2026, 7, 14), utc(2026, 7, 13, 22, 0)),
            (day(2026, 3, 29), utc(2026, 3, 28, 23, 0)),
            (day(2026, 3, 30), utc(2026, 3, 29, 22, 0)),
            (day(2026, 10, 25), utc(2026, 10, 24, 22, 0)),
            (day(2026, 10, 26), utc(2026, 10, 25, 23, 0)),
        ] {
            assert_eq!(paris_day_start(date), start, "{date}");
            assert_eq!(paris_date(start), date, "{date}");
            assert_eq!(paris_date(start - Duration::seconds(1)), date - Duration::days(1), "{date}");
        }
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
    }

    #[test]
    fn last_sundays_of_march_and_october() {
        // Known changes: 29 March / 25 October 2026, 28 March / 31 October 2027.
        assert_eq!(last_sunday(2026, 3), NaiveDate::from_ymd_opt(2026, 3, 29).unwrap());
        assert_eq!(last_sunday(2026, 10), NaiveDate::from_ymd_opt(2026, 10, 25).unwrap());
        assert_eq!(last_sunday(2027, 3), NaiveDate::from_ymd_opt(2027, 3, 28).unwrap());
        assert_eq!(last_sunday(2027, 10), NaiveDate::from_ymd_opt(2027, 10, 31).unwrap());
        assert_eq!(last_sunday(2026, 12), NaiveDate::from_ymd_opt(2026, 12, 27).unwrap());
    }

    #[test]
    fn summer_time_starts_and_ends_at_one_utc() {
        assert!(!is_summer_time(utc(2026, 3, 29, 0, 59)));
        assert!(is_summer_time(utc(2026, 3, 29, 1, 0)));
        assert!(is_summer_time(utc(2026, 10, 25, 0, 59)));
        assert!(!is_summer_time(utc(2026, 10, 25, 1, 0)));
    }

    #[test]
    fn the_business_date_is_the_day_in_paris() {
        // 4 December, 23:30 UTC is already 5 December in Paris (winter, UTC+1).
        assert_eq!(paris_date(utc(2026, 12, 4, 23, 30)), NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        assert_eq!(paris_date(utc(2026, 12, 4, 22, 59)), NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        // 30 June, 22:00 UTC is midnight in Paris (summer, UTC+2).
        assert_eq!(paris_date(utc(2026, 6, 30, 22, 0)), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(paris_date(utc(2026, 6, 30, 21, 59)), NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        assert_eq!(paris_local(utc(2026, 6, 30, 8, 15)).time(), NaiveTime::from_hms_opt(10, 15, 0).unwrap());
    }
}
