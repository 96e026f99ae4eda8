//! Each claim of a case on its own (issue 20): the interest booked to it and its own time bars,
//! so that a letter states every claim with its own amounts and leaves out a claim that is
//! time-barred or foreclosed while the others are still claimed.
//!
//! The interest booked to a claim is read from the journal: each `interest_accrued` event (the
//! nightly run's, `store::batch`, and a payment's settlement, `store::interest`) lists the
//! claims it booked with their amounts, each `interest_corrected` event the differences booked
//! since, each `interest_capitalised` event what became capital (`store::interest::rulings`). The time bars are the case's history (its payments and
//! procedure steps) applied to each claim's own nature, due date and first incident, as stored by
//! the writes that moved them (`time_bar_states`; derived from the history on a day the stored
//! state does not cover).

use std::collections::HashMap;

use chrono::NaiveDate;
use recouvre_domain::ledger::Account;
use recouvre_domain::Money;

use crate::db::query_as;
use crate::{Result, Store, StoreError};

/// One claim: the interest booked to it since the case opened, and its time bars today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimPosition {
    pub claim_id: i64,
    pub contractual_interest_booked: Money,
    pub statutory_interest_booked: Money,
    /// Consumer credit: last day to sue (C. consom. R312-35).
    pub foreclosure_date: Option<NaiveDate>,
    /// Last day to act (C. consom. L218-2; CPCE L111-4 once a title is served).
    pub limitation_date: Option<NaiveDate>,
}

impl ClaimPosition {
    /// Whether the claim can no longer be claimed on `today`: its limitation ran out, or, without
    /// an enforceable title, its foreclosure date passed (the same rule as the strategy's
    /// `StrategyFacts::time_barred`, claim by claim).
    pub fn time_barred(&self, today: NaiveDate, has_enforceable_title: bool) -> bool {
        self.foreclosure_date.filter(|_| !has_enforceable_title).is_some_and(|date| date < today)
            || self.limitation_date.is_some_and(|date| date < today)
    }
}

/// The claims of `case_id`, in id order, with what was booked to each and their time bars as
/// known on `today`. Reads the claims, their stored time bars and the interest events.
pub async fn of_case(store: &Store, case_id: i64, today: NaiveDate) -> Result<Vec<ClaimPosition>> {
    let mut tx = store.begin_read().await?;
    let claims: Vec<(i64,)> =
        query_as("SELECT id FROM claims WHERE case_id = $1 ORDER BY id").bind(case_id).fetch_all(&mut tx).await?;
    let time_bars = tx.claim_time_bars_on(case_id, today).await?;
    // What was booked to each claim: its accruals and the corrections since (issue 18; events
    // booked before the bookings named their claims list none: their interest stays the case's,
    // `claim_balance::claim_balances` gives it to the oldest claim)…
    let periods = tx.booked_periods(case_id).await?;
    // …less what a judgment made capital (C. civ. 1343-2).
    let capitalised: Vec<(String,)> = query_as(
        "SELECT payload FROM case_events WHERE case_id = $1 AND kind = 'interest_capitalised' ORDER BY sequence",
    )
    .bind(case_id)
    .fetch_all(&mut tx)
    .await?;
    tx.commit().await?;
    let mut booked: HashMap<(i64, Account), Money> = HashMap::new();
    for period in periods {
        *booked.entry((period.claim_id, period.account)).or_default() += period.booked;
    }
    for (payload,) in capitalised {
        let corrupt =
            |what: String| StoreError::Corrupt(format!("dossier n° {case_id}, intérêts capitalisés : {what}"));
        let value: serde_json::Value = serde_json::from_str(&payload).map_err(|error| corrupt(error.to_string()))?;
        for claim in value["claims"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let (Some(claim_id), Some(amount)) = (claim["claim_id"].as_i64(), claim["amount"].as_str()) else {
                return Err(corrupt(format!("créance illisible : {claim}")));
            };
            let amount: Money = amount.parse().map_err(|_| corrupt(format!("montant « {amount} » illisible")))?;
            *booked.entry((claim_id, Account::StatutoryInterest)).or_default() -= amount;
        }
    }
    claims
        .into_iter()
        .map(|(claim_id,)| {
            let bars = time_bars.get(&claim_id).ok_or_else(|| {
                StoreError::Corrupt(format!("créance n° {claim_id} : échéances de prescription absentes"))
            })?;
            Ok(ClaimPosition {
                claim_id,
                contractual_interest_booked: booked
                    .get(&(claim_id, Account::ContractualInterest))
                    .copied()
                    .unwrap_or_default(),
                statutory_interest_booked: booked
                    .get(&(claim_id, Account::StatutoryInterest))
                    .copied()
                    .unwrap_or_default(),
                foreclosure_date: bars.foreclosure_date,
                limitation_date: bars.limitation_date,
            })
        })
        .collect()
}
