//! Overpayments refunded to the payer (issue 21, item 4): money a case received beyond what was
//! due sits on its `Overpayment` account (`recouvre_domain::ledger::payment`); an officer asks
//! for it to be paid back to the payer's IBAN, a second person approves it above
//! [`FOUR_EYES_CENTS`], and the next transfer file (`crate::transfers::prepare_export`) pays it:
//! the refund is booked then (Debit `Overpayment`, Credit `BankReceipts`, `ledger::refund`),
//! journaled `refund_transferred`, in the file's transaction. A transfer the bank rejects or
//! returns is reversed (`crate::transfer_returns`): the money is back on the overpayment.
//!
//! Statuses: `pending` (above the level, waiting for a second person), `approved` (to pay),
//! `refused`, `transferred` (in a file, booked), `rejected` (sent back by the bank, reversed).

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger::{self, Account};
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::{Result, Store, StoreError, Tx};

/// Above this amount a transfer out is decided by two people (1,500.00 €): a refund is approved
/// by someone other than its requester; a returned suspense item or an approved cost is not put
/// in a file produced by the person who decided it (`crate::transfers`).
pub const FOUR_EYES_CENTS: i64 = 150_000;

/// A refund to request; the IBAN and BIC were checked by the caller
/// (`recouvre_domain::bank_identifiers`, in the application).
#[derive(Debug, Clone, Copy)]
pub struct RefundRequest<'a> {
    pub case_id: i64,
    /// The case's version the officer saw.
    pub expected_version: i64,
    pub amount: Money,
    pub payee_name: &'a str,
    pub payee_iban: &'a str,
    pub payee_bic: Option<&'a str>,
    pub reason: &'a str,
}

/// What became of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundRequested {
    pub id: i64,
    /// `approved` (within the level: paid in the next file) or `pending` (a second person must
    /// approve it).
    pub status: String,
    pub version: i64,
}

/// One refund of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Refund {
    pub id: i64,
    pub case_id: i64,
    pub amount_cents: i64,
    pub payee_name: String,
    pub payee_iban: String,
    pub payee_bic: Option<String>,
    pub reason: String,
    pub status: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub transferred_in: Option<String>,
    pub rejection_reason: Option<String>,
}

const COLUMNS: &str = "id, case_id, amount_cents, payee_name, payee_iban, payee_bic, reason, status, requested_by, \
    requested_at, decided_by, decision_reason, transferred_in, rejection_reason";

/// The overpayment of a case not yet promised to a refund (pending or approved), inside a
/// transaction.
async fn available(tx: &mut Tx, case_id: i64) -> Result<Money> {
    let overpayment = -tx.balances(case_id).await?.of(Account::Overpayment);
    let promised: i64 = query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM overpayment_refunds \
         WHERE case_id = $1 AND status IN ('pending', 'approved')",
    )
    .bind(case_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok(overpayment - Money::from_cents(promised))
}

/// Records a refund request on a case with money on its overpayment account, journaled
/// `refund_requested`: approved at once up to [`FOUR_EYES_CENTS`], else `pending` until someone
/// other than the requester approves it ([`decide`]). Refused (409 `refund_exceeds_overpayment`)
/// above the overpayment not yet promised to another refund.
pub async fn request(
    store: &Store,
    request: &RefundRequest<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<RefundRequested> {
    if !request.amount.is_positive() {
        return Err(StoreError::invalid_field("amount", "le montant du remboursement doit être positif"));
    }
    if request.reason.trim().is_empty() {
        return Err(StoreError::invalid_field("reason", "indiquez le motif du remboursement"));
    }
    let mut tx = store.begin().await?;
    let exists: Option<String> =
        query_scalar("SELECT status FROM cases WHERE id = $1").bind(request.case_id).fetch_optional(&mut tx).await?;
    if exists.is_none() {
        return Err(StoreError::not_found(format!("dossier n° {}", request.case_id)));
    }
    let available = available(&mut tx, request.case_id).await?;
    if request.amount > available {
        return Err(StoreError::conflict(
            "refund_exceeds_overpayment",
            format!(
                "le trop-perçu disponible du dossier est de {} (déjà demandés déduits) : impossible de rembourser {}",
                available.to_french(),
                request.amount.to_french()
            ),
        ));
    }
    let status = if request.amount.cents() > FOUR_EYES_CENTS { "pending" } else { "approved" };
    let id: i64 = query_scalar(
        "INSERT INTO overpayment_refunds (case_id, amount_cents, payee_name, payee_iban, payee_bic, reason, status, \
         requested_by, requested_at, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         CASE WHEN $7 = 'approved' THEN $8 END, CASE WHEN $7 = 'approved' THEN $9 END) RETURNING id",
    )
    .bind(request.case_id)
    .bind(request.amount.cents())
    .bind(request.payee_name.trim())
    .bind(request.payee_iban)
    .bind(request.payee_bic)
    .bind(request.reason.trim())
    .bind(status)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    let payload = json!({
        "refund_id": id, "amount": request.amount, "status": status, "payee_name": request.payee_name.trim(),
        "payee_iban": request.payee_iban, "payee_bic": request.payee_bic, "reason": request.reason.trim(),
    });
    let event = tx
        .append_event(CaseEvent {
            case_id: request.case_id,
            expected_version: Some(request.expected_version),
            kind: EventKind::RefundRequested,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(RefundRequested { id, status: status.to_string(), version: event.sequence })
}

/// Approves or refuses a pending refund, journaled `refund_approved` / `refund_refused`. No one
/// decides their own request (409 `own_request`); a refund no longer pending is 409
/// `already_decided`.
pub async fn decide(
    store: &Store,
    refund_id: i64,
    approve: bool,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Refund> {
    let mut tx = store.begin().await?;
    let refund = one(&mut tx, refund_id).await?;
    if refund.status != "pending" {
        return Err(StoreError::conflict(
            "already_decided",
            format!("le remboursement n° {refund_id} n'attend pas de décision (statut « {} »)", refund.status),
        ));
    }
    if refund.requested_by == actor {
        return Err(StoreError::refused(
            "own_request",
            "vous ne pouvez pas approuver votre propre demande de remboursement (double regard)",
        ));
    }
    let status = if approve { "approved" } else { "refused" };
    query(
        "UPDATE overpayment_refunds SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5 \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(refund_id)
    .bind(status)
    .bind(actor)
    .bind(now)
    .bind(reason.trim())
    .execute(&mut tx)
    .await?;
    let payload = json!({
        "refund_id": refund_id, "amount": Money::from_cents(refund.amount_cents), "decision_reason": reason.trim(),
    });
    tx.append_event(CaseEvent {
        case_id: refund.case_id,
        expected_version: None,
        kind: if approve { EventKind::RefundApproved } else { EventKind::RefundRefused },
        payload: payload.to_string(),
        actor,
        now,
    })
    .await?;
    let refund = one(&mut tx, refund_id).await?;
    tx.commit().await?;
    Ok(refund)
}

async fn one(tx: &mut Tx, refund_id: i64) -> Result<Refund> {
    let sql = format!("SELECT {COLUMNS} FROM overpayment_refunds WHERE id = $1");
    let row: Option<Refund> = query_as(&sql).bind(refund_id).fetch_optional(&mut *tx).await?;
    row.ok_or_else(|| StoreError::not_found(format!("remboursement n° {refund_id}")))
}

/// One refund.
pub async fn refund(store: &Store, refund_id: i64) -> Result<Refund> {
    let sql = format!("SELECT {COLUMNS} FROM overpayment_refunds WHERE id = $1");
    let row: Option<Refund> = query_as(&sql).bind(refund_id).fetch_optional(store).await?;
    row.ok_or_else(|| StoreError::not_found(format!("remboursement n° {refund_id}")))
}

/// The refunds of a case, newest first.
pub async fn case_refunds(store: &Store, case_id: i64) -> Result<Vec<Refund>> {
    let sql = format!("SELECT {COLUMNS} FROM overpayment_refunds WHERE case_id = $1 ORDER BY id DESC");
    query_as(&sql).bind(case_id).fetch_all(store).await
}

/// An approved refund paid in a transfer file: booked and marked by [`Tx::pay_refunds`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PaidRefund {
    pub id: i64,
    pub amount: Money,
    pub payee_name: String,
    pub payee_iban: String,
    pub payee_bic: Option<String>,
    pub case_reference: String,
}

#[derive(sqlx::FromRow)]
struct ToPay {
    id: i64,
    case_id: i64,
    amount_cents: i64,
    payee_name: String,
    payee_iban: String,
    payee_bic: Option<String>,
    reference: String,
}

/// End-to-end id of a refund's transfer.
pub fn end_to_end_id(refund_id: i64) -> String {
    format!("RCV-TRF-R{refund_id}")
}

impl Tx {
    /// Pays, inside a transfer file's transaction, every refund approved before `until`: books
    /// the refund on its case (`ledger::refund`, booking date `booked_on`), marks it
    /// `transferred` in `message_id`, journals `refund_transferred`. A refund its case's
    /// overpayment no longer covers (money reallocated meanwhile) is left approved for a later
    /// file and counted in the second value.
    pub(crate) async fn pay_refunds(
        &mut self,
        message_id: &str,
        until: DateTime<Utc>,
        booked_on: NaiveDate,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Vec<PaidRefund>, usize)> {
        let rows: Vec<ToPay> = query_as(
            "SELECT r.id, r.case_id, r.amount_cents, r.payee_name, r.payee_iban, r.payee_bic, c.reference \
             FROM overpayment_refunds r JOIN cases c ON c.id = r.case_id \
             WHERE r.status = 'approved' AND r.decided_at < $1 ORDER BY r.id",
        )
        .bind(until)
        .fetch_all(&mut *self)
        .await?;
        let mut paid = Vec::with_capacity(rows.len());
        let mut uncovered = 0;
        for row in rows {
            let amount = Money::from_cents(row.amount_cents);
            let balances = self.balances(row.case_id).await?;
            let Ok(transaction) = ledger::refund(&balances, amount) else {
                uncovered += 1;
                continue;
            };
            // Claimed first: a file produced at the same moment cannot take it too.
            let claimed = query(
                "UPDATE overpayment_refunds SET status = 'transferred', transferred_in = $2 \
                 WHERE id = $1 AND status = 'approved'",
            )
            .bind(row.id)
            .bind(message_id)
            .execute(&mut *self)
            .await?;
            if claimed.rows_affected() == 0 {
                continue;
            }
            let end_to_end_id = end_to_end_id(row.id);
            let transaction_id = self
                .book(Booking {
                    case_id: Some(row.case_id),
                    transaction: &transaction,
                    booked_on,
                    reference: &end_to_end_id,
                    reverses: None,
                    actor,
                    now,
                })
                .await?;
            query("UPDATE overpayment_refunds SET transaction_id = $2 WHERE id = $1")
                .bind(row.id)
                .bind(transaction_id)
                .execute(&mut *self)
                .await?;
            let payload = json!({
                "refund_id": row.id, "amount": amount, "end_to_end_id": end_to_end_id, "message_id": message_id,
                "transaction_id": transaction_id,
            });
            self.append_event(CaseEvent {
                case_id: row.case_id,
                expected_version: None,
                kind: EventKind::RefundTransferred,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
            paid.push(PaidRefund {
                id: row.id,
                amount,
                payee_name: row.payee_name,
                payee_iban: row.payee_iban,
                payee_bic: row.payee_bic,
                case_reference: row.reference,
            });
        }
        Ok((paid, uncovered))
    }
}
