//! Transfers out (issue 21, item 4): the money that leaves the bank's collection account —
//! suspense items returned to their payer — gathered into one pain.001 file per run, each item
//! once. Like the direct debits ([`crate::direct_debits::prepare_export`]), the store picks and
//! marks the items in one transaction and has the caller write the file (the store knows no file
//! format): the transaction commits only when the file is written.
//!
//! The money itself was booked when the item was returned (`suspense::give_back`: Debit
//! Suspense, Credit BankReceipts); the file is what makes the bank pay it.
//!
//! Costs owed to third parties (issue 18: bailiffs, lawyers, agencies; `costs`) are paid in the
//! same file: each approved account payable with the payee's IBAN, once, marked `paid`.
//!
//! Overpayments refunded to their payer (`crate::refunds`) are paid in the same file too: each
//! approved refund, booked when the file is produced (Debit Overpayment, Credit BankReceipts)
//! and journaled `refund_transferred` on its case, in this transaction.
//!
//! Four eyes: an item above [`FOUR_EYES_CENTS`] is not put in a file produced by the person who
//! returned it; it waits for a file produced by someone else. A refund above it was approved by
//! someone other than its requester (`crate::refunds::decide`).
//!
//! A transfer the bank rejects (pain.002) or returns (a camt credit) is reversed by
//! `crate::transfer_returns`.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::Money;
use serde::Serialize;

use crate::db::{query, query_as};
use crate::{Store, StoreError};

/// Above this amount a transfer out is decided by two people (`crate::refunds`).
pub use crate::refunds::FOUR_EYES_CENTS;

/// End-to-end ids of our transfers start with this: `RCV-TRF-S<suspense item>`,
/// `RCV-TRF-P<account payable>`, `RCV-TRF-R<overpayment refund>`.
pub const END_TO_END_PREFIX: &str = "RCV-TRF-";

/// One transfer to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The suspense item returned to its payer; `None` for a cost paid to its third party.
    pub suspense_item_id: Option<i64>,
    /// The account payable it settles (a cost owed to the third party who invoiced it).
    pub payable_id: Option<i64>,
    /// The overpayment refund it pays (`crate::refunds`).
    pub refund_id: Option<i64>,
    /// `RCV-TRF-S<item id>`, `RCV-TRF-P<payable id>` for a cost, `RCV-TRF-R<refund id>`.
    pub end_to_end_id: String,
    pub amount: Money,
    /// Who is paid: the payer of a returned item, or the third party of a cost.
    pub payer_name: Option<String>,
    pub payer_iban: String,
    pub payer_bic: Option<String>,
    /// The payer's reference, the third party's invoice reference, or the refunded case's
    /// reference.
    pub reference: Option<String>,
}

/// The transfers of one file, marked and waiting for the file to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferFile {
    /// `RCV-TRF-<YYYYMMDD>-<n>`.
    pub message_id: String,
    pub execution_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub transfers: Vec<Transfer>,
}

/// What a transfer file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferSummary {
    pub message_id: String,
    pub version: String,
    pub execution_date: NaiveDate,
    pub count: usize,
    pub total: Money,
    /// Items above the four-eyes level returned by the person producing this file: left for
    /// a file produced by someone else.
    pub awaiting_second_person: usize,
    /// Approved refunds their case's overpayment no longer covers: left for a later file.
    pub refunds_not_covered: usize,
}

#[derive(sqlx::FromRow)]
struct Returned {
    id: i64,
    amount_cents: i64,
    payer_name: Option<String>,
    payer_iban: String,
    reference: Option<String>,
    resolved_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Payable {
    id: i64,
    amount_cents: i64,
    name: String,
    payee_iban: String,
    payee_bic: Option<String>,
    invoice_reference: String,
    approved_by: Option<String>,
}

/// Prepares the transfer file executed on `execution_date`: every suspense item returned to its
/// payer before the end of that day, with the payer's IBAN, not yet in a file, and every cost
/// payable approved before then (`costs`), is marked with
/// the file's message id and handed to `render`; the file is recorded under `version`. `None`
/// (nothing changed) when there is nothing to send. If `render` fails, nothing is marked.
pub async fn prepare_export<T, E>(
    store: &Store,
    execution_date: NaiveDate,
    version: &'static str,
    actor: &str,
    now: DateTime<Utc>,
    render: impl FnOnce(&TransferFile) -> std::result::Result<T, E>,
) -> std::result::Result<Option<(T, TransferSummary)>, E>
where
    E: From<StoreError>,
{
    let prefix = format!("RCV-TRF-{}-", execution_date.format("%Y%m%d"));
    let mut tx = store.begin().await?;
    let (export_id, message_id): (i64, String) = query_as(
        "INSERT INTO transfer_exports (message_id, execution_date, version, count, total_cents, created_by, created_at) \
         VALUES (CAST($1 AS TEXT) || CAST((SELECT COUNT(*) FROM transfer_exports WHERE execution_date = $2) + 1 AS TEXT), \
         $2, $3, 0, 0, $4, $5) RETURNING id, message_id",
    )
    .bind(&prefix)
    .bind(execution_date)
    .bind(version)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut tx)
    .await
    .map_err(E::from)?;
    let end_of_day =
        execution_date.succ_opt().unwrap_or(execution_date).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let returned: Vec<Returned> = query_as(
        "SELECT id, amount_cents, payer_name, payer_iban, reference, resolved_by FROM suspense_items \
         WHERE status = 'returned' AND transferred_in IS NULL AND payer_iban IS NOT NULL AND payer_iban <> '' \
         AND resolved_at < $1 ORDER BY id",
    )
    .bind(end_of_day)
    .fetch_all(&mut tx)
    .await
    .map_err(E::from)?;
    let mut transfers = Vec::new();
    let mut awaiting_second_person = 0;
    for item in returned {
        if item.amount_cents > FOUR_EYES_CENTS && item.resolved_by.as_deref() == Some(actor) {
            awaiting_second_person += 1;
            continue;
        }
        let claimed = query("UPDATE suspense_items SET transferred_in = $2 WHERE id = $1 AND transferred_in IS NULL")
            .bind(item.id)
            .bind(&message_id)
            .execute(&mut tx)
            .await
            .map_err(E::from)?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        transfers.push(Transfer {
            suspense_item_id: Some(item.id),
            payable_id: None,
            refund_id: None,
            end_to_end_id: format!("RCV-TRF-S{}", item.id),
            amount: Money::from_cents(item.amount_cents),
            payer_name: item.payer_name,
            payer_iban: item.payer_iban,
            payer_bic: None,
            reference: item.reference,
        });
    }
    // Costs owed to third parties, approved before the end of the day (issue 18).
    let payables: Vec<Payable> = query_as(
        "SELECT p.id, p.amount_cents, t.name, p.payee_iban, p.payee_bic, c.invoice_reference, p.approved_by \
         FROM accounts_payable p JOIN costs c ON c.id = p.cost_id JOIN third_parties t ON t.id = p.third_party_id \
         WHERE p.status = 'approved' AND p.transferred_in IS NULL AND p.payee_iban IS NOT NULL AND p.payee_iban <> '' \
         AND p.approved_at < $1 ORDER BY p.id",
    )
    .bind(end_of_day)
    .fetch_all(&mut tx)
    .await
    .map_err(E::from)?;
    for payable in payables {
        if payable.amount_cents > FOUR_EYES_CENTS && payable.approved_by.as_deref() == Some(actor) {
            awaiting_second_person += 1;
            continue;
        }
        let claimed = query(
            "UPDATE accounts_payable SET status = 'paid', transferred_in = $2 WHERE id = $1 AND transferred_in IS NULL",
        )
        .bind(payable.id)
        .bind(&message_id)
        .execute(&mut tx)
        .await
        .map_err(E::from)?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        transfers.push(Transfer {
            suspense_item_id: None,
            payable_id: Some(payable.id),
            refund_id: None,
            end_to_end_id: format!("RCV-TRF-P{}", payable.id),
            amount: Money::from_cents(payable.amount_cents),
            payer_name: Some(payable.name),
            payer_iban: payable.payee_iban,
            payer_bic: payable.payee_bic,
            reference: Some(payable.invoice_reference),
        });
    }
    // Overpayments refunded to their payer, approved before the end of the day: booked now.
    let (refunds, refunds_not_covered) =
        tx.pay_refunds(&message_id, end_of_day, execution_date, actor, now).await.map_err(E::from)?;
    for refund in refunds {
        transfers.push(Transfer {
            suspense_item_id: None,
            payable_id: None,
            refund_id: Some(refund.id),
            end_to_end_id: crate::refunds::end_to_end_id(refund.id),
            amount: refund.amount,
            payer_name: Some(refund.payee_name),
            payer_iban: refund.payee_iban,
            payer_bic: refund.payee_bic,
            reference: Some(refund.case_reference),
        });
    }
    if transfers.is_empty() {
        // Dropping the transaction rolls back the export row: no file.
        return Ok(None);
    }
    let total: Money = transfers.iter().map(|t| t.amount).sum();
    query("UPDATE transfer_exports SET count = $2, total_cents = $3 WHERE id = $1")
        .bind(export_id)
        .bind(transfers.len() as i64)
        .bind(total.cents())
        .execute(&mut tx)
        .await
        .map_err(E::from)?;
    let file = TransferFile { message_id: message_id.clone(), execution_date, created_at: now, transfers };
    let rendered = render(&file)?;
    tx.commit().await.map_err(E::from)?;
    let summary = TransferSummary {
        message_id,
        version: version.to_string(),
        execution_date,
        count: file.transfers.len(),
        total,
        awaiting_second_person,
        refunds_not_covered,
    };
    Ok(Some((rendered, summary)))
}
