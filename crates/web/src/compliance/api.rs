//! Compliance over the API: alerts, decisions, reports for TRACFIN, sanctions lists.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use recouvre_app::compliance::{AlertRow, FundsOutcome, MonthlyReport};
use recouvre_app::sanctions::LoadedList;
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct AmlAlertDto {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub score: i64,
    /// The rules triggered, each with its facts.
    #[schema(value_type = Object)]
    pub alerts: serde_json::Value,
    pub rules_version: String,
    /// `open`, `close_proposed` (high score, waiting for a second person), `closed`, `reported`.
    pub status: String,
    pub assigned_to: Option<String>,
    pub close_proposed_by: Option<String>,
    pub close_reason: Option<String>,
    pub sar_reference: Option<String>,
    pub sar_filed_on: Option<NaiveDate>,
    pub visible_to_officers: bool,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub channel: String,
    /// Whether the payment is held in suspense until compliance decides.
    pub held: bool,
    /// `released` or `returned` once compliance decided what becomes of held money.
    pub funds_decision: Option<String>,
    /// Frozen funds: who proposed their release (another member of compliance confirms).
    pub release_proposed_by: Option<String>,
    /// The payments the alert groups (one debtor, one rule, one window).
    pub payment_count: i64,
}

pub(crate) fn alert_dto(row: AlertRow) -> AmlAlertDto {
    AmlAlertDto {
        alerts: serde_json::from_str(&row.alerts).unwrap_or(serde_json::Value::Null),
        id: row.id,
        case_id: row.case_id,
        case_reference: row.case_reference,
        score: row.score,
        rules_version: row.rules_version,
        status: row.status,
        assigned_to: row.assigned_to,
        close_proposed_by: row.close_proposed_by,
        close_reason: row.close_reason,
        sar_reference: row.sar_reference,
        sar_filed_on: row.sar_filed_on,
        visible_to_officers: row.visible_to_officers,
        amount: Money::from_cents(row.amount_cents),
        received_on: row.received_on,
        payer_name: row.payer_name,
        payer_iban: row.payer_iban,
        channel: row.channel,
        held: row.held_item_id.is_some(),
        funds_decision: row.funds_decision,
        release_proposed_by: row.release_proposed_by,
        payment_count: row.payment_count,
    }
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct MonthParams {
    /// `YYYY-MM`.
    month: String,
}

/// A month of vigilance: alerts by rule and outcome, time to decision, reports filed
/// (compliance only: a count of alerts would tell a small portfolio's readers, CMF L561-18).
#[utoipa::path(get, path = "/api/v1/aml/report", params(MonthParams), responses((status = 200, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn aml_monthly_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<MonthParams>,
) -> Result<Json<MonthlyReport>, AppError> {
    Ok(Json(recouvre_app::compliance::monthly_report(&state.app, &user.actor(), &params.month).await?))
}

/// Open AML/CFT alerts, highest score first (compliance only).
#[utoipa::path(get, path = "/api/v1/aml/alerts", responses((status = 200, body = Vec<AmlAlertDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn list_aml_alerts(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<AmlAlertDto>>, AppError> {
    let alerts = recouvre_app::compliance::open_alerts(&state.app, &user.actor()).await?;
    Ok(Json(alerts.into_iter().map(alert_dto).collect()))
}

/// One alert (compliance only).
#[utoipa::path(get, path = "/api/v1/aml/alerts/{id}", params(("id" = i64, Path, description = "Alert id")), responses((status = 200, body = AmlAlertDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn aml_alert_detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<AmlAlertDto>, AppError> {
    Ok(Json(alert_dto(recouvre_app::compliance::alert(&state.app, &user.actor(), id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseAlertRequest {
    pub reason: String,
}

/// Closes an alert with a reason (400 without one); a high-score alert needs a second
/// compliance officer (409 when the proposer confirms it themselves).
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/close", params(("id" = i64, Path, description = "Alert id")), request_body = CloseAlertRequest, responses((status = 200, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn close_aml_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<CloseAlertRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    let outcome = recouvre_app::compliance::close_alert(&state.app, &user.actor(), id, &request.reason).await?;
    Ok(Json(serde_json::json!({ "outcome": outcome })))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportRequest {
    /// The reference the reporting channel gave the declaration.
    pub reference: String,
    pub filed_on: NaiveDate,
}

/// Records a suspicious activity report (déclaration de soupçon, CMF L561-15): its reference
/// (required) and the day it was filed (not in the future). 409 if the alert is already decided.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/report", params(("id" = i64, Path, description = "Alert id")), request_body = ReportRequest, responses((status = 204), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn report_aml_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<ReportRequest>,
) -> Result<StatusCode, AppError> {
    recouvre_app::compliance::report_alert(&state.app, &user.actor(), id, &request.reference, Some(request.filed_on))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct VisibilityRequest {
    pub visible_to_officers: bool,
}

/// Lets officers see that the case is under review, or hides it again.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/visibility", params(("id" = i64, Path, description = "Alert id")), request_body = VisibilityRequest, responses((status = 204), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn aml_visibility(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<VisibilityRequest>,
) -> Result<StatusCode, AppError> {
    recouvre_app::compliance::set_visibility(&state.app, &user.actor(), id, request.visible_to_officers).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct FundsRequest {
    /// `release` (allocate to the case) or `return` (to the payer).
    pub decision: String,
}

/// Decides what becomes of held money, once the alert is closed or reported: 204 when done.
/// Frozen funds (asset-freeze match): 409 `treasury_authorisation_required` until the Treasury's
/// authorisation is recorded, 409 `funds_frozen` for a return; then 202
/// `{"outcome": "awaiting_second_opinion"}` until another member of compliance confirms.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/funds", params(("id" = i64, Path, description = "Alert id")), request_body = FundsRequest, responses((status = 204), (status = 202, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn aml_funds(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<FundsRequest>,
) -> Result<Response, AppError> {
    // Permission first (tests/authz_matrix.rs): a role that may not act gets 403, not a lesson
    // on the input it may not send.
    user.actor().require(recouvre_domain::authority::Permission::ReviewAml)?;
    let decision = recouvre_app::compliance::funds_decision(&request.decision)?;
    match recouvre_app::compliance::decide_funds(&state.app, &user.actor(), id, decision).await? {
        FundsOutcome::Done => Ok(StatusCode::NO_CONTENT.into_response()),
        outcome @ FundsOutcome::AwaitingSecondOpinion => {
            Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "outcome": outcome }))).into_response())
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct OppositionRequest {
    /// The day TRACFIN notified its opposition (not in the future).
    pub notified_on: Option<NaiveDate>,
    /// The last day of a judge's extension, if one was ordered.
    pub extended_until: Option<NaiveDate>,
}

/// Records TRACFIN's opposition to a reported operation (CMF L561-24): the money is blocked ten
/// jours ouvrables from the notice, or until the judge's extension. 200 `{"blocked_until": …}`;
/// 409 `not_reported` when no suspicious-activity report was filed.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/opposition", params(("id" = i64, Path, description = "Alert id")), request_body = OppositionRequest, responses((status = 200, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn aml_opposition(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<OppositionRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    let until = recouvre_app::compliance::record_opposition(
        &state.app,
        &user.actor(),
        id,
        request.notified_on,
        request.extended_until,
    )
    .await?;
    Ok(Json(serde_json::json!({ "blocked_until": until })))
}

#[derive(Deserialize, ToSchema)]
pub struct AuthorisationRequest {
    /// The Treasury's reference for the authorisation.
    #[serde(default)]
    pub reference: String,
    /// The date the Treasury granted it (not in the future).
    pub granted_on: Option<NaiveDate>,
    /// What it covers (amount, operations).
    #[serde(default)]
    pub scope: String,
    /// The document received (name or archive reference).
    #[serde(default)]
    pub document: String,
}

/// Records the Treasury's (DG Trésor) authorisation to release an alert's frozen funds
/// (CMF L562-11). 201 with its id.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/authorisation", params(("id" = i64, Path, description = "Alert id")), request_body = AuthorisationRequest, responses((status = 201, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn aml_authorisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<AuthorisationRequest>,
) -> Result<Response, AppError> {
    let input = recouvre_app::compliance::AuthorisationInput {
        reference: request.reference,
        granted_on: request.granted_on,
        scope: request.scope,
        document: request.document,
    };
    let created = recouvre_app::compliance::record_authorisation(&state.app, &user.actor(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": created }))).into_response())
}

/// The declaration of frozen funds to the Treasury: amount, person, list entry, date
/// (CMF L562-4 and following). 409 `not_a_freeze` for an alert without a list match.
#[utoipa::path(get, path = "/api/v1/aml/alerts/{id}/freeze-declaration", params(("id" = i64, Path, description = "Alert id")), responses((status = 200, body = Object), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn aml_freeze_declaration(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    Ok(Json(recouvre_app::compliance::freeze_declaration(&state.app, &user.actor(), id).await?))
}

/// The versions of the vigilance rules, latest first (compliance only).
#[utoipa::path(get, path = "/api/v1/aml/rules", responses((status = 200, body = Object), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn aml_rule_sets(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<recouvre_app::compliance::RuleSetRow>>, AppError> {
    Ok(Json(recouvre_app::compliance::rule_sets(&state.app, &user.actor()).await?))
}

/// Proposes a version of the vigilance rules (TOML body, the layout of
/// crates/domain/data/aml_rules.toml): 201 with its id; in force once another member of
/// compliance confirms it.
#[utoipa::path(post, path = "/api/v1/aml/rules", request_body(content = String, content_type = "text/plain"), responses((status = 201, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn propose_aml_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    body: String,
) -> Result<Response, AppError> {
    let id = recouvre_app::compliance::propose_rules(&state.app, &user.actor(), &body).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// Confirms a proposed version of the vigilance rules, by another member of compliance than its
/// author (409 `second_opinion_required` otherwise).
#[utoipa::path(post, path = "/api/v1/aml/rules/{id}/confirm", params(("id" = i64, Path, description = "Rule set id")), responses((status = 204), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn confirm_aml_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    recouvre_app::compliance::confirm_rules(&state.app, &user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct SanctionsParams {
    /// Name of the file, kept with the list (for the audit).
    file_name: String,
    /// Similarity from which a payer name matches an entry, in percent (default 85).
    threshold_percent: Option<u8>,
}

/// Loads a sanctions / asset-freeze list (CSV body, docs/formats/sanctions-list.md); it is in
/// force at once. A bad line refuses the file, naming the line and the field.
#[utoipa::path(post, path = "/api/v1/aml/sanctions", params(SanctionsParams), request_body(content = String, content_type = "text/csv"), responses((status = 201, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn load_sanctions(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<SanctionsParams>,
    body: String,
) -> Result<Response, AppError> {
    let threshold = params.threshold_percent.unwrap_or(recouvre_domain::sanctions::DEFAULT_THRESHOLD_PERCENT);
    let loaded = recouvre_app::sanctions::load(&state.app, &user.actor(), &params.file_name, &body, threshold).await?;
    Ok((StatusCode::CREATED, Json(loaded)).into_response())
}

/// The sanctions list in force (without its entries), or null.
#[utoipa::path(get, path = "/api/v1/aml/sanctions", responses((status = 200, body = Object), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn sanctions_in_force(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Option<LoadedList>>, AppError> {
    Ok(Json(recouvre_app::sanctions::latest(&state.app, &user.actor()).await?))
}

/// The content of a suspicious activity report for the bank's reporting tool (docs/formats/sar-json.md).
#[utoipa::path(get, path = "/api/v1/aml/alerts/{id}/export", params(("id" = i64, Path, description = "Alert id")), responses((status = 200, body = Object), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn export_aml_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    Ok(Json(recouvre_app::compliance::export_report(&state.app, &user.actor(), id).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        aml_monthly_report,
        list_aml_alerts,
        aml_alert_detail,
        close_aml_alert,
        report_aml_alert,
        aml_visibility,
        export_aml_alert,
        aml_funds,
        load_sanctions,
        sanctions_in_force,
        aml_authorisation,
        aml_freeze_declaration,
        aml_rule_sets,
        propose_aml_rules,
        confirm_aml_rules,
        aml_opposition
    ),
    components(schemas(
        AmlAlertDto,
        CloseAlertRequest,
        ReportRequest,
        FundsRequest,
        VisibilityRequest,
        AuthorisationRequest,
        OppositionRequest
    ))
)]
pub struct ComplianceApiDoc;
