//! Approvals over the API.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ApprovalDto {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub amount: Money,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub status: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// Whether the caller may decide it (not their own, within their level).
    pub can_decide: bool,
}

/// `can_decide`: whether the caller may decide it, as the application layer judges it.
pub(crate) fn approval_dto(request: recouvre_store::approvals::ApprovalRequest, can_decide: bool) -> ApprovalDto {
    let amount = Money::from_cents(request.amount_cents);
    ApprovalDto {
        can_decide: can_decide && request.status == "pending",
        id: request.id,
        case_id: request.case_id,
        kind: request.kind,
        amount,
        reason: request.reason,
        requested_by: request.requested_by,
        requested_at: request.requested_at,
        status: request.status,
        decided_by: request.decided_by,
        decision_reason: request.decision_reason,
    }
}

/// Requests waiting for a decision (approvals inbox).
#[utoipa::path(get, path = "/api/v1/approvals", responses((status = 200, body = Vec<ApprovalDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn list_approvals(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ApprovalDto>>, AppError> {
    let pending = recouvre_app::approvals::pending(&state.app, &user.actor()).await?;
    Ok(Json(pending.into_iter().map(|pending| approval_dto(pending.request, pending.why_not.is_none())).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// Required to refuse.
    #[serde(default)]
    pub reason: String,
}

/// Approves a request: the decision is carried out (a write-off is booked). Never by the
/// requester; only within the approver's delegation.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/approve", params(("id" = i64, Path, description = "Request id")), request_body = DecisionRequest, responses(
    (status = 200, body = ApprovalDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn approve_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<DecisionRequest>,
) -> Result<Json<ApprovalDto>, AppError> {
    decide(&state, &user, id, true, &request.reason).await
}

/// Refuses a request, with a reason.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/refuse", params(("id" = i64, Path, description = "Request id")), request_body = DecisionRequest, responses(
    (status = 200, body = ApprovalDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn refuse_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<DecisionRequest>,
) -> Result<Json<ApprovalDto>, AppError> {
    decide(&state, &user, id, false, &request.reason).await
}

pub(crate) async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    approve: bool,
    reason: &str,
) -> Result<Json<ApprovalDto>, AppError> {
    let decided = recouvre_app::approvals::decide(&state.app, &user.actor(), id, approve, reason).await?;
    Ok(Json(approval_dto(decided, false)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_approvals, approve_request, refuse_request), components(schemas(ApprovalDto, DecisionRequest)))]
pub struct ApprovalsApiDoc;
