//! What changes booked interest after the fact (issue 18, part 2): a rate's facts recorded late
//! (the day the decision became enforceable, the judge's ruling on the increase, CMF L313-3),
//! whose booked periods are recomputed and corrected, and the capitalisation a court decision
//! orders (C. civ. 1343-2), whose yearly interest becomes capital.

use std::collections::BTreeMap;

use chrono::{Duration, Months, NaiveDate};

use super::{project, ClaimTerms};
use crate::ledger::Account;
use crate::reference::ReferenceData;
use crate::Money;

/// What is booked for one claim over one booked period (first day to last day, both included):
/// its accruals and the corrections booked since, net.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookedPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub claim_id: i64,
    pub account: Account,
    pub booked: Money,
}

/// One claim's period recomputed under the facts known now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodCorrection {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub claim_id: i64,
    pub account: Account,
    /// What was booked (accruals and earlier corrections).
    pub booked: Money,
    /// What the period bears under the facts known now.
    pub due: Money,
}

impl PeriodCorrection {
    /// What to book: positive charges more, negative credits back.
    pub fn difference(&self) -> Money {
        self.due - self.booked
    }
}

/// The spans from the day after `after` to `to` (both included) that no period of `booked`
/// covers and `suspended` does not exclude, cut at each month's end as the nightly run books
/// them: days the case's bookings passed over with nothing to book (no formal notice yet), which
/// a fact recorded late (the formal notice's own date, C. civ. 1231-6) can make
/// interest-bearing. `suspended` says which days bore no interest by law (an admissible
/// over-indebtedness file, C. consom. L722-2).
pub fn unbooked_periods(
    booked: &[BookedPeriod],
    after: NaiveDate,
    to: NaiveDate,
    suspended: impl Fn(NaiveDate) -> bool,
) -> Vec<(NaiveDate, NaiveDate)> {
    let covered = |day: NaiveDate| booked.iter().any(|period| period.from <= day && day <= period.to);
    let mut spans: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut day = after + Duration::days(1);
    while day <= to {
        if !covered(day) && !suspended(day) {
            match spans.last_mut() {
                Some((_, last)) if *last + Duration::days(1) == day && super::month_end(*last) != *last => *last = day,
                _ => spans.push((day, day)),
            }
        }
        day += Duration::days(1);
    }
    spans
}

/// Recomputes each booked period of `account` under the claims' terms as they are now (same
/// bounds, per claim, rounded once per period as the booking was, [`project`]) and returns the
/// periods whose due differs from what is booked; `unbooked` adds spans nothing was booked for
/// ([`unbooked_periods`]), each recomputed as a period booked at zero. A period with a day
/// lacking its statutory rate is left as booked. Booking the differences makes a second call
/// return nothing.
pub fn corrections(
    capital_on: impl Fn(NaiveDate) -> Money,
    claims: &[ClaimTerms],
    booked: &[BookedPeriod],
    unbooked: &[(NaiveDate, NaiveDate)],
    account: Account,
    reference: &ReferenceData,
) -> Vec<PeriodCorrection> {
    // Every period booked on the case (whatever its account): its claims of `account` may bear
    // interest that none of the bookings listed (the interest was nil when booked).
    let mut periods: BTreeMap<(NaiveDate, NaiveDate), BTreeMap<i64, Money>> =
        unbooked.iter().map(|span| (*span, BTreeMap::new())).collect();
    for period in booked {
        let claims = periods.entry((period.from, period.to)).or_default();
        if period.account == account {
            *claims.entry(period.claim_id).or_default() += period.booked;
        }
    }
    let mut corrections = Vec::new();
    for ((from, to), booked_of) in periods {
        let projection = project(&capital_on, claims, from - Duration::days(1), to, reference);
        if projection.held_from.is_some() || projection.accrued_to != to {
            continue;
        }
        let mut due_of: BTreeMap<i64, Money> = BTreeMap::new();
        for booking in projection.bookings.iter().filter(|booking| booking.account == account) {
            *due_of.entry(booking.claim_id).or_default() += booking.interest;
        }
        let claim_ids: std::collections::BTreeSet<i64> = booked_of.keys().chain(due_of.keys()).copied().collect();
        for claim_id in claim_ids {
            let booked = booked_of.get(&claim_id).copied().unwrap_or_default();
            let due = due_of.get(&claim_id).copied().unwrap_or_default();
            if booked != due {
                corrections.push(PeriodCorrection { from, to, claim_id, account, booked, due });
            }
        }
    }
    corrections
}

/// The `years`-th anniversary of `from` (29 February falls on 28 February).
pub fn anniversary(from: NaiveDate, years: u32) -> Option<NaiveDate> {
    from.checked_add_months(Months::new(years.checked_mul(12)?))
}

/// The days the interest of a full year becomes capital under a decision ordering it from
/// `from` (C. civ. 1343-2): each anniversary A of `from` after `capitalised_to` (the last one
/// made capital) whose year — A minus one year to the day before A — is booked up to `booked_to`.
pub fn capitalisation_days(from: NaiveDate, capitalised_to: Option<NaiveDate>, booked_to: NaiveDate) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    for years in 1..=200 {
        let Some(day) = anniversary(from, years) else { break };
        if day - Duration::days(1) > booked_to {
            break;
        }
        if capitalised_to.is_none_or(|done| day > done) {
            days.push(day);
        }
    }
    days
}

/// The first day of the year that ends the day before `anniversary` (`None` for a date chrono
/// cannot go a year back from).
pub fn year_before(anniversary: NaiveDate) -> Option<NaiveDate> {
    anniversary.checked_sub_months(Months::new(12))
}

/// The statutory interest booked per claim over the year before `anniversary` (the periods whose
/// last day lies within it: bookings are cut at the day before each anniversary once a decision
/// orders capitalisation; before it, a month is the year's when it ends in it), for the claims
/// `may_capitalise` admits: what becomes capital on `anniversary`. Positive amounts only.
pub fn capitalised(
    booked: &[BookedPeriod],
    anniversary: NaiveDate,
    may_capitalise: impl Fn(i64) -> bool,
) -> Vec<(i64, Money)> {
    let Some(first) = year_before(anniversary) else { return Vec::new() };
    let last = anniversary - Duration::days(1);
    let mut by_claim: BTreeMap<i64, Money> = BTreeMap::new();
    for period in booked.iter().filter(|period| {
        period.account == Account::StatutoryInterest
            && period.to >= first
            && period.to <= last
            && may_capitalise(period.claim_id)
    }) {
        *by_claim.entry(period.claim_id).or_default() += period.booked;
    }
    by_claim.into_iter().filter(|(_, amount)| amount.is_positive()).collect()
}

#[cfg(test)]
mod tests;
