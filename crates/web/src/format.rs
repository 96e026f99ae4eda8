//! French formatting for screens: dates, amounts, labels.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use recouvre_domain::Money;

/// `27 novembre 2026` (1er for the first of the month, as French usage has it).
pub fn long_date(date: NaiveDate) -> String {
    let day = if date.day() == 1 { "1er".to_string() } else { date.day().to_string() };
    format!("{day} {} {}", recouvre_domain::calendar::FRENCH_MONTH_NAMES[date.month0() as usize], date.year())
}

/// `27/11/2026`.
pub fn short_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

pub fn optional_date(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "—".to_string(), short_date)
}

/// `27/11/2026 14:05` in Paris time is what officers expect; we show UTC with its zone
/// until the time-zone database is part of the reference data.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%d/%m/%Y %H:%M UTC").to_string()
}

pub fn euros(cents: i64) -> String {
    Money::from_cents(cents).to_french()
}

/// An IBAN in groups of four, as printed on French bank documents.
pub fn iban(text: &str) -> String {
    let compact: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_read_in_groups_of_four() {
        assert_eq!(iban("FR7630001007941234567890185"), "FR76 3000 1007 9412 3456 7890 185");
    }

    #[test]
    fn dates_read_as_in_french_letters() {
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()), "27 novembre 2026");
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()), "1er mai 2026");
        assert_eq!(short_date(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()), "01/05/2026");
    }
}
