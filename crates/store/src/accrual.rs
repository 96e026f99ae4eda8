//! The nightly interest accrual over every open case, for a given date: idempotent (each
//! case records the last day accrued, so a rerun for the same date books nothing) and safe to
//! interrupt (each case's booking, journal event and new date are one transaction).

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::accrual::{accrue, RateRule};
use recouvre_domain::ledger::{self, Account};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::statutory_interest::CreditorCategory;
use recouvre_domain::Money;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use crate::journal::append_event;
use crate::ledger::book;
use crate::{on_engine, Result, Store, StoreError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccrualSummary {
    pub as_of: Option<NaiveDate>,
    pub cases_seen: u64,
    pub cases_accrued: u64,
    pub interest: Money,
    /// Cases whose accrual stopped for lack of a statutory rate: (case, first day held).
    pub held: Vec<(i64, NaiveDate)>,
}

/// Cases read per page.
const PAGE_CASES: i64 = 500;

#[derive(sqlx::FromRow)]
struct CaseToAccrue {
    id: i64,
    status: String,
    opened_on: NaiveDate,
    accrued_to: Option<NaiveDate>,
    contractual_rate: Option<String>,
    judgment_served_on: Option<NaiveDate>,
}

/// Accrues interest on every open case up to `as_of` (inclusive).
pub async fn run(
    store: &Store,
    as_of: NaiveDate,
    reference: &ReferenceData,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<AccrualSummary> {
    let mut summary = AccrualSummary { as_of: Some(as_of), ..AccrualSummary::default() };
    let mut after_id = 0_i64;
    loop {
        let cases: Vec<CaseToAccrue> = on_engine!(store, |pool| sqlx::query_as(
            "SELECT c.id, c.status, c.opened_on, c.accrued_to, \
             (SELECT contractual_rate FROM claims WHERE case_id = c.id ORDER BY id LIMIT 1) AS contractual_rate, \
             c.judgment_served_on \
             FROM cases c WHERE c.id > $1 AND c.status <> 'closed' AND c.opened_on < $2 \
             AND (c.accrued_to IS NULL OR c.accrued_to < $2) ORDER BY c.id LIMIT $3"
        )
        .bind(after_id)
        .bind(as_of)
        .bind(PAGE_CASES)
        .fetch_all(pool)
        .await?);
        let Some(last) = cases.last() else { break };
        after_id = last.id;
        for case in cases {
            summary.cases_seen += 1;
            accrue_case(store, &case, &Run { as_of, reference, actor, now }, &mut summary).await?;
        }
    }
    Ok(summary)
}

/// One run's parameters.
struct Run<'a> {
    as_of: NaiveDate,
    reference: &'a ReferenceData,
    actor: &'a str,
    now: DateTime<Utc>,
}

async fn accrue_case(store: &Store, case: &CaseToAccrue, run: &Run<'_>, summary: &mut AccrualSummary) -> Result<()> {
    let Run { as_of, reference, actor, now } = *run;
    let after = case.accrued_to.unwrap_or(case.opened_on);
    let (rule, account) = match case.contractual_rate.as_deref().map(str::parse::<Decimal>) {
        Some(Ok(rate)) if rate > Decimal::ZERO => (RateRule::Contractual(rate), Account::ContractualInterest),
        Some(Err(_)) => {
            return Err(StoreError::Corrupt(format!("taux contractuel illisible sur le dossier {}", case.id)))
        }
        _ => (
            RateRule::Statutory { category: CreditorCategory::Other, judgment_served_on: case.judgment_served_on },
            Account::StatutoryInterest,
        ),
    };
    // Over-indebtedness (status suspended): no interest accrues while the file is admissible;
    // the days are marked done so that they are never caught up later.
    let suspended = case.status == "suspended";
    let timeline: Vec<(NaiveDate, i64)> = on_engine!(store, |pool| sqlx::query_as(
        "SELECT t.booked_on, CAST(SUM(p.amount_cents) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE p.case_id = $1 AND p.account = 'principal' GROUP BY t.booked_on ORDER BY t.booked_on"
    )
    .bind(case.id)
    .fetch_all(pool)
    .await?);
    // Capital at the start of a day: what was booked before it.
    let capital_on = |day: NaiveDate| -> Money {
        Money::from_cents(timeline.iter().take_while(|(booked_on, _)| *booked_on < day).map(|(_, cents)| cents).sum())
    };
    let accrual = accrue(capital_on, after, as_of, rule, reference);
    if let Some(held_from) = accrual.held_from {
        summary.held.push((case.id, held_from));
    }
    if accrual.accrued_to <= after {
        return Ok(());
    }
    let interest = if suspended { Money::ZERO } else { accrual.interest };
    on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        // Claim the period: another process (or an earlier, interrupted run) may have done it.
        let claimed =
            sqlx::query("UPDATE cases SET accrued_to = $2 WHERE id = $1 AND (accrued_to IS NULL OR accrued_to < $2)")
                .bind(case.id)
                .bind(accrual.accrued_to)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if claimed == 0 {
            return Ok(());
        }
        if interest.is_positive() {
            let transaction =
                ledger::charge(account, interest).map_err(|error| StoreError::Conflict(error.to_string()))?;
            let rate = match rule {
                RateRule::Contractual(rate) => rate.to_string(),
                RateRule::Statutory { .. } => "légal".to_string(),
            };
            let payload = json!({
                "from": after.succ_opt(), "to": accrual.accrued_to, "days": accrual.days,
                "rate": rate, "account": account.code(), "amount": interest,
            });
            append_event!(tx, case.id, None, "interest_accrued", payload.to_string(), actor, now);
            let note = format!("intérêts du {} au {}", after.succ_opt().unwrap_or(after), accrual.accrued_to);
            book!(tx, Some(case.id), &transaction, accrual.accrued_to, note.as_str(), None::<i64>, actor, now);
        }
        tx.commit().await?;
    });
    if interest.is_positive() {
        summary.cases_accrued += 1;
        summary.interest += interest;
    }
    Ok(())
}
