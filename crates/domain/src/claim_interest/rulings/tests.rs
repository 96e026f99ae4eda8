use super::*;
use crate::claim_interest::{ClaimRate, IncreaseKept};
use crate::statutory_interest::CreditorCategory;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn statutory(enforceable_on: Option<&str>, increase: IncreaseKept) -> Vec<ClaimTerms> {
    vec![ClaimTerms {
        claim_id: 3,
        principal: Money::euros(1_000),
        rate: ClaimRate::Statutory {
            category: CreditorCategory::Other,
            formal_notice_on: date("2024-06-01"),
            enforceable_on: enforceable_on.map(date),
            increase,
        },
    }]
}

/// What the projection booked, month by month, as the journal lists it.
fn booked_months(claims: &[ClaimTerms], after: &str, to: &str) -> Vec<BookedPeriod> {
    project(|_| Money::euros(36_500), claims, date(after), date(to), &ReferenceData::embedded())
        .bookings
        .into_iter()
        .map(|booking| BookedPeriod {
            from: booking.from,
            to: booking.to,
            claim_id: booking.claim_id,
            account: booking.account,
            booked: booking.interest,
        })
        .collect()
}

fn book(booked: &mut Vec<BookedPeriod>, corrections: &[PeriodCorrection]) {
    booked.extend(corrections.iter().map(|correction| BookedPeriod {
        from: correction.from,
        to: correction.to,
        claim_id: correction.claim_id,
        account: correction.account,
        booked: correction.difference(),
    }));
}

#[test]
fn a_reduced_increase_applies_from_its_day() {
    // Enforceable on 15 January 2025: the increase starts on 16 March 2025; the judge kept two
    // points from 1 April 2025.
    let kept = IncreaseKept { points: dec!(2), from: Some(date("2025-04-01")) };
    let rate = statutory(Some("2025-01-15"), kept)[0].rate;
    let reference = ReferenceData::embedded();
    assert_eq!(rate.rate_on(date("2025-03-15"), &reference), Ok(Some(dec!(3.71))));
    assert_eq!(rate.rate_on(date("2025-03-31"), &reference), Ok(Some(dec!(8.71))));
    assert_eq!(rate.rate_on(date("2025-04-01"), &reference), Ok(Some(dec!(5.71))));
    // Without a day, the whole increase is reduced.
    let whole = statutory(Some("2025-01-15"), IncreaseKept { points: dec!(2), from: None })[0].rate;
    assert_eq!(whole.rate_on(date("2025-03-16"), &reference), Ok(Some(dec!(5.71))));
}

#[test]
fn enforceability_recorded_late_corrects_the_booked_months_once() {
    let reference = ReferenceData::embedded();
    let capital = |_| Money::euros(36_500);
    // January to April 2025 booked with no enforceability known: 3.71 € a day.
    let mut booked = booked_months(&statutory(None, IncreaseKept::FULL), "2024-12-31", "2025-04-30");
    assert_eq!(booked.len(), 4);
    // Enforceable on 15 January: five points (5.00 € a day on 36 500 €) from 16 March.
    let now = statutory(Some("2025-01-15"), IncreaseKept::FULL);
    let found = corrections(capital, &now, &booked, &[], Account::StatutoryInterest, &reference);
    let differences: Vec<(NaiveDate, Money)> =
        found.iter().map(|correction| (correction.from, correction.difference())).collect();
    assert_eq!(differences, [(date("2025-03-01"), Money::euros(80)), (date("2025-04-01"), Money::euros(150))]);
    assert_eq!(found[0].booked, Money::from_cents(31 * 371));
    // Booked, the same facts correct nothing more.
    book(&mut booked, &found);
    assert!(corrections(capital, &now, &booked, &[], Account::StatutoryInterest, &reference).is_empty());
    // The judge then exempts the debtor: what the increase added is credited back.
    let exempted = statutory(Some("2025-01-15"), IncreaseKept { points: Decimal::ZERO, from: None });
    let back = corrections(capital, &exempted, &booked, &[], Account::StatutoryInterest, &reference);
    let differences: Vec<Money> = back.iter().map(PeriodCorrection::difference).collect();
    assert_eq!(differences, [Money::euros(-80), Money::euros(-150)]);
    // Another account is not touched.
    assert!(corrections(capital, &exempted, &booked, &[], Account::ContractualInterest, &reference).is_empty());
}

#[test]
fn a_year_of_interest_becomes_capital_on_each_anniversary() {
    let from = date("2025-03-10");
    assert_eq!(capitalisation_days(from, None, date("2026-03-08")), Vec::<NaiveDate>::new());
    assert_eq!(capitalisation_days(from, None, date("2026-03-09")), [date("2026-03-10")]);
    assert_eq!(capitalisation_days(from, None, date("2027-03-31")), [date("2026-03-10"), date("2027-03-10")]);
    assert_eq!(capitalisation_days(from, Some(date("2026-03-10")), date("2027-03-08")), Vec::<NaiveDate>::new());
    // 29 February: its anniversary is 28 February.
    assert_eq!(anniversary(date("2024-02-29"), 1), Some(date("2025-02-28")));
    let period = |from: &str, to: &str, claim_id, cents| BookedPeriod {
        from: date(from),
        to: date(to),
        claim_id,
        account: Account::StatutoryInterest,
        booked: Money::from_cents(cents),
    };
    let booked = [
        period("2025-03-01", "2025-03-09", 1, 900),   // before the year
        period("2025-03-10", "2025-03-31", 1, 2_200), // the year's first period
        period("2025-04-01", "2026-03-09", 1, 30_000),
        period("2025-04-01", "2026-03-09", 1, -1_000), // a correction
        period("2025-04-01", "2026-03-09", 2, 5_000),  // a claim that may not capitalise
        period("2026-03-10", "2026-03-31", 1, 2_100),  // the next year
    ];
    assert_eq!(capitalised(&booked, date("2026-03-10"), |claim| claim == 1), [(1, Money::from_cents(31_200))]);
    assert!(capitalised(&booked, date("2026-03-10"), |_| false).is_empty());
}

#[test]
fn days_passed_over_with_nothing_booked_come_back_as_month_periods() {
    let day = |text: &str| text.parse::<NaiveDate>().unwrap();
    let booked = [BookedPeriod {
        from: day("2025-10-01"),
        to: day("2025-10-15"),
        claim_id: 1,
        account: Account::StatutoryInterest,
        booked: Money::from_cents(100),
    }];
    assert_eq!(
        unbooked_periods(&booked, day("2025-09-20"), day("2025-11-30"), |_| false),
        vec![
            (day("2025-09-21"), day("2025-09-30")),
            (day("2025-10-16"), day("2025-10-31")),
            (day("2025-11-01"), day("2025-11-30"))
        ]
    );
    assert!(unbooked_periods(&booked, day("2025-10-15"), day("2025-10-15"), |_| false).is_empty());
    // Days of a suspension (C. consom. L722-2) are never interest-bearing: left out.
    let suspended = |on: NaiveDate| on >= day("2025-11-10") && on < day("2025-11-20");
    assert_eq!(
        unbooked_periods(&booked, day("2025-10-31"), day("2025-11-30"), suspended),
        vec![(day("2025-11-01"), day("2025-11-09")), (day("2025-11-20"), day("2025-11-30"))]
    );
}
