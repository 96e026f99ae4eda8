//! The ledger on disk: transactions and postings, balances derived from them, bookings that
//! journal themselves, and the checks of the accounting controls.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::case::Breakdown;
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger::{self, Account, Balances, Posting, Transaction};
use recouvre_domain::Money;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::{Result, Store, StoreError, Tx};

/// The accounts that make up what the debtor owes, as an SQL list, written once for every query
/// that sums a case's receivables.
pub(crate) const RECEIVABLE_ACCOUNTS: &str =
    "('principal', 'contractual_interest', 'statutory_interest', 'costs', 'penalties')";

/// A balanced transaction to write with [`Tx::book`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Booking<'a> {
    /// The case whose ledger it is on; `None` for the case-less suspense ledger.
    pub case_id: Option<i64>,
    pub transaction: &'a Transaction,
    /// Accounting date.
    pub booked_on: NaiveDate,
    /// What the money is: cheque number, statement entry, contract, approval request…
    pub reference: &'a str,
    /// The transaction this one reverses, if any.
    pub reverses: Option<i64>,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

impl Tx {
    /// Writes a balanced transaction and its postings inside this transaction; returns its id.
    /// On a case, the case list's amount (`cases.total_cents`, a projection of the ledger) is
    /// rewritten in the same transaction.
    pub(crate) async fn book(&mut self, booking: Booking<'_>) -> Result<i64> {
        let Booking { case_id, transaction, booked_on, reference, reverses, actor, now } = booking;
        let sum: i64 = transaction.postings.iter().map(|posting| posting.amount.cents()).sum();
        assert_eq!(sum, 0, "only balanced transactions reach the ledger");
        let transaction_id: i64 = query_scalar(
            // The case's status and latest open procedure at booking: the payment's channel.
            "INSERT INTO ledger_transactions (case_id, kind, booked_on, reference, reverses, actor, created_at, \
             case_status, procedure_id) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             (SELECT c.status FROM cases c WHERE c.id = $1), \
             (SELECT MAX(o.id) FROM procedures o WHERE o.case_id = $1 AND NOT o.closed)) RETURNING id",
        )
        .bind(case_id)
        .bind(transaction.kind.code())
        .bind(booked_on)
        .bind(reference)
        .bind(reverses)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *self)
        .await?;
        let count = transaction.postings.len();
        for (index, posting) in transaction.postings.iter().enumerate() {
            // Each posting's keyed seal covers its transaction and its place in it (`audit`).
            let (mac_key, mac) = self.posting_seal(&crate::audit::PostingFields {
                transaction_id,
                kind: transaction.kind.code(),
                booked_on,
                reference,
                actor,
                case_id,
                account: posting.account.code(),
                amount_cents: posting.amount.cents(),
                index,
                count,
            });
            query(
                "INSERT INTO ledger_postings (transaction_id, case_id, account, amount_cents, mac_key, mac) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(transaction_id)
            .bind(case_id)
            .bind(posting.account.code())
            .bind(posting.amount.cents())
            .bind(mac_key)
            .bind(mac)
            .execute(&mut *self)
            .await?;
        }
        if let Some(case_id) = case_id {
            query(format!(
                "UPDATE cases SET total_cents = (SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) \
                 FROM ledger_postings WHERE case_id = $1 AND account IN {RECEIVABLE_ACCOUNTS}) WHERE id = $1"
            ))
            .bind(case_id)
            .execute(&mut *self)
            .await?;
            // Money received (or its reversal) moves the case's time bars (C. civ. 2240): their
            // stored state is re-derived in this transaction (`time_bar_states`).
            if transaction.kind.moves_time_bars() {
                self.refresh_time_bars(case_id, now).await?;
            }
        }
        Ok(transaction_id)
    }

    /// A case's balances, read inside this transaction.
    pub(crate) async fn balances(&mut self, case_id: i64) -> Result<Balances> {
        balances_from_rows(query_as(BALANCES_SQL).bind(case_id).fetch_all(&mut *self).await?)
    }

    /// What a case owes (its receivables), read inside this transaction.
    pub(crate) async fn amount_due(&mut self, case_id: i64) -> Result<Money> {
        let cents: i64 = query_scalar(format!(
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_postings WHERE case_id = $1 \
             AND account IN {RECEIVABLE_ACCOUNTS}"
        ))
        .bind(case_id)
        .fetch_one(&mut *self)
        .await?;
        Ok(Money::from_cents(cents))
    }

    /// A booked transaction read back from its postings, to be reversed: refused as corrupt when
    /// it is already reversed (a money file reporting the same return twice is answered before
    /// this, from its own records; reaching here twice means the records disagree with the
    /// ledger). `what` names it in the message (« le paiement n° 12 du prélèvement « E2E » »).
    pub(crate) async fn transaction_to_reverse(&mut self, transaction_id: i64, what: &str) -> Result<Transaction> {
        let reversed: Option<i64> = query_scalar("SELECT id FROM ledger_transactions WHERE reverses = $1")
            .bind(transaction_id)
            .fetch_optional(&mut *self)
            .await?;
        if let Some(reversal) = reversed {
            return Err(StoreError::Corrupt(format!("{what} est déjà contrepassé (écriture n° {reversal})")));
        }
        let rows: Vec<(String, String, i64)> = query_as(
            "SELECT t.kind, p.account, p.amount_cents FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id WHERE p.transaction_id = $1 ORDER BY p.id",
        )
        .bind(transaction_id)
        .fetch_all(&mut *self)
        .await?;
        transaction_from_rows(transaction_id, rows)
    }
}

/// A booked transaction from its (kind, account, cents) rows, checked balanced again.
fn transaction_from_rows(transaction_id: i64, rows: Vec<(String, String, i64)>) -> Result<Transaction> {
    let corrupt = |what: String| StoreError::Corrupt(format!("écriture n° {transaction_id} : {what}"));
    let kind_code = rows.first().map(|(kind, _, _)| kind.clone()).ok_or_else(|| corrupt("sans lignes".into()))?;
    let kind =
        ledger::TransactionKind::from_code(&kind_code).ok_or_else(|| corrupt(format!("nature « {kind_code} »")))?;
    let mut postings = Vec::with_capacity(rows.len());
    for (_, code, cents) in rows {
        let account = Account::from_code(&code).ok_or_else(|| corrupt(format!("compte inconnu « {code} »")))?;
        postings.push(Posting { account, amount: Money::from_cents(cents) });
    }
    Transaction::new(kind, postings).map_err(|error| corrupt(error.to_string()))
}

/// A case's postings summed by account.
const BALANCES_SQL: &str =
    "SELECT account, CAST(SUM(amount_cents) AS BIGINT) FROM ledger_postings WHERE case_id = $1 GROUP BY account";

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
    balances_from_rows(query_as(BALANCES_SQL).bind(case_id).fetch_all(store).await?)
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

pub(crate) fn posting_summary(transaction: &Transaction) -> Vec<(String, Money)> {
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

/// Writes off amounts of a case by component (after approval: see the write-off workflow).
pub async fn book_write_off(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    amounts: &Breakdown,
    entry: &Entry<'_>,
) -> Result<Booked> {
    let Entry { booked_on, reference, actor, now } = *entry;
    let mut tx = store.begin().await?;
    let balances = tx.balances(case_id).await?;
    let transaction = ledger::write_off(&balances, amounts).map_err(refused_by_ledger)?;
    let payload = json!({"amounts": amounts, "reference": reference});
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::WriteOffBooked,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    let transaction_id = tx
        .book(Booking {
            case_id: Some(case_id),
            transaction: &transaction,
            booked_on,
            reference,
            reverses: None,
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(Booked { transaction_id, version: event.sequence, postings: posting_summary(&transaction), pending: false })
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
    query_as(
        "SELECT t.id AS transaction_id, t.kind, t.booked_on, t.reference, p.account, p.amount_cents \
         FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE p.case_id = $1 ORDER BY t.id, p.id",
    )
    .bind(case_id)
    .fetch_all(store)
    .await
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
    let unbalanced = query_as(
        "SELECT transaction_id, CAST(SUM(amount_cents) AS BIGINT) FROM ledger_postings \
         GROUP BY transaction_id HAVING SUM(amount_cents) <> 0 ORDER BY transaction_id LIMIT 100",
    )
    .fetch_all(store)
    .await?;
    let negative = query_as(format!(
        "SELECT case_id, account, CAST(SUM(amount_cents) AS BIGINT) FROM ledger_postings \
         WHERE case_id IS NOT NULL AND account IN {RECEIVABLE_ACCOUNTS} \
         GROUP BY case_id, account HAVING SUM(amount_cents) < 0 ORDER BY case_id LIMIT 100"
    ))
    .fetch_all(store)
    .await?;
    let stale = query_as(format!(
        "SELECT c.id, c.total_cents, CAST(COALESCE(l.due, 0) AS BIGINT) FROM cases c LEFT JOIN \
         (SELECT case_id, SUM(amount_cents) AS due FROM ledger_postings WHERE account IN {RECEIVABLE_ACCOUNTS} \
         GROUP BY case_id) l ON l.case_id = c.id WHERE c.total_cents <> COALESCE(l.due, 0) ORDER BY c.id LIMIT 100"
    ))
    .fetch_all(store)
    .await?;
    Ok(LedgerFindings { unbalanced_transactions: unbalanced, negative_receivables: negative, stale_projections: stale })
}
