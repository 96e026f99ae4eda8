//! The suspense account over the API.

use crate::approvals::api::DecisionRequest;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::shared::VersionDto;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SuspenseItemDto {
    pub id: i64,
    pub received_on: NaiveDate,
    pub amount: Money,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub reference: Option<String>,
    pub suggested_case_id: Option<i64>,
    pub reason: String,
}

/// The suspense account's open items, oldest first (clearing queue).
#[utoipa::path(get, path = "/api/v1/suspense", responses((status = 200, body = Vec<SuspenseItemDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn list_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<SuspenseItemDto>>, AppError> {
    let (items, _) = recouvre_app::suspense::queue(&state.app, &user.actor(), None, None).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|item| SuspenseItemDto {
                id: item.id,
                received_on: item.received_on,
                amount: Money::from_cents(item.amount_cents),
                payer_name: item.payer_name,
                payer_iban: item.payer_iban,
                reference: item.reference,
                suggested_case_id: item.suggested_case_id,
                reason: item.reason,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignRequest {
    pub case_id: i64,
}

/// Assigns a suspense item to a case: the money is allocated on the case and journaled.
#[utoipa::path(post, path = "/api/v1/suspense/{id}/assign", params(("id" = i64, Path, description = "Suspense item id")), request_body = AssignRequest, responses(
    (status = 200, body = VersionDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn assign_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<AssignRequest>,
) -> Result<Json<VersionDto>, AppError> {
    let version = recouvre_app::suspense::assign(&state.app, &user.actor(), id, request.case_id).await?;
    Ok(Json(VersionDto { version }))
}

/// Returns a suspense item to the payer, with a reason.
#[utoipa::path(post, path = "/api/v1/suspense/{id}/return", params(("id" = i64, Path, description = "Suspense item id")), request_body = DecisionRequest, responses(
    (status = 204), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn return_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<DecisionRequest>,
) -> Result<StatusCode, AppError> {
    recouvre_app::suspense::give_back(&state.app, &user.actor(), id, &request.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_suspense, assign_suspense, return_suspense), components(schemas(SuspenseItemDto, AssignRequest)))]
pub struct SuspenseApiDoc;
