//! Calendars and time limits.
//!
//! French public holidays (Code du travail L3133-1, and L3134-13 for Alsace-Moselle), working days,
//! and the arithmetic of procedural time limits (Code de procédure civile art. 641 and 642). A
//! separate TARGET2 calendar gives SEPA settlement days, which are not the French working days.
//! No crate computes the French calendar correctly, so Easter is computed here.

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Which set of public holidays applies.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// The general list of Code du travail L3133-1.
    #[default]
    General,
    /// Bas-Rhin, Haut-Rhin and Moselle: adds Good Friday and 26 December (L3134-13).
    AlsaceMoselle,
}

/// A public holiday, named as in the law.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Holiday {
    NewYearsDay,
    GoodFriday,
    EasterMonday,
    LabourDay,
    VictoryInEurope,
    AscensionDay,
    WhitMonday,
    BastilleDay,
    Assumption,
    AllSaintsDay,
    Armistice,
    Christmas,
    SaintStephensDay,
}

impl Holiday {
    /// French name, for messages to the officer.
    pub fn french_name(self) -> &'static str {
        match self {
            Holiday::NewYearsDay => "1er janvier",
            Holiday::GoodFriday => "Vendredi saint",
            Holiday::EasterMonday => "lundi de Pâques",
            Holiday::LabourDay => "1er mai",
            Holiday::VictoryInEurope => "8 mai 1945",
            Holiday::AscensionDay => "Ascension",
            Holiday::WhitMonday => "lundi de Pentecôte",
            Holiday::BastilleDay => "14 juillet",
            Holiday::Assumption => "Assomption",
            Holiday::AllSaintsDay => "Toussaint",
            Holiday::Armistice => "11 novembre",
            Holiday::Christmas => "Noël",
            Holiday::SaintStephensDay => "26 décembre (Saint-Étienne)",
        }
    }
}

// Invariant: called only with the fixed holidays' months and days (1 January, 14 July...), which
// exist in every year.
#[allow(clippy::expect_used)]
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a fixed holiday exists every year")
}

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
/// The movable holidays of L3133-1 (Easter Monday, Ascension, Whit Monday) derive from it.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// The public holidays of a year (Code du travail L3133-1; L3134-13 for Alsace-Moselle), in date order.
pub fn public_holidays(year: i32, region: Region) -> Vec<(NaiveDate, Holiday)> {
    let easter = easter_sunday(year);
    let mut holidays = vec![
        (ymd(year, 1, 1), Holiday::NewYearsDay),
        (easter + Duration::days(1), Holiday::EasterMonday),
        (ymd(year, 5, 1), Holiday::LabourDay),
        (ymd(year, 5, 8), Holiday::VictoryInEurope),
        (easter + Duration::days(39), Holiday::AscensionDay),
        (easter + Duration::days(50), Holiday::WhitMonday),
        (ymd(year, 7, 14), Holiday::BastilleDay),
        (ymd(year, 8, 15), Holiday::Assumption),
        (ymd(year, 11, 1), Holiday::AllSaintsDay),
        (ymd(year, 11, 11), Holiday::Armistice),
        (ymd(year, 12, 25), Holiday::Christmas),
    ];
    if region == Region::AlsaceMoselle {
        holidays.push((easter - Duration::days(2), Holiday::GoodFriday));
        holidays.push((ymd(year, 12, 26), Holiday::SaintStephensDay));
    }
    holidays.sort_by_key(|(day, _)| *day);
    holidays
}

/// The public holiday falling on a date, if any (Code du travail L3133-1, L3134-13).
/// (Ascension can coincide with 1 or 8 May; the first one in the list is returned.)
pub fn public_holiday(date: NaiveDate, region: Region) -> Option<Holiday> {
    public_holidays(date.year(), region).into_iter().find(|(day, _)| *day == date).map(|(_, holiday)| holiday)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A working day in the sense of CPC art. 642: neither Saturday, Sunday nor a public holiday.
pub fn is_working_day(date: NaiveDate, region: Region) -> bool {
    !is_weekend(date) && public_holiday(date, region).is_none()
}

/// A « jour ouvrable »: any day but Sunday and the public holidays (the unit of CMF L561-24,
/// TRACFIN's opposition; Saturdays count, unlike the working days of CPC art. 642).
pub fn is_jour_ouvrable(date: NaiveDate, region: Region) -> bool {
    date.weekday() != Weekday::Sun && public_holiday(date, region).is_none()
}

/// The last day of a period of `count` « jours ouvrables » counted from `from` (the day of the
/// notice counts when it is itself a jour ouvrable, CMF L561-24 « à compter du jour d'émission »).
pub fn add_jours_ouvrables(from: NaiveDate, count: u32, region: Region) -> NaiveDate {
    let mut day = from;
    let mut counted = u32::from(is_jour_ouvrable(from, region));
    while counted < count {
        // Invariant: only chrono's last representable day has no successor.
        #[allow(clippy::expect_used)]
        let next = day.succ_opt().expect("date within chrono's range");
        day = next;
        counted += u32::from(is_jour_ouvrable(day, region));
    }
    day
}

/// The `count`-th working day (CPC art. 642) after `from`, `from` excluded.
pub fn add_working_days(from: NaiveDate, count: u32, region: Region) -> NaiveDate {
    let mut day = from;
    for _ in 0..count {
        // Invariant: only chrono's last representable day has no successor.
        #[allow(clippy::expect_used)]
        let next = day.succ_opt().expect("date within chrono's range");
        day = working_day_on_or_after(next, region);
    }
    day
}

/// The date itself if it is a working day, else the next working day (CPC art. 642).
pub fn working_day_on_or_after(date: NaiveDate, region: Region) -> NaiveDate {
    let mut day = date;
    while !is_working_day(day, region) {
        // Invariant: only chrono's last representable day (31 December 262143) has no successor;
        // no date of a case or a calculator question comes near it.
        #[allow(clippy::expect_used)]
        let next = day.succ_opt().expect("date within chrono's range");
        day = next;
    }
    day
}

/// Adds months the way CPC art. 641 counts a limit in months: same-numbered day of the last month,
/// or that month's last day when the number does not exist (31 January + 1 month = 28/29 February).
// Invariant: only fails past chrono's last representable day (year 262143), which no deadline
// computed by Recouvre reaches.
#[allow(clippy::expect_used)]
pub fn add_months_clamped(date: NaiveDate, months: u32) -> NaiveDate {
    // chrono's `checked_add_months` already clamps to the last day of the month.
    date.checked_add_months(Months::new(months)).expect("date within chrono's range")
}

/// The end of a time limit (CPC art. 641 and 642).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    /// Last day by art. 641 arithmetic alone.
    pub nominal: NaiveDate,
    /// Last day after art. 642: the nominal one, or the next working day.
    pub due: NaiveDate,
    /// True when the nominal day was a Saturday, Sunday or public holiday.
    pub extended: bool,
}

/// Why a nominal last day is not a working day, in French (for the officer), or `None`.
pub fn non_working_reason(date: NaiveDate, region: Region) -> Option<String> {
    if let Some(holiday) = public_holiday(date, region) {
        return Some(format!("jour férié ({})", holiday.french_name()));
    }
    match date.weekday() {
        Weekday::Sat => Some("samedi".to_string()),
        Weekday::Sun => Some("dimanche".to_string()),
        _ => None,
    }
}

/// A time limit of `months` then `days` from the event on `from` (CPC art. 641 and 642).
///
/// Months are counted first, then days (art. 641 al. 3); the day of the event does not count
/// (art. 641 al. 1), so a limit of N days ends on `from + N`; a limit ending on a Saturday, Sunday
/// or public holiday is extended to the next working day (art. 642 al. 2). Not for limits counted
/// backwards ("au plus tard N jours avant"), to which art. 642 does not apply.
pub fn deadline(from: NaiveDate, months: u32, days: u32, region: Region) -> Deadline {
    let nominal = add_months_clamped(from, months) + Duration::days(i64::from(days));
    let due = working_day_on_or_after(nominal, region);
    Deadline { nominal, due, extended: due != nominal }
}

// --- TARGET2 (SEPA settlement) ---

/// Whether TARGET2 settles on a date: weekdays except 1 January, Good Friday, Easter Monday,
/// 1 May, 25 and 26 December (ECB TARGET closing days). Not the French calendar.
pub fn is_target2_business_day(date: NaiveDate) -> bool {
    if is_weekend(date) {
        return false;
    }
    let easter = easter_sunday(date.year());
    let closed = [
        ymd(date.year(), 1, 1),
        easter - Duration::days(2),
        easter + Duration::days(1),
        ymd(date.year(), 5, 1),
        ymd(date.year(), 12, 25),
        ymd(date.year(), 12, 26),
    ];
    !closed.contains(&date)
}

/// The first TARGET2 business day strictly after `date` (SEPA settlement, ECB TARGET calendar).
// Invariant: only chrono's last representable day (31 December 262143) has no successor; no
// settlement date comes near it.
#[allow(clippy::expect_used)]
pub fn next_target2_business_day(date: NaiveDate) -> NaiveDate {
    let mut day = date.succ_opt().expect("date within chrono's range");
    while !is_target2_business_day(day) {
        day = day.succ_opt().expect("date within chrono's range");
    }
    day
}

/// `date` if TARGET2 settles on it, else the next TARGET2 business day (ECB TARGET calendar).
pub fn target2_business_day_on_or_after(date: NaiveDate) -> NaiveDate {
    if is_target2_business_day(date) {
        date
    } else {
        next_target2_business_day(date)
    }
}

/// `count` TARGET2 business days after `date` (D+n settlement, ECB TARGET calendar).
pub fn add_target2_business_days(date: NaiveDate, count: u32) -> NaiveDate {
    (0..count).fold(date, |day, _| next_target2_business_day(day))
}

/// The months in French, lower case as French writes them in a date ("27 novembre 2026").
pub const FRENCH_MONTH_NAMES: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

#[cfg(test)]
mod tests {
    /// CMF L561-24: an opposition notified on Thursday 7 May 2026 blocks for ten jours ouvrables:
    /// 8 May (holiday) and the Sundays do not count, the Saturdays do; Ascension (14 May) neither.
    #[test]
    fn ten_jours_ouvrables_skip_sundays_and_holidays_but_not_saturdays() {
        let on = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        // 7 (Thu), 9 (Sat), 11, 12, 13, 15, 16, 18, 19, 20.
        assert_eq!(super::add_jours_ouvrables(on("2026-05-07"), 10, Region::General), on("2026-05-20"));
        assert_eq!(
            super::add_jours_ouvrables(on("2026-05-10"), 1, Region::General),
            on("2026-05-11"),
            "a Sunday notice"
        );
        // Working days: Friday 8 May is a holiday, then the weekend.
        assert_eq!(super::add_working_days(on("2026-05-07"), 1, Region::General), on("2026-05-11"));
    }

    use super::*;
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn easter_sundays_match_the_published_dates() {
        // Published Easter dates (e.g. calendrier des fêtes, Bureau des longitudes).
        for (year, easter) in [
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2019, "2019-04-21"),
            (2023, "2023-04-09"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter_sunday(year), date(easter), "Easter {year}");
        }
    }

    #[test]
    fn holidays_of_2026() {
        // Jours fériés 2026 (service-public.fr): lundi de Pâques 6 avril, Ascension 14 mai,
        // lundi de Pentecôte 25 mai.
        let days: Vec<NaiveDate> = public_holidays(2026, Region::General).into_iter().map(|(d, _)| d).collect();
        assert_eq!(days.len(), 11);
        assert!(days.contains(&date("2026-04-06")));
        assert!(days.contains(&date("2026-05-14")));
        assert!(days.contains(&date("2026-05-25")));
        assert!(!days.contains(&date("2026-04-03")));
        assert!(!days.contains(&date("2026-12-26")));
        let alsace = public_holidays(2026, Region::AlsaceMoselle);
        assert_eq!(alsace.len(), 13);
        assert_eq!(public_holiday(date("2026-04-03"), Region::AlsaceMoselle), Some(Holiday::GoodFriday));
        assert_eq!(public_holiday(date("2026-12-26"), Region::AlsaceMoselle), Some(Holiday::SaintStephensDay));
    }

    #[test]
    fn working_days() {
        assert!(is_working_day(date("2026-05-07"), Region::General)); // Thursday
        assert!(!is_working_day(date("2026-05-08"), Region::General)); // Friday, 8 May
        assert!(!is_working_day(date("2026-05-09"), Region::General)); // Saturday
        assert!(!is_working_day(date("2026-05-10"), Region::General)); // Sunday
        assert!(is_working_day(date("2026-04-03"), Region::General)); // Good Friday
        assert!(!is_working_day(date("2026-04-03"), Region::AlsaceMoselle));
    }

    #[test]
    fn the_brief_example_one_month_from_8_april_2026() {
        // 8 May 2026 is a Friday and a public holiday: the limit moves to Monday 11 May (CPC 642).
        let limit = deadline(date("2026-04-08"), 1, 0, Region::General);
        assert_eq!(limit.nominal, date("2026-05-08"));
        assert_eq!(limit.due, date("2026-05-11"));
        assert!(limit.extended);
        assert_eq!(non_working_reason(limit.nominal, Region::General).unwrap(), "jour férié (8 mai 1945)");
    }

    #[test]
    fn months_clamp_to_the_last_day_and_days_skip_the_start() {
        assert_eq!(add_months_clamped(date("2026-01-31"), 1), date("2026-02-28"));
        assert_eq!(add_months_clamped(date("2024-01-31"), 1), date("2024-02-29"));
        assert_eq!(add_months_clamped(date("2026-01-31"), 2), date("2026-03-31"));
        assert_eq!(add_months_clamped(date("2023-08-05"), 24), date("2025-08-05"));
        // 15 days from Monday 2 March 2026: 17 March (a Tuesday), not extended.
        let limit = deadline(date("2026-03-02"), 0, 15, Region::General);
        assert_eq!((limit.nominal, limit.due, limit.extended), (date("2026-03-17"), date("2026-03-17"), false));
        // Months first, then days: 31 January + 1 month + 1 day = 1 March (2026).
        assert_eq!(deadline(date("2026-01-31"), 1, 1, Region::General).nominal, date("2026-03-01"));
        // Ending on Saturday 26 December 2026 → Monday 28 December; in Alsace-Moselle as well.
        let limit = deadline(date("2026-11-26"), 1, 0, Region::AlsaceMoselle);
        assert_eq!(limit.due, date("2026-12-28"));
        // Ending on Good Friday 2026: extended only in Alsace-Moselle.
        assert!(!deadline(date("2026-03-03"), 1, 0, Region::General).extended);
        assert_eq!(deadline(date("2026-03-03"), 1, 0, Region::AlsaceMoselle).due, date("2026-04-07"));
    }

    #[test]
    fn target2_is_a_different_calendar() {
        // 8 May and 14 July are French holidays but TARGET2 settles; Good Friday it does not.
        assert!(is_target2_business_day(date("2026-05-08")));
        assert!(is_target2_business_day(date("2026-07-14")));
        assert!(!is_target2_business_day(date("2026-04-03")));
        assert!(!is_target2_business_day(date("2026-12-26")));
        assert_eq!(next_target2_business_day(date("2026-04-02")), date("2026-04-07"));
        assert_eq!(target2_business_day_on_or_after(date("2026-04-02")), date("2026-04-02"));
        assert_eq!(add_target2_business_days(date("2026-12-24"), 1), date("2026-12-28"));
        assert_eq!(add_target2_business_days(date("2026-12-24"), 2), date("2026-12-29"));
    }

    proptest! {
        #[test]
        fn a_deadline_is_a_working_day_never_before_the_nominal_one(
            offset in 0i64..20_000, months in 0u32..60, days in 0u32..400, alsace in any::<bool>()
        ) {
            let region = if alsace { Region::AlsaceMoselle } else { Region::General };
            let from = date("2000-01-01") + Duration::days(offset);
            let limit = deadline(from, months, days, region);
            prop_assert!(is_working_day(limit.due, region));
            prop_assert!(limit.due >= limit.nominal);
            prop_assert_eq!(limit.extended, limit.due != limit.nominal);
            // At most a long weekend plus holidays away: never more than 4 days late.
            prop_assert!(limit.due - limit.nominal <= Duration::days(4));
        }

        #[test]
        fn easter_is_a_sunday_between_22_march_and_25_april(year in 1583i32..4000) {
            let easter = easter_sunday(year);
            prop_assert_eq!(easter.weekday(), Weekday::Sun);
            prop_assert!(easter >= ymd(year, 3, 22) && easter <= ymd(year, 4, 25));
        }
    }
}
