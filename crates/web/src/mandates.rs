//! SEPA Core mandates of a case over the API (issue 21, item 2): record the mandate the debtor
//! signed, revoke it, see its history. The instalments of the case's plan are then collected by
//! the next `recouvre export direct-debits` for their date.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_app::direct_debits::MandateInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct MandateRequest {
    /// Unique mandate reference (RUM), at most 35 characters.
    pub rum: String,
    /// The debtor's IBAN (SEPA country; checksum and French RIB key checked).
    pub iban: String,
    /// The debtor's bank's BIC (optional for SEPA debtors).
    #[serde(default)]
    pub bic: Option<String>,
    /// The date the debtor signed it (not in the future).
    pub signed_on: NaiveDate,
    /// `recurrent` (FRST, then RCUR, the plan's last FNAL) or `one_off` (OOFF, collected once).
    pub sequence: String,
    /// A pre-notification period agreed with the debtor, in calendar days, between 1 and the
    /// policy's (14 by default); left out: the policy's.
    #[serde(default)]
    pub prenotification_days: Option<u32>,
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MandateCreatedDto {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct MandateRevocationRequest {
    /// The case version the officer saw.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MandateVersionDto {
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MandateDto {
    pub id: i64,
    pub rum: String,
    pub debtor_name: String,
    pub iban: String,
    pub bic: Option<String>,
    pub signed_on: NaiveDate,
    /// `recurrent` or `one_off`.
    pub sequence: String,
    /// `active`, `revoked` or `expired` (36 months without a collection).
    pub status: String,
    /// The first collection's date (a one-off mandate is spent by it).
    pub first_collected_on: Option<NaiveDate>,
    /// The last collection presented (the 36 months of expiry count from it).
    pub last_collected_on: Option<NaiveDate>,
    /// The pre-notification period agreed, in calendar days; null: the policy's.
    pub prenotification_days: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// Records the SEPA Core mandate the case's debtor signed; the case's previous active mandate is
/// revoked. A field refused is a 400 naming it (`rum`, `iban`, `bic`, `signed_on`, `sequence`); a
/// RUM already recorded is a 409 `mandate_reference_taken`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/mandates", params(("id" = i64, Path, description = "Case id")), request_body = MandateRequest, responses(
    (status = 201, body = MandateCreatedDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_mandate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<MandateRequest>,
) -> Result<Response, AppError> {
    let input = MandateInput {
        rum: request.rum,
        iban: request.iban,
        bic: request.bic,
        signed_on: request.signed_on,
        sequence: request.sequence,
        prenotification_days: request.prenotification_days,
    };
    let id = recouvre_app::direct_debits::record_mandate(&state.app, &user.actor(), case_id, request.version, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(MandateCreatedDto { id })).into_response())
}

/// The mandates of a case, newest first (its history).
#[utoipa::path(get, path = "/api/v1/cases/{id}/mandates", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = [MandateDto]), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_mandates(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<MandateDto>>, AppError> {
    let mandates = recouvre_app::direct_debits::mandates(&state.app, &user.actor(), case_id).await?;
    Ok(Json(
        mandates
            .into_iter()
            .map(|m| MandateDto {
                id: m.id,
                rum: m.reference,
                debtor_name: m.debtor_name,
                iban: m.debtor_iban,
                bic: m.debtor_bic,
                signed_on: m.signed_on,
                sequence: m.sequence_kind,
                status: m.status,
                first_collected_on: m.first_collected_on,
                last_collected_on: m.last_collected_on,
                prenotification_days: m.prenotification_days,
                created_at: m.created_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct MandateAmendmentRequest {
    /// A new unique mandate reference (RUM); left out, unchanged.
    #[serde(default)]
    pub rum: Option<String>,
    /// The debtor's new IBAN (SEPA country); left out, unchanged.
    #[serde(default)]
    pub iban: Option<String>,
    /// The new BIC; an empty text removes it; left out, unchanged.
    #[serde(default)]
    pub bic: Option<String>,
    /// The case version the officer saw.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MandateAmendmentDto {
    pub id: i64,
    pub mandate_id: i64,
    pub original_rum: String,
    pub original_iban: String,
    pub original_bic: Option<String>,
    pub rum: String,
    pub iban: String,
    pub bic: Option<String>,
    /// The new IBAN is at another bank: the next collection says `SMNDA`.
    pub other_bank: bool,
    /// The pain.008 message (`MsgId`) whose collection reported it; null until then.
    pub reported_in: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Amends the case's active mandate: a new RUM, IBAN or BIC (each checked, 400 naming `rum`,
/// `iban` or `bic`; 400 `nothing_to_amend` when none is given or nothing changes). The next
/// collection's pain.008 carries `AmdmntInd` with the original RUM, the original IBAN, or
/// `SMNDA` when the new IBAN is at another bank. 409 `no_active_mandate`,
/// `mandate_reference_taken`, `stale_version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/mandates/amendment", params(("id" = i64, Path, description = "Case id")), request_body = MandateAmendmentRequest, responses(
    (status = 201, body = MandateCreatedDto, description = "The amendment's id"), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn amend_mandate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<MandateAmendmentRequest>,
) -> Result<Response, AppError> {
    let input =
        recouvre_app::direct_debits::MandateAmendmentInput { rum: request.rum, iban: request.iban, bic: request.bic };
    let id =
        recouvre_app::direct_debits::amend_mandate(&state.app, &user.actor(), case_id, request.version, &input).await?;
    Ok((StatusCode::CREATED, Json(MandateCreatedDto { id })).into_response())
}

/// The amendments of the case's mandates, oldest first (with the history of
/// `GET /api/v1/cases/{id}/mandates`).
#[utoipa::path(get, path = "/api/v1/cases/{id}/mandates/amendments", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = [MandateAmendmentDto]), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_amendments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<MandateAmendmentDto>>, AppError> {
    let amendments = recouvre_app::direct_debits::mandate_amendments(&state.app, &user.actor(), case_id).await?;
    Ok(Json(
        amendments
            .into_iter()
            .map(|a| MandateAmendmentDto {
                id: a.id,
                mandate_id: a.mandate_id,
                original_rum: a.original_reference,
                original_iban: a.original_iban,
                original_bic: a.original_bic,
                rum: a.new_reference,
                iban: a.new_iban,
                bic: a.new_bic,
                other_bank: a.other_bank,
                reported_in: a.reported_in,
                created_by: a.created_by,
                created_at: a.created_at,
            })
            .collect(),
    ))
}

/// Revokes the case's active mandate (the debtor withdrew it): its instalments are no longer
/// collected. 409 `no_active_mandate` when there is none.
#[utoipa::path(post, path = "/api/v1/cases/{id}/mandates/revocation", params(("id" = i64, Path, description = "Case id")), request_body = MandateRevocationRequest, responses(
    (status = 200, body = MandateVersionDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
    (status = 409, body = ErrorDto)))]
pub(crate) async fn revoke_mandate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<MandateRevocationRequest>,
) -> Result<Json<MandateVersionDto>, AppError> {
    let version =
        recouvre_app::direct_debits::revoke_mandate(&state.app, &user.actor(), case_id, request.version).await?;
    Ok(Json(MandateVersionDto { version }))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/mandates", post(post_mandate).get(get_mandates))
        .route("/cases/{id}/mandates/revocation", post(revoke_mandate))
        .route("/cases/{id}/mandates/amendment", post(amend_mandate))
        .route("/cases/{id}/mandates/amendments", axum::routing::get(get_amendments))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_mandate, get_mandates, revoke_mandate, amend_mandate, get_amendments),
    components(schemas(
        MandateRequest,
        MandateCreatedDto,
        MandateRevocationRequest,
        MandateVersionDto,
        MandateDto,
        MandateAmendmentRequest,
        MandateAmendmentDto
    ))
)]
pub struct MandatesApiDoc;
