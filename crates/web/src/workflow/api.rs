//! The workflow over the API: assessments, recommendations, procedures and their steps, plans,
//! waivers, exchanges with third parties, the agenda and the rule documents.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use recouvre_app::workflow::{
    self, AssessmentInput, Deadline, DecisionInput, PlanInput, PlanOutcome, PlanSchedule, StepCommand, StepInput,
    StepInvoice, WaiverAmounts, WaiverInput, WaiverOutcome,
};
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::pages::AgendaQuery;

// ---------------------------------------------------------------------------------------------
// Assessment and recommendation

#[derive(Deserialize, ToSchema)]
pub struct AssessmentRequest {
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
    /// `assessed_on`, `incomes`, `charges`, `household`, `assets`, `employer`; a `debt` given is
    /// ignored: the case's balance is assessed.
    #[schema(value_type = Object)]
    pub assessment: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentCreatedDto {
    /// What the assessment computed: capacity, seizable amounts, recoverability and why.
    #[schema(value_type = Object)]
    pub result: recouvre_domain::assessment::AssessmentResult,
    /// The case's version after the assessment and the strategy's re-evaluation.
    pub version: i64,
}

/// Records a financial assessment (bilan) and re-evaluates the strategy. The `assessment`'s
/// `debt` is ignored: the case's balance is used.
#[utoipa::path(post, path = "/api/v1/cases/{id}/assessments", params(("id" = i64, Path, description = "Case id")), request_body = AssessmentRequest,
    responses((status = 201, body = AssessmentCreatedDto), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_assessment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<AssessmentRequest>,
) -> Result<Response, AppError> {
    // Permission first (tests/authz_matrix.rs): a role that may not act gets 403, not a lesson
    // on the input it may not send.
    user.actor().require(recouvre_domain::authority::Permission::WorkCases)?;
    let mut value = request.assessment;
    if let Some(object) = value.as_object_mut() {
        object.remove("debt");
    }
    let input: AssessmentInput = serde_json::from_value(value).map_err(|error| {
        recouvre_app::Error::invalid("assessment", "invalid_input", format!("bilan illisible : {error}"))
    })?;
    let outcome = workflow::record_assessment(&state.app, &user.actor(), case_id, request.version, &input).await?;
    Ok((StatusCode::CREATED, Json(AssessmentCreatedDto { result: outcome.result, version: outcome.version }))
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct RecommendationDto {
    pub id: i64,
    pub rule_id: String,
    pub strategy: String,
    pub explanation: String,
    /// `proposed`, `accepted`, `overridden`, `superseded`.
    pub status: String,
    /// The whole recommendation: actions with due dates, warnings, rules version.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

/// The latest recommendation of the strategy engine for the case (evaluated now if there is none
/// yet, or if the facts changed).
#[utoipa::path(get, path = "/api/v1/cases/{id}/recommendation", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = RecommendationDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_recommendation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<RecommendationDto>, AppError> {
    let path = format!("/api/v1/cases/{case_id}/recommendation");
    let row = workflow::recommendation(&state.app, &user.actor(), case_id, &path).await?;
    Ok(Json(RecommendationDto {
        id: row.id,
        rule_id: row.rule_id,
        strategy: row.strategy,
        explanation: row.explanation,
        status: row.status,
        body: serde_json::from_str(&row.body).unwrap_or(serde_json::Value::Null),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionDto {
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
    pub recommendation_id: i64,
    /// A strategy code to override the recommendation with; absent to accept it.
    pub override_strategy: Option<String>,
    /// Why the recommendation is set aside: required with `override_strategy` (400 `required`).
    #[serde(default)]
    pub reason: String,
}

/// Accepts the recommendation, or overrides it with a reason (both journaled).
#[utoipa::path(post, path = "/api/v1/cases/{id}/recommendation/decision", params(("id" = i64, Path, description = "Case id")), request_body = DecisionDto,
    responses((status = 200, body = crate::shared::VersionDto), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn decide_recommendation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<DecisionDto>,
) -> Result<Json<crate::shared::VersionDto>, AppError> {
    // Permission first (tests/authz_matrix.rs): a role that may not act gets 403, not a lesson
    // on the input it may not send.
    user.actor().require(recouvre_domain::authority::Permission::WorkCases)?;
    let override_with = match request.override_strategy.as_deref() {
        None => None,
        Some(code) => Some(workflow::strategy("override_strategy", code)?),
    };
    let input = DecisionInput { recommendation_id: request.recommendation_id, override_with, reason: request.reason };
    let version = workflow::decide_recommendation(&state.app, &user.actor(), case_id, request.version, &input).await?;
    Ok(Json(crate::shared::VersionDto { version }))
}

// ---------------------------------------------------------------------------------------------
// Procedures

#[derive(Serialize, ToSchema)]
pub struct OfferedStepDto {
    /// Procedure kind code (`payment_order`, `enforcement_bank`…).
    pub kind: String,
    /// Step code (`serve_order`, `serve_bank_seizure`…).
    pub step: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureDto {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub started_on: NaiveDate,
    pub closed: bool,
    pub costs: Money,
    pub recovered: Money,
    /// The next steps of this procedure, if it is the running one of its kind (the latest not
    /// closed, the one a step of its kind applies to); empty otherwise. Taken from the case's
    /// `possible_steps`.
    pub possible_steps: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AgendaItemDto {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    /// The case's version now: quote it as `version` to mark an action done.
    pub case_version: i64,
    /// `deadline` (legal) or `action` (planned).
    pub kind: String,
    pub code: String,
    pub label: String,
    pub due_on: NaiveDate,
    /// The last day before CPC 642's extension to the next working day.
    pub nominal_on: Option<NaiveDate>,
    pub legal_basis: Option<String>,
    /// `open` or `suspended` (over-indebtedness).
    pub status: String,
    pub overdue: bool,
    /// Within the warning period before its due day.
    pub warning: bool,
    /// The login of the user an action was planned for, when not the case's officer.
    pub assignee: Option<String>,
}

impl From<Deadline> for AgendaItemDto {
    fn from(deadline: Deadline) -> AgendaItemDto {
        let item = deadline.item;
        AgendaItemDto {
            overdue: deadline.urgency.overdue(),
            warning: deadline.urgency.warning(),
            id: item.id,
            case_id: item.case_id,
            case_reference: item.case_reference,
            case_version: item.case_version,
            kind: item.kind,
            code: item.code,
            label: item.label,
            due_on: item.due_on,
            nominal_on: item.nominal_on,
            legal_basis: item.legal_basis,
            status: item.status,
            assignee: item.assignee_login,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProceduresDto {
    /// The case's procedures, oldest first.
    pub procedures: Vec<ProcedureDto>,
    /// Every step the case offers now, built from the case's facts (the debtor's region,
    /// protection and over-indebtedness, an enforceable title held, the procedures): for each
    /// kind of procedure, the next steps of its running procedure, or the first steps of a new
    /// one. It is the list the case page's step form offers, and the store accepts these steps
    /// (dated after the deadlines they wait for, with the input they need); any other step is
    /// refused with 409 naming the rule (`step_not_allowed`, `enforcement_suspended`).
    pub possible_steps: Vec<OfferedStepDto>,
    /// An over-indebtedness file suspends enforcement (C. consom. L722-2): no enforcement act
    /// is offered.
    pub enforcement_suspended: bool,
    /// The case's open (and suspended) deadlines and actions, soonest first.
    pub agenda: Vec<AgendaItemDto>,
}

/// The case's procedures, the steps it offers now and its open deadlines and actions.
#[utoipa::path(get, path = "/api/v1/cases/{id}/procedures", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = ProceduresDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_procedures(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<ProceduresDto>, AppError> {
    let path = format!("/api/v1/cases/{case_id}/procedures");
    let overview = workflow::case_procedures(&state.app, &user.actor(), case_id, &path).await?;
    Ok(Json(ProceduresDto {
        procedures: overview
            .procedures
            .into_iter()
            .map(|line| ProcedureDto {
                id: line.row.id,
                kind: line.row.kind,
                state: line.row.state,
                started_on: line.row.started_on,
                closed: line.row.closed,
                costs: Money::from_cents(line.row.costs_cents),
                recovered: Money::from_cents(line.row.recovered_cents),
                possible_steps: line.possible_steps.iter().map(|step| step.code().to_string()).collect(),
            })
            .collect(),
        possible_steps: overview
            .offered
            .iter()
            .map(|(kind, step)| OfferedStepDto { kind: kind.code().to_string(), step: step.code().to_string() })
            .collect(),
        enforcement_suspended: overview.enforcement_suspended,
        agenda: overview.agenda.into_iter().map(AgendaItemDto::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct StepRequestDto {
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
    /// Procedure kind code (`payment_order`, `enforcement_bank`…).
    pub kind: String,
    /// Step code (`serve_order`, `serve_bank_seizure`…).
    pub step: String,
    /// Date of the act (not after today).
    pub on: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub input: StepInput,
    /// The bailiff, lawyer, agency… acting (else the procedure's): the step's `input.costs` are
    /// payable to them and charged to the debtor as the step's kind says (docs/costs.md); 400
    /// naming `third_party_id` when there are costs and no third party.
    pub third_party_id: Option<i64>,
    /// The invoice of the step's costs (else the step names it: procedure and journal event).
    pub invoice_reference: Option<String>,
    /// The invoice's date (else the act's; not after today).
    pub invoice_date: Option<NaiveDate>,
    /// The invoice's bank details (remembered on the third party; else the third party's own).
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// The VAT rate of the step's costs (`standard`, `not_subject`): with it, `input.costs` is
    /// the amount excluding VAT and the cost's total adds the VAT at the rate in force on the
    /// invoice's date (docs/costs.md); without it, the costs are outside VAT.
    pub vat_rate: Option<String>,
    /// The invoice's VAT (`"20.00"`), optional: it must match the computed VAT (400 naming `vat`).
    pub vat: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StepAppliedDto {
    /// The new state, the deadlines opened and closed, the documents called for, the notes.
    #[schema(value_type = Object)]
    pub transition: recouvre_domain::procedure::Transition,
    /// The case's version after the step and the strategy's re-evaluation.
    pub version: i64,
}

/// Applies a procedure step; a step the case does not offer is refused (409) saying why — the
/// rule or article (`step_not_allowed`, `enforcement_suspended`) — and what is possible.
#[utoipa::path(post, path = "/api/v1/cases/{id}/procedures", params(("id" = i64, Path, description = "Case id")), request_body = StepRequestDto,
    responses((status = 200, body = StepAppliedDto), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<StepRequestDto>,
) -> Result<Json<StepAppliedDto>, AppError> {
    // Permission first (tests/authz_matrix.rs): a role that may not act gets 403, not a lesson
    // on the input it may not send.
    user.actor().require(recouvre_domain::authority::Permission::WorkCases)?;
    let command = StepCommand {
        kind: workflow::procedure_kind("kind", &request.kind)?,
        step: workflow::step("step", &request.step)?,
        on: request.on,
        input: request.input,
        third_party_id: request.third_party_id,
        invoice: StepInvoice {
            reference: request.invoice_reference,
            date: request.invoice_date,
            iban: request.iban,
            bic: request.bic,
            amounts: None,
        },
        vat_rate: request.vat_rate,
        vat: crate::costs::optional_amount("vat", request.vat.as_deref())?,
    };
    let outcome = workflow::apply_step(&state.app, &user.actor(), case_id, request.version, &command).await?;
    Ok(Json(StepAppliedDto { transition: outcome.transition, version: outcome.version }))
}

// ---------------------------------------------------------------------------------------------
// Plans, waivers, exchanges

#[derive(Deserialize, ToSchema)]
pub struct PlanLineDto {
    /// Not before today.
    pub due_on: NaiveDate,
    pub amount: Money,
}

#[derive(Deserialize, ToSchema)]
pub struct PlanRequest {
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
    /// The schedule agreed with the debtor (for example from `POST /api/v1/calc/payment-plan`).
    pub instalments: Vec<PlanLineDto>,
    /// For a protected adult: the guardian or curator countersigned the agreement (required).
    #[serde(default)]
    pub guardian_countersigned: bool,
    /// Paid by direct debit under this mandate of the case (`POST /api/v1/cases/{id}/mandates`):
    /// 400 `unknown_mandate` / `mandate_not_active` naming `mandate_id` otherwise.
    #[serde(default)]
    pub mandate_id: Option<i64>,
}

/// Proposes a payment plan agreed with the debtor: created at once within the proposer's
/// delegation (201), else an approval request for someone of a sufficient level (202).
#[utoipa::path(post, path = "/api/v1/cases/{id}/plans", params(("id" = i64, Path, description = "Case id")), request_body = PlanRequest,
    responses((status = 201, body = Object), (status = 202, body = Object), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<PlanRequest>,
) -> Result<Response, AppError> {
    let input = PlanInput {
        schedule: PlanSchedule::Instalments(
            request.instalments.iter().map(|line| (line.due_on, line.amount)).collect(),
        ),
        guardian_countersigned: request.guardian_countersigned,
        mandate_id: request.mandate_id,
    };
    let outcome = workflow::propose_plan(&state.app, &user.actor(), case_id, request.version, &input).await?;
    let status = match outcome {
        PlanOutcome::Created { .. } => StatusCode::CREATED,
        PlanOutcome::Pending { .. } => StatusCode::ACCEPTED,
    };
    Ok((status, Json(outcome)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct WaiverRequest {
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
    /// What is waived, by component.
    #[schema(value_type = Object)]
    pub amounts: recouvre_domain::case::Breakdown,
    pub reason: String,
}

/// Proposes a waiver (remise): booked at once within the proposer's delegation (201), else an
/// approval request (202).
#[utoipa::path(post, path = "/api/v1/cases/{id}/waivers", params(("id" = i64, Path, description = "Case id")), request_body = WaiverRequest,
    responses((status = 201, body = Object), (status = 202, body = Object), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_waiver(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<WaiverRequest>,
) -> Result<Response, AppError> {
    let input = WaiverInput { amounts: WaiverAmounts::Breakdown(request.amounts), reason: request.reason };
    let outcome = workflow::propose_waiver(&state.app, &user.actor(), case_id, request.version, &input).await?;
    let status = match outcome {
        WaiverOutcome::Booked { .. } => StatusCode::CREATED,
        WaiverOutcome::Pending { .. } => StatusCode::ACCEPTED,
    };
    Ok((status, Json(outcome)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ExchangeRequest {
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
    /// A third party of the directory (`GET /api/v1/third-parties`).
    pub third_party_id: i64,
    /// What was exchanged: object, answer, what follows.
    pub summary: String,
}

/// Records an exchange with a third party on the case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/exchanges", params(("id" = i64, Path, description = "Case id")), request_body = ExchangeRequest,
    responses((status = 201, body = crate::shared::VersionDto), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_exchange(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<ExchangeRequest>,
) -> Result<Response, AppError> {
    let version = workflow::record_exchange(
        &state.app,
        &user.actor(),
        case_id,
        request.version,
        request.third_party_id,
        &request.summary,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(crate::shared::VersionDto { version })).into_response())
}

// ---------------------------------------------------------------------------------------------
// Agenda

/// The caller's agenda (and that of the colleagues they cover): open items due by `until`,
/// overdue first.
#[utoipa::path(get, path = "/api/v1/agenda", params(AgendaQuery),
    responses((status = 200, body = Vec<AgendaItemDto>), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn get_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AgendaQuery>,
) -> Result<Json<Vec<AgendaItemDto>>, AppError> {
    let agenda = workflow::agenda(&state.app, &user.actor(), query.until).await?;
    Ok(Json(agenda.items.into_iter().map(AgendaItemDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionRequest {
    /// The version of the item's case the officer saw (`case_version`); a stale one is refused
    /// (409 `stale_version`).
    pub version: i64,
}

/// Marks an action of the agenda done (a legal deadline is closed by its procedure's step, not
/// here: 409 `action_not_open`).
#[utoipa::path(post, path = "/api/v1/agenda/{id}/done", params(("id" = i64, Path, description = "Agenda item id")), request_body = VersionRequest,
    responses((status = 200, body = crate::shared::VersionDto), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn complete_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(item_id): Path<i64>,
    Json(request): Json<VersionRequest>,
) -> Result<Json<crate::shared::VersionDto>, AppError> {
    let version = workflow::complete_action(&state.app, &user.actor(), item_id, request.version).await?;
    Ok(Json(crate::shared::VersionDto { version }))
}

// ---------------------------------------------------------------------------------------------
// Rule documents

/// The rule document in force (`strategy_rules`, `authority_matrix`, `procedure_policy`,
/// `assessment_policy`, `provisioning_policy`), as TOML: the administrator's latest version,
/// else the default.
#[utoipa::path(get, path = "/api/v1/rules/{kind}", params(("kind" = String, Path, description = "strategy_rules, authority_matrix, procedure_policy, assessment_policy or provisioning_policy")),
    responses((status = 200, body = String, content_type = "application/toml"), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
) -> Result<Response, AppError> {
    let text = workflow::rules_document(&state.app, &user.actor(), &kind).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/toml; charset=utf-8")], text).into_response())
}

/// Proposes a new version of a rule document (administrator; TOML body, validated at once: an
/// error names the rule and the field). A change request (202), in force only once ANOTHER
/// administrator approves it (`POST /api/v1/admin/setting-changes/{id}/approve`, issue 23).
/// Earlier versions are kept.
#[utoipa::path(put, path = "/api/v1/rules/{kind}", params(("kind" = String, Path, description = "strategy_rules, authority_matrix, procedure_policy, assessment_policy or provisioning_policy")),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 202, body = crate::admin::api::SettingChangeDto), (status = 400, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn put_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let change = recouvre_app::setting_changes::propose_rules(&state.app, &user.actor(), &kind, &body, &kind).await?;
    Ok((StatusCode::ACCEPTED, Json(crate::admin::api::SettingChangeDto::from(change))).into_response())
}
