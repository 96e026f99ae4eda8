//! Closing a case, reopening it, recording the sale of its claim, and routing money that
//! arrives once it is closed (issue 17, part 3; the rules are `recouvre_domain::closure`,
//! docs/closure.md).
//!
//! Sits above `journal`, `ledger` and `suspense`, below `payments` and `statements`, which ask
//! [`Tx::route_late_money`] what to do with money for a closed case inside their own booking
//! transaction. Whether the claim is time-barred comes from the caller (the application reads it
//! from the time-bar engine through `workflow::strategy_facts`); the case's version, quoted by
//! the closing, guarantees that nothing was booked or recorded on the case in between.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::closure::{self, ClosureFacts, ClosureReason, LateMoney, OpenProcedure};
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger::Account;
use recouvre_domain::procedure::ProcedureKind;
use recouvre_domain::Money;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::suspense::{Held, OPEN};
use crate::{Result, Store, StoreError, Tx};

/// The status a reopened case takes: the debtor paid, or the officer reopened it to act again;
/// the amicable phase is where either starts (our choice, docs/closure.md).
const REOPENED_STATUS: &str = "amicable";

/// The closing in force on a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closing {
    pub reason: ClosureReason,
    pub closed_on: NaiveDate,
    pub closed_by: String,
}

/// A recorded sale of a case's claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sale {
    pub buyer: String,
    pub price: Money,
    pub sold_on: NaiveDate,
}

/// Where a case stands as to its closing: what the case page and `GET …/closure` show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureState {
    pub case_id: i64,
    pub reference: String,
    pub version: i64,
    pub status: String,
    /// The closing in force, if the case is closed.
    pub closing: Option<Closing>,
    pub sale: Option<Sale>,
    /// The facts the conditions read (`time_barred` as the caller found it).
    pub facts: ClosureFacts,
}

impl ClosureState {
    /// The reason the form offers first (a paid-off case: `repaid`), none once closed.
    pub fn suggested(&self) -> Option<ClosureReason> {
        if self.closing.is_some() {
            return None;
        }
        closure::suggested(&self.facts)
    }

    /// For each reason, what blocks a closing on `on` (`None`: it may close).
    pub fn blockers(&self, on: NaiveDate) -> Vec<(ClosureReason, Option<closure::Blocker>)> {
        ClosureReason::ALL.iter().map(|reason| (*reason, closure::check(*reason, on, &self.facts).err())).collect()
    }
}

type CaseRow = (String, String, NaiveDate, i64);

impl Tx {
    /// The closing in force on a case, if it is closed.
    pub(crate) async fn closing_in_force(&mut self, case_id: i64) -> Result<Option<Closing>> {
        let row: Option<(String, NaiveDate, String)> = query_as(
            "SELECT k.reason, k.closed_on, k.closed_by FROM case_closures k JOIN cases c ON c.id = k.case_id \
             WHERE k.case_id = $1 AND k.reopened_at IS NULL AND c.status = 'closed' ORDER BY k.id DESC LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(&mut *self)
        .await?;
        row.map(|(reason, closed_on, closed_by)| {
            let reason = ClosureReason::from_code(&reason)
                .ok_or_else(|| StoreError::Corrupt(format!("motif de clôture inconnu « {reason} »")))?;
            Ok(Closing { reason, closed_on, closed_by })
        })
        .transpose()
    }

    /// The closing facts of a case and where it stands, read inside this transaction.
    pub async fn closure_state(&mut self, case_id: i64, time_barred: bool) -> Result<ClosureState> {
        let case: Option<CaseRow> = query_as("SELECT reference, status, opened_on, version FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&mut *self)
            .await?;
        let (reference, status, opened_on, version) =
            case.ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
        let balances = self.balances(case_id).await?;
        let approvals_pending: i64 =
            query_scalar("SELECT COUNT(*) FROM approval_requests WHERE case_id = $1 AND status = 'pending'")
                .bind(case_id)
                .fetch_one(&mut *self)
                .await?;
        let plans_active: i64 =
            query_scalar("SELECT COUNT(*) FROM payment_plans WHERE case_id = $1 AND status = 'active'")
                .bind(case_id)
                .fetch_one(&mut *self)
                .await?;
        let procedures: Vec<(i64, String, String, bool)> =
            query_as("SELECT id, kind, state, closed FROM procedures WHERE case_id = $1 ORDER BY id")
                .bind(case_id)
                .fetch_all(&mut *self)
                .await?;
        let mut open_procedures = Vec::new();
        let mut debts_erased = false;
        for (id, kind, state, closed) in procedures {
            let Some(kind) = ProcedureKind::from_code(&kind) else { continue };
            if kind == ProcedureKind::OverIndebtedness && state == "debts_erased" {
                debts_erased = true;
            }
            if !closed {
                open_procedures.push(OpenProcedure { id, kind });
            }
        }
        let sale: Option<(String, i64, NaiveDate)> =
            query_as("SELECT buyer, price_cents, sold_on FROM claim_sales WHERE case_id = $1")
                .bind(case_id)
                .fetch_optional(&mut *self)
                .await?;
        let closing = if status == "closed" { self.closing_in_force(case_id).await? } else { None };
        let sale = sale.map(|(buyer, cents, sold_on)| Sale { buyer, price: Money::from_cents(cents), sold_on });
        Ok(ClosureState {
            case_id,
            reference,
            version,
            status,
            closing,
            facts: ClosureFacts {
                opened_on,
                balance: balances.due().total(),
                written_off: balances.written_off(),
                waived: balances.of(Account::Waived),
                approvals_pending: u32::try_from(approvals_pending).unwrap_or(u32::MAX),
                plans_active: u32::try_from(plans_active).unwrap_or(u32::MAX),
                open_procedures,
                time_barred,
                // From the procedure's step (`debts_erased`), which records the decision.
                debts_erased,
                sale_recorded: sale.is_some(),
            },
            sale,
        })
    }

    /// Reopens a closed case inside this transaction: status back to the amicable phase,
    /// `closed_on` cleared, the closing marked reopened, interest resuming the day after `on`
    /// (none accrues for the days it was closed), journaled `case_reopened` with `details`.
    pub(crate) async fn reopen_case(
        &mut self,
        case_id: i64,
        expected_version: Option<i64>,
        on: NaiveDate,
        details: serde_json::Value,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let Some(closing) = self.closing_in_force(case_id).await? else {
            return Err(StoreError::refused("not_closed", "le dossier n'est pas clos : il n'y a rien à rouvrir"));
        };
        let mut payload = json!({"closure_reason": closing.reason.code(), "closed_on": closing.closed_on, "on": on});
        if let (Some(fields), serde_json::Value::Object(extra)) = (payload.as_object_mut(), details) {
            fields.extend(extra);
        }
        let event = self
            .append_event(CaseEvent {
                case_id,
                expected_version,
                kind: EventKind::CaseReopened,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
        query(
            "UPDATE cases SET status = $2, closed_on = NULL, \
             accrued_to = CASE WHEN accrued_to IS NULL OR accrued_to < $3 THEN $3 ELSE accrued_to END WHERE id = $1",
        )
        .bind(case_id)
        .bind(REOPENED_STATUS)
        .bind(on)
        .execute(&mut *self)
        .await?;
        query(
            "UPDATE case_closures SET reopened_on = $2, reopened_by = $3, reopened_at = $4 \
             WHERE case_id = $1 AND reopened_at IS NULL",
        )
        .bind(case_id)
        .bind(on)
        .bind(actor)
        .bind(now)
        .execute(&mut *self)
        .await?;
        Ok(event.sequence)
    }

    /// What to do, inside the caller's booking transaction, with money received for a case that
    /// compliance did not hold: book it (the case is open, or was closed as written off or time
    /// barred and is now reopened as a recovery), or hold it in suspense with the closing's
    /// reason, journaled on the case (`payment_after_closure`). Money held by compliance never
    /// comes here: it is not the case's.
    pub(crate) async fn route_late_money(&mut self, arrival: &LateArrival<'_>) -> Result<LateRoute> {
        let LateArrival { case_id, expected_version, amount, received_on, reference, payer_name, payer_iban, .. } =
            *arrival;
        let Some(closing) = self.closing_in_force(case_id).await? else {
            return Ok(LateRoute::Book { expected_version });
        };
        match closure::late_money(closing.reason) {
            LateMoney::Reopen => {
                let on = recouvre_domain::business_date::paris_date(arrival.now);
                let details = json!({
                    "trigger": "payment", "amount": amount, "received_on": received_on,
                    "reference": reference.unwrap_or_default(), "payer": payer_name,
                });
                self.reopen_case(case_id, expected_version, on, details, arrival.actor, arrival.now).await?;
                Ok(LateRoute::Book { expected_version: None })
            }
            LateMoney::Suspense { code } => {
                let case_reference: String = query_scalar("SELECT reference FROM cases WHERE id = $1")
                    .bind(case_id)
                    .fetch_one(&mut *self)
                    .await?;
                let reason = LateMoney::suspense_reason(code, &case_reference, closing.reason);
                let held = Held {
                    received_on,
                    amount,
                    payer_name,
                    payer_iban,
                    reference,
                    suggested_case_id: Some(case_id),
                    reason: &reason,
                    source_key: arrival.source_key,
                };
                let (item_id, transaction_id) = self
                    .hold(&held, OPEN, arrival.actor, arrival.now)
                    .await?
                    .ok_or_else(|| StoreError::conflict("already_booked", "ce paiement est déjà enregistré"))?;
                let payload = json!({
                    "amount": amount, "received_on": received_on, "route": code,
                    "closure_reason": closing.reason.code(), "suspense_item": item_id,
                    "reference": reference.unwrap_or_default(), "payer": payer_name, "payer_iban": payer_iban,
                });
                let event = self
                    .append_event(CaseEvent {
                        case_id,
                        expected_version,
                        kind: EventKind::PaymentAfterClosure,
                        payload: payload.to_string(),
                        actor: arrival.actor,
                        now: arrival.now,
                    })
                    .await?;
                Ok(LateRoute::Suspense { item_id, transaction_id, version: event.sequence, reason })
            }
        }
    }
}

/// Money received for a case, as [`Tx::route_late_money`] reads it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LateArrival<'a> {
    pub case_id: i64,
    /// The version the author saw (a payment by hand), `None` for a file's booking.
    pub expected_version: Option<i64>,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub reference: Option<&'a str>,
    pub payer_name: Option<&'a str>,
    pub payer_iban: Option<&'a str>,
    /// Unique key of the money's source: held in suspense once.
    pub source_key: &'a str,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

/// What [`Tx::route_late_money`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LateRoute {
    /// Book the money on the case as usual, journaling with this expected version (`None` once
    /// a reopening consumed the author's).
    Book { expected_version: Option<i64> },
    /// Held in suspense for an officer, journaled on the case at `version`.
    Suspense { item_id: i64, transaction_id: i64, version: i64, reason: String },
}

/// Where a case stands as to its closing; `time_barred` as the time-bar engine finds it today.
pub async fn state(store: &Store, case_id: i64, time_barred: bool) -> Result<ClosureState> {
    let mut tx = store.begin_read().await?;
    let state = tx.closure_state(case_id, time_barred).await?;
    tx.commit().await?;
    Ok(state)
}

/// A closing to record.
#[derive(Clone, Copy, Debug)]
pub struct Closure {
    pub reason: ClosureReason,
    pub on: NaiveDate,
    /// The time-bar engine finds the claim foreclosed or time-barred on `on`.
    pub time_barred: bool,
}

/// Closes a case (conditions of `recouvre_domain::closure::check`, 409 naming what blocks):
/// status `closed` and `closed_on`, the amicable procedures (or, on a debt relief, every
/// procedure but a guarantor's call) ended, the open agenda cancelled, the proposed
/// recommendation withdrawn, journaled `case_closed`; the nightly run skips closed cases, so
/// interest and recommendations stop. Returns the case's version.
pub async fn close(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    closure: Closure,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let state = tx.closure_state(case_id, closure.time_barred).await?;
    if state.version != expected_version {
        return Err(tx.stale_change(case_id, Some(expected_version)).await?);
    }
    if state.status == "closed" {
        return Err(StoreError::refused(
            "already_closed",
            "le dossier est déjà clos : rouvrez-le d'abord s'il le faut",
        ));
    }
    // The balance a closing judges is settled: interest to the closing's day booked first (issue 18).
    let mut version = Some(expected_version);
    tx.settled_balances(case_id, closure.on, &mut version, "closing", actor, now).await?;
    let state =
        if version == Some(expected_version) { state } else { tx.closure_state(case_id, closure.time_barred).await? };
    let ended = closure::check(closure.reason, closure.on, &state.facts)
        .map_err(|blocker| StoreError::refused(blocker.code, blocker.message))?;
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: version,
            kind: EventKind::CaseClosed,
            payload: json!({
                "reason": closure.reason.code(), "on": closure.on, "previous_status": state.status,
                "balance": state.facts.balance, "written_off": state.facts.written_off, "waived": state.facts.waived,
                "procedures_ended": ended.iter().map(|procedure| json!({"id": procedure.id, "kind": procedure.kind.code()})).collect::<Vec<_>>(),
            })
            .to_string(),
            actor,
            now,
        })
        .await?;
    for procedure in &ended {
        query("UPDATE procedures SET closed = $2, updated_on = $3 WHERE id = $1")
            .bind(procedure.id)
            .bind(true)
            .bind(closure.on)
            .execute(&mut tx)
            .await?;
    }
    query("UPDATE cases SET status = 'closed', closed_on = $2 WHERE id = $1")
        .bind(case_id)
        .bind(closure.on)
        .execute(&mut tx)
        .await?;
    query(
        "UPDATE agenda_items SET status = 'cancelled', closed_at = $2 WHERE case_id = $1 AND status IN ('open', 'suspended')",
    )
    .bind(case_id)
    .bind(now)
    .execute(&mut tx)
    .await?;
    query("UPDATE recommendations SET status = 'superseded' WHERE case_id = $1 AND status = 'proposed'")
        .bind(case_id)
        .execute(&mut tx)
        .await?;
    query(
        "INSERT INTO case_closures (case_id, reason, closed_on, previous_status, closed_by, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(closure.reason.code())
    .bind(closure.on)
    .bind(&state.status)
    .bind(actor)
    .bind(now)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

/// An officer reopens a closed case (`reason` is theirs, kept in the erasable part of the
/// journal): the amicable phase again, interest resuming the day after `on`. Returns the
/// case's version.
pub async fn reopen(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    on: NaiveDate,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let details = json!({"trigger": "officer", "reason": reason});
    let version = tx.reopen_case(case_id, Some(expected_version), on, details, actor, now).await?;
    tx.commit().await?;
    Ok(version)
}

/// A sale of the claim to record.
#[derive(Clone, Copy, Debug)]
pub struct SaleInput<'a> {
    pub buyer: &'a str,
    pub price: Money,
    pub on: NaiveDate,
}

/// Records the sale of a case's claim (cession de créance, C. civ. 1321), journaled
/// `claim_sold`: what a closing as `sold` rests on. One sale per case, on an open case, not
/// before it opened. Returns the case's version.
pub async fn record_sale(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    sale: SaleInput<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let case: Option<(String, NaiveDate)> =
        query_as("SELECT status, opened_on FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut tx).await?;
    let (status, opened_on) = case.ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
    if status == "closed" {
        return Err(StoreError::refused(
            "already_closed",
            "le dossier est clos : rouvrez-le avant d'enregistrer une cession",
        ));
    }
    if sale.on < opened_on {
        return Err(StoreError::invalid_field(
            "on",
            format!(
                "le dossier est entré au contentieux le {} : la cession ne peut être datée avant",
                opened_on.format("%d/%m/%Y")
            ),
        ));
    }
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::ClaimSold,
            payload: json!({"buyer": sale.buyer, "price": sale.price, "on": sale.on}).to_string(),
            actor,
            now,
        })
        .await?;
    let inserted = query(
        "INSERT INTO claim_sales (case_id, buyer, price_cents, sold_on, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(case_id)
    .bind(sale.buyer)
    .bind(sale.price.cents())
    .bind(sale.on)
    .bind(actor)
    .bind(now)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StoreError::refused("already_sold", "une cession de cette créance est déjà enregistrée"));
    }
    tx.commit().await?;
    Ok(event.sequence)
}
