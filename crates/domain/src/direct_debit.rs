//! The SEPA Core direct-debit rules Recouvre applies when it collects a payment plan's
//! instalments (issue 21, item 3), as pure functions of dates and codes. The periods are the
//! bank's policy values (`procedure::ProcedurePolicy`, docs/formats/direct-debits.md); the rules
//! are those of the EPC SEPA Direct Debit Core Scheme Rulebook (2023 version 1.0, in force since
//! 19 November 2023; the sections cited did not change from the 2016 version):
//!
//! - **Pre-notification** (PT-04.03, definition in section 7): the creditor tells the debtor the
//!   amount and date of each collection at least 14 calendar days before it, unless another
//!   period was agreed; one notice may cover a series (a schedule).
//! - **Submission** (PT-04.04, section 4.3.2): the collection reaches the debtor's bank at the
//!   latest one TARGET2 business day before the due date (D-1, since November 2016); the bank
//!   sets its own cut-off before that.
//! - **Mandate expiry** (section 4.5.1, AT-25): a mandate under which no collection has been
//!   presented for 36 months (from the latest collection, even rejected, returned or refunded)
//!   expires; the creditor must not collect under it any more.
//! - **R-transactions** (section 4.6; reason codes of the EPC guidance EPC173-14, ISO external
//!   code lists): rejects, returns and refunds come back with an ISO reason code.

use chrono::{Months, NaiveDate};

use crate::calendar;

/// Whether a collection on `collection_date` was pre-notified in time by a notice of
/// `notified_on`, `lead_days` calendar days being the period in force (PT-04.03).
pub fn prenotified_in_time(notified_on: NaiveDate, lead_days: u32, collection_date: NaiveDate) -> bool {
    notified_on + chrono::Duration::days(i64::from(lead_days)) <= collection_date
}

/// The first TARGET2 business day a collection pre-notified on `notified_on` may be made.
pub fn earliest_collection_after_notice(notified_on: NaiveDate, lead_days: u32) -> NaiveDate {
    calendar::target2_business_day_on_or_after(notified_on + chrono::Duration::days(i64::from(lead_days)))
}

/// The last day the file of `collection_date` may be sent to the bank: `business_days` TARGET2
/// business days before it (PT-04.04, D-1 by default).
pub fn submission_deadline(collection_date: NaiveDate, business_days: u32) -> NaiveDate {
    let mut day = collection_date;
    let mut left = business_days;
    while left > 0 {
        match day.pred_opt() {
            Some(previous) => day = previous,
            None => return day,
        }
        if calendar::is_target2_business_day(day) {
            left -= 1;
        }
    }
    day
}

/// The first collection date whose file may still be sent on `today`.
pub fn earliest_collection_date(today: NaiveDate, business_days: u32) -> NaiveDate {
    calendar::add_target2_business_days(calendar::target2_business_day_on_or_after(today), business_days)
}

/// The day a mandate last used (or, never used, signed) on `last_use` expires after `months`
/// without a collection (rulebook 4.5.1: 36 months). `None` beyond chrono's calendar.
pub fn mandate_expires_on(last_use: NaiveDate, months: u32) -> Option<NaiveDate> {
    last_use.checked_add_months(Months::new(months))
}

/// The ISO reasons of rejects and returns (ExternalStatusReason1Code / ExternalReturnReason1Code,
/// as the EPC guidance EPC173-14 lists them for SDD Core), in French for the officer.
const REASONS: [(&str, &str); 20] = [
    ("AC01", "IBAN du débiteur erroné"),
    ("AC04", "compte du débiteur clos"),
    ("AC06", "compte du débiteur bloqué"),
    ("AC13", "compte du débiteur d'un client non particulier"),
    ("AG01", "compte n'acceptant pas les prélèvements"),
    ("AG02", "code opération invalide"),
    ("AM04", "provision insuffisante"),
    ("AM05", "prélèvement en double"),
    ("BE05", "créancier non reconnu"),
    ("CNOR", "banque du créancier non joignable"),
    ("DNOR", "banque du débiteur non joignable"),
    ("FF01", "fichier ou format invalide"),
    ("MD01", "pas de mandat"),
    ("MD02", "données du mandat manquantes ou erronées"),
    ("MD06", "remboursement demandé par le débiteur"),
    ("MD07", "débiteur décédé"),
    ("MS02", "refus du débiteur"),
    ("MS03", "motif non précisé"),
    ("RR01", "identification du débiteur manquante (règlementation)"),
    ("SL01", "service spécifique de la banque du débiteur"),
];

/// The French label of an ISO reason code, or `None` for a code not in the EPC list.
pub fn reason_label(code: &str) -> Option<&'static str> {
    REASONS.iter().find(|(known, _)| known.eq_ignore_ascii_case(code)).map(|(_, label)| *label)
}

/// Whether a reject or return says the mandate or account can no longer be collected (wrong or
/// closed account, no mandate, debtor deceased…): the officer needs a new mandate or another means
/// of payment, not only a reminder.
pub fn reason_needs_new_mandate(code: &str) -> bool {
    ["AC01", "AC04", "AC06", "AC13", "AG01", "MD01", "MD02", "MD07", "BE05"]
        .iter()
        .any(|known| known.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn fourteen_days_notice_is_in_time_on_the_fourteenth_day_not_before() {
        assert!(prenotified_in_time(date(2026, 3, 2), 14, date(2026, 3, 16)));
        assert!(!prenotified_in_time(date(2026, 3, 2), 14, date(2026, 3, 15)));
        // 16 March 2026 is a Monday: collectable that day.
        assert_eq!(earliest_collection_after_notice(date(2026, 3, 2), 14), date(2026, 3, 16));
        // 14 days after 1 March is Sunday 15: the next TARGET2 day.
        assert_eq!(earliest_collection_after_notice(date(2026, 3, 1), 14), date(2026, 3, 16));
    }

    #[test]
    fn the_deadline_is_one_target2_day_before_skipping_weekends_and_holidays() {
        // Monday 16 March 2026: Friday 13.
        assert_eq!(submission_deadline(date(2026, 3, 16), 1), date(2026, 3, 13));
        // Tuesday 7 April 2026, after Easter Monday (6) and Good Friday (3): Thursday 2 April.
        assert_eq!(submission_deadline(date(2026, 4, 7), 1), date(2026, 4, 2));
        assert_eq!(submission_deadline(date(2026, 3, 18), 2), date(2026, 3, 16));
        // On Friday 13 March the first date is Monday 16; on Saturday 14, Tuesday 17.
        assert_eq!(earliest_collection_date(date(2026, 3, 13), 1), date(2026, 3, 16));
        assert_eq!(earliest_collection_date(date(2026, 3, 14), 1), date(2026, 3, 17));
    }

    #[test]
    fn a_mandate_expires_36_months_after_its_last_use() {
        assert_eq!(mandate_expires_on(date(2023, 1, 31), 36), Some(date(2026, 1, 31)));
        assert_eq!(mandate_expires_on(date(2024, 2, 29), 36), Some(date(2027, 2, 28)));
    }

    #[test]
    fn reasons_have_french_labels_and_mandate_reasons_are_told_apart() {
        assert_eq!(reason_label("AM04"), Some("provision insuffisante"));
        assert_eq!(reason_label("md01"), Some("pas de mandat"));
        assert_eq!(reason_label("ZZ99"), None);
        assert!(reason_needs_new_mandate("AC04") && reason_needs_new_mandate("MD01"));
        assert!(!reason_needs_new_mandate("AM04") && !reason_needs_new_mandate("MS02"));
    }
}
