//! Transfers that come back (issue 21, items 3 and 4): the bank rejects one of our transfers out
//! in its payment status report (pain.002), or the beneficiary's bank returns it later (a credit
//! on our statement quoting our end-to-end id `RCV-TRF-…`). Either way the transfer is undone,
//! once, with the bank's reason code ([`Tx::reverse_transfer`]):
//!
//! - a suspense item returned to its payer (`RCV-TRF-S…`): the booking made when it was returned
//!   (Debit Suspense, Credit BankReceipts) is reversed by a `reversal` transaction; the item is
//!   back in suspense (`open`), for an officer to decide again;
//! - an overpayment refund (`RCV-TRF-R…`): the refund booked when the file was produced is
//!   reversed on the case (the money is back on its overpayment); the refund is `rejected`;
//!   journaled `transfer_rejected`;
//! - a cost paid to a third party (`RCV-TRF-P…`): nothing was booked when it was paid (the cost
//!   was charged when recorded), so nothing is reversed; the payable is owed again (`approved`,
//!   out of its file) and goes into the next file; journaled `transfer_rejected` on the case.
//!
//! Each rejection is recorded in `transfer_rejections` under its source (the report's original
//! message and end-to-end id, or the statement entry's key): applying it twice does nothing.
//!
//! A pain.002 on one of our direct-debit files rejects collections: each is booked back through
//! `crate::direct_debits` (`Tx::apply_return`), as a camt return would be. A report is imported in
//! one transaction, all or nothing ([`import_status_report`]).

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger::Transaction;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::direct_debits::ReturnOutcome;
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::{Result, Store, StoreError, Tx};

/// One transfer of ours coming back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferReturn {
    /// `RCV-TRF-S…`, `RCV-TRF-P…` or `RCV-TRF-R…`.
    pub end_to_end_id: String,
    /// The ISO reason code (`AC04`, `AM05`…; `NARR` when the bank gave none).
    pub reason_code: String,
    pub returned_on: NaiveDate,
    /// The pain.001 `MsgId` the report names (`OrgnlMsgId`); `None` for a statement's credit,
    /// which names no file (the transfer's current file is taken).
    pub message_id: Option<String>,
    /// Unique key of this rejection: `pain002:<message>/<end-to-end id>` or the statement
    /// entry's key.
    pub source_key: String,
    /// Where the file reports it, for the messages.
    pub line: u32,
}

/// What became of one transfer coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TransferReturnOutcome {
    Reversed { end_to_end_id: String, case_id: Option<i64>, reversal_transaction_id: Option<i64> },
    AlreadyApplied { end_to_end_id: String },
}

/// Which of our records a transfer's end-to-end id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Suspense(i64),
    Payable(i64),
    Refund(i64),
}

fn parse_end_to_end(end_to_end_id: &str) -> Option<Sent> {
    let rest = end_to_end_id.strip_prefix(crate::transfers::END_TO_END_PREFIX)?;
    let (kind, digits) = rest.split_at_checked(1)?;
    let id: i64 = digits.parse().ok().filter(|id| *id > 0 && digits.bytes().all(|b| b.is_ascii_digit()))?;
    match kind {
        "S" => Some(Sent::Suspense(id)),
        "P" => Some(Sent::Payable(id)),
        "R" => Some(Sent::Refund(id)),
        _ => None,
    }
}

fn not_sent(end_to_end_id: &str, detail: &str) -> StoreError {
    StoreError::refused("transfer_not_sent", format!("virement « {end_to_end_id} » : {detail}"))
}

impl Tx {
    /// Undoes one of our transfers the bank rejected or returned (see the module's doc), inside
    /// this transaction. Writes nothing when it returns an error or
    /// [`TransferReturnOutcome::AlreadyApplied`].
    pub async fn reverse_transfer(
        &mut self,
        transfer: &TransferReturn,
        file_name: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<TransferReturnOutcome> {
        let end_to_end_id = transfer.end_to_end_id.trim();
        let reason = transfer.reason_code.trim();
        let known: Option<i64> = query_scalar("SELECT id FROM transfer_rejections WHERE source_key = $1")
            .bind(&transfer.source_key)
            .fetch_optional(&mut *self)
            .await?;
        if known.is_some() {
            return Ok(TransferReturnOutcome::AlreadyApplied { end_to_end_id: end_to_end_id.to_string() });
        }
        let sent = parse_end_to_end(end_to_end_id).ok_or_else(|| {
            StoreError::not_found(format!("virement d'identifiant de bout en bout « {end_to_end_id} »"))
        })?;
        // The file the transfer is in now, if it is out (status as each kind keeps it).
        let (table, out_status) = match sent {
            Sent::Suspense(_) => ("suspense_items", "returned"),
            Sent::Payable(_) => ("accounts_payable", "paid"),
            Sent::Refund(_) => ("overpayment_refunds", "transferred"),
        };
        let id = match sent {
            Sent::Suspense(id) | Sent::Payable(id) | Sent::Refund(id) => id,
        };
        let row: Option<(String, Option<String>)> =
            query_as(format!("SELECT status, transferred_in FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *self)
                .await?;
        let Some((status, current)) = row else {
            return Err(StoreError::not_found(format!("virement d'identifiant de bout en bout « {end_to_end_id} »")));
        };
        let Some(current) = current.filter(|_| status == out_status) else {
            return Err(not_sent(
                end_to_end_id,
                "il n'est dans aucun fichier de virements en cours (déjà contrepassé ?)",
            ));
        };
        if let Some(expected) = transfer.message_id.as_deref() {
            if expected != current {
                return Err(not_sent(
                    end_to_end_id,
                    &format!("le rapport le dit dans le fichier « {expected} », il est dans « {current} »"),
                ));
            }
        }
        let (case_id, reversal_transaction_id) = match sent {
            Sent::Suspense(item) => {
                (None, Some(self.reverse_suspense_return(item, end_to_end_id, transfer, actor, now).await?))
            }
            Sent::Refund(refund) => {
                let (case_id, reversal) = self.reverse_refund(refund, end_to_end_id, transfer, actor, now).await?;
                (Some(case_id), Some(reversal))
            }
            Sent::Payable(payable) => {
                (Some(self.reopen_payable(payable, end_to_end_id, transfer, actor, now).await?), None)
            }
        };
        query(
            "INSERT INTO transfer_rejections (source_key, end_to_end_id, message_id, reason_code, returned_on, \
             reversal_transaction_id, file_name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&transfer.source_key)
        .bind(end_to_end_id)
        .bind(&current)
        .bind(reason)
        .bind(transfer.returned_on)
        .bind(reversal_transaction_id)
        .bind(file_name)
        .bind(actor)
        .bind(now)
        .execute(&mut *self)
        .await?;
        Ok(TransferReturnOutcome::Reversed {
            end_to_end_id: end_to_end_id.to_string(),
            case_id,
            reversal_transaction_id,
        })
    }

    /// Books the reversal of transaction `original` (on its case, or the case-less ledger).
    async fn book_reversal_of(
        &mut self,
        original: i64,
        case_id: Option<i64>,
        reference: &str,
        booked_on: NaiveDate,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let original_transaction = self.transaction_to_reverse(original, &format!("l'écriture n° {original}")).await?;
        let reversal = Transaction::reversal_of(&original_transaction);
        self.book(Booking {
            case_id,
            transaction: &reversal,
            booked_on,
            reference,
            reverses: Some(original),
            actor,
            now,
        })
        .await
    }

    async fn reverse_suspense_return(
        &mut self,
        item: i64,
        end_to_end_id: &str,
        transfer: &TransferReturn,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        // The booking of the return (`suspense::give_back`), not reversed yet.
        let original: Option<i64> = query_scalar(
            "SELECT t.id FROM ledger_transactions t WHERE t.case_id IS NULL AND t.kind = 'refund' AND t.reference = $1 \
             AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses = t.id) ORDER BY t.id DESC",
        )
        .bind(format!("retour instance n° {item}"))
        .fetch_optional(&mut *self)
        .await?;
        let original = original.ok_or_else(|| {
            StoreError::Corrupt(format!("l'élément n° {item} du compte d'instance rendu n'a pas d'écriture de retour"))
        })?;
        let reversal = self.book_reversal_of(original, None, end_to_end_id, transfer.returned_on, actor, now).await?;
        query(
            "UPDATE suspense_items SET status = 'open', transferred_in = NULL, resolved_by = NULL, resolved_at = NULL, \
             reason = reason || $2 WHERE id = $1",
        )
        .bind(item)
        .bind(format!(" — virement de retour rejeté par la banque ({})", transfer.reason_code.trim()))
        .execute(&mut *self)
        .await?;
        Ok(reversal)
    }

    async fn reverse_refund(
        &mut self,
        refund: i64,
        end_to_end_id: &str,
        transfer: &TransferReturn,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(i64, i64)> {
        let (case_id, amount_cents, transaction_id): (i64, i64, Option<i64>) =
            query_as("SELECT case_id, amount_cents, transaction_id FROM overpayment_refunds WHERE id = $1")
                .bind(refund)
                .fetch_one(&mut *self)
                .await?;
        let original = transaction_id
            .ok_or_else(|| StoreError::Corrupt(format!("le remboursement n° {refund} viré n'a pas d'écriture")))?;
        let reversal =
            self.book_reversal_of(original, Some(case_id), end_to_end_id, transfer.returned_on, actor, now).await?;
        query("UPDATE overpayment_refunds SET status = 'rejected', rejection_reason = $2 WHERE id = $1")
            .bind(refund)
            .bind(transfer.reason_code.trim())
            .execute(&mut *self)
            .await?;
        self.journal_rejection(
            case_id,
            end_to_end_id,
            transfer,
            Money::from_cents(amount_cents),
            Some(reversal),
            actor,
            now,
        )
        .await?;
        Ok((case_id, reversal))
    }

    async fn reopen_payable(
        &mut self,
        payable: i64,
        end_to_end_id: &str,
        transfer: &TransferReturn,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (case_id, amount_cents): (i64, i64) = query_as(
            "SELECT c.case_id, p.amount_cents FROM accounts_payable p JOIN costs c ON c.id = p.cost_id WHERE p.id = $1",
        )
        .bind(payable)
        .fetch_one(&mut *self)
        .await?;
        query("UPDATE accounts_payable SET status = 'approved', transferred_in = NULL WHERE id = $1")
            .bind(payable)
            .execute(&mut *self)
            .await?;
        self.journal_rejection(case_id, end_to_end_id, transfer, Money::from_cents(amount_cents), None, actor, now)
            .await?;
        Ok(case_id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn journal_rejection(
        &mut self,
        case_id: i64,
        end_to_end_id: &str,
        transfer: &TransferReturn,
        amount: Money,
        reversal: Option<i64>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let payload = json!({
            "end_to_end_id": end_to_end_id, "amount": amount, "reason": transfer.reason_code.trim(),
            "returned_on": transfer.returned_on, "reverses": reversal,
        });
        self.append_event(CaseEvent {
            case_id,
            expected_version: None,
            kind: EventKind::TransferRejected,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Payment status reports (pain.002)
// ---------------------------------------------------------------------------------------------

/// What the original message of a report was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginalKind {
    /// A pain.001 of ours (`transfer_exports`).
    Transfers,
    /// A pain.008 of ours (`direct_debit_exports`).
    DirectDebits,
}

/// One rejection a report makes: of one transaction (its end-to-end id), of a whole payment
/// information block, or of the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub end_to_end_id: Option<String>,
    /// `OrgnlPmtInfId` when the block is rejected without its transactions listed.
    pub payment_information_id: Option<String>,
    pub reason_code: String,
    pub line: u32,
}

/// A payment status report, as values (the application reads the file).
#[derive(Debug, Clone, Copy)]
pub struct StatusReportFile<'a> {
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub original_kind: OriginalKind,
    /// `OrgnlMsgId`, with its line.
    pub original_message_id: &'a str,
    pub line: u32,
    /// The report's date: the date of the rejections.
    pub reported_on: NaiveDate,
    pub rejections: &'a [Rejection],
    /// Transactions the report accepts (or leaves pending): nothing to do.
    pub accepted: u64,
}

/// What a report changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusReportOutcome {
    pub original_message_id: String,
    /// Transactions rejected and reversed now.
    pub rejected: u64,
    /// Rejections applied by an earlier import of this report (or another).
    pub already_applied: u64,
    /// Transactions accepted or pending: nothing changed.
    pub accepted: u64,
}

/// The `imports.kind` of a payment status report.
pub const IMPORT_KIND: &str = "payment_status";

/// Imports a payment status report in ONE transaction, all or nothing: records the file
/// (`imports`, once per SHA-256), then applies each rejection — a rejected transfer reversed
/// ([`Tx::reverse_transfer`]), a rejected collection booked back (`Tx::apply_return`). A file
/// or transaction Recouvre did not send is refused naming the file, its line and field; nothing
/// is written. Idempotent: a rejection already applied is not applied again.
pub async fn import_status_report(
    store: &Store,
    file: &StatusReportFile<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<StatusReportOutcome> {
    let mut tx = store.begin().await?;
    let nothing = "rien n'a été importé de ce fichier";
    let exports = match file.original_kind {
        OriginalKind::Transfers => "transfer_exports",
        OriginalKind::DirectDebits => "direct_debit_exports",
    };
    let known: Option<i64> = query_scalar(format!("SELECT id FROM {exports} WHERE message_id = $1"))
        .bind(file.original_message_id)
        .fetch_optional(&mut tx)
        .await?;
    if known.is_none() {
        return Err(StoreError::Invalid {
            field: Some("OrgnlMsgId".into()),
            message: format!(
                "{}, ligne {} : le rapport porte sur le fichier « {} », que Recouvre n'a pas émis ; {nothing}",
                file.file_name, file.line, file.original_message_id
            ),
        });
    }
    query(
        "INSERT INTO imports (kind, file_name, file_sha256, lines, cases_created, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (kind, file_sha256) DO NOTHING",
    )
    .bind(IMPORT_KIND)
    .bind(file.file_name)
    .bind(file.file_sha256)
    .bind(file.rejections.len() as i64)
    .bind(actor)
    .bind(now)
    .execute(&mut tx)
    .await?;
    let mut outcome = StatusReportOutcome {
        original_message_id: file.original_message_id.to_string(),
        accepted: file.accepted,
        ..StatusReportOutcome::default()
    };
    for rejection in file.rejections {
        let at = |error: StoreError| locate(file.file_name, rejection.line, error);
        let ids = match &rejection.end_to_end_id {
            Some(id) => vec![id.clone()],
            None => tx.end_to_end_ids(file, rejection.payment_information_id.as_deref()).await?,
        };
        for end_to_end_id in ids {
            let applied = match file.original_kind {
                OriginalKind::Transfers => {
                    let transfer = TransferReturn {
                        end_to_end_id: end_to_end_id.clone(),
                        reason_code: rejection.reason_code.clone(),
                        returned_on: file.reported_on,
                        message_id: Some(file.original_message_id.to_string()),
                        source_key: format!("pain002:{}/{end_to_end_id}", file.original_message_id),
                        line: rejection.line,
                    };
                    let result = tx.reverse_transfer(&transfer, file.file_name, actor, now).await.map_err(at)?;
                    matches!(result, TransferReturnOutcome::Reversed { .. })
                }
                OriginalKind::DirectDebits => {
                    let result = tx
                        .apply_return(&end_to_end_id, &rejection.reason_code, file.reported_on, actor, now)
                        .await
                        .map_err(at)?;
                    matches!(result, ReturnOutcome::Applied { .. })
                }
            };
            if applied {
                outcome.rejected += 1;
            } else {
                outcome.already_applied += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(outcome)
}

impl Tx {
    /// Every end-to-end id of the report's original file still out (of one payment information
    /// block of a direct-debit file, named `…-FRST`, `…-RCUR` or `…-OOFF` by its sequence type;
    /// our transfer files have one block).
    async fn end_to_end_ids(&mut self, file: &StatusReportFile<'_>, block: Option<&str>) -> Result<Vec<String>> {
        let message = file.original_message_id;
        match file.original_kind {
            OriginalKind::Transfers => {
                let ids: Vec<String> = query_scalar(
                    "SELECT 'RCV-TRF-S' || CAST(id AS TEXT) FROM suspense_items WHERE transferred_in = $1 AND status = 'returned' \
                     UNION ALL SELECT 'RCV-TRF-P' || CAST(id AS TEXT) FROM accounts_payable WHERE transferred_in = $1 AND status = 'paid' \
                     UNION ALL SELECT 'RCV-TRF-R' || CAST(id AS TEXT) FROM overpayment_refunds WHERE transferred_in = $1 AND status = 'transferred'",
                )
                .bind(message)
                .fetch_all(&mut *self)
                .await?;
                Ok(ids)
            }
            OriginalKind::DirectDebits => {
                let sequence = block.and_then(|block| block.rsplit('-').next()).map(str::to_string);
                let ids: Vec<String> = query_scalar(
                    "SELECT end_to_end_id FROM instalments WHERE collected_in = $1 AND status IN ('paid', 'collected') \
                     AND (CAST($2 AS TEXT) IS NULL OR sequence_type = CAST($2 AS TEXT)) ORDER BY id",
                )
                .bind(message)
                .bind(sequence)
                .fetch_all(&mut *self)
                .await?;
                Ok(ids)
            }
        }
    }
}

/// An error of one rejection, named by the file and the line; a transaction Recouvre never sent
/// is refused (`unknown_transaction`), not "not found": the file is at fault.
fn locate(file_name: &str, line: u32, error: StoreError) -> StoreError {
    let at = format!("{file_name}, ligne {line}");
    let nothing = "rien n'a été importé de ce fichier";
    match error {
        StoreError::NotFound { what } => StoreError::Invalid {
            field: Some("OrgnlEndToEndId".into()),
            message: format!("{at} : {what} : Recouvre n'a rien émis sous cet identifiant ; {nothing}"),
        },
        StoreError::Refused { code, message } => StoreError::refused(code, format!("{at} : {message} ; {nothing}")),
        StoreError::Conflict { code, message } => StoreError::conflict(code, format!("{at} : {message} ; {nothing}")),
        StoreError::Invalid { field, message } => {
            StoreError::Invalid { field, message: format!("{at} : {message} ; {nothing}") }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_to_end_ids_name_their_record() {
        assert_eq!(parse_end_to_end("RCV-TRF-S12"), Some(Sent::Suspense(12)));
        assert_eq!(parse_end_to_end("RCV-TRF-P3"), Some(Sent::Payable(3)));
        assert_eq!(parse_end_to_end("RCV-TRF-R7"), Some(Sent::Refund(7)));
        for other in ["RCV-DD-4", "RCV-TRF-X1", "RCV-TRF-S", "RCV-TRF-S-1", "RCV-TRF-S+1", "RCV-TRF-R0"] {
            assert_eq!(parse_end_to_end(other), None, "{other}");
        }
    }
}
