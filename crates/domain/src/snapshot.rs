//! The daily statistics snapshot's dimensions (issue 7, read by the committee packs of issue 8):
//! how long a case has been in litigation, in the buckets the risk committee reads.

use chrono::NaiveDate;

/// Age since entry into litigation (`opened_on`), in whole months.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBucket {
    UnderThreeMonths,
    ThreeToSixMonths,
    SixToTwelveMonths,
    OneToTwoYears,
    TwoToFiveYears,
    FiveYearsAndMore,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 6] = [
        AgeBucket::UnderThreeMonths,
        AgeBucket::ThreeToSixMonths,
        AgeBucket::SixToTwelveMonths,
        AgeBucket::OneToTwoYears,
        AgeBucket::TwoToFiveYears,
        AgeBucket::FiveYearsAndMore,
    ];

    /// The bucket of a case opened on `opened_on`, seen on `as_of`. A case opened after `as_of`
    /// (a run for a past date) counts as new.
    pub fn of(opened_on: NaiveDate, as_of: NaiveDate) -> AgeBucket {
        let months_in_litigation = whole_months_between(opened_on, as_of);
        match months_in_litigation {
            i32::MIN..=2 => AgeBucket::UnderThreeMonths,
            3..=5 => AgeBucket::ThreeToSixMonths,
            6..=11 => AgeBucket::SixToTwelveMonths,
            12..=23 => AgeBucket::OneToTwoYears,
            24..=59 => AgeBucket::TwoToFiveYears,
            _ => AgeBucket::FiveYearsAndMore,
        }
    }

    /// Stored in `daily_snapshots.age_bucket`.
    pub fn code(self) -> &'static str {
        match self {
            AgeBucket::UnderThreeMonths => "0-3m",
            AgeBucket::ThreeToSixMonths => "3-6m",
            AgeBucket::SixToTwelveMonths => "6-12m",
            AgeBucket::OneToTwoYears => "1-2y",
            AgeBucket::TwoToFiveYears => "2-5y",
            AgeBucket::FiveYearsAndMore => "5y+",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeBucket::UnderThreeMonths => "moins de 3 mois",
            AgeBucket::ThreeToSixMonths => "3 à 6 mois",
            AgeBucket::SixToTwelveMonths => "6 à 12 mois",
            AgeBucket::OneToTwoYears => "1 à 2 ans",
            AgeBucket::TwoToFiveYears => "2 à 5 ans",
            AgeBucket::FiveYearsAndMore => "5 ans et plus",
        }
    }

    pub fn from_code(code: &str) -> Option<AgeBucket> {
        AgeBucket::ALL.into_iter().find(|bucket| bucket.code() == code)
    }
}

/// Whole calendar months from `from` to `to` (negative when `to` is earlier): 31 January to
/// 28 February is 0 months, to 1 March is 1.
fn whole_months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if months > 0 && to.day() < from.day() {
        months -= 1;
    }
    if months < 0 && to.day() > from.day() {
        months += 1;
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn buckets_follow_whole_months() {
        let as_of = date("2026-11-27");
        assert_eq!(AgeBucket::of(date("2026-11-27"), as_of), AgeBucket::UnderThreeMonths);
        assert_eq!(AgeBucket::of(date("2026-08-28"), as_of), AgeBucket::UnderThreeMonths);
        assert_eq!(AgeBucket::of(date("2026-08-27"), as_of), AgeBucket::ThreeToSixMonths);
        assert_eq!(AgeBucket::of(date("2025-11-28"), as_of), AgeBucket::SixToTwelveMonths);
        assert_eq!(AgeBucket::of(date("2025-11-27"), as_of), AgeBucket::OneToTwoYears);
        assert_eq!(AgeBucket::of(date("2024-11-27"), as_of), AgeBucket::TwoToFiveYears);
        assert_eq!(AgeBucket::of(date("2021-11-27"), as_of), AgeBucket::FiveYearsAndMore);
        assert_eq!(AgeBucket::of(date("2027-01-01"), as_of), AgeBucket::UnderThreeMonths);
    }

    #[test]
    fn end_of_month_counts_whole_months() {
        assert_eq!(whole_months_between(date("2026-01-31"), date("2026-02-28")), 0);
        assert_eq!(whole_months_between(date("2026-01-31"), date("2026-03-01")), 1);
        assert_eq!(whole_months_between(date("2026-03-15"), date("2026-01-20")), -1);
    }

    #[test]
    fn codes_round_trip() {
        for bucket in AgeBucket::ALL {
            assert_eq!(AgeBucket::from_code(bucket.code()), Some(bucket));
        }
    }
}
