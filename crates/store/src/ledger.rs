//! The ledger on disk: transactions and postings, balances derived from them, bookings that
//! journal themselves, and the checks of the accounting controls.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::case::Breakdown;
use recouvre_domain::ledger::{self, Account, Balances, Posting, Transaction};
use recouvre_domain::Money;
use serde_json::json;

use crate::journal::append_event;
use crate::{on_engine, Result, Store, StoreError};

/// The accounts that make up what the debtor owes, as an SQL list (one literal for `concat!`,
/// so the list is written once for every query that sums a case's receivables).
macro_rules! receivable_accounts {
    () => {
        "('principal', 'contractual_interest', 'statutory_interest', 'costs', 'penalties')"
    };
}
pub(crate) use receivable_accounts;

/// Writes a balanced transaction and its postings inside the caller's transaction; returns
/// its id. `$case_id` is `None` for the suspense ledger.
macro_rules! book {
    ($conn:expr, $case_id:expr, $transaction:expr, $booked_on:expr, $reference:expr, $reverses:expr, $actor:expr, $now:expr) => {{
        let case_id: Option<i64> = $case_id;
        let transaction: &recouvre_domain::ledger::Transaction = $transaction;
        let sum: i64 = transaction.postings.iter().map(|posting| posting.amount.cents()).sum();
        assert_eq!(sum, 0, "only balanced transactions reach the ledger");
        let transaction_id: i64 = sqlx::query_scalar(
            // The case's status and latest open procedure at booking: the payment's channel.
            "INSERT INTO ledger_transactions (case_id, kind, booked_on, reference, reverses, actor, created_at, \
             case_status, procedure_id) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             (SELECT c.status FROM cases c WHERE c.id = $1), \
             (SELECT MAX(o.id) FROM procedures o WHERE o.case_id = $1 AND NOT o.closed)) RETURNING id",
        )
        .bind(case_id)
        .bind(transaction.kind.code())
        .bind($booked_on)
        .bind($reference)
        .bind($reverses)
        .bind($actor)
        .bind($now)
        .fetch_one(&mut *$conn)
        .await?;
        for posting in &transaction.postings {
            sqlx::query(
                "INSERT INTO ledger_postings (transaction_id, case_id, account, amount_cents) VALUES ($1, $2, $3, $4)",
            )
            .bind(transaction_id)
            .bind(case_id)
            .bind(posting.account.code())
            .bind(posting.amount.cents())
            .execute(&mut *$conn)
            .await?;
        }
        if let Some(case_id) = case_id {
            // The case list's amount is a projection of the ledger, kept in the same transaction.
            sqlx::query(concat!(
                "UPDATE cases SET total_cents = (SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) \
                     FROM ledger_postings WHERE case_id = $1 AND account IN ",
                $crate::ledger::receivable_accounts!(),
                ") WHERE id = $1"
            ))
            .bind(case_id)
            .execute(&mut *$conn)
            .await?;
        }
        transaction_id
    }};
}
pub(crate) use book;

/// A case's balances, read inside the caller's transaction.
macro_rules! balances_in {
    ($conn:expr, $case_id:expr) => {{
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT account, CAST(SUM(amount_cents) AS BIGINT) FROM ledger_postings WHERE case_id = $1 GROUP BY account",
        )
        .bind($case_id)
        .fetch_all(&mut *$conn)
        .await?;
        $crate::ledger::balances_from_rows(rows)?
    }};
}
pub(crate) use balances_in;

pub(crate) fn balances_from_rows(rows: Vec<(String, i64)>) -> Result<Balances> {
    let mut postings = Vec::with_capacity(rows.len());
    for (code, cents) in rows {
        let account =
            Account::from_code(&code).ok_or_else(|| StoreError::Corrupt(format!("compte inconnu « {code} »")))?;
        postings.push(Posting { account, amount: Money::from_cents(cents) });
    }
    Ok(Balances::from_postings(&postings))
}

/// A case's balances, derived from its postings.
pub async fn balances(store: &Store, case_id: i64) -> Result<Balances> {
    let rows: Vec<(String, i64)> = on_engine!(store, |pool| {
        sqlx::query_as(
        "SELECT account, CAST(SUM(amount_cents) AS BIGINT) FROM ledger_postings WHERE case_id = $1 GROUP BY account"
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?
    });
    balances_from_rows(rows)
}

/// The stable code of a ledger rule's refusal.
pub(crate) fn ledger_error_code(error: &ledger::LedgerError) -> &'static str {
    match error {
        ledger::LedgerError::Unbalanced(_) => "unbalanced_entry",
        ledger::LedgerError::Empty => "nothing_to_book",
        ledger::LedgerError::NotPositive(_) => "amount_not_positive",
        ledger::LedgerError::NegativeReceivable { .. } => "exceeds_amount_due",
        ledger::LedgerError::SuspenseTooLow { .. } => "suspense_too_low",
        ledger::LedgerError::NothingWrittenOff => "nothing_written_off",
    }
}

/// A booking the ledger's rules refuse (`recouvre_domain::ledger`).
pub(crate) fn refused_by_ledger(error: ledger::LedgerError) -> StoreError {
    StoreError::refused(ledger_error_code(&error), error.to_string())
}

/// What a booking did, for the answer and the journal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Booked {
    pub transaction_id: i64,
    pub version: i64,
    pub postings: Vec<(String, Money)>,
    /// Received but not allocated yet: the payment waits in the back office (a vigilance hold,
    /// which is never named outside compliance: CMF L561-18).
    pub pending: bool,
}

fn posting_summary(transaction: &Transaction) -> Vec<(String, Money)> {
    transaction.postings.iter().map(|posting| (posting.account.code().to_string(), posting.amount)).collect()
}

/// When, why and by whom a booking is made.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// Accounting date (the day the money was received, the day of the decision).
    pub booked_on: NaiveDate,
    /// What the money is: cheque number, statement entry, approval request…
    pub reference: &'a str,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

/// Books a payment received for a case (by hand, a direct debit, or a matched statement
/// entry), allocated per `order`, journaled on the case in the same transaction.
pub async fn book_payment(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    amount: Money,
    order: AllocationOrder,
    entry: &Entry<'_>,
) -> Result<Booked> {
    book_payment_from(store, case_id, expected_version, amount, order, entry, &crate::aml::Payer::default()).await
}

/// [`book_payment`] with what is known of the payer, screened by the vigilance rules in the
/// same transaction (`crate::aml`).
pub async fn book_payment_from(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    amount: Money,
    order: AllocationOrder,
    entry: &Entry<'_>,
    payer: &crate::aml::Payer,
) -> Result<Booked> {
    let Entry { booked_on: received_on, reference, actor, now } = *entry;
    let vigilance = crate::aml::vigilance(store).await?;
    let channel = recouvre_domain::aml::Channel::Manual;
    let booked = on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        let balances = balances_in!(tx, case_id);
        let transaction = ledger::payment(&balances, amount, order).map_err(refused_by_ledger)?;
        let screening = crate::aml::assess!(tx, case_id, amount, received_on, payer, channel, &vigilance);
        let booked = if screening.hold {
            // Held for compliance: the money waits in suspense, the case is not touched.
            let version: i64 =
                sqlx::query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut *tx).await?;
            if let Some(expected) = expected_version {
                if expected != version {
                    return Err(StoreError::conflict("stale_version", format!(
                        "le dossier a changé depuis son affichage (version {expected}, maintenant {version}) : rechargez-le"
                    )));
                }
            }
            let source_key = format!("manual:{case_id}:{}:{reference}", now.to_rfc3339());
            let held = crate::suspense::Held {
                received_on,
                amount,
                payer_name: payer.name.as_deref(),
                payer_iban: payer.iban.as_deref(),
                reference: Some(reference),
                suggested_case_id: Some(case_id),
                reason: "paiement en cours de traitement",
                source_key: &source_key,
            };
            let (item_id, transaction_id) =
                crate::suspense::hold_with_status!(tx, &held, crate::suspense::AML_HOLD, actor, now)
                    .ok_or_else(|| StoreError::conflict("already_booked", "ce paiement est déjà enregistré"))?;
            crate::aml::record_screening!(
                tx,
                case_id,
                transaction_id,
                amount,
                received_on,
                payer,
                channel,
                &screening,
                &vigilance,
                Some(item_id),
                now
            );
            Booked { transaction_id, version, postings: Vec::new(), pending: true }
        } else {
            let payload = json!({
                "amount": amount, "received_on": received_on, "reference": reference,
                "allocation": posting_summary(&transaction),
            });
            let event = append_event!(tx, case_id, expected_version, "payment_booked", payload.to_string(), actor, now);
            let transaction_id =
                book!(tx, Some(case_id), &transaction, received_on, reference, None::<i64>, actor, now);
            crate::aml::record_screening!(
                tx,
                case_id,
                transaction_id,
                amount,
                received_on,
                payer,
                channel,
                &screening,
                &vigilance,
                None::<i64>,
                now
            );
            Booked { transaction_id, version: event.sequence, postings: posting_summary(&transaction), pending: false }
        };
        tx.commit().await?;
        booked
    });
    Ok(booked)
}

/// Writes off amounts of a case by component (after approval: see the write-off workflow).
pub async fn book_write_off(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    amounts: &Breakdown,
    entry: &Entry<'_>,
) -> Result<Booked> {
    let Entry { booked_on, reference, actor, now } = *entry;
    let booked = on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        let balances = balances_in!(tx, case_id);
        let transaction = ledger::write_off(&balances, amounts).map_err(refused_by_ledger)?;
        let payload = json!({"amounts": amounts, "reference": reference});
        let event = append_event!(tx, case_id, expected_version, "write_off_booked", payload.to_string(), actor, now);
        let transaction_id = book!(tx, Some(case_id), &transaction, booked_on, reference, None::<i64>, actor, now);
        tx.commit().await?;
        Booked { transaction_id, version: event.sequence, postings: posting_summary(&transaction), pending: false }
    });
    Ok(booked)
}

/// One line of a case's ledger, for the statement of account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct LedgerLine {
    pub transaction_id: i64,
    pub kind: String,
    pub booked_on: NaiveDate,
    pub reference: String,
    pub account: String,
    pub amount_cents: i64,
}

pub async fn lines(store: &Store, case_id: i64) -> Result<Vec<LedgerLine>> {
    let rows = on_engine!(store, |pool| sqlx::query_as(
        "SELECT t.id AS transaction_id, t.kind, t.booked_on, t.reference, p.account, p.amount_cents \
         FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE p.case_id = $1 ORDER BY t.id, p.id"
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?);
    Ok(rows)
}

/// What the accounting controls found wrong in the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LedgerFindings {
    /// Transactions whose postings do not sum to zero: (transaction, sum).
    pub unbalanced_transactions: Vec<(i64, i64)>,
    /// Cases with a receivable below zero: (case, account, balance).
    pub negative_receivables: Vec<(i64, String, i64)>,
    /// Cases whose listed amount differs from their ledger: (case, listed, ledger).
    pub stale_projections: Vec<(i64, i64, i64)>,
}

impl LedgerFindings {
    pub fn is_clean(&self) -> bool {
        self.unbalanced_transactions.is_empty()
            && self.negative_receivables.is_empty()
            && self.stale_projections.is_empty()
    }
}

/// The ledger invariants, checked over the whole database by SQL (first 100 of each kind).
pub async fn check(store: &Store) -> Result<LedgerFindings> {
    let findings = on_engine!(store, |pool| {
        let unbalanced = sqlx::query_as(
            "SELECT transaction_id, CAST(SUM(amount_cents) AS BIGINT) FROM ledger_postings \
             GROUP BY transaction_id HAVING SUM(amount_cents) <> 0 ORDER BY transaction_id LIMIT 100",
        )
        .fetch_all(pool)
        .await?;
        let negative = sqlx::query_as(concat!(
            "SELECT case_id, account, CAST(SUM(amount_cents) AS BIGINT) FROM ledger_postings \
                 WHERE case_id IS NOT NULL AND account IN ",
            receivable_accounts!(),
            " GROUP BY case_id, account HAVING SUM(amount_cents) < 0 ORDER BY case_id LIMIT 100"
        ))
        .fetch_all(pool)
        .await?;
        let stale = sqlx::query_as(
            concat!(
                "SELECT c.id, c.total_cents, CAST(COALESCE(l.due, 0) AS BIGINT) FROM cases c LEFT JOIN \
                 (SELECT case_id, SUM(amount_cents) AS due FROM ledger_postings WHERE account IN ",
                receivable_accounts!(),
                " GROUP BY case_id) l ON l.case_id = c.id WHERE c.total_cents <> COALESCE(l.due, 0) ORDER BY c.id LIMIT 100"
            ),
        )
        .fetch_all(pool)
        .await?;
        LedgerFindings { unbalanced_transactions: unbalanced, negative_receivables: negative, stale_projections: stale }
    });
    Ok(findings)
}
