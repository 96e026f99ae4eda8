//! The suspense account (compte d'instance): money received that could not be matched to a
//! case with confidence waits here until an officer assigns it to a case or returns it.
//!
//! The suspense side is a case-less ledger: holding books Debit `BankReceipts` / Credit
//! `Suspense` there; assigning moves the money out of it and onto the case, where it is
//! allocated like any payment; returning pays it back. Money frozen by a sanctions match (CMF
//! L562-4) moves on to the frozen-funds account (`AmlFrozen`) in the same transaction, and back
//! to suspense only when compliance releases it (`Tx::freeze_item`, `Tx::unfreeze_item`).

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::journal::{EventKind, JournalEvent};
use recouvre_domain::ledger::{self, Account, Posting, Transaction, TransactionKind};
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::ledger::{refused_by_ledger, Booking};
use crate::{Result, Store, StoreError, Tx};

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

/// Status of a suspense item in the officers' queue.
pub const OPEN: &str = "open";

impl Tx {
    /// Holds money in suspense inside this transaction with a given status ([`OPEN`] for the
    /// officers' queue, [`AML_HOLD`] for money held for compliance, which officers do not see):
    /// the item, and its booking Debit `BankReceipts` / Credit `Suspense` on the case-less
    /// ledger. Returns `(item id, ledger transaction id)`, or `None` if that source was already
    /// held.
    pub(crate) async fn hold(
        &mut self,
        held: &Held<'_>,
        status: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, i64)>> {
        let item_id: Option<i64> = query_scalar(
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
        .bind(status)
        .bind(held.source_key)
        .bind(now)
        .fetch_optional(&mut *self)
        .await?;
        let Some(item_id) = item_id else { return Ok(None) };
        let transaction = ledger::into_suspense(held.amount).map_err(refused_by_ledger)?;
        let reference = format!("instance n° {item_id}");
        let transaction_id = self
            .book(Booking {
                case_id: None,
                transaction: &transaction,
                booked_on: held.received_on,
                reference: &reference,
                reverses: None,
                actor,
                now,
            })
            .await?;
        if status == AML_FROZEN {
            self.freeze_item(item_id, held.amount, held.received_on, now).await?;
        }
        Ok(Some((item_id, transaction_id)))
    }

    /// Moves a frozen item's money from suspense to the frozen-funds account (CMF L562-4), in
    /// the transaction that freezes it: Debit `Suspense` / Credit `AmlFrozen` on the case-less
    /// ledger, under the item's reference (`instance n° {item}`), so that it is left out of
    /// every figure outside compliance with the item's other bookings
    /// ([`held_for_compliance`]), by the system.
    pub(crate) async fn freeze_item(
        &mut self,
        item_id: i64,
        amount: Money,
        booked_on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let transaction = ledger::freeze(amount).map_err(refused_by_ledger)?;
        let reference = format!("instance n° {item_id}");
        self.book(Booking {
            case_id: None,
            transaction: &transaction,
            booked_on,
            reference: &reference,
            reverses: None,
            actor: crate::actor::SYSTEM_COMPLIANCE,
            now,
        })
        .await?;
        Ok(())
    }

    /// Brings a frozen item's money back from the frozen-funds account to suspense, in the
    /// transaction of its release (Treasury authorisation, or false positive), before it is
    /// assigned to its case or returned like any suspense item. An item frozen before the
    /// frozen-funds account existed never left suspense: nothing to move back.
    pub(crate) async fn unfreeze_item(
        &mut self,
        item_id: i64,
        amount: Money,
        booked_on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let reference = format!("instance n° {item_id}");
        let frozen: i64 = query_scalar(
            "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id \
             WHERE t.case_id IS NULL AND t.reference = $1 AND p.account = $2",
        )
        .bind(&reference)
        .bind(Account::AmlFrozen.code())
        .fetch_one(&mut *self)
        .await?;
        if frozen == 0 {
            return Ok(());
        }
        if -frozen != amount.cents() {
            return Err(StoreError::Corrupt(format!(
                "l'élément n° {item_id} : {} sur le compte des fonds gelés pour {amount}",
                Money::from_cents(-frozen)
            )));
        }
        let transaction = ledger::unfreeze(amount).map_err(refused_by_ledger)?;
        self.book(Booking {
            case_id: None,
            transaction: &transaction,
            booked_on,
            reference: &reference,
            reverses: None,
            actor: crate::actor::SYSTEM_COMPLIANCE,
            now,
        })
        .await?;
        Ok(())
    }

    /// Moves a claimed suspense item's money onto a case, allocated like a payment and journaled
    /// on the case (`suspense_assigned`), inside this transaction. Returns the case event and
    /// the transaction booked on the case.
    pub(crate) async fn clear_to_case(&mut self, clearing: Clearing<'_>) -> Result<(JournalEvent, i64)> {
        let Clearing { item_id, case_id, amount, received_on, reference, actor, now } = clearing;
        // Interest to the day the money came first: allocated over a settled balance (issue 18).
        let balances = self.settled_balances(case_id, received_on, &mut None, "suspense", actor, now).await?;
        let transaction = ledger::suspense_clearing(&balances, amount, AllocationOrder::CostsInterestPrincipal)
            .map_err(refused_by_ledger)?;
        let note = format!("instance n° {item_id}");
        let payload = json!({"amount": amount, "suspense_item": item_id, "reference": reference.unwrap_or_default()});
        let event = self
            .append_event(CaseEvent {
                case_id,
                expected_version: None,
                kind: EventKind::SuspenseAssigned,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
        let release = release_transaction(amount, TransactionKind::SuspenseClearing)?;
        let out_of_suspense = Booking {
            case_id: None,
            transaction: &release,
            booked_on: received_on,
            reference: &note,
            reverses: None,
            actor,
            now,
        };
        self.book(out_of_suspense).await?;
        let transaction_id =
            self.book(Booking { case_id: Some(case_id), transaction: &transaction, ..out_of_suspense }).await?;
        Ok((event, transaction_id))
    }
}

/// A claimed suspense item to move onto a case with [`Tx::clear_to_case`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clearing<'a> {
    pub item_id: i64,
    pub case_id: i64,
    pub amount: Money,
    pub received_on: NaiveDate,
    /// The payment's own reference (remittance), for the case's journal.
    pub reference: Option<&'a str>,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

/// Status of a suspense item held for compliance (AML/CFT): not in the officers' queue.
pub const AML_HOLD: &str = "aml_hold";

/// Status of a suspense item frozen because its payer matched the asset-freeze list (CMF
/// L562-4): released only on the Treasury's authorisation, never returned.
pub const AML_FROZEN: &str = "aml_frozen";

/// SQL subquery, for `NOT EXISTS (…)`: the ledger transaction `transaction` (an alias or the
/// table's name) is the case-less booking of an item compliance still holds or freezes
/// ([`AML_HOLD`], [`AML_FROZEN`]; its reference is `instance n° {item}`). Such money is in no
/// figure a team lead or a committee member reads — the reconciliation, the nightly flows and the
/// committee pack (CMF L561-18; tests/tipping_off.rs) — until compliance releases or returns it;
/// then it counts like any suspense item.
pub(crate) fn held_for_compliance(transaction: &str) -> String {
    format!(
        "SELECT 1 FROM suspense_items h WHERE h.status IN ('{AML_HOLD}', '{AML_FROZEN}') \
         AND {transaction}.case_id IS NULL AND {transaction}.reference = 'instance n° ' || CAST(h.id AS TEXT)"
    )
}

/// The kinds of the case-less transfers between suspense and the frozen-funds account, as an
/// SQL list. They are compliance's own movements: left out of the reconciliation's suspense
/// figures and of the nightly flows even once the money is released (then the item's other
/// bookings count, exactly as an ordinary suspense item's do: the two transfers cancel out).
pub(crate) const FREEZE_KINDS: &str = "('aml_freeze', 'aml_unfreeze')";

/// Holds money in suspense in its own transaction (a payment booked by hand without a case).
pub async fn hold_one(store: &Store, held: &Held<'_>, actor: &str, now: DateTime<Utc>) -> Result<Option<i64>> {
    let mut tx = store.begin().await?;
    let held = tx.hold(held, OPEN, actor, now).await?;
    tx.commit().await?;
    Ok(held.map(|(item_id, _)| item_id))
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
    // Invariant: 1 January of year 1 and 31 December 9999 are constants chrono represents.
    #[allow(clippy::expect_used)]
    let (from, to) = (
        from.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).expect("year 1")),
        to.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).expect("year 9999")),
    );
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM suspense_items WHERE status = 'open' AND received_on >= $1 AND received_on <= $2 \
         ORDER BY received_on, id"
    );
    query_as(&sql).bind(from).bind(to).fetch_all(store).await
}

pub async fn item(store: &Store, id: i64) -> Result<SuspenseItem> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM suspense_items WHERE id = $1");
    let row: Option<SuspenseItem> = query_as(&sql).bind(id).fetch_optional(store).await?;
    row.ok_or_else(|| StoreError::not_found(format!("élément n° {id} du compte d'instance")))
}

/// Total in suspense as the officers know it: the case-less ledger's suspense balance (as a
/// positive amount) without the bookings of the money held or frozen for compliance
/// ([`held_for_compliance`]), which no officer, team lead or committee member may learn of (CMF
/// L561-18).
pub async fn balance(store: &Store) -> Result<Money> {
    let held = held_for_compliance("t");
    let cents: i64 = query_scalar(format!(
        "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE t.case_id IS NULL AND p.account = 'suspense' AND NOT EXISTS ({held})"
    ))
    .fetch_one(store)
    .await?;
    Ok(Money::from_cents(-cents))
}

/// The whole suspense balance of the ledger, money held for review included (frozen money is
/// on its own account, [`frozen_balance`]): accounting control's reconciliation with the bank
/// account.
pub async fn ledger_balance(store: &Store) -> Result<Money> {
    account_balance(store, Account::Suspense).await
}

/// The balance of the frozen-funds account (CMF L562-4), as a positive amount.
pub async fn frozen_balance(store: &Store) -> Result<Money> {
    account_balance(store, Account::AmlFrozen).await
}

/// A case-less ledger account's credit balance, as a positive amount.
async fn account_balance(store: &Store, account: Account) -> Result<Money> {
    let cents: i64 = query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_postings \
         WHERE case_id IS NULL AND account = $1",
    )
    .bind(account.code())
    .fetch_one(store)
    .await?;
    Ok(Money::from_cents(-cents))
}

/// Money held or frozen for compliance (the held items in suspense, and the frozen-funds
/// account): shown to accounting control as one opaque line « sommes en attente (conformité) »,
/// with no case or payer.
pub async fn compliance_balance(store: &Store) -> Result<Money> {
    let cents: i64 = query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM suspense_items WHERE status IN ('aml_hold', 'aml_frozen')",
    )
    .fetch_one(store)
    .await?;
    Ok(Money::from_cents(cents))
}

/// Moves the money out of the suspense ledger (Debit Suspense, Credit BankReceipts). The two
/// postings always balance; only an item of zero euros, which no credit makes, is refused.
pub(crate) fn release_transaction(amount: Money, kind: TransactionKind) -> Result<Transaction> {
    Transaction::new(
        kind,
        vec![
            Posting { account: Account::Suspense, amount },
            Posting { account: Account::BankReceipts, amount: -amount },
        ],
    )
    .map_err(refused_by_ledger)
}

/// Returns a suspense item to the payer (unknown payer, wrong account).
pub async fn give_back(store: &Store, item_id: i64, reason: &str, actor: &str, now: DateTime<Utc>) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(StoreError::refused("reason_required", "indiquez le motif du retour des fonds"));
    }
    let mut tx = store.begin().await?;
    let claimed: Option<i64> = query_scalar(
        "UPDATE suspense_items SET status = 'returned', resolved_by = $2, resolved_at = $3, \
         reason = reason || ' — retour : ' || $4 WHERE id = $1 AND status = 'open' RETURNING amount_cents",
    )
    .bind(item_id)
    .bind(actor)
    .bind(now)
    .bind(reason.trim())
    .fetch_optional(&mut tx)
    .await?;
    let Some(amount_cents) = claimed else {
        return Err(StoreError::conflict(
            "already_decided",
            format!("l'élément n° {item_id} n'est plus en instance (déjà traité ?)"),
        ));
    };
    let note = format!("retour instance n° {item_id}");
    let transaction = release_transaction(Money::from_cents(amount_cents), TransactionKind::Refund)?;
    tx.book(Booking {
        case_id: None,
        transaction: &transaction,
        booked_on: recouvre_domain::business_date::paris_date(now),
        reference: &note,
        reverses: None,
        actor,
        now,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
