//! Interest per claim, accrued exactly and booked at period end (issue 18, part 2).
//!
//! Each claim of a case bears its own rate ([`ClaimRate`]):
//! - consumer credit after acceleration, and real-estate credit, bear the contract's rate on the
//!   outstanding capital only — never on interest or the indemnity, never capitalised
//!   (C. consom. L312-38 and L313-51; in this product every claim nature is one or the other);
//! - a claim without a contractual rate bears the statutory rate from the formal notice
//!   (C. civ. 1231-6, 1344-1; CMF L313-2), increased by five points from the expiry of two
//!   months after the decision ordering payment became enforceable (CMF L313-3, al. 1), unless
//!   the judge exempted the debtor or reduced the increase (L313-3, al. 2, a recorded fact:
//!   [`IncreaseKept`]);
//! - without a formal notice, a claim without a contractual rate bears no interest.
//!
//! The interest is a projection computed from the case's capital day by day, the claim's rate
//! timeline and the last day booked: each day's interest is exact (capital × rate ÷ days of
//! that civil year), summed over the period, and rounded once, half-up to the cent, when booked.
//! Bookings are cut at each month's end (the bank's arrêté) and at any day a settled balance is
//! needed, so that a month's booking never depends on when the night ran.
//!
//! The case's ledger holds one capital for the case; each claim bears interest on its share of
//! it, in proportion to the claims' principals (a payment to capital reduces every claim alike).

use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;

use crate::case::ClaimNature;
use crate::ledger::Account;
use crate::reference::{ReferenceData, Semester};
use crate::statutory_interest::{increase_start, CreditorCategory, INCREASE_POINTS};
use crate::Money;

mod rulings;
pub use rulings::{
    anniversary, capitalisation_days, capitalised, corrections, unbooked_periods, year_before, BookedPeriod,
    PeriodCorrection,
};

/// What the juge de l'exécution kept of the five-point increase (CMF L313-3 al. 2: "le juge de
/// l'exécution peut, à la demande du débiteur ou du créancier, et en considération de la situation
/// du débiteur, exonérer celui-ci de cette majoration ou en réduire le montant"): the points
/// kept — 0 exempted, between 0 and 5 reduced — from a day (`None`: from the increase's start,
/// the whole increase). Without a ruling, the five points ([`IncreaseKept::FULL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncreaseKept {
    pub points: Decimal,
    pub from: Option<NaiveDate>,
}

impl IncreaseKept {
    /// No ruling: the five points of L313-3 al. 1.
    pub const FULL: IncreaseKept = IncreaseKept { points: INCREASE_POINTS, from: None };

    /// The points added on `day`, once the increase started (`day >= increase_start`): the points
    /// kept from the ruling's day, the five points before it.
    pub fn points_on(&self, day: NaiveDate) -> Decimal {
        if self.from.is_none_or(|from| day >= from) {
            self.points
        } else {
            INCREASE_POINTS
        }
    }
}

impl Default for IncreaseKept {
    fn default() -> IncreaseKept {
        IncreaseKept::FULL
    }
}

/// The rate a claim bears, as a timeline of days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimRate {
    /// The contract's annual rate, in percent, on the outstanding capital (C. consom. L312-38,
    /// L313-51).
    Contractual(Decimal),
    /// The statutory rate of the creditor's category for each day after the formal notice
    /// (C. civ. 1231-6, 1344-1), plus five points from [`increase_start`] of the day the
    /// decision became enforceable (CMF L313-3 al. 1), or what the judge kept of them (al. 2).
    Statutory {
        category: CreditorCategory,
        formal_notice_on: NaiveDate,
        enforceable_on: Option<NaiveDate>,
        increase: IncreaseKept,
    },
    /// No interest runs: no contractual rate and no formal notice yet.
    Nothing,
}

/// A day whose statutory rate is not in the reference data: computed with no guessed rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held(pub NaiveDate);

impl ClaimRate {
    /// The rate a claim bears from its facts: its contractual rate when it has one (all the
    /// natures of this product are consumer or real-estate credit), the statutory rate from a
    /// formal notice otherwise.
    pub fn for_claim(
        nature: ClaimNature,
        contractual_rate: Option<Decimal>,
        formal_notice_on: Option<NaiveDate>,
        enforceable_on: Option<NaiveDate>,
        increase: IncreaseKept,
    ) -> ClaimRate {
        // Every nature is consumer credit (L312-38) or real-estate credit (L313-51).
        let contract_rate_applies = nature.is_consumer_credit() || nature == ClaimNature::Mortgage;
        match (contractual_rate.filter(|rate| *rate > Decimal::ZERO && contract_rate_applies), formal_notice_on) {
            (Some(rate), _) => ClaimRate::Contractual(rate),
            (None, Some(formal_notice_on)) => {
                ClaimRate::Statutory { category: CreditorCategory::Other, formal_notice_on, enforceable_on, increase }
            }
            (None, None) => ClaimRate::Nothing,
        }
    }

    /// The annual rate of `day`, in percent; `Ok(None)` when no interest runs that day.
    pub fn rate_on(&self, day: NaiveDate, reference: &ReferenceData) -> Result<Option<Decimal>, Held> {
        match *self {
            ClaimRate::Contractual(rate) => Ok(Some(rate)),
            ClaimRate::Nothing => Ok(None),
            ClaimRate::Statutory { category, formal_notice_on, enforceable_on, increase } => {
                if day <= formal_notice_on {
                    return Ok(None);
                }
                let rates = reference.statutory_rate(Semester::of(day)).map_err(|_| Held(day))?;
                let increased = enforceable_on.is_some_and(|enforceable| day >= increase_start(enforceable));
                Ok(Some(rates.for_category(category) + if increased { increase.points_on(day) } else { Decimal::ZERO }))
            }
        }
    }

    /// The ledger account the interest is booked to.
    pub fn account(&self) -> Account {
        match self {
            ClaimRate::Contractual(_) => Account::ContractualInterest,
            _ => Account::StatutoryInterest,
        }
    }
}

/// One claim of a case: its principal (its share of the case's capital) and its rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimTerms {
    pub claim_id: i64,
    pub principal: Money,
    pub rate: ClaimRate,
}

/// What is booked for one claim over one period (first day to last day, both included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimBooking {
    pub claim_id: i64,
    pub account: Account,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: u32,
    pub interest: Money,
}

/// The bookings from the day after `after` to a day, and the last day they cover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    /// Non-zero bookings, period by period, claim by claim.
    pub bookings: Vec<ClaimBooking>,
    /// Last day covered: the day asked for, or the day before a held day.
    pub accrued_to: NaiveDate,
    /// First day not computed for lack of a statutory rate.
    pub held_from: Option<NaiveDate>,
}

impl Projection {
    /// The total of the bookings to `account`.
    pub fn total(&self, account: Account) -> Money {
        self.bookings.iter().filter(|booking| booking.account == account).map(|booking| booking.interest).sum()
    }
}

/// The last day of `day`'s month.
// Invariant: the first day of the next month exists for every date chrono represents but the last.
#[allow(clippy::expect_used)]
pub fn month_end(day: NaiveDate) -> NaiveDate {
    let (year, month) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(year, month, 1).expect("first day of a month") - Duration::days(1)
}

/// The last month end on or before `as_of`: what the nightly run of `as_of` books up to.
pub fn last_month_end(as_of: NaiveDate) -> NaiveDate {
    let end = month_end(as_of);
    if end == as_of {
        end
    } else {
        as_of.with_day(1).map_or(as_of, |first| first - Duration::days(1))
    }
}

// Invariant: 31 December exists in every year chrono represents.
fn days_in_year(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// Books each claim's interest for the days after `after` up to `up_to` (included), cut at each
/// month end. `capital_on(day)` is the case's capital at the start of `day` (after the
/// payments of the days before). A day without a statutory rate stops the whole projection
/// the day before, for every claim, so the case has one last day booked.
pub fn project(
    capital_on: impl Fn(NaiveDate) -> Money,
    claims: &[ClaimTerms],
    after: NaiveDate,
    up_to: NaiveDate,
    reference: &ReferenceData,
) -> Projection {
    let total_principal: i64 = claims.iter().map(|claim| claim.principal.cents().max(0)).sum();
    // Rates first: the first day without a rate caps the projection.
    let mut held_from = None;
    let mut rates: Vec<Vec<Option<Decimal>>> = vec![Vec::new(); claims.len()];
    let mut day = after + Duration::days(1);
    'days: while day <= up_to {
        let mut of_day = Vec::with_capacity(claims.len());
        for claim in claims {
            match claim.rate.rate_on(day, reference) {
                Ok(rate) => of_day.push(rate),
                Err(Held(held)) => {
                    held_from = Some(held);
                    break 'days;
                }
            }
        }
        for (index, rate) in of_day.into_iter().enumerate() {
            rates[index].push(rate);
        }
        day += Duration::days(1);
    }
    let accrued_to = held_from.map_or(up_to.max(after), |held| held - Duration::days(1));
    let mut bookings = Vec::new();
    if total_principal == 0 {
        return Projection { bookings, accrued_to, held_from };
    }
    // Periods: from the day after `after` to each month end, then to `accrued_to`.
    let mut start = after + Duration::days(1);
    while start <= accrued_to {
        let end = month_end(start).min(accrued_to);
        // One civil year per period (periods end at month ends), hence one divisor.
        let divisor = Decimal::from(100 * 100 * days_in_year(start.year())) * Decimal::from(total_principal);
        for (index, claim) in claims.iter().enumerate() {
            let mut numerator = Decimal::ZERO;
            let mut days = 0_u32;
            let mut day = start;
            while day <= end {
                let offset = usize::try_from((day - after).num_days() - 1).unwrap_or(usize::MAX);
                if let Some(Some(rate)) = rates[index].get(offset) {
                    let capital = capital_on(day).cents().max(0);
                    numerator += Decimal::from(capital) * *rate;
                    days += 1;
                }
                day += Duration::days(1);
            }
            // In euros: capital cents × rate % × share ÷ (100 cents × 100 % × days of the year).
            let exact = numerator * Decimal::from(claim.principal.cents().max(0)) / divisor;
            // Invariant: interest on a bank claim's capital over a month fits in i64 cents.
            #[allow(clippy::expect_used)]
            let interest = Money::from_decimal_rounded(exact).expect("a month's interest fits in cents");
            if interest.is_positive() {
                bookings.push(ClaimBooking {
                    claim_id: claim.claim_id,
                    account: claim.rate.account(),
                    from: start,
                    to: end,
                    days,
                    interest,
                });
            }
        }
        start = end + Duration::days(1);
    }
    Projection { bookings, accrued_to, held_from }
}

#[cfg(test)]
mod tests;
