//! Text cells of the CSV files Recouvre exports, made safe to open in a spreadsheet.
//!
//! A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
//! spreadsheets skip before reading one of those) is read by Excel or LibreOffice as a formula:
//! a debtor's name or a payment reference chosen by an outsider, such as `=HYPERLINK("http://…")`,
//! would run in the accountant's or the committee's spreadsheet ("CSV injection", OWASP; issue
//! 22). Such a text cell is written with a leading `'`, which spreadsheets show as text and
//! do not display.
//!
//! Only text is neutralised — names, references, labels, codes — through [`text`]. Amounts,
//! counts, rates and dates are written by the exports in their machine form (`-12.50`) and
//! never pass here: a negative amount must stay a number for the ledger, and it cannot carry a
//! formula since we format it ourselves. A text field that merely looks like a negative number
//! (`-12.50` as a payment reference) is still text and gets its `'`: the importing side must
//! not take a reference for an amount.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_LEADERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `value` as a CSV text cell: unchanged, or prefixed with `'` when it starts with a formula
/// character. Quoting for the CSV syntax itself (`;`, `"`, line breaks) is the writer's job.
pub fn text(value: &str) -> Cow<'_, str> {
    if value.starts_with(FORMULA_LEADERS) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_leading_text_gets_a_quote_and_other_text_is_unchanged() {
        assert_eq!(text(r#"=HYPERLINK("http://x")"#), r#"'=HYPERLINK("http://x")"#);
        for leader in ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(text(leader), format!("'{leader}"));
        }
        for plain in ["DUPONT Jean", "", "CTX-0000042", "payment", "a=b", " =1", "'=already"] {
            assert_eq!(text(plain), plain);
            assert!(matches!(text(plain), Cow::Borrowed(_)));
        }
    }
}
