//! The suspense account (compte d'instance): money received that could not be matched to a
//! case with confidence waits here until an officer assigns it to a case or returns it.
//!
//! The suspense side is a case-less ledger: holding books Debit `BankReceipts` / Credit
//! `Suspense` there; assigning moves the money out of it and onto the case, where it is
//! allocated like any payment; returning pays it back.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::ledger::{Account, Posting, Transaction, TransactionKind};
use recouvre_domain::Money;
use serde::Serialize;

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

/// Holds money in suspense inside the caller's transaction with a given status (`open` for the
/// officers' queue, `aml_hold` for money held for compliance, which officers do not see);
/// evaluates to `(item id, ledger transaction id)`, or `None` if that source was already held.
macro_rules! hold_with_status {
    ($conn:expr, $held:expr, $status:expr, $actor:expr, $now:expr) => {{
        let held: &$crate::suspense::Held<'_> = $held;
        let item_id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO suspense_items (received_on, amount_cents, payer_name, payer_iban, reference, suggested_case_id, \
             reason, status, source_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (source_key) DO NOTHING RETURNING id",
        )
        .bind(held.received_on)
        .bind(held.amount.cents())
        .bind(held.payer_name)
        .bind(held.payer_iban)
        .bind(held.reference)
        .bind(held.suggested_case_id)
        .bind(held.reason)
        .bind($status)
        .bind(held.source_key)
        .bind($now)
        .fetch_optional(&mut *$conn)
        .await?;
        match item_id {
            None => None,
            Some(item_id) => {
                let transaction = recouvre_domain::ledger::into_suspense(held.amount)
                    .map_err($crate::ledger::refused_by_ledger)?;
                let reference = format!("instance n° {item_id}");
                let transaction_id = $crate::ledger::book!(
                    $conn,
                    None,
                    &transaction,
                    held.received_on,
                    reference.as_str(),
                    None::<i64>,
                    $actor,
                    $now
                );
                Some((item_id, transaction_id))
            }
        }
    }};
}
pub(crate) use hold_with_status;

/// Holds money in the officers' suspense queue inside the caller's transaction; returns the item
/// id, or `None` if that source was already held.
macro_rules! hold {
    ($conn:expr, $held:expr, $actor:expr, $now:expr) => {{
        $crate::suspense::hold_with_status!($conn, $held, "open", $actor, $now).map(|(item_id, _)| item_id)
    }};
}
pub(crate) use hold;

/// Status of a suspense item held for compliance (AML/CFT): not in the officers' queue.
pub const AML_HOLD: &str = "aml_hold";

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
    open_items_received(store, None, None).await
}

/// Items waiting for an officer received from / to these days (included), oldest first: the
/// cockpit's ages of suspense.
pub async fn open_items_received(
    store: &Store,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<SuspenseItem>> {
    // Unbounded sides are the widest dates both engines take.
    let from = from.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).expect("year 1"));
    let to = to.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).expect("year 9999"));
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM suspense_items WHERE status = 'open' AND received_on >= $1 AND received_on <= $2 \
         ORDER BY received_on, id"
    );
    let rows = on_engine!(store, |pool| sqlx::query_as(&sql).bind(from).bind(to).fetch_all(pool).await?);
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
pub(crate) fn release_transaction(amount: Money, kind: TransactionKind) -> Transaction {
    Transaction::new(
        kind,
        vec![
            Posting { account: Account::Suspense, amount },
            Posting { account: Account::BankReceipts, amount: -amount },
        ],
    )
    .expect("a release balances")
}

/// Moves a claimed suspense item's money onto a case, allocated like a payment and journaled on
/// the case (`suspense_assigned`), inside the caller's transaction; evaluates to the case event.
macro_rules! clear_to_case {
    ($conn:expr, $item_id:expr, $case_id:expr, $amount:expr, $received_on:expr, $reference:expr, $actor:expr, $now:expr) => {{
        let item_id: i64 = $item_id;
        let case_id: i64 = $case_id;
        let amount: recouvre_domain::Money = $amount;
        let received_on: chrono::NaiveDate = $received_on;
        let balances = $crate::ledger::balances_in!($conn, case_id);
        let clearing = recouvre_domain::ledger::suspense_clearing(
            &balances,
            amount,
            recouvre_domain::allocation::AllocationOrder::CostsInterestPrincipal,
        )
        .map_err($crate::ledger::refused_by_ledger)?;
        let note = format!("instance n° {item_id}");
        let payload =
            serde_json::json!({"amount": amount, "suspense_item": item_id, "reference": $reference.unwrap_or_default()});
        let event = $crate::journal::append_event!($conn, case_id, None, "suspense_assigned", payload.to_string(), $actor, $now);
        $crate::ledger::book!(
            $conn,
            None,
            &$crate::suspense::release_transaction(amount, recouvre_domain::ledger::TransactionKind::SuspenseClearing),
            received_on,
            note.as_str(),
            None::<i64>,
            $actor,
            $now
        );
        let transaction_id = $crate::ledger::book!($conn, Some(case_id), &clearing, received_on, note.as_str(), None::<i64>, $actor, $now);
        (event, transaction_id)
    }};
}
pub(crate) use clear_to_case;

/// An officer assigns a suspense item to a case: the money leaves suspense and is allocated on
/// the case like a payment, journaled on the case, in one transaction. The payment is screened
/// first; if it must be held for compliance, it stays in suspense (status `aml_hold`) and the
/// case is untouched. Evaluates to the case's version.
pub async fn assign(store: &Store, item_id: i64, case_id: i64, actor: &str, now: DateTime<Utc>) -> Result<i64> {
    let vigilance = crate::aml::vigilance(store).await?;
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
            return Err(StoreError::conflict(
                "already_decided",
                format!("l'élément n° {item_id} n'est plus en instance (déjà traité ?)"),
            ));
        };
        let amount = Money::from_cents(amount_cents);
        let payer =
            crate::aml::Payer { name: payer_name, iban: payer_iban, cash: false, refund_to_other_account: false };
        let channel = recouvre_domain::aml::Channel::Statement;
        let screening = crate::aml::assess!(tx, case_id, amount, received_on, &payer, channel, &vigilance);
        let version = if screening.hold {
            sqlx::query("UPDATE suspense_items SET status = $2 WHERE id = $1")
                .bind(item_id)
                .bind(AML_HOLD)
                .execute(&mut *tx)
                .await?;
            let note = format!("instance n° {item_id}");
            let hold_transaction: i64 = sqlx::query_scalar(
                "SELECT id FROM ledger_transactions WHERE case_id IS NULL AND reference = $1 ORDER BY id LIMIT 1",
            )
            .bind(&note)
            .fetch_one(&mut *tx)
            .await?;
            crate::aml::record_screening!(
                tx,
                case_id,
                hold_transaction,
                amount,
                received_on,
                &payer,
                channel,
                &screening,
                &vigilance,
                Some(item_id),
                now
            );
            let version: i64 =
                sqlx::query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut *tx).await?;
            version
        } else {
            let (event, transaction_id) =
                clear_to_case!(tx, item_id, case_id, amount, received_on, reference.clone(), actor, now);
            crate::aml::record_screening!(
                tx,
                case_id,
                transaction_id,
                amount,
                received_on,
                &payer,
                channel,
                &screening,
                &vigilance,
                None::<i64>,
                now
            );
            event.sequence
        };
        tx.commit().await?;
        version
    });
    Ok(version)
}

/// Returns a suspense item to the payer (unknown payer, wrong account).
pub async fn give_back(store: &Store, item_id: i64, reason: &str, actor: &str, now: DateTime<Utc>) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(StoreError::refused("reason_required", "indiquez le motif du retour des fonds"));
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
            return Err(StoreError::conflict(
                "already_decided",
                format!("l'élément n° {item_id} n'est plus en instance (déjà traité ?)"),
            ));
        };
        let note = format!("retour instance n° {item_id}");
        let transaction = release_transaction(Money::from_cents(amount_cents), TransactionKind::Refund);
        book!(tx, None, &transaction, now.date_naive(), note.as_str(), None::<i64>, actor, now);
        tx.commit().await?;
    });
    Ok(())
}
