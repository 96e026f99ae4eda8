//! Overpayments refunded to the payer (issue 21, item 4): request a refund of a case's
//! overpayment to the payer's IBAN, approve or refuse it above the four-eyes level, list a
//! case's refunds; the next `recouvre export transfers` pays and books it. The case page's form
//! « Rembourser le trop-perçu » makes the same use case call.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::shared::PageResult;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use chrono::{DateTime, Utc};
use recouvre_app::refunds::RefundInput;
use recouvre_domain::Money;
use recouvre_store::refunds::Refund;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct RefundRequestDto {
    /// The amount to pay back, at most the case's overpayment not yet promised to a refund.
    #[schema(value_type = String, example = "120.00")]
    pub amount: Money,
    /// The payer's IBAN (SEPA country; checksum and French RIB key checked).
    pub iban: String,
    /// The payer's bank's BIC (optional in SEPA).
    #[serde(default)]
    pub bic: Option<String>,
    /// Who is paid; the case's debtor when left out.
    #[serde(default)]
    pub payee_name: Option<String>,
    /// Why the money is paid back.
    pub reason: String,
    /// The case version the officer saw.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RefundRequestedDto {
    pub id: i64,
    /// `approved` (paid in the next transfer file) or `pending` (above 1,500.00 €: another
    /// person approves it).
    pub status: String,
    pub version: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct RefundDecisionDto {
    /// `true` approves, `false` refuses.
    pub approve: bool,
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct RefundDto {
    pub id: i64,
    pub case_id: i64,
    #[schema(value_type = String)]
    pub amount: Money,
    pub payee_name: String,
    pub payee_iban: String,
    pub payee_bic: Option<String>,
    pub reason: String,
    /// `pending`, `approved`, `refused`, `transferred` (in a pain.001, booked) or `rejected`
    /// (sent back by the bank, reversed).
    pub status: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    /// The pain.001 `MsgId` that paid it.
    pub transferred_in: Option<String>,
    /// The bank's reason code when it rejected or returned the transfer.
    pub rejection_reason: Option<String>,
}

impl From<Refund> for RefundDto {
    fn from(refund: Refund) -> RefundDto {
        RefundDto {
            id: refund.id,
            case_id: refund.case_id,
            amount: Money::from_cents(refund.amount_cents),
            payee_name: refund.payee_name,
            payee_iban: refund.payee_iban,
            payee_bic: refund.payee_bic,
            reason: refund.reason,
            status: refund.status,
            requested_by: refund.requested_by,
            requested_at: refund.requested_at,
            decided_by: refund.decided_by,
            transferred_in: refund.transferred_in,
            rejection_reason: refund.rejection_reason,
        }
    }
}

/// Requests the refund of (part of) the case's overpayment to the payer's IBAN. Approved at once
/// up to 1,500.00 €, else `pending` until someone other than the requester approves it. 400
/// naming `amount`, `iban`, `bic`, `payee_name` or `reason`; 409 `refund_exceeds_overpayment`,
/// `stale_version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/refunds", params(("id" = i64, Path, description = "Case id")), request_body = RefundRequestDto, responses(
    (status = 201, body = RefundRequestedDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_refund(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<RefundRequestDto>,
) -> Result<Response, AppError> {
    let input = RefundInput {
        amount: request.amount,
        iban: request.iban,
        bic: request.bic,
        payee_name: request.payee_name,
        reason: request.reason,
    };
    let requested =
        recouvre_app::refunds::request_refund(&state.app, &user.actor(), case_id, request.version, &input).await?;
    let body = RefundRequestedDto { id: requested.id, status: requested.status, version: requested.version };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The refunds of a case, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/refunds", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = [RefundDto]), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_refunds(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<RefundDto>>, AppError> {
    let refunds = recouvre_app::refunds::case_refunds(&state.app, &user.actor(), case_id).await?;
    Ok(Json(refunds.into_iter().map(RefundDto::from).collect()))
}

/// Approves or refuses a refund waiting for a second person (four eyes). 409 `own_request` for
/// its requester, `already_decided` when it no longer waits.
#[utoipa::path(post, path = "/api/v1/refunds/{id}/decision", params(("id" = i64, Path, description = "Refund id")), request_body = RefundDecisionDto, responses(
    (status = 200, body = RefundDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn decide_refund(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(refund_id): Path<i64>,
    Json(request): Json<RefundDecisionDto>,
) -> Result<Json<RefundDto>, AppError> {
    let refund =
        recouvre_app::refunds::decide_refund(&state.app, &user.actor(), refund_id, request.approve, &request.reason)
            .await?;
    Ok(Json(RefundDto::from(refund)))
}

#[derive(Deserialize)]
pub(crate) struct RefundForm {
    csrf: String,
    version: i64,
    amount: String,
    iban: String,
    #[serde(default)]
    bic: String,
    #[serde(default)]
    payee_name: String,
    reason: String,
}

/// The case page's form « Rembourser le trop-perçu ».
pub(crate) async fn refund_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<RefundForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = RefundInput {
        amount: recouvre_app::limits::parse_amount("amount", &form.amount)?,
        iban: form.iban,
        bic: Some(form.bic),
        payee_name: Some(form.payee_name),
        reason: form.reason,
    };
    recouvre_app::refunds::request_refund(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}")).into_response())
}

pub fn pages() -> Router<AppState> {
    Router::new().route("/dossiers/{id}/remboursements", post(refund_form))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/refunds", post(post_refund).get(get_refunds))
        .route("/refunds/{id}/decision", post(decide_refund))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_refund, get_refunds, decide_refund),
    components(schemas(RefundRequestDto, RefundRequestedDto, RefundDecisionDto, RefundDto))
)]
pub struct RefundsApiDoc;
