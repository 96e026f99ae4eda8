//! Overpayments refunded to the payer (issue 21, item 4): a case with money on its overpayment
//! account asks for it to be paid back by transfer to the payer's IBAN (checked by
//! `recouvre_domain::bank_identifiers`, through [`crate::bank_fields`]); approved at once up to
//! 1,500.00 €, above by someone other than the requester (four eyes); paid by the next
//! `recouvre export transfers`, which books it (docs/formats/transfers.md).

use recouvre_domain::authority::Permission;
use recouvre_domain::bank_identifiers::Bic;
use recouvre_domain::Money;
use recouvre_iso20022::sepa;
use recouvre_store::refunds::{Refund, RefundRequest, RefundRequested};

use crate::{bank_fields, limits, Actor, App, Error, Result};

/// A refund as the API and the case page enter it.
#[derive(Clone, Debug)]
pub struct RefundInput {
    pub amount: Money,
    pub iban: String,
    pub bic: Option<String>,
    /// Who is paid; the case's debtor when left out.
    pub payee_name: Option<String>,
    pub reason: String,
}

/// Requests the refund of (part of) a case's overpayment, made on the case's `version`, journaled
/// `refund_requested`. 400 naming `amount`, `iban` (`invalid_iban`, a SEPA country's), `bic`,
/// `payee_name` (not writable in the SEPA character set) or `reason`; 409
/// `refund_exceeds_overpayment` above what the overpayment still holds.
pub async fn request_refund(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &RefundInput,
) -> Result<RefundRequested> {
    actor.require(Permission::WorkCases)?;
    let amount = limits::positive_amount("amount", input.amount)?;
    let iban = bank_fields::sepa_iban("iban", "IBAN du bénéficiaire", &input.iban)?.into_string();
    let bic = bank_fields::optional_bic("bic", "BIC du bénéficiaire", input.bic.as_deref())?.map(Bic::into_string);
    let reason = limits::text("reason", &input.reason, 500, true)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("reason", "required", "motif du remboursement : obligatoire"));
    }
    let name = match input.payee_name.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
        Some(name) => name.to_string(),
        None => {
            let case = recouvre_store::cases::detail(app.store(), case_id).await?;
            format!("{} {}", case.debtor.last_name.to_uppercase(), case.debtor.first_name).trim().to_string()
        }
    };
    let payee_name = sepa::to_sepa_text(&name, 70)
        .map_err(|error| Error::invalid("payee_name", "invalid_name", format!("nom du bénéficiaire : {error}")))?;
    let request = RefundRequest {
        case_id,
        expected_version: version,
        amount,
        payee_name: &payee_name,
        payee_iban: &iban,
        payee_bic: bic.as_deref(),
        reason: &reason,
    };
    Ok(recouvre_store::refunds::request(app.store(), &request, &actor.login, app.now()).await?)
}

/// Approves (`approve`) or refuses a refund waiting for a second person (journaled
/// `refund_approved` / `refund_refused`). 409 `own_request` for its requester, `already_decided`
/// when it no longer waits.
pub async fn decide_refund(app: &App, actor: &Actor, refund_id: i64, approve: bool, reason: &str) -> Result<Refund> {
    actor.require(Permission::Approve)?;
    let reason = limits::text("reason", reason, 500, true)?;
    Ok(recouvre_store::refunds::decide(app.store(), refund_id, approve, &reason, &actor.login, app.now()).await?)
}

/// The refunds of a case, newest first.
pub async fn case_refunds(app: &App, actor: &Actor, case_id: i64) -> Result<Vec<Refund>> {
    actor.require(Permission::ReadCases)?;
    Ok(recouvre_store::refunds::case_refunds(app.read_store(), case_id).await?)
}
