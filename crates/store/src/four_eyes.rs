//! Four eyes on the cumulative effect of an officer's decisions (issue 23): a plan is as long as
//! the wait to its last instalment, and a case's concessions add up over a window, so that neither
//! the shape of a plan nor splitting a request gets past a delegation level.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::delegation::Decision;
use recouvre_domain::Money;

use crate::db::query_scalar;
use crate::journal::CaseEvent;
use crate::{Result, StoreError, Tx};

/// An act beyond its author's delegation, waiting for someone whose level covers it: its journal
/// event (`*_requested`) and its row of `approval_requests`, written together by
/// [`Tx::open_approval_request`].
pub(crate) struct NewApprovalRequest<'a> {
    pub case_id: i64,
    pub expected_version: Option<i64>,
    /// The journal event that says it was asked for (`plan_requested`, `waiver_requested`…).
    pub event: recouvre_domain::journal::EventKind,
    /// The request's kind in `approval_requests` (`payment_plan`, `waiver`, `write_off`,
    /// `cost`, `payment`).
    pub kind: &'static str,
    /// What the approver will decide on, the event's payload too.
    pub payload: &'a str,
    pub amount: Money,
    pub reason: &'a str,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

/// Days over which a case's concessions (waivers, write-offs and payments booked by hand, by
/// anyone) add up with a new one against the proposer's delegation (issue 23: limits per request
/// were bypassed by splitting a request, and payments booked by hand had no limit at all).
pub const CONCESSION_WINDOW_DAYS: i64 = 365;

impl Tx {
    /// Opens an approval request: appends its `*_requested` event (at `expected_version`) and
    /// inserts its pending row, in this transaction. Returns the request's id and the case's
    /// version after the event.
    pub(crate) async fn open_approval_request(&mut self, request: NewApprovalRequest<'_>) -> Result<(i64, i64)> {
        let event = self
            .append_event(CaseEvent {
                case_id: request.case_id,
                expected_version: request.expected_version,
                kind: request.event,
                payload: request.payload.to_string(),
                actor: request.actor,
                now: request.now,
            })
            .await?;
        let request_id: i64 = query_scalar(
            "INSERT INTO approval_requests (case_id, kind, payload, amount_cents, reason, requested_by, requested_at, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') RETURNING id",
        )
        .bind(request.case_id)
        .bind(request.kind)
        .bind(request.payload)
        .bind(request.amount.cents())
        .bind(request.reason)
        .bind(request.actor)
        .bind(request.now)
        .fetch_one(&mut *self)
        .await?;
        Ok((request_id, event.sequence))
    }

    /// The waivers, write-offs and payments booked by hand on a case since `since`. A payment
    /// booked by hand reduces the debt on the officer's word alone (a forged cheque number is a
    /// waiver in all but name), so it counts; a statement's or a direct debit's does not.
    pub(crate) async fn concessions_since(&mut self, case_id: i64, since: DateTime<Utc>) -> Result<Money> {
        self.booked_since(case_id, since, "('waiver_booked', 'write_off_booked', 'payment_booked')").await
    }

    /// The payments booked by hand on a case since `since`, added up.
    pub(crate) async fn payments_by_hand_since(&mut self, case_id: i64, since: DateTime<Utc>) -> Result<Money> {
        self.booked_since(case_id, since, "('payment_booked')").await
    }

    /// The events of `kinds` (an SQL list of codes, from this module only) booked on a case since
    /// `since`, added up: a concession's total, a payment's amount if booked by hand.
    async fn booked_since(&mut self, case_id: i64, since: DateTime<Utc>, kinds: &'static str) -> Result<Money> {
        let payloads: Vec<String> = query_scalar(format!(
            "SELECT payload FROM case_events WHERE case_id = $1 AND kind IN {kinds} AND recorded_at >= $2"
        ))
        .bind(case_id)
        .bind(since)
        .fetch_all(&mut *self)
        .await?;
        let mut total = Money::ZERO;
        for payload in payloads {
            let value: serde_json::Value = serde_json::from_str(&payload).map_err(|error| {
                StoreError::Corrupt(format!("dossier n° {case_id} : événement illisible ({error})"))
            })?;
            let field = if value.get("by_hand").and_then(serde_json::Value::as_bool) == Some(true) {
                "amount"
            } else {
                // A concession's total; a payment from a statement or a debit has none.
                "total"
            };
            if let Some(amount) =
                value.get(field).and_then(|amount| serde_json::from_value::<Money>(amount.clone()).ok())
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

impl Tx {
    /// Refuses a payment booked by hand that, with the case's other payments booked by hand over
    /// the window, goes beyond the author's delegation for a write-off (`max_write_off` of the
    /// matrix in force): money the bank has not seen reduces the debt like a write-off does
    /// (issue 23, finding 1). Someone of a higher level books it. Waivers and write-offs, decided
    /// under their own four eyes, do not count here; payments booked by hand count with them.
    pub(crate) async fn check_payment_by_hand(
        &mut self,
        authority: &recouvre_domain::delegation::AuthorityMatrix,
        case_id: i64,
        amount: Money,
        level: recouvre_domain::authority::DelegationLevel,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // Two payments by hand on one case at once must not both pass the check on the same
        // earlier total: PostgreSQL's second transaction waits here for the first to end (SQLite's
        // write transactions are serialised already, `BEGIN IMMEDIATE`).
        if self.engine() == crate::Engine::Postgres {
            query_scalar::<i64>("SELECT id FROM cases WHERE id = $1 FOR UPDATE")
                .bind(case_id)
                .fetch_optional(&mut *self)
                .await?;
        }
        let since = now - chrono::Duration::days(CONCESSION_WINDOW_DAYS);
        let earlier = self.payments_by_hand_since(case_id, since).await?;
        let cumulative = amount.checked_add(earlier).unwrap_or(amount);
        match authority.check(level, &Decision::WriteOff { amount: cumulative }) {
            recouvre_domain::delegation::Verdict::Within => Ok(()),
            _ => Err(StoreError::refused(
                "delegation_exceeded",
                format!(
                    "avec les paiements saisis à la main sur ce dossier depuis {CONCESSION_WINDOW_DAYS} jours ({}), \
                     ce paiement dépasse votre délégation : il est soumis à l'approbation d'un responsable \
                     dont le niveau le couvre",
                    cumulative.to_french()
                ),
            )),
        }
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
