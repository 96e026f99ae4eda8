//! Four eyes: a decision above the requester's delegation waits for someone else's approval.
//!
//! The store enforces the rule itself (never the requester, and only a level that covers the
//! amount), so no screen or API call can get around it.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::case::Breakdown;
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

pub use crate::actor::Actor;
use crate::db::{query, query_as};
use crate::direct_debits::NewPlan;
use crate::four_eyes::NewApprovalRequest;
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::{Result, Store, StoreError};

/// What a write-off request became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WriteOffOutcome {
    /// Within the requester's delegation: booked at once.
    Booked { transaction_id: i64, version: i64 },
    /// Above it: waiting for another person's approval.
    Pending { request_id: i64, version: i64 },
}

/// Proposes to write off `amounts` of a case (passage en pertes), with a reason.
pub async fn propose_write_off(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    amounts: &Breakdown,
    reason: &str,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<WriteOffOutcome> {
    let booked_on = recouvre_domain::business_date::paris_date(now);
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::refused("reason_required", "indiquez le motif du passage en pertes"));
    }
    let total = amounts.total();
    let payload = json!({"amounts": amounts, "total": total, "reason": reason}).to_string();
    let mut tx = store.begin().await?;
    let balances = tx.balances(case_id).await?;
    // Checked on the balance as it stands; settled (interest to the day) only when booked now.
    ledger::write_off(&balances, amounts).map_err(crate::ledger::refused_by_ledger)?;
    // The authority matrix in force decides (its `max_write_off` per level), not a figure in the
    // code: an administrator who lowers a level's limit is obeyed at once.
    let rules = crate::workflow::rules(store).await?;
    // The case's waivers and write-offs over the window count with this one (issue 23).
    let since = now - chrono::Duration::days(crate::four_eyes::CONCESSION_WINDOW_DAYS);
    let cumulative = total.checked_add(tx.concessions_since(case_id, since).await?).unwrap_or(total);
    let within_delegation = matches!(
        rules.authority.check(actor.level, &recouvre_domain::delegation::Decision::WriteOff { amount: cumulative }),
        recouvre_domain::delegation::Verdict::Within
    );
    let outcome = if within_delegation {
        let mut version = Some(expected_version);
        let balances = tx.settled_balances(case_id, booked_on, &mut version, "write_off", actor.login, now).await?;
        let transaction = ledger::write_off(&balances, amounts).map_err(crate::ledger::refused_by_ledger)?;
        let event = tx
            .append_event(CaseEvent {
                case_id,
                expected_version: version,
                kind: EventKind::WriteOffBooked,
                payload: payload.clone(),
                actor: actor.login,
                now,
            })
            .await?;
        let reference = format!("passage en pertes : {reason}");
        let transaction_id = tx
            .book(Booking {
                case_id: Some(case_id),
                transaction: &transaction,
                booked_on,
                reference: &reference,
                reverses: None,
                actor: actor.login,
                now,
            })
            .await?;
        WriteOffOutcome::Booked { transaction_id, version: event.sequence }
    } else {
        let (request_id, version) = tx
            .open_approval_request(NewApprovalRequest {
                case_id,
                expected_version: Some(expected_version),
                event: EventKind::WriteOffRequested,
                kind: "write_off",
                payload: &payload,
                amount: total,
                reason,
                actor: actor.login,
                now,
            })
            .await?;
        WriteOffOutcome::Pending { request_id, version }
    };
    tx.commit().await?;
    Ok(outcome)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApprovalRequest {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub payload: String,
    pub amount_cents: i64,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

const REQUEST_COLUMNS: &str = "id, case_id, kind, payload, amount_cents, reason, requested_by, requested_at, status, \
    decided_by, decided_at, decision_reason";

/// Pending requests, oldest first.
pub async fn pending(store: &Store) -> Result<Vec<ApprovalRequest>> {
    let sql =
        format!("SELECT {REQUEST_COLUMNS} FROM approval_requests WHERE status = 'pending' ORDER BY requested_at, id");
    let rows = query_as(&sql).fetch_all(store).await?;
    Ok(rows)
}

impl crate::Tx {
    /// The case's pending requests, oldest first, read inside this transaction (the case page
    /// shows them where they apply: a plan waiting for approval in the plan's section).
    pub async fn case_pending_approvals(&mut self, case_id: i64) -> Result<Vec<ApprovalRequest>> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM approval_requests WHERE case_id = $1 AND status = 'pending' \
             ORDER BY requested_at, id"
        );
        let rows = query_as(&sql).bind(case_id).fetch_all(&mut *self).await?;
        Ok(rows)
    }
}

pub async fn by_id(store: &Store, id: i64) -> Result<ApprovalRequest> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM approval_requests WHERE id = $1");
    let row: Option<ApprovalRequest> = query_as(&sql).bind(id).fetch_optional(store).await?;
    row.ok_or_else(|| StoreError::not_found(format!("demande n° {id}")))
}

/// Approves or refuses a pending request. Refused with an explanation if the decider is the
/// requester, if their level does not cover the amount, or if somebody decided first.
pub async fn decide(
    store: &Store,
    request_id: i64,
    approve: bool,
    decision_reason: &str,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<ApprovalRequest> {
    let booked_on = recouvre_domain::business_date::paris_date(now);
    let request = by_id(store, request_id).await?;
    if request.requested_by == actor.login {
        return Err(StoreError::refused(
            "own_request",
            "vous ne pouvez pas décider de votre propre demande : un autre responsable doit la valider",
        ));
    }
    let proposal: serde_json::Value =
        serde_json::from_str(&request.payload).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    // One rule with the approvals page (`recouvre_app::approvals::why_not`): the authority
    // matrix judges a plan on its length and its total, a waiver on its amount and its share of
    // the debt when it was asked, a write-off on its amount.
    let amount = Money::from_cents(request.amount_cents);
    match recouvre_domain::delegation::decision_of_request(&request.kind, amount, &proposal) {
        Some(decision) => {
            let rules = crate::workflow::rules(store).await?;
            if let recouvre_domain::delegation::Verdict::Exceeds { reasons, .. } =
                rules.authority.check(actor.level, &decision)
            {
                return Err(StoreError::refused(
                    "delegation_exceeded",
                    format!("{} : transmettez à un niveau supérieur", reasons.join(" ; ")),
                ));
            }
        }
        None if !actor.level.covers(amount) => {
            return Err(StoreError::refused(
                "delegation_exceeded",
                format!(
                    "votre délégation (niveau {}) ne couvre pas {} : transmettez à un niveau supérieur",
                    actor.level.0,
                    amount.to_french()
                ),
            ));
        }
        None => {}
    }
    if !approve && decision_reason.trim().is_empty() {
        return Err(StoreError::refused("reason_required", "indiquez le motif du refus"));
    }
    let status = if approve { "approved" } else { "refused" };
    let mut tx = store.begin().await?;
    // Claim the request first: a second decider finds it no longer pending.
    let claimed = query(
        "UPDATE approval_requests SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5 \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(request_id)
    .bind(status)
    .bind(actor.login)
    .bind(now)
    .bind(decision_reason.trim())
    .execute(&mut tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Err(StoreError::conflict("already_decided", format!("la demande n° {request_id} a déjà été traitée")));
    }
    let payload = json!({"request_id": request_id, "decision_reason": decision_reason.trim(), "requested_by": request.requested_by});
    let kind = match (request.kind.as_str(), approve) {
        ("payment_plan", true) => EventKind::PlanApproved,
        ("payment_plan", false) => EventKind::PlanRefused,
        ("waiver", true) => EventKind::WaiverApproved,
        ("waiver", false) => EventKind::WaiverRefused,
        ("payment", true) => EventKind::PaymentApproved,
        ("payment", false) => EventKind::PaymentRefused,
        ("cost", true) => EventKind::CostApproved,
        ("cost", false) => EventKind::CostRefused,
        (_, true) => EventKind::WriteOffApproved,
        (_, false) => EventKind::WriteOffRefused,
    };
    tx.append_event(CaseEvent {
        case_id: request.case_id,
        expected_version: None,
        kind,
        payload: payload.to_string(),
        actor: actor.login,
        now,
    })
    .await?;
    if request.kind == "payment" {
        // A payment typed in by hand beyond its author's delegation (issue 23): booked by the
        // approval, under the approver's delegation, or not at all.
        if approve {
            tx.book_approved_payment(store, request_id, request.case_id, &proposal, actor, now).await?;
        }
    } else if request.kind == "cost" {
        // A cost above the requester's delegation (issue 18): charged and payable once approved.
        tx.decide_cost(request_id, approve, actor.login, now).await?;
    } else if approve && request.kind == "payment_plan" {
        let instalments: Vec<(NaiveDate, Money)> = proposal["instalments"]
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|line| {
                        let due_on = line["due_on"].as_str()?.parse().ok()?;
                        let amount = line["amount"].as_str()?.parse().ok()?;
                        Some((due_on, amount))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let total = crate::direct_debits::check_schedule(&instalments)?;
        let extra = json!({"request_id": request_id, "approved_by": actor.login, "agreed_by_debtor": true});
        tx.create_plan(NewPlan {
            case_id: request.case_id,
            expected_version: None,
            instalments: &instalments,
            total,
            extra,
            actor: actor.login,
            now,
        })
        .await?;
        query("UPDATE cases SET status = 'payment_plan' WHERE id = $1").bind(request.case_id).execute(&mut tx).await?;
    } else if approve {
        // A waiver or a write-off: the amounts asked for, booked as one ledger transaction.
        type Rule = fn(&ledger::Balances, &Breakdown) -> std::result::Result<ledger::Transaction, ledger::LedgerError>;
        let (rule, kind, label): (Rule, EventKind, &str) = if request.kind == "waiver" {
            (ledger::waiver, EventKind::WaiverBooked, "remise")
        } else {
            (ledger::write_off, EventKind::WriteOffBooked, "passage en pertes")
        };
        let amounts: Breakdown = serde_json::from_value(proposal["amounts"].clone())
            .map_err(|error| StoreError::Corrupt(format!("demande n° {request_id} : {error}")))?;
        let settled_for = if request.kind == "waiver" { "waiver" } else { "write_off" };
        let balances =
            tx.settled_balances(request.case_id, booked_on, &mut None, settled_for, actor.login, now).await?;
        // The case may have changed since the request: what is no longer due cannot be waived
        // or written off, and the approval fails as a whole.
        let transaction = rule(&balances, &amounts).map_err(|error| {
            StoreError::refused(
                "case_changed_since_request",
                format!("le dossier a changé depuis la demande : {error} ; refusez-la et faites-en une nouvelle"),
            )
        })?;
        let booked_payload = json!({"amounts": amounts, "request_id": request_id, "reason": request.reason});
        tx.append_event(CaseEvent {
            case_id: request.case_id,
            expected_version: None,
            kind,
            payload: booked_payload.to_string(),
            actor: actor.login,
            now,
        })
        .await?;
        let reference = format!("{label}, demande n° {request_id}");
        tx.book(Booking {
            case_id: Some(request.case_id),
            transaction: &transaction,
            booked_on,
            reference: &reference,
            reverses: None,
            actor: actor.login,
            now,
        })
        .await?;
    }
    tx.commit().await?;
    if approve {
        // The case's facts changed (a plan in force, a lower debt): the strategy re-evaluates.
        let rules = crate::workflow::rules(store).await?;
        crate::workflow::reevaluate(store, request.case_id, &rules, actor.login, now).await?;
    }
    by_id(store, request_id).await
}
