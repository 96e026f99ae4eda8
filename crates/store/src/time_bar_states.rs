//! Each case's and each claim's current time-bar state, stored (issue 18: "each claim's current
//! time-bar state is stored and updated by the events that change it, so a night reads it instead
//! of re-deriving a million histories").
//!
//! [`Tx::refresh_time_bars`] re-derives one case's state from its own history (`time_bars`: the
//! money received and the procedure steps) and stores it, in the transaction of the write that
//! changed that history. It is called from the two places those writes happen: `Tx::book` for
//! money received or reversed (a payment by hand, by statement, by direct debit, from suspense;
//! `TransactionKind::moves_time_bars`), `Tx::append_event` for a procedure step (court claims and
//! their end, titles, enforcement acts, over-indebtedness), a claim added by intake and a plan
//! (`EventKind::moves_time_bars`). Those two modules call back only this method.
//!
//! A state holds for the days of its [`Validity`]: a night for an earlier day than the latest event
//! taken, or a day an open suspension reaches its two-year cap, derives from the history instead.
//! Cases without a state (databases older than the table) are derived and stored by the nightly
//! run ([`Tx::store_time_bars`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::business_date::paris_date;
use recouvre_domain::case::ClaimNature;
use recouvre_domain::time_bar::{
    outstanding_schedule, split_payments, ScheduledInstalment, TimeBarEvent, TimeBarEventKind,
};
use recouvre_domain::Money;
use serde::Serialize;

use crate::db::{query_as, MultiRow};
use crate::time_bars::{case_time_bars, formal_notice_on, CaseTimeBars, Validity};
use crate::{Result, Store, StoreError, Tx};

/// A case's stored state: its time bars, the earliest formal notice (for the interest), and the
/// days it holds for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CaseState {
    pub bars: CaseTimeBars,
    pub formal_notice_on: Option<NaiveDate>,
    pub validity: Validity,
}

/// One claim's stored time bars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClaimState {
    pub case_id: i64,
    pub bars: CaseTimeBars,
}

/// What a derivation of a range of cases gives: the cases' states and their claims'.
#[derive(Debug, Default)]
pub(crate) struct Derived {
    pub cases: HashMap<i64, CaseState>,
    pub claims: HashMap<i64, ClaimState>,
}

/// A claim row as the derivation reads it.
/// (id, case, nature, due on, first incident, principal cents)
type ClaimInput = (i64, i64, String, NaiveDate, Option<NaiveDate>, i64);

type StateRow = (
    i64,
    Option<NaiveDate>,
    String,
    NaiveDate,
    String,
    Option<NaiveDate>,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

type ClaimStateRow = (i64, Option<NaiveDate>, String, NaiveDate, String, Option<NaiveDate>, Option<String>);

const CLAIM_COLUMNS: &str = "claim_id, limitation_date, limitation_event, limitation_event_on, limitation_article, \
     foreclosure_date, foreclosure_article";

const CASE_COLUMNS: &str = "case_id, limitation_date, limitation_event, limitation_event_on, limitation_article, \
     foreclosure_date, foreclosure_article, formal_notice_on, derived_through, recheck_on";

impl Tx {
    /// Re-derives the time bars of `case_id` and of each of its claims from the case's history and
    /// stores them (five reads and writes whatever the case). Called in the transaction of every
    /// write that changes that history (see the module's documentation).
    pub(crate) async fn refresh_time_bars(&mut self, case_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.store_time_bars(case_id, case_id, None, paris_date(now), now).await?;
        Ok(())
    }

    /// Derives, as known on `today`, the time bars of the cases `first..=last` (only those of
    /// `only` when given) and of their claims, and stores them. Reads the range's claims and
    /// history (three queries) and writes in multi-row statements.
    pub(crate) async fn store_time_bars(
        &mut self,
        first: i64,
        last: i64,
        only: Option<&HashSet<i64>>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Derived> {
        let derived = self.derive_time_bars(first, last, only, today).await?;
        let cases: Vec<(&i64, &CaseState)> = derived.cases.iter().collect();
        MultiRow::new(
            "INSERT INTO case_time_bars (case_id, limitation_date, limitation_event, limitation_event_on, \
             limitation_article, foreclosure_date, foreclosure_article, formal_notice_on, derived_through, recheck_on, \
             updated_at) ",
            11,
        )
        .tail(
            " ON CONFLICT (case_id) DO UPDATE SET limitation_date = excluded.limitation_date, \
             limitation_event = excluded.limitation_event, limitation_event_on = excluded.limitation_event_on, \
             limitation_article = excluded.limitation_article, foreclosure_date = excluded.foreclosure_date, \
             foreclosure_article = excluded.foreclosure_article, formal_notice_on = excluded.formal_notice_on, \
             derived_through = excluded.derived_through, recheck_on = excluded.recheck_on, updated_at = excluded.updated_at",
        )
        .execute(self, &cases, |values, (case_id, state)| {
            values
                .push(**case_id)
                .push(state.bars.limitation_date)
                .push(state.bars.limitation_event.as_str())
                .push(state.bars.limitation_event_on)
                .push(state.bars.limitation_basis.as_str())
                .push(state.bars.foreclosure_date)
                .push(state.bars.foreclosure_basis.as_deref())
                .push(state.formal_notice_on)
                .push(state.validity.derived_through)
                .push(state.validity.recheck_on)
                .push(now);
        })
        .await?;
        let claims: Vec<(&i64, &ClaimState)> = derived.claims.iter().collect();
        MultiRow::new(
            "INSERT INTO claim_time_bars (claim_id, case_id, limitation_date, limitation_event, limitation_event_on, \
             limitation_article, foreclosure_date, foreclosure_article, updated_at) ",
            9,
        )
        .tail(
            " ON CONFLICT (claim_id) DO UPDATE SET limitation_date = excluded.limitation_date, \
             limitation_event = excluded.limitation_event, limitation_event_on = excluded.limitation_event_on, \
             limitation_article = excluded.limitation_article, foreclosure_date = excluded.foreclosure_date, \
             foreclosure_article = excluded.foreclosure_article, updated_at = excluded.updated_at",
        )
        .execute(self, &claims, |values, (claim_id, state)| {
            values
                .push(**claim_id)
                .push(state.case_id)
                .push(state.bars.limitation_date)
                .push(state.bars.limitation_event.as_str())
                .push(state.bars.limitation_event_on)
                .push(state.bars.limitation_basis.as_str())
                .push(state.bars.foreclosure_date)
                .push(state.bars.foreclosure_basis.as_deref())
                .push(now);
        })
        .await?;
        Ok(derived)
    }

    /// Derives, as known on `today`, the time bars of the cases `first..=last` (only those of
    /// `only` when given) and of their claims from their history, storing nothing.
    pub(crate) async fn derive_time_bars(
        &mut self,
        first: i64,
        last: i64,
        only: Option<&HashSet<i64>>,
        today: NaiveDate,
    ) -> Result<Derived> {
        let claims: Vec<ClaimInput> = query_as(
            "SELECT id, case_id, nature, due_on, first_incident_on, principal_cents FROM claims \
             WHERE case_id BETWEEN $1 AND $2 ORDER BY case_id, principal_cents DESC, id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *self)
        .await?;
        let histories = self.time_bar_histories(first, last).await?;
        // The loans' schedules as core banking sent them (parties file), by claim.
        let schedule_rows: Vec<(i64, NaiveDate, i64)> = query_as(
            "SELECT s.claim_id, s.due_on, s.amount_cents FROM claim_instalments s JOIN claims c ON c.id = s.claim_id \
             WHERE c.case_id BETWEEN $1 AND $2 ORDER BY s.claim_id, s.due_on",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *self)
        .await?;
        let mut loan_schedules: HashMap<i64, Vec<ScheduledInstalment>> = HashMap::new();
        for (claim_id, due_on, cents) in schedule_rows {
            loan_schedules
                .entry(claim_id)
                .or_default()
                .push(ScheduledInstalment { due_on, amount: Money::from_cents(cents) });
        }
        let mut by_case: HashMap<i64, Vec<&ClaimInput>> = HashMap::new();
        for claim in &claims {
            if only.is_none_or(|only| only.contains(&claim.1)) {
                by_case.entry(claim.1).or_default().push(claim);
            }
        }
        let mut derived = Derived::default();
        for (case_id, claims) in by_case {
            let history = histories.get(&case_id).map(Vec::as_slice).unwrap_or(&[]);
            let nature_of = |claim: &ClaimInput| {
                ClaimNature::from_code(&claim.2).ok_or_else(|| {
                    StoreError::Corrupt(format!("créance n° {} : nature « {} » inconnue", claim.0, claim.2))
                })
            };
            // What each consumer credit owed at intake by its schedule (C. consom. R312-35), and
            // each one's share of the payments, the oldest instalments first (C. civ. 1342-10).
            let mut outstanding: BTreeMap<i64, Vec<ScheduledInstalment>> = BTreeMap::new();
            for claim in &claims {
                if let (Some(schedule), Some(first_incident_on)) = (loan_schedules.get(&claim.0), claim.4) {
                    if nature_of(claim)?.is_consumer_credit() {
                        let principal = Money::from_cents(claim.5);
                        let due = outstanding_schedule(schedule, first_incident_on, claim.3, principal);
                        if !due.is_empty() {
                            outstanding.insert(claim.0, due);
                        }
                    }
                }
            }
            let plan_from = history
                .iter()
                .filter(|event| event.kind == TimeBarEventKind::ReschedulingPlan)
                .map(|event| event.date)
                .min();
            let shares = split_payments(&outstanding, history, plan_from);
            // A claim with a schedule: the history with its share of the payments instead of
            // the case's (none is built for the claims without one, most of them).
            let foreclosure_history = |claim_id: i64| -> Option<Vec<TimeBarEvent>> {
                let share = shares.get(&claim_id)?;
                let mut events: Vec<TimeBarEvent> = history
                    .iter()
                    .filter(|event| event.kind != TimeBarEventKind::Payment)
                    .chain(share.iter())
                    .cloned()
                    .collect();
                // Stable: as the history, each day's payments before its steps.
                events.sort_by_key(|event| (event.date, event.kind != TimeBarEventKind::Payment));
                Some(events)
            };
            for claim in &claims {
                let schedule = outstanding.get(&claim.0).map(Vec::as_slice).unwrap_or(&[]);
                let own = foreclosure_history(claim.0);
                let bars =
                    case_time_bars(nature_of(claim)?, claim.3, claim.4, schedule, history, own.as_deref(), today)?;
                derived.claims.insert(claim.0, ClaimState { case_id, bars });
            }
            // The case as the strategy and the nightly watch see it: the largest claim's nature
            // (the first, by the query's order), the earliest due date and first incident, and
            // the consumer credits' outstanding schedules together with every payment.
            let Some(main) = claims.first() else { continue };
            let due_on = claims.iter().map(|claim| claim.3).min().unwrap_or(main.3);
            let first_incident_on = claims.iter().filter_map(|claim| claim.4).min();
            let mut schedule: Vec<ScheduledInstalment> = outstanding.values().flatten().copied().collect();
            schedule.sort_by_key(|instalment| instalment.due_on);
            let bars = case_time_bars(nature_of(main)?, due_on, first_incident_on, &schedule, history, None, today)?;
            derived.cases.insert(
                case_id,
                CaseState { bars, formal_notice_on: formal_notice_on(history), validity: Validity::of(history, today) },
            );
        }
        Ok(derived)
    }

    /// The stored states of the cases `first..=last`, by case id (one read).
    pub(crate) async fn stored_case_time_bars(&mut self, first: i64, last: i64) -> Result<HashMap<i64, CaseState>> {
        let rows: Vec<StateRow> =
            query_as(format!("SELECT {CASE_COLUMNS} FROM case_time_bars WHERE case_id BETWEEN $1 AND $2"))
                .bind(first)
                .bind(last)
                .fetch_all(&mut *self)
                .await?;
        Ok(rows.into_iter().map(case_state).collect())
    }

    /// The time bars of `case_id` as known on `day`: the stored state when it holds that day,
    /// derived from the history otherwise (and then stored when `store_on_miss` and the case had
    /// no state, or one an open suspension's cap has overtaken). `None` for a case without claims.
    pub(crate) async fn case_time_bars_on(
        &mut self,
        case_id: i64,
        day: NaiveDate,
        store_on_miss: Option<DateTime<Utc>>,
    ) -> Result<Option<CaseState>> {
        let stored = self.stored_case_time_bars(case_id, case_id).await?.remove(&case_id);
        if let Some(state) = stored.as_ref().filter(|state| state.validity.holds_on(day)) {
            return Ok(Some(state.clone()));
        }
        let renew = stored.as_ref().is_none_or(|state| state.validity.derived_through.is_none_or(|from| from <= day));
        let mut derived = match store_on_miss {
            Some(now) if renew => self.store_time_bars(case_id, case_id, None, day, now).await?,
            _ => self.derive_time_bars(case_id, case_id, None, day).await?,
        };
        Ok(derived.cases.remove(&case_id))
    }

    /// The time bars of each claim of `case_id` as known on `day`, by claim id: the stored ones
    /// when the case's state holds that day, derived from the history otherwise.
    pub(crate) async fn claim_time_bars_on(
        &mut self,
        case_id: i64,
        day: NaiveDate,
    ) -> Result<HashMap<i64, CaseTimeBars>> {
        let stored = self.stored_case_time_bars(case_id, case_id).await?.remove(&case_id);
        if stored.is_some_and(|state| state.validity.holds_on(day)) {
            let rows: Vec<ClaimStateRow> =
                query_as(format!("SELECT {CLAIM_COLUMNS} FROM claim_time_bars WHERE case_id = $1"))
                    .bind(case_id)
                    .fetch_all(&mut *self)
                    .await?;
            let bars: HashMap<i64, CaseTimeBars> = rows.into_iter().map(claim_bars).collect();
            let claims: i64 = crate::db::query_scalar("SELECT COUNT(*) FROM claims WHERE case_id = $1")
                .bind(case_id)
                .fetch_one(&mut *self)
                .await?;
            // Every claim has its row once the case has one (they are written together).
            if i64::try_from(bars.len()).is_ok_and(|stored| stored == claims) {
                return Ok(bars);
            }
        }
        let derived = self.derive_time_bars(case_id, case_id, None, day).await?;
        Ok(derived.claims.into_iter().map(|(claim_id, state)| (claim_id, state.bars)).collect())
    }
}

fn claim_bars(row: ClaimStateRow) -> (i64, CaseTimeBars) {
    let (
        claim_id,
        limitation_date,
        limitation_event,
        limitation_event_on,
        limitation_basis,
        foreclosure_date,
        foreclosure_basis,
    ) = row;
    let bars = CaseTimeBars {
        foreclosure_date,
        limitation_date,
        limitation_basis,
        limitation_event,
        limitation_event_on,
        foreclosure_basis,
    };
    (claim_id, bars)
}

fn case_state(row: StateRow) -> (i64, CaseState) {
    let (
        id,
        limitation_date,
        limitation_event,
        limitation_event_on,
        limitation_basis,
        foreclosure_date,
        foreclosure_basis,
        formal_notice_on,
        derived_through,
        recheck_on,
    ) = row;
    (
        id,
        CaseState {
            bars: CaseTimeBars {
                foreclosure_date,
                limitation_date,
                limitation_basis,
                limitation_event,
                limitation_event_on,
                foreclosure_basis,
            },
            formal_notice_on,
            validity: Validity { derived_through, recheck_on },
        },
    )
}

/// A claim whose stored time bars differ from a derivation of its history, or that has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateMismatch {
    pub case_id: i64,
    /// `None` for the case's own state.
    pub claim_id: Option<i64>,
    /// What is stored (`None`: nothing) and what the history gives, as text.
    pub stored: Option<String>,
    pub derived: String,
}

/// What [`check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StateCheck {
    /// Cases and claims compared.
    pub cases: u64,
    pub claims: u64,
    pub mismatches: Vec<StateMismatch>,
}

fn describe(bars: &CaseTimeBars) -> String {
    format!(
        "prescription {:?} ({} du {}, {}), forclusion {:?} ({:?})",
        bars.limitation_date,
        bars.limitation_event,
        bars.limitation_event_on,
        bars.limitation_basis,
        bars.foreclosure_date,
        bars.foreclosure_basis
    )
}

/// Compares every stored state of the cases `first..=last` with a fresh derivation of their
/// history on `day` (a control, and the tests' proof that the writes keep the states true).
/// Cases and claims without a stored state are reported too.
pub async fn check(store: &Store, first: i64, last: i64, day: NaiveDate) -> Result<StateCheck> {
    let mut tx = store.begin_read().await?;
    let derived = tx.derive_time_bars(first, last, None, day).await?;
    let stored_cases = tx.stored_case_time_bars(first, last).await?;
    let rows: Vec<ClaimStateRow> =
        query_as(format!("SELECT {CLAIM_COLUMNS} FROM claim_time_bars WHERE case_id BETWEEN $1 AND $2"))
            .bind(first)
            .bind(last)
            .fetch_all(&mut tx)
            .await?;
    tx.commit().await?;
    let stored_claims: HashMap<i64, CaseTimeBars> = rows.into_iter().map(claim_bars).collect();
    let mut check = StateCheck::default();
    let mut case_ids: Vec<&i64> = derived.cases.keys().collect();
    case_ids.sort();
    for case_id in case_ids {
        check.cases += 1;
        let fresh = &derived.cases[case_id];
        let stored = stored_cases.get(case_id);
        if stored.map(|state| (&state.bars, state.formal_notice_on)) != Some((&fresh.bars, fresh.formal_notice_on)) {
            check.mismatches.push(StateMismatch {
                case_id: *case_id,
                claim_id: None,
                stored: stored.map(|state| describe(&state.bars)),
                derived: describe(&fresh.bars),
            });
        }
    }
    let mut claim_ids: Vec<&i64> = derived.claims.keys().collect();
    claim_ids.sort();
    for claim_id in claim_ids {
        check.claims += 1;
        let fresh = &derived.claims[claim_id];
        let stored = stored_claims.get(claim_id);
        if stored != Some(&fresh.bars) {
            check.mismatches.push(StateMismatch {
                case_id: fresh.case_id,
                claim_id: Some(*claim_id),
                stored: stored.map(describe),
                derived: describe(&fresh.bars),
            });
        }
    }
    Ok(check)
}

/// Re-derives and stores the time bars of `case_id` and its claims, in a transaction of its own:
/// after a correction made outside the application (a claim's dates fixed in the database), as
/// the application's own writes do in theirs.
pub async fn refresh(store: &Store, case_id: i64, now: DateTime<Utc>) -> Result<()> {
    let mut tx = store.begin().await?;
    tx.refresh_time_bars(case_id, now).await?;
    tx.commit().await
}
