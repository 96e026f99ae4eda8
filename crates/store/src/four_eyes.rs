//! Four eyes on the cumulative effect of an officer's decisions (issue 23): a plan is as long as
//! the wait to its last instalment, and a case's concessions add up over a window, so that neither
//! the shape of a plan nor splitting a request gets past a delegation level.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::delegation::Decision;
use recouvre_domain::Money;

use crate::db::query_scalar;
use crate::{Result, StoreError, Tx};

/// Days over which a case's concessions (waivers and write-offs booked, by anyone) add up with a
/// new one against the proposer's delegation (issue 23: limits per request were bypassed by
/// splitting a request).
pub const CONCESSION_WINDOW_DAYS: i64 = 365;

impl Tx {
    /// The waivers and write-offs booked on a case since `since`.
    pub(crate) async fn concessions_since(&mut self, case_id: i64, since: DateTime<Utc>) -> Result<Money> {
        let payloads: Vec<String> = query_scalar(
            "SELECT payload FROM case_events WHERE case_id = $1 AND kind IN ('waiver_booked', 'write_off_booked') \
             AND recorded_at >= $2",
        )
        .bind(case_id)
        .bind(since)
        .fetch_all(&mut *self)
        .await?;
        let mut total = Money::ZERO;
        for payload in payloads {
            let value: serde_json::Value = serde_json::from_str(&payload).map_err(|error| {
                StoreError::Corrupt(format!("dossier n° {case_id} : événement illisible ({error})"))
            })?;
            if let Some(amount) =
                value.get("total").and_then(|amount| serde_json::from_value::<Money>(amount.clone()).ok())
            {
                total = total.checked_add(amount).unwrap_or(total);
            }
        }
        Ok(total)
    }

    /// A waiver of `amount` from `debt` as the delegation sees it: with what was given up on the
    /// case over the window, so that splitting one large waiver into small ones gains nothing.
    pub(crate) async fn cumulative_waiver(
        &mut self,
        case_id: i64,
        amount: Money,
        debt: Money,
        now: DateTime<Utc>,
    ) -> Result<Decision> {
        let earlier = self.concessions_since(case_id, now - chrono::Duration::days(CONCESSION_WINDOW_DAYS)).await?;
        Ok(Decision::Waiver {
            amount: amount.checked_add(earlier).unwrap_or(amount),
            debt: debt.checked_add(earlier).unwrap_or(debt),
        })
    }
}

/// A plan's length for the delegation: the months from today to its last instalment (three
/// instalments due in 2027, 2035 and 2045 make 19 years, issue 23), or its number of instalments
/// if larger.
pub fn plan_months(instalments: &[(NaiveDate, Money)], now: DateTime<Utc>) -> u32 {
    let today = recouvre_domain::business_date::paris_date(now);
    let last_due = instalments.last().map_or(today, |(due_on, _)| *due_on);
    plan_length_months(today, last_due).max(u32::try_from(instalments.len()).unwrap_or(u32::MAX))
}

/// Whole months from `today` to `last_due`, a month begun counting as one.
pub fn plan_length_months(today: NaiveDate, last_due: NaiveDate) -> u32 {
    use chrono::Datelike;
    if last_due <= today {
        return 0;
    }
    let whole = (last_due.year() - today.year()) * 12 + last_due.month() as i32 - today.month() as i32;
    let begun = i32::from(last_due.day() > today.day());
    u32::try_from((whole + begun).max(0)).unwrap_or(u32::MAX)
}
