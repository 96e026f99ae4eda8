//! The suspense queue: money that found no case, assigned or returned by an officer.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use serde::Deserialize;

pub(crate) struct SuspenseView {
    id: i64,
    received_on: String,
    amount: String,
    payer: String,
    iban: String,
    reference: String,
    reason: String,
    suggestion: String,
    suggestion_id: i64,
}

#[derive(Template)]
#[template(path = "suspense.html")]
pub(crate) struct SuspensePage {
    layout: Layout,
    items: Vec<SuspenseView>,
    total: String,
    /// The filter in force, said in French (empty: every item).
    filter: String,
}

/// The queue's filter: the days of receipt (the cockpit's ages of suspense).
#[derive(Deserialize)]
pub(crate) struct SuspenseQuery {
    /// Received on or after this day (YYYY-MM-DD).
    #[serde(default)]
    received_from: String,
    /// Received on or before this day (YYYY-MM-DD).
    #[serde(default)]
    received_to: String,
}

/// The suspense account's clearing queue (compte d'instance).
pub(crate) async fn suspense_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SuspenseQuery>,
) -> PageResult {
    user.require(Permission::WorkCases)?;
    let date = |text: &str, what: &str| -> Result<Option<NaiveDate>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| {
            AppError::BadRequest(format!("{what} : « {text} » n'est pas une date ; écrivez-la AAAA-MM-JJ"))
        })
    };
    let from = date(&query.received_from, "reçu depuis le")?;
    let to = date(&query.received_to, "reçu jusqu'au")?;
    let filter = match (from, to) {
        (None, None) => String::new(),
        (Some(from), None) => format!("reçues depuis le {}", format::short_date(from)),
        (None, Some(to)) => format!("reçues au plus tard le {}", format::short_date(to)),
        (Some(from), Some(to)) => {
            format!("reçues du {} au {}", format::short_date(from), format::short_date(to))
        }
    };
    let (items, balance) = recouvre_app::suspense::queue(&state.app, &user.actor(), from, to).await?;
    let mut views = Vec::with_capacity(items.len());
    for item in items {
        let suggestion = match item.suggested_case_id {
            Some(case_id) => recouvre_store::cases::case_reference(case_id),
            None => String::new(),
        };
        views.push(SuspenseView {
            id: item.id,
            received_on: format::short_date(item.received_on),
            amount: format::euros(item.amount_cents),
            payer: item.payer_name.unwrap_or_default(),
            iban: item.payer_iban.as_deref().map(format::iban).unwrap_or_default(),
            reference: item.reference.unwrap_or_default(),
            reason: item.reason,
            suggestion,
            suggestion_id: item.suggested_case_id.unwrap_or_default(),
        });
    }
    let total = balance.to_french();
    render(&SuspensePage { layout: Layout::of(&user), items: views, total, filter })
}

#[derive(Deserialize)]
pub(crate) struct AssignSuspenseForm {
    csrf: String,
    /// A case number (`CTX-…`).
    case_reference: String,
}

pub(crate) async fn assign_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AssignSuspenseForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::suspense::assign_to_reference(&state.app, &user.actor(), id, &form.case_reference).await?;
    Ok(Redirect::to("/instance").into_response())
}

#[derive(Deserialize)]
pub(crate) struct ReturnSuspenseForm {
    csrf: String,
    reason: String,
}

pub(crate) async fn return_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReturnSuspenseForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::suspense::give_back(&state.app, &user.actor(), id, &form.reason).await?;
    Ok(Redirect::to("/instance").into_response())
}
