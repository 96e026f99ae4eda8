use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn one_claim(rate: ClaimRate) -> Vec<ClaimTerms> {
    vec![ClaimTerms { claim_id: 1, principal: Money::euros(10_000), rate }]
}

#[test]
fn month_ends_and_the_last_one_of_a_night() {
    assert_eq!(month_end(date("2024-02-10")), date("2024-02-29"));
    assert_eq!(month_end(date("2025-12-31")), date("2025-12-31"));
    assert_eq!(last_month_end(date("2026-03-31")), date("2026-03-31"));
    assert_eq!(last_month_end(date("2026-04-01")), date("2026-03-31"));
    assert_eq!(last_month_end(date("2026-01-15")), date("2025-12-31"));
}

#[test]
fn a_period_over_two_months_is_booked_as_two_roundings() {
    // 10 000 € at 5 %: 31 days of January (42.4657… → 42.47) and 28 of February (38.356… → 38.36).
    let projection = project(
        |_| Money::euros(10_000),
        &one_claim(ClaimRate::Contractual(dec!(5))),
        date("2025-12-31"),
        date("2026-02-28"),
        &ReferenceData::embedded(),
    );
    let amounts: Vec<(NaiveDate, u32, Money)> =
        projection.bookings.iter().map(|booking| (booking.to, booking.days, booking.interest)).collect();
    assert_eq!(
        amounts,
        [(date("2026-01-31"), 31, Money::from_cents(4_247)), (date("2026-02-28"), 28, Money::from_cents(3_836))]
    );
    assert_eq!(projection.accrued_to, date("2026-02-28"));
}

#[test]
fn each_claim_bears_its_own_rate_on_its_share_of_the_capital() {
    // A loan at 10 % and an overdraft with no rate but a formal notice, half the capital each:
    // 36 500 € of capital, 18 250 € each.
    let claims = [
        ClaimTerms { claim_id: 1, principal: Money::euros(1_000), rate: ClaimRate::Contractual(dec!(10)) },
        ClaimTerms {
            claim_id: 2,
            principal: Money::euros(1_000),
            rate: ClaimRate::for_claim(
                ClaimNature::Overdraft,
                None,
                Some(date("2025-02-28")),
                None,
                IncreaseKept::FULL,
            ),
        },
    ];
    let projection =
        project(|_| Money::euros(36_500), &claims, date("2025-02-28"), date("2025-03-31"), &ReferenceData::embedded());
    // 18 250 × 10 % / 365 = 5.00 a day; 18 250 × 3.71 % / 365 = 1.855 a day (2025-1, "other").
    assert_eq!(projection.total(Account::ContractualInterest), Money::euros(155));
    assert_eq!(projection.total(Account::StatutoryInterest), Money::from_cents(5_751));
}

#[test]
fn no_formal_notice_no_statutory_interest() {
    let rate = ClaimRate::for_claim(ClaimNature::Overdraft, None, None, None, IncreaseKept::FULL);
    assert_eq!(rate, ClaimRate::Nothing);
    let projection = project(
        |_| Money::euros(1_000),
        &one_claim(rate),
        date("2025-01-31"),
        date("2025-03-31"),
        &ReferenceData::embedded(),
    );
    assert!(projection.bookings.is_empty());
    assert_eq!(projection.accrued_to, date("2025-03-31"));
}

#[test]
fn five_points_more_from_two_months_after_enforceability_unless_exempted() {
    // Enforceable on 15 January 2025: +5 points from 16 March 2025 (CMF L313-3).
    let rate = |exempted: bool| ClaimRate::Statutory {
        category: CreditorCategory::Other,
        formal_notice_on: date("2024-06-01"),
        enforceable_on: Some(date("2025-01-15")),
        increase: if exempted { IncreaseKept { points: Decimal::ZERO, from: None } } else { IncreaseKept::FULL },
    };
    let reference = ReferenceData::embedded();
    assert_eq!(rate(false).rate_on(date("2025-03-15"), &reference), Ok(Some(dec!(3.71))));
    assert_eq!(rate(false).rate_on(date("2025-03-16"), &reference), Ok(Some(dec!(8.71))));
    assert_eq!(rate(true).rate_on(date("2025-03-16"), &reference), Ok(Some(dec!(3.71))));
    let capital = |_| Money::euros(36_500);
    let increased = project(capital, &one_claim(rate(false)), date("2025-02-28"), date("2025-03-31"), &reference);
    // 15 days at 3.71 € and 16 at 8.71 € a day.
    assert_eq!(increased.bookings[0].interest, Money::from_cents(15 * 371 + 16 * 871));
    let exempted = project(capital, &one_claim(rate(true)), date("2025-02-28"), date("2025-03-31"), &reference);
    assert_eq!(exempted.bookings[0].interest, Money::from_cents(31 * 371));
}

#[test]
fn a_day_without_a_statutory_rate_stops_every_claim_the_day_before() {
    let claims = [
        ClaimTerms { claim_id: 1, principal: Money::euros(1_000), rate: ClaimRate::Contractual(dec!(5)) },
        ClaimTerms {
            claim_id: 2,
            principal: Money::euros(1_000),
            rate: ClaimRate::for_claim(ClaimNature::Card, None, Some(date("2026-01-01")), None, IncreaseKept::FULL),
        },
    ];
    let projection =
        project(|_| Money::euros(2_000), &claims, date("2026-05-31"), date("2026-07-31"), &ReferenceData::embedded());
    assert_eq!(projection.held_from, Some(date("2026-07-01")));
    assert_eq!(projection.accrued_to, date("2026-06-30"));
    assert!(projection.bookings.iter().all(|booking| booking.to <= date("2026-06-30")));
}

// ------------------------------------------------------------------------------------------
// Property: what is booked over a random history equals an independent computation of the rule.

/// A random history of one claim: its start, payments to capital, the formal notice, the day
/// it became enforceable, and the days a settled balance was asked for (payments, closing…).
#[derive(Clone, Debug)]
struct History {
    start: NaiveDate,
    principal_cents: i64,
    /// (days after the start, cents paid to capital).
    payments: Vec<(i64, i64)>,
    rate: ClaimRate,
    /// Days after the start at which interest was booked besides month ends.
    settlements: Vec<i64>,
    horizon_days: i64,
}

fn history() -> impl Strategy<Value = History> {
    (
        0_i64..3_000,
        1_i64..50_000_000,
        proptest::collection::vec((0_i64..700, 1_i64..5_000_000), 0..12),
        prop_oneof![
            (1_i64..2_500).prop_map(Rate::Contractual),
            (
                0_i64..200,
                proptest::option::of(0_i64..500),
                proptest::option::of((0_i64..=500, proptest::option::of(0_i64..700)))
            )
                .prop_map(|(notice, enforceable, kept)| Rate::Statutory(notice, enforceable, kept)),
        ],
        proptest::collection::vec(0_i64..700, 0..6),
        1_i64..700,
    )
        .prop_map(|(start, principal_cents, payments, rate, settlements, horizon_days)| {
            // Starts between 2015 and 2023 so that two years stay within the embedded rates.
            let start = date("2015-01-01") + Duration::days(start);
            let rate = match rate {
                Rate::Contractual(hundredths) => ClaimRate::Contractual(Decimal::new(hundredths, 2)),
                Rate::Statutory(notice, enforceable, kept) => ClaimRate::Statutory {
                    category: CreditorCategory::Other,
                    formal_notice_on: start + Duration::days(notice),
                    enforceable_on: enforceable.map(|days| start + Duration::days(days)),
                    increase: kept.map_or(IncreaseKept::FULL, |(hundredths, from)| IncreaseKept {
                        points: Decimal::new(hundredths, 2),
                        from: from.map(|days| start + Duration::days(days)),
                    }),
                },
            };
            History { start, principal_cents, payments, rate, settlements, horizon_days }
        })
}

#[derive(Clone, Debug)]
enum Rate {
    Contractual(i64),
    /// Formal notice, enforceability, and the points the judge kept (hundredths) from a day.
    Statutory(i64, Option<i64>, Option<(i64, Option<i64>)>),
}

impl History {
    /// The capital at the start of `day`: the payments of the days before are deducted.
    fn capital_on(&self, day: NaiveDate) -> Money {
        let paid: i64 = self
            .payments
            .iter()
            .filter(|(offset, _)| self.start + Duration::days(*offset) < day)
            .map(|(_, cents)| cents)
            .sum();
        Money::from_cents((self.principal_cents - paid).max(0))
    }
}

/// The reference: the same rule in integers. A day's interest is capital cents × rate in
/// hundredths of a percent ÷ (100 × 100 × days of the year); a period's sum is rounded once,
/// half-up, to the cent. Rates come from the embedded table, read directly.
fn reference_interest(history: &History, from: NaiveDate, to: NaiveDate) -> i64 {
    let table = ReferenceData::embedded();
    let mut numerator: i128 = 0;
    let mut day = from;
    while day <= to {
        let hundredths: Option<i128> = match history.rate {
            ClaimRate::Contractual(rate) => Some((rate * dec!(100)).try_into().unwrap()),
            ClaimRate::Statutory { formal_notice_on, enforceable_on, increase, .. } => {
                if day <= formal_notice_on {
                    None
                } else {
                    let base = table.statutory_rate(Semester::of(day)).unwrap().other;
                    // Two months after enforceability, same-numbered day (or month end), then +1 day.
                    let increased = enforceable_on.is_some_and(|on| day > crate::calendar::add_months_clamped(on, 2));
                    let kept: i128 = match increase.from {
                        Some(from) if day < from => 500,
                        _ => (increase.points * dec!(100)).try_into().unwrap(),
                    };
                    let base: i128 = (base * dec!(100)).try_into().unwrap();
                    Some(base + if increased { kept } else { 0 })
                }
            }
            ClaimRate::Nothing => None,
        };
        if let Some(hundredths) = hundredths {
            numerator += i128::from(history.capital_on(day).cents()) * hundredths;
        }
        day += Duration::days(1);
    }
    let leap = NaiveDate::from_ymd_opt(from.year(), 2, 29).is_some();
    let denominator: i128 = 100 * 100 * if leap { 366 } else { 365 };
    // Half-up for a non-negative amount.
    i64::try_from((2 * numerator + denominator) / (2 * denominator)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn booked_interest_matches_the_reference_over_random_histories(history in history()) {
        let reference = ReferenceData::embedded();
        let claims = [ClaimTerms { claim_id: 7, principal: Money::from_cents(history.principal_cents), rate: history.rate }];
        let end = history.start + Duration::days(history.horizon_days);
        // Booking days: every month end up to the horizon, the settlements, and the horizon.
        let mut stops: Vec<NaiveDate> = history.settlements.iter().map(|days| history.start + Duration::days(*days)).collect();
        let mut month = month_end(history.start);
        while month < end {
            stops.push(month);
            month = month_end(month + Duration::days(1));
        }
        stops.push(end);
        stops.retain(|day| *day > history.start && *day <= end);
        stops.sort();
        stops.dedup();
        let mut booked_to = history.start;
        let mut booked = Vec::new();
        for stop in stops {
            let projection = project(|day| history.capital_on(day), &claims, booked_to, stop, &reference);
            prop_assert_eq!(projection.held_from, None);
            prop_assert_eq!(projection.accrued_to, stop);
            booked.extend(projection.bookings);
            booked_to = stop;
        }
        // The bookings follow each other without gap or overlap, within a month each.
        for pair in booked.windows(2) {
            prop_assert!(pair[0].to < pair[1].from);
        }
        for booking in &booked {
            prop_assert_eq!(month_end(booking.from), month_end(booking.to));
            prop_assert_eq!(booking.interest.cents(), reference_interest(&history, booking.from, booking.to));
            prop_assert_eq!(booking.account, history.rate.account());
        }
        // Every period with interest in the reference was booked: cut the same way, compare sums.
        let mut expected = 0_i64;
        let mut from = history.start + Duration::days(1);
        let mut stops: Vec<NaiveDate> = history.settlements.iter().map(|days| history.start + Duration::days(*days)).collect();
        stops.retain(|day| *day > history.start && *day <= end);
        while from <= end {
            let mut to = month_end(from).min(end);
            if let Some(stop) = stops.iter().filter(|stop| **stop >= from && **stop < to).min() {
                to = *stop;
            }
            expected += reference_interest(&history, from, to);
            from = to + Duration::days(1);
        }
        let total: i64 = booked.iter().map(|booking| booking.interest.cents()).sum();
        prop_assert_eq!(total, expected);
    }
}
