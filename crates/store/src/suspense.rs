//! The suspense account (compte d'instance): money received that could not be matched to a
//! case with confidence waits here until an officer assigns it to a case or returns it.
//!
//! The suspense side is a case-less ledger: holding books Debit `BankReceipts` / Credit
//! `Suspense` there; assigning moves the money out of it and onto the case, where it is
//! allocated like any payment; returning pays it back.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::ledger::{self, Account, Posting, Transaction, TransactionKind};
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::journal::append_event;
use crate::ledger::book;
use crate::{on_engine, Result, Store, StoreError};

/// Money to hold in suspense.
#[derive(Debug, Clone)]
pub struct Held<'a> {
    pub received_on: NaiveDate,
    pub amount: Money,
    pub payer_name: Option<&'a str>,
    pub payer_iban: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub suggested_case_id: Option<i64>,
    /// Why it was not matched (shown to the officer).
    pub reason: &'a str,
    /// Unique key of the money's source (statement entry key): holding twice is impossible.
    pub source_key: &'a str,
}

/// Holds money in suspense inside the caller's transaction; returns the item id, or `None`
/// if that source was already held.
macro_rules! hold {
    ($conn:expr, $held:expr, $actor:expr, $now:expr) => {{
        let held: &$crate::suspense::Held<'_> = $held;
        let item_id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO suspense_items (received_on, amount_cents, payer_name, payer_iban, reference, suggested_case_id, \
             reason, status, source_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) \
             ON CONFLICT (source_key) DO NOTHING RETURNING id",
        )
        .bind(held.received_on)
        .bind(held.amount.cents())
        .bind(held.payer_name)
        .bind(held.payer_iban)
        .bind(held.reference)
        .bind(held.suggested_case_id)
        .bind(held.reason)
        .bind(held.source_key)
        .bind($now)
        .fetch_optional(&mut *$conn)
        .await?;
        if let Some(item_id) = item_id {
            let transaction = recouvre_domain::ledger::into_suspense(held.amount)
                .map_err(|error| $crate::StoreError::Conflict(error.to_string()))?;
            let reference = format!("instance n° {item_id}");
            $crate::ledger::book!($conn, None, &transaction, held.received_on, reference.as_str(), None::<i64>, $actor, $now);
        }
        item_id
    }};
}
pub(crate) use hold;

/// Holds money in suspense in its own transaction (a payment booked by hand without a case).
pub async fn hold_one(store: &Store, held: &Held<'_>, actor: &str, now: DateTime<Utc>) -> Result<Option<i64>> {
    let id = on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        let id = hold!(tx, held, actor, now);
        tx.commit().await?;
        id
    });
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SuspenseItem {
    pub id: i64,
    pub received_on: NaiveDate,
    pub amount_cents: i64,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub reference: Option<String>,
    pub suggested_case_id: Option<i64>,
    pub reason: String,
    pub status: String,
    pub case_id: Option<i64>,
    pub resolved_by: Option<String>,
}

const ITEM_COLUMNS: &str =
    "id, received_on, amount_cents, payer_name, payer_iban, reference, suggested_case_id, reason, \
    status, case_id, resolved_by";

/// Items waiting for an officer, oldest first.
pub async fn open_items(store: &Store) -> Result<Vec<SuspenseItem>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM suspense_items WHERE status = 'open' ORDER BY received_on, id");
    let rows = on_engine!(store, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
    Ok(rows)
}

pub async fn item(store: &Store, id: i64) -> Result<SuspenseItem> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM suspense_items WHERE id = $1");
    let row: Option<SuspenseItem> =
        on_engine!(store, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
    row.ok_or_else(|| StoreError::not_found(format!("élément n° {id} du compte d'instance")))
}

/// Total held in suspense (the case-less ledger's suspense balance, as a positive amount).
pub async fn balance(store: &Store) -> Result<Money> {
    let cents: i64 = on_engine!(store, |pool| {
        sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_postings WHERE case_id IS NULL AND account = 'suspense'"
    )
    .fetch_one(pool)
    .await?
    });
    Ok(Money::from_cents(-cents))
}

/// Moves the money out of the suspense ledger (Debit Suspense, Credit BankReceipts).
fn release(amount: Money, kind: TransactionKind) -> Transaction {
    Transaction::new(
        kind,
        vec![
            Posting { account: Account::Suspense, amount },
            Posting { account: Account::BankReceipts, amount: -amount },
        ],
    )
    .expect("a release balances")
}

/// An officer assigns a suspense item to a case: the money leaves suspense and is allocated on
/// the case like a payment, journaled on the case, in one transaction.
pub async fn assign(store: &Store, item_id: i64, case_id: i64, actor: &str, now: DateTime<Utc>) -> Result<i64> {
    let rules = crate::aml::rules(store).await?;
    let version = on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        type Claimed = (i64, NaiveDate, Option<String>, Option<String>, Option<String>);
        let claimed: Option<Claimed> = sqlx::query_as(
            "UPDATE suspense_items SET status = 'assigned', case_id = $2, resolved_by = $3, resolved_at = $4 \
             WHERE id = $1 AND status = 'open' RETURNING amount_cents, received_on, reference, payer_name, payer_iban",
        )
        .bind(item_id)
        .bind(case_id)
        .bind(actor)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((amount_cents, received_on, reference, payer_name, payer_iban)) = claimed else {
            return Err(StoreError::Conflict(format!("l'élément n° {item_id} n'est plus en instance (déjà traité ?)")));
        };
        let amount = Money::from_cents(amount_cents);
        let balances = crate::ledger::balances_in!(tx, case_id);
        let clearing = ledger::suspense_clearing(&balances, amount, AllocationOrder::CostsInterestPrincipal)
            .map_err(|error| StoreError::Conflict(error.to_string()))?;
        let note = format!("instance n° {item_id}");
        let payload =
            json!({"amount": amount, "suspense_item": item_id, "reference": reference.clone().unwrap_or_default()});
        let event = append_event!(tx, case_id, None, "suspense_assigned", payload.to_string(), actor, now);
        book!(
            tx,
            None,
            &release(amount, TransactionKind::SuspenseClearing),
            received_on,
            note.as_str(),
            None::<i64>,
            actor,
            now
        );
        let transaction_id = book!(tx, Some(case_id), &clearing, received_on, note.as_str(), None::<i64>, actor, now);
        let payer =
            crate::aml::Payer { name: payer_name, iban: payer_iban, cash: false, refund_to_other_account: false };
        let channel = recouvre_domain::aml::Channel::Statement;
        crate::aml::screen_payment!(tx, case_id, transaction_id, amount, received_on, &payer, channel, &rules, now);
        tx.commit().await?;
        event.sequence
    });
    Ok(version)
}

/// Returns a suspense item to the payer (unknown payer, wrong account).
pub async fn give_back(store: &Store, item_id: i64, reason: &str, actor: &str, now: DateTime<Utc>) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(StoreError::Conflict("indiquez le motif du retour des fonds".to_string()));
    }
    on_engine!(store, |pool| {
        let mut tx = pool.begin().await?;
        let claimed: Option<i64> = sqlx::query_scalar(
            "UPDATE suspense_items SET status = 'returned', resolved_by = $2, resolved_at = $3, reason = reason || ' — retour : ' || $4 \
             WHERE id = $1 AND status = 'open' RETURNING amount_cents",
        )
        .bind(item_id)
        .bind(actor)
        .bind(now)
        .bind(reason.trim())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(amount_cents) = claimed else {
            return Err(StoreError::Conflict(format!("l'élément n° {item_id} n'est plus en instance (déjà traité ?)")));
        };
        let note = format!("retour instance n° {item_id}");
        let transaction = release(Money::from_cents(amount_cents), TransactionKind::Refund);
        book!(tx, None, &transaction, now.date_naive(), note.as_str(), None::<i64>, actor, now);
        tx.commit().await?;
    });
    Ok(())
}
