//! The approvals page: requests awaiting a decision by someone whose delegation covers them.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use recouvre_domain::vocabulary::{self, Family};
use recouvre_domain::Money;
use serde::Deserialize;

pub(crate) struct ApprovalView {
    id: i64,
    case_id: i64,
    case_reference: String,
    subject: &'static str,
    amount: String,
    reason: String,
    requested_by: String,
    requested_at: String,
    can_decide: bool,
    why_not: String,
}

#[derive(Template)]
#[template(path = "approvals.html")]
pub(crate) struct ApprovalsPage {
    layout: Layout,
    requests: Vec<ApprovalView>,
}

pub(crate) async fn approvals(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let pending = recouvre_app::approvals::pending(&state.app, &user.actor()).await?;
    let requests = pending
        .into_iter()
        .map(|recouvre_app::approvals::Pending { request, why_not, case_reference, requested_by_name }| {
            let amount = Money::from_cents(request.amount_cents);
            // The reason is a sentence on its own in the decision's cell.
            let why_not = why_not
                .map(|text| {
                    let mut chars = text.chars();
                    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
                })
                .unwrap_or_default();
            ApprovalView {
                id: request.id,
                case_id: request.case_id,
                case_reference,
                subject: vocabulary::label(Family::ApprovalKind, &request.kind),
                amount: amount.to_french(),
                reason: request.reason,
                requested_by: requested_by_name,
                requested_at: format::timestamp(request.requested_at),
                can_decide: why_not.is_empty(),
                why_not,
            }
        })
        .collect();
    render(&ApprovalsPage { layout: Layout::of(&user), requests })
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        other => return Err(AppError::BadRequest(format!("décision inconnue « {other} »")).into()),
    };
    let _decided = crate::approvals::api::decide(&state, &user, id, approve, &form.reason).await?;
    Ok(Redirect::to("/approbations").into_response())
}
