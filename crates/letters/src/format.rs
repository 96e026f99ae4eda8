//! French formatting of amounts, dates and free text.
//!
//! Everything a letter prints is formatted here, in Rust, and handed to Typst as finished
//! strings: the rules are then unit-tested in one place, and templates (which administrators
//! may edit) cannot get them wrong.

use chrono::{Datelike, NaiveDate};

/// Narrow no-break space (U+202F): French thousands separator, and the space before `; ! ?`.
pub const NNBSP: char = '\u{202F}';
/// No-break space (U+00A0): before `:` and `€`, inside « ».
pub const NBSP: char = '\u{00A0}';

/// Formats integer cents the French way: `1 234,56 €`, with U+202F between thousands and
/// U+00A0 before the euro sign, so that an amount is never split across two lines.
pub fn format_amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    // unsigned_abs: i64::MIN has no positive i64 counterpart.
    let abs = cents.unsigned_abs();
    let (euros, rest) = (abs / 100, abs % 100);
    let digits = euros.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(NNBSP);
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{rest:02}{NBSP}€")
}

const MONTHS: [&str; 12] = [
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

/// Formats a date in words, `27 novembre 2026`; the first of the month is written `1er`,
/// as French usage requires. No-break spaces keep the date on one line.
pub fn format_date(date: NaiveDate) -> String {
    let day = match date.day() {
        1 => "1er".to_string(),
        d => d.to_string(),
    };
    format!("{day}{NBSP}{}{NBSP}{}", MONTHS[date.month0() as usize], date.year())
}

/// Formats a date as `27/11/2026`, for tables where a date in words would be too wide.
pub fn format_date_short(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Applies French punctuation spacing to free text: a no-break space before `:` and `€` and
/// inside « », a narrow no-break space before `; ! ? %`, and the typographic apostrophe `’`
/// after a letter, and a no-break space after `n°`. An ordinary space already there is replaced,
/// an existing no-break space is kept, so applying it twice changes nothing.
pub fn french_typography(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    // Set when the ordinary space after « has been replaced by a no-break one.
    let mut skip_next = false;
    for (i, &ch) in chars.iter().enumerate() {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        match ch {
            ':' | ';' | '!' | '?' | '»' => {
                let wanted = if matches!(ch, ':' | '»') { NBSP } else { NNBSP };
                // "http://", "10:30" and "?!" chains: only punctuation after a word or a
                // space gets a space; a colon between two digits or before "//" is left alone.
                let prev = out.chars().last();
                let next = chars.get(i + 1).copied();
                let skip = match ch {
                    ':' => {
                        matches!(next, Some('/'))
                            || (prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit()))
                    }
                    _ => false,
                } || prev.is_none()
                    || matches!(prev, Some('\n'))
                    || prev.is_some_and(|p| matches!(p, ';' | '!' | '?' | ':'));
                if skip {
                    out.push(ch);
                    continue;
                }
                match prev {
                    Some(NBSP) | Some(NNBSP) => {
                        // Already spaced: keep the author's choice, never double it.
                    }
                    Some(' ') | Some('\t') => {
                        out.pop();
                        out.push(wanted);
                    }
                    _ => out.push(wanted),
                }
                out.push(ch);
            }
            '«' => {
                out.push(ch);
                match chars.get(i + 1) {
                    Some(&NBSP) | Some(&NNBSP) | None => {}
                    Some(' ') | Some('\t') => {
                        out.push(NBSP);
                        skip_next = true;
                    }
                    _ => out.push(NBSP),
                }
            }
            '\'' if out.chars().last().is_some_and(char::is_alphabetic) => {
                // Typst turns the templates' apostrophes into typographic ones; data gets the same.
                out.push('’');
            }
            '%' | '€' => {
                // "5,90 %" and "300 €": the unit stays with its number.
                let wanted = if ch == '%' { NNBSP } else { NBSP };
                match out.chars().last() {
                    Some(' ') => {
                        out.pop();
                        out.push(wanted);
                    }
                    Some(p) if p.is_ascii_digit() => out.push(wanted),
                    _ => {}
                }
                out.push(ch);
            }
            // "n° 12": the number stays with its sign.
            ' ' if out.ends_with('°') => out.push(NBSP),
            _ => out.push(ch),
        }
    }
    out
}

/// "de" before a name, elided before a vowel: « Succession d'Arnaud Leroy », « de Monsieur
/// Paul Leroy ». A name starting with h keeps "de" (h aspiré or not cannot be told).
pub fn of_name(name: &str) -> String {
    let elides = name.chars().next().is_some_and(|c| "AEIOUYÀÂÉÈÊËÎÏÔÖÙÛÜaeiouyàâéèêëîïôöùûü".contains(c));
    if elides {
        format!("d'{name}")
    } else {
        format!("de {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible(s: &str) -> String {
        s.replace(NNBSP, "_").replace(NBSP, "~")
    }

    #[test]
    fn amounts() {
        assert_eq!(visible(&format_amount(123456)), "1_234,56~€");
        assert_eq!(visible(&format_amount(0)), "0,00~€");
        assert_eq!(visible(&format_amount(5)), "0,05~€");
        assert_eq!(visible(&format_amount(99999)), "999,99~€");
        assert_eq!(visible(&format_amount(100000)), "1_000,00~€");
        assert_eq!(visible(&format_amount(123456789012)), "1_234_567_890,12~€");
        assert_eq!(visible(&format_amount(-123456)), "-1_234,56~€");
        assert_eq!(visible(&format_amount(-7)), "-0,07~€");
        assert!(format_amount(i64::MIN).starts_with("-92"));
    }

    #[test]
    fn dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(visible(&format_date(d(2026, 11, 27))), "27~novembre~2026");
        assert_eq!(visible(&format_date(d(2026, 12, 1))), "1er~décembre~2026");
        assert_eq!(visible(&format_date(d(2027, 2, 2))), "2~février~2027");
        assert_eq!(visible(&format_date(d(2027, 8, 31))), "31~août~2027");
        assert_eq!(format_date_short(d(2027, 1, 5)), "05/01/2027");
    }

    #[test]
    fn typography() {
        assert_eq!(visible(&french_typography("Objet : relance")), "Objet~: relance");
        assert_eq!(visible(&french_typography("Objet: relance")), "Objet~: relance");
        assert_eq!(visible(&french_typography("Vraiment ? Oui ! Bien ; fin")), "Vraiment_? Oui_! Bien_; fin");
        assert_eq!(visible(&french_typography("dit « bonjour »")), "dit «~bonjour~»");
        assert_eq!(visible(&french_typography("dit «bonjour»")), "dit «~bonjour~»");
        assert_eq!(visible(&french_typography("Quoi ?!")), "Quoi_?!");
        assert_eq!(visible(&french_typography("à 10:30, voir https://x.fr")), "à 10:30, voir https://x.fr");
        // Idempotent: never doubles a space.
        for s in ["Objet : a ; b ! c ? « d »", "«a» : b", "x?", "", "8 % et 3 €"] {
            let once = french_typography(s);
            assert_eq!(french_typography(&once), once, "{s}");
        }
        assert_eq!(visible(&french_typography("déjà\u{a0}: ok")), "déjà~: ok");
        assert_eq!(visible(&french_typography("taux de 5,90 % ou 8%, 300 €")), "taux de 5,90_% ou 8_%, 300~€");
        assert_eq!(visible(&french_typography("prêt n° 40021")), "prêt n°~40021");
        assert_eq!(french_typography("l'ACPR, aujourd'hui, 'cité'"), "l’ACPR, aujourd’hui, 'cité’");
    }
}
