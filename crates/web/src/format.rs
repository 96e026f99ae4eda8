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

/// `27/11/2026 15:05`: the instant in Paris time, as officers read a clock
/// (`business_date::paris_local`: CET/CEST by the EU's rule of the last Sundays).
pub fn timestamp(at: DateTime<Utc>) -> String {
    recouvre_domain::business_date::paris_local(at).format("%d/%m/%Y %H:%M").to_string()
}

/// Who did something, as screens name people: the full name the store knows for a login, « Recouvre
/// (traitement automatique) » for the system's jobs (`system:seed`, `system:batch`…), else the
/// login itself (a former user the store no longer lists).
pub fn person(login: &str, names: &std::collections::BTreeMap<String, String>) -> String {
    if let Some(name) = names.get(login) {
        name.clone()
    } else if login.starts_with("system:") || login == "system" {
        "Recouvre (traitement automatique)".to_string()
    } else {
        login.to_string()
    }
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
    fn times_read_in_paris_and_people_by_name() {
        use chrono::TimeZone;
        let winter = Utc.with_ymd_and_hms(2026, 12, 4, 22, 30, 0).unwrap();
        assert_eq!(timestamp(winter), "04/12/2026 23:30");
        let summer = Utc.with_ymd_and_hms(2026, 7, 14, 22, 30, 0).unwrap();
        assert_eq!(timestamp(summer), "15/07/2026 00:30");
        let names = std::collections::BTreeMap::from([("camille".to_string(), "Camille Martin".to_string())]);
        assert_eq!(person("camille", &names), "Camille Martin");
        assert_eq!(person("system:seed", &names), "Recouvre (traitement automatique)");
        assert_eq!(person("ancien", &names), "ancien");
    }

    #[test]
    fn dates_read_as_in_french_letters() {
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()), "27 novembre 2026");
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()), "1er mai 2026");
        assert_eq!(short_date(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()), "01/05/2026");
    }
}
