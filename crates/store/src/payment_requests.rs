//! A payment typed in by hand beyond its author's delegation becomes an approval request, like a
//! plan or a write-off (issue 23): someone else whose level covers the case's payments by hand
//! over the window books it by approving; no one approves their own.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::journal::EventKind;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::aml::Payer;
use crate::four_eyes::NewApprovalRequest;
use crate::ledger::{Booked, Entry};
use crate::payments::PaymentToBook;
use crate::{Result, Store, StoreError, Tx};

/// What a payment typed in by hand became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Within the author's delegation: booked (or held for processing: `Booked::pending`).
    Booked(Booked),
    /// Beyond it: waiting for another person's approval.
    AwaitingApproval { request_id: i64, version: i64 },
}

/// A payment typed in by hand: what an approver books as it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PaymentByHand {
    pub amount: Money,
    pub received_on: NaiveDate,
    pub reference: String,
    pub capital_first: bool,
    pub payer: Option<String>,
    pub payer_iban: Option<String>,
    pub cash: bool,
}

impl PaymentByHand {
    fn payer(&self) -> Payer {
        Payer {
            name: self.payer.clone(),
            iban: self.payer_iban.clone(),
            cash: self.cash,
            refund_to_other_account: false,
        }
    }
}

/// Books a payment typed in by `actor`, or, beyond their delegation (the case's payments by hand
/// over the window with this one, against their `max_write_off`), records an approval request
/// and journals it on the case, in one transaction.
pub async fn book_or_request(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    payment: &PaymentByHand,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<PaymentOutcome> {
    let entry = Entry { booked_on: payment.received_on, reference: &payment.reference, actor: actor.login, now };
    let booked = crate::payments::book_payment_from(
        store,
        case_id,
        Some(expected_version),
        payment.amount,
        AllocationOrder::capital_first_if(payment.capital_first),
        &entry,
        &payment.payer(),
        Some(actor.level),
    )
    .await;
    match booked {
        Ok(booked) => Ok(PaymentOutcome::Booked(booked)),
        Err(StoreError::Refused { code: "delegation_exceeded", .. }) => {
            request(store, case_id, expected_version, payment, actor, now).await
        }
        Err(other) => Err(other),
    }
}

async fn request(
    store: &Store,
    case_id: i64,
    expected_version: i64,
    payment: &PaymentByHand,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<PaymentOutcome> {
    let mut tx = store.begin().await?;
    let since = now - chrono::Duration::days(crate::four_eyes::CONCESSION_WINDOW_DAYS);
    let cumulative = tx.payments_by_hand_since(case_id, since).await?;
    let cumulative = payment.amount.checked_add(cumulative).unwrap_or(payment.amount);
    let mut payload = serde_json::to_value(payment).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    payload["cumulative"] = json!(cumulative);
    let payload = payload.to_string();
    let (request_id, version) = tx
        .open_approval_request(NewApprovalRequest {
            case_id,
            expected_version: Some(expected_version),
            event: EventKind::PaymentRequested,
            kind: "payment",
            payload: &payload,
            amount: payment.amount,
            reason: &format!("paiement saisi à la main : {}", payment.reference),
            actor: actor.login,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(PaymentOutcome::AwaitingApproval { request_id, version })
}

impl Tx {
    /// Books an approved payment request in the approval's transaction, as typed by its author,
    /// with the approver's delegation checked on the case's payments by hand over the window.
    pub(crate) async fn book_approved_payment(
        &mut self,
        store: &Store,
        request_id: i64,
        case_id: i64,
        proposal: &serde_json::Value,
        approver: Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let payment: PaymentByHand = serde_json::from_value(proposal.clone())
            .map_err(|error| StoreError::Corrupt(format!("demande n° {request_id} : {error}")))?;
        let vigilance = crate::aml::vigilance(store).await?;
        let authority = crate::workflow::rules(store).await?.authority;
        let reference = format!("{} (demande n° {request_id})", payment.reference);
        let entry = Entry { booked_on: payment.received_on, reference: &reference, actor: approver.login, now };
        let payer = payment.payer();
        let to_book = PaymentToBook {
            case_id,
            expected_version: None,
            amount: payment.amount,
            order: AllocationOrder::capital_first_if(payment.capital_first),
            payer: &payer,
        };
        self.book_payment_in(&vigilance, Some((&authority, approver.level)), to_book, &entry).await?;
        Ok(())
    }
}
