//! The suspense account (compte d'instance): money that found no case waits here until an
//! officer assigns it to its case or returns it to the payer.

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_domain::Money;
use recouvre_store::cases::CaseFilter;
use recouvre_store::suspense::SuspenseItem;

use crate::limits::{self, LONG_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// The open items received between `from` and `to` (either open), oldest first, and the
/// account's balance.
pub async fn queue(
    app: &App,
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Vec<SuspenseItem>, Money)> {
    actor.require(Permission::WorkCases)?;
    let items = match (from, to) {
        (None, None) => recouvre_store::suspense::open_items(app.store()).await?,
        _ => recouvre_store::suspense::open_items_received(app.store(), from, to).await?,
    };
    let balance = recouvre_store::suspense::balance(app.store()).await?;
    Ok((items, balance))
}

/// Assigns an item to a case: the money is allocated on the case and journaled. Returns the
/// case's new version.
pub async fn assign(app: &App, actor: &Actor, item_id: i64, case_id: i64) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    Ok(recouvre_store::payments::assign_suspense(app.store(), item_id, case_id, &actor.login, app.now()).await?)
}

/// Assigns an item to the case of a reference typed by the officer (`CTX-…`).
pub async fn assign_to_reference(app: &App, actor: &Actor, item_id: i64, reference: &str) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let reference = limits::required_text("case_reference", reference, 40, false)?.to_uppercase();
    let page = recouvre_store::cases::list(
        app.store(),
        &CaseFilter { query: Some(reference.clone()), ..CaseFilter::default() },
    )
    .await?;
    let case = page.cases.into_iter().find(|case| case.reference == reference).ok_or_else(|| {
        Error::invalid(
            "case_reference",
            "unknown_case",
            format!("dossier « {reference} » introuvable : saisissez un numéro CTX-…"),
        )
    })?;
    assign(app, actor, item_id, case.id).await
}

/// Returns an item to its payer, with a reason.
pub async fn give_back(app: &App, actor: &Actor, item_id: i64, reason: &str) -> Result<()> {
    actor.require(Permission::WorkCases)?;
    let reason = limits::text("reason", reason, LONG_TEXT_CHARS_MAX, true)?;
    Ok(recouvre_store::suspense::give_back(app.store(), item_id, &reason, &actor.login, app.now()).await?)
}
