//! Booking money received for a case: screened by the vigilance rules (`crate::aml`), then
//! either allocated on the case's ledger (`crate::ledger`) or held in suspense for compliance
//! (`crate::suspense`), in one transaction.
//!
//! This module sits above the ledger, the suspense account and the vigilance rules, which know
//! nothing of each other's booking paths: a payment by hand ([`book_payment_from`]) and a
//! suspense item an officer assigns to a case ([`assign_suspense`]) both go through here. (A
//! statement's credits and a direct-debit file screen and book their payments the same way, in
//! `crate::statements` and `crate::direct_debits`.)

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::aml::Channel;
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger;
use recouvre_domain::Money;
use serde_json::json;

use crate::aml::{IncomingPayment, Payer, ScreeningRecord};
use crate::closure::{LateArrival, LateRoute};
use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::ledger::{posting_summary, refused_by_ledger, Booked, Booking, Entry};
use crate::suspense::{Clearing, Held};
use crate::{Result, Store, StoreError};

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
    book_payment_from(store, case_id, expected_version, amount, order, entry, &Payer::default(), None).await
}

/// [`book_payment`] with what is known of the payer, screened by the vigilance rules in the
/// same transaction (`crate::aml`). A payment the rules hold goes to suspense (status
/// `aml_hold`) and the case is not touched: the answer says only that it is pending. Money
/// for a closed case goes where its closing's reason says (`Tx::route_late_money`, issue 17).
/// `by_hand` is the delegation level of a user who books it by hand: such a payment counts with
/// the case's concessions against that level (`Tx::check_payment_by_hand`, issue 23).
#[allow(clippy::too_many_arguments)]
pub async fn book_payment_from(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    amount: Money,
    order: AllocationOrder,
    entry: &Entry<'_>,
    payer: &Payer,
    by_hand: Option<recouvre_domain::authority::DelegationLevel>,
) -> Result<Booked> {
    let vigilance = crate::aml::vigilance(store).await?;
    // The authority matrix in force (an administrator's latest approved version).
    let authority = match by_hand {
        Some(level) => Some((crate::workflow::rules(store).await?.authority, level)),
        None => None,
    };
    let mut tx = store.begin().await?;
    let payment = PaymentToBook { case_id, expected_version, amount, order, payer };
    let booked = tx
        .book_payment_in(&vigilance, authority.as_ref().map(|(matrix, level)| (matrix, *level)), payment, entry)
        .await?;
    tx.commit().await?;
    Ok(booked)
}

/// A payment to book in a caller's transaction ([`Tx::book_payment_in`]).
pub(crate) struct PaymentToBook<'a> {
    pub case_id: i64,
    pub expected_version: Option<i64>,
    pub amount: Money,
    pub order: AllocationOrder,
    pub payer: &'a Payer,
}

impl crate::Tx {
    /// [`book_payment_from`] inside this transaction: `by_hand` is the authority matrix in force
    /// and the level of the user who books it by hand (the requester, or the approver of a
    /// payment above the requester's delegation, `crate::approvals::decide`).
    pub(crate) async fn book_payment_in(
        &mut self,
        vigilance: &crate::aml::Vigilance,
        by_hand: Option<(&recouvre_domain::delegation::AuthorityMatrix, recouvre_domain::authority::DelegationLevel)>,
        payment_to_book: PaymentToBook<'_>,
        entry: &Entry<'_>,
    ) -> Result<Booked> {
        let PaymentToBook { case_id, mut expected_version, amount, order, payer } = payment_to_book;
        let tx = self;
        let Entry { booked_on: received_on, reference, actor, now } = *entry;
        let payment = IncomingPayment { case_id, amount, received_on, payer, channel: Channel::Manual };
        // An unknown case is a 404 before anything reads it (issue 22: the screening and the
        // late-money routing below read the case's row with `fetch_one`, a 500 for a bad id).
        let known: Option<i64> =
            query_scalar("SELECT id FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut *tx).await?;
        if known.is_none() {
            return Err(StoreError::not_found(format!("dossier n° {case_id}")));
        }
        // Refused before anything is written, whichever way the money goes (allocated below on the
        // balance settled then).
        let balances = tx.balances(case_id).await?;
        ledger::payment(&balances, amount, order).map_err(refused_by_ledger)?;
        if let Some((authority, level)) = by_hand {
            tx.check_payment_by_hand(authority, case_id, amount, level, now).await?;
        }
        let screening = tx.assess(&payment, vigilance).await?;
        // A closed case: what becomes of money compliance did not hold is its closing's reason's
        // (issue 17): booked after a reopening, or held in suspense and journaled on the case.
        let late = if screening.hold {
            None
        } else {
            let source_key = format!("closed:{case_id}:{}:{reference}", now.to_rfc3339());
            let arrival = LateArrival {
                case_id,
                expected_version,
                amount,
                received_on,
                reference: Some(reference),
                payer_name: payer.name.as_deref(),
                payer_iban: payer.iban.as_deref(),
                source_key: &source_key,
                actor,
                now,
            };
            match tx.route_late_money(&arrival).await? {
                LateRoute::Suspense { transaction_id, version, .. } => Some((transaction_id, version)),
                LateRoute::Book { expected_version: still_expected } => {
                    // A reopening consumed the version the author saw.
                    expected_version = still_expected;
                    None
                }
            }
        };
        let booked = if screening.hold {
            // Held for compliance: the money waits in suspense, the case is not touched.
            let version: i64 =
                query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut *tx).await?;
            if expected_version.is_some_and(|expected| expected != version) {
                // The same 409 as any stale write: with the events recorded since.
                return Err(tx.stale_change(case_id, expected_version).await?);
            }
            let source_key = format!("manual:{case_id}:{}:{reference}", now.to_rfc3339());
            let held = Held {
                received_on,
                amount,
                payer_name: payer.name.as_deref(),
                payer_iban: payer.iban.as_deref(),
                reference: Some(reference),
                suggested_case_id: Some(case_id),
                reason: "paiement en cours de traitement",
                source_key: &source_key,
            };
            let (item_id, transaction_id) = tx
                .hold(&held, screening.hold_status(), actor, now)
                .await?
                .ok_or_else(|| StoreError::conflict("already_booked", "ce paiement est déjà enregistré"))?;
            let record = ScreeningRecord {
                payment: &payment,
                transaction_id,
                screening: &screening,
                vigilance,
                held_item_id: Some(item_id),
                now,
            };
            tx.record_screening(record).await?;
            Booked { transaction_id, version, postings: Vec::new(), pending: true }
        } else if let Some((transaction_id, version)) = late {
            let record = ScreeningRecord {
                payment: &payment,
                transaction_id,
                screening: &screening,
                vigilance,
                held_item_id: None,
                now,
            };
            tx.record_screening(record).await?;
            // Not allocated on the case: waiting in suspense, like any payment not yet allocated.
            Booked { transaction_id, version, postings: Vec::new(), pending: true }
        } else {
            // The interest accrued up to the day the money came is booked first, so that the
            // payment is allocated over a settled balance (C. civ. 1343-1; issue 18).
            let balances =
                tx.settled_balances(case_id, received_on, &mut expected_version, "payment", actor, now).await?;
            let transaction = ledger::payment(&balances, amount, order).map_err(refused_by_ledger)?;
            let payload = json!({
                "amount": amount, "received_on": received_on, "reference": reference,
                "allocation": posting_summary(&transaction), "by_hand": by_hand.is_some(),
            });
            let event = tx
                .append_event(CaseEvent {
                    case_id,
                    expected_version,
                    kind: EventKind::PaymentBooked,
                    payload: payload.to_string(),
                    actor,
                    now,
                })
                .await?;
            let booking = Booking {
                case_id: Some(case_id),
                transaction: &transaction,
                booked_on: received_on,
                reference,
                reverses: None,
                actor,
                now,
            };
            let transaction_id = tx.book(booking).await?;
            let record = ScreeningRecord {
                payment: &payment,
                transaction_id,
                screening: &screening,
                vigilance,
                held_item_id: None,
                now,
            };
            tx.record_screening(record).await?;
            Booked { transaction_id, version: event.sequence, postings: posting_summary(&transaction), pending: false }
        };
        Ok(booked)
    }
}

/// An officer assigns a suspense item to a case: the money leaves suspense and is allocated on
/// the case like a payment, journaled on the case, in one transaction. The payment is screened
/// first; if it must be held for compliance, it stays in suspense (status `aml_hold`), or moves
/// to the frozen-funds account when frozen (status `aml_frozen`), and the case is untouched.
/// Returns the case's version.
pub async fn assign_suspense(
    store: &Store,
    item_id: i64,
    case_id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let vigilance = crate::aml::vigilance(store).await?;
    let mut tx = store.begin().await?;
    type Claimed = (i64, NaiveDate, Option<String>, Option<String>, Option<String>);
    let claimed: Option<Claimed> = query_as(
        "UPDATE suspense_items SET status = 'assigned', case_id = $2, resolved_by = $3, resolved_at = $4 \
         WHERE id = $1 AND status = 'open' RETURNING amount_cents, received_on, reference, payer_name, payer_iban",
    )
    .bind(item_id)
    .bind(case_id)
    .bind(actor)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    let Some((amount_cents, received_on, reference, payer_name, payer_iban)) = claimed else {
        return Err(StoreError::conflict(
            "already_decided",
            format!("l'élément n° {item_id} n'est plus en instance (déjà traité ?)"),
        ));
    };
    let amount = Money::from_cents(amount_cents);
    let payer = Payer { name: payer_name, iban: payer_iban, cash: false, refund_to_other_account: false };
    let payment = IncomingPayment { case_id, amount, received_on, payer: &payer, channel: Channel::Statement };
    let screening = tx.assess(&payment, &vigilance).await?;
    let version = if screening.hold {
        query("UPDATE suspense_items SET status = $2 WHERE id = $1")
            .bind(item_id)
            .bind(screening.hold_status())
            .execute(&mut tx)
            .await?;
        if screening.frozen {
            // Frozen funds leave suspense for their own account, the day they are frozen.
            let today = recouvre_domain::business_date::paris_date(now);
            tx.freeze_item(item_id, amount, today, now).await?;
        }
        let note = format!("instance n° {item_id}");
        let hold_transaction: i64 = query_scalar(
            "SELECT id FROM ledger_transactions WHERE case_id IS NULL AND reference = $1 ORDER BY id LIMIT 1",
        )
        .bind(&note)
        .fetch_one(&mut tx)
        .await?;
        let record = ScreeningRecord {
            payment: &payment,
            transaction_id: hold_transaction,
            screening: &screening,
            vigilance: &vigilance,
            held_item_id: Some(item_id),
            now,
        };
        tx.record_screening(record).await?;
        let version: i64 =
            query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut tx).await?;
        version
    } else {
        let clearing = Clearing { item_id, case_id, amount, received_on, reference: reference.as_deref(), actor, now };
        let (event, transaction_id) = tx.clear_to_case(clearing).await?;
        let record = ScreeningRecord {
            payment: &payment,
            transaction_id,
            screening: &screening,
            vigilance: &vigilance,
            held_item_id: None,
            now,
        };
        tx.record_screening(record).await?;
        event.sequence
    };
    tx.commit().await?;
    Ok(version)
}
