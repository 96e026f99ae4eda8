//! Closing a case and reopening it, and recording the sale of its claim (issue 17, part 3).
//!
//! The conditions are the domain's (`recouvre_domain::closure`), checked by the store inside
//! the closing's transaction; whether the claim is time-barred is the time-bar engine's answer
//! on the closing date, read here from the case's history (`workflow::strategy_facts`, the
//! same facts the strategy engine reads). docs/closure.md says which rules are ours.

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_domain::closure::ClosureReason;
use recouvre_domain::Money;
pub use recouvre_store::closure::{Closing, ClosureState, Sale};

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// Whether the time-bar engine finds the case's claim foreclosed or time-barred on `on`.
pub(crate) async fn time_barred(app: &App, case_id: i64, on: NaiveDate) -> Result<bool> {
    match recouvre_store::workflow::strategy_facts(app.store(), case_id, on).await {
        Ok(facts) => Ok(facts.time_barred(on)),
        // A case without a claim has nothing to time-bar.
        Err(recouvre_store::StoreError::Refused { code: "no_claim", .. }) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// A reason's code, or 400 naming the codes.
pub fn reason(field: &str, code: &str) -> Result<ClosureReason> {
    ClosureReason::from_code(code.trim()).ok_or_else(|| {
        let known: Vec<&str> = ClosureReason::ALL.iter().map(|reason| reason.code()).collect();
        Error::invalid(
            field,
            "unknown_reason",
            format!("motif de clôture « {code} » inconnu : choisissez l'un de {}", known.join(", ")),
        )
    })
}

/// Where a case stands as to its closing: the closing in force, or the reason offered and what
/// blocks each reason today.
pub async fn closure_state(app: &App, actor: &Actor, case_id: i64) -> Result<ClosureState> {
    actor.require(Permission::ReadCases)?;
    let today = app.today();
    let barred = time_barred(app, case_id, today).await?;
    Ok(recouvre_store::closure::state(app.store(), case_id, barred).await?)
}

/// A closing asked for.
#[derive(Clone, Debug)]
pub struct ClosureInput {
    /// A [`ClosureReason`] code.
    pub reason: String,
    /// The closing's date: not in the future, not before the case opened.
    pub on: NaiveDate,
    pub version: i64,
}

/// Closes a case for a reason whose conditions hold (409 with the code of what blocks and what
/// to do); returns the case's version.
pub async fn close_case(app: &App, actor: &Actor, case_id: i64, input: &ClosureInput) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let reason = reason("reason", &input.reason)?;
    let on = limits::past_date("on", input.on, app.today())?;
    let barred = reason == ClosureReason::TimeBarred && time_barred(app, case_id, on).await?;
    let closure = recouvre_store::closure::Closure { reason, on, time_barred: barred };
    recouvre_store::closure::close(app.store(), case_id, input.version, closure, &actor.login, app.now()).await.map_err(
        |error| match error {
            // The closing date before the case opened is the input's fault.
            recouvre_store::StoreError::Refused { code: "before_opening", message } => {
                Error::invalid("on", "before_opening", message)
            }
            other => Error::from(other),
        },
    )
}

/// Reopens a closed case (the officer's reason is kept, erasable, in the journal); returns the
/// case's version.
pub async fn reopen_case(app: &App, actor: &Actor, case_id: i64, version: i64, reason: &str) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let reason = limits::required_text("reason", reason, LONG_TEXT_CHARS_MAX, true)?;
    Ok(recouvre_store::closure::reopen(app.store(), case_id, version, app.today(), &reason, &actor.login, app.now())
        .await?)
}

/// A sale of the claim to record.
#[derive(Clone, Debug)]
pub struct SaleInput {
    pub buyer: String,
    pub price: Money,
    pub on: NaiveDate,
    pub version: i64,
}

/// Records the sale of a case's claim (buyer, price, date), journaled; returns the case's
/// version. Closing the case as `sold` is a separate act.
pub async fn record_sale(app: &App, actor: &Actor, case_id: i64, input: &SaleInput) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let buyer = limits::required_text("buyer", &input.buyer, SHORT_TEXT_CHARS_MAX, false)?;
    let price = limits::positive_amount("price", input.price)?;
    let on = limits::past_date("on", input.on, app.today())?;
    let sale = recouvre_store::closure::SaleInput { buyer: &buyer, price, on };
    Ok(recouvre_store::closure::record_sale(app.store(), case_id, input.version, sale, &actor.login, app.now()).await?)
}
