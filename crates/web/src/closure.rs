//! Closing a case, reopening it, and recording the sale of its claim (issue 17, part 3): the
//! case page's forms and the API. The rules are in `recouvre_domain::closure`, the use cases in
//! `recouvre_app::closure`.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::shared::{PageResult, VersionDto};
use crate::{format, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use recouvre_app::closure::ClosureState;
use recouvre_domain::closure::ClosureReason;
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{id}/cloture", post(close_form))
        .route("/dossiers/{id}/reouverture", post(reopen_form))
        .route("/dossiers/{id}/cession", post(sale_form))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/closure", axum::routing::get(get_closure).post(post_closure))
        .route("/cases/{id}/reopening", post(post_reopening))
        .route("/cases/{id}/sale", post(post_sale))
}

// ---------------------------------------------------------------------------------------------
// The case page's section

/// A reason of the closing form.
pub(crate) struct ReasonOption {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
    /// What blocks it today, in French; empty when it may be chosen.
    pub blocked_by: String,
}

/// The closing section of the case page (`templates/case_closure.html`).
pub(crate) struct ClosureSection {
    pub closed: bool,
    /// « Créance remboursée, le 4 décembre 2026 » once closed.
    pub closed_line: String,
    pub reasons: Vec<ReasonOption>,
    /// « Cédée à X le …, pour … » once a sale is recorded.
    pub sale_line: String,
}

impl ClosureSection {
    pub(crate) fn of(state: &ClosureState, today: NaiveDate) -> ClosureSection {
        let suggested = state.suggested();
        let reasons = state
            .blockers(today)
            .into_iter()
            .map(|(reason, blocker)| ReasonOption {
                code: reason.code(),
                label: reason.label(),
                selected: Some(reason) == suggested,
                blocked_by: blocker.map(|blocker| blocker.message).unwrap_or_default(),
            })
            .collect();
        ClosureSection {
            closed: state.closing.is_some(),
            closed_line: state.closing.as_ref().map_or_else(String::new, |closing| {
                format!("{}, le {}", closing.reason.label(), format::long_date(closing.closed_on))
            }),
            reasons,
            sale_line: state.sale.as_ref().map_or_else(String::new, |sale| {
                format!(
                    "Créance cédée à {} le {}, pour {}",
                    sale.buyer,
                    format::long_date(sale.sold_on),
                    sale.price.to_french()
                )
            }),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct CloseForm {
    csrf: String,
    version: i64,
    reason: String,
    on: NaiveDate,
}

pub(crate) async fn close_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = recouvre_app::closure::ClosureInput { reason: form.reason, on: form.on, version: form.version };
    recouvre_app::closure::close_case(&state.app, &user.actor(), case_id, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#cloture")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct ReopenForm {
    csrf: String,
    version: i64,
    reason: String,
}

pub(crate) async fn reopen_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<ReopenForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::closure::reopen_case(&state.app, &user.actor(), case_id, form.version, &form.reason).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#cloture")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct SaleForm {
    csrf: String,
    version: i64,
    buyer: String,
    price: String,
    on: NaiveDate,
}

pub(crate) async fn sale_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<SaleForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let price = recouvre_app::limits::parse_amount("price", &form.price)?;
    let input = recouvre_app::closure::SaleInput { buyer: form.buyer, price, on: form.on, version: form.version };
    recouvre_app::closure::record_sale(&state.app, &user.actor(), case_id, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#cloture")).into_response())
}

// ---------------------------------------------------------------------------------------------
// API

#[derive(Serialize, ToSchema)]
pub struct ClosingDto {
    pub reason: ClosureReason,
    pub on: NaiveDate,
    pub closed_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct SaleDto {
    pub buyer: String,
    pub price: Money,
    pub on: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct ReasonCheckDto {
    pub reason: ClosureReason,
    /// Whether the case may be closed for this reason today.
    pub allowed: bool,
    /// What blocks it: the code the 409 would carry…
    pub code: Option<String>,
    /// …and its French message.
    pub message: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClosureStateDto {
    pub version: i64,
    /// The case's status code (`closed` once closed).
    pub status: String,
    /// The closing in force, if closed.
    pub closing: Option<ClosingDto>,
    /// The reason a closing would take first (a case owing nothing: `repaid`), none once closed.
    pub suggested_reason: Option<ClosureReason>,
    /// What the debtor still owes.
    pub balance: Money,
    pub sale: Option<SaleDto>,
    /// Each reason and what blocks it today (empty once closed).
    pub reasons: Vec<ReasonCheckDto>,
}

fn state_dto(state: &ClosureState, today: NaiveDate) -> ClosureStateDto {
    ClosureStateDto {
        version: state.version,
        status: state.status.clone(),
        closing: state.closing.as_ref().map(|closing| ClosingDto {
            reason: closing.reason,
            on: closing.closed_on,
            closed_by: closing.closed_by.clone(),
        }),
        suggested_reason: state.suggested(),
        balance: state.facts.balance,
        sale: state.sale.as_ref().map(|sale| SaleDto {
            buyer: sale.buyer.clone(),
            price: sale.price,
            on: sale.sold_on,
        }),
        reasons: if state.closing.is_some() {
            Vec::new()
        } else {
            state
                .blockers(today)
                .into_iter()
                .map(|(reason, blocker)| ReasonCheckDto {
                    reason,
                    allowed: blocker.is_none(),
                    code: blocker.as_ref().map(|blocker| blocker.code.to_string()),
                    message: blocker.map(|blocker| blocker.message),
                })
                .collect()
        },
    }
}

/// Where a case stands as to its closing: the closing in force, or the reason offered and what
/// blocks each reason today.
#[utoipa::path(get, path = "/api/v1/cases/{id}/closure", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = ClosureStateDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_closure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<ClosureStateDto>, AppError> {
    let closure = recouvre_app::closure::closure_state(&state.app, &user.actor(), case_id).await?;
    Ok(Json(state_dto(&closure, state.app.today())))
}

#[derive(Deserialize, ToSchema)]
pub struct ClosureRequest {
    /// `repaid`, `settled`, `written_off`, `time_barred`, `debt_relief` or `sold`.
    pub reason: String,
    /// The closing's date: not after today (Paris), not before the case opened.
    pub on: NaiveDate,
    /// The case version the officer saw.
    pub version: i64,
}

/// Closes a case. 409 with the code of what blocks: `approval_pending`, `plan_active`,
/// `procedure_open`, `balance_not_zero`, `no_waiver`, `balance_not_written_off`, `no_write_off`,
/// `not_time_barred`, `no_debt_relief_decision`, `no_sale_recorded`, `already_closed`,
/// `stale_version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/closure", params(("id" = i64, Path, description = "Case id")), request_body = ClosureRequest, responses(
    (status = 201, body = VersionDto), (status = 400, description = "Unknown reason, date in the future or before the case opened", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
    (status = 409, description = "A condition of the closing does not hold, or the version is stale", body = ErrorDto)))]
pub(crate) async fn post_closure(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<ClosureRequest>,
) -> Result<Response, AppError> {
    let input =
        recouvre_app::closure::ClosureInput { reason: request.reason, on: request.on, version: request.version };
    let version = recouvre_app::closure::close_case(&state.app, &user.actor(), case_id, &input).await?;
    Ok((StatusCode::CREATED, Json(VersionDto { version })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ReopeningRequest {
    /// Why the case is reopened (kept in the erasable part of the journal).
    pub reason: String,
    /// The case version the officer saw.
    pub version: i64,
}

/// Reopens a closed case (the amicable phase again; interest resumes the day after).
#[utoipa::path(post, path = "/api/v1/cases/{id}/reopening", params(("id" = i64, Path, description = "Case id")), request_body = ReopeningRequest, responses(
    (status = 201, body = VersionDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, description = "`not_closed`, or `stale_version`", body = ErrorDto)))]
pub(crate) async fn post_reopening(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<ReopeningRequest>,
) -> Result<Response, AppError> {
    let version =
        recouvre_app::closure::reopen_case(&state.app, &user.actor(), case_id, request.version, &request.reason)
            .await?;
    Ok((StatusCode::CREATED, Json(VersionDto { version })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct SaleRequest {
    /// Who bought the claim.
    pub buyer: String,
    /// The price paid for it.
    pub price: Money,
    /// The date of the sale: not after today, not before the case opened.
    pub on: NaiveDate,
    /// The case version the officer saw.
    pub version: i64,
}

/// Records the sale of the case's claim (cession de créance), journaled: what a closing as
/// `sold` rests on.
#[utoipa::path(post, path = "/api/v1/cases/{id}/sale", params(("id" = i64, Path, description = "Case id")), request_body = SaleRequest, responses(
    (status = 201, body = VersionDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, description = "`already_sold`, `already_closed`, or `stale_version`", body = ErrorDto)))]
pub(crate) async fn post_sale(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<SaleRequest>,
) -> Result<Response, AppError> {
    let input = recouvre_app::closure::SaleInput {
        buyer: request.buyer,
        price: request.price,
        on: request.on,
        version: request.version,
    };
    let version = recouvre_app::closure::record_sale(&state.app, &user.actor(), case_id, &input).await?;
    Ok((StatusCode::CREATED, Json(VersionDto { version })).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_closure, post_closure, post_reopening, post_sale),
    components(schemas(
        ClosureStateDto,
        ClosingDto,
        SaleDto,
        ReasonCheckDto,
        ClosureRequest,
        ReopeningRequest,
        SaleRequest,
        ClosureReason,
        VersionDto
    ))
)]
pub struct ClosureApiDoc;
