//! Field limits, in one place: lengths, amounts and date windows that the API, the forms and
//! the command line all apply through these functions, so that a value refused on one is
//! refused on all, with the same message naming the field.

use chrono::{Datelike, NaiveDate};
use recouvre_domain::Money;

use crate::error::{Error, Result};

/// A name, a label, a reference: one line.
pub const SHORT_TEXT_CHARS_MAX: usize = 200;
/// A note, a summary, a reason: a few paragraphs.
pub const LONG_TEXT_CHARS_MAX: usize = 10_000;
/// No single amount entered by hand exceeds this: 50 million euros, far above any retail claim,
/// far below what would overflow a sum of many of them.
pub const AMOUNT_CENTS_MAX: i64 = 5_000_000_000;
/// Acts and facts are not dated before this day.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1950, 1, 1) {
    Some(date) => date,
    None => panic!("1 January 1950 exists"),
};
/// Plans and scheduled items are not dated more than this many years ahead.
pub const PLANNING_YEARS_MAX: i32 = 40;

/// Bidirectional-override and isolate characters: they make a text display differently from
/// what it says (CVE-2021-42574, "Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks a text entered by a user: trimmed, not longer than `max_chars`, no control
/// character (line breaks and tabs allowed only when `multiline`), no bidirectional override.
pub fn text(field: &str, value: &str, max_chars: usize, multiline: bool) -> Result<String> {
    let value = value.trim();
    if let Some(bad) = value
        .chars()
        .find(|&c| (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) || is_bidi_control(c))
    {
        return Err(Error::invalid(
            field,
            "control_character",
            format!("{field} : caractère de contrôle interdit (U+{:04X}) ; retirez-le", u32::from(bad)),
        ));
    }
    let chars = value.chars().count();
    if chars > max_chars {
        return Err(Error::invalid(
            field,
            "too_long",
            format!("{field} : {chars} caractères, {max_chars} au plus ; raccourcissez le texte"),
        ));
    }
    Ok(value.to_string())
}

/// A required text: as [`text`], and not empty.
pub fn required_text(field: &str, value: &str, max_chars: usize, multiline: bool) -> Result<String> {
    let value = text(field, value, max_chars, multiline)?;
    if value.is_empty() {
        return Err(Error::invalid(field, "required", format!("{field} : obligatoire")));
    }
    Ok(value)
}

/// An amount entered by hand: strictly positive and at most [`AMOUNT_CENTS_MAX`].
pub fn positive_amount(field: &str, amount: Money) -> Result<Money> {
    if amount.cents() <= 0 {
        return Err(Error::invalid(field, "amount_not_positive", format!("{field} : le montant doit être positif")));
    }
    amount_within_limit(field, amount)
}

/// An amount that may be zero but not negative, at most [`AMOUNT_CENTS_MAX`].
pub fn amount_within_limit(field: &str, amount: Money) -> Result<Money> {
    if amount.cents() < 0 {
        return Err(Error::invalid(field, "amount_negative", format!("{field} : le montant ne peut être négatif")));
    }
    if amount.cents() > AMOUNT_CENTS_MAX {
        return Err(Error::invalid(
            field,
            "amount_implausible",
            format!(
                "{field} : {} dépasse le plafond de saisie de {} ; vérifiez le montant",
                amount.to_french(),
                Money::from_cents(AMOUNT_CENTS_MAX).to_french()
            ),
        ));
    }
    Ok(amount)
}

/// Parses an amount typed in a form or a JSON string: `1234.56`, `1 234,56`, `1234,5 €`.
pub fn parse_amount(field: &str, text: &str) -> Result<Money> {
    text.parse::<Money>().map_err(|_| {
        Error::invalid(
            field,
            "invalid_amount",
            format!("{field} : montant illisible « {} » (ex. 1234,56)", text.trim()),
        )
    })
}

/// The date of an act or a fact that has happened: not after `today` (the Paris business
/// date), not before [`EARLIEST_DATE`].
pub fn past_date(field: &str, date: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    if date > today {
        return Err(Error::invalid(
            field,
            "date_in_future",
            format!("{field} : le {} est après aujourd'hui ; un acte ne peut être daté dans le futur", french(date)),
        ));
    }
    not_before_earliest(field, date)
}

/// The date of something planned: not before `today`, at most [`PLANNING_YEARS_MAX`] years ahead.
pub fn planned_date(field: &str, date: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    if date < today {
        return Err(Error::invalid(
            field,
            "date_in_past",
            format!("{field} : le {} est déjà passé ; choisissez une date à venir", french(date)),
        ));
    }
    if date.year() > today.year() + PLANNING_YEARS_MAX {
        return Err(Error::invalid(
            field,
            "date_out_of_range",
            format!("{field} : le {} est à plus de {PLANNING_YEARS_MAX} ans ; vérifiez l'année", french(date)),
        ));
    }
    Ok(date)
}

/// A date that may be past or future (a period asked of a report): within the planning
/// horizon and not before [`EARLIEST_DATE`].
pub fn any_date(field: &str, date: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    if date.year() > today.year() + PLANNING_YEARS_MAX {
        return Err(Error::invalid(
            field,
            "date_out_of_range",
            format!("{field} : le {} est à plus de {PLANNING_YEARS_MAX} ans ; vérifiez l'année", french(date)),
        ));
    }
    not_before_earliest(field, date)
}

fn not_before_earliest(field: &str, date: NaiveDate) -> Result<NaiveDate> {
    if date < EARLIEST_DATE {
        return Err(Error::invalid(
            field,
            "date_out_of_range",
            format!("{field} : le {} est avant le {} ; vérifiez l'année", french(date), french(EARLIEST_DATE)),
        ));
    }
    Ok(date)
}

fn french(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn texts_refuse_control_characters_and_overrides() {
        assert_eq!(text("note", "  bonjour  ", 20, false).unwrap(), "bonjour");
        assert_eq!(text("note", "a\nb", 20, true).unwrap(), "a\nb");
        assert_eq!(text("note", "a\nb", 20, false).unwrap_err().code, "control_character");
        assert_eq!(text("name", "a\u{0}b", 20, true).unwrap_err().field.as_deref(), Some("name"));
        assert_eq!(text("name", "abc\u{202E}def", 20, true).unwrap_err().code, "control_character");
        assert_eq!(text("name", "ééééé", 4, false).unwrap_err().code, "too_long");
        assert_eq!(required_text("name", "  ", 4, false).unwrap_err().code, "required");
    }

    #[test]
    fn amounts_are_positive_and_plausible() {
        assert_eq!(parse_amount("amount", "1 234,56").unwrap(), Money::from_cents(123_456));
        assert_eq!(parse_amount("amount", "12.5").unwrap(), Money::from_cents(1_250));
        assert_eq!(parse_amount("amount", "douze").unwrap_err().code, "invalid_amount");
        assert!(positive_amount("amount", Money::from_cents(1)).is_ok());
        assert_eq!(positive_amount("amount", Money::ZERO).unwrap_err().code, "amount_not_positive");
        let absurd = parse_amount("amount", "1000000000000000.00").unwrap();
        assert_eq!(positive_amount("amount", absurd).unwrap_err().code, "amount_implausible");
        assert!(amount_within_limit("amount", Money::ZERO).is_ok());
    }

    #[test]
    fn dates_stay_in_their_window() {
        let today = day(2026, 12, 4);
        assert!(past_date("on", today, today).is_ok());
        assert_eq!(past_date("on", day(2026, 12, 5), today).unwrap_err().code, "date_in_future");
        assert_eq!(past_date("on", day(1000, 1, 1), today).unwrap_err().code, "date_out_of_range");
        assert!(planned_date("due_on", day(2027, 1, 1), today).is_ok());
        assert_eq!(planned_date("due_on", day(2026, 12, 3), today).unwrap_err().code, "date_in_past");
        assert_eq!(planned_date("due_on", day(9999, 12, 31), today).unwrap_err().code, "date_out_of_range");
        assert_eq!(any_date("from", day(1857, 1, 1), today).unwrap_err().code, "date_out_of_range");
    }
}
